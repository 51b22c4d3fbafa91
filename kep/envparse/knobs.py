"""Durations and booleans of the KEP_* knobs."""

from __future__ import annotations

import re

MAX_SECONDS = 10 * 365 * 24 * 3600
"""Longest accepted duration (10 years), far below what thread waits accept."""

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DURATION = re.compile(r"(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9.]+)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION_RULE = "seconds, e.g. 2 or 0.5, or with a unit: 500ms, 1m30s, 1h"
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def to_seconds(text: str) -> float | None:
    """Seconds in `text` (`2`, `0.5`, `500ms`, `1m30s`; may be inf), or None if it is no duration."""
    if _NUMBER.fullmatch(text):
        return float(text)
    if _DURATION.fullmatch(text):
        return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(text))
    return None



DEFAULT_TERMINATION_LOG = "/dev/termination-log"
"""Where the kubelet mounts a container's termination message file (its `terminationMessagePath`
default, k8s.io/api core/v1 Container)."""
TERMINATION_LOG_RULE = "an absolute path, or 0, false or no to write none"


def termination_log(text: str) -> str | None:
    """The termination message file a KEP_TERMINATION_LOG value names: blank or a true boolean
    (1, true, yes) is the default, a false one (0, false, no) is "" (write none), an absolute
    path is itself; None for anything else."""
    if not text or BOOLEANS.get(text.lower()) is True:
        return DEFAULT_TERMINATION_LOG
    if BOOLEANS.get(text.lower()) is False:
        return ""
    return text if text.startswith("/") else None
