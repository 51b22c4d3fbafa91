"""A fake cluster in its own process (`python -m tests.fakeapi`), driven over REST, and the
small OpenStack-Helm namespace that `make fake-api` serves (`seed_openstack`).

For `make demo` and the benchmarks, where kep processes and the server must not
share an interpreter. Tests that can run the server in-process use the
`fake_api` fixture instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent

# The RBAC that helm-toolkit grants the reference: get and list, never watch.
REFERENCE_RULES: list[dict[str, Any]] = [
    {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "services", "endpoints"]},
    {"verbs": ["get", "list"], "apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"]},
    {"verbs": ["get", "list"], "apiGroups": ["batch"], "resources": ["jobs"]},
    {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["daemonsets"]},
]


OPENSTACK = "openstack"
"""The namespace `make fake-api` seeds, and its kubeconfig's context namespace."""
OWN_POD = "nova-api-7d9c5-x2x9q"
"""The seeded pod to use as POD_NAME (DEPENDENCY_DAEMONSET and DEPENDENCY_CONTAINER need one)."""


def seed_openstack(create: Callable[[dict[str, Any]], dict[str, Any]]) -> list[str]:
    """Fill namespace openstack as an OpenStack-Helm deployment leaves it half-way, one of each
    state kep tells apart, with `create` (the server's own, or FakeCluster.create over REST);
    return what each part shows. For `make fake-api` (a newcomer's first API server) and the
    outputs the README shows (tests/test_docs.py runs them against it). Services come with
    their EndpointSlices, as kep reads both; the DaemonSet's pod names the uid the server gave it."""
    amqp = {"name": "amqp", "port": 5672, "protocol": "TCP"}
    create(f.service("mariadb", OPENSTACK))
    create(f.endpoint_slice("mariadb", OPENSTACK, f.endpoint("10.244.0.7", ready=True, node_name="node-1"),
                            name="mariadb-x7k2p"))
    create(f.service("rabbitmq", OPENSTACK, ports=[amqp]))
    create(f.endpoint_slice("rabbitmq", OPENSTACK, f.endpoint("10.244.0.9", ready=False, node_name="node-1"),
                            name="rabbitmq-m4w8z", ports=[amqp]))
    create(f.job("keystone-db-sync", OPENSTACK, succeeded=1, conditions=[f.condition("Complete")]))
    create(f.failed_job("nova-db-sync", OPENSTACK))
    ovs = create(f.daemonset("openvswitch", OPENSTACK, match_labels={"application": "openvswitch"}, desired=1))
    create(f.pod("openvswitch-q8z2k", OPENSTACK, node_name="node-1", target_node="node-1", ready=True,
                 labels={"application": "openvswitch"}, owner_uid=ovs["metadata"]["uid"]))
    create(f.pod(OWN_POD, OPENSTACK, node_name="node-1", phase="Pending", ready=False,
                 labels={"application": "nova"}, init_containers={"init": False}, spec_containers=["nova-api"]))
    return ["Service mariadb: its one endpoint is ready",
            "Service rabbitmq: its one endpoint is not ready",
            "Job keystone-db-sync: complete",
            "Job nova-db-sync: failed",
            "DaemonSet openvswitch: its pod on node-1 is ready",
            f"Pod {OWN_POD} on node-1, in its init container (POD_NAME for DEPENDENCY_DAEMONSET)"]


class FakeCluster:
    def __init__(self, state_dir: Path, *, bookmark_interval: float = 60.0) -> None:
        self.state = state_dir
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakeapi", "--port", "0", "--state-dir", str(state_dir),
             "--bookmark-interval", str(bookmark_interval)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not (state_dir / "ready").exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the fake kube-apiserver did not start")
            time.sleep(0.05)
        self.url = (state_dir / "url").read_text().strip()
        self.ca_file = str(state_dir / "ca.crt")
        self._session = requests.Session()
        self._session.headers["Authorization"] = "Bearer " + (state_dir / "admin-token").read_text().strip()

    def __enter__(self) -> "FakeCluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        answer = self._session.request(method, self.url + path, timeout=30, verify=self.ca_file, **kw)
        answer.raise_for_status()
        return answer.json()

    def create(self, obj: dict[str, Any]) -> Any:
        return self._call("POST", "/_fake/objects", json=obj)

    def patch(self, path: str, patch: dict[str, Any]) -> Any:
        """Merge-patch an object by its REST path, e.g. /apis/batch/v1/namespaces/ns/jobs/x/status."""
        return self._call("PATCH", path, json=patch, headers={"Content-Type": "application/merge-patch+json"})

    def token(self, rules: list[dict[str, Any]] | None = None) -> str:
        return str(self._call("POST", "/_fake/tokens", json={"rules": rules})["token"])

    def counts(self) -> dict[tuple[str, str], int]:
        return {(c["verb"], c["resource"]): c["count"] for c in self._call("GET", "/_fake/counts")["counts"]}

    def reset_counts(self) -> None:
        self._call("DELETE", "/_fake/counts")

    def pod_env(self, sa_dir: Path, token: str, namespace: str) -> dict[str, str]:
        """What kubelet gives a pod: the service-account mount and the in-cluster variables."""
        sa_dir.mkdir(parents=True, exist_ok=True)
        (sa_dir / "token").write_text(token)
        (sa_dir / "ca.crt").write_text(Path(self.ca_file).read_text())
        (sa_dir / "namespace").write_text(namespace)
        host, port = self.url.removeprefix("https://").rsplit(":", 1)
        return {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port,
                "KEP_SERVICE_ACCOUNT_DIR": str(sa_dir)}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without kep's or Kubernetes' variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DEPENDENCY_", "KEP_", "KUBE")) and k not in ("NAMESPACE", "POD_NAME", "COMMAND")}
    env.update(extra)
    return env
