"""`missing-target`: a dependency that nothing in the input defines, and that `--assume`
does not say is provided elsewhere (another release, the platform). kep would wait for
it forever on a fresh install.

The hint names what is near: an object of that kind and name in another namespace of
the input (a missing `namespace:` prefix), or of a near name in the same one (a renamed
Job; kep's own spelling rule, kep.envparse.closest).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kep.envparse import closest
from kep.lint.cluster import Cluster
from kep.lint.findings import Finding, Ref, finding
from kep.lint.release import Release
from kep.lint.waits import Wait


@dataclass(frozen=True, slots=True)
class Assumption:
    """`--assume KIND/NS/NAME` (or KIND/NAME in the namespace given): an object provided
    outside the input. Any part may be a shell pattern (`Service/openstack/*`); a
    label-matched Job or Pod is named by its selector, `k=v,...`."""

    kind: str
    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str, namespace: str) -> Assumption:
        parts = text.split("/")
        if len(parts) == 2:
            parts.insert(1, namespace)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{text!r} is not KIND/NAMESPACE/NAME or KIND/NAME")
        return cls(*parts)

    def covers(self, target: Ref) -> bool:
        return (fnmatch.fnmatchcase(target.kind.lower(), self.kind.lower())
                and fnmatch.fnmatchcase(target.namespace, self.namespace)
                and fnmatch.fnmatchcase(target.name, self.name))


def check(release: Release, waits: Iterable[Wait], assumed: Iterable[Assumption],
          cluster: Cluster | None = None) -> Iterator[Finding]:
    """`cluster` (`--cluster`): a target found there is no finding; one it cannot tell about
    keeps its finding, and the hint says why."""
    assumptions = tuple(assumed)
    said: set[tuple[Ref, Ref]] = set()
    for wait in waits:
        if wait.objects or any(a.covers(wait.target) for a in assumptions):
            continue
        if (wait.workload.ref, wait.target) in said:
            continue
        said.add((wait.workload.ref, wait.target))
        present = cluster.has(wait.spec) if cluster is not None else False
        if present is True:
            continue
        unknown = f" ({present})" if isinstance(present, str) else ""
        obj = wait.workload.obj
        yield finding("missing-target", obj.manifest.file, obj.manifest.line, wait.workload.ref, wait.target,
                      f"waits for {wait.spec}, which nothing in the input defines",
                      _hint(release, wait.target) + unknown)


def _hint(release: Release, target: Ref) -> str:
    kind = target.kind
    same = sorted(o.ref.namespace for o in release.of_kind(kind) if o.ref.name == target.name
                  and o.ref.namespace != target.namespace)
    if same:
        return (f"{kind} {target.name} is in namespace {', '.join(same)} of the input: "
                f"write it as {same[0]}:{target.name}, or fix the namespace")
    names = sorted({o.ref.name for o in release.of_kind(kind) if o.ref.namespace == target.namespace})
    near = closest(target.name, names) if "=" not in target.name else None
    if near:
        return f"did you mean {kind} {near}? (a renamed or deleted template)"
    return (f"add it to the release, drop the dependency, or --assume {target.kind}/{target.namespace}/{target.name} "
            "if another release or the platform provides it")
