"""The kind registry: spec type -> the module that decides readiness for it.

Local kinds have `check(spec, settings) -> Verdict` (tcp and http reach the
network: each call is one attempt, bounded by kep.attempt). API kinds have
`queries(spec, settings, seen)` (what to read, as data) and a pure
`evaluate(spec, settings, seen) -> Verdict`.
"""

from types import ModuleType

from kep import specs
from kep.kinds import config, container, customresource, daemonset, http, job, pod, service, socket, tcp

LOCAL_KINDS: dict[type, ModuleType] = {
    specs.Socket: socket,
    specs.Config: config,
    specs.Tcp: tcp,
    specs.Http: http,
}
API_KINDS: dict[type, ModuleType] = {
    specs.Service: service,
    specs.Container: container,
    specs.DaemonSet: daemonset,
    specs.Job: job,
    specs.Pod: pod,
    specs.CustomResource: customresource,
}
