"""What a request authenticates with: a bearer token, fixed or read from a file that
rotates (`Token`), or an exec credential plugin's token or client certificate
(kep.api.execplugin, imported only when the kubeconfig names one); and what to do after a
401: once per request, re-read the token file or run the plugin again (`after_401`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from kep.api.clusterconfig import ClusterConfig

if TYPE_CHECKING:
    from kep.api.execplugin import Credential, ExecPlugin

log = logging.getLogger(__name__)

TOKEN_MAX_AGE = 60.0
"""Seconds after which a token file is re-read even if it looks unchanged."""


class Credentials:
    """The token file or the exec plugin of one ClusterConfig."""

    def __init__(self, config: ClusterConfig, clock: Callable[[], float],
                 environ: Mapping[str, str] | None = None) -> None:
        """`environ`: kep's environment as cli was given it, for an exec plugin (None: os.environ)."""
        self.token = Token(config.token, config.token_file, clock)
        self.plugin: ExecPlugin | None = None
        if config.exec is not None:  # only then: subprocess and friends cost in-cluster start-up
            from kep.api.execplugin import ExecPlugin

            self.plugin = ExecPlugin(config, environ=environ)

    def current(self) -> tuple[str | None, Credential | None]:
        """The bearer token to send, and the plugin's credential it came from (if any);
        raises PluginFailed."""
        if self.plugin is None:
            return self.token.current(), None
        credential = self.plugin.credential()
        return credential.token, credential

    def after_401(self, credential: Credential | None, what: str) -> bool:
        """After a 401: True when a fresh credential is worth one more try (the plugin's is
        dropped, or the token file is re-read); False when there is nothing to renew."""
        if self.plugin is not None and credential is not None:
            log.info("%s: 401 Unauthorized; running the exec plugin again", what)
            self.plugin.reject(credential)
            return True
        if self.token.from_file:
            log.info("%s: 401 Unauthorized; re-reading the token", what)
            self.token.reread()
            return True
        return False


class Token:
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
        return f"Token(path={self._path!r})"

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
