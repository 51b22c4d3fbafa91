"""Small `requests` helpers for the fake API server's own tests.

`verify` is passed on every request: a Session's own `verify` loses to REQUESTS_CA_BUNDLE /
CURL_CA_BUNDLE from the environment (requests' merge_environment_settings), which would
make the fake CA untrusted.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from typing import Any, Iterator

import requests

from .server import FakeApiServer


class Api:
    def __init__(self, server: FakeApiServer, token: str | None = None, cert: tuple[str, str] | None = None,
                 url: str | None = None, ca_file: str | None = None) -> None:
        self.url = url or server.url
        self.ca_file = ca_file or server.ca_file
        self.session = requests.Session()
        self.cert = cert
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("verify", self.ca_file)
        kw.setdefault("timeout", 10)
        if self.cert is not None:
            kw.setdefault("cert", self.cert)
        return self.session.request(method, self.url + path, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("PUT", path, json=body, **kw)

    def patch(self, path: str, body: Any, content_type: str = "application/merge-patch+json",
              **kw: Any) -> requests.Response:
        return self.request("PATCH", path, data=json.dumps(body), headers={"Content-Type": content_type}, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def watch(self, path: str, **params: Any) -> "Watch":
        params.setdefault("watch", "1")
        r = self.get(path, params=params, stream=True, timeout=(5, 10))
        return Watch(r)


class Watch:
    """A watch stream read by a background thread, so tests can wait with a timeout."""

    def __init__(self, resp: requests.Response) -> None:
        self.resp = resp
        self.events: "queue.Queue[dict[str, Any] | BaseException | None]" = queue.Queue()
        self.ended_cleanly: bool | None = None
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self) -> None:
        try:
            for line in self.resp.iter_lines():
                if line:
                    self.events.put(json.loads(line))
            self.ended_cleanly = True
            self.events.put(None)
        except BaseException as e:  # noqa: BLE001 - handed to the test
            self.ended_cleanly = False
            self.events.put(e)

    def next(self, timeout: float = 5.0) -> dict[str, Any] | BaseException | None:
        """The next event; None at a clean end of stream; the exception if it broke."""
        return self.events.get(timeout=timeout)

    def take(self, n: int, timeout: float = 5.0, skip_bookmarks: bool = True) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < n:
            ev = self.next(timeout)
            if not isinstance(ev, dict):
                raise AssertionError(f"stream ended after {out!r}: {ev!r}")
            if skip_bookmarks and ev["type"] == "BOOKMARK":
                continue
            out.append(ev)
        return out

    def rest(self, timeout: float = 5.0) -> Iterator[dict[str, Any]]:
        while True:
            ev = self.next(timeout)
            if not isinstance(ev, dict):
                return
            yield ev

    def close(self) -> None:
        """Close now: shut the socket down first, or close() waits for the reader's read timeout
        (the reader thread holds the buffered reader's lock while it blocks)."""
        conn = getattr(self.resp.raw, "_connection", None)
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        self._t.join(timeout=5)
        self.resp.close()
