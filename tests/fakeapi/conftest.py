"""Fixtures (and the `fake_api` marker) for the fake API server's own tests."""

from tests.fakeapi.fixtures import api_server, fake_api, pytest_configure, real_api_server  # noqa: F401
