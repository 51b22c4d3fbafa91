"""Container `name`: met when that container of kep's own pod is ready.

Get the own pod (POD_NAME in NAMESPACE); met if `status.containerStatuses`
has an entry with that name and `ready: true`. kep also looks at
`status.initContainerStatuses`, so a native sidecar (an init container with
`restartPolicy: Always`, which reports `ready`) can be waited for.

A declared container without a status yet is "not ready"; a name the pod
neither declares nor reports is "no such container in pod" (still pending:
the pod spec cannot change, but kep reports rather than decides that).
"""

from __future__ import annotations

from typing import Any

from kep.kinds.pod import own_pod, own_pod_queries
from kep.reads import Query, Read, Seen, dig
from kep.specs import Container, Settings
from kep.verdict import Verdict, met, pending


def reads(spec: Container, settings: Settings) -> tuple[Read, ...]:
    return tuple(Read.of(q) for q in own_pod_queries(settings))


def queries(spec: Container, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    return own_pod_queries(settings)


def evaluate(spec: Container, settings: Settings, seen: Seen) -> Verdict:
    pod = own_pod(settings, seen)
    if isinstance(pod, Verdict):
        return pod
    subject = f"container {spec.name} in pod {settings.namespace}/{settings.pod_name}"
    statuses = [
        s
        for key in ("containerStatuses", "initContainerStatuses")
        for s in dig(pod, "status", key, default=None) or ()
        if dig(s, "name") == spec.name
    ]
    if any(dig(s, "ready") is True for s in statuses):
        return met(f"{subject}: ready")
    if statuses or spec.name in _declared(pod):
        return pending(f"{subject}: not ready")
    return pending(f"{subject}: no such container in pod")


def _declared(pod: dict[str, Any]) -> set[str]:
    return {
        str(dig(c, "name"))
        for key in ("containers", "initContainers")
        for c in dig(pod, "spec", key, default=None) or ()
    }
