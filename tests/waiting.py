"""What the whole-program tests against the fake kube-apiserver share: the `api`
fixture, the reference's RBAC, kep's in-cluster environment, and waiting helpers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests import fakecluster
from tests.fakeapi import CustomResourceDef, Rule
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import Kep, kep_env

NS = "openstack"
# The reference's RBAC, as helm-toolkit grants it (tests/fakecluster.py), and `get` on the
# custom resource the tests use.
REFERENCE_RULES = [Rule.from_dict(rule) for rule in fakecluster.REFERENCE_RULES] + [
    Rule(verbs=["get"], api_groups=["stable.example.com"], resources=["foos"]),
]
FOO = CustomResourceDef(group="stable.example.com", version="v1", kind="Foo", plural="foos")


@pytest.fixture
def api(fake_api, tmp_path):  # noqa: F811
    return fake_api


def cluster_env(api, tmp_path: Path, rules=None, **extra: str) -> dict[str, str]:
    token = api.add_token(rules=rules)
    sa_dir = tmp_path / "serviceaccount"
    api.write_service_account(str(sa_dir), token, namespace=NS)
    return kep_env(**{**api.in_cluster_env(str(sa_dir)), "POD_NAME": "me", "KEP_INTERVAL": "0.3", **extra})


def assert_still_waiting(proc: Kep, seconds: float = 1.0) -> None:
    time.sleep(seconds)
    assert proc.poll() is None, "kep exec'd (or exited) before the dependency was met"


def finish(proc: Kep) -> tuple[str, str]:
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out, err
