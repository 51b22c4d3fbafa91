"""`kep status` as a table (for a reader) or one JSON document (for a program).

The table has one row per unmet dependency of each waiting pod, `kep check`'s words in
REASON, and where waiting pods make what it waits for, `<- waiting: <pods>`; then the root
causes, each with the pods it holds (directly or through a chain), and the cycles.
"""

from __future__ import annotations

import json
from typing import Any

from kep.status import Report
from kep.status.chains import Target
from kep.status.owners import owner_of
from kep.status.survey import Finding, PodKey, Waiter

SHOWN = 5
"""Pods named per root cause in the table (the JSON names all)."""


def pod_name(key: PodKey) -> str:
    return f"{key[0]}/{key[1]}"


def target_name(target: Target) -> str:
    kind, namespace, name = target
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def held(report: Report) -> dict[Target, list[PodKey]]:
    """Each root cause -> the waiting pods it holds, in the order of the pods."""
    pods: dict[Target, list[PodKey]] = {}
    for waiter in report.waiters:
        for finding in report.chains.roots[waiter.key]:
            pods.setdefault(finding.target, []).append(waiter.key)
    return pods


def _roots(report: Report) -> dict[Target, Finding]:
    return {f.target: f for w in report.waiters for f in report.chains.roots[w.key]}


def _container(waiter: Waiter) -> str:
    return f"init:{waiter.container}" if waiter.init else waiter.container


def as_table(report: Report) -> str:
    if not report.waiters:
        return "no pod waits on its dependencies"
    rows = [("NAMESPACE", "POD", "CONTAINER", "DEPENDENCY", "STATE", "REASON")]
    for waiter in report.waiters:
        namespace, name = waiter.key
        if waiter.problem:
            rows.append((namespace, name, _container(waiter), "-", "unknown", waiter.problem))
        for finding in waiter.unmet:
            behind = report.chains.behind.get(finding.target, ())
            reason = finding.reason + (f" <- waiting: {', '.join(p[1] for p in behind)}" if behind else "")
            rows.append((namespace, name, _container(waiter), target_name(finding.target), finding.state, reason))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:5], widths)) + "  " + row[5] for row in rows]
    roots, pods = _roots(report), held(report)
    if roots:
        lines += ["", "ROOT CAUSES (they wait on no waiting pod)"]
    for target, finding in roots.items():
        names = [pod_name(p) for p in pods[target]]
        more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
        lines.append(f"{target_name(target)}  {finding.state}  {finding.reason}")
        lines.append(f"  holds {len(names)} waiting pod{'s' if len(names) != 1 else ''}: "
                     f"{', '.join(names[:SHOWN])}{more}")
    if report.chains.cycles:
        lines += ["", "CYCLES (they wait on each other: none will start by itself)"]
        lines += [" -> ".join(pod_name(p) for p in (*cycle, cycle[0])) for cycle in report.chains.cycles]
    count = len(report.waiters)
    lines += ["", f"{count} pod{'s' if count != 1 else ''} waiting, {len(roots)} root "
                  f"cause{'s' if len(roots) != 1 else ''}, {len(report.chains.cycles)} "
                  f"cycle{'s' if len(report.chains.cycles) != 1 else ''}"]
    return "\n".join(lines)


def _finding(finding: Finding) -> dict[str, Any]:
    kind, namespace, name = finding.target
    return {"kind": kind, "namespace": namespace, "name": name, "dependency": finding.dependency,
            "met": finding.is_met, "state": finding.state, "reason": finding.reason}


def as_json(report: Report) -> str:
    pods = []
    for waiter in report.waiters:
        owner = owner_of(waiter.pod)
        pods.append({
            "namespace": waiter.key[0], "name": waiter.key[1],
            "owner": {"kind": owner.kind, "name": owner.name},
            "container": waiter.container, "init": waiter.init, "problem": waiter.problem,
            "dependencies": [{**_finding(f), "waitingPods": [pod_name(p) for p in report.chains.behind.get(f.target, ())]}
                             for f in waiter.findings],
            "rootCauses": [dict(zip(("kind", "namespace", "name"), f.target)) for f in report.chains.roots[waiter.key]],
        })
    pods_held = held(report)
    roots = [{**_finding(f), "pods": [pod_name(p) for p in pods_held[t]]} for t, f in _roots(report).items()]
    cycles = [[pod_name(p) for p in cycle] for cycle in report.chains.cycles]
    return json.dumps({"waiting": len(pods), "pods": pods, "rootCauses": roots, "cycles": cycles}, indent=2)
