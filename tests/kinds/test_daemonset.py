"""DaemonSet kind: its pod on this node is Ready, or it runs none here once its controller has caught up."""

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
OWNED = {"owner_uid": "ds-uid"}
READY_HERE = pod("ovs-a", "openstack", host_ip=HERE, ready=True, **OWNED)
NOT_READY_HERE = pod("ovs-b", "openstack", host_ip=HERE, ready=False, **OWNED)
READY_THERE = pod("ovs-c", "openstack", host_ip=THERE, ready=True, **OWNED)
NOT_READY_THERE = pod("ovs-d", "openstack", host_ip=THERE, ready=False, **OWNED)
NO_POD_HERE = f"{SUBJECT}: does not run on hostIP {HERE} (its controller has placed all 0 of its pods); treating as met"


def test_daemonset_reads_daemonset_and_own_pod_then_its_pods() -> None:
    assert daemonset_kind.queries(SPEC, SETTINGS, {}) == (DS_GET, OWN)
    assert daemonset_kind.queries(SPEC, SETTINGS, {DS_GET: DS}) == (DS_GET, OWN, PODS_LIST)


def test_daemonset_lists_pods_in_its_namespace_and_reads_own_pod_in_own_namespace() -> None:
    """Reference: "resolve daemonset and entrypoint pod in different namespaces"."""
    outcome = settle(daemonset_kind, SPEC, {"daemonset": DS, "own pod": ME, "pods": listed()})
    assert {(q.namespace, q.name) for q in outcome.seen} == {("openstack", "ovs"), ("ns", "me"), ("openstack", None)}
    assert outcome.state is State.MET


def test_daemonset_reads_own_pod_once_its_node_is_known() -> None:
    """A bound pod never changes node: the own-pod read stops (the engine keeps its last answer)."""
    outcome = settle(daemonset_kind, SPEC, {"daemonset": DS, "own pod": ME, "pods": listed(READY_HERE)})
    assert outcome.asked == (DS_GET, PODS_LIST)
    assert outcome.state is State.MET
    pending_pod = settle(daemonset_kind, SPEC, {"daemonset": DS, "own pod": listed(pod("me", "ns", host_ip=None))})
    assert OWN in pending_pod.asked


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
        State.PENDING, f"{SUBJECT}: pod ovs-b on hostIP {HERE} is Running, not ready",
        id="pending_when_its_pod_on_this_node_is_not_ready",
    ),
    pytest.param(
        {"daemonset": forbidden("get", "daemonsets.apps", "openstack", "ovs"), "own pod": ME},
        State.PENDING, 'forbidden: cannot get daemonsets.apps "ovs" in namespace "openstack"',
        id="pending_when_daemonset_in_that_namespace_cannot_be_read",
    ),
    # --- the rules, and kep ---
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(
            pod("ovs-e", "openstack", host_ip=HERE, ready=True, phase="Failed", **OWNED))},
        State.PENDING, f"{SUBJECT}: pod ovs-e on hostIP {HERE} is Failed",
        id="pending_when_its_pod_on_this_node_failed_though_ready_still_says_true",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(NOT_READY_THERE, READY_HERE)},
        State.MET, f"{SUBJECT}: pod ovs-a on hostIP {HERE} is ready",
        id="met_when_its_pod_on_this_node_is_ready",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(NOT_READY_HERE, READY_HERE)},
        State.MET, f"{SUBJECT}: pod ovs-a on hostIP {HERE} is ready",
        id="a_ready_pod_on_this_node_decides_whatever_the_order",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(READY_HERE, NOT_READY_HERE)},
        State.MET, f"{SUBJECT}: pod ovs-a on hostIP {HERE} is ready",
        id="a_ready_pod_on_this_node_decides_listed_first",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(READY_THERE, NOT_READY_THERE)},
        State.MET, NO_POD_HERE,
        id="met_when_no_pod_on_this_node",
    ),
    pytest.param(
        {"daemonset": DS, "own pod": ME, "pods": listed(pod("ovs-e", "openstack", host_ip=HERE, ready=None, **OWNED))},
        State.PENDING, f"{SUBJECT}: pod ovs-e on hostIP {HERE} is Running, not ready",
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
        State.PENDING, "own pod ns/me: no nodeName yet",
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


# --- issue 10: node identity by spec.nodeName, its own pods only, the controller caught up ---
OVS = DaemonSet("openstack", "openvswitch")
OVS_SUBJECT = "daemonset openstack/openvswitch"
OVS_DS = daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch", "component": "server"},
                   uid="ovs-uid", desired=2)
ON_A = listed(pod("me", "ns", node_name="node-a", host_ip="10.0.0.11"))
OVS_OWNED = {"owner_uid": "ovs-uid"}
READY_ON_B = pod("openvswitch-b", "openstack", node_name="node-b", host_ip="10.0.0.12", ready=True, **OVS_OWNED)
PENDING_ON_A = pod("openvswitch-a", "openstack", node_name="node-a", host_ip=None, phase="Pending", **OVS_OWNED)
ONLY_ON_B = listed(daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch"},
                             uid="ovs-uid", desired=1))

NODE_CASES = [
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": ON_A, "pods": listed(PENDING_ON_A, READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: pod openvswitch-a on node-a is Pending",
        id="issue_input_3_pending_pod_bound_to_this_node_without_host_ip",
    ),
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": ON_A, "pods": listed(
            pod("openvswitch-x", "openstack", host_ip=None, phase="Pending", target_node="node-a", **OVS_OWNED),
            READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: pod openvswitch-x on node-a is Pending",
        id="pending_pod_not_yet_scheduled_but_pinned_to_this_node_by_affinity",
    ),
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": ON_A, "pods": listed(
            pod("openvswitch-a", "openstack", node_name="node-a", host_ip="10.0.0.11", ready=True, **OVS_OWNED))},
        State.MET, f"{OVS_SUBJECT}: pod openvswitch-a on node-a is ready",
        id="met_when_its_pod_bound_to_this_node_is_ready",
    ),
    pytest.param(
        {"daemonset": ONLY_ON_B, "own pod": ON_A, "pods": listed(
            pod("openvswitch-a", "openstack", node_name="node-b", host_ip="10.0.0.11", ready=True, **OVS_OWNED))},
        State.MET, f"{OVS_SUBJECT}: does not run on node-a (its controller has placed all 1 of its pods); treating as met",
        id="node_name_wins_over_a_host_ip_that_matches",
    ),
    pytest.param(
        {"daemonset": listed(daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch"},
                                       uid="ovs-uid", desired=2)),
         "own pod": ON_A, "pods": listed(READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: no pod on node-a yet; its controller counts 2 nodes with a pod, "
                       "the pods read show 1; reading again",
        id="no_pod_here_pending_while_the_pods_read_are_older_than_the_status",
    ),
    pytest.param(
        {"daemonset": ONLY_ON_B, "own pod": ON_A, "pods": listed(
            pod("lookalike", "openstack", node_name="node-a", ready=True, owner_uid="other-uid"), READY_ON_B)},
        State.MET, f"{OVS_SUBJECT}: does not run on node-a (its controller has placed all 1 of its pods); treating as met",
        id="pods_of_another_controller_do_not_count",
    ),
    pytest.param(
        {"daemonset": ONLY_ON_B, "own pod": ON_A, "pods": listed(
            pod("orphan", "openstack", node_name="node-a", ready=True), READY_ON_B)},
        State.MET, f"{OVS_SUBJECT}: does not run on node-a (its controller has placed all 1 of its pods); treating as met",
        id="orphan_pods_do_not_count",
    ),
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": ON_A, "pods": listed(
            pod("openvswitch-a", "openstack", node_name="node-a", ready=True, deleting=True, **OVS_OWNED), READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: pod openvswitch-a on node-a is terminating; waiting for its replacement",
        id="pending_while_its_pod_on_this_node_is_terminating_though_still_ready",
    ),
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": ON_A, "pods": listed(
            pod("openvswitch-old", "openstack", node_name="node-a", ready=True, deleting=True, **OVS_OWNED),
            pod("openvswitch-new", "openstack", node_name="node-a", ready=True, **OVS_OWNED))},
        State.MET, f"{OVS_SUBJECT}: pod openvswitch-new on node-a is ready",
        id="met_when_the_replacement_is_ready",
    ),
    pytest.param(
        {"daemonset": listed(daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch"},
                                       uid="ovs-uid", desired=2, current=1)),
         "own pod": ON_A, "pods": listed(READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: no pod on node-a yet; its controller has placed 1 of 2 pods",
        id="no_pod_here_pending_while_controller_has_not_placed_all",
    ),
    pytest.param(
        {"daemonset": listed(daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch"},
                                       uid="ovs-uid", generation=3, observed_generation=2, desired=1)),
         "own pod": ON_A, "pods": listed(READY_ON_B)},
        State.PENDING, f"{OVS_SUBJECT}: no pod on node-a yet; its controller has not yet acted on generation 3 (observed 2)",
        id="no_pod_here_pending_while_controller_has_not_seen_the_generation",
    ),
    pytest.param(
        {"daemonset": listed(daemonset("openvswitch", "openstack", match_labels={"application": "openvswitch"},
                                       uid="ovs-uid", observed_generation=None)),
         "own pod": ON_A, "pods": listed()},
        State.PENDING, f"{OVS_SUBJECT}: no pod on node-a yet; its controller has not yet acted on generation 1 (observed 0)",
        id="no_pod_here_pending_while_the_controller_has_written_no_status",
    ),
    pytest.param(
        {"daemonset": listed(OVS_DS), "own pod": listed(pod("me", "ns", node_name="node-a", host_ip=None)),
         "pods": listed(PENDING_ON_A)},
        State.PENDING, f"{OVS_SUBJECT}: pod openvswitch-a on node-a is Pending",
        id="own_node_name_is_enough_without_host_ip",
    ),
]


@pytest.mark.parametrize(("answers", "state", "reason"), NODE_CASES)
def test_daemonset_node_identity(answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(daemonset_kind, OVS, answers)
    assert (outcome.state, outcome.reason) == (state, reason)
