"""Which container of a pod may be waiting in a wait-for entrypoint, from the pod's status
alone; whether it is one (`DEPENDENCY_*` in its environment) is for kep.status.survey.

Nothing here looks at the image: kep and the Go kubernetes-entrypoint are told apart by
nobody, so a chart is read the same before and after it switches.

A pod that is terminal (`Succeeded`, `Failed`) or terminating (`deletionTimestamp`) waits
for nothing. Otherwise the kubelet runs init containers one at a time, in order, and the
regular containers only once all of them are done (pkg/kubelet/kuberuntime
`computeInitContainerActions`):

- The candidate init container is the pod's *current* one: the first whose status does
  not show it done. Done is `state.terminated.exitCode == 0` for an ordinary init
  container, and `started: true` for a sidecar (`restartPolicy: Always`), which the
  kubelet waits to start, not to end. Init containers after it have not run yet, so they
  wait for nothing yet.
- Once every init container is done, each regular container is a candidate unless it is
  done (terminated with 0) or shows that its program runs: `ready: true` while it has a
  `readinessProbe`, whose success means the command kep exec'd answers. A container with
  no probe is ready as soon as it runs, kep still waiting inside or not: the dependencies
  decide (a wait-for program execs once all are met, so one that is unmet means it waits).
- Either way the container must have been started by the kubelet (`state.running`, or a
  terminated run now or before: `lastState.terminated`, a restart): a container still
  pulling its image or created waits on the node, not on its dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kep.kinds.pod import TERMINAL_PHASES, is_terminating
from kep.reads import dig


@dataclass(frozen=True, slots=True)
class Candidate:
    container: dict[str, Any]
    """The container's spec."""
    init: bool

    @property
    def name(self) -> str:
        return str(self.container.get("name", ""))


def candidates(pod: dict[str, Any]) -> Iterator[Candidate]:
    """The containers of `pod` that may be waiting in a wait-for entrypoint now."""
    if dig(pod, "status", "phase", default="") in TERMINAL_PHASES or is_terminating(pod):
        return
    init_statuses = _statuses(pod, "initContainerStatuses")
    for container in dig(pod, "spec", "initContainers", default=None) or ():
        status = init_statuses.get(container.get("name"), {})
        sidecar = container.get("restartPolicy") == "Always"
        if (status.get("started") is True) if sidecar else _succeeded(status):
            continue
        if _has_run(status):
            yield Candidate(container, init=True)
        return
    statuses = _statuses(pod, "containerStatuses")
    for container in dig(pod, "spec", "containers", default=None) or ():
        status = statuses.get(container.get("name"), {})
        answering = status.get("ready") is True and isinstance(container.get("readinessProbe"), dict)
        if _has_run(status) and not _succeeded(status) and not answering:
            yield Candidate(container, init=False)


def _statuses(pod: dict[str, Any], which: str) -> dict[Any, dict[str, Any]]:
    return {s.get("name"): s for s in dig(pod, "status", which, default=None) or () if isinstance(s, dict)}


def _succeeded(status: dict[str, Any]) -> bool:
    return bool(dig(status, "state", "terminated", "exitCode", default=None) == 0)


def _has_run(status: dict[str, Any]) -> bool:
    state: dict[str, Any] = status.get("state") or {}
    return "running" in state or "terminated" in state or dig(status, "lastState", "terminated") is not None
