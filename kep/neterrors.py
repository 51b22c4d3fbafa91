"""Why a network operation failed, in words, from the exceptions (never their text): one
walker of wrapped exceptions (`chain`), one table of route errors (`NO_ROUTE`), and the
reason a TLS handshake failed (`why`), for every place kep names a failure: the API
client's connection, DEPENDENCY_TCP and DEPENDENCY_HTTP.

OpenSSL speaks of its own machinery: an https:// URL on a port that serves plain HTTP
reads `[SSL: WRONG_VERSION_NUMBER] wrong version number` (the server's first bytes were no
TLS record), which tells a user nothing of what to fix. One table, so that every place
kep names a failed handshake (an HTTP dependency, and the API client's own connection)
says the same thing.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl  # imported by whoever has a TLS error to explain: a socket-only wait never loads it

NO_ROUTE = {errno.EHOSTUNREACH: "no route to host", errno.ENETUNREACH: "network unreachable"}

CLOSED = "the server closed the connection"
MEANINGS = {
    "WRONG_VERSION_NUMBER": "the server answered without TLS (a plain-HTTP port? is the URL's scheme right?)",
    "UNEXPECTED_EOF_WHILE_READING": CLOSED,
}


def why(error: ssl.SSLError) -> str:
    """The reason in words: the meaning of OpenSSL's reason code where kep knows it, else
    the code itself as words (`TLSV1_ALERT_INTERNAL_ERROR`: "tlsv1 alert internal error").
    A connection closed mid-handshake comes as its own type, with no reason code."""
    import ssl

    if isinstance(error, (ssl.SSLZeroReturnError, ssl.SSLEOFError)):
        return CLOSED
    reason = error.reason or ""
    return MEANINGS.get(reason) or reason.lower().replace("_", " ") or "no reason given"


def chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: urllib3 keeps causes in `reason` and in args, Python in
    __cause__/__context__; breadth-first, each once."""
    queue, seen = [exc], set()
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        queue.extend(w for w in wrapped if isinstance(w, BaseException))
