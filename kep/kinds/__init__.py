"""The kind registry: spec type -> the module that decides readiness for it, each module
checked by mypy against the shape of its kind (`LocalKind` or `ApiKind`).

Local kinds look at this container's own world (a path, a TCP or HTTP endpoint, a
rendered file): `check(spec, settings) -> Verdict`, one attempt (tcp and http reach the
network, bounded by kep.attempt); `explain(spec, settings)`, what `kep --explain` says
it does; `RECHECK_WHEN_MET`, whether it is checked again after it is met (a socket or an
endpoint can vanish; a rendered file stays).

API kinds read the Kubernetes API: `reads(spec, settings)`, every read they may make
(for RBAC, the preflight and --explain: stated once, as Reads); `queries(spec, settings,
seen)`, what to read now, level-driven from what has been seen (a DaemonSet's pods need
the DaemonSet first); and a pure `evaluate(spec, settings, seen) -> Verdict`.
"""

from __future__ import annotations

from typing import Any, Protocol

from kep import specs
from kep.kinds import config, container, customresource, daemonset, http, job, pod, service, socket, tcp
from kep.reads import Query, Read, Seen
from kep.specs import Settings, Spec
from kep.verdict import Verdict


class LocalKind(Protocol):
    RECHECK_WHEN_MET: bool

    def check(self, spec: Any, settings: Settings) -> Verdict: ...
    def explain(self, spec: Any, settings: Settings) -> str: ...


class ApiKind(Protocol):
    def reads(self, spec: Any, settings: Settings) -> tuple[Read, ...]: ...
    def queries(self, spec: Any, settings: Settings, seen: Seen) -> tuple[Query, ...]: ...
    def evaluate(self, spec: Any, settings: Settings, seen: Seen) -> Verdict: ...


LOCAL_KINDS: dict[type[Spec], LocalKind] = {
    specs.Socket: socket,
    specs.Config: config,
    specs.Tcp: tcp,
    specs.Http: http,
}
API_KINDS: dict[type[Spec], ApiKind] = {
    specs.Service: service,
    specs.Container: container,
    specs.DaemonSet: daemonset,
    specs.Job: job,
    specs.Pod: pod,
    specs.CustomResource: customresource,
}
