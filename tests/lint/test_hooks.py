"""hook-order: by deployer, as Helm and Argo CD create a release."""

from __future__ import annotations

import pytest

from tests.lint import manifests as m
from tests.lint.checks import found

API = m.deployment("api", {"DEPENDENCY_JOBS": "db-sync"})


@pytest.mark.parametrize("deployer, severity", [("helm", None), ("helm-wait", "error"), ("argocd", "error")])
def test_a_main_workload_waiting_on_a_post_install_hook(deployer: str, severity: str | None) -> None:
    hook = m.job("db-sync", hook="post-install,post-upgrade")
    assert [str(f.severity) for f in found("hook-order", API, hook, deployer=deployer)] == \
        ([severity] if severity else [])


def test_a_main_job_under_helm_wait_is_a_warning() -> None:
    waiter = m.job("bootstrap", {"DEPENDENCY_JOBS": "db-sync"})
    (f,) = found("hook-order", waiter, m.job("db-sync", hook="post-install"), deployer="helm-wait")
    assert str(f.severity) == "warning"


def test_a_pre_install_hook_waiting_on_the_main_phase_deadlocks_everywhere() -> None:
    hook = m.job("db-init", {"DEPENDENCY_SERVICE": "db"}, hook="pre-install")
    for deployer in ("helm", "argocd"):
        (f,) = found("hook-order", hook, m.service("db"), m.deployment("db"), deployer=deployer)
        assert "is created only after it" in f.message


def test_a_hook_waiting_on_a_later_hook_and_one_never_created_on_install() -> None:
    first = m.job("a", {"DEPENDENCY_JOBS": "b,up"}, hook="post-install", weight="-5")
    later = m.job("b", hook="post-install", weight="5")
    upgrade_only = m.job("up", hook="post-upgrade")
    messages = sorted(f.message.split(", and ")[1] for f in found("hook-order", first, later, upgrade_only))
    assert [m.split(" (")[0] for m in messages] == ["Job openstack/b", "Job openstack/up"]
    assert messages[1].endswith("is never created on install (helm)")
