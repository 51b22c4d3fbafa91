"""A fake kube-apiserver for kep's tests (test code only, never shipped).

In process::

    from tests.fakeapi import FakeApiServer, CustomResourceDef, Rule
    with FakeApiServer(custom_resources=[CustomResourceDef("example.com", "v1", "Widget", "widgets")]) as api:
        token = api.add_token([Rule(["get", "list", "watch"], [""], ["pods"], namespaces=["default"])])
        api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-0"}, "status": {"phase": "Running"}})

As a pytest fixture: `from tests.fakeapi.fixtures import fake_api`.
As a separate process: `python -m tests.fakeapi --port 0 --state-dir DIR` (see __main__.py).
"""

from .certs import CertAuthority
from .server import CustomResourceDef, FakeApiServer, Identity, RequestRecord, Rule
from .store import ApiError, ResourceType

__all__ = [
    "ApiError",
    "CertAuthority",
    "CustomResourceDef",
    "FakeApiServer",
    "Identity",
    "RequestRecord",
    "ResourceType",
    "Rule",
]
