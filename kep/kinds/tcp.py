"""TCP endpoint `host:port`: met when a connection opens (closed at once, nothing sent).

The name is resolved at every attempt (DNS, or the record, may come up after
kep). Each address is tried in the resolver's order, all within one attempt's
timeout (kep.attempt), and the reason names the case: cannot resolve,
connection refused, timed out, no route. Addresses in a reason are sorted, so
round-robin DNS does not change the reason (logged once per change) at each try.
"""

from __future__ import annotations

import socket
import time

from kep import attempt, neterrors
from kep.specs import Settings, Tcp
from kep.verdict import Verdict, met, pending



RECHECK_WHEN_MET = True
"""An endpoint can go away: checked again until the exec."""


def explain(spec: Tcp, settings: Settings) -> str:
    return (f"connect to {str(spec).split(' ', 1)[1]} every {settings.interval:g}s, "
            "and once more right before the exec")


def check(spec: Tcp, settings: Settings) -> Verdict:
    timeout = attempt.timeout_for(settings)
    verdict = attempt.run(lambda: connect(spec, timeout), timeout, name=f"check {spec}")
    return verdict or pending(f"timed out after {timeout:g}s")


def connect(spec: Tcp, timeout: float) -> Verdict:
    """Resolve, then connect to each address until one opens, within `timeout` in all."""
    deadline = time.monotonic() + timeout
    try:
        infos = socket.getaddrinfo(spec.host, spec.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return pending(f"cannot resolve {spec.host}: {exc.strerror}")
    except UnicodeError:
        return pending(f"cannot resolve {spec.host}: not a valid name")
    failures: dict[str, set[str]] = {}
    for family, kind, proto, _, address in infos:
        shown = str(address[0])
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failures.setdefault(f"timed out after {timeout:g}s", set()).add(shown)
            break
        with socket.socket(family, kind, proto) as sock:
            sock.settimeout(remaining)
            try:
                sock.connect(address)
            except OSError as exc:
                failures.setdefault(_describe(exc, timeout), set()).add(shown)
            else:
                return met(f"connected to {shown}")
    return pending("; ".join(f"{what} ({', '.join(sorted(where))})" for what, where in sorted(failures.items())))


def _describe(exc: OSError, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if exc.errno in neterrors.NO_ROUTE:
        return neterrors.NO_ROUTE[exc.errno]
    return exc.strerror or type(exc).__name__
