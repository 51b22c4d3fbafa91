"""`kep lint --graph dot|mermaid`: the waits drawn, for Graphviz or a Markdown page.

Workloads are boxes, grouped by the file they come from (a chart); an edge goes from a
waiting workload to each workload that makes its dependency met (kep.lint.waits), labelled
by the dependency's kind and name; a dependency with no workload behind it in the input (a
custom resource, an assumed or missing object) is a node of its own, dashed. Whatever a
finding names at error severity is filled red. Sorted, so one input gives one text.
"""

from __future__ import annotations

from dataclasses import dataclass

from kep.lint import Report
from kep.lint.findings import Ref, Severity

RED = "#f4b6b6"


@dataclass(frozen=True, slots=True)
class Drawing:
    groups: dict[str, list[Ref]]
    """File -> its workloads that wait or are waited on."""
    others: list[Ref]
    """Targets with no workload behind them."""
    edges: dict[tuple[Ref, Ref], set[str]]
    """(waiting workload, backer or target) -> the labels on the edge."""
    red: set[Ref]


def drawing(report: Report) -> Drawing:
    edges: dict[tuple[Ref, Ref], set[str]] = {}
    files: dict[Ref, str] = {}
    others: set[Ref] = set()
    for wait in report.waits:
        files[wait.workload.ref] = wait.workload.obj.manifest.file
        label = f"{wait.target.kind} {wait.target.name}"
        for backer in wait.backers:
            files[backer.ref] = backer.obj.manifest.file
            edges.setdefault((wait.workload.ref, backer.ref), set()).add(label)
        if not wait.backers:
            others.add(wait.target)
            edges.setdefault((wait.workload.ref, wait.target), set()).add(wait.target.kind)
    groups: dict[str, list[Ref]] = {}
    for ref, file in sorted(files.items(), key=lambda kv: (kv[1], kv[0])):
        groups.setdefault(file, []).append(ref)
    red = {ref for f in report.findings if f.severity is Severity.ERROR
           for ref in ((f.target,) if f.check == "missing-target" else (f.workload, f.target)) if ref is not None}
    return Drawing(groups, sorted(others - set(files)), edges, red)


def as_dot(report: Report) -> str:
    d = drawing(report)
    lines = ["digraph waits {", "  rankdir=LR;", '  node [shape=box, fontname="sans-serif"];',
             '  edge [fontname="sans-serif", fontsize=10];']
    for index, (file, refs) in enumerate(d.groups.items()):
        lines += [f"  subgraph cluster_{index} {{", f"    label={_q(file)};"]
        lines += [f"    {_q(str(ref))} [label={_q(ref.kind + chr(10) + ref.name)}{_fill(ref, d)}];" for ref in refs]
        lines.append("  }")
    for ref in d.others:
        lines.append(f"  {_q(str(ref))} [label={_q(ref.kind + chr(10) + ref.name)}{_fill(ref, d)}];")
    for (source, target), labels in sorted(d.edges.items()):
        lines.append(f"  {_q(str(source))} -> {_q(str(target))} [label={_q(', '.join(sorted(labels)))}];")
    return "\n".join([*lines, "}"])


def as_mermaid(report: Report) -> str:
    d = drawing(report)
    ids: dict[Ref, str] = {}

    def node(ref: Ref) -> str:
        return ids.setdefault(ref, f"n{len(ids)}")

    lines = ["flowchart LR"]
    for index, (file, refs) in enumerate(d.groups.items()):
        lines.append(f'  subgraph f{index}["{_m(file)}"]')
        lines += [f'    {node(ref)}["{_m(ref.kind)} {_m(ref.name)}"]' for ref in refs]
        lines.append("  end")
    lines += [f'  {node(ref)}(["{_m(ref.kind)} {_m(ref.name)}"])' for ref in d.others]
    for (source, target), labels in sorted(d.edges.items()):
        lines.append(f'  {node(source)} -->|"{_m(", ".join(sorted(labels)))}"| {node(target)}')
    red = sorted(ids[ref] for ref in d.red if ref in ids)
    if red:
        lines += [f"  classDef error fill:{RED}", f"  class {','.join(red)} error"]
    return "\n".join(lines)


def _fill(ref: Ref, d: Drawing) -> str:
    """One style: dashed for what the input does not define, filled red for a finding's target."""
    styles = [*(["filled"] if ref in d.red else []), *(["dashed"] if ref in d.others else [])]
    style = f', style="{",".join(styles)}"' if styles else ""
    return style + (f', fillcolor="{RED}"' if ref in d.red else "")


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _m(text: str) -> str:
    return text.replace('"', "#quot;")
