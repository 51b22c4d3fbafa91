"""A `metav1.LabelSelector` (as JSON) turned into the label-selector string the API takes.

    {"matchLabels": {"app": "ovs"},
     "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]}
    -> "app=ovs,tier in (a,b)"

The string is canonical (requirements sorted by key, set values sorted and
de-duplicated), so two equal selectors give one string and thus one shared Query.

| operator       | string            |
|----------------|-------------------|
| matchLabels    | `key=value`       |
| `In`           | `key in (a,b)`    |
| `NotIn`        | `key notin (a,b)` |
| `Exists`       | `key`             |
| `DoesNotExist` | `!key`            |

An empty selector gives "" (everything). Go's `FormatLabelSelector` prints
`<none>` there, which the API server rejects; callers decide what empty means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SelectorError(ValueError):
    """A label selector the API server would not accept; str() says which part."""


_SET_OPERATORS = {"In": "in", "NotIn": "notin"}
_KEY_OPERATORS = {"Exists": "", "DoesNotExist": "!"}


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """The label-selector string of a LabelSelector; raises SelectorError if it is malformed."""
    if selector is None:
        return ""
    if not isinstance(selector, Mapping):
        raise SelectorError(f"selector is not an object: {selector!r}")
    parts: list[tuple[str, int, str]] = []
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping):
        raise SelectorError(f"matchLabels is not an object: {match_labels!r}")
    for key, value in match_labels.items():
        if not isinstance(value, str):
            raise SelectorError(f"matchLabels {key}: value is not a string: {value!r}")
        parts.append((str(key), len(parts), f"{key}={value}"))
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise SelectorError(f"matchExpressions is not a list: {expressions!r}")
    for expression in expressions:
        key, text = _requirement(expression)
        parts.append((key, len(parts), text))
    parts.sort()
    return ",".join(text for _, _, text in parts)


def _requirement(expression: Any) -> tuple[str, str]:
    if not isinstance(expression, Mapping):
        raise SelectorError(f"matchExpressions item is not an object: {expression!r}")
    key = expression.get("key")
    operator = expression.get("operator")
    values = expression.get("values") or []
    if not isinstance(key, str) or not key:
        raise SelectorError(f"matchExpressions item has no key: {dict(expression)!r}")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SelectorError(f"matchExpressions {key}: values is not a list of strings")
    if operator in _SET_OPERATORS:
        if not values:
            raise SelectorError(f"matchExpressions {key}: {operator} needs at least one value")
        return key, f"{key} {_SET_OPERATORS[operator]} ({','.join(sorted(set(values)))})"
    if operator in _KEY_OPERATORS:
        if values:
            raise SelectorError(f"matchExpressions {key}: {operator} takes no values")
        return key, f"{_KEY_OPERATORS[operator]}{key}"
    raise SelectorError(f"matchExpressions {key}: unknown operator {operator!r}")
