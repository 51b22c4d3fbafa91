"""Who waits on whom: the waiting pods behind each unmet dependency, the root causes, the cycles.

An unmet dependency is *behind* a waiting pod when what it waits for is made by pods
that are themselves waiting (as kep.status.survey found them):

| dependency      | its pods                                                               |
|-----------------|------------------------------------------------------------------------|
| Job             | the pods whose controller ownerReference is one of the jobs (by name or labels) |
| DaemonSet       | the pods whose controller ownerReference is the DaemonSet               |
| Service         | the pods its `spec.selector` selects (what the EndpointSlice controller would publish) |
| Pod (labels)    | the pods the labels select                                             |

A Container of the pod itself, a custom resource or a local kind has none here.
The waits form a graph of pods; a pod's *root causes* are the unmet dependencies, on
it or on any pod it waits on through a chain, that no waiting pod is behind: fix those
and the chain unwinds. A cycle (a strongly connected set of pods, kep.graphs)
never unwinds by itself, and is reported as one. Chains are followed among the pods of
the scope (`-n`, or all with `-A`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kep import graphs
from kep.api.resources import PODS
from kep.kinds import daemonset as daemonset_kind
from kep.kinds import job as job_kind
from kep.kinds import pod as pod_kind
from kep.kinds import service as service_kind
from kep.kinds.daemonset import controller_uid
from kep.kinds.selectors import SelectorError, selector_string
from kep.reads import dig
from kep.specs import DaemonSet, Job, Pod, Service, Spec
from kep.status import labels
from kep.status.cache import Reads
from kep.status.survey import Finding, PodKey, Waiter

Target = tuple[str, str, str]
"""A dependency's (kind, namespace, name), as kep check names it."""


@dataclass(frozen=True, slots=True)
class Chains:
    behind: Mapping[Target, tuple[PodKey, ...]]
    """Each unmet target -> the waiting pods that make it (none: it waits on nothing waiting)."""
    roots: Mapping[PodKey, tuple[Finding, ...]]
    """Each waiting pod -> its root causes."""
    cycles: tuple[tuple[PodKey, ...], ...]

    def is_root(self, finding: Finding) -> bool:
        return not finding.is_met and not self.behind.get(finding.target)


def follow(reads: Reads, waiters: Iterable[Waiter]) -> Chains:
    by_key = {w.key: w for w in waiters}
    behind: dict[Target, tuple[PodKey, ...]] = {}
    for waiter in by_key.values():
        for finding in waiter.unmet:
            if finding.target not in behind:
                made_by = pods_of(reads, finding.spec) if finding.spec is not None else ()
                behind[finding.target] = tuple(k for k in made_by if k in by_key)
    edges = {k: sorted({p for f in w.unmet for p in behind[f.target]}) for k, w in by_key.items()}
    roots = {}
    for key in by_key:
        found: dict[Target, Finding] = {}
        for reached in _reachable(key, edges):
            for finding in by_key[reached].unmet:
                if not behind[finding.target]:
                    found.setdefault(finding.target, finding)
        roots[key] = tuple(found.values())
    return Chains(behind, roots, tuple(graphs.cycles(edges)))


def pods_of(reads: Reads, spec: Spec) -> list[PodKey]:
    """The pods that make what `spec` waits for (the table above), waiting or not."""
    match spec:
        case Job():
            uids = {str(dig(j, "metadata", "uid")) for j in reads.fetch(job_kind.job_query(spec)).objects}
            return _owned(reads, spec.namespace, uids)
        case DaemonSet():
            found = reads.fetch(daemonset_kind.daemonset_query(spec)).objects
            return _owned(reads, spec.namespace, {str(dig(d, "metadata", "uid")) for d in found})
        case Service():
            found = reads.fetch(service_kind.service_query(spec)).objects
            selector = dig(found[0], "spec", "selector", default=None) if found else None
            if not isinstance(selector, dict) or not selector:
                return []  # no selector: its endpoints are written by hand, by no pod
            try:
                chosen = labels.parse(selector_string({"matchLabels": selector}))
            except (SelectorError, labels.SelectorError):
                return []
            return _keys(p for p in _pods(reads, spec.namespace) if chosen.selects(p))
        case Pod():
            return _keys(reads.fetch(pod_kind.pods_query(spec)).objects)
    return []


def _pods(reads: Reads, namespace: str) -> tuple[dict[str, Any], ...]:
    return reads.collection(PODS, namespace).objects


def _owned(reads: Reads, namespace: str, uids: set[str]) -> list[PodKey]:
    return _keys(p for p in _pods(reads, namespace) if controller_uid(p) in uids)


def _keys(pods: Iterable[dict[str, Any]]) -> list[PodKey]:
    return [(str(dig(p, "metadata", "namespace")), str(dig(p, "metadata", "name"))) for p in pods]


def _reachable(start: PodKey, edges: Mapping[PodKey, list[PodKey]]) -> list[PodKey]:
    seen, todo = [start], [start]
    while todo:
        for after in edges[todo.pop()]:
            if after not in seen:
                seen.append(after)
                todo.append(after)
    return seen


