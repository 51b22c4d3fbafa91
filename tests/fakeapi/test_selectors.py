"""Label and field selectors, parsed and matched like the real server.

Checked against k8s.io/apimachinery pkg/labels/selector.go (Lexer, Parser.parse,
parseRequirement, parseOperator, parseValues, parseExactValue, Requirement.Matches),
pkg/api/validate/content/kube.go (IsLabelKey, IsLabelValue) and pkg/fields/selector.go
(splitTerms, splitTerm, UnescapeValue). The 400 body is errors.NewBadRequest(err.Error())
from k8s.io/apiserver pkg/endpoints/handlers/get.go.
"""

from __future__ import annotations

import pytest

from tests.fakeapi._http import Api
from tests.fakeapi.selectors import SelectorError, parse_field_selector, parse_label_selector

LABELS = {"app": "db", "tier": "backend", "version": "3"}


@pytest.mark.parametrize(
    "selector, matches",
    [
        ("app=db", True),
        ("app==db", True),
        ("app!=db", False),
        ("app!=web", True),
        ("missing!=x", True),  # != matches objects without the key (Requirement.Matches)
        ("app in (web,db)", True),
        ("app in (web)", False),
        ("app notin (web,cache)", True),
        ("missing notin (a)", True),  # notin also matches a missing key
        ("app", True),
        ("missing", False),
        ("!missing", True),
        ("!app", False),
        ("app=db,tier=backend", True),  # comma is AND
        ("app=db,tier=frontend", False),
        ("  app = db ,  tier in ( backend , x ) ", True),  # whitespace anywhere between tokens
        ("version>2", True),  # gt/lt compare integers
        ("version<3", False),
        ("", True),
        ("app=", False),  # empty value: key must exist with value ""
        ("x in ()", False),  # "()" is the set {""}
    ],
)
def test_label_selector_matching(selector: str, matches: bool) -> None:
    assert parse_label_selector(selector).matches(LABELS) is matches


@pytest.mark.parametrize(
    "selector, message",
    [
        # parseOperator lists binaryOperators joined by ", " (selection.GreaterThan is "gt").
        ("app db", "unable to parse requirement: found 'db', expected: in, notin, =, ==, !=, gt, lt"),
        ("app=db=x", "found '=', expected: ',' or 'end of string'"),
        ("app=db,", "found '', expected: identifier after ','"),
        ("app in db", "unable to parse requirement: found 'db' expected: '('"),
        ("app in (db", "unable to parse requirement: found '', expected: ',' or ')'"),
        (",app", "found ',', expected: !, identifier, or 'end of string'"),
        # Key validation runs in parseKeyAndInferOperator with a nil field path: "<nil>".
        ("-app=x", 'unable to parse requirement: <nil>: Invalid value: "-app": name part must consist of '
                   "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                   "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("app=a$b", 'unable to parse requirement: values[0][app]: Invalid value: "a$b": a valid label must be '
                    "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
                    "end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
                    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ],
)
def test_label_selector_errors(selector: str, message: str) -> None:
    with pytest.raises(SelectorError) as e:
        parse_label_selector(selector)
    assert str(e.value) == message


def test_in_and_notin_are_values_after_operator() -> None:
    # Parser.lookahead(Values) turns the keywords in/notin into identifiers: "x in (in)" is valid.
    assert parse_label_selector("x in (in,notin)").matches({"x": "notin"})


def _fields(s: str):
    return parse_field_selector(s, lambda f: None if f in ("metadata.name", "metadata.namespace")
                                else f"field label not supported: {f}")


def test_field_selector_operators() -> None:
    f = {"metadata.name": "a", "metadata.namespace": "ns"}
    assert _fields("metadata.name=a").matches(f)
    assert _fields("metadata.name==a").matches(f)
    assert not _fields("metadata.name!=a").matches(f)
    assert _fields("metadata.name!=b,metadata.namespace=ns").matches(f)
    assert _fields("metadata.name=a").exact_name() == "a"
    assert _fields("metadata.name!=a").exact_name() is None


def test_field_selector_keeps_whitespace_and_rejects_unknown_fields() -> None:
    # fields.splitTerm does not trim: "metadata.name " is a different, unsupported field.
    with pytest.raises(SelectorError, match="field label not supported: metadata.name $"):
        _fields("metadata.name =a")
    with pytest.raises(SelectorError, match="^field label not supported: spec.nodeName$"):
        _fields("spec.nodeName=n1")
    with pytest.raises(SelectorError, match=r"^invalid selector: 'metadata.name'; can't understand 'metadata.name'$"):
        _fields("metadata.name")
    # UnescapeValue: "," and "=" in values must be escaped; Go prints the rune as a number.
    with pytest.raises(SelectorError, match="^invalid field selector: unescaped character in value: 61$"):
        _fields("metadata.name=a=b")
    assert _fields(r"metadata.name=a\=b").matches({"metadata.name": "a=b"})


# ---------------------------------------------------------------- over HTTP


@pytest.fixture
def pods(api_server):
    """Pods in default and other, on the fake and on a real kube-apiserver."""
    for name, labels in [("db-0", {"app": "db", "tier": "backend"}), ("web-0", {"app": "web", "tier": "frontend"}),
                         ("cache-0", {"app": "cache"})]:
        api_server.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}})
    api_server.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-1", "namespace": "other",
                                                                       "labels": {"app": "db"}}})
    return Api(api_server, api_server.admin_token)


def _names(api: Api, path: str, **params: str) -> list[str]:
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    return [i["metadata"]["name"] for i in r.json()["items"]]


@pytest.mark.parametrize(
    "selector, names",
    [
        ("app=db", ["db-0"]),
        ("app==db", ["db-0"]),
        ("app!=db", ["cache-0", "web-0"]),
        ("app in (db,web)", ["db-0", "web-0"]),
        ("app notin (db,web)", ["cache-0"]),
        ("tier", ["db-0", "web-0"]),
        ("!tier", ["cache-0"]),
        ("app in (db, web) , tier!=frontend", ["db-0"]),
    ],
)
def test_label_selector_over_http(pods: Api, selector: str, names: list[str]) -> None:
    assert _names(pods, "/api/v1/namespaces/default/pods", labelSelector=selector) == names


def test_invalid_label_selector_is_400_status(pods: Api) -> None:
    r = pods.get("/api/v1/namespaces/default/pods", params={"labelSelector": "app in db"})
    assert r.status_code == 400
    assert r.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "unable to parse requirement: found 'db' expected: '('", "reason": "BadRequest", "code": 400,
    }


def test_field_selector_over_http(pods: Api) -> None:
    assert _names(pods, "/api/v1/pods", fieldSelector="metadata.name=db-1") == ["db-1"]
    assert _names(pods, "/api/v1/pods", fieldSelector="metadata.namespace==other") == ["db-1"]
    assert _names(pods, "/api/v1/namespaces/default/pods", fieldSelector="metadata.name!=db-0") == ["cache-0", "web-0"]
    assert _names(pods, "/api/v1/pods", fieldSelector="metadata.name=db-1,metadata.namespace=default") == []
    # Pods also select on status.phase / spec.nodeName, like the real pod registry.
    assert _names(pods, "/api/v1/namespaces/default/pods", fieldSelector="status.phase=Pending") == [
        "cache-0", "db-0", "web-0"]


def test_unknown_field_is_400(pods: Api) -> None:
    r = pods.get("/api/v1/namespaces/default/pods", params={"fieldSelector": "spec.foo=x"})
    assert r.status_code == 400
    assert r.json()["message"] == "field label not supported: spec.foo"
    assert r.json()["reason"] == "BadRequest"
    # Custom resources too (a real 1.32 server, not runtime.DefaultMetaV1FieldSelectorConversion's text).
    r = pods.get("/apis/example.com/v1/namespaces/default/widgets", params={"fieldSelector": "spec.foo=x"})
    assert r.status_code == 400
    assert r.json()["message"] == "field label not supported: spec.foo"
