"""Fixtures (and the `fake_api` marker) for the fake API server's own tests."""

from tests.fakeapi.fixtures import fake_api, pytest_configure  # noqa: F401
