"""`kep lint`: prove a release's start order before it is deployed.

Reads the manifests of a release (`helm template`, `kustomize build`), finds every pod
template whose containers declare `DEPENDENCY_*`, parses them with kep's own parser, and
checks the release as a whole: what each wait needs must be in it, in an order the
deployer can create, readable by the pod's service account, without cycles. No API
request unless `--cluster` asks (`cluster`). The modules, one job each: `manifests` (YAML in),
`podtemplate` (the pod a template makes), `release` (objects and waiting containers),
`waits` (each dependency's target and backers), the checks (`variables`, `targets`,
`containers`, `hooks`, `access`, `cycles`, `ttl`), `findings`, `report` (text, JSON) and
`graph` (DOT, Mermaid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kep.lint import manifests as manifests_in
from kep.lint.cluster import Cluster
from kep.lint.findings import Finding, finding
from kep.lint.release import Release, build
from kep.lint.targets import Assumption
from kep.lint.waits import Wait, waits

DEPLOYERS = ("helm", "helm-wait", "argocd")


@dataclass(frozen=True, slots=True)
class Options:
    paths: tuple[tuple[str, str], ...]
    """(FILE, DIR or -, the namespace of its objects that have none)."""
    deployer: str = "helm"
    assume: tuple[Assumption, ...] = ()
    cluster: bool = False
    """`--cluster`: also look up, read-only, what the input does not define."""


@dataclass
class Report:
    release: Release
    waits: list[Wait]
    findings: list[Finding]
    documents: int
    """Objects read (List items counted)."""
    unread: int
    """Files or documents that could not be read."""
    files: list[str] = field(default_factory=list)


Check = Callable[[Release, list[Wait], Options], Iterable[Finding]]


def lint(options: Options, stdin: Any = None, cluster: Cluster | None = None) -> Report:
    """`cluster`: look up in a live cluster what the input does not define (`--cluster`)."""
    from kep.lint import access, containers, cycles, hooks, targets, ttl, variables

    read, problems = manifests_in.read(list(options.paths), stdin)
    release = build(read)
    all_waits = list(waits(release))
    found = [finding("input", p.file, p.line, None, None, p.message) for p in problems]
    found += [finding("input", o.manifest.file, o.manifest.line, o.ref, None, why) for o, why in release.problems]
    found += variables.check(release)
    found += targets.check(release, all_waits, options.assume, cluster)
    found += containers.check(release)
    found += cycles.check(all_waits)
    found += hooks.check(all_waits, options.deployer)
    found += access.check(release)
    found += ttl.check(all_waits)
    files = list(dict.fromkeys(m.file for m in read))
    found.sort(key=lambda f: (files.index(f.file) if f.file in files else -1, f.line, f.check, str(f.target)))
    return Report(release, all_waits, found, len(read), len(problems), files)
