"""`cycle`: the waits form a cycle, so on a fresh install none of them is ever met. An edge
goes from a waiting workload to each workload that makes its dependency met (kep.lint.waits):
a Service to the templates its selector selects (unless publishNotReadyAddresses: its
endpoints do not wait for readiness), a Job or DaemonSet to itself, pod labels to the
templates that carry them. A workload waiting on itself (its own Service, its own Job) is
a cycle of one. Each strongly connected component is one finding, the cycle printed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kep.graphs import cycles
from kep.lint.findings import Finding, Ref, finding
from kep.lint.release import Workload
from kep.lint.waits import Wait


def check(waits: Iterable[Wait]) -> Iterator[Finding]:
    edges: dict[Ref, dict[Ref, str]] = {}
    workloads: dict[Ref, Workload] = {}
    for wait in waits:
        if not wait.gated:
            continue
        workloads[wait.workload.ref] = wait.workload
        for backer in wait.backers:
            workloads[backer.ref] = backer
            edges.setdefault(wait.workload.ref, {}).setdefault(backer.ref, f"{wait.target.kind} {wait.target.name}")
    for component in cycles(edges):
        start = component[0]
        path = _cycle(start, set(component), edges)
        shown = " -> ".join(f"{a} (waits for {edges[a][b]})" for a, b in zip(path, path[1:])) + f" -> {path[-1]}"
        obj = workloads[start].obj
        yield finding("cycle", obj.manifest.file, obj.manifest.line, start, None,
                      f"the waits form a cycle, none is ever met on a fresh install: {shown}",
                      "break it: one of these waits is not needed to start, or belongs in a readiness probe")


def _cycle(start: Ref, component: set[Ref], edges: dict[Ref, dict[Ref, str]]) -> list[Ref]:
    """A shortest path from start back to itself inside its component."""
    parents: dict[Ref, Ref] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(edges.get(node, {})):
            if child == start:
                path = [start]
                while node != start:
                    path.append(node)
                    node = parents[node]
                return [start, *reversed(path[1:]), start]
            if child in component and child not in parents:
                parents[child] = node
                queue.append(child)
    return [start, start]
