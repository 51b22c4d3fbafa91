"""The full cluster for these tests: `kube` (kep's image loaded, the CRD made), `ns` per test.

The session's cluster itself is `real_api` (tests/cluster/session.py); where only the API
server could start, `kube` is skipped with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.cluster import manifests
from tests.cluster.kube import Kube


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
