"""A label-selector string matched against an object's labels here, as the API server
matches it there (k8s.io/apimachinery pkg/labels/selector.go `Requirement.Matches`).

`kep status` lists each collection once and answers the kinds' label queries from that
list, so the selectors the kinds build (kep.kinds.selectors: `k=v`, `k in (a,b)`,
`k notin (a,b)`, `k`, `!k`; kep.specs.selector_of: `k=v,...`) must select here exactly
the objects the server would select; `-l` takes the same forms, and `k==v`, `k!=v`.

| requirement     | matches when                                      |
|-----------------|---------------------------------------------------|
| `k=v`, `k==v`   | label k is present and equals v                   |
| `k!=v`          | label k is absent, or present with another value  |
| `k in (a,b)`    | label k is present and one of a, b                |
| `k notin (a,b)` | label k is absent, or present and none of a, b    |
| `k`             | label k is present (any value, "" included)       |
| `!k`            | label k is absent                                 |

An empty selector matches everything. `gt`/`lt` (numeric, node selectors only) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kep.reads import dig


class SelectorError(ValueError):
    """A selector this module does not read; str() names the part."""


_WORD = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_EQUALITY = re.compile(rf"^(?P<key>{_WORD})\s*(?P<op>==|=|!=)\s*(?P<value>{_VALUE})$")
_SET = re.compile(rf"^(?P<key>{_WORD})\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_EXISTS = re.compile(rf"^(?P<not>!?)\s*(?P<key>{_WORD})$")


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    """"in" (for = and == too), "notin" (for != too), "exists" or "!"."""
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "in":
            return present and labels[self.key] in self.values
        if self.operator == "notin":
            return not present or labels[self.key] not in self.values
        return present if self.operator == "exists" else not present


@dataclass(frozen=True, slots=True)
class Selector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)

    def selects(self, obj: Mapping[str, Any]) -> bool:
        """The object's `metadata.labels` match."""
        labels = dig(obj, "metadata", "labels", default=None)
        return self.matches(labels if isinstance(labels, dict) else {})


def parse(text: str) -> Selector:
    """The selector of a label-selector string; raises SelectorError naming the bad part."""
    return Selector(tuple(_requirement(part.strip()) for part in _split(text) if part.strip() or _fail(part)))


def _split(text: str) -> list[str]:
    """Split on the commas outside parentheses; "" gives no parts."""
    if not text.strip():
        return []
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    return [*parts, text[start:]]


def _fail(part: str) -> bool:
    raise SelectorError(f"empty requirement in label selector (between commas): {part!r}")


def _requirement(part: str) -> Requirement:
    if found := _EQUALITY.match(part):
        operator = "notin" if found["op"] == "!=" else "in"
        return Requirement(found["key"], operator, frozenset((found["value"],)))
    if found := _SET.match(part):
        values = [v.strip() for v in found["values"].split(",")]
        if not all(re.fullmatch(_VALUE, v) for v in values) or values == [""]:
            raise SelectorError(f"bad values in label selector requirement {part!r}")
        return Requirement(found["key"], found["op"], frozenset(values))
    if found := _EXISTS.match(part):
        return Requirement(found["key"], "!" if found["not"] else "exists")
    raise SelectorError(f"label selector requirement {part!r} is not key=value, key!=value, "
                        "key in (...), key notin (...), key or !key")
