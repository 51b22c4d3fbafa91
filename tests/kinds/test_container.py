"""Container kind: a container of kep's own pod is ready (reference: dependencies/container)."""

from __future__ import annotations

import dataclasses

import pytest

from kep.api.errors import ServerError
from kep.api.resources import PODS
from kep.kinds import container
from kep.reads import Observation, Query
from kep.specs import Container
from kep.verdict import State
from tests.factories import pod
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

SPEC = Container("nova-libvirt")
SUBJECT = "container nova-libvirt in pod ns/me"


def test_container_reads_own_pod_in_own_namespace() -> None:
    assert container.queries(SPEC, SETTINGS, {}) == (Query(PODS, "ns", name="me"),)


def test_container_reads_nothing_and_waits_without_own_pod_name() -> None:
    no_name = dataclasses.replace(SETTINGS, pod_name="")
    assert container.queries(SPEC, no_name, {}) == ()
    verdict = container.evaluate(SPEC, no_name, {})
    assert (verdict.state, verdict.reason) == (State.PENDING, "own pod name is not set")


CASES = [
    # --- the reference's scenarios (container_test.go + mocks/pod.go) ---
    pytest.param(
        {"own pod": listed(pod("me", containers={"nova-libvirt": True}))},
        State.MET, f"{SUBJECT}: ready",
        id="met_when_container_status_is_ready",
    ),
    pytest.param(
        {"own pod": listed(pod("me", containers={"other": True}))},
        State.PENDING, f"{SUBJECT}: no such container in pod",
        id="pending_when_no_such_container_in_pod",
    ),
    # --- kep ---
    pytest.param(
        {"own pod": listed(pod("me", containers={"nova-libvirt": False, "other": True}))},
        State.PENDING, f"{SUBJECT}: not ready",
        id="pending_when_container_is_not_ready",
    ),
    pytest.param(
        {"own pod": listed(pod("me", containers={"main": False}, init_containers={"nova-libvirt": True}))},
        State.MET, f"{SUBJECT}: ready",
        id="met_when_native_sidecar_init_container_is_ready",
    ),
    pytest.param(
        {"own pod": listed(pod("me", containers={"main": False}, init_containers={"nova-libvirt": False}))},
        State.PENDING, f"{SUBJECT}: not ready",
        id="pending_when_init_container_is_not_ready",
    ),
    pytest.param(
        {"own pod": listed(pod("me", spec_containers=["nova-libvirt"]))},
        State.PENDING, f"{SUBJECT}: not ready",
        id="pending_not_ready_when_declared_container_has_no_status_yet",
    ),
    pytest.param(
        {"own pod": failing(ServerError(verb="get", resource="pods", namespace="ns", name="me", code=500))},
        State.PENDING, 'API server answered 500 to get pods "me" in namespace "ns"',
        id="pending_when_getting_own_pod_fails",
    ),
    pytest.param(
        {"own pod": forbidden("get", "pods", "ns", "me")},
        State.PENDING, 'forbidden: cannot get pods "me" in namespace "ns"',
        id="pending_when_getting_own_pod_is_forbidden",
    ),
    pytest.param(
        {"own pod": listed()},
        State.PENDING, "own pod ns/me: not found",
        id="pending_when_own_pod_is_not_found",
    ),
    pytest.param(
        {"own pod": not_found("pods", "ns", "me")},
        State.PENDING, "own pod ns/me: not found",
        id="pending_when_own_pod_get_is_404",
    ),
    pytest.param(
        {},
        State.PENDING, "waiting for own pod ns/me",
        id="pending_until_own_pod_is_read",
    ),
]


@pytest.mark.parametrize(("answers", "state", "reason"), CASES)
def test_container(answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(container, SPEC, answers)
    assert (outcome.state, outcome.reason) == (state, reason)
