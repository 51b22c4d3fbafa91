"""Why a TLS handshake failed, in words, from OpenSSL's reason code.

OpenSSL speaks of its own machinery: an https:// URL on a port that serves plain HTTP
reads `[SSL: WRONG_VERSION_NUMBER] wrong version number` (the server's first bytes were no
TLS record), which tells a user nothing of what to fix. One table, so that every place
kep names a failed handshake (an HTTP dependency, and the API client's own connection)
says the same thing.
"""

from __future__ import annotations

import ssl

CLOSED = "the server closed the connection"
MEANINGS = {
    "WRONG_VERSION_NUMBER": "the server answered without TLS (a plain-HTTP port? is the URL's scheme right?)",
    "UNEXPECTED_EOF_WHILE_READING": CLOSED,
}


def why(error: ssl.SSLError) -> str:
    """The reason in words: the meaning of OpenSSL's reason code where kep knows it, else
    the code itself as words (`TLSV1_ALERT_INTERNAL_ERROR`: "tlsv1 alert internal error").
    A connection closed mid-handshake comes as its own type, with no reason code."""
    if isinstance(error, (ssl.SSLZeroReturnError, ssl.SSLEOFError)):
        return CLOSED
    reason = error.reason or ""
    return MEANINGS.get(reason) or reason.lower().replace("_", " ") or "no reason given"
