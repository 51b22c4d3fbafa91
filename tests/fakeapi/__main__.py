"""Run the fake API server as its own process (for `make demo`, `make fake-api` and benchmarks).

    python -m tests.fakeapi --port 0 --state-dir DIR [--crd group/version/Kind/plural[/cluster]]...
                            [--seed openstack]

Writes into DIR: `url`, `ca.crt`, `admin-token` (allowed everything, and the only token the
/_fake/ control API accepts), `kubeconfig` (admin), `pid`, and last `ready`; then prints
where it serves, what it holds and the `export KUBECONFIG=...` line to use. `--seed
openstack` fills namespace openstack (tests.fakecluster.seed_openstack) and makes it
the kubeconfig's namespace, so that a newcomer has something to try kep against.
Serves until SIGTERM or SIGINT (Ctrl-C), then removes `ready` and exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .server import CustomResourceDef, FakeApiServer

SEEDS = ("openstack",)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fakeapi", description="fake kube-apiserver (tests only)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--state-dir", required=True, type=Path)
    p.add_argument("--crd", action="append", default=[], metavar="group/version/Kind/plural[/cluster]")
    p.add_argument("--bookmark-interval", type=float, default=1.0)
    p.add_argument("--history", type=int, default=1000)
    p.add_argument("--anonymous", action="store_true", help="requests without credentials are system:anonymous")
    p.add_argument("--seed", choices=SEEDS, help="objects to start with (openstack: tests.fakecluster)")
    args = p.parse_args(argv)

    try:
        crds = [CustomResourceDef.parse(c) for c in args.crd]
    except ValueError as e:
        p.error(str(e))
    state: Path = args.state_dir
    state.mkdir(parents=True, exist_ok=True)
    (state / "ready").unlink(missing_ok=True)

    server = FakeApiServer(crds, bookmark_interval=args.bookmark_interval, history=args.history,
                           host=args.host, port=args.port, anonymous=args.anonymous, workdir=state.resolve())
    done = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    namespace, held = "default", []
    if args.seed:
        from tests.fakecluster import OPENSTACK, seed_openstack

        namespace, held = OPENSTACK, seed_openstack(server.create)
    _write(state / "url", server.url + "\n")
    _write(state / "admin-token", server.admin_token + "\n")
    kubeconfig = state.resolve() / "kubeconfig"  # absolute: the line is used from anywhere
    server.write_kubeconfig(kubeconfig, token=server.admin_token, user="kubernetes-admin", namespace=namespace)
    _write(state / "pid", f"{os.getpid()}\n")
    _write(state / "ready", server.url + "\n")
    print(f"fake kube-apiserver at {server.url} (state in {state}); Ctrl-C stops it", flush=True)
    if held:
        print(f"namespace {namespace} holds:", *(f"  {what}" for what in held), sep="\n", flush=True)
    print(f"To use it (kep, kubectl), in another terminal:\n  export KUBECONFIG={kubeconfig}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        (state / "ready").unlink(missing_ok=True)
        server.stop()
    print("fake kube-apiserver stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
