"""cycle: through Services' selectors, Jobs, pod labels; publishNotReadyAddresses breaks one."""

from __future__ import annotations

from tests.lint import manifests as m
from tests.lint.checks import found


def test_two_workloads_waiting_on_each_others_service() -> None:
    (f,) = found("cycle", m.deployment("a", {"DEPENDENCY_SERVICE": "b"}), m.service("b"),
                 m.deployment("b", {"DEPENDENCY_SERVICE": "a"}), m.service("a"))
    assert f.message.endswith("Deployment openstack/a (waits for Service b) -> Deployment openstack/b "
                              "(waits for Service a) -> Deployment openstack/a")


def test_a_statefulset_waiting_on_its_own_service_unless_it_publishes_not_ready_addresses() -> None:
    own = m.deployment("db", {"DEPENDENCY_SERVICE": "db"})
    assert len(found("cycle", own, m.service("db"))) == 1
    assert found("cycle", own, m.service("db", publishNotReadyAddresses=True)) == []


def test_a_chain_is_no_cycle() -> None:
    assert found("cycle", m.deployment("a", {"DEPENDENCY_JOBS": "b"}), m.job("b", {"DEPENDENCY_SERVICE": "c"}),
                 m.service("c"), m.deployment("c")) == []
