"""All met at the same moment, when polling: how often kep would start too early.

    .venv/bin/python bench/simultaneous.py [--runs 10] [--real]

Each run (issue 10, rule 7): service `a` has a ready endpoint, `b` has none; kep
(`python kep.py`, the reference's get/list RBAC, so it polls, KEP_INTERVAL=0.5)
starts with DEPENDENCY_SERVICE=a,b; after 1 s `a`'s only endpoint turns not ready and
right after `b` gets a ready one. kep must not exec until `a` is ready again (the
bench makes it ready 2 s later). Printed: runs where kep exec'd while `a` was not
ready, and kep's API requests per run. The check before exec reads again whatever
was read before the last dependency turned met; without it, kep exec'd in 3 of 5
such runs against a real kube-apiserver.

`--real` runs against a real kube-apiserver (`kube-cluster up --api-only`, started and
stopped by the bench; root needed), writing the EndpointSlices itself as an admin.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories as f  # noqa: E402
from tests.fakecluster import REFERENCE_RULES, FakeCluster, clean_env  # noqa: E402

NS = "bench"


class Api(Protocol):
    def create(self, obj: dict[str, Any]) -> Any: ...
    def patch(self, path: str, patch: dict[str, Any]) -> Any: ...
    def kep_env(self, tmp: Path) -> dict[str, str]: ...
    def requests_by(self, who: str) -> int: ...


def slice_path(name: str) -> str:
    return f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices/{name}-abcde"


def set_ready(api: Api, name: str, ip: str, ready: bool) -> None:
    api.patch(slice_path(name), {"endpoints": [f.endpoint(ip, ready=ready)]})


def one_run(api: Api, env: dict[str, str], run: int) -> bool:
    """True when kep exec'd while `a` was not ready."""
    a, b = f"a{run}", f"b{run}"
    api.create(f.service(a, NS))
    api.create(f.endpoint_slice(a, NS, f.endpoint("10.0.0.1", ready=True)))
    api.create(f.service(b, NS))
    api.create(f.endpoint_slice(b, NS, f.endpoint("10.0.0.2", ready=False)))
    proc = subprocess.Popen([sys.executable, str(ROOT / "kep.py"), "--", "true"],
                            env={**env, "DEPENDENCY_SERVICE": f"{a},{b}"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    set_ready(api, a, "10.0.0.1", False)
    set_ready(api, b, "10.0.0.2", True)
    early = False
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            early = True
            break
        time.sleep(0.02)
    set_ready(api, a, "10.0.0.1", True)
    proc.wait(timeout=30)
    return early


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--real", action="store_true", help="a real kube-apiserver (kube-cluster up --api-only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp:
        api: Api
        if args.real:
            api = RealApi()
        else:
            api = FakeApi(Path(tmp))
        try:
            env = {**api.kep_env(Path(tmp)), "KEP_INTERVAL": "0.5"}
            before = api.requests_by("kep")
            early = sum(one_run(api, env, run) for run in range(args.runs))
            per_run = (api.requests_by("kep") - before) / args.runs
        finally:
            api.close()  # type: ignore[attr-defined]
    where = "real kube-apiserver" if args.real else "fake API server"
    print(f"{where}: kep exec'd while a dependency was not met in {early} of {args.runs} runs; "
          f"{per_run:.1f} API requests per run")
    return 0


class FakeApi:
    """The project's fake kube-apiserver in its own process (tests/fakecluster.py)."""

    def __init__(self, tmp: Path) -> None:
        self.cluster = FakeCluster(tmp / "api")

    def create(self, obj: dict[str, Any]) -> Any:
        return self.cluster.create(obj)

    def patch(self, path: str, patch: dict[str, Any]) -> Any:
        return self.cluster.patch(path, patch)

    def kep_env(self, tmp: Path) -> dict[str, str]:
        return clean_env(**self.cluster.pod_env(tmp / "sa", self.cluster.token(REFERENCE_RULES), NS))

    def requests_by(self, who: str) -> int:
        return sum(count for (verb, _), count in self.cluster.counts().items() if verb != "create" and verb != "patch")

    def close(self) -> None:
        self.cluster.stop()


class RealApi:
    """`kube-cluster up --api-only` (down again at the end): a real kube-apiserver, no
    controllers, so the bench writes the EndpointSlices itself, as an admin (kubectl)."""

    def __init__(self) -> None:
        from tests.cluster.kube import Kube, run_script

        self._run_script = run_script
        run_script("down")
        run_script("up", "--api-only", timeout=600)
        self.kube = Kube.running(dict(os.environ), "the bench needs the API server only")
        role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "kep", "namespace": NS}, "rules": REFERENCE_RULES}
        binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": "kep", "namespace": NS},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kep"},
                   "subjects": [{"kind": "ServiceAccount", "name": "kep", "namespace": NS}]}
        self.kube.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}])
        self.token = self.kube.script("token", NS, "kep").strip()
        self.kube.apply([role, binding])

    def create(self, obj: dict[str, Any]) -> Any:
        self.kube.apply([obj])

    def patch(self, path: str, patch: dict[str, Any]) -> Any:
        name = path.rsplit("/", 1)[1]
        self.kube.kubectl("-n", NS, "patch", "endpointslice", name, "--type", "merge", "-p", json.dumps(patch))

    def kep_env(self, tmp: Path) -> dict[str, str]:
        sa = tmp / "sa"
        sa.mkdir()
        (sa / "token").write_text(self.token)
        (sa / "ca.crt").write_text(Path(self.kube.ca_file).read_text())
        (sa / "namespace").write_text(NS)
        return clean_env(KUBERNETES_SERVICE_HOST=self.kube.env["KEP_CLUSTER_API_HOST"],
                         KUBERNETES_SERVICE_PORT=self.kube.env["KEP_CLUSTER_API_PORT"],
                         KEP_SERVICE_ACCOUNT_DIR=str(sa))

    def requests_by(self, who: str) -> int:
        return len(self.kube.audit(f"system:serviceaccount:{NS}:kep"))

    def close(self) -> None:
        self._run_script("down")


if __name__ == "__main__":
    raise SystemExit(main())
