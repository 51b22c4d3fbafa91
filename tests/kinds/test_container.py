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
        State.PENDING, f"{SUBJECT}: no such container in pod (its spec names other; a pod's containers never change)",
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


UID = "0b5e4c1a-9f3e-4d8a-9c55-2f3a1b2c3d4e"
IN_INIT = dataclasses.replace(SETTINGS, own_container="init", own_pod_uid=UID)
"""kep runs in the init container `init` of this very pod (kep.owncontainer found it)."""


def own(*, inits: tuple[tuple[str, str], ...] = (("init", ""),), restart_policy: str = "Always",
        phase: str = "Pending", **states: dict[str, object]) -> Observation:
    """kep's pod: init containers (name, restartPolicy) in order, regular container
    nova-libvirt, and a status per container name: {"ready": ..., "state": {...}}."""
    spec = {"restartPolicy": restart_policy, "containers": [{"name": "nova-libvirt"}],
            "initContainers": [{"name": n, **({"restartPolicy": r} if r else {})} for n, r in inits]}
    named = {n.replace("_", "-"): st for n, st in states.items()}
    status: dict[str, object] = {"phase": phase}
    for key, names in (("initContainerStatuses", {n for n, _ in inits}), ("containerStatuses", {"nova-libvirt"})):
        status[key] = [{"name": n, "ready": False, "restartCount": 0, **st} for n, st in named.items() if n in names]
    return listed({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "me", "namespace": "ns", "uid": UID},
                   "spec": spec, "status": status})


RUNNING = {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
INITIALIZING = {"state": {"waiting": {"reason": "PodInitializing"}}}
CRASHED = {"state": {"terminated": {"exitCode": 1, "reason": "Error"}}}
DONE = {"state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}

STATES = [
    # (the state in words, spec, settings, the own pod, verdict, reason)
    ("regular container running, ready", SPEC, SETTINGS, own(nova_libvirt={"ready": True, "state": RUNNING}),
     State.MET, f"{SUBJECT}: ready"),
    ("regular container running, readiness probe not passed yet", SPEC, SETTINGS,
     own(nova_libvirt={"state": RUNNING}), State.PENDING, f"{SUBJECT}: not ready"),
    ("regular container crashed, pod restartPolicy Always: it restarts", SPEC, SETTINGS,
     own(nova_libvirt=CRASHED), State.PENDING, f"{SUBJECT}: not ready"),
    ("regular container crashed, restartPolicy Never", SPEC, SETTINGS,
     own(restart_policy="Never", nova_libvirt=CRASHED), State.FAILED,
     f"{SUBJECT}: terminated (exit code 1, Error) and the pod's restartPolicy Never will not restart it"),
    ("regular container exited 0, restartPolicy OnFailure", SPEC, SETTINGS,
     own(restart_policy="OnFailure", nova_libvirt=DONE), State.FAILED,
     f"{SUBJECT}: terminated (exit code 0, Completed) and the pod's restartPolicy OnFailure will not restart it"),
    ("regular container crashed, restartPolicy OnFailure: it restarts", SPEC, SETTINGS,
     own(restart_policy="OnFailure", nova_libvirt=CRASHED), State.PENDING, f"{SUBJECT}: not ready"),
    ("the pod has ended", SPEC, SETTINGS, own(phase="Failed", nova_libvirt=CRASHED), State.FAILED,
     f"{SUBJECT}: the pod has ended (phase Failed), so it will not run again"),
    ("regular container waited for while the pod initializes, kep's own container unknown", SPEC, SETTINGS,
     own(nova_libvirt=INITIALIZING), State.PENDING,
     f"{SUBJECT}: not ready (waiting: PodInitializing); if kep runs in an init container of this pod that is not "
     "a sidecar, it can never be met: wait for it from a regular container"),
    ("regular container waited for from kep's init container: a deadlock", SPEC, IN_INIT,
     own(nova_libvirt=INITIALIZING), State.IMPOSSIBLE,
     f"{SUBJECT}: it is a regular container, which starts only once every init container has ended, and kep runs "
     "in init container init: it can never be met; wait for it from a regular container (or a sidecar), or drop "
     "it from init's DEPENDENCY_CONTAINER"),
    ("the same, but kep's container is of another pod (uid differs): not decided", SPEC,
     dataclasses.replace(IN_INIT, own_pod_uid="other"), own(nova_libvirt=INITIALIZING), State.PENDING,
     f"{SUBJECT}: not ready (waiting: PodInitializing); if kep runs in an init container of this pod that is not "
     "a sidecar, it can never be met: wait for it from a regular container"),
    ("regular container waited for from kep in a sidecar: it can start", SPEC, IN_INIT,
     own(inits=(("init", "Always"),), nova_libvirt=INITIALIZING), State.PENDING,
     f"{SUBJECT}: not ready (waiting: PodInitializing)"),
    ("an earlier init container, completed", Container("db-init"), IN_INIT,
     own(inits=(("db-init", ""), ("init", "")), db_init={"ready": True, **DONE}), State.MET,
     "container db-init in pod ns/me: ready"),
    ("a later init container: a deadlock", Container("db-init"), IN_INIT,
     own(inits=(("init", ""), ("db-init", ""))), State.IMPOSSIBLE,
     "container db-init in pod ns/me: it is an init container declared after init container init, where kep "
     "runs, and starts only once init has ended: it can never be met; wait for it from a regular container (or a "
     "sidecar), or drop it from init's DEPENDENCY_CONTAINER"),
    ("an earlier native sidecar, running and ready", Container("proxy"), IN_INIT,
     own(inits=(("proxy", "Always"), ("init", "")), proxy={"ready": True, "state": RUNNING}), State.MET,
     "container proxy in pod ns/me: ready"),
    ("an earlier native sidecar that crashed: always restarted", Container("proxy"), IN_INIT,
     own(inits=(("proxy", "Always"), ("init", "")), restart_policy="Never", proxy=CRASHED), State.PENDING,
     "container proxy in pod ns/me: not ready"),
    ("a later native sidecar: a deadlock", Container("proxy"), IN_INIT,
     own(inits=(("init", ""), ("proxy", "Always"))), State.IMPOSSIBLE,
     "container proxy in pod ns/me: it is a sidecar declared after init container init, where kep runs, and "
     "starts only once init has ended: it can never be met; wait for it from a regular container (or a sidecar), "
     "or drop it from init's DEPENDENCY_CONTAINER"),
    ("kep's own init container", Container("init"), IN_INIT, own(), State.IMPOSSIBLE,
     "container init in pod ns/me: kep runs in this very init container, which is ready only once it has ended: "
     "it can never be met; remove it from DEPENDENCY_CONTAINER"),
]


@pytest.mark.parametrize(("state", "spec", "settings", "pod_", "verdict", "reason"), STATES,
                         ids=[s[0] for s in STATES])
def test_container_states(state: str, spec: Container, settings: object, pod_: Observation, verdict: State,
                          reason: str) -> None:
    outcome = settle(container, spec, {"own pod": pod_}, settings=settings)  # type: ignore[arg-type]
    assert (outcome.state, outcome.reason) == (verdict, reason)
