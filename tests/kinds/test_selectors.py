"""LabelSelector -> label-selector string (what Go's FormatLabelSelector prints, made canonical)."""

from __future__ import annotations

from typing import Any

import pytest

from kep.kinds.selectors import SelectorError, selector_string
from tests.factories import expression

CASES = [
    pytest.param({"matchLabels": {"name": "ovs"}}, "name=ovs", id="match_labels_are_equalities"),
    pytest.param(
        {"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2", id="requirements_are_sorted_by_key"
    ),
    pytest.param(
        {"matchExpressions": [expression("tier", "In", "web", "api", "web")]},
        "tier in (api,web)",
        id="in_values_are_sorted_and_deduplicated",
    ),
    pytest.param(
        {"matchExpressions": [expression("tier", "NotIn", "db")]}, "tier notin (db)", id="not_in"
    ),
    pytest.param({"matchExpressions": [expression("gpu", "Exists")]}, "gpu", id="exists_is_the_bare_key"),
    pytest.param(
        {"matchExpressions": [expression("gpu", "DoesNotExist")]}, "!gpu", id="does_not_exist_is_bang_key"
    ),
    pytest.param(
        {
            "matchLabels": {"app": "ovs", "z": "1"},
            "matchExpressions": [expression("tier", "In", "b", "a"), expression("b", "Exists")],
        },
        "app=ovs,b,tier in (a,b),z=1",
        id="labels_and_expressions_are_anded_in_key_order",
    ),
    pytest.param(
        {"matchLabels": {"k": "v"}, "matchExpressions": [expression("k", "Exists")]},
        "k=v,k",
        id="same_key_keeps_labels_before_expressions",
    ),
    pytest.param({}, "", id="empty_selector_is_empty_string"),
    pytest.param(None, "", id="absent_selector_is_empty_string"),
    pytest.param({"matchLabels": None, "matchExpressions": None}, "", id="null_parts_are_empty"),
]


@pytest.mark.parametrize(("selector", "text"), CASES)
def test_selector_string(selector: dict[str, Any] | None, text: str) -> None:
    assert selector_string(selector) == text


BAD = [
    pytest.param({"matchExpressions": [expression("tier", "In")]}, "In needs at least one value", id="in_without_values"),
    pytest.param({"matchExpressions": [expression("tier", "NotIn")]}, "NotIn needs at least one value", id="not_in_without_values"),
    pytest.param({"matchExpressions": [expression("gpu", "Exists", "x")]}, "Exists takes no values", id="exists_with_values"),
    pytest.param({"matchExpressions": [expression("gpu", "Gt", "1")]}, "unknown operator 'Gt'", id="unknown_operator"),
    pytest.param({"matchExpressions": [{"operator": "Exists"}]}, "has no key", id="expression_without_key"),
    pytest.param({"matchLabels": {"k": 1}}, "value is not a string", id="non_string_label_value"),
    pytest.param({"matchLabels": ["k"]}, "matchLabels is not an object", id="match_labels_not_a_map"),
    pytest.param({"matchExpressions": {"key": "k"}}, "matchExpressions is not a list", id="expressions_not_a_list"),
]


@pytest.mark.parametrize(("selector", "message"), BAD)
def test_selector_string_rejects_what_the_api_server_rejects(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(SelectorError, match=message):
        selector_string(selector)
