"""RBAC preflight: rules read as RBAC matches them; missing reads named once, granted later said."""

from __future__ import annotations

from typing import Any

import pytest

from kep.api.errors import Forbidden
from kep.api.resources import JOBS
from kep.preflight import Preflight, allows
from kep.reads import Read
from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import start_kep, wait_for_line
from tests.waiting import NS, REFERENCE_RULES, api, cluster_env, finish  # noqa: F401

RULES = (
    {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "endpoints"]},
    {"verbs": ["*"], "apiGroups": ["batch"], "resources": ["*"]},
    {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["daemonsets"], "resourceNames": ["ovs"]},
)


@pytest.mark.parametrize("verb, group, resource, allowed", [
    ("get", "", "pods", True),
    ("watch", "", "pods", False),
    ("list", "", "endpoints", True),
    ("watch", "batch", "jobs", True),
    ("list", "batch", "cronjobs", True),
    ("list", "apps", "pods", False),
    ("get", "apps", "daemonsets", True),  # resourceNames: the read by name says if it is not among them
    ("list", "discovery.k8s.io", "endpointslices", False),
])
def test_allows_matches_verbs_groups_and_resources_as_rbac_does(verb, group, resource, allowed):
    assert allows(RULES, verb, group, resource) is allowed


class Reviews:
    """Answers a SelfSubjectRulesReview with `rules` in every namespace, or refuses it."""

    def __init__(self, rules: list[dict[str, Any]] | None) -> None:
        self.rules = rules
        self.namespaces: list[str] = []

    def create(self, resource: Any, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]:
        self.namespaces.append(obj["spec"]["namespace"])
        if self.rules is None:
            raise Forbidden(verb="create", resource=resource.qualified)
        return {"status": {"resourceRules": self.rules}}


@pytest.mark.parametrize("rules, events", [
    ([*RULES, {"verbs": ["create", "patch"], "apiGroups": [""], "resources": ["events"]}], True),
    ([*RULES, {"verbs": ["create"], "apiGroups": [""], "resources": ["events"]}], False),
    (list(RULES), False),
    (None, None),  # no review answered: unknown, so kep tries and a 403 says it
])
def test_the_pods_namespace_is_reviewed_for_events_too(rules, events):
    reviews = Reviews(rules)
    preflight = Preflight(reviews, [Read(JOBS, "other", "db-sync")], 30.0, 2.0, events_namespace="pods-home")
    preflight.run()
    assert preflight.events is events
    assert reviews.namespaces == ["other", "pods-home"]


WITHOUT_JOBS = [r for r in REFERENCE_RULES if "jobs" not in r.resources]


def test_a_read_rbac_does_not_allow_is_named_with_the_rule_to_add_and_kep_keeps_waiting(api, tmp_path):
    api.create(f.job("db-init", NS))
    env = cluster_env(api, tmp_path, rules=WITHOUT_JOBS, DEPENDENCY_JOBS="db-init", KEP_PROGRESS_INTERVAL="0.5")
    proc = start_kep("--", "echo", "app started", env=env)
    line = wait_for_line(proc, "RBAC: kep may not get")
    assert line.rstrip().endswith('jobs in namespace openstack: add to a Role there '
                                  '{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get"]}')
    token = (tmp_path / "serviceaccount" / "token").read_text()
    api.set_rules(token, REFERENCE_RULES)
    wait_for_line(proc, "RBAC: get jobs (apiGroup batch) in namespace openstack is allowed now.")
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    out, _ = finish(proc)
    assert "app started" in out


def test_strict_rbac_exits_4_after_naming_what_is_missing_and_starts_nothing(api, tmp_path):
    env = cluster_env(api, tmp_path, rules=WITHOUT_JOBS, DEPENDENCY_JOBS="db-init", DEPENDENCY_SERVICE="db",
                      KEP_STRICT_RBAC="1")
    proc = start_kep("--", "echo", "app started", env=env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 4
    assert out.count("RBAC: kep may not") == 1 and "app started" not in out
    assert "KEP_STRICT_RBAC=1: 1 read is not allowed" in err
    assert not any(r.resource == "jobs" for r in api.requests), "nothing is read once strict RBAC fails"


def test_a_bad_strict_rbac_value_is_a_one_line_error_and_nothing_starts(api, tmp_path):
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init", KEP_STRICT_RBAC="strict",
                      COMMAND=f"touch {tmp_path / 'ran'}")
    api.clear_requests()
    proc = start_kep(env=env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert err.splitlines() == [err.splitlines()[0]] and 'KEP_STRICT_RBAC: "strict" is not a boolean' in err
    assert api.requests == [] and not (tmp_path / "ran").exists()
