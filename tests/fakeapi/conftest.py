"""Fixtures for the fake API server's own tests."""

from tests.fakeapi.fixtures import fake_api  # noqa: F401
