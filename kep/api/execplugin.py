"""Exec credential plugins (kubeconfig `users[].user.exec`), run as client-go runs them
(plugin/pkg/client/auth/exec/exec.go, `refreshCredsLocked`):

- the command with its args; its environment is kep's own (without what the frozen
  runtime added), then the plugin's `env`, then `KUBERNETES_EXEC_INFO`: an ExecCredential
  of the configured apiVersion whose spec says whether the plugin may prompt and, with
  `provideClusterInfo`, describes the cluster;
- standard input is kep's only when the plugin may prompt (`IfAvailable` and a terminal,
  or `Always`), else closed; standard error passes through; standard output is read;
- the answer is an ExecCredential of the same apiVersion with a `status`: a `token`, or
  `clientCertificateData` and `clientKeyData` (PEM), and maybe `expirationTimestamp`;
- it is kept until `expirationTimestamp` (for ever without one) and fetched again after
  it, or after the API server answered 401 to it.

A plugin that fails (exit code, signal, an answer that is not a credential) raises
`PluginFailed`, one line naming the user and the command; the client retries it like any
failed request. Nothing the plugin printed on standard output is ever shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kep import frozen
from kep.api.clusterconfig import ClusterConfig, ExecConfig
from kep.api.errors import PluginFailed
from kep.errors import ConfigError

EXEC_INFO = "KUBERNETES_EXEC_INFO"


@dataclass(frozen=True, slots=True)
class Credential:
    """What a plugin answered. Never shown: every secret field is out of the repr."""

    token: str | None = field(default=None, repr=False)
    client_cert: bytes | None = field(default=None, repr=False)
    client_key: bytes | None = field(default=None, repr=False)
    expires: float | None = None
    """Wall-clock time (seconds since the epoch) after which it is fetched again."""


def _cluster_info(cluster: ClusterConfig) -> dict[str, Any]:
    """ExecCredential `spec.cluster` (client-go rest/exec.go `ConfigToExecCluster`)."""
    info: dict[str, Any] = {"server": cluster.server}
    if cluster.tls_server_name:
        info["tls-server-name"] = cluster.tls_server_name
    if cluster.insecure_skip_tls_verify:
        info["insecure-skip-tls-verify"] = True
    ca = cluster.ca_data
    if ca is None and cluster.ca_file:
        try:
            with open(cluster.ca_file, "rb") as f:
                ca = f.read()
        except OSError as e:
            raise ConfigError([f"{cluster.source}: cannot read the certificate authority: {e.strerror or e}"]) from None
    if ca:
        info["certificate-authority-data"] = base64.b64encode(ca).decode()
    if cluster.proxy_url:
        info["proxy-url"] = cluster.proxy_url
    if cluster.exec is not None and cluster.exec.cluster_config is not None:
        info["config"] = json.loads(cluster.exec.cluster_config)
    return info


def _is_terminal() -> bool:
    try:
        return os.isatty(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):
        return False


class ExecPlugin:
    """One user's plugin and its cached credential; shared by every thread of a client."""

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        environ: Mapping[str, str] | None = None,
        now: Callable[[], float] = time.time,
        is_terminal: Callable[[], bool] = _is_terminal,
    ) -> None:
        assert cluster.exec is not None
        self.config: ExecConfig = cluster.exec
        self._environ = environ
        self._now = now
        self._lock = threading.Lock()
        self._cached: Credential | None = None
        mode = self.config.interactive_mode
        if mode == "Always" and not is_terminal():
            raise ConfigError([f"{self.name}: interactiveMode is Always, but kep's standard input is not a terminal"])
        self._interactive = mode == "Always" or (mode == "IfAvailable" and is_terminal())
        spec: dict[str, Any] = {}
        if self.config.provide_cluster_info:
            spec["cluster"] = _cluster_info(cluster)
        spec["interactive"] = self._interactive
        self._exec_info = json.dumps(  # compact, with the newline Go's json.Encoder ends it with
            {"kind": "ExecCredential", "apiVersion": self.config.api_version, "spec": spec}, separators=(",", ":")
        ) + "\n"

    def __repr__(self) -> str:
        return f"ExecPlugin({self.name})"

    @property
    def name(self) -> str:
        return f'exec plugin {self.config.command} (user "{self.config.user}")'

    def credential(self) -> Credential:
        """The cached credential while it has not expired, else a fresh one."""
        with self._lock:
            cached = self._cached
            if cached is None or (cached.expires is not None and self._now() > cached.expires):
                self._cached = cached = self._run()
            return cached

    def reject(self, credential: Credential) -> None:
        """The API server answered 401 to it, or it cannot be used: the next `credential()`
        runs the plugin again (unless another thread already got a new one)."""
        with self._lock:
            if self._cached is credential:
                self._cached = None

    def _run(self) -> Credential:
        env = frozen.original_environ(os.environ if self._environ is None else self._environ)
        env.update(self.config.env)
        env[EXEC_INFO] = self._exec_info
        try:
            done = subprocess.run(
                [self.config.command, *self.config.args],
                env=env,
                stdin=None if self._interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=None,
                check=False,
            )
        except OSError as e:
            raise PluginFailed(f"{self.name} cannot be run: {e.strerror or e}") from None
        if done.returncode < 0:
            raise PluginFailed(f"{self.name} was killed by signal {-done.returncode}")
        if done.returncode:
            raise PluginFailed(f"{self.name} failed with exit code {done.returncode}")
        return self._parse(done.stdout)

    def _parse(self, out: bytes) -> Credential:
        """The ExecCredential on standard output, checked as `refreshCredsLocked` checks it."""
        try:
            answer = json.loads(out)
        except (ValueError, UnicodeDecodeError):
            raise PluginFailed(f"{self.name} printed no JSON ExecCredential") from None
        if not isinstance(answer, dict) or answer.get("kind") != "ExecCredential":
            raise PluginFailed(f"{self.name} printed something other than an ExecCredential")
        if answer.get("apiVersion") != self.config.api_version:
            raise PluginFailed(
                f"{self.name} is configured for {self.config.api_version} and answered {answer.get('apiVersion')}"
            )
        status = answer.get("status")
        if not isinstance(status, dict):
            raise PluginFailed(f"{self.name} returned no status")
        token, cert, key = (status.get(k) or None for k in ("token", "clientCertificateData", "clientKeyData"))
        if not all(v is None or isinstance(v, str) for v in (token, cert, key)):
            raise PluginFailed(f"{self.name} returned a status whose token or certificate is not a string")
        if not (token or cert or key):
            raise PluginFailed(f"{self.name} returned neither a token nor a client certificate and key")
        if bool(cert) != bool(key):
            raise PluginFailed(f"{self.name} returned a client certificate or a key, not both")
        return Credential(
            token=token,
            client_cert=cert.encode() if cert else None,
            client_key=key.encode() if key else None,
            expires=self._expiry(status.get("expirationTimestamp")),
        )

    def _expiry(self, stamp: Any) -> float | None:
        if stamp is None:
            return None
        try:
            when = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise PluginFailed(f"{self.name} returned an expirationTimestamp that is not an RFC 3339 time")
        return when.timestamp()
