"""Label selectors matched here select what the API server would select there
(apimachinery labels.Requirement.Matches), for every form kep's kinds build and -l takes."""

from __future__ import annotations

import pytest

from kep.kinds.selectors import selector_string
from kep.status.labels import SelectorError, parse

LABELS = {"app": "ovs", "tier": "b", "empty": ""}


@pytest.mark.parametrize("selector, selected", [
    ("", True),
    ("app=ovs", True), ("app==ovs", True), ("app=other", False), ("missing=x", False),
    ("app!=other", True), ("app!=ovs", False), ("missing!=x", True),
    ("tier in (a,b)", True), ("tier in (a)", False), ("missing in (a)", False),
    ("tier notin (a)", True), ("tier notin (a,b)", False), ("missing notin (a)", True),
    ("empty", True), ("missing", False), ("!missing", True), ("!app", False), ("empty=", True),
    ("app=ovs,tier in (b),!missing", True), ("app=ovs,tier notin (b)", False),
    (" app = ovs , tier in ( a , b ) ", True),
])
def test_a_requirement_selects_as_the_api_server_does(selector, selected):
    assert parse(selector).matches(LABELS) is selected


def test_the_strings_the_kinds_build_are_read():
    built = selector_string({"matchLabels": {"app": "ovs"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["b", "a"]}, {"key": "gone", "operator": "DoesNotExist"},
        {"key": "zone", "operator": "NotIn", "values": ["x"]}, {"key": "empty", "operator": "Exists"}]})
    assert parse(built).matches(LABELS)
    assert not parse(built).matches({**LABELS, "gone": "1"})


def test_an_object_without_labels_is_selected_only_by_absence():
    assert parse("!app").selects({"metadata": {}})
    assert not parse("app").selects({"metadata": {}})


@pytest.mark.parametrize("bad", ["a in (", "a,,b", "a > 3", "a gt (3)", "=x", "a in ()", "a=b=c"])
def test_what_it_does_not_read_is_an_error_naming_it(bad):
    with pytest.raises(SelectorError):
        parse(bad)
