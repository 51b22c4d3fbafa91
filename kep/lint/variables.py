"""What a waiting container's variables say by themselves:

- `config`: every problem (error) and warning kep gives at run time for this environment,
  from kep's own parser, with the workload and container: kep would exit 2 there.
- `empty-entry`: an empty item inside a non-empty list (`a,,b`): kep skips it at run
  time, but it is usually a value the chart stopped rendering. A JSON value is no list.
- a variable kep reads whose value the input cannot tell (from a Secret, or a ConfigMap
  that is not in the input) is left out of the parse, and said (info): lint checks what
  the pod would see without it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kep.envparse import DEPENDENCY_VARIABLES
from kep.envparse.typos import close_name
from kep.envparse.variables import DEPENDENCY_PREFIX, KEP_PREFIX
from kep.lint.findings import Finding, Severity, finding
from kep.lint.release import Release


def check(release: Release) -> Iterator[Finding]:
    for workload in release.workloads:
        file, line, ref = workload.obj.manifest.file, workload.obj.manifest.line, workload.ref
        for waiter in workload.waiters:
            where = f"{'init container' if waiter.init else 'container'} {waiter.name}"
            if waiter.error is not None:
                for problem in waiter.error.problems:
                    yield finding("config", file, line, ref, None, f"{where}: {problem}",
                                  "kep exits 2 here at run time, and the pod never starts")
            warnings = waiter.error.warnings if waiter.error is not None else waiter.plan.warnings if waiter.plan else ()
            for warning in warnings:
                yield finding("config", file, line, ref, None, f"{where}: {warning}", severity=Severity.WARNING)
            for name in DEPENDENCY_VARIABLES:
                value = waiter.env.get(name, "")
                items = [item.strip() for item in value.split(",")]
                if not value.lstrip().startswith(("[", "{")) and "" in items and any(items):
                    yield finding("empty-entry", file, line, ref, None, f"{where}: {name} {value!r} has an empty item",
                                  "kep skips it; a value the chart no longer renders? (a disabled or deleted dependency)")
            for name, why in sorted(waiter.unknown.items()):
                if name.startswith((DEPENDENCY_PREFIX, KEP_PREFIX)) or close_name(name):
                    yield finding("config", file, line, ref, None, f"{where}: {name} is not checked: {why}",
                                  severity=Severity.INFO)
