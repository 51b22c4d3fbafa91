"""Socket dependency: met when stat(path) succeeds (the reference does not open it)."""

from __future__ import annotations

import os

from kep.specs import Settings, Socket
from kep.verdict import Verdict, met, pending

RECHECK_WHEN_MET = True
"""A socket can vanish (its server stopped): checked again until the exec."""


def explain(spec: Socket, settings: Settings) -> str:
    return f"stat {spec.path} every {settings.interval:g}s, and once more right before the exec"


def check(spec: Socket, settings: Settings) -> Verdict:
    try:
        os.stat(spec.path)
    except FileNotFoundError:
        return pending(f"socket {spec.path} does not exist")
    except OSError as exc:
        return pending(f"socket {spec.path}: {exc.strerror}")
    return met()
