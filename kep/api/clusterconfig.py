"""How to reach one API server: the values kep.api.config finds and kep.api.client uses.

A `ClusterConfig` is a value: paths and bytes, no open files. It never shows a token or a
key in its repr.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ExecConfig:
    """A credential plugin (kubeconfig `users[].user.exec`), checked and located; run by
    kep.api.execplugin as client-go's exec authenticator runs it."""

    command: str
    """The executable: absolute once located."""
    args: tuple[str, ...] = field(repr=False)
    env: tuple[tuple[str, str], ...] = field(repr=False)
    """Added to kep's environment. Arguments and values may hold secrets: never shown."""
    api_version: str
    interactive_mode: str
    """Never, IfAvailable or Always (v1beta1 defaults to IfAvailable)."""
    provide_cluster_info: bool
    install_hint: str | None
    cluster_config: str | None
    """The cluster's `client.authentication.k8s.io/exec` extension, as JSON."""
    user: str
    """The kubeconfig user, for messages."""

    def with_command(self, command: str) -> ExecConfig:
        return dataclasses.replace(self, command=command)


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """How to reach one API server. Data fields win over their file forms."""

    server: str
    """Base URL without a trailing slash, e.g. `https://[fd00::1]:443`."""
    source: str
    """Where this came from, for messages: `service account /var/run/...`, `kubeconfig /x (context c)`."""
    ca_file: str | None = None
    ca_data: bytes | None = None
    insecure_skip_tls_verify: bool = False
    tls_server_name: str | None = None
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    client_cert_file: str | None = None
    client_key_file: str | None = None
    client_cert_data: bytes | None = field(default=None, repr=False)
    client_key_data: bytes | None = field(default=None, repr=False)
    proxy_url: str | None = None
    namespace: str | None = None
    """The service-account namespace, or the kubeconfig context's namespace."""
    exec: ExecConfig | None = None
    """A credential plugin, when the kubeconfig user has one and no token or certificate."""

