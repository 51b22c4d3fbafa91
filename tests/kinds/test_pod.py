"""Pod kind: a pod with the item's labels is Ready, optionally on this node (reference: dependencies/pod)."""

from __future__ import annotations

import pytest

from kep.api.errors import ServerError
from kep.api.resources import PODS
from kep.kinds import pod as pod_kind
from kep.reads import Observation, Query
from kep.specs import Pod
from kep.verdict import State
from tests.factories import pod
from tests.kinds import SETTINGS, failing, listed, not_found, settle

HERE, THERE = "127.0.0.1", "10.0.0.1"
LABELS = (("application", "nova"), ("component", "api"))
SAME_NODE = Pod("openstack", LABELS, require_same_node=True)
ANY_NODE = Pod("openstack", LABELS, require_same_node=False)
OWN = Query(PODS, "ns", name="me")
LIST = Query(PODS, "openstack", label_selector="application=nova,component=api")
MATCHING = "map[application:nova component:api] in namespace openstack"

ME = listed(pod("me", "ns", host_ip=HERE))
READY_HERE = pod("ready-here", "openstack", host_ip=HERE, ready=True)
NOT_READY_HERE = pod("not-ready-here", "openstack", host_ip=HERE, ready=False)
READY_THERE = pod("ready-there", "openstack", host_ip=THERE, ready=True)
NOT_READY_THERE = pod("not-ready-there", "openstack", host_ip=THERE, ready=False)


def test_pod_reads_own_pod_only_until_its_node_is_known() -> None:
    outcome = settle(pod_kind, SAME_NODE, {"own pod": ME, "pods": listed(READY_HERE)})
    assert outcome.asked == (LIST,)
    assert OWN in outcome.seen


def test_pod_lists_with_equality_selector_and_reads_own_pod_only_for_same_node() -> None:
    assert pod_kind.queries(ANY_NODE, SETTINGS, {}) == (LIST,)
    assert pod_kind.queries(SAME_NODE, SETTINGS, {}) == (OWN, LIST)


CASES = [
    # --- the reference's scenarios (pod_test.go + mocks/pod.go) ---
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed(READY_HERE, NOT_READY_THERE)},
        State.MET, f"pods matching {MATCHING}: ready-here is ready",
        id="met_when_matching_pod_ready_on_same_host",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed(NOT_READY_HERE, READY_HERE)},
        State.MET, f"pods matching {MATCHING}: ready-here is ready",
        id="met_when_some_matching_pods_ready_on_same_host",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed(NOT_READY_HERE)},
        State.PENDING, f"pods matching {MATCHING}: 1 on this node (hostIP 127.0.0.1), none ready",
        id="pending_when_matching_pod_not_ready_on_same_host",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed(NOT_READY_HERE, READY_THERE)},
        State.PENDING, f"pods matching {MATCHING}: 1 on this node (hostIP 127.0.0.1), none ready",
        id="pending_when_only_a_pod_on_another_host_is_ready",
    ),
    pytest.param(
        ANY_NODE, {"pods": listed(NOT_READY_HERE, READY_THERE)},
        State.MET, f"pods matching {MATCHING}: ready-there is ready",
        id="met_by_a_pod_on_another_host_without_require_same_node",
    ),
    pytest.param(
        ANY_NODE, {"pods": listed(NOT_READY_THERE)},
        State.PENDING, f"pods matching {MATCHING}: 1 listed, none ready",
        id="pending_when_no_matching_pod_ready_without_require_same_node",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed()},
        State.PENDING, f"no pods match {MATCHING}",
        id="pending_when_no_pods_match",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": failing(ServerError(verb="list", resource="pods", namespace="openstack", code=500))},
        State.PENDING, 'API server answered 500 to list pods in namespace "openstack"',
        id="pending_when_listing_pods_fails",
    ),
    pytest.param(
        SAME_NODE, {"own pod": failing(ServerError(verb="get", resource="pods", namespace="ns", name="me", code=503)), "pods": listed(READY_HERE)},
        State.PENDING, 'API server answered 503 to get pods "me" in namespace "ns"',
        id="pending_when_getting_own_pod_fails",
    ),
    # --- kep ---
    pytest.param(
        SAME_NODE, {"own pod": listed(), "pods": listed(READY_HERE)},
        State.PENDING, "own pod ns/me: not found",
        id="pending_when_own_pod_is_gone",
    ),
    pytest.param(
        SAME_NODE, {"own pod": not_found("pods", "ns", "me"), "pods": listed(READY_HERE)},
        State.PENDING, "own pod ns/me: not found",
        id="pending_when_own_pod_get_is_404",
    ),
    pytest.param(
        SAME_NODE, {"own pod": listed(pod("me", "ns", host_ip=None)), "pods": listed(READY_HERE)},
        State.PENDING, "own pod ns/me: no nodeName yet",
        id="pending_when_own_pod_has_no_host_ip",
    ),
    pytest.param(
        SAME_NODE, {"own pod": ME, "pods": listed(READY_THERE, NOT_READY_THERE)},
        State.PENDING, f"pods matching {MATCHING}: 2 listed, none on this node (hostIP 127.0.0.1)",
        id="pending_when_no_matching_pod_on_this_node",
    ),
    pytest.param(
        ANY_NODE, {"pods": listed(pod("fresh", "openstack", ready=None))},
        State.PENDING, f"pods matching {MATCHING}: 1 listed, none ready",
        id="pending_when_pod_has_no_conditions_yet",
    ),
    pytest.param(
        ANY_NODE, {"pods": listed(pod("lost", "openstack", ready="Unknown"))},
        State.PENDING, f"pods matching {MATCHING}: 1 listed, none ready",
        id="pending_when_ready_condition_is_unknown",
    ),
    # --- issue 10: terminating pods never count; this node is the own pod's nodeName ---
    pytest.param(
        ANY_NODE, {"pods": listed(pod("leaving", "openstack", ready=True, deleting=True))},
        State.PENDING, f"pods matching {MATCHING}: 1 listed, none ready (1 terminating)",
        id="pending_when_the_only_ready_pod_is_terminating",
    ),
    pytest.param(
        ANY_NODE, {"pods": listed(pod("leaving", "openstack", ready=True, deleting=True), pod("new", "openstack", ready=True))},
        State.MET, f"pods matching {MATCHING}: new is ready",
        id="met_by_a_ready_pod_that_is_not_terminating",
    ),
    pytest.param(
        SAME_NODE, {"own pod": listed(pod("me", "ns", node_name="node-a", host_ip=HERE)),
                    "pods": listed(pod("moved", "openstack", node_name="node-b", host_ip=HERE, ready=True),
                                   pod("bound", "openstack", node_name="node-a", host_ip=None, ready=False))},
        State.PENDING, f"pods matching {MATCHING}: 1 on this node (node-a), none ready",
        id="same_node_is_decided_by_node_name_not_host_ip",
    ),
    pytest.param(
        SAME_NODE, {"own pod": listed(pod("me", "ns", node_name="node-a", host_ip=HERE)),
                    "pods": listed(pod("bound", "openstack", node_name="node-a", host_ip=None, ready=True))},
        State.MET, f"pods matching {MATCHING}: bound is ready",
        id="met_on_same_node_by_name_before_the_kubelet_sets_host_ip",
    ),
    pytest.param(
        SAME_NODE, {"own pod": listed(pod("me", "ns", node_name="node-a", host_ip=HERE)),
                    "pods": listed(pod("old-object", "openstack", host_ip=HERE, ready=True))},
        State.MET, f"pods matching {MATCHING}: old-object is ready",
        id="host_ip_is_the_fallback_when_a_node_name_is_missing",
    ),
    pytest.param(
        SAME_NODE, {"pods": listed(READY_HERE)},
        State.PENDING, "waiting for own pod ns/me",
        id="pending_until_own_pod_is_read",
    ),
    pytest.param(
        ANY_NODE, {},
        State.PENDING, f"waiting for pods matching {MATCHING}",
        id="pending_until_pods_are_listed",
    ),
]


@pytest.mark.parametrize(("spec", "answers", "state", "reason"), CASES)
def test_pod(spec: Pod, answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(pod_kind, spec, answers)
    assert (outcome.state, outcome.reason) == (state, reason)


def _gated(obj: dict, **conditions: str) -> dict:
    """`obj` with a readiness gate per condition type, and those conditions set."""
    obj["spec"]["readinessGates"] = [{"conditionType": t} for t in conditions]
    obj["status"].setdefault("conditions", []).extend(
        {"type": t, "status": s} for t, s in conditions.items() if s)
    return obj


STATES = [
    # (the state in words, the pod, ready?, why not)
    ("running, Ready True", pod(phase="Running", ready=True), True, ""),
    ("running, Ready False", pod(phase="Running", ready=False), False, "not ready"),
    ("running, Ready Unknown (node lost)", pod(phase="Running", ready="Unknown"), False, "not ready"),
    ("pending, no conditions yet", pod(phase="Pending", ready=None), False, "not ready"),
    ("Failed while Ready still True (graceful node shutdown, kubernetes#108594)",
     pod(phase="Failed", ready=True), False, "Failed"),
    ("Succeeded while Ready still True", pod(phase="Succeeded", ready=True), False, "Succeeded"),
    ("terminating while Ready still True", pod(phase="Running", ready=True, deleting=True), False, "terminating"),
    ("Failed and terminating", pod(phase="Failed", ready=True, deleting=True), False, "Failed"),
    ("Ready True, its readiness gate True", _gated(pod(ready=True), **{"example.com/lb": "True"}), True, ""),
    ("Ready True, its readiness gate turned False since",
     _gated(pod(ready=True), **{"example.com/lb": "False"}), False, "readiness gate example.com/lb not True"),
    ("Ready True, its readiness gate's condition not written yet",
     _gated(pod(ready=True), **{"example.com/lb": ""}), False, "readiness gate example.com/lb not True"),
    ("Ready False, its readiness gate True", _gated(pod(ready=False), **{"example.com/lb": "True"}), False,
     "not ready"),
]


@pytest.mark.parametrize(("state", "obj", "ready", "why"), STATES, ids=[s[0] for s in STATES])
def test_a_pod_is_ready_only_as_its_writers_mean_it(state: str, obj: dict, ready: bool, why: str) -> None:
    assert pod_kind.is_ready(obj) is ready
    assert pod_kind.unready_because(obj) == why


def test_pods_that_say_ready_but_failed_or_are_terminating_are_counted_in_the_reason() -> None:
    failed = pod("failed", "openstack", phase="Failed", ready=True)
    leaving = pod("leaving", "openstack", ready=True, deleting=True)
    starting = pod("starting", "openstack", ready=False)
    verdict = pod_kind.evaluate(ANY_NODE, SETTINGS, {LIST: Observation((failed, leaving, starting))})
    assert verdict.state is State.PENDING
    assert verdict.reason == f"pods matching {MATCHING}: 3 listed, none ready (1 Failed, 1 terminating)"
