"""neterrors: OpenSSL's reason codes in words, the code itself where kep knows no meaning."""

from __future__ import annotations

import ssl

import pytest

from kep import neterrors


def _error(reason: str | None) -> ssl.SSLError:
    """An SSLError as the ssl module raises it, which sets `reason` from OpenSSL's code."""
    error = ssl.SSLError(1, f"[SSL: {reason}] whatever OpenSSL says (_ssl.c:1000)")
    error.reason = reason  # type: ignore[assignment]  # None where OpenSSL gives no code
    return error


@pytest.mark.parametrize(("reason", "said"), [
    ("WRONG_VERSION_NUMBER", "the server answered without TLS (a plain-HTTP port? is the URL's scheme right?)"),
    ("UNEXPECTED_EOF_WHILE_READING", "the server closed the connection"),
    ("TLSV1_ALERT_INTERNAL_ERROR", "tlsv1 alert internal error"),
    (None, "no reason given"),
])
def test_a_reason_is_said_in_words(reason: str | None, said: str) -> None:
    assert neterrors.why(_error(reason)) == said


@pytest.mark.parametrize("closed", [ssl.SSLZeroReturnError, ssl.SSLEOFError])
def test_a_connection_closed_during_the_handshake_says_so(closed: type[ssl.SSLError]) -> None:
    assert neterrors.why(closed(6, "TLS/SSL connection has been closed (EOF) (_ssl.c:992)")) == neterrors.CLOSED


def test_a_wait_with_no_tls_in_it_never_loads_ssl() -> None:
    """Start-up pays for ssl only where a TLS error can happen (issue 23: a cheap start)."""
    import subprocess
    import sys

    code = "import sys, kep.kinds, kep.engine.engine; print('ssl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
