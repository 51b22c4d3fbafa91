"""Chains of waits: the waiting pods behind a dependency, root causes, cycles."""

from __future__ import annotations

from kep.status import status
from kep.status.labels import Selector
from tests import factories as f
from tests.status import waiting_pod
from tests.status.test_cache import Server

NS = "ns"


def report(*objects):
    return status(Server(list(objects)), NS, Selector())


def service_pod(name: str, waits_on: str) -> dict:
    return waiting_pod(f"{name}-0", NS, {"DEPENDENCY_SERVICE": waits_on}, labels={"app": name})


def test_a_three_pod_cycle_and_a_pod_outside_it_that_waits_on_it():
    found = report(*(f.service(n, NS) for n in "abc"), service_pod("a", "b"), service_pod("b", "c"),
                   service_pod("c", "a"), service_pod("d", "a"))
    assert found.chains.cycles == ((("ns", "a-0"), ("ns", "b-0"), ("ns", "c-0")),)
    assert all(not roots for roots in found.chains.roots.values())


def test_a_daemonset_whose_pod_waits_points_at_what_that_pod_waits_on():
    ds = f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=1)
    ds["metadata"]["uid"] = "ds-1"
    ovs = waiting_pod("ovs-0", NS, {"DEPENDENCY_JOBS": "ovs-init"}, labels={"app": "ovs"},
                      owner=("DaemonSet", "ovs", "ds-1"))
    user = waiting_pod("neutron-0", NS, {"DEPENDENCY_DAEMONSET": "ovs"})
    found = report(ds, ovs, user)
    assert found.chains.behind[("DaemonSet", NS, "ovs")] == (("ns", "ovs-0"),)
    assert [r.target for r in found.chains.roots[("ns", "neutron-0")]] == [("Job", NS, "ovs-init")]


def test_a_local_dependency_is_unknown_and_its_own_root():
    found = report(waiting_pod("p", NS, {"DEPENDENCY_TCP": "db:5432"}))
    finding, = found.chains.roots[("ns", "p")]
    assert (finding.state, finding.reason) == ("unknown", "checked only inside the pod: "
                                                          "kubectl exec -n ns p -c init -- kep check")
