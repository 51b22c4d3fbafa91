"""`kep lint`'s output: text like a compiler's (`file:line: Kind ns/name: check: message`,
the hint indented below it, a summary last), or one JSON document (`-o json`)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from kep.lint import Report
from kep.lint.findings import CHECKS, Finding, Ref, Severity


def summary(report: Report) -> dict[str, Any]:
    by_severity = Counter(str(f.severity) for f in report.findings)
    by_check = Counter(f.check for f in report.findings)
    return {
        "files": len(report.files),
        "objects": report.documents,
        "unreadable": report.unread,
        "workloads": len(report.release.workloads),
        "waiting_containers": sum(len(w.waiters) for w in report.release.workloads),
        "waits": len(report.waits),
        "errors": by_severity["error"],
        "warnings": by_severity["warning"],
        "info": by_severity["info"],
        "by_check": {check: by_check[check] for check in CHECKS if by_check[check]},
    }


def as_text(report: Report) -> str:
    lines = []
    for f in report.findings:
        who = f"{f.workload}: " if f.workload else ""
        lines.append(f"{f.where}: {who}{f.check}: {f.severity}: {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    s = summary(report)
    checks = ", ".join(f"{n} {c}" for c, n in s["by_check"].items())
    lines.append(f"{s['files']} files, {s['objects']} objects, {s['workloads']} pod templates, "
                 f"{s['waiting_containers']} waiting containers, {s['waits']} waits: "
                 f"{_count(s['errors'], 'error')}, {_count(s['warnings'], 'warning')}, {s['info']} info"
                 + (f" ({checks})" if checks else ""))
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps({"findings": [_finding(f) for f in report.findings], "summary": summary(report)}, indent=2)


def _finding(f: Finding) -> dict[str, Any]:
    return {"check": f.check, "severity": str(f.severity), "file": f.file, "line": f.line,
            "workload": _ref(f.workload), "target": _ref(f.target), "message": f.message, "hint": f.hint}


def _ref(ref: Ref | None) -> dict[str, str] | None:
    return None if ref is None else {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def has_errors(report: Report) -> bool:
    return any(f.severity is Severity.ERROR for f in report.findings)
