"""A fake kube-apiserver over real HTTPS (test code only, never shipped).

Standard library http.server (one daemon thread per connection, HTTP/1.1 keep-alive,
chunked watch streams) plus `cryptography` for the CA. How it answers follows the real
server; the source files checked are named where it matters:

* Status bodies: k8s.io/apimachinery pkg/api/errors/errors.go;
* 401 `Unauthorized`: k8s.io/apiserver pkg/endpoints/filters/authentication.go;
* 403 text: k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go;
* verb / name of a request (list vs watch, `metadata.name` field selector gives the name):
  k8s.io/apiserver pkg/endpoints/request/requestinfo.go;
* 404 for an unknown group is Go's plain-text `404 page not found`
  (pkg/util/notfoundhandler/not_found_handler.go -> http.NotFound); inside a built-in
  group (an unknown version too, and /api/v2) or a served group/version, an unknown
  resource is a Status "the server could not find the requested resource"
  (pkg/server/handler.go serviceErrorHandler; checked against a real 1.32 server);
* 429 from API Priority and Fairness is plain text with Retry-After
  (pkg/server/filters/priority-and-fairness.go tooManyRequests);
* watch errors after the stream is accepted (410 Expired, too large resourceVersion) are
  one ERROR event in a 200 stream (pkg/storage/cacher/cacher.go newErrWatcher);
* discovery documents: pkg/endpoints/discovery (no apiVersion on /api and /api/v1).
"""

from __future__ import annotations

import base64
import collections
import copy
import json
import os
import secrets
import select
import socket
import ssl
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

from .certs import CertAuthority, KeyPair, default_authority
from .selectors import SelectorError, _go_quote, parse_field_selector, parse_label_selector
from .store import (
    BUILTINS,
    ApiError,
    Obj,
    ResourceType,
    Store,
    bad_request,
    decode_continue,
    encode_continue,
    encode_event,
    expired,
    not_found,
    status_body,
)

KUBE_VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-08-13T07:28:49Z",
    "goVersion": "go1.22.5",
    "compiler": "gc",
    "platform": "linux/amd64",
}

NOT_FOUND_TEXT = "404 page not found\n"
APF_429_TEXT = "Too many requests, please try again later.\n"
GENERIC_NOT_FOUND = "the server could not find the requested resource"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
INITIAL_EVENTS_BLUEPRINT = "kubernetes.io/initial-events-list-blueprint"

_VERBS_RESOURCE = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_VERBS_CR = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")
_VERBS_STATUS = ("get", "patch", "update")
_PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
_BUILTIN_GROUPS = ("", "apps", "batch", "discovery.k8s.io")


def _is_builtin_prefix(parts: list[str]) -> bool:
    """/api/<not v1>... and /apis/<built-in group>/<unknown version>... are go-restful's: a Status 404.

    Measured on a real kube-apiserver 1.32 (tests/fakeapi/test_discovery.py runs on both):
    only a group nobody serves gets Go's plain-text 404.
    """
    return (len(parts) >= 1 and parts[0] == "api") or (
        len(parts) >= 2 and parts[0] == "apis" and parts[1] in _BUILTIN_GROUPS and parts[1] != "")


# ---------------------------------------------------------------- public value types


@dataclass(frozen=True)
class CustomResourceDef:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    singular: str = ""
    short_names: tuple[str, ...] = ()
    status_subresource: bool = True

    def resource_type(self) -> ResourceType:
        return ResourceType(
            self.group, self.version, self.kind, self.plural, self.namespaced,
            self.singular or self.kind.lower(), tuple(self.short_names), (), self.status_subresource,
            builtin=False, has_generation=True, initial_status=None,
        )

    @classmethod
    def parse(cls, spec: str) -> "CustomResourceDef":
        """`group/version/Kind/plural[/cluster]` (the `--crd` option)."""
        parts = spec.split("/")
        if len(parts) not in (4, 5) or (len(parts) == 5 and parts[4] not in ("cluster", "namespaced")):
            raise ValueError(f"expected group/version/Kind/plural[/cluster], got {spec!r}")
        return cls(parts[0], parts[1], parts[2], parts[3], namespaced=len(parts) == 4 or parts[4] == "namespaced")


def _tup(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    return tuple(v)


@dataclass(frozen=True)
class Rule:
    """An RBAC PolicyRule plus where it is bound: namespaces=None is a ClusterRoleBinding
    (every namespace and cluster scope), a list is RoleBindings in those namespaces.
    `resources` may name subresources ("pods/status", "*/status"); names=None is any name."""

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    namespaces: tuple[str, ...] | None = None
    names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "verbs", _tup(self.verbs))
        object.__setattr__(self, "api_groups", _tup(self.api_groups))
        object.__setattr__(self, "resources", _tup(self.resources))
        if self.namespaces is not None:
            object.__setattr__(self, "namespaces", _tup(self.namespaces))
        if self.names is not None:
            object.__setattr__(self, "names", _tup(self.names))

    def allows(self, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str) -> bool:
        # plugin/pkg/auth/authorizer/rbac: VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches
        if self.namespaces is not None and namespace not in self.namespaces:
            return False
        if "*" not in self.verbs and verb not in self.verbs:
            return False
        if "*" not in self.api_groups and group not in self.api_groups:
            return False
        combined = f"{resource}/{subresource}" if subresource else resource
        ok = False
        for r in self.resources:
            if r == "*" or r == combined or (subresource and r == f"*/{subresource}"):
                ok = True
                break
        if not ok:
            return False
        if self.names:
            return name in self.names
        return True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Rule":
        return cls(
            verbs=d.get("verbs", ()),
            api_groups=d.get("apiGroups", d.get("api_groups", ())),
            resources=d.get("resources", ()),
            namespaces=d.get("namespaces"),
            names=d.get("resourceNames", d.get("names")),
        )


@dataclass(frozen=True)
class Identity:
    user: str
    groups: tuple[str, ...] = ()
    rules: tuple[Rule, ...] | None = None


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    user_agent: str
    user: str
    verb: str
    resource: str
    namespace: str
    name: str
    time: float


@dataclass
class _Fault:
    verb: str
    resource: str
    times: int
    code: int
    retry_after: int | None
    message: str | None


@dataclass
class _Slow:
    verb: str
    resource: str
    seconds: float
    times: int


@dataclass
class _ReqInfo:
    resource_request: bool
    path: str
    verb: str
    prefix: str = ""
    group: str = ""
    version: str = ""
    namespace: str = ""
    resource: str = ""
    name: str = ""
    subresource: str = ""
    parts: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The `resource` of counts/faults: plural, "plural/subresource", or the path."""
        if not self.resource_request:
            return self.path
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def go_bool(values: list[str] | None) -> bool:
    """runtime.Convert_Slice_string_To_bool: absent, "0" and "false" are false; all else true."""
    if not values:
        return False
    return not (values[0] == "0" or values[0].lower() == "false")


def _path_segment_ok(name: str) -> bool:
    return name not in (".", "..") and "/" not in name and "%" not in name


def request_info(method: str, path: str, query: dict[str, list[str]]) -> _ReqInfo:
    """Like RequestInfoFactory.NewRequestInfo (without the deprecated /watch/ path prefix)."""
    info = _ReqInfo(False, path, method.lower())
    parts = [p for p in path.strip("/").split("/")] if path.strip("/") else []
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return info
    info.prefix = parts[0]
    rest = parts[1:]
    if info.prefix == "apis":
        if len(rest) < 3:
            return info
        info.group, rest = rest[0], rest[1:]
    info.resource_request = True
    info.version, rest = rest[0], rest[1:]
    info.verb = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
                 "DELETE": "delete"}.get(method, "")
    if rest and rest[0] == "namespaces":
        if len(rest) > 1:
            info.namespace = rest[1]
            if len(rest) > 2 and rest[2] not in ("status", "finalize"):
                rest = rest[2:]
    info.parts = rest
    if len(rest) >= 3:
        info.subresource = rest[2]
    if len(rest) >= 2:
        info.name = rest[1]
    if len(rest) >= 1:
        info.resource = rest[0]
    if not info.name and info.verb == "get":
        info.verb = "watch" if go_bool(query.get("watch")) else "list"
        fs = (query.get("fieldSelector") or [""])[0]
        if fs:
            try:
                name = parse_field_selector(fs, lambda f: None).exact_name()
            except SelectorError:
                name = None
            if name is not None and _path_segment_ok(name):
                info.name = name
    if not info.name and info.verb == "delete":
        info.verb = "deletecollection"
    return info


def forbidden(ident: Identity, info: _ReqInfo) -> ApiError:
    user = _go_quote(ident.user)
    if not info.resource_request:
        msg = f"forbidden: User {user} cannot {info.verb} path {_go_quote(info.path)}"
        return ApiError(403, "Forbidden", msg, {})
    res = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
    if info.namespace:
        why = (f"User {user} cannot {info.verb} resource {_go_quote(res)} in API group {_go_quote(info.group)} "
               f"in the namespace {_go_quote(info.namespace)}")
    else:
        why = (f"User {user} cannot {info.verb} resource {_go_quote(res)} in API group {_go_quote(info.group)} "
               f"at the cluster scope")
    qualified = f"{info.resource}.{info.group}" if info.group else info.resource
    if info.name:
        msg = f"{qualified} {_go_quote(info.name)} is forbidden: {why}"
    else:
        msg = f"{qualified} is forbidden: {why}"
    return ApiError(403, "Forbidden", msg, {"name": info.name, "group": info.group, "kind": info.resource})


def _generic(code: int) -> ApiError:
    """errors.NewGenericServerResponse without a resource: what go-restful errors become."""
    reasons = {
        404: ("NotFound", GENERIC_NOT_FOUND),
        405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
        406: ("NotAcceptable", "the server was unable to respond with a content type that the client supports"),
        415: ("UnsupportedMediaType", "the server does not support the media type of the request"),
    }
    reason, msg = reasons[code]
    return ApiError(code, reason, msg, {})


def fault_error(code: int, retry_after: int | None, message: str | None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if code == 429:
        # API Priority and Fairness rejects with Go's http.Error: plain text, always Retry-After.
        headers.setdefault("Retry-After", "1")
        return ApiError(429, "TooManyRequests", "", None, headers, text=(message or APF_429_TEXT.rstrip("\n")) + "\n")
    if code == 503 and retry_after is None:
        # What a real 503 most often is: the server shutting down (filters/waitgroup.go),
        # a Status without details and "Retry-After: 1".
        return ApiError(503, "ServiceUnavailable", message or "apiserver is shutting down", None,
                        {"Retry-After": "1"})
    details: dict[str, Any] | None = {"retryAfterSeconds": retry_after} if retry_after else None
    table = {
        500: ("InternalError", "Internal error occurred: injected fault"),
        503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504: ("Timeout", "Timeout: the server was unable to return a response in the time allotted"),
        502: ("", "the server responded with the status code 502 but did not return more information"),
        410: ("Expired", "too old resource version: 1 (2)"),
        409: ("Conflict", "the server reported a conflict"),
        401: ("Unauthorized", "Unauthorized"),
        403: ("Forbidden", "forbidden: injected fault"),
        404: ("NotFound", GENERIC_NOT_FOUND),
        400: ("BadRequest", "the server rejected our request for an unknown reason"),
    }
    reason, msg = table.get(code, ("InternalError" if code >= 500 else "", f"injected fault {code}"))
    if code == 500 and details is None:
        details = {"causes": [{"message": "injected fault"}]}
    return ApiError(code, reason, message or msg, details, headers)


# ---------------------------------------------------------------- the HTTP layer


class _Aborted(Exception):
    """The connection was closed under us (dropped, stopped, or the client went away)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver"
    sys_version = ""
    server: "_TLSServer"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if os.environ.get("FAKEAPI_DEBUG"):
            super().log_message(format, *args)

    def _dispatch(self) -> None:
        try:
            self.server.api._handle(self)
        except _Aborted:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - a bug in the fake: say so, loudly, as a 500
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            try:
                self.send_json(500, status_body(500, "InternalError", f"fake API server bug: {e!r}", {}))
            except Exception:  # noqa: BLE001 - headers may already be out
                pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    # Response helpers -------------------------------------------------

    def send_bytes(self, code: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        # Headers and body in one write (one TLS record, no Nagle/delayed-ACK stall).
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def send_json(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(code, json.dumps(obj, separators=(",", ":")).encode() + b"\n", "application/json", headers)

    def send_error_obj(self, err: ApiError) -> None:
        if err.text is not None:
            h = {"X-Content-Type-Options": "nosniff", **err.headers}
            self.send_bytes(err.code, err.text.encode(), "text/plain; charset=utf-8", h)
        else:
            self.send_json(err.code, err.status(), err.headers)

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def abort(self) -> None:
        """Close the TCP connection at once: no final chunk, no TLS close_notify."""
        self.close_connection = True
        try:
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
        except OSError:
            pass


def socketserver_bind(server: TCPServer) -> None:
    TCPServer.server_bind(server)
    host, port = server.server_address[:2]
    server.server_name = host  # type: ignore[attr-defined]
    server.server_port = port  # type: ignore[attr-defined]


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr: tuple[str, int], api: "FakeApiServer") -> None:
        self.api = api
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (getfqdn): slow and not needed.
        socketserver_bind(self)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # TLS handshake here, in the connection's own thread, not in the accept loop.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(10)
            conn = self.api._ssl_ctx.wrap_socket(request, server_side=True)
            conn.settimeout(None)
        except (OSError, ValueError):
            try:
                request.close()
            except OSError:
                pass
            return
        self.api._conn_opened(conn)
        try:
            _Handler(conn, client_address, self)
        except Exception:  # noqa: BLE001 - a broken connection must never kill the server
            pass
        finally:
            self.api._conn_closed(conn)
            try:
                conn.close()
            except OSError:
                pass

    def shutdown_request(self, request: Any) -> None:
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if os.environ.get("FAKEAPI_DEBUG"):
            super().handle_error(request, client_address)


# ---------------------------------------------------------------- the server


class FakeApiServer:
    """A fake kube-apiserver. See tests/fakeapi/__init__.py for the whole API."""

    def __init__(
        self,
        custom_resources: Iterable[CustomResourceDef] = (),
        bookmark_interval: float = 1.0,
        history: int = 1000,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        anonymous: bool = False,
        too_large_wait: float = 3.0,
        workdir: str | os.PathLike[str] | None = None,
        authority: CertAuthority | None = None,
        max_requests_logged: int = 10000,
    ) -> None:
        types = list(BUILTINS) + [c.resource_type() for c in custom_resources]
        self.store = Store(types, history=history)
        self.bookmark_interval = bookmark_interval
        self.anonymous = anonymous
        self.too_large_wait = too_large_wait
        self._host = host
        self._want_port = port
        if authority is None:
            authority, server_pair = default_authority()
        else:
            server_pair = authority.issue_server()
        self.authority: CertAuthority = authority
        self._server_pair: KeyPair = server_pair
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="fakeapi-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ca_pem: str = authority.cert_pem.decode()
        self.ca_file: str = str(self.workdir / "ca.crt")
        Path(self.ca_file).write_text(self.ca_pem)
        self._lock = threading.Lock()
        self._tokens: dict[str, Identity] = {}
        self._faults: list[_Fault] = []
        self._slows: list[_Slow] = []
        self._counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self._requests: collections.deque[RequestRecord] = collections.deque(maxlen=max_requests_logged)
        self._conns: set[Any] = set()
        self._watches: set[_Handler] = set()
        self._stopping = threading.Event()
        self._httpd: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._ssl_ctx: ssl.SSLContext | None = None
        self._client_seq = 0
        self._cert_rules: dict[str, tuple[Rule, ...] | None] = {}
        self.admin_token = self.add_token(None, user="kubernetes-admin", groups=("system:masters",))

    # -------------------------------------------------------------- lifecycle

    def start(self) -> "FakeApiServer":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        cert_file = self.workdir / "apiserver.crt"
        key_file = self.workdir / "apiserver.key"
        self._server_pair.write(cert_file, key_file)
        ctx.load_cert_chain(str(cert_file), str(key_file))
        ctx.load_verify_locations(cadata=self.ca_pem)
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        self._ssl_ctx = ctx
        self._httpd = _TLSServer((self._host, self._want_port), self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.005},
                                        name="fakeapi-accept", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; open watches and keep-alive connections are cut. Never hangs."""
        if self._httpd is None:
            return
        self._stopping.set()
        self.store.stop()
        httpd, self._httpd = self._httpd, None
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                socket.socket.shutdown(c, socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeApiServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[1]

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        """https://127.0.0.1:PORT (an IPv6 host is bracketed: https://[::1]:PORT)."""
        return f"https://{self._netloc_host}:{self.port}"

    @property
    def _netloc_host(self) -> str:
        return f"[{self._host}]" if ":" in self._host else self._host

    def _conn_opened(self, c: Any) -> None:
        with self._lock:
            self._conns.add(c)
        if self._stopping.is_set():
            try:
                socket.socket.shutdown(c, socket.SHUT_RDWR)
            except OSError:
                pass

    def _conn_closed(self, c: Any) -> None:
        with self._lock:
            self._conns.discard(c)

    def add_custom_resource(self, crd: CustomResourceDef) -> None:
        """Register a custom resource while running (as if its CRD had just been created)."""
        self.store.add_type(crd.resource_type())

    # -------------------------------------------------------------- credentials and files

    def add_token(self, rules: Sequence[Rule | dict[str, Any]] | None = None,
                  user: str = "system:serviceaccount:default:kep", groups: Sequence[str] = ()) -> str:
        """A new bearer token. rules=None: allowed everything; [] allowed nothing but discovery."""
        token = secrets.token_urlsafe(24)
        rs = None if rules is None else tuple(r if isinstance(r, Rule) else Rule.from_dict(r) for r in rules)
        with self._lock:
            self._tokens[token] = Identity(user, tuple(groups), rs)
        return token

    def set_rules(self, token: str, rules: Sequence[Rule | dict[str, Any]] | None) -> None:
        """Change what a token may do (an RBAC change while clients run)."""
        rs = None if rules is None else tuple(r if isinstance(r, Rule) else Rule.from_dict(r) for r in rules)
        with self._lock:
            ident = self._tokens[token]
            self._tokens[token] = Identity(ident.user, ident.groups, rs)

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def issue_client_cert(self, cn: str, groups: Sequence[str] = (),
                          directory: str | os.PathLike[str] | None = None) -> tuple[str, str]:
        """A client certificate signed by the CA; the server authenticates it as user=CN
        (groups=O). Returns (cert_path, key_path). Client certificates carry no rules: the
        user is allowed everything unless `cert_rules(cn, rules)` says otherwise."""
        pair = self.authority.issue_client(cn, tuple(groups))
        d = Path(directory) if directory is not None else self.workdir
        d.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._client_seq += 1
            n = self._client_seq
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in cn)
        return pair.write(d / f"client-{safe}-{n}.crt", d / f"client-{safe}-{n}.key")

    def cert_rules(self, cn: str, rules: Sequence[Rule | dict[str, Any]] | None) -> None:
        """Rules for users authenticated by client certificate with this CN (default: everything)."""
        rs = None if rules is None else tuple(r if isinstance(r, Rule) else Rule.from_dict(r) for r in rules)
        with self._lock:
            self._cert_rules[cn] = rs

    def write_service_account(self, directory: str | os.PathLike[str], token: str, namespace: str = "default") -> str:
        """token, ca.crt and namespace files as kubelet mounts them."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "token").write_text(token)
        (d / "ca.crt").write_text(self.ca_pem)
        (d / "namespace").write_text(namespace)
        return str(d)

    def in_cluster_env(self, sa_dir: str | os.PathLike[str]) -> dict[str, str]:
        return {
            "KUBERNETES_SERVICE_HOST": self._host,
            "KUBERNETES_SERVICE_PORT": str(self.port),
            "KEP_SERVICE_ACCOUNT_DIR": str(sa_dir),
        }

    def write_kubeconfig(
        self,
        path: str | os.PathLike[str],
        token: str | None = None,
        client_cert: bool = False,
        *,
        namespace: str | None = "default",
        user: str = "kep-client",
        embed: bool = False,
        server: str | None = None,
        context: str = "fake",
    ) -> str:
        """A kubeconfig in kubectl's block YAML style. With neither token nor client_cert a
        new all-allowed token is made. embed=True: *-data fields instead of file paths."""
        import base64

        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if token is None and not client_cert:
            token = self.add_token(None, user=user)
        b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
        lines = ["apiVersion: v1", "clusters:", "- cluster:"]
        if embed:
            lines.append(f"    certificate-authority-data: {b64(self.ca_pem.encode())}")
        else:
            lines.append(f"    certificate-authority: {self.ca_file}")
        lines += [f"    server: {server or self.url}", f"  name: {context}", "contexts:", "- context:",
                  f"    cluster: {context}"]
        if namespace:
            lines.append(f"    namespace: {namespace}")
        lines += [f"    user: {context}", f"  name: {context}", f"current-context: {context}", "kind: Config",
                  "preferences: {}", "users:", f"- name: {context}", "  user:"]
        if client_cert:
            cert_path, key_path = self.issue_client_cert(user, directory=p.parent)
            if embed:
                lines.append(f"    client-certificate-data: {b64(Path(cert_path).read_bytes())}")
                lines.append(f"    client-key-data: {b64(Path(key_path).read_bytes())}")
            else:
                lines.append(f"    client-certificate: {cert_path}")
                lines.append(f"    client-key: {key_path}")
        if token is not None:
            lines.append(f"    token: {token}")
        p.write_text("\n".join(lines) + "\n")
        return str(p)

    # -------------------------------------------------------------- objects (Python helpers)

    def _rt_of(self, obj: Obj) -> ResourceType:
        try:
            return self.store.find_kind(obj["apiVersion"], obj["kind"])
        except KeyError:
            raise ValueError(f"unknown kind {obj.get('kind')!r} in {obj.get('apiVersion')!r}") from None

    def create(self, obj: Obj) -> Obj:
        """Create as given, `.status` included (the REST POST resets status like the real
        server; this helper is how a test puts a pod straight into Running)."""
        rt = self._rt_of(obj)
        ns = (obj.get("metadata") or {}).get("namespace") or ("default" if rt.namespaced else None)
        return self.store.create(rt, ns, obj, keep_status=True, strict=False)

    def replace(self, obj: Obj) -> Obj:
        """Replace the whole object, `.status` included, ignoring metadata.resourceVersion."""
        rt = self._rt_of(obj)
        md = obj.get("metadata") or {}
        ns = md.get("namespace") or ("default" if rt.namespaced else None)
        body = copy.deepcopy(obj)
        body.setdefault("metadata", {}).pop("resourceVersion", None)
        return self.store.update(rt, ns, md["name"], body, full=True)

    def apply(self, obj: Obj) -> Obj:
        """create() or, if it exists, replace()."""
        rt = self._rt_of(obj)
        md = obj.get("metadata") or {}
        ns = md.get("namespace") or ("default" if rt.namespaced else None)
        with self.store.cond:
            if self.get(rt.api_version, rt.plural, ns, md.get("name", "")) is None:
                return self.create(obj)
            return self.replace(obj)

    def patch(self, api_version: str, plural: str, namespace: str | None, name: str, patch: Any,
              subresource: str | None = None) -> Obj:
        """A merge patch (dict) or JSON patch (list), with the real server's rules: for kinds with
        a status subresource only subresource="status" changes `.status`. A dict patch that
        touches status without it raises ValueError instead of being silently ignored."""
        rt = self.store.find(api_version, plural)
        if (subresource is None and rt.status_subresource and isinstance(patch, dict) and "status" in patch):
            raise ValueError(f"{plural} has a status subresource: patch status with subresource='status'")
        kind = "json" if isinstance(patch, list) else "merge"
        return self.store.patch(rt, namespace, name, patch, kind, subresource=subresource)

    def delete(self, api_version: str, plural: str, namespace: str | None, name: str) -> Obj | None:
        """Delete (or, with finalizers, mark deleted). Returns the object, None if absent."""
        rt = self.store.find(api_version, plural)
        try:
            return self.store.delete(rt, namespace, name)[0]
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def get(self, api_version: str, plural: str, namespace: str | None, name: str) -> Obj | None:
        rt = self.store.find(api_version, plural)
        try:
            return self.store.get(rt, namespace, name)
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def list(self, api_version: str, plural: str, namespace: str | None = None) -> list[Obj]:
        rt = self.store.find(api_version, plural)
        return self.store.list(rt, namespace)[0]

    @property
    def resource_version(self) -> int:
        with self.store.cond:
            return self.store.rv

    # -------------------------------------------------------------- faults and observation

    def fault(self, verb: str, plural: str, times: int = 1, code: int = 500, retry_after: int | None = None,
              message: str | None = None) -> None:
        """The next `times` requests matching (verb, plural) answer `code` instead.

        verb/plural may be "*"; plural is "pods", "pods/status", ... or a path for
        non-resource requests ("/api/v1"). 429 is plain text with Retry-After (default 1) like
        API Priority and Fairness; 503 without retry_after is the shutting-down Status with
        Retry-After: 1; other codes are Status bodies, with Retry-After (and
        details.retryAfterSeconds) only if retry_after is given.
        code=0 closes the connection without answering. code=410 on a watch arrives as an
        ERROR event in the stream, like the real server's expired resourceVersion."""
        with self._lock:
            self._faults.append(_Fault(verb, plural, times, code, retry_after, message))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._slows.clear()

    def slow(self, verb: str, plural: str, seconds: float, times: int = 1) -> None:
        """Sleep `seconds` before answering the next `times` matching requests."""
        with self._lock:
            self._slows.append(_Slow(verb, plural, seconds, times))

    def drop_watches(self) -> int:
        """Cut every open watch stream abruptly (no final chunk). Returns how many."""
        with self._lock:
            watches = list(self._watches)
        for h in watches:
            h.dropped = True  # type: ignore[attr-defined]
            h.abort()
        self.store.drop_watchers()
        return len(watches)

    def compact(self) -> int:
        """Forget event history: a watch from any older resourceVersion gets 410 Expired.
        Returns the current resourceVersion (watching from it still works)."""
        return self.store.compact()

    @property
    def counts(self) -> collections.Counter[tuple[str, str]]:
        """Requests received, by (verb, resource): ("list", "pods"), ("watch", "jobs"),
        ("update", "pods/status"), ("get", "/api/v1") for non-resource paths."""
        with self._lock:
            return collections.Counter(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def open_watches(self) -> int:
        with self._lock:
            return len(self._watches)

    def wait_for_watches(self, n: int, timeout: float = 5.0, exactly: bool = False) -> bool:
        """Wait until at least n (exactly=True: exactly n) watch streams are open. An open
        stream has its starting point fixed: every later write reaches it."""
        deadline = time.monotonic() + timeout
        while True:
            k = self.open_watches
            if k == n or (k > n and not exactly):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    # -------------------------------------------------------------- request handling

    def _authenticate(self, h: _Handler) -> Identity | None:
        try:
            cert = h.connection.getpeercert()
        except (ValueError, OSError):
            cert = None
        if cert:
            cn, groups = "", []
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
                    elif k == "organizationName":
                        groups.append(v)
            if cn:
                with self._lock:
                    rules = self._cert_rules.get(cn)
                return Identity(cn, tuple(groups), rules)
        auth = h.headers.get("Authorization", "")
        parts = auth.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == "bearer":
            with self._lock:
                ident = self._tokens.get(parts[1].strip())
            if ident is None:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            return ident
        if auth:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if self.anonymous:
            return Identity("system:anonymous", ("system:unauthenticated",), ())
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def _authorize(self, ident: Identity, info: _ReqInfo) -> None:
        if ident.rules is None:
            return
        if not info.resource_request:
            p = info.path.rstrip("/") or "/"
            public = p in _PUBLIC_PATHS or any(p.startswith(x + "/") for x in _PUBLIC_PATHS)
            discovery = ident.user != "system:anonymous" and (
                p in ("/api", "/apis") or p.startswith(("/api/", "/apis/", "/openapi/")))
            if info.verb in ("get", "head") and (public or discovery):
                return
            raise forbidden(ident, info)
        for r in ident.rules:
            if r.allows(info.verb, info.group, info.resource, info.subresource, info.namespace, info.name):
                return
        raise forbidden(ident, info)

    def _take(self, items: list[Any], info: _ReqInfo) -> Any:
        for it in items:
            if it.times > 0 and it.verb in ("*", info.verb) and it.resource in ("*", info.label):
                it.times -= 1
                if it.times <= 0:
                    items.remove(it)
                return it
        return None

    def _handle(self, h: _Handler) -> None:
        h.dropped = False  # type: ignore[attr-defined]
        url = urlsplit(h.path)
        path = unquote(url.path) or "/"
        query = parse_qs(url.query, keep_blank_values=True)
        body = h.read_body() if h.command in ("POST", "PUT", "PATCH", "DELETE") else b""
        if path.startswith("/_fake/") or path == "/_fake":
            return self._control(h, path, body)
        info = request_info(h.command, path, query)
        try:
            ident = None
            try:
                ident = self._authenticate(h)
            finally:
                with self._lock:
                    self._counts[(info.verb, info.label)] += 1
                    self._requests.append(RequestRecord(
                        h.command, path, {k: v[0] for k, v in query.items()}, h.headers.get("User-Agent", ""),
                        ident.user if ident else "", info.verb, info.label, info.namespace, info.name, time.time()))
            with self._lock:
                fault = self._take(self._faults, info)
                slow = self._take(self._slows, info)
            if slow is not None:
                if self._stopping.wait(slow.seconds):
                    raise _Aborted()
            if fault is not None:
                if fault.code == 0:
                    h.abort()
                    raise _Aborted()
                if fault.code == 410 and info.verb == "watch":
                    rv = _int_or(query.get("resourceVersion"), self.resource_version)
                    return self._send_watch_error(h, expired(f"too old resource version: {rv} ({rv + 1})"))
                raise fault_error(fault.code, fault.retry_after, fault.message)
            if (info.group, info.resource, h.command) == ("authorization.k8s.io", "selfsubjectrulesreviews", "POST"):
                return self._rules_review(h, ident, _json_body(body))
            if (info.group, info.resource, h.command) == ("authorization.k8s.io", "selfsubjectaccessreviews", "POST"):
                return self._access_review(h, ident, _json_body(body))
            self._authorize(ident, info)
            if not info.resource_request:
                return self._non_resource(h, info)
            return self._resource(h, info, query, body)
        except ApiError as e:
            h.send_error_obj(e)

    def _rules_review(self, h: _Handler, ident: Identity, body: Any) -> None:
        """SelfSubjectRulesReview, which every authenticated user may create (the
        system:basic-user ClusterRole): the rules that apply in spec.namespace, cluster
        bindings included (pkg/registry/authorization/selfsubjectrulesreview)."""
        namespace = str(((body or {}).get("spec") or {}).get("namespace") or "")
        if not namespace:
            raise ApiError(400, "BadRequest", "no namespace on request")
        everything = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
        rules = [everything] if ident.rules is None else [
            {"verbs": list(r.verbs), "apiGroups": list(r.api_groups), "resources": list(r.resources),
             **({"resourceNames": list(r.names)} if r.names else {})}
            for r in ident.rules if r.namespaces is None or namespace in r.namespaces]
        rules.append({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                      "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
        return h.send_json(201, {
            "kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {},
            "spec": {"namespace": namespace},
            "status": {"resourceRules": rules, "nonResourceRules": [], "incomplete": False}})

    def _access_review(self, h: _Handler, ident: Identity, body: Any) -> None:
        """SelfSubjectAccessReview of resourceAttributes (any authenticated user may create it)."""
        spec = (body or {}).get("spec") or {}
        attrs = spec.get("resourceAttributes") or {}
        verb, group = str(attrs.get("verb") or ""), str(attrs.get("group") or "")
        resource, namespace = str(attrs.get("resource") or ""), str(attrs.get("namespace") or "")
        name, sub = str(attrs.get("name") or ""), str(attrs.get("subresource") or "")
        allowed = ident.rules is None or any(
            r.allows(verb, group, resource, sub, namespace, name) for r in ident.rules)
        return h.send_json(201, {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                                 "metadata": {}, "spec": spec, "status": {"allowed": allowed}})

    # -------------------------------------------------------------- non-resource paths and discovery

    def _groups(self) -> dict[str, list[str]]:
        """Served groups and their versions: core, then built-in groups, then custom ones."""
        groups: dict[str, list[str]] = {"": [], "apps": [], "batch": [], "discovery.k8s.io": []}
        for rt in self.store.types.values():
            vs = groups.setdefault(rt.group, [])
            if rt.version not in vs:
                vs.append(rt.version)
        return groups

    def _non_resource(self, h: _Handler, info: _ReqInfo) -> None:
        p = info.path.rstrip("/") or "/"
        if info.verb not in ("get", "head"):
            raise ApiError(404, "", "", text=NOT_FOUND_TEXT)
        if p in ("/healthz", "/livez", "/readyz"):
            return h.send_bytes(200, b"ok", "text/plain; charset=utf-8")
        if p == "/version":
            return h.send_json(200, KUBE_VERSION)
        if p == "/api":
            return h.send_json(200, {
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": f"{self._netloc_host}:{self.port}"}],
            })
        if p == "/api/v1":
            return h.send_json(200, self._resource_list("", "v1"))
        groups = self._groups()
        named = [g for g in groups if g]
        if p == "/apis":
            return h.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                     "groups": [self._group_doc(g, groups[g]) for g in named]})
        parts = p.split("/")[1:]
        if parts[0] == "apis" and len(parts) == 2 and parts[1] in named:
            doc = {"kind": "APIGroup", "apiVersion": "v1", **self._group_doc(parts[1], groups[parts[1]])}
            return h.send_json(200, doc)
        if parts[0] == "apis" and len(parts) == 3 and parts[2] in groups.get(parts[1], ()) and parts[1]:
            return h.send_json(200, self._resource_list(parts[1], parts[2]))
        if _is_builtin_prefix(parts):
            raise _generic(404)
        raise ApiError(404, "", "", text=NOT_FOUND_TEXT)

    @staticmethod
    def _group_doc(group: str, versions: list[str]) -> Obj:
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": vs, "preferredVersion": vs[0]}

    def _resource_list(self, group: str, version: str) -> Obj:
        resources = []
        for rt in self.store.types.values():
            if rt.group != group or rt.version != version:
                continue
            entry: Obj = {"name": rt.plural, "singularName": rt.singular_name, "namespaced": rt.namespaced,
                          "kind": rt.kind, "verbs": list(_VERBS_RESOURCE if rt.builtin else _VERBS_CR)}
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            resources.append(entry)
            if rt.status_subresource:
                resources.append({"name": f"{rt.plural}/status", "singularName": "", "namespaced": rt.namespaced,
                                  "kind": rt.kind, "verbs": list(_VERBS_STATUS)})
        doc: Obj = {"kind": "APIResourceList"}
        if group:
            doc["apiVersion"] = "v1"
        doc["groupVersion"] = f"{group}/{version}" if group else version
        doc["resources"] = resources
        return doc

    # -------------------------------------------------------------- resources

    def _resource(self, h: _Handler, info: _ReqInfo, query: dict[str, list[str]], body: bytes) -> None:
        groups = self._groups()
        if (info.prefix == "api" and info.version != "v1") or (
                info.prefix == "apis" and (not info.group or info.version not in groups.get(info.group, ()))):
            if _is_builtin_prefix([info.prefix, info.group] if info.prefix == "apis" else [info.prefix]):
                raise _generic(404)
            raise ApiError(404, "", "", text=NOT_FOUND_TEXT)
        rt = self.store.types.get((info.group, info.resource))
        builtin_group = info.group in _BUILTIN_GROUPS
        if rt is None or rt.version != info.version:
            # Built-in groups are go-restful web services: their 404 is a Status. Custom
            # resource groups go through apiextensions' crdHandler, which hands unknown
            # resources to the delegate chain: Go's plain-text 404.
            if builtin_group:
                raise _generic(404)
            raise ApiError(404, "", "", text=NOT_FOUND_TEXT)
        parts = info.parts
        scope_ok = (not info.namespace) if not rt.namespaced else (bool(info.namespace) or len(parts) == 1)
        if rt.builtin:
            # Route shapes registered: [plural], [plural, name], [plural, name, "status"].
            if not scope_ok or len(parts) > 3 or (
                    len(parts) == 3 and (parts[2] != "status" or not rt.status_subresource)):
                raise _generic(404)
        else:
            # apiextensions-apiserver customresource_handler.go crdHandler.ServeHTTP.
            if not scope_ok:
                raise ApiError(404, "", "", text=NOT_FOUND_TEXT)
            if len(parts) >= 3 and (parts[2] != "status" or not rt.status_subresource):
                raise not_found(rt, info.name)
        ns = info.namespace or None
        method = h.command
        name = parts[1] if len(parts) > 1 else ""
        sub = parts[2] if len(parts) > 2 else None
        if not name:
            if method in ("GET", "HEAD"):
                if info.verb == "watch":
                    return self._watch(h, rt, ns, query)
                return self._list(h, rt, ns, query)
            if method == "POST":
                obj = self.store.create(rt, ns, _json_body(body))
                return h.send_json(201, obj)
            if method == "DELETE":
                return self._delete_collection(h, rt, ns, query)
            raise _generic(405)
        if method in ("GET", "HEAD"):
            return h.send_json(200, self.store.get(rt, ns, name))
        if method == "PUT":
            return h.send_json(200, self.store.update(rt, ns, name, _json_body(body), subresource=sub))
        if method == "PATCH":
            ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/json-patch+json":
                kind = "json"
            elif ctype == "application/merge-patch+json" or (
                    ctype == "application/strategic-merge-patch+json" and rt.builtin):
                kind = "merge"
            elif ctype == "application/apply-patch+yaml":
                raise ApiError(415, "UnsupportedMediaType", "server-side apply is not implemented by the fake "
                               "API server (the real one accepts application/apply-patch+yaml)", {})
            else:
                # negotiation.NewUnsupportedMediaTypeError over the patch types the real handler accepts.
                accepted = ["application/json-patch+json", "application/merge-patch+json"]
                if rt.builtin:
                    accepted.append("application/strategic-merge-patch+json")
                accepted.append("application/apply-patch+yaml")
                raise ApiError(415, "UnsupportedMediaType",
                               f"the body of the request was in an unknown format - accepted media types include: "
                               f"{', '.join(accepted)}", {})
            return h.send_json(200, self.store.patch(rt, ns, name, _json_body(body, allow_list=True), kind,
                                                     subresource=sub))
        if method == "DELETE" and sub is None:
            opts = _json_body(body) if body.strip() else {}
            obj, deleted_now = self.store.delete(rt, ns, name, (opts or {}).get("preconditions"))
            if deleted_now and not rt.return_deleted_object:
                return h.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                         "details": {k: v for k, v in (("name", name), ("group", rt.group),
                                                                       ("kind", rt.plural),
                                                                       ("uid", obj["metadata"].get("uid"))) if v}})
            return h.send_json(200, obj)
        raise _generic(405)

    def _selectors(self, rt: ResourceType, query: dict[str, list[str]]) -> tuple[Any, Any]:
        ls = (query.get("labelSelector") or [""])[0]
        fs = (query.get("fieldSelector") or [""])[0]
        try:
            labels = parse_label_selector(ls) if ls else None
            fields = parse_field_selector(fs, rt.field_supported) if fs else None
        except SelectorError as e:
            raise bad_request(str(e)) from None
        return labels, fields

    def _list_obj(self, rt: ResourceType, items: list[Obj], meta: Obj) -> Obj:
        if rt.builtin:
            # Typed lists: items carry no kind/apiVersion (only custom resources keep them).
            items = [{k: v for k, v in it.items() if k not in ("kind", "apiVersion")} for it in items]
        return {"kind": f"{rt.kind}List", "apiVersion": rt.api_version, "metadata": meta, "items": items}

    def _list(self, h: _Handler, rt: ResourceType, ns: str | None, query: dict[str, list[str]]) -> None:
        labels, fields = self._selectors(rt, query)
        limit = _int_param(query, "limit") or 0
        cont = (query.get("continue") or [""])[0]
        after = None
        list_rv = None
        if cont:
            list_rv, after = decode_continue(cont)
            if list_rv < self.store.history(rt).floor:
                raise expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a "
                    "new list without the continue parameter, or use the continue token in this response to retrieve "
                    "the remainder of the results. Continuing with the provided token results in an inconsistent list "
                    "- objects that were created, modified, or deleted between the time the first chunk was returned "
                    "and now may show up in the list.")
        items, rv = self.store.list(rt, ns, labels, fields, after_key=after)
        rv = list_rv if list_rv is not None else rv
        meta: Obj = {"resourceVersion": str(rv)}
        if limit > 0 and len(items) > limit:
            last = items[limit - 1]["metadata"]
            meta["continue"] = encode_continue(rv, (last.get("namespace", ""), last["name"]))
            if labels is None and fields is None:
                meta["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        h.send_json(200, self._list_obj(rt, items, meta))

    def _delete_collection(self, h: _Handler, rt: ResourceType, ns: str | None, query: dict[str, list[str]]) -> None:
        labels, fields = self._selectors(rt, query)
        items, _ = self.store.list(rt, ns, labels, fields)
        gone = []
        for it in items:
            md = it["metadata"]
            try:
                gone.append(self.store.delete(rt, md.get("namespace"), md["name"])[0])
            except ApiError:
                pass
        h.send_json(200, self._list_obj(rt, gone, {"resourceVersion": str(self.resource_version)}))

    # -------------------------------------------------------------- watch

    def _start_stream(self, h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Cache-Control", "no-cache, private")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.wfile.flush()

    @staticmethod
    def _chunks(frames: list[bytes]) -> bytes:
        return b"".join(b"%x\r\n%s\r\n" % (len(f), f) for f in frames)

    def _send_watch_error(self, h: _Handler, err: ApiError) -> None:
        self._start_stream(h)
        h.wfile.write(self._chunks([encode_event("ERROR", err.status())]) + b"0\r\n\r\n")

    def _watch(self, h: _Handler, rt: ResourceType, ns: str | None, query: dict[str, list[str]]) -> None:
        labels, fields = self._selectors(rt, query)
        rv_s = (query.get("resourceVersion") or [""])[0]
        rv: int | None = None
        if rv_s not in ("", "0"):
            try:
                rv = int(rv_s)
                if rv < 0:
                    raise ValueError
            except ValueError:
                raise ApiError(400, "BadRequest", f'resourceVersion: Invalid value: {_go_quote(rv_s)}: '
                               f'strconv.ParseUint: parsing {_go_quote(rv_s)}: invalid syntax') from None
        timeout = _int_param(query, "timeoutSeconds")
        bookmarks = go_bool(query.get("allowWatchBookmarks"))
        send_initial = go_bool(query.get("sendInitialEvents"))
        if send_initial:
            rv = None
        try:
            watcher, initial = self.store.start_watch(rt, ns, labels, fields, rv, self.too_large_wait)
        except ApiError as e:
            return self._send_watch_error(h, e)
        started = time.monotonic()
        deadline = started + timeout if timeout else None
        try:
            self._start_stream(h)
            with self._lock:
                self._watches.add(h)
            frames = [encode_event("ADDED", o) for o in initial]
            if send_initial and bookmarks:
                frames.append(self._bookmark(rt, watcher.last_rv, initial_end=True))
            if frames:
                self._write(h, self._chunks(frames))
            interval = self.bookmark_interval
            next_bm = started + interval if bookmarks and interval > 0 else None
            while True:
                now = time.monotonic()
                wake = now + 1.0
                if deadline is not None:
                    wake = min(wake, deadline)
                if next_bm is not None:
                    wake = min(wake, next_bm)
                res = watcher.poll(wake - now)
                if res is None:
                    if getattr(h, "dropped", False) or self._stopping.is_set():
                        raise _Aborted()
                    break  # fell behind the history window: end the stream, the client re-watches
                events, cur_rv = res
                frames = watcher.frames(events)
                now = time.monotonic()
                if next_bm is not None and now >= next_bm:
                    frames.append(self._bookmark(rt, cur_rv))
                    next_bm = now + interval
                if frames:
                    self._write(h, self._chunks(frames))
                elif self._client_gone(h):
                    raise _Aborted()
                if deadline is not None and now >= deadline:
                    break
            self._write(h, b"0\r\n\r\n")
        finally:
            self.store.end_watch(watcher)
            with self._lock:
                self._watches.discard(h)

    def _bookmark(self, rt: ResourceType, rv: int, initial_end: bool = False) -> bytes:
        # A real 1.32 server encodes a typed (built-in) object: its empty metadata has
        # creationTimestamp null. The end of the initial events also carries the list's
        # "blueprint" (an empty list of the kind, base64 of its JSON encoding).
        md: Obj = {"resourceVersion": str(rv)}
        if rt.builtin:
            md["creationTimestamp"] = None
        if initial_end:
            blueprint = json.dumps({"kind": f"{rt.kind}List", "apiVersion": rt.api_version, "metadata": {},
                                    "items": None}, separators=(",", ":")) + "\n"
            md["annotations"] = {INITIAL_EVENTS_END: "true",
                                 INITIAL_EVENTS_BLUEPRINT: base64.b64encode(blueprint.encode()).decode()}
        return encode_event("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": md})

    def _write(self, h: _Handler, data: bytes) -> None:
        if getattr(h, "dropped", False):
            raise _Aborted()
        try:
            h.wfile.write(data)
        except (OSError, ValueError):
            raise _Aborted() from None

    @staticmethod
    def _client_gone(h: _Handler) -> bool:
        """A watch client sends nothing; a readable socket means it closed (or broke) the stream."""
        try:
            r, _, _ = select.select([h.connection], [], [], 0)
            if not r:
                return False
            return True
        except (OSError, ValueError):
            return True

    # -------------------------------------------------------------- control API (/_fake/)

    def _control(self, h: _Handler, path: str, body: bytes) -> None:
        try:
            ident = self._authenticate(h)
            if ident is None or ident.rules is not None or ident.user != "kubernetes-admin":
                raise ApiError(403, "Forbidden", f"forbidden: User {_go_quote(ident.user if ident else '')} "
                               f"cannot use the fake control API (admin token only)", {})
            data = _json_body(body) if body.strip() else {}
            route = (h.command, path.rstrip("/"))
            if route == ("POST", "/_fake/tokens"):
                rules = data.get("rules")
                token = self.add_token(rules, user=data.get("user") or "system:serviceaccount:default:kep",
                                       groups=data.get("groups") or ())
                return h.send_json(201, {"token": token})
            if route == ("POST", "/_fake/client-certs"):
                pair = self.authority.issue_client(data["cn"], tuple(data.get("groups") or ()))
                if data.get("rules") is not None:
                    self.cert_rules(data["cn"], data["rules"])
                return h.send_json(201, {"cert": pair.cert_pem.decode(), "key": pair.key_pem.decode()})
            if route == ("GET", "/_fake/counts"):
                counts = self.counts
                return h.send_json(200, {
                    "counts": [{"verb": v, "resource": r, "count": n} for (v, r), n in sorted(counts.items())],
                    "total": sum(counts.values())})
            if route in (("DELETE", "/_fake/counts"), ("POST", "/_fake/counts/reset")):
                self.reset_counts()
                return h.send_json(200, {})
            if route == ("GET", "/_fake/requests"):
                return h.send_json(200, {"requests": [asdict(r) for r in self.requests]})
            if route == ("DELETE", "/_fake/requests"):
                self.clear_requests()
                return h.send_json(200, {})
            if route == ("POST", "/_fake/faults"):
                self.fault(data.get("verb", "*"), data.get("resource", data.get("plural", "*")),
                           int(data.get("times", 1)), int(data.get("code", 500)),
                           data.get("retryAfter", data.get("retry_after")), data.get("message"))
                return h.send_json(201, {})
            if route == ("DELETE", "/_fake/faults"):
                self.clear_faults()
                return h.send_json(200, {})
            if route == ("POST", "/_fake/slow"):
                self.slow(data.get("verb", "*"), data.get("resource", data.get("plural", "*")),
                          float(data["seconds"]), int(data.get("times", 1)))
                return h.send_json(201, {})
            if route == ("POST", "/_fake/drop-watches"):
                return h.send_json(200, {"dropped": self.drop_watches()})
            if route == ("POST", "/_fake/compact"):
                return h.send_json(200, {"resourceVersion": str(self.compact())})
            if route == ("GET", "/_fake/state"):
                return h.send_json(200, {"resourceVersion": str(self.resource_version),
                                         "openWatches": self.open_watches})
            if route == ("POST", "/_fake/objects"):
                return h.send_json(201, self.create(data))
            if route == ("PUT", "/_fake/objects"):
                return h.send_json(200, self.replace(data))
            raise ApiError(404, "", "", text=NOT_FOUND_TEXT)
        except ApiError as e:
            h.send_error_obj(e)
        except (KeyError, ValueError, TypeError) as e:
            h.send_error_obj(bad_request(f"fake control API: {e}"))


def _json_body(body: bytes, allow_list: bool = False) -> Any:
    try:
        data = json.loads(body or b"null")
    except ValueError as e:
        raise bad_request(f"couldn't get version/kind; json parse error: {e}") from None
    if isinstance(data, dict) or (allow_list and isinstance(data, list)):
        return data
    raise bad_request("the body of the request must be a JSON object")


def _int_param(query: dict[str, list[str]], name: str) -> int | None:
    v = query.get(name)
    if not v or v[0] == "":
        return None
    try:
        return int(v[0])
    except ValueError:
        raise bad_request(f'strconv.ParseInt: parsing {_go_quote(v[0])}: invalid syntax') from None


def _int_or(v: list[str] | None, default: int) -> int:
    try:
        return int(v[0]) if v else default
    except ValueError:
        return default


__all__ = ["FakeApiServer", "CustomResourceDef", "Rule", "Identity", "RequestRecord", "ApiError"]
