"""pytest fixtures for the fake API server.

Use from any test module (or a conftest.py)::

    from tests.fakeapi.fixtures import fake_api  # noqa: F401  (pytest finds it by name)

    def test_x(fake_api, tmp_path):
        fake_api.create({...})
        sa = fake_api.write_service_account(tmp_path / "sa", fake_api.add_token())
        env = fake_api.in_cluster_env(sa)

`fake_api` serves these custom resources besides the built-in kinds:
stable.example.com/v1 Foo (foos, namespaced), example.com/v1 Widget (widgets, namespaced)
and example.com/v1 Gadget (gadgets, cluster-scoped); all with a status subresource.
Bookmarks come every 0.2 s. Other settings per test with a marker::

    @pytest.mark.fake_api(custom_resources=[CustomResourceDef(...)], bookmark_interval=1.0, history=10)

(custom_resources in the marker replace the defaults), or at run time with
`fake_api.add_custom_resource(CustomResourceDef(...))`.

`api_server` runs a test twice: against the fake (as `fake_api`), then against the session's
real kube-apiserver (tests/cluster/realapi.py, same Python API, same custom resources), for
answers a real server decides. The real run is skipped, with the reason, where no real
server can start.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .server import CustomResourceDef, FakeApiServer

FOOS = CustomResourceDef("stable.example.com", "v1", "Foo", "foos", namespaced=True)
WIDGETS = CustomResourceDef("example.com", "v1", "Widget", "widgets", namespaced=True)
GADGETS = CustomResourceDef("example.com", "v1", "Gadget", "gadgets", namespaced=False)
DEFAULT_CUSTOM_RESOURCES = (FOOS, WIDGETS, GADGETS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fake_api(**kwargs): FakeApiServer arguments for the fake_api fixture")


@pytest.fixture
def fake_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeApiServer]:
    """A started FakeApiServer (function scope), stopped after the test."""
    kwargs: dict = {"custom_resources": DEFAULT_CUSTOM_RESOURCES, "bookmark_interval": 0.2}
    marker = request.node.get_closest_marker("fake_api")
    if marker is not None:
        kwargs.update(marker.kwargs)
    server = FakeApiServer(workdir=tmp_path_factory.mktemp("fakeapi"), **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def real_api_server(real_api: Any) -> Any:
    """The session's real kube-apiserver with the fake's default custom resources and an admin token."""
    from tests.cluster.realapi import RealApiServer

    return RealApiServer(real_api, DEFAULT_CUSTOM_RESOURCES)


@pytest.fixture(params=["fake", "real"])
def api_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """`fake_api`, then the real server: a test that must hold for both."""
    if request.param == "fake":
        yield request.getfixturevalue("fake_api")
        return
    server = request.getfixturevalue("real_api_server")
    try:
        yield server
    finally:
        server.clean()
