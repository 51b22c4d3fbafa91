"""JSON decoded as Go's encoding/json sees it: objects keep their pairs (keys match
case-insensitively, the last duplicate wins), and NaN, Infinity and out-of-range
numbers are invalid."""

from __future__ import annotations

import json
import math
from typing import Any


class GoObject(list[tuple[str, Any]]):
    """A decoded JSON object: its (key, value) pairs in document order."""

    def folded(self) -> dict[str, Any]:
        """Keys case-folded, as Go matches struct fields; the last duplicate wins."""
        return {key.casefold(): value for key, value in self}


def is_array(value: Any) -> bool:
    return isinstance(value, list) and not isinstance(value, GoObject)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    if isinstance(value, GoObject):
        return "an object"
    return "an array"


def load_json(text: str) -> tuple[Any, str | None]:
    """The decoded document and None, or None and why the text is not JSON (as Go sees it)."""
    try:
        document = json.loads(
            text,
            object_pairs_hook=GoObject,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
        return document, None
    except json.JSONDecodeError as error:
        return None, f"{error.msg} at line {error.lineno} column {error.colno}"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as error:  # NaN, Infinity, 1e999, an int of 5000 digits
        return None, str(error)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    """Go decodes numbers as float64: more than 308 digits is out of its range."""
    if len(text.lstrip("-")) > 308:
        raise ValueError(f"number {text[:20]}... is out of range")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value
