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

