"""What `kep lint` says: findings, each of one check with a stable id, a severity and a
fix hint, and the table of checks (their ids never change: CI filters on them).

Severities: `error` is a release that cannot start in the order the deployer creates it
(exit 1); `warning` is one that starts, but likely not as meant; `info` is what lint
could not check, and why. Warnings do not change the exit code (as a compiler's).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


CHECKS: dict[str, tuple[Severity, str]] = {
    "missing-target": (Severity.ERROR, "a dependency that nothing in the input (or --assume) defines"),
    "empty-entry": (Severity.WARNING, "an empty item inside a non-empty list (a,,b)"),
    "cycle": (Severity.ERROR, "the waits form a cycle"),
    "hook-order": (Severity.ERROR, "a wait the deployer's order of creation cannot meet"),
    "rbac": (Severity.ERROR, "the pod's service account may not make a read kep needs"),
    "container": (Severity.ERROR, "DEPENDENCY_CONTAINER names no container of the pod, or one it cannot wait for"),
    "ttl": (Severity.WARNING, "a long-lived workload waits on a Job deleted after it finishes"),
    "config": (Severity.ERROR, "a configuration error or warning kep gives at run time"),
    "input": (Severity.WARNING, "a document or file that could not be read"),
}
"""Check id -> its usual severity and what it finds (hook-order's depends on --deployer;
config's warnings and the info lines of rbac and config are said per finding)."""


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """An object as findings name it: kind, namespace ("" when cluster-scoped), name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: Severity
    file: str
    line: int
    """Where the workload's document starts (0: unknown)."""
    workload: Ref | None
    target: Ref | None
    message: str
    hint: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def finding(check: str, file: str, line: int, workload: Ref | None, target: Ref | None, message: str,
            hint: str = "", severity: Severity | None = None) -> Finding:
    """A finding at its check's usual severity unless told otherwise."""
    return Finding(check, CHECKS[check][0] if severity is None else severity, file, line, workload, target,
                   message, hint)
