"""DaemonSet kind: its pod on this node is Ready, or it has none here (reference: dependencies/daemonset)."""

from __future__ import annotations

import dataclasses

import pytest

from kep.api.errors import ServerError
from kep.api.resources import DAEMONSETS, PODS
from kep.kinds import daemonset as daemonset_kind
from kep.reads import Observation, Query
from kep.specs import DaemonSet
from kep.verdict import State
from tests.factories import daemonset, expression, pod
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

HERE, THERE = "127.0.0.1", "10.0.0.1"
SPEC = DaemonSet("openstack", "ovs")
SUBJECT = "daemonset openstack/ovs"
DS_GET = Query(DAEMONSETS, "openstack", name="ovs")
OWN = Query(PODS, "ns", name="me")
PODS_LIST = Query(PODS, "openstack", label_selector="application=openvswitch")

DS = listed(daemonset("ovs", "openstack", match_labels={"application": "openvswitch"}))
ME = listed(pod("me", "ns", host_ip=HERE))
READY_HERE = pod("ovs-a", "openstack", host_ip=HERE, ready=True)
NOT_READY_HERE = pod("ovs-b", "openstack", host_ip=HERE, ready=False)
READY_THERE = pod("ovs-c", "openstack", host_ip=THERE, ready=True)
NOT_READY_THERE = pod("ovs-d", "openstack", host_ip=THERE, ready=False)
NO_POD_HERE = f"{SUBJECT}: no pod on this node (hostIP {HERE}); treating as met"


def test_daemonset_reads_daemonset_and_own_pod_then_its_pods() -> None:
    assert daemonset_kind.queries(SPEC, SETTINGS, {}) == (DS_GET, OWN)
    assert daemonset_kind.queries(SPEC, SETTINGS, {DS_GET: DS}) == (DS_GET, OWN, PODS_LIST)


def test_daemonset_lists_pods_in_its_namespace_and_reads_own_pod_in_own_namespace() -> None:
    """Reference: "resolve daemonset and entrypoint pod in different namespaces"."""
    outcome = settle(daemonset_kind, SPEC, {"daemonset": DS, "own pod": ME, "pods": listed()})
    assert {(q.namespace, q.name) for q in outcome.asked} == {("openstack", "ovs"), ("ns", "me"), ("openstack", None)}
    assert outcome.state is State.MET


def test_daemonset_pod_selector_includes_match_expressions() -> None:
    ds = daemonset(
        "ovs", "openstack",
        match_labels={"application": "openvswitch"},
        match_expressions=[expression("component", "In", "vswitchd", "db"), expression("canary", "DoesNotExist")],
    )
    asked = daemonset_kind.queries(SPEC, SETTINGS, {DS_GET: listed(ds)})
    assert asked[-1] == Query(PODS, "openstack", label_selector="application=openvswitch,!canary,component in (db,vswitchd)")


def test_daemonset_does_not_list_pods_for_an_unusable_selector() -> None:
    ds = listed(daemonset("ovs", "openstack", match_expressions=[expression("k", "Gt", "1")]))
    assert daemonset_kind.queries(SPEC, SETTINGS, {DS_GET: ds}) == (DS_GET, OWN)
    verdict = daemonset_kind.evaluate(SPEC, SETTINGS, {DS_GET: ds, OWN: ME})
    assert (verdict.state, verdict.reason) == (State.PENDING, f"{SUBJECT}: unusable selector: matchExpressions k: unknown operator 'Gt'")


def test_daemonset_does_not_list_every_pod_for_an_empty_selector() -> None:
    ds = listed(daemonset("ovs", "openstack"))
    assert daemonset_kind.queries(SPEC, SETTINGS, {DS_GET: ds}) == (DS_GET, OWN)
    verdict = daemonset_kind.evaluate(SPEC, SETTINGS, {DS_GET: ds, OWN: ME})
    assert (verdict.state, verdict.reason) == (State.PENDING, f"{SUBJECT}: unusable selector: empty selector")


def test_daemonset_waits_without_own_pod_name() -> None:
    no_name = dataclasses.replace(SETTINGS, pod_name="")
    assert daemonset_kind.queries(SPEC, no_name, {DS_GET: DS}) == (DS_GET, PODS_LIST)
    outcome = settle(daemonset_kind, SPEC, {"daemonset": DS, "pods": listed(READY_HERE)}, settings=no_name)
    assert (outcome.state, outcome.reason) == (State.PENDING, "own pod name is not set")


CASES = [
    # --- the reference's scenarios (daemonset_test.go + mocks/daemonset.go, mocks/pod.go) ---
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed()},
        State.MET, NO_POD_HERE,
        id="met_when_daemonset_has_no_pods_at_all",
    ),
    pytest.param(
        {"daemonset": failing(ServerError(verb="get", resource="daemonsets.apps", namespace="openstack", name="ovs", code=500)), "own pod": ME},
        State.PENDING, 'API server answered 500 to get daemonsets.apps "ovs" in namespace "openstack"',
        id="pending_when_getting_daemonset_fails",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": failing(ServerError(verb="list", resource="pods", namespace="openstack", code=500))},
        State.PENDING, 'API server answered 500 to list pods in namespace "openstack"',
        id="pending_when_listing_its_pods_fails",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": failing(ServerError(verb="get", resource="pods", namespace="ns", name="me", code=500)), "pods": listed(READY_HERE)},
        State.PENDING, 'API server answered 500 to get pods "me" in namespace "ns"',
        id="pending_when_getting_own_pod_fails",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(NOT_READY_HERE)},
        State.PENDING, f"{SUBJECT}: pod ovs-b on this node is not ready",
        id="pending_when_its_pod_on_this_node_is_not_ready",
    ),
    pytest.param(
        {"daemonset": forbidden("get", "daemonsets.apps", "openstack", "ovs"), "own pod": ME},
        State.PENDING, 'forbidden: cannot get daemonsets.apps "ovs" in namespace "openstack"',
        id="pending_when_daemonset_in_that_namespace_cannot_be_read",
    ),
    # --- the rules, and kep ---
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(NOT_READY_THERE, READY_HERE)},
        State.MET, f"{SUBJECT}: pod ovs-a on this node is ready",
        id="met_when_its_pod_on_this_node_is_ready",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(NOT_READY_HERE, READY_HERE)},
        State.PENDING, f"{SUBJECT}: pod ovs-b on this node is not ready",
        id="first_listed_pod_on_this_node_decides_not_ready",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(READY_HERE, NOT_READY_HERE)},
        State.MET, f"{SUBJECT}: pod ovs-a on this node is ready",
        id="first_listed_pod_on_this_node_decides_ready",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(READY_THERE, NOT_READY_THERE)},
        State.MET, NO_POD_HERE,
        id="met_when_no_pod_on_this_node",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(pod("ovs-e", "openstack", host_ip=HERE, ready=None))},
        State.PENDING, f"{SUBJECT}: pod ovs-e on this node is not ready",
        id="pending_when_its_pod_on_this_node_has_no_conditions",
    ),
    pytest.param(
        {"daemonset": listed(), "own pod": ME},
        State.PENDING, f"{SUBJECT}: not found",
        id="pending_not_found_when_daemonset_is_missing",
    ),
    pytest.param(
        {"daemonset": not_found("daemonsets.apps", "openstack", "ovs"), "own pod": ME},
        State.PENDING, f"{SUBJECT}: not found",
        id="pending_not_found_when_daemonset_get_is_404",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": listed(pod("me", "ns", host_ip=None)), "pods": listed(READY_HERE)},
        State.PENDING, "own pod ns/me: no hostIP yet",
        id="pending_when_own_pod_has_no_host_ip",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": listed(), "pods": listed(READY_HERE)},
        State.PENDING, "own pod ns/me: not found",
        id="pending_when_own_pod_is_not_found",
    ),
    pytest.param(
        {"own pod": ME},
        State.PENDING, f"waiting for {SUBJECT}",
        id="pending_until_daemonset_is_read",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME},
        State.PENDING, f"waiting for pods of {SUBJECT}",
        id="pending_until_its_pods_are_listed",
    ),
]


@pytest.mark.parametrize(("answers", "state", "reason"), CASES)
def test_daemonset(answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(daemonset_kind, SPEC, answers)
    assert (outcome.state, outcome.reason) == (state, reason)
