"""DEPENDENCY_TCP, DEPENDENCY_HTTP and DEPENDENCY_HTTP_JSON: every form, every bad form, and
no credential in any message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kep.envparse import parse
from kep.errors import ConfigError
from kep.specs import Http, Tcp

SECRETS = ("s3cret", "hunter2", "tok3n")


def specs(env: dict[str, str]) -> tuple[Any, ...]:
    return parse(env).specs


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(env)
    return caught.value.problems


def http_json(**item: Any) -> dict[str, str]:
    return {"DEPENDENCY_HTTP_JSON": json.dumps([{"url": "https://api.example/health", **item}])}


# --- DEPENDENCY_TCP ------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("db:5432", (Tcp("db", 5432),)),
    (" db.ns.svc.cluster.local.:5432 , ,10.0.0.1:1", (Tcp("db.ns.svc.cluster.local.", 5432), Tcp("10.0.0.1", 1))),
    ("[::1]:8080,[fe80::1%eth0]:22", (Tcp("::1", 8080), Tcp("fe80::1%eth0", 22))),
    ("DB_1.example:65535", (Tcp("DB_1.example", 65535),)),
    ("db:5432,db:5432", (Tcp("db", 5432),)),
])
def test_tcp_items_become_specs(value: str, expected: tuple[Tcp, ...]) -> None:
    assert specs({"DEPENDENCY_TCP": value}) == expected


def test_tcp_spec_names_ipv6_in_brackets() -> None:
    assert [str(s) for s in specs({"DEPENDENCY_TCP": "db:1,[::1]:2"})] == ["TCP db:1", "TCP [::1]:2"]


_SHAPE = "(expected host:port, or [address]:port for IPv6)"


@pytest.mark.parametrize("item, message", [
    ("db", f'item "db" has no port {_SHAPE}'),
    ("db:", 'item "db:" has port "", which is not a number from 1 to 65535'),
    ("db:0", 'item "db:0" has port "0", which is not a number from 1 to 65535'),
    ("db:65536", 'item "db:65536" has port "65536", which is not a number from 1 to 65535'),
    ("db:-1", 'item "db:-1" has port "-1", which is not a number from 1 to 65535'),
    ("db:http", 'item "db:http" has port "http", which is not a number from 1 to 65535'),
    ("db:٣", 'item "db:٣" has port "٣", which is not a number from 1 to 65535'),
    (":80", f'item ":80" has no host {_SHAPE}'),
    ("::1:80", f'item "::1:80" is an IPv6 address without brackets {_SHAPE}'),
    ("fe80::1", f'item "fe80::1" is an IPv6 address without brackets {_SHAPE}'),
    ("[::1]", f'item "[::1]" has no port {_SHAPE}'),
    ("[::1]80", f'item "[::1]80" has no port {_SHAPE}'),
    ("[::1:80", f'item "[::1:80" has an unclosed "[" {_SHAPE}'),
    ("[db]:80", 'item "[db]:80" has "db" in brackets, which is not an IPv6 address'),
    ("a:b:c", f'item "a:b:c" has more than one ":" {_SHAPE}'),
    ("tcp://db:5432", f'item "tcp://db:5432" is a URL {_SHAPE}'),
    ("my db:80", 'item "my db:80" has host "my db", which is not a DNS name or an IPv4 address'),
    ("-db:80", 'item "-db:80" has host "-db", which is not a DNS name or an IPv4 address'),
    ("a..b:80", 'item "a..b:80" has host "a..b", which is not a DNS name or an IPv4 address'),
])
def test_bad_tcp_item_is_reported_with_variable_and_item(item: str, message: str) -> None:
    assert problems({"DEPENDENCY_TCP": item}) == [f"DEPENDENCY_TCP: {message}"]


def test_every_bad_tcp_item_is_reported() -> None:
    assert len(problems({"DEPENDENCY_TCP": "a,b:1,c,d:0"})) == 3


# --- DEPENDENCY_HTTP ------------------------------------------------------------------------


def test_http_items_are_gets_expecting_2xx_with_the_bundled_cas() -> None:
    assert specs({"DEPENDENCY_HTTP": "http://a/health, https://b:8443/x?y=1"}) == (
        Http("http://a/health"), Http("https://b:8443/x?y=1"))


def test_http_and_http_json_both_count_in_that_order() -> None:
    env = {"DEPENDENCY_HTTP": "http://a/", **http_json()}
    assert specs(env) == (Http("http://a/"), Http("https://api.example/health"))


def test_network_dependencies_need_no_namespace_nor_pod_name() -> None:
    env = {"DEPENDENCY_TCP": "db:1", "DEPENDENCY_HTTP": "http://a/", "NAMESPACE": "Not_A_Namespace"}
    assert len(parse(env).specs) == 2
    assert not parse(env).needs_api


@pytest.mark.parametrize("item, reason", [
    ("ftp://h/", 'has scheme "ftp" (expected http or https)'),
    ("h:80", "has no scheme (expected http:// or https://)"),
    ("h/x", "has no scheme (expected http:// or https://)"),
    ("//h/x", "has no scheme (expected http:// or https://)"),
    ("http://", "has no host"),
    ("http:///x", "has no host"),
    ("http://h:0/", "has a port that is not a number from 1 to 65535 (an IPv6 address goes in brackets)"),
    ("http://h:99999/", "has a port that is not a number from 1 to 65535 (an IPv6 address goes in brackets)"),
    ("http://h:x/", "has a port that is not a number from 1 to 65535 (an IPv6 address goes in brackets)"),
    ("http://::1:80/", "has a port that is not a number from 1 to 65535 (an IPv6 address goes in brackets)"),
    ("http://[::1/", "has a malformed host (an IPv6 address goes in brackets: http://[::1]:8080/)"),
    ("http://h/a b", "has whitespace or control characters"),
])
def test_bad_url_is_reported_with_variable_and_item(item: str, reason: str) -> None:
    assert problems({"DEPENDENCY_HTTP": item}) == [f'DEPENDENCY_HTTP: item "{item}" {reason}']


@pytest.mark.parametrize("value", [
    "https://user:s3cret@h:99999/?token=tok3n",
    "ftp://user:s3cret@h/x?token=tok3n#hunter2",
    "https://s3cret@[::1/?tok3n",
])
def test_bad_url_is_reported_masked(value: str) -> None:
    for env in ({"DEPENDENCY_HTTP": value}, http_json(url=value)):
        found = problems(env)
        assert len(found) == 1 and "***" in found[0]
        assert not any(secret in found[0] for secret in SECRETS)


@pytest.mark.parametrize("value", [
    "https://admin:s3cret,hunter2@vault:8200/health",
    "https://admin,s3cret:hunter2@vault/",
    "https://a:s3cret,tok3n,hunter2@vault/x?tok3n",
])
def test_a_comma_in_credentials_cuts_the_url_and_no_piece_shows_them(value: str) -> None:
    """Items are split at commas before anything is parsed, so the piece before the "@" is
    not userinfo any more: no piece of the authority is shown, and the message says why."""
    found = problems({"DEPENDENCY_HTTP": value})
    assert found and all(line.startswith("DEPENDENCY_HTTP: item ") for line in found)
    assert found[0].endswith("(a comma in a URL splits the item: write it as %2C, or use DEPENDENCY_HTTP_JSON)")
    assert not any(secret in line for line in found for secret in (*SECRETS, "admin"))


def test_a_comma_escaped_in_credentials_is_one_url() -> None:
    (spec,) = specs({"DEPENDENCY_HTTP": "https://admin:s3cret%2Chunter2@vault:8200/health"})
    assert str(spec) == "HTTP https://***@vault:8200/health"


def test_good_url_with_credentials_is_masked_in_its_spec() -> None:
    (spec,) = specs({"DEPENDENCY_HTTP": "https://user:s3cret@h:8443/x?token=tok3n"})
    assert spec.url == "https://user:s3cret@h:8443/x?token=tok3n"
    assert str(spec) == "HTTP https://***@h:8443/x?***"
    assert repr(spec) == "<HTTP https://***@h:8443/x?***>"


# --- DEPENDENCY_HTTP_JSON ---------------------------------------------------------------------


def test_http_json_every_key() -> None:
    env = http_json(status=[204, 200], method="head", caFile="/etc/ca/ca.pem",
                    headers={"Authorization": "Bearer s3cret", "X-Empty": ""})
    assert specs(env) == (Http("https://api.example/health", "HEAD", frozenset({200, 204}),
                               (("Authorization", "Bearer s3cret"), ("X-Empty", "")), ca_file="/etc/ca/ca.pem"),)
    assert str(specs(env)[0]) == "HTTP HEAD https://api.example/health"
    assert "s3cret" not in repr(specs(env)[0])


def test_http_json_keys_match_like_go_and_nulls_mean_absent() -> None:
    env = {"DEPENDENCY_HTTP_JSON": '[{"URL": "http://a/", "Status": null, "METHOD": null, "headers": null,'
                                   ' "cafile": null, "Insecure": null, "unknown": 1}]'}
    assert specs(env) == (Http("http://a/"),)


def test_http_json_header_names_keep_case_and_the_last_of_one_name_wins() -> None:
    env = {"DEPENDENCY_HTTP_JSON": '[{"url": "http://a/", "headers": {"X-Key": "a", "x-key": "b", "Y": "c"}}]'}
    assert specs(env)[0].headers == (("x-key", "b"), ("Y", "c"))


def test_insecure_is_warned_once_with_the_url_masked() -> None:
    plan = parse(http_json(url="https://u:s3cret@h/?tok3n", insecure=True))
    assert plan.specs == (Http("https://u:s3cret@h/?tok3n", insecure=True),)
    assert plan.warnings == (
        "DEPENDENCY_HTTP_JSON: item 0: insecure is true: the certificate of https://***@h/?*** is not verified",)


@pytest.mark.parametrize("item, message", [
    ({"url": None}, 'needs "url"'),
    ({"url": ""}, 'needs "url"'),
    ({"url": 5}, '"url" must be a string, not a number'),
    ({"url": "gopher://h/"}, 'url "gopher://h/" has scheme "gopher" (expected http or https)'),
    ({"status": []}, '"status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]'),
    ({"status": 200}, '"status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]'),
    ({"status": [200.5]}, '"status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]'),
    ({"status": [True]}, '"status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]'),
    ({"status": [600]}, '"status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]'),
    ({"method": "POST"}, 'method "POST" is not one of GET, HEAD, OPTIONS '
                         "(kep repeats it every interval: a check must change nothing)"),
    ({"method": 1}, '"method" must be a string, not a number'),
    ({"headers": ["a"]}, '"headers" must be an object of strings, not an array'),
    ({"headers": {"A B": "x"}}, 'header name "A B" is not a valid HTTP field name'),
    ({"headers": {"X": 1}}, 'header "X" must have a string value, not a number'),
    ({"headers": {"X": "s3cret\r\nInjected: 1"}},
     'header "X" has a value with a line break, a NUL or leading whitespace (value not shown)'),
    ({"headers": {"X": " s3cret"}},
     'header "X" has a value with a line break, a NUL or leading whitespace (value not shown)'),
    ({"caFile": False}, '"caFile" must be a string, not a bool'),
    ({"insecure": "true"}, '"insecure" must be a bool, not a string'),
    ({"insecure": 0}, '"insecure" must be a bool, not a number'),
    ({"insecure": True, "caFile": "/ca.pem"}, 'has both "caFile" and "insecure": true (give one)'),
])
def test_bad_http_json_item(item: dict[str, Any], message: str) -> None:
    assert problems(http_json(**item)) == [f"DEPENDENCY_HTTP_JSON: item 0: {message}"]


def test_bad_http_json_document() -> None:
    assert problems({"DEPENDENCY_HTTP_JSON": '{"url": "http://a/"}'}) == [
        "DEPENDENCY_HTTP_JSON: must be a JSON array of objects, not an object"]
    assert problems({"DEPENDENCY_HTTP_JSON": "[{"})[0].startswith("DEPENDENCY_HTTP_JSON: invalid JSON: ")


def test_every_problem_of_an_http_json_item_is_reported() -> None:
    found = problems(http_json(url="ftp://h/", status=[], method="PUT", insecure=1))
    assert len(found) == 4


@pytest.mark.parametrize("name, meant", [
    ("DEPENDENCY_HTTPS", "DEPENDENCY_HTTP"),
    ("DEPENDENCY_TCPS", "DEPENDENCY_TCP"),
    ("DEPENDENCY_HTTPJSON", "DEPENDENCY_HTTP_JSON"),
])
def test_close_names_of_network_variables_are_an_error(name: str, meant: str) -> None:
    assert problems({name: "x"}) == [f"{name}: not a variable kep reads; did you mean {meant}?"]
