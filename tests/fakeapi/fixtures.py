"""pytest fixtures for the fake API server.

Use from any test module (or a conftest.py)::

    from tests.fakeapi.fixtures import fake_api  # noqa: F401  (pytest finds it by name)

    def test_x(fake_api):
        fake_api.create({...})
        env = fake_api.in_cluster_env(fake_api.write_service_account(tmp_path / "sa", fake_api.add_token()))

`fake_api` registers one custom resource, example.com/v1 Widget (widgets, namespaced), and
one cluster-scoped, example.com/v1 Gadget (gadgets), and sends bookmarks every 0.2 s.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import CustomResourceDef, FakeApiServer

WIDGETS = CustomResourceDef("example.com", "v1", "Widget", "widgets", namespaced=True)
GADGETS = CustomResourceDef("example.com", "v1", "Gadget", "gadgets", namespaced=False)


@pytest.fixture
def fake_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeApiServer]:
    """A started FakeApiServer (function scope), stopped after the test."""
    server = FakeApiServer(
        custom_resources=[WIDGETS, GADGETS],
        bookmark_interval=0.2,
        workdir=tmp_path_factory.mktemp("fakeapi"),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
