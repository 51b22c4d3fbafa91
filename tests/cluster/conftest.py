"""One real cluster per session: up before the first test that asks, always down at the end.

`real_api` is a real kube-apiserver: the full cluster where containers can run, else
`kube-cluster up --api-only`. `kube` is the full cluster with kep's image loaded, and
is skipped with the reason where only the API server could start. Nothing stays
running after the session: `down` runs in a `finally`, also when `up` or a test fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.cluster import manifests
from tests.cluster.kube import KUBE_CLUSTER, ClusterError, Kube, run_script


def _cannot_run() -> str | None:
    """Why no cluster at all can start here, or None."""
    if not KUBE_CLUSTER.is_file():
        return f"{KUBE_CLUSTER} is missing (set KEP_KUBE_CLUSTER to the kube-cluster script)"
    if os.geteuid() != 0:
        return "kube-cluster needs root (it adds an address to lo, runs etcd, kube-apiserver, containerd)"
    return None


@pytest.fixture(scope="session")
def real_api() -> Iterator[Kube]:
    """A real kube-apiserver for the session: the full cluster, else the API server alone."""
    problem = _cannot_run()
    if problem:
        pytest.skip(f"real cluster tests: {problem}")
    host_env = dict(os.environ)
    try:
        run_script("down", env=host_env)  # a cluster left by an interrupted session is ours too
        full_problem = None
        try:
            run_script("up", env=host_env, timeout=600)
        except ClusterError as e:
            full_problem = f"`kube-cluster up` failed here, so only the API server runs: {e}"
            run_script("down", env=host_env)
            try:
                run_script("up", "--api-only", env=host_env, timeout=600)
            except ClusterError as api_error:
                pytest.skip(f"real cluster tests: neither the cluster nor the API server can start here: {api_error}")
        yield Kube.running(host_env, full_problem)
    finally:
        run_script("down", env=host_env)


@pytest.fixture(scope="session")
def kube(real_api: Kube, kep_image: str) -> Kube:
    """The full cluster with kep's image in containerd and the CRD of the OpenStack-Helm sequence."""
    if real_api.full_problem:
        pytest.skip(real_api.full_problem)
    real_api.script("load-image", kep_image)
    real_api.apply([manifests.crd()])
    real_api.kubectl("wait", "--for=condition=Established", f"crd/{manifests.CRD_PLURAL}.{manifests.CRD_GROUP}")
    return real_api


@pytest.fixture
def ns(kube: Kube, request: pytest.FixtureRequest) -> Iterator[str]:
    """A namespace of the test's own, named after it."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:50].rstrip("-")
    with kube.namespace(name):
        yield name
