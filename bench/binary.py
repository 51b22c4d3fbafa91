"""Figures of the one-file binary (the README's binary section): size, start to exec, bytes unpacked, RSS.

    make bench-binary [ARCH=arm64]   (builds the binary, and the image for this machine's ARCH, first)
    .venv/bin/python bench/binary.py [--runs 20] [--image localhost/kep:latest] [--binary dist/linux-arm64/kep]

Start to exec is the wall time from spawn to the exit of /bin/true exec'd at the
end, median of --runs; the floor is a static C program that only execs it.
"With one met service" runs against the fake kube-apiserver (tests/fakeapi) over
HTTPS with a service-account directory, as in a pod. RSS is the peak (VmHWM) of
every process of kep's tree while it waits for a service that is not ready.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories as f  # noqa: E402
from tests.fakeapi.server import FakeApiServer  # noqa: E402

HOST_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
BINARY = ROOT / "dist" / f"linux-{HOST_ARCH}" / "kep"
TRUE = shutil.which("true") or "/bin/true"
NS = "bench"


def compile_static(source: Path, out: Path) -> Path:
    for cc in (["gcc", "-static"], ["musl-gcc", "-static"]):
        if shutil.which(cc[0]) and subprocess.run([*cc, "-O2", "-s", "-o", str(out), str(source)]).returncode == 0:
            return out
    raise SystemExit(f"bench: cannot compile {source} statically (gcc -static or musl-gcc)")


def median_ms(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise SystemExit(f"bench: {' '.join(command)} exited {done.returncode}")
    return statistics.median(times) * 1000


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def peak_rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def disk_bytes(directory: Path) -> tuple[int, int]:
    """(bytes in files, bytes allocated) under directory."""
    size = blocks = 0
    for root, _, files in os.walk(directory):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            size += st.st_size
            blocks += st.st_blocks * 512
    return size, blocks


def while_waiting(command: Sequence[str], env: dict[str, str], ready: Callable[[], None]
                  ) -> tuple[int, int, int, int]:
    """Start kep with an unmet dependency; once it waits, measure; then meet it.
    Returns (processes, peak RSS KiB of the tree, unpacked bytes, allocated bytes)."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Waiting for" in line:
            break
    time.sleep(1.0)
    pids = tree(proc.pid)
    rss = peak_rss_kib(pids)
    environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
    bundle = [v.split(b"=", 1)[1].decode() for v in environ if v.startswith(b"_KEP_BUNDLE=")]
    size, blocks = disk_bytes(Path(bundle[0])) if bundle else (0, 0)
    ready()
    proc.communicate(timeout=30)
    return len(pids), rss, size, blocks


def container_ms(image: str, runs: int, work: Path) -> tuple[float, float] | None:
    """podman run --rm, end to end: the probe through kep, and the probe alone (the floor)."""
    if not shutil.which("podman"):
        return None
    env = {**os.environ, "CONTAINERS_CONF": str(ROOT / "build" / "containers.conf")}
    context = work / "image"
    context.mkdir()
    compile_static(ROOT / "tests" / "binary" / "probe.c", context / "probe")
    (context / "Containerfile").write_text(f"FROM {image}\nCOPY --chmod=0755 probe /usr/local/bin/probe\n")
    tag = "localhost/kep-bench:latest"
    subprocess.run(["podman", "build", "-q", "-t", tag, str(context)], env=env, check=True, stdout=subprocess.DEVNULL)
    helm = ["--user", "65534", "--read-only", "--read-only-tmpfs=false"]
    via_kep = median_ms(["podman", "run", "--rm", *helm, tag, "--", "probe", "exit", "0"], env, runs)
    alone = median_ms(["podman", "run", "--rm", *helm, "--entrypoint", "probe", tag, "exit", "0"], env, runs)
    return via_kep, alone


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--image", default="", help="also time `podman run` of this image (built by make image)")
    parser.add_argument("--binary", type=Path, default=BINARY, help=f"the one-file binary (default {BINARY.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    binary = args.binary.resolve()
    if not binary.exists():
        raise SystemExit(f"bench: {binary} missing: run `make binary` first")

    work = Path(tempfile.mkdtemp(prefix="kep-bench-"))
    tmpdir = work / "tmp"
    tmpdir.mkdir()
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": str(tmpdir), "LANG": "C.UTF-8"}
    floor = compile_static(ROOT / "bench" / "execwrap.c", work / "execwrap")
    rows: list[tuple[str, str]] = []
    try:
        size = binary.stat().st_size
        rows.append((f"binary size ({binary.relative_to(ROOT)})", f"{size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)"))

        print(f"timing {args.runs} runs each ...", file=sys.stderr)
        t_floor = median_ms([str(floor), TRUE], base, args.runs)
        t_none = median_ms([str(binary), "--", TRUE], base, args.runs)
        rows.append(("start to exec, floor (static C exec wrapper)", f"{t_floor:.1f} ms"))
        rows.append(("start to exec, no dependencies: the binary", f"{t_none:.0f} ms"))
        # Comparisons on this machine's own architecture only (another one's binary runs under qemu).
        onedir = ROOT / "build" / "work" / HOST_ARCH / "dist" / "kep" / "kep"
        if binary.parent.name != f"linux-{HOST_ARCH}":
            rows.append(("  (under qemu-user: emulation's times and RSS, not the hardware's)", ""))
        else:
            if onedir.exists():
                rows.append(("  same, PyInstaller onedir without the launcher",
                             f"{median_ms([str(onedir), '--', TRUE], base, args.runs):.0f} ms"))
            rows.append(("  same, python -m kep (Debian python3, not frozen)",
                         f"{median_ms([sys.executable, str(ROOT / 'kep.py'), '--', TRUE], base, args.runs):.0f} ms"))

        with FakeApiServer(workdir=work / "api") as api:
            sa = api.write_service_account(work / "sa", api.add_token(), namespace=NS)
            env = {**base, **api.in_cluster_env(sa), "DEPENDENCY_SERVICE": "db", "KEP_INTERVAL": "0.5"}
            api.create(f.service("db", NS))
            api.create(f.endpoint_slice("db", NS, f.endpoint("10.0.0.7", ready=True)))
            t_service = median_ms([str(binary), "--", TRUE], env, args.runs)
            rows.append(("start to exec, one met service (fake API, HTTPS)", f"{t_service:.0f} ms"))

            api.create(f.service("pending", NS))
            api.create(f.endpoint_slice("pending", NS, f.endpoint("10.0.0.8", ready=False)))
            env["DEPENDENCY_SERVICE"] = "pending"

            def make_ready() -> None:
                api.patch("discovery.k8s.io/v1", "endpointslices", NS, "pending-abcde",
                          {"endpoints": [f.endpoint("10.0.0.8", ready=True)]})

            for leftover in tmpdir.iterdir():
                shutil.rmtree(leftover)
            procs, rss, unpacked, allocated = while_waiting([str(binary), "--", TRUE], env, make_ready)
        rows.append(("bytes unpacked per start (in $TMPDIR)", f"{unpacked / 1e6:.1f} MB ({allocated / 1e6:.1f} MB allocated)"))
        rows.append(("processes while waiting", str(procs)))
        rows.append(("peak RSS of all kep processes while waiting for a service", f"{rss / 1024:.1f} MiB"))
        left = disk_bytes(tmpdir)[0]
        rows.append(("left in $TMPDIR after that run's exec", f"{left / 1e6:.1f} MB"))

        if args.image:
            timed = container_ms(args.image, args.runs, work)
            if timed:
                rows.append(("podman run --rm, kep then the command (read-only, user 65534)", f"{timed[0]:.0f} ms"))
                rows.append(("  same, the command alone (floor)", f"{timed[1]:.0f} ms"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    width = max(len(name) for name, _ in rows)
    print(f"kep binary figures (median of {args.runs}; {os.uname().machine}, {os.cpu_count()} CPUs)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
