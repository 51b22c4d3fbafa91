"""Custom-resource field keys (`status.conditions[0].type`) as path parts, and
expected values as the JSON text they are compared by."""

from __future__ import annotations

import re

from kep.envparse.quote import quote
from kep.specs import PathPart


def parse_field_key(key: str) -> tuple[PathPart, ...]:
    """Parse a custom-resource field key into path parts; ValueError says what is wrong.

    Accepts dotted keys (`spec.a-b.c`), list indexes (`status.conditions[0].type`,
    `[-1]` for the last), quoted keys (`metadata.labels['app.kubernetes.io/name']`)
    and the JSONPath spellings other forks accept: `$.a.b`, `{.a.b}`, `{$.a.b}`, `.a.b`.
    """
    text = key.strip()
    if text.startswith("{"):
        if not text.endswith("}"):
            raise ValueError('has an unclosed "{"')
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
        if text and text[0] not in ".[":
            raise ValueError('must go on with "." or "[" after "$"')
    if text.startswith("."):
        text = text[1:]
    if not text:
        raise ValueError("names no field")
    parts: list[PathPart] = []
    pos = 0
    while True:
        if text[pos] == "[":
            part, pos = _bracket(text, pos)
        else:
            end = pos
            while end < len(text) and text[end] not in ".[]":
                end += 1
            if end < len(text) and text[end] == "]":
                raise ValueError('has a "]" without "["')
            if end == pos:
                raise ValueError("has an empty part")
            part, pos = text[pos:end], end
        parts.append(part)
        if pos == len(text):
            return tuple(parts)
        if text[pos] == ".":
            pos += 1
            if pos == len(text) or text[pos] in ".[":
                raise ValueError("has an empty part")
        elif text[pos] != "[":
            raise ValueError('has text right after "]" (expected "." or "[")')


def _bracket(text: str, pos: int) -> tuple[PathPart, int]:
    """One `[n]`, `['key']` or `["key"]` at text[pos]; returns the part and the next pos."""
    mark = text[pos + 1 : pos + 2]
    if mark in ("'", '"'):
        close = text.find(mark + "]", pos + 2)
        if close < 0:
            raise ValueError('has an unclosed "["')
        if close == pos + 2:
            raise ValueError("has an empty part")
        return text[pos + 2 : close], close + 2
    close = text.find("]", pos)
    if close < 0:
        raise ValueError('has an unclosed "["')
    inner = text[pos + 1 : close].strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", inner):
        raise ValueError(f"has a bad index {quote('[' + inner + ']')} (expected a number or a quoted key)")
    return int(inner), close + 1
