"""DEPENDENCY_TCP items and DEPENDENCY_HTTP(_JSON) endpoints as specs, or what is wrong.

- A TCP item is `host:port`, `[IPv6]:port` in brackets; the host is a DNS name
  or an IPv4 address (resolved later, at every attempt), the port 1-65535.
- A URL is http:// or https:// with a host and, if given, a port 1-65535.
  Userinfo is allowed (sent as basic auth), and shown masked, like the query:
  an item in a message goes through kep.redact.
- In DEPENDENCY_HTTP_JSON, "status" is an array of codes 100-599 (default: any
  2xx), "method" one of the safe methods (kep repeats it every interval),
  "headers" an object of strings whose values never appear in any output,
  "caFile" a PEM file to verify against instead of the bundled CA set, and
  "insecure" a bool; caFile and insecure exclude each other, and insecure warns.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kep import redact
from kep.envparse.jsonvalue import GoObject, is_array, type_name
from kep.envparse.quote import quote
from kep.specs import Headers, Http, Tcp

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_HOST_PART = re.compile(r"[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""An HTTP field name (RFC 9110 token)."""
_FIELD_VALUE = re.compile(r"(\S[^\r\n\0]*)?")
"""A header value requests sends: empty, or no leading space and no line break."""
_TCP_SHAPE = "(expected host:port, or [address]:port for IPv6)"

Report = Callable[[str], None]


def tcp(item: str) -> Tcp | str:
    """The spec, or what is wrong with the item (to follow the item in a message)."""
    if "://" in item:
        return f"is a URL {_TCP_SHAPE}"
    if item.startswith("["):
        host, bracket, rest = item[1:].partition("]")
        if not bracket:
            return f'has an unclosed "[" {_TCP_SHAPE}'
        if not _is_ipv6(host):
            return f"has {quote(host)} in brackets, which is not an IPv6 address"
        if not rest.startswith(":"):
            return f"has no port {_TCP_SHAPE}"
        port_text = rest[1:]
    else:
        host, colon, port_text = item.rpartition(":")
        if not colon:
            return f"has no port {_TCP_SHAPE}"
        if _is_ipv6(item) or _is_ipv6(host):
            return f"is an IPv6 address without brackets {_TCP_SHAPE}"
        if ":" in host:
            return f'has more than one ":" {_TCP_SHAPE}'
        if not host:
            return f"has no host {_TCP_SHAPE}"
        if not is_host_name(host):
            return f"has host {quote(host)}, which is not a DNS name or an IPv4 address"
    port = _port(port_text)
    if port is None:
        return f"has port {quote(port_text)}, which is not a number from 1 to 65535"
    return Tcp(host, port)


def url_problem(url: str) -> str | None:
    """What is wrong with an HTTP(S) URL, or None."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return "has whitespace or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "has a malformed host (an IPv6 address goes in brackets: http://[::1]:8080/)"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if not parts.scheme or "://" not in url:
        return "has no scheme (expected http:// or https://)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"has scheme {quote(parts.scheme)} (expected http or https)"
    if port == 0:
        return "has a port that is not a number from 1 to 65535 (an IPv6 address goes in brackets)"
    if not parts.hostname:
        return "has no host"
    return None


def http_url(url: str) -> Http | str:
    """A DEPENDENCY_HTTP item: GET, any 2xx, the bundled CA set."""
    return url_problem(url) or Http(url)


def http_json(where: str, item: dict[str, Any], problem: Report, warn: Report) -> Http | None:
    """One DEPENDENCY_HTTP_JSON object (keys already case-folded), or None (reported)."""
    found: list[str] = []

    def report(line: str) -> None:
        found.append(line)
        problem(line)

    url: Any = item.get("url")
    if url is None or url == "":
        report(f'{where}: needs "url"')
    elif not isinstance(url, str):
        report(f'{where}: "url" must be a string, not {type_name(url)}')
    elif reason := url_problem(url):
        report(f"{where}: url {shown(url)} {reason}")
    method = _method(where, item.get("method"), report)
    statuses = _statuses(where, item.get("status"), report)
    headers = _headers(where, item.get("headers"), report)
    ca_file = item.get("cafile")
    ca_file = "" if ca_file is None else ca_file
    if not isinstance(ca_file, str):
        report(f'{where}: "caFile" must be a string, not {type_name(ca_file)}')
    insecure = item.get("insecure")
    insecure = False if insecure is None else insecure
    if not isinstance(insecure, bool):
        report(f'{where}: "insecure" must be a bool, not {type_name(insecure)}')
    elif insecure and ca_file:
        report(f'{where}: has both "caFile" and "insecure": true (give one)')
    if found or method is None or statuses is None or headers is None:
        return None
    if insecure:
        warn(f"{where}: insecure is true: the certificate of {redact.url(url)} is not verified")
    return Http(url, method, statuses, headers, ca_file=ca_file, insecure=insecure)


def shown(url: str) -> str:
    """A URL as a message quotes it: masked, then quoted."""
    return quote(redact.url(url))


def bad_item(url: str, problem: str, cut: bool) -> str:
    """A bad DEPENDENCY_HTTP item and its problem, as a message shows them. `cut`: the
    variable holds an "@", so a comma in a user name or password may have cut a URL in two;
    a piece before the "@" is then no longer masked as userinfo, so it is shown with no
    authority at all (any of user, password, host and port may be part of a password)."""
    before_at = cut and "@" not in url
    text = quote(redact.url_without_authority(url)) if before_at else shown(url)
    if before_at or (cut and "://" not in url):
        problem += " (a comma in a URL splits the item: write it as %2C, or use DEPENDENCY_HTTP_JSON)"
    return f"{text} {problem}"


def is_host_name(text: str) -> bool:
    """A DNS name (letters, digits, "-", "_"; a trailing dot allowed) or an IPv4 address."""
    name = text.removesuffix(".")
    return 0 < len(name) <= 253 and all(len(p) <= 63 and _HOST_PART.fullmatch(p) for p in name.split("."))


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _port(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 5:
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def _method(where: str, value: Any, problem: Report) -> str | None:
    if value is None or value == "":
        return "GET"
    if not isinstance(value, str):
        problem(f'{where}: "method" must be a string, not {type_name(value)}')
        return None
    if value.upper() not in SAFE_METHODS:
        problem(f"{where}: method {quote(value)} is not one of {', '.join(SAFE_METHODS)} "
                "(kep repeats it every interval: a check must change nothing)")
        return None
    return value.upper()


def _statuses(where: str, value: Any, problem: Report) -> frozenset[int] | None:
    if value is None:
        return frozenset()
    good = is_array(value) and bool(value) and all(
        isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599 for code in value)
    if not good:
        problem(f'{where}: "status" must be a non-empty array of status codes (100 to 599), e.g. [200, 204]')
        return None
    return frozenset(value)


def _headers(where: str, value: Any, problem: Report) -> Headers | None:
    """Header pairs, the last of the same name (case-insensitive) winning; None when bad
    (reported by name: a value is never shown)."""
    if value is None:
        return ()
    if not isinstance(value, GoObject):
        problem(f'{where}: "headers" must be an object of strings, not {type_name(value)}')
        return None
    pairs: dict[str, tuple[str, str]] = {}
    bad = False
    for name, text in value:
        if not _TOKEN.fullmatch(name):
            problem(f"{where}: header name {quote(name)} is not a valid HTTP field name")
            bad = True
        elif not isinstance(text, str):
            problem(f"{where}: header {quote(name)} must have a string value, not {type_name(text)}")
            bad = True
        elif not _FIELD_VALUE.fullmatch(text):
            problem(f"{where}: header {quote(name)} has a value with a line break, a NUL "
                    "or leading whitespace (value not shown)")
            bad = True
        else:
            pairs[name.casefold()] = (name, text)
    return None if bad else tuple(pairs.values())
