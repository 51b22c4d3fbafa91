"""rbac: the account's Roles in the input, matched as RBAC matches them, against kep's reads."""

from __future__ import annotations

from typing import Any

from tests.lint import manifests as m
from tests.lint.checks import found

API = m.deployment("api", {"DEPENDENCY_SERVICE": "db", "DEPENDENCY_JOBS": "db-sync"}, account="api")


def role(resources: list[str], groups: list[str]) -> list[dict[str, Any]]:
    return [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "api"},
             "rules": [{"apiGroups": groups, "resources": resources, "verbs": ["get", "list"]}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "api"},
             "roleRef": {"kind": "Role", "name": "api"},
             "subjects": [{"kind": "ServiceAccount", "name": "api", "namespace": "openstack"}]}]


def test_osh_s_role_grants_what_kep_reads() -> None:
    grants = role(["services", "endpoints", "endpointslices", "jobs", "pods"], ["", "batch", "discovery.k8s.io"])
    assert found("rbac", API, *grants) == []


def test_a_role_without_jobs_names_the_rule_to_add() -> None:
    (f,) = found("rbac", API, *role(["services", "endpointslices"], ["", "discovery.k8s.io"]))
    assert f.message == ("ServiceAccount openstack/api may not get jobs (apiGroup batch) in namespace openstack, "
                         "which kep reads for its dependencies")
    assert f.hint.endswith('{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get"]}')


def test_endpoints_without_endpointslices_is_a_warning_and_endpoints_are_not_needed_with_them() -> None:
    (f,) = found("rbac", API, *role(["services", "endpoints", "jobs"], ["", "batch"]))
    assert (str(f.severity), f.message.split(" may not ")[1].split(" (")[0]) == ("warning", "list endpointslices")


def test_an_account_no_binding_names_is_said_not_checked() -> None:
    (f,) = found("rbac", API)
    assert (str(f.severity), f.message) == ("info", "not checked: no RoleBinding or ClusterRoleBinding of the input "
                                                    "names ServiceAccount openstack/api")
