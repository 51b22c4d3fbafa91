"""missing-target: every kind of target, found in the input or not, the hints, --assume."""

from __future__ import annotations

import io

import pytest

from kep.lint import Options, lint
from kep.lint.targets import Assumption
from tests.lint import manifests as m


def findings(*objects: dict, assume: tuple[str, ...] = (), check: str = "missing-target") -> list[str]:
    options = Options((("-", "openstack"),), assume=tuple(Assumption.parse(a, "openstack") for a in assume))
    report = lint(options, io.BytesIO(m.text(*objects).encode()))
    return [f"{f.workload} -> {f.target}: {f.hint}" for f in report.findings if f.check == check]


@pytest.mark.parametrize("deps, defined", [
    ({"DEPENDENCY_SERVICE": "db"}, m.service("db")),
    ({"DEPENDENCY_JOBS": "db-sync"}, m.job("db-sync")),
    ({"DEPENDENCY_JOBS_JSON": m.jobs_json({"labels": {"job": "db-sync"}})}, m.job("db-sync")),
    ({"DEPENDENCY_DAEMONSET": "ovs"}, {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ovs"},
                                        "spec": {"template": m.template({"app": "ovs"}, {})}}),
    ({"DEPENDENCY_POD_JSON": '[{"labels": {"app": "db"}}]'}, m.deployment("db")),
    ({"DEPENDENCY_CUSTOM_RESOURCE": '[{"apiVersion": "mariadb.mmontes.io/v1alpha1", "kind": "MariaDB", '
                                    '"name": "db"}]'},
     {"apiVersion": "mariadb.mmontes.io/v1alpha1", "kind": "MariaDB", "metadata": {"name": "db"}}),
])
def test_a_target_in_the_input_is_found_and_one_missing_is_an_error(deps: dict[str, str], defined: dict) -> None:
    app = m.deployment("api", deps)
    assert findings(app, defined) == []
    (missing,) = findings(app)
    assert missing.startswith("Deployment openstack/api -> ")


def test_the_hint_names_the_other_namespace_or_a_near_name() -> None:
    other = {**m.service("db"), "metadata": {"name": "db", "namespace": "infra"}}
    assert findings(m.deployment("api", {"DEPENDENCY_SERVICE": "db"}), other) == [
        "Deployment openstack/api -> Service openstack/db: Service db is in namespace infra of the input: "
        "write it as infra:db, or fix the namespace"]
    (near,) = findings(m.deployment("api", {"DEPENDENCY_JOBS": "api-ks-endpoint"}), m.job("api-ks-endpoints"))
    assert near.endswith("did you mean Job api-ks-endpoints? (a renamed or deleted template)")


def test_assume_names_what_another_release_provides() -> None:
    app = m.deployment("api", {"DEPENDENCY_SERVICE": "mariadb,rabbitmq", "DEPENDENCY_JOBS": "x"})
    assert len(findings(app)) == 3
    assert len(findings(app, assume=("Service/openstack/mariadb", "service/rabbit*"))) == 1
    assert findings(app, assume=("*/*/*",)) == []


def test_assume_must_be_kind_namespace_name() -> None:
    with pytest.raises(ValueError):
        Assumption.parse("Service", "default")
