"""tcp: met when a connection opens; each failure named as what it is. Real local sockets."""

from __future__ import annotations

import errno
import socket

import pytest

from kep.kinds import tcp
from kep.specs import Settings, Tcp
from kep.verdict import State, met, pending
from tests.netservers import free_port, listen, unanswered

FAST = Settings(interval=1.0)
"""Attempts time out after 1 s."""


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback here")


def test_listener_that_opens_late_is_refused_then_met() -> None:
    port = free_port()
    assert tcp.check(Tcp("127.0.0.1", port), FAST) == pending("connection refused (127.0.0.1)")
    with listen("127.0.0.1", port):
        assert tcp.check(Tcp("127.0.0.1", port), FAST) == met("connected to 127.0.0.1")


@needs_ipv6
def test_ipv6_loopback() -> None:
    port = free_port("::1")
    assert tcp.check(Tcp("::1", port), FAST) == pending("connection refused (::1)")
    with listen("::1", port):
        assert tcp.check(Tcp("::1", port), FAST) == met("connected to ::1")


def test_connection_that_neither_opens_nor_is_refused_times_out() -> None:
    with unanswered() as port:
        assert tcp.check(Tcp("127.0.0.1", port), FAST) == pending("timed out after 1s (127.0.0.1)")


def test_name_that_does_not_resolve_says_so() -> None:
    verdict = tcp.check(Tcp("nonexistent.invalid", 80), FAST)
    assert verdict.state is State.PENDING
    assert verdict.reason.startswith("cannot resolve nonexistent.invalid: ")


def test_name_is_resolved_at_every_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    answers: list[list[str]] = [[], ["127.0.0.1"]]

    def getaddrinfo(host: str, port: int, type: int = 0) -> list[tuple]:  # noqa: A002
        addresses = answers.pop(0)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(tcp.socket, "getaddrinfo", getaddrinfo)
    with listen("127.0.0.1", port):
        assert tcp.check(Tcp("db", port), FAST) == pending("cannot resolve db: Name or service not known")
        assert tcp.check(Tcp("db", port), FAST) == met("connected to 127.0.0.1")


def test_every_address_is_tried_and_the_reason_lists_them_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Round-robin DNS must not change the reason (logged once per change) at each attempt."""
    port = free_port()
    orders = [["127.0.0.3", "127.0.0.2"], ["127.0.0.2", "127.0.0.3"]]
    monkeypatch.setattr(tcp.socket, "getaddrinfo", lambda host, port, type=0: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in orders.pop(0)])
    reasons = {tcp.check(Tcp("db", port), FAST).reason for _ in range(2)}
    assert reasons == {"connection refused (127.0.0.2, 127.0.0.3)"}


def test_first_address_that_opens_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setattr(tcp.socket, "getaddrinfo", lambda host, port, type=0: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in ("127.0.0.2", "127.0.0.1")])
    with listen("127.0.0.1", port):
        assert tcp.check(Tcp("db", port), FAST) == met("connected to 127.0.0.1")


@pytest.mark.parametrize("error, reason", [
    (OSError(errno.EHOSTUNREACH, "No route to host"), "no route to host"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "network unreachable"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "connection refused"),
    (TimeoutError("timed out"), "timed out after 2s"),
    (OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), "Cannot assign requested address"),
])
def test_connect_errors_are_named(error: OSError, reason: str) -> None:
    assert tcp._describe(error, 2.0) == reason
