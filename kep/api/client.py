"""Plain REST client for the Kubernetes API, on `requests` (the only module that imports it).

    client = Client(load_config(env))
    client.get(PODS, "ns", "name")               -> dict (the object)
    client.list(PODS, "ns", label_selector="a=b") -> dict (the List: items, metadata.resourceVersion)
    client.discover("argoproj.io/v1alpha1")      -> dict (APIResourceList)
    client.watch(PODS, "ns", resource_version=rv) -> Iterator[WatchEvent] (one stream)
    client.create(SELF_SUBJECT_RULES_REVIEWS, None, {...}) -> dict (access reviews, and kep's Events)
    client.patch(EVENTS, "ns", "name", {"count": 2})  -> dict (JSON merge patch: an Event's count)

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

The parts, one module each: kep.api.transport (TLS, the pool, proxies, why a connection
failed), kep.api.credentials (token rotation, exec plugins, what to do after a 401),
kep.api.retry (the one retry policy), kep.api.request (requests built as data).

Thread-safe: requests are built and sent without a Session (no cookies, no redirects,
no .netrc), over one connection pool; proxies come from the kubeconfig's proxy-url, else
from HTTPS_PROXY/NO_PROXY like client-go. Retries wait with the injected `sleep`: an
engine may pass `sleep=stop_event.wait` so that no retry pause outlives a shutdown.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import requests
import requests.adapters
import urllib3.exceptions

import kep
from kep.api import request, transport
from kep.api.clusterconfig import ClusterConfig
from kep.api.credentials import Credentials
from kep.api.errors import OnRetry, PluginFailed
from kep.api.events import ERROR, WatchEvent
from kep.api.request import Target
from kep.api.resources import Resource, group_version_path, resource_path
from kep.api.retry import RetryPolicy, retry_after, retryable_status
from kep.errors import ConfigError

if TYPE_CHECKING:
    from kep.api.execplugin import Credential

log = logging.getLogger(__name__)

WATCH_READ_SLACK = 15.0
"""A watch's read timeout is its timeoutSeconds plus this."""

_RETRYABLE = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


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
        self._retry = RetryPolicy(max_retries, backoff_initial, backoff_cap, sleep, rand, clock)
        self._timeout = (connect_timeout, read_timeout)
        self._auth = Credentials(config, clock, environ)
        self._identity: tuple[bytes, bytes] | None = None
        """The exec plugin's client certificate and key the adapter presents."""
        self._identity_lock = threading.Lock()
        self._adapter: requests.adapters.HTTPAdapter = transport.adapter(config)
        self._proxies = transport.proxies(config)

    @property
    def max_retries(self) -> int:
        return self._retry.max_retries

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
        target = Target("get", resource.qualified, namespace if resource.namespaced else None, name)
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
        target = Target("list", resource.qualified, namespace if resource.namespaced else None)
        params = request.selectors(label_selector, field_selector)
        return self._json(target, resource_path(resource, namespace), params, on_retry)

    def create(self, resource: Resource, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]:
        """POST an object, one attempt (no retry): kep creates only access reviews, which
        store nothing, and Events on its own pod (kep.podevents); neither is worth a delay."""
        target = Target("create", resource.qualified, namespace if resource.namespaced else None)
        body = json.dumps(obj).encode()
        resp = self._send(target, resource_path(resource, namespace), {}, method="POST", body=body, retries=0)
        return self._body(target, resp)

    def patch(self, resource: Resource, namespace: str | None, name: str, patch: dict[str, Any]) -> dict[str, Any]:
        """A JSON merge patch (RFC 7386) of one object, one attempt, as `create`: only an
        Event's count (kep.podevents)."""
        target = Target("patch", resource.qualified, namespace if resource.namespaced else None, name)
        body = json.dumps(patch).encode()
        resp = self._send(target, resource_path(resource, namespace, name), {}, method="PATCH", body=body,
                          retries=0, content_type="application/merge-patch+json")
        return self._body(target, resp)

    def discover(self, api_version: str, *, on_retry: OnRetry | None = None) -> dict[str, Any]:
        target = Target("get", "API group/version", None, api_version)
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
        target = Target("watch", resource.qualified, namespace if resource.namespaced else None)
        params = {"watch": "1", "resourceVersion": resource_version, "timeoutSeconds": str(int(timeout_seconds))}
        if allow_bookmarks:
            params["allowWatchBookmarks"] = "true"
        params.update(request.selectors(label_selector, field_selector))
        read_timeout = timeout_seconds + WATCH_READ_SLACK
        resp = self._send(target, resource_path(resource, namespace), params, stream=True, read_timeout=read_timeout)
        return self._events(target, resp)

    # -- plumbing -----------------------------------------------------------

    def _json(self, target: Target, path: str, params: Mapping[str, str],
              on_retry: OnRetry | None = None) -> dict[str, Any]:
        return self._body(target, self._send(target, path, params, on_retry=on_retry))

    @staticmethod
    def _body(target: Target, resp: requests.Response) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise target.error(resp.status_code, {"message": "the answer is not a JSON object"})
        return body

    def _send(
        self,
        target: Target,
        path: str,
        params: Mapping[str, str],
        *,
        stream: bool = False,
        read_timeout: float | None = None,
        on_retry: OnRetry | None = None,
        method: str = "GET",
        body: bytes | None = None,
        retries: int | None = None,
        content_type: str = "application/json",
    ) -> requests.Response:
        """One request, retried as kep.api.retry decides, renewed once after a 401."""
        timeout = (self._timeout[0], read_timeout or self._timeout[1])
        attempts = self._retry.start(on_retry, retries)
        renewed = False
        while True:
            try:
                token, credential = self._credentials()
            except PluginFailed as e:
                attempts.again(target.no_credentials(str(e)))
                continue
            prepared = request.prepare(method, self._base + path, params, self._headers, token, body, content_type)
            del token
            try:
                sent = time.monotonic()
                resp = self._adapter.send(prepared, stream=True, timeout=timeout, proxies=self._proxies)
                if not stream or resp.status_code >= 300:
                    resp.content  # noqa: B018  (read the body now, inside the try)
                if log.isEnabledFor(logging.DEBUG):  # KEP_DEBUG=1; nothing spent otherwise
                    log.debug("%s %s: %d in %.0f ms", method, prepared.path_url, resp.status_code,
                              (time.monotonic() - sent) * 1000)
            except requests.exceptions.SSLError as e:
                raise target.unreachable(transport.describe(e, self._base, timeout)) from None
            except _RETRYABLE as e:
                attempts.again(target.unreachable(transport.describe(e, self._base, timeout)))
                continue
            except requests.exceptions.RequestException as e:
                raise target.unreachable(transport.describe(e, self._base, timeout)) from None
            code = resp.status_code
            if code < 300:
                return resp
            status = request.status_of(resp)
            resp.close()
            if code == 401 and not renewed and self._auth.after_401(credential, f"{target.verb} {target.resource}"):
                renewed = True
                continue
            if not retryable_status(code):
                raise target.error(code, status)
            attempts.again(target.error(code, status), retry_after(code, resp.headers.get("Retry-After")))

    def _credentials(self) -> tuple[str | None, Credential | None]:
        """The bearer token to send, and the exec plugin's credential it came from (if any);
        a client certificate from the plugin is presented from now on."""
        token, credential = self._auth.current()
        if credential is not None and credential.client_cert and credential.client_key:
            try:
                self._present(credential.client_cert, credential.client_key)
            except ConfigError as e:
                assert self._auth.plugin is not None
                self._auth.plugin.reject(credential)
                raise PluginFailed(f"{self._auth.plugin.name} returned a client certificate kep cannot use: {e}") from None
        return token, credential

    def _present(self, cert: bytes, key: bytes) -> None:
        """Connect with this client certificate from now on: a new pool, the old one closed."""
        with self._identity_lock:
            if self._identity == (cert, key) or not self.config.server.startswith("https://"):
                return
            identity = dataclasses.replace(
                self.config, client_cert_data=cert, client_key_data=key, client_cert_file=None, client_key_file=None
            )
            old = self._adapter
            self._adapter = transport.TLSAdapter(transport.ssl_context(identity), self.config.tls_server_name)
            self._identity = (cert, key)
            old.close()

    def _events(self, target: Target, resp: requests.Response) -> Iterator[WatchEvent]:
        try:
            for line in transport.lines(resp):
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
            log.debug("%s %s: stream ended: %s", target.verb, target.resource, transport.describe(e, self._base, self._timeout))
        finally:
            resp.close()
