"""`kep status -o dot` and `-o mermaid`: the waits drawn, for Graphviz or a Markdown page.

Waiting pods are grouped by their owner (kep.status.owners: a Deployment, StatefulSet,
DaemonSet or Job, else the pod itself), so a chart of dozens of pods stays a picture of a
few boxes. An edge goes from a group to each unmet dependency of its pods, labelled by
the dependency's kind; a dashed edge from a dependency to the groups of the waiting pods
that make it (a chain); the root causes are filled red, a refused environment is a red
box. Where everything drawn is in one namespace, it is said once, in the title, not in
every label. The text is deterministic (sorted), so two runs over one state give one picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from kep.status import Report
from kep.status.chains import Target
from kep.status.owners import Owner, owner_of
from kep.status.render import target_name

RED = "#f4b6b6"
"""The fill of a root cause and of a refused environment."""


@dataclass(frozen=True, slots=True)
class Drawing:
    groups: dict[Owner, list[str]]
    """Owner -> its waiting pods' names."""
    problems: set[Owner]
    targets: dict[Target, bool]
    """Unmet dependency -> whether it is a root cause."""
    waits: dict[tuple[Owner, Target], set[str]]
    """(group, dependency) -> the kinds on the edge."""
    made_by: set[tuple[Target, Owner]]

    @property
    def namespace(self) -> str:
        """The one namespace of everything drawn, or "" when there are several."""
        found = {o.namespace for o in self.groups} | {t[1] for t in self.targets}
        return found.pop() if len(found) == 1 else ""

    def group_label(self, owner: Owner) -> str:
        name = owner.name if self.namespace else f"{owner.namespace}/{owner.name}"
        count = len(self.groups[owner])
        if owner.kind == "Pod":
            return f"Pod {name}\nwaiting"
        return f"{owner.kind} {name}\n{count} pod{'s' if count != 1 else ''} waiting"

    def target_label(self, target: Target) -> str:
        kind, namespace, name = target
        root = "\nroot cause" if self.targets[target] else ""
        return (f"{kind} {name}" if self.namespace else target_name(target)) + root


def drawing(report: Report) -> Drawing:
    groups: dict[Owner, list[str]] = {}
    owners = {w.key: owner_of(w.pod) for w in report.waiters}
    problems: set[Owner] = set()
    targets: dict[Target, bool] = {}
    waits: dict[tuple[Owner, Target], set[str]] = {}
    made_by: set[tuple[Target, Owner]] = set()
    for waiter in report.waiters:
        owner = owners[waiter.key]
        groups.setdefault(owner, []).append(waiter.key[1])
        if waiter.problem:
            problems.add(owner)
        for finding in waiter.unmet:
            behind = report.chains.behind.get(finding.target, ())
            targets[finding.target] = not behind
            waits.setdefault((owner, finding.target), set()).add(finding.kind)
            made_by.update((finding.target, owners[key]) for key in behind)
    return Drawing(groups, problems, targets, waits, made_by)


def _ids(picture: Drawing) -> tuple[dict[Owner, str], dict[Target, str]]:
    return ({o: f"g{i}" for i, o in enumerate(sorted(picture.groups))},
            {t: f"t{i}" for i, t in enumerate(sorted(picture.targets))})


def as_dot(report: Report) -> str:
    picture = drawing(report)
    group_ids, target_ids = _ids(picture)
    lines = ["digraph kep_status {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9];',
             f'  labelloc=t; fontname="Helvetica"; label={_dot(_title(picture))};']
    for owner, node in group_ids.items():
        fill = f', style=filled, fillcolor="{RED}"' if owner in picture.problems else ""
        lines.append(f"  {node} [shape=box, label={_dot(picture.group_label(owner))}{fill}];")
    for target, node in target_ids.items():
        fill = f', style=filled, fillcolor="{RED}"' if picture.targets[target] else ""
        lines.append(f"  {node} [shape=ellipse, label={_dot(picture.target_label(target))}{fill}];")
    for (owner, target), kinds in sorted(picture.waits.items()):
        lines.append(f"  {group_ids[owner]} -> {target_ids[target]} [label={_dot(', '.join(sorted(kinds)))}];")
    for target, owner in sorted(picture.made_by):
        lines.append(f'  {target_ids[target]} -> {group_ids[owner]} [style=dashed, label="made by"];')
    return "\n".join([*lines, "}"])


def as_mermaid(report: Report) -> str:
    picture = drawing(report)
    group_ids, target_ids = _ids(picture)
    lines = [f"%% {_title(picture)}", "flowchart LR", f"  classDef root fill:{RED}", f"  classDef problem fill:{RED}"]
    for owner, node in group_ids.items():
        style = ":::problem" if owner in picture.problems else ""
        lines.append(f'  {node}["{_mermaid(picture.group_label(owner))}"]{style}')
    for target, node in target_ids.items():
        root = ":::root" if picture.targets[target] else ""
        lines.append(f'  {node}(["{_mermaid(picture.target_label(target))}"]){root}')
    for (owner, target), kinds in sorted(picture.waits.items()):
        lines.append(f'  {group_ids[owner]} -- "{_mermaid(", ".join(sorted(kinds)))}" --> {target_ids[target]}')
    for target, owner in sorted(picture.made_by):
        lines.append(f'  {target_ids[target]} -. "made by" .-> {group_ids[owner]}')
    return "\n".join(lines)


def _title(picture: Drawing) -> str:
    where = f"namespace {picture.namespace}" if picture.namespace else "several namespaces"
    return f"kep status: {where}"


def _dot(text: str) -> str:
    """A DOT string literal (quotes and backslashes escaped, newlines as \\n)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _mermaid(text: str) -> str:
    """Text inside a Mermaid quoted label: quotes as entity codes, newlines as <br/>."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", "<br/>")
