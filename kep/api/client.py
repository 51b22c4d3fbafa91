"""Plain REST client for the Kubernetes API, on `requests` (the only module that imports it).

    client = Client(load_config(env))
    client.get(PODS, "ns", "name")               -> dict (the object)
    client.list(PODS, "ns", label_selector="a=b") -> dict (the List: items, metadata.resourceVersion)
    client.discover("argoproj.io/v1alpha1")      -> dict (APIResourceList)
    client.watch(PODS, "ns", resource_version=rv) -> Iterator[WatchEvent] (one stream)
    client.create(SELF_SUBJECT_RULES_REVIEWS, None, {...}) -> dict (only for reviews: kep writes nothing)

Rules:
- TLS is verified against the configured CA only (system roots only when the
  kubeconfig names no CA); `insecure-skip-tls-verify` turns it off, with one warning.
- A token file is re-read when its mtime/size/inode change, at least every minute,
  and once after a 401 (then the request is retried once). The token never appears in
  a log line, an exception or a repr.
- An exec credential plugin (kep.api.execplugin) gives the token or the client
  certificate: run at the first request, again once its credential expires and once
  after a 401 (then the request is retried once). A new client certificate replaces the
  connection pool (client-go closes its connections on rotation; here open watch streams
  end on their own). A plugin that fails is retried like a refused connection, then
  NoCredentials.
- Every request has a (connect, read) timeout; a watch reads for timeoutSeconds + 15 s.
- Connection errors, timeouts, 5xx and 429 are retried `max_retries` times with capped
  exponential backoff and full jitter; `Retry-After: <seconds>` on 429/503 is obeyed
  (capped at 60 s). Then ServerError / Unreachable. A TLS verification failure is not
  retried. `on_retry(error)`, when given, hears of each failed attempt before its retry
  (so a caller can say at once that the server is unreachable, and why).
- 401/403/404/410 become Unauthorized/Forbidden/NotFound/Gone at once, carrying the
  Status, verb, qualified resource, namespace and name; other 4xx become ServerError.
- Watch: an ERROR event raises the typed error (410 -> Gone, 403 -> Forbidden); a
  stream that breaks or times out simply ends (the caller watches again from its last
  resourceVersion). Bad JSON on the stream raises ServerError.

Thread-safe: requests are built and sent without a Session (no cookies, no redirects,
no .netrc), over one connection pool; proxies come from the kubeconfig's proxy-url, else
from HTTPS_PROXY/NO_PROXY like client-go. Retries wait with the injected `sleep`: an
engine may pass `sleep=stop_event.wait` so that no retry pause outlives a shutdown.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

import kep
from kep import neterrors
from kep.api.backoff import Backoff
from kep.api.clusterconfig import ClusterConfig
from kep.api.errors import (
    ApiError, Forbidden, Gone, NoCredentials, NotFound, OnRetry, PluginFailed, ServerError, Unauthorized, Unreachable,
)
from kep.api.events import ERROR, WatchEvent
from kep.api.resources import Resource, group_version_path, resource_path
from kep.errors import ConfigError

if TYPE_CHECKING:
    from kep.api.execplugin import Credential, ExecPlugin

log = logging.getLogger(__name__)

TOKEN_MAX_AGE = 60.0
"""Seconds after which a token file is re-read even if it looks unchanged."""
WATCH_READ_SLACK = 15.0
"""A watch's read timeout is its timeoutSeconds plus this."""
RETRY_AFTER_CAP = 60.0
_POOL_SIZE = 128
"""Connections kept per host: each open watch holds one, so keep room for many sources."""

_TYPED: dict[int, type[ApiError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound, 410: Gone}
_RETRYABLE = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True, slots=True)
class _Target:
    """What a request is about, for error messages."""

    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None

    def error(self, code: int, status: dict[str, Any]) -> ApiError:
        cls = _TYPED.get(code, ServerError)
        return cls(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, code=code, status=status
        )

    def unreachable(self, detail: str) -> Unreachable:
        return Unreachable(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, detail=detail
        )

    def no_credentials(self, detail: str) -> NoCredentials:
        return NoCredentials(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, detail=detail
        )


class _Token:
    """The bearer token: fixed, or read from a file that rotates."""

    def __init__(self, fixed: str | None, path: str | None, clock: Callable[[], float]) -> None:
        self._fixed = fixed
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._read_at = 0.0
        self._warned = False

    def __repr__(self) -> str:
        return f"_Token(path={self._path!r})"

    @property
    def from_file(self) -> bool:
        return self._path is not None

    def current(self) -> str | None:
        if self._path is None:
            return self._fixed
        with self._lock:
            stamp = self._stat()
            if self._value is None or stamp != self._stamp or self._clock() - self._read_at >= TOKEN_MAX_AGE:
                self._read(stamp)
            return self._value

    def reread(self) -> None:
        if self._path is not None:
            with self._lock:
                self._read(self._stat())

    def _stat(self) -> tuple[int, int, int] | None:
        assert self._path is not None
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self, stamp: tuple[int, int, int] | None) -> None:
        assert self._path is not None
        self._read_at = self._clock()
        try:
            with open(self._path, encoding="utf-8") as f:
                value = f.read().strip()
        except (OSError, UnicodeDecodeError) as e:
            if not self._warned:
                reason = e.strerror if isinstance(e, OSError) and e.strerror else "not UTF-8 text"
                log.warning("cannot read token file %s: %s; keeping the previous token", self._path, reason)
                self._warned = True
            return
        self._warned = False
        self._stamp = stamp
        if value != self._value and self._value is not None:
            log.info("token file %s changed; using the new token", self._path)
        self._value = value or None


def _ssl_context(config: ClusterConfig) -> ssl.SSLContext:
    """Verification against the configured CA only; the client certificate in memory."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    what = "certificate authority"
    try:
        if config.insecure_skip_tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif config.ca_data:
            ctx.load_verify_locations(cadata=config.ca_data.decode("ascii", "replace"))
        elif config.ca_file:
            ctx.load_verify_locations(cafile=config.ca_file)
        else:
            ctx.load_default_certs()
        what = "client certificate"
        if config.client_cert_data or config.client_key_data:
            _load_cert_data(ctx, config)
        elif config.client_cert_file:
            ctx.load_cert_chain(config.client_cert_file, config.client_key_file)
    except (ssl.SSLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or str(e)
        raise ConfigError([f"{config.source}: cannot load the {what}: {reason}"]) from None
    return ctx


def _load_cert_data(ctx: ssl.SSLContext, config: ClusterConfig) -> None:
    """`load_cert_chain` wants paths: write private temporary files, load, delete at once."""
    tmp = tempfile.mkdtemp(prefix="kep-")
    try:
        paths = []
        for name, data, path in (
            ("cert.pem", config.client_cert_data, config.client_cert_file),
            ("key.pem", config.client_key_data, config.client_key_file),
        ):
            if data is None:
                paths.append(path)
                continue
            full = os.path.join(tmp, name)
            fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            paths.append(full)
        ctx.load_cert_chain(paths[0] or "", paths[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _TLSAdapter(requests.adapters.HTTPAdapter):
    """Uses our SSLContext for every connection and never requests' CA bundle."""

    def __init__(self, ctx: ssl.SSLContext, server_hostname: str | None) -> None:
        self._ctx = ctx
        self._server_hostname = server_hostname
        self._cert_reqs = "CERT_NONE" if ctx.verify_mode == ssl.CERT_NONE else "CERT_REQUIRED"
        super().__init__(pool_connections=2, pool_maxsize=_POOL_SIZE, max_retries=0)

    def build_connection_pool_key_attributes(  # type: ignore[override]
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[Any, dict[str, Any]]:
        host_params, _ = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs: dict[str, Any] = {"ssl_context": self._ctx, "cert_reqs": self._cert_reqs}
        if self._server_hostname:
            pool_kwargs["server_hostname"] = self._server_hostname
            pool_kwargs["assert_hostname"] = self._server_hostname
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        if url.lower().startswith("https"):
            conn.cert_reqs = self._cert_reqs
            conn.ca_certs = None
            conn.ca_cert_dir = None
            conn.cert_file = None
            conn.key_file = None


def _describe(exc: BaseException, server: str, timeout: tuple[float, float]) -> str:
    """One short line for a transport failure (no URL query, no headers)."""
    if isinstance(exc, requests.exceptions.SSLError):
        for e in neterrors.chain(exc):
            if isinstance(e, ssl.SSLCertVerificationError):
                return f"TLS verification of {server} against the configured CA failed: {e.verify_message}"
            if type(e).__name__ == "CertificateError":  # urllib3's own host name check
                return f"TLS verification of {server} failed: {e}"
        for e in neterrors.chain(exc):
            if isinstance(e, ssl.SSLError):
                return f"TLS handshake with {server} failed: {neterrors.why(e)}"
        return f"TLS handshake with {server} failed"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"{server}: no connection within {timeout[0]:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"{server}: no answer within {timeout[1]:g} s"
    for e in neterrors.chain(exc):
        if isinstance(e, socket.gaierror):
            return f"{server}: cannot resolve the host name ({e.strerror})"
        if isinstance(e, ConnectionRefusedError):
            return f"{server}: connection refused"
        if isinstance(e, OSError) and e.strerror:
            return f"{server}: {e.strerror}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{server}: the answer was cut off"
    return f"{server}: {type(exc).__name__}"


def _status_of(resp: requests.Response) -> dict[str, Any]:
    """The Status body, or a made-up one holding the first line of whatever came."""
    try:
        body = resp.json()
    except (ValueError, requests.exceptions.RequestException):
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        return body
    try:
        text = resp.text.strip()
    except requests.exceptions.RequestException:
        text = ""
    first = text.splitlines()[0][:200] if text else (resp.reason or "")
    return {"kind": "Status", "code": resp.status_code, "message": first}


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    return None


def _selectors(label_selector: str | None, field_selector: str | None) -> dict[str, str]:
    params = {}
    if label_selector:
        params["labelSelector"] = label_selector
    if field_selector:
        params["fieldSelector"] = field_selector
    return params


class Client:
    """See the module docstring. One per process; shared by every thread."""

    def __init__(
        self,
        config: ClusterConfig,
        *,
        user_agent: str | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        max_retries: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        backoff_initial: float = 0.5,
        backoff_cap: float = 8.0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """`environ`: kep's environment as cli was given it, for an exec credential plugin
        (None: os.environ)."""
        self.config = config
        self._base = config.server.rstrip("/")
        self._headers = {
            "User-Agent": user_agent or f"kep/{kep.__version__}",
            "Accept": "application/json",
        }
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self.max_retries = max_retries
        self._timeout = (connect_timeout, read_timeout)
        self._backoff = (backoff_initial, backoff_cap)
        self._token = _Token(config.token, config.token_file, clock)
        self._plugin: ExecPlugin | None = None
        if config.exec is not None:  # only then: subprocess and friends cost in-cluster start-up
            from kep.api.execplugin import ExecPlugin

            self._plugin = ExecPlugin(config, environ=environ)
        self._identity: tuple[bytes, bytes] | None = None
        """The exec plugin's client certificate and key the adapter presents."""
        self._identity_lock = threading.Lock()
        if config.server.startswith("https://"):
            if config.insecure_skip_tls_verify:
                log.warning(
                    "%s: insecure-skip-tls-verify is set: the API server's certificate is NOT verified",
                    config.source,
                )
                import warnings

                warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            self._adapter: requests.adapters.HTTPAdapter = _TLSAdapter(_ssl_context(config), config.tls_server_name)
        else:
            self._adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=_POOL_SIZE, max_retries=0)
        if config.proxy_url:
            self._proxies: dict[str, str] = {"https": config.proxy_url, "http": config.proxy_url}
        else:
            self._proxies = dict(requests.utils.get_environ_proxies(self._base))

    def __repr__(self) -> str:
        return f"Client(server={self._base!r}, source={self.config.source!r})"

    def close(self) -> None:
        self._adapter.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API ------------------------------------------------------------

    def get(self, resource: Resource, namespace: str | None, name: str, *,
            on_retry: OnRetry | None = None) -> dict[str, Any]:
        target = _Target("get", resource.qualified, namespace if resource.namespaced else None, name)
        return self._json(target, resource_path(resource, namespace, name), {}, on_retry)

    def list(
        self,
        resource: Resource,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        on_retry: OnRetry | None = None,
    ) -> dict[str, Any]:
        target = _Target("list", resource.qualified, namespace if resource.namespaced else None)
        params = _selectors(label_selector, field_selector)
        return self._json(target, resource_path(resource, namespace), params, on_retry)

    def create(self, resource: Resource, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]:
        """POST an object, one attempt (no retry): kep creates only access reviews, which
        store nothing and are worth no delay."""
        target = _Target("create", resource.qualified, namespace if resource.namespaced else None)
        body = json.dumps(obj).encode()
        resp = self._send(target, resource_path(resource, namespace), {}, method="POST", body=body, retries=0)
        return self._body(target, resp)

    def discover(self, api_version: str, *, on_retry: OnRetry | None = None) -> dict[str, Any]:
        target = _Target("get", "API group/version", None, api_version)
        return self._json(target, group_version_path(api_version), {}, on_retry)

    def watch(
        self,
        resource: Resource,
        namespace: str | None,
        *,
        resource_version: str,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int = 300,
        allow_bookmarks: bool = True,
    ) -> Iterator[WatchEvent]:
        """Open one watch stream (errors opening it raise here) and return its events."""
        target = _Target("watch", resource.qualified, namespace if resource.namespaced else None)
        params = {"watch": "1", "resourceVersion": resource_version, "timeoutSeconds": str(int(timeout_seconds))}
        if allow_bookmarks:
            params["allowWatchBookmarks"] = "true"
        params.update(_selectors(label_selector, field_selector))
        read_timeout = timeout_seconds + WATCH_READ_SLACK
        resp = self._send(target, resource_path(resource, namespace), params, stream=True, read_timeout=read_timeout)
        return self._events(target, resp)

    # -- plumbing -----------------------------------------------------------

    def _json(self, target: _Target, path: str, params: Mapping[str, str],
              on_retry: OnRetry | None = None) -> dict[str, Any]:
        return self._body(target, self._send(target, path, params, on_retry=on_retry))

    @staticmethod
    def _body(target: _Target, resp: requests.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise target.error(resp.status_code, {"message": "the answer is not a JSON object"})
        return body

    def _send(
        self,
        target: _Target,
        path: str,
        params: Mapping[str, str],
        *,
        stream: bool = False,
        read_timeout: float | None = None,
        on_retry: OnRetry | None = None,
        method: str = "GET",
        body: bytes | None = None,
        retries: int | None = None,
    ) -> requests.Response:
        timeout = (self._timeout[0], read_timeout or self._timeout[1])
        backoff = Backoff(*self._backoff, jitter="full", reset_after=None, rand=self._rand, clock=self._clock)
        url = self._base + path
        max_retries = self.max_retries if retries is None else retries
        attempt = 0
        reread = False
        while True:
            headers = dict(self._headers)
            try:
                token, credential = self._credentials()
            except PluginFailed as e:
                if attempt >= self.max_retries:
                    raise target.no_credentials(str(e)) from None
                delay = backoff.next()
                log.debug("%s %s: %s; retrying in %.1f s", target.verb, target.resource, e, delay)
                if on_retry is not None:
                    on_retry(target.no_credentials(str(e)))
                attempt += 1
                self._sleep(delay)
                continue
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                headers["Content-Type"] = "application/json"
            prepared = requests.Request(method, url, params=params, headers=headers, data=body).prepare()
            del headers, token
            try:
                sent = time.monotonic()
                resp = self._adapter.send(prepared, stream=True, timeout=timeout, proxies=self._proxies)
                if not stream or resp.status_code >= 300:
                    resp.content  # noqa: B018  (read the body now, inside the try)
                if log.isEnabledFor(logging.DEBUG):  # KEP_DEBUG=1; nothing spent otherwise
                    log.debug("%s %s: %d in %.0f ms", method, prepared.path_url, resp.status_code,
                              (time.monotonic() - sent) * 1000)
            except requests.exceptions.SSLError as e:
                raise target.unreachable(_describe(e, self._base, timeout)) from None
            except _RETRYABLE as e:
                detail = _describe(e, self._base, timeout)
                if attempt >= max_retries:
                    raise target.unreachable(detail) from None
                delay = backoff.next()
                log.debug("%s %s: %s; retrying in %.1f s", target.verb, target.resource, detail, delay)
                if on_retry is not None:
                    on_retry(target.unreachable(detail))
            except requests.exceptions.RequestException as e:
                raise target.unreachable(_describe(e, self._base, timeout)) from None
            else:
                code = resp.status_code
                if code < 300:
                    return resp
                status = _status_of(resp)
                resp.close()
                if code == 401 and not reread and self._plugin is not None and credential is not None:
                    reread = True
                    log.info("%s %s: 401 Unauthorized; running the exec plugin again", target.verb, target.resource)
                    self._plugin.reject(credential)
                    continue
                if code == 401 and not reread and self._token.from_file:
                    reread = True
                    log.info("%s %s: 401 Unauthorized; re-reading the token", target.verb, target.resource)
                    self._token.reread()
                    continue
                if code != 429 and code < 500:
                    raise target.error(code, status)
                if attempt >= max_retries:
                    raise target.error(code, status)
                waited = _retry_after(resp) if code in (429, 503) else None
                delay = waited if waited is not None else backoff.next()
                log.debug("%s %s: answered %d; retrying in %.1f s", target.verb, target.resource, code, delay)
                if on_retry is not None:
                    on_retry(target.error(code, status))
            attempt += 1
            self._sleep(delay)

    def _credentials(self) -> tuple[str | None, Credential | None]:
        """The bearer token to send, and the exec plugin's credential it came from (if any)."""
        if self._plugin is None:
            return self._token.current(), None
        credential = self._plugin.credential()
        if credential.client_cert and credential.client_key:
            try:
                self._present(credential.client_cert, credential.client_key)
            except ConfigError as e:
                self._plugin.reject(credential)
                raise PluginFailed(f"{self._plugin.name} returned a client certificate kep cannot use: {e}") from None
        return credential.token, credential

    def _present(self, cert: bytes, key: bytes) -> None:
        """Connect with this client certificate from now on: a new pool, the old one closed."""
        with self._identity_lock:
            if self._identity == (cert, key) or not self.config.server.startswith("https://"):
                return
            identity = dataclasses.replace(
                self.config, client_cert_data=cert, client_key_data=key, client_cert_file=None, client_key_file=None
            )
            old, self._adapter = self._adapter, _TLSAdapter(_ssl_context(identity), self.config.tls_server_name)
            self._identity = (cert, key)
            old.close()

    def _events(self, target: _Target, resp: requests.Response) -> Iterator[WatchEvent]:
        try:
            for line in _lines(resp):
                try:
                    event = json.loads(line)
                    kind = event["type"]
                    obj = event["object"]
                except (ValueError, KeyError, TypeError):
                    raise target.error(200, {"message": "malformed watch event"}) from None
                if not isinstance(kind, str) or not isinstance(obj, dict):
                    raise target.error(200, {"message": "malformed watch event"})
                if kind == ERROR:
                    code = obj.get("code")
                    if not isinstance(code, int) or code < 400:
                        code = 410 if obj.get("reason") in ("Expired", "Gone") else 500
                    raise target.error(code, obj)
                yield WatchEvent(kind, obj)
        except (
            requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as e:
            log.debug("%s %s: stream ended: %s", target.verb, target.resource, _describe(e, self._base, self._timeout))
        finally:
            resp.close()


def _lines(resp: requests.Response) -> Iterator[bytes]:
    """Lines of a streamed body as they arrive (chunk by chunk, never waiting to fill a buffer)."""
    raw = resp.raw
    chunks: Iterator[bytes]
    if getattr(raw, "chunked", False) and raw.supports_chunked_reads():
        chunks = raw.stream(None, decode_content=True)
    else:
        chunks = iter(lambda: raw.read1(65536, decode_content=True), b"")
    pending = b""
    for chunk in chunks:
        pending += chunk
        while (nl := pending.find(b"\n")) >= 0:
            line, pending = pending[:nl].strip(), pending[nl + 1 :]
            if line:
                yield line
    if pending.strip():
        yield pending.strip()
