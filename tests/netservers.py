"""Real local servers for the network kinds' tests: an HTTP(S) server whose answers a
test scripts per path, and a TCP port whose listener a test opens when it wants.

Routes map a path to a list of answers, used in turn (the last one repeats):
`{"/health": [503, 200]}` answers 503, then 200 for good. An answer is a status,
or (status, headers) for redirects. Every request is recorded.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.fakeapi.certs import CertAuthority, KeyPair
from tests.fakeapi.server import socketserver_bind

Answer = int | tuple[int, dict[str, str]]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Script:
    routes: dict[str, list[Answer]]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        with self.lock:
            self.seen.append(Seen(method, path, headers))
            answers = self.routes.get(path.partition("?")[0]) or self.routes.get("*") or [404]
            return answers.pop(0) if len(answers) > 1 else answers[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        answer = self.server.script.answer(self.command, self.path, dict(self.headers.items()))
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        required = self.server.required_headers
        if any(self.headers.get(name) != value for name, value in required.items()):
            status, headers = 401, {}
        self.send_response(status)
        for name, value in {"Content-Length": "0", **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    do_GET = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script
    required_headers: dict[str, str]

    def server_bind(self) -> None:
        socketserver_bind(self)  # without HTTPServer's slow getfqdn

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that rejects the certificate is a test case, not a server error


class _Server6(_Server):
    address_family = socket.AF_INET6


@contextmanager
def http_server(routes: dict[str, list[Answer]], host: str = "127.0.0.1", tls: KeyPair | None = None,
                required_headers: dict[str, str] | None = None) -> Iterator[tuple[str, Script]]:
    """A running server and its base URL (`http://127.0.0.1:port`, `https://[::1]:port`, ...)."""
    server = (_Server6 if ":" in host else _Server)((host, 0), _Handler)
    server.script = Script({path: list(answers) for path, answers in routes.items()})
    server.required_headers = required_headers or {}
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory(prefix="kep-tls-") as folder:
            context.load_cert_chain(*tls.write(Path(folder) / "cert.pem", Path(folder) / "key.pem"))
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"{'https' if tls else 'http'}://{shown}:{server.server_address[1]}", server.script
    finally:
        server.shutdown()
        server.server_close()


def write_ca(authority: CertAuthority, path: Path) -> str:
    path.write_bytes(authority.cert_pem)
    return str(path)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (yet)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def listen(host: str, port: int) -> socket.socket:
    """A listener on a port the test chose earlier (the one that opens late)."""
    server = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(8)
    return server


@contextmanager
def unanswered(host: str = "127.0.0.1") -> Iterator[int]:
    """A port where a connection neither opens nor is refused: the listener's backlog is
    full and never accepted, so the kernel drops new SYNs (a connect times out)."""
    with socket.socket() as server, socket.socket() as filler:
        server.bind((host, 0))
        server.listen(0)
        port = server.getsockname()[1]
        filler.connect((host, port))
        yield port


@contextmanager
def silent(host: str = "127.0.0.1") -> Iterator[int]:
    """A port that accepts connections (kernel side) and never says a word."""
    with socket.socket() as server:
        server.bind((host, 0))
        server.listen(8)
        yield server.getsockname()[1]
