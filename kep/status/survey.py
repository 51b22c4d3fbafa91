"""Every waiting pod of the scope and what each of its dependencies is, now.

For each pod (matching `-l`), each candidate container (kep.status.waiting) whose
environment, rebuilt as the kubelet builds it (kep.status.podenv), declares a
`DEPENDENCY_*` is parsed by envparse, the parser kep runs in that container, with the
pod's namespace as the default (the service account's, in the pod), and judged by
kep.check, the code of `kep check`, with the kinds' own rules: nothing here decides
readiness. The reads go through the shared kep.status.cache.Reads.

What cannot be judged from outside the pod is *unknown*, never met: the local kinds
(a socket, a rendered file, a TCP or HTTP endpoint: what that pod reaches, not what this
machine reaches; `kubectl exec POD -c CONTAINER -- kep check` asks from inside), a kep
variable whose value comes from a Secret, and an environment kep refuses (exit 2 there).
A container whose dependencies are all met is not waiting on them (a wait-for program
execs once they are): it is not listed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from kep import envparse
from kep.api.resources import CONFIGMAPS
from kep.check import check
from kep.envparse.variables import (COMMAND, DEPENDENCY_PREFIX, DEPENDENCY_VARIABLES, INTERFACE_NAME, KEP_PREFIX,
                                   NAMESPACE, POD_NAME)
from kep.errors import ConfigError
from kep.kinds import API_KINDS
from kep.reads import Query, dig
from kep.specs import Plan, Spec, identity
from kep.status import podenv
from kep.status.cache import Reads
from kep.status.labels import Selector
from kep.status.waiting import Candidate, candidates

UNKNOWN = "unknown"
LOCAL_REASON = "checked only inside the pod: kubectl exec {pod} -c {container} -- kep check"

KEP_READS = (NAMESPACE, POD_NAME, INTERFACE_NAME, COMMAND)
"""Variables kep reads besides DEPENDENCY_* and KEP_*: one of them unknown is said too."""

PodKey = tuple[str, str]
"""(namespace, name)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One dependency of a waiting container, as kep judges it now."""

    kind: str
    namespace: str
    name: str
    dependency: str
    state: str
    """A kep.verdict.State value, or "unknown"."""
    reason: str
    spec: Spec | None = None
    """None for a variable whose value is unknown."""

    @property
    def is_met(self) -> bool:
        return self.state == "met"

    @property
    def target(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class Waiter:
    """A pod's container that waits in a wait-for entrypoint."""

    pod: dict[str, Any]
    container: str
    init: bool
    findings: tuple[Finding, ...]
    plan: Plan | None
    """None when its environment is refused (then `problem` says why)."""
    problem: str = ""

    @property
    def key(self) -> PodKey:
        return (str(dig(self.pod, "metadata", "namespace", default="")), str(dig(self.pod, "metadata", "name")))

    @property
    def unmet(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_met)


def survey(reads: Reads, pods: tuple[dict[str, Any], ...], selector: Selector) -> list[Waiter]:
    """The waiting containers of `pods` (those `selector` selects), one pod's at most one:
    the kubelet runs one init container at a time, and the first waiting regular
    container is enough to say the pod has not started."""
    found = []
    for pod in pods:
        if not selector.selects(pod):
            continue
        waiter = next(_waiters(reads, pod), None)
        if waiter is not None:
            found.append(waiter)
    return found


def _waiters(reads: Reads, pod: dict[str, Any]) -> Iterator[Waiter]:
    for candidate in candidates(pod):
        env = podenv.environment(pod, candidate.container, lambda ns, name: _configmap(reads, ns, name))
        declared = [v for v in DEPENDENCY_VARIABLES if env.values.get(v, "").strip() or v in env.unknown]
        if not declared:
            continue
        waiter = _judge(reads, pod, candidate, env)
        if waiter.problem or waiter.unmet:
            yield waiter


def _judge(reads: Reads, pod: dict[str, Any], candidate: Candidate, env: podenv.Environment) -> Waiter:
    namespace = str(dig(pod, "metadata", "namespace", default=""))
    unknown = tuple(Finding(name, "", "", name, UNKNOWN, why) for name, why in env.unknown.items()
                    if name.startswith((DEPENDENCY_PREFIX, KEP_PREFIX)) or name in KEP_READS)
    notes = "; ".join(env.unread)
    try:
        plan = envparse.parse(env.values, namespace)
    except ConfigError as exc:
        problem = "configuration refused (kep exits 2): " + "; ".join(exc.problems)
        return Waiter(pod, candidate.name, candidate.init, unknown, None, "; ".join(filter(None, (problem, notes))))
    settings = replace(plan.settings, own_container=candidate.name,
                       own_pod_uid=str(dig(pod, "metadata", "uid", default="")))
    plan = replace(plan, settings=settings)
    api_plan = replace(plan, specs=tuple(s for s in plan.specs if type(s) in API_KINDS))
    verdicts = check(api_plan, reads.fetch) if api_plan.specs else {}
    findings = []
    for spec in plan.specs:
        who = identity(spec, settings)
        verdict = verdicts.get(spec)
        if verdict is None:
            state, reason = UNKNOWN, LOCAL_REASON.format(pod=f"-n {namespace} {dig(pod, 'metadata', 'name')}",
                                                        container=candidate.name)
        else:
            state, reason = verdict.state.value, verdict.reason
        findings.append(Finding(who.kind, who.namespace, who.name, str(spec), state, reason, spec))
    return Waiter(pod, candidate.name, candidate.init, (*unknown, *findings), plan, notes)


def _configmap(reads: Reads, namespace: str, name: str) -> Mapping[str, str] | str:
    observation = reads.fetch(Query(CONFIGMAPS, namespace, name=name))
    if observation.error is not None:
        return str(observation.error)
    if not observation.objects:
        return "not found"
    data = observation.objects[0].get("data") or {}
    return {str(k): str(v) for k, v in data.items()}
