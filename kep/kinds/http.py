"""HTTP(S) endpoint: met when `method` on the URL answers one of `statuses` (any 2xx
when none are given), redirects followed (at most 5).

HTTPS verifies the server against the CA set bundled with kep (certifi's, also
inside the one-file binary), or against `caFile`; never against nothing unless
`insecure` says so (warned once, when parsed). Proxies come from the usual
variables (HTTPS_PROXY, NO_PROXY, ...), as `requests` reads them. Only the
status line and headers are read, never the body. Each attempt is bounded by
kep.attempt; `requests` (and ssl) are imported at the first attempt, so only
an HTTP dependency pays for them.

No credential in any output: reasons are built here from what failed, never
from an exception's text (requests puts the URL, query included, in its
messages); URLs go through kep.redact, and header values appear nowhere.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from kep import __version__, attempt, neterrors, redact
from kep.specs import Http, Settings
from kep.verdict import Verdict, met, pending

if TYPE_CHECKING:
    import requests

MAX_REDIRECTS = 5


RECHECK_WHEN_MET = True
"""An endpoint can go away: checked again until the exec."""


def explain(spec: Http, settings: Settings) -> str:
    return (f"request {str(spec).split(' ', 1)[1]} every {settings.interval:g}s, "
            "and once more right before the exec")


def check(spec: Http, settings: Settings) -> Verdict:
    timeout = attempt.timeout_for(settings)
    if spec.ca_file and not os.path.isfile(spec.ca_file):
        return pending(f"caFile {spec.ca_file} does not exist (or is not a file)")
    verdict = attempt.run(lambda: request(spec, timeout), timeout, name=f"check {spec}")
    return verdict or pending(f"no answer within {timeout:g}s")


def request(spec: Http, timeout: float) -> Verdict:
    """One request, redirects followed; the verdict on the last answer."""
    import certifi
    import requests
    import urllib3

    if spec.insecure:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # kep warned once
    verify: str | bool = False if spec.insecure else spec.ca_file or certifi.where()
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        session.headers["User-Agent"] = f"kep/{__version__}"
        try:
            with session.request(spec.method, spec.url, headers=dict(spec.headers), timeout=(timeout, timeout),
                                 verify=verify, allow_redirects=True, stream=True) as response:
                return judge(spec, response)
        except requests.RequestException as exc:
            return pending(describe(exc, timeout))


def judge(spec: Http, response: requests.Response) -> Verdict:
    import http

    code = response.status_code
    answer = f"answered {code}"
    if code in http.HTTPStatus.__members__.values():
        answer += f" {http.HTTPStatus(code).phrase}"
    hops = len(response.history)
    if hops:
        answer += f" at {redact.url(response.url)} after {hops} redirect{'s' if hops > 1 else ''}"
    if code in spec.statuses or (not spec.statuses and 200 <= code < 300):
        return met(answer)
    expected = " or ".join(str(c) for c in sorted(spec.statuses)) if spec.statuses else "2xx"
    return pending(f"{answer} (expected {expected})")


def describe(exc: requests.RequestException, timeout: float) -> str:
    """Why a request failed, from the exception types along its chain (never their text)."""
    import socket
    import ssl

    import requests

    if isinstance(exc, requests.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, requests.ConnectTimeout):
        return f"connection timed out after {timeout:g}s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    causes = list(neterrors.chain(exc))
    url = urlsplit(exc.request.url or "") if exc.request is not None else None
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS: certificate verify failed: {cause.verify_message}"
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {_address(url)} failed: {neterrors.why(cause)}"
    host = url.hostname if url is not None else None
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve {host}: {cause.strerror}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in neterrors.NO_ROUTE:
            return neterrors.NO_ROUTE[cause.errno]
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused or failed the connection"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed: " + " <- ".join(type(c).__name__ for c in causes[1:4])
    return f"request failed: {type(exc).__name__}"


def _address(url: SplitResult | None) -> str:
    """host:port of the server a request went to (never the URL's userinfo or path)."""
    if url is None or url.hostname is None:
        return "the server"
    host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    return f"{host}:{url.port or (443 if url.scheme == 'https' else 80)}"
