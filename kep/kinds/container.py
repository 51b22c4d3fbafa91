"""Container `name`: met when that container of kep's own pod is ready.

Get the own pod (POD_NAME in NAMESPACE) and find the container in
`status.containerStatuses` or `status.initContainerStatuses`. What `ready`
means is the kubelet's (kubernetes v1.32, pkg/kubelet/prober/prober_manager.go
`UpdatePodStatus`):

| the named container                                 | ready when                                  |
|-----------------------------------------------------|---------------------------------------------|
| regular (`spec.containers`)                         | running and its readiness probe passes (no probe: once started) |
| native sidecar (init container, `restartPolicy: Always`) | the same                               |
| init container (not a sidecar)                      | it has terminated with exit code 0          |

A container the status does not list yet is "not ready". States that can
never turn met, said so (pending or failed, never a silent wait):

- **A deadlock inside the own pod** (impossible: a configuration error, exit 2).
  Init containers run one at a time, in order, and a regular container starts
  only after every init container has ended (a sidecar: once it has started)
  (pkg/kubelet/kuberuntime/kuberuntime_container.go `computeInitContainerActions`;
  the waiting reason `PodInitializing`, kubelet_pods.go). So kep in an init container that is not a sidecar can
  never see a regular container, a later init container, a later sidecar, or
  itself become ready. kep knows its own container from the kubelet's
  termination-log mount (kep.owncontainer); where it does not, such a wait
  stays pending and the reason says what to check.
- **A container that terminated and will not run again** (failed): the pod's
  `restartPolicy` is Never, or OnFailure and it exited 0, or the pod is in a
  terminal phase (`Succeeded`, `Failed`); a sidecar (`restartPolicy: Always`)
  is always restarted (`computeInitContainerActions`; regular containers:
  pkg/kubelet/container/helpers.go `ShouldContainerBeRestarted`).
- **A name the pod does not declare**: the pod spec cannot change (pending,
  says so).

The reference reads `containerStatuses` only; a native sidecar or an
init container was never found, and a deadlock waited forever.
"""

from __future__ import annotations

from typing import Any

from kep.kinds.pod import TERMINAL_PHASES, own_pod, own_pod_queries
from kep.reads import Query, Read, Seen, dig
from kep.specs import Container, Settings
from kep.verdict import Verdict, failed, impossible, met, pending


def reads(spec: Container, settings: Settings) -> tuple[Read, ...]:
    return tuple(Read.of(q) for q in own_pod_queries(settings))


def queries(spec: Container, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    return own_pod_queries(settings)


def evaluate(spec: Container, settings: Settings, seen: Seen) -> Verdict:
    pod = own_pod(settings, seen)
    if isinstance(pod, Verdict):
        return pod
    subject = f"container {spec.name} in pod {settings.namespace}/{settings.pod_name}"
    order = _declared(pod)
    if spec.name not in order:
        return pending(f"{subject}: no such container in pod (its spec names {', '.join(order) or 'none'}; "
                       "a pod's containers never change)")
    deadlock = _deadlock(spec.name, _own_container(settings, pod), order)
    if deadlock:
        return impossible(f"{subject}: {deadlock}")
    status = _status(pod, spec.name)
    if dig(status, "ready") is True:
        return met(f"{subject}: ready")
    ended = _will_not_run_again(pod, spec.name, status)
    if ended:
        return failed(f"{subject}: {ended}")
    waiting = dig(status, "state", "waiting", "reason", default="")
    if waiting == "PodInitializing" and not _own_container(settings, pod):
        return pending(f"{subject}: not ready (waiting: PodInitializing); if kep runs in an init container of "
                       "this pod that is not a sidecar, it can never be met: wait for it from a regular container")
    return pending(f"{subject}: not ready{f' (waiting: {waiting})' if waiting else ''}")


def _declared(pod: dict[str, Any]) -> dict[str, str]:
    """Container name -> "init", "sidecar" or "regular", init containers first, in start order."""
    order: dict[str, str] = {}
    for c in dig(pod, "spec", "initContainers", default=None) or ():
        order[str(dig(c, "name"))] = "sidecar" if dig(c, "restartPolicy") == "Always" else "init"
    for c in dig(pod, "spec", "containers", default=None) or ():
        order[str(dig(c, "name"))] = "regular"
    return order


def _own_container(settings: Settings, pod: dict[str, Any]) -> str:
    """The container kep runs in, where it is known to be of this very pod (uids match)."""
    uid = dig(pod, "metadata", "uid", default="")
    return settings.own_container if settings.own_container and uid == settings.own_pod_uid else ""


def _deadlock(wanted: str, me: str, order: dict[str, str]) -> str:
    """Why `wanted` can never be ready while kep, in container `me`, waits ("" if it can)."""
    if order.get(me) != "init":
        return ""
    names = list(order)
    if wanted == me:
        return ("kep runs in this very init container, which is ready only once it has ended: it can never be "
                "met; remove it from DEPENDENCY_CONTAINER")
    if names.index(wanted) < names.index(me):
        return ""
    fix = f"wait for it from a regular container (or a sidecar), or drop it from {me}'s DEPENDENCY_CONTAINER"
    if order[wanted] == "regular":
        return (f"it is a regular container, which starts only once every init container has ended, and kep runs "
                f"in init container {me}: it can never be met; {fix}")
    what = "a sidecar" if order[wanted] == "sidecar" else "an init container"
    return (f"it is {what} declared after init container {me}, where kep runs, and starts only once {me} has "
            f"ended: it can never be met; {fix}")


def _status(pod: dict[str, Any], name: str) -> dict[str, Any]:
    for key in ("containerStatuses", "initContainerStatuses"):
        for status in dig(pod, "status", key, default=None) or ():
            if dig(status, "name") == name:
                return dict(status)
    return {}


def _will_not_run_again(pod: dict[str, Any], name: str, status: dict[str, Any]) -> str:
    """Why the container will never run again ("" if it may)."""
    phase = dig(pod, "status", "phase", default="")
    if phase in TERMINAL_PHASES:
        return f"the pod has ended (phase {phase}), so it will not run again"
    terminated = dig(status, "state", "terminated", default=None)
    if not isinstance(terminated, dict) or _declared(pod).get(name) == "sidecar":
        return ""
    code = terminated.get("exitCode")
    policy = dig(pod, "spec", "restartPolicy", default="Always")
    if policy == "Never" or (policy == "OnFailure" and code == 0):
        why = f", {terminated['reason']}" if terminated.get("reason") else ""
        return f"terminated (exit code {code}{why}) and the pod's restartPolicy {policy} will not restart it"
    return ""
