"""Where kep finds the Kubernetes API server and its credentials.

`load_config(env, home)` takes the first configuration that applies:

1. in cluster: `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set and the
   service-account directory (`/var/run/secrets/kubernetes.io/serviceaccount`, or
   `KEP_SERVICE_ACCOUNT_DIR`) holds a `token` -> `ClusterConfig.from_service_account`;
2. a kubeconfig: the first file of `KUBECONFIG` (a ":" list), else `~/.kube/config`
   -> `ClusterConfig.from_kubeconfig`;
3. neither: `ConfigError` with one line saying what was looked for.

Behaviour next to kubectl / client-go:

| situation                                   | kubectl / client-go              | kep                                  |
|---------------------------------------------|----------------------------------|--------------------------------------|
| in cluster, `ca.crt` missing                | logs, trusts the system roots    | ConfigError (always the given CA)    |
| in cluster, token missing                   | in-cluster config fails          | falls back to a kubeconfig           |
| IPv6 `KUBERNETES_SERVICE_HOST`              | bracketed                        | bracketed                            |
| `KUBECONFIG=a:b`                            | files merged                     | `a` only                             |
| `KUBECONFIG` set, file missing              | empty config (no default file)   | ConfigError naming it                |
| no `current-context`                        | proxy / localhost:8080           | ConfigError                          |
| context names a missing cluster or user     | error / anonymous                | ConfigError                          |
| `certificate-authority` and `-data`         | data wins                        | data wins                            |
| CA given and `insecure-skip-tls-verify`     | error                            | ConfigError                          |
| `insecure-skip-tls-verify: true`            | no verification                  | no verification, one warning logged  |
| `token` and `tokenFile`                     | file wins, re-read periodically  | file wins, re-read on change and 401 |
| client cert/key and their `-data` forms     | data wins                        | data wins (loaded in memory)         |
| relative paths                              | against the kubeconfig's dir     | against the kubeconfig's dir         |
| `exec`, `auth-provider`, basic auth, `as`   | supported                        | ConfigError naming the user          |
| JSON kubeconfig                             | accepted                         | accepted                             |

A `ClusterConfig` is a value: paths and bytes, no open files. It never shows a token in
its repr. Importing this module is cheap (no `requests`, no I/O).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kep.errors import ConfigError

DEFAULT_SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"

_UNSUPPORTED_USER_FIELDS = (
    ("exec", "exec credentials"),
    ("auth-provider", "an auth-provider"),
    ("username", "basic authentication (username/password)"),
    ("password", "basic authentication (username/password)"),
    ("as", "impersonation (as)"),
    ("as-uid", "impersonation (as-uid)"),
    ("as-groups", "impersonation (as-groups)"),
    ("as-user-extra", "impersonation (as-user-extra)"),
)


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

    @property
    def has_client_cert(self) -> bool:
        return bool(self.client_cert_data or self.client_cert_file)

    @classmethod
    def from_service_account(cls, directory: str, host: str, port: str) -> ClusterConfig:
        """In-cluster configuration: `https://host:port`, `directory/token` (re-read by the
        client as it rotates) and `directory/ca.crt`."""
        problems = []
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        if not port.isdigit() or not 0 < int(port) < 65536:
            problems.append(f"in-cluster API server port {port!r} is not a port number")
        token_file = os.path.join(directory, "token")
        ca_file = os.path.join(directory, "ca.crt")
        for path, what in ((token_file, "token"), (ca_file, "CA certificate")):
            if not os.path.isfile(path):
                problems.append(f"service account {directory}: no {what} file {path}")
        if problems:
            raise ConfigError(problems)
        return cls(
            server=f"https://{host}:{port}",
            source=f"service account {directory}",
            ca_file=ca_file,
            token_file=token_file,
            namespace=_read_namespace(directory),
        )

    @classmethod
    def from_kubeconfig(cls, path: str, context: str | None = None) -> ClusterConfig:
        """The kubeconfig's current context (or `context`). Raises ConfigError for anything
        kep cannot use, naming the file."""
        return _Kubeconfig(path).config(context)


def service_account_dir(env: Mapping[str, str]) -> str:
    return env.get("KEP_SERVICE_ACCOUNT_DIR") or DEFAULT_SERVICE_ACCOUNT_DIR


def service_account_namespace(env: Mapping[str, str]) -> str | None:
    """The pod's namespace from the service-account `namespace` file, or None."""
    return _read_namespace(service_account_dir(env))


def kubeconfig_path(env: Mapping[str, str], home: str | None = None) -> str | None:
    """First file of KUBECONFIG, else `<home>/.kube/config` (home defaults to HOME)."""
    listed = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        return listed[0]
    home = home or env.get("HOME")
    return os.path.join(home, ".kube", "config") if home else None


def load_config(env: Mapping[str, str], home: str | None = None) -> ClusterConfig:
    """In cluster, else a kubeconfig, else ConfigError (see the module docstring)."""
    looked: list[str] = []
    host = env.get("KUBERNETES_SERVICE_HOST", "")
    port = env.get("KUBERNETES_SERVICE_PORT", "")
    sa_dir = service_account_dir(env)
    if host and port:
        token = os.path.join(sa_dir, "token")
        if os.path.isfile(token):
            return ClusterConfig.from_service_account(sa_dir, host, port)
        looked.append(f"in a cluster, but there is no service-account token {token}")
    else:
        looked.append("not in a cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset)")
    path = kubeconfig_path(env, home)
    if path and os.path.exists(path):
        return ClusterConfig.from_kubeconfig(path)
    if path is None:
        looked.append("no kubeconfig (KUBECONFIG and HOME unset)")
    else:
        origin = "KUBECONFIG" if env.get("KUBECONFIG") else "default"
        looked.append(f"no kubeconfig {path} ({origin})")
    raise ConfigError([f"no Kubernetes API configuration: {'; '.join(looked)}"])


def _read_namespace(directory: str) -> str | None:
    try:
        with open(os.path.join(directory, "namespace"), encoding="utf-8") as f:
            text = f.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


class _Kubeconfig:
    """One kubeconfig file, read and checked; problems are collected as lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.dir = os.path.dirname(os.path.abspath(path))
        self.problems: list[str] = []
        self.doc = self._load()

    def fail(self, message: str) -> ConfigError:
        return ConfigError([f"kubeconfig {self.path}: {message}"])

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise self.fail(f"cannot read it: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise self.fail("not UTF-8 text") from None
        if text.lstrip().startswith("{"):
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as e:
                raise self.fail(f"line {e.lineno}: invalid JSON: {e.msg}") from None
        else:
            from kep.api.kubeconfig_yaml import YamlError, loads

            try:
                doc = loads(text)
            except YamlError as e:
                raise self.fail(f"line {e.line}: {e.message}") from None
        if not isinstance(doc, dict):
            raise self.fail("not a kubeconfig (expected a mapping with clusters, contexts and users)")
        return doc

    def _named(self, section: str, name: str, inner: str) -> dict[str, Any]:
        entries = self.doc.get(section) or []
        if not isinstance(entries, list):
            raise self.fail(f"{section} is not a list")
        for entry in entries:
            if isinstance(entry, dict) and entry.get("name") == name:
                value = entry.get(inner) or {}
                if not isinstance(value, dict):
                    raise self.fail(f'{inner} "{name}" is not a mapping')
                return value
        raise self.fail(f'{inner} "{name}" not found in {section}')

    def _str(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.problems.append(f"kubeconfig {self.path}: {where}: {key} must be a string")
            return None
        return str(value)

    def _path(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        value = self._str(obj, key, where)
        if value is None:
            return None
        path = os.path.normpath(os.path.join(self.dir, os.path.expanduser(value)))
        if not os.path.isfile(path):
            self.problems.append(f"kubeconfig {self.path}: {where}: {key} {path}: no such file")
        return path

    def _data(self, obj: dict[str, Any], key: str, where: str) -> bytes | None:
        value = self._str(obj, key, where)
        if value is None:
            return None
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            self.problems.append(f"kubeconfig {self.path}: {where}: {key} is not valid base64")
            return None

    def config(self, context: str | None) -> ClusterConfig:
        name = context or self.doc.get("current-context")
        if not name or not isinstance(name, str):
            raise self.fail("no current-context set")
        ctx = self._named("contexts", name, "context")
        cluster_name = ctx.get("cluster")
        if not cluster_name or not isinstance(cluster_name, str):
            raise self.fail(f'context "{name}" names no cluster')
        cluster = self._named("clusters", cluster_name, "cluster")
        user_name = ctx.get("user")
        user: dict[str, Any] = {}
        if user_name:
            if not isinstance(user_name, str):
                raise self.fail(f'context "{name}": user must be a string')
            user = self._named("users", user_name, "user")
        for key, what in _UNSUPPORTED_USER_FIELDS:
            if user.get(key):
                extra = ""
                if key == "auth-provider" and isinstance(user[key], dict) and user[key].get("name"):
                    extra = f" ({user[key]['name']})"
                raise self.fail(
                    f'user "{user_name}" uses {what}{extra}, which kep does not support; '
                    "use a token or client certificate"
                )

        cwhere = f'cluster "{cluster_name}"'
        server = self._str(cluster, "server", cwhere)
        if server is None:
            raise self.fail(f"{cwhere} has no server")
        if not server.startswith(("https://", "http://")):
            raise self.fail(f"{cwhere}: server {server!r} is not an http(s) URL")
        insecure = cluster.get("insecure-skip-tls-verify", False)
        if not isinstance(insecure, bool):
            self.problems.append(f"kubeconfig {self.path}: {cwhere}: insecure-skip-tls-verify must be true or false")
            insecure = False
        ca_data = self._data(cluster, "certificate-authority-data", cwhere)
        ca_file = None if ca_data else self._path(cluster, "certificate-authority", cwhere)
        if insecure and (ca_data or ca_file):
            self.problems.append(
                f"kubeconfig {self.path}: {cwhere}: a certificate authority and "
                "insecure-skip-tls-verify cannot both be set"
            )

        uwhere = f'user "{user_name}"'
        cert_data = self._data(user, "client-certificate-data", uwhere)
        key_data = self._data(user, "client-key-data", uwhere)
        cert_file = None if cert_data else self._path(user, "client-certificate", uwhere)
        key_file = None if key_data else self._path(user, "client-key", uwhere)
        if bool(cert_data or cert_file) != bool(key_data or key_file):
            self.problems.append(
                f"kubeconfig {self.path}: {uwhere}: a client certificate needs both a certificate and a key"
            )
        token_file = self._path(user, "tokenFile", uwhere)
        token = None if token_file else self._str(user, "token", uwhere)
        namespace = self._str(ctx, "namespace", f'context "{name}"')
        if self.problems:
            raise ConfigError(self.problems)
        return ClusterConfig(
            server=server.rstrip("/"),
            source=f"kubeconfig {self.path} (context {name})",
            ca_file=ca_file,
            ca_data=ca_data,
            insecure_skip_tls_verify=insecure,
            tls_server_name=self._str(cluster, "tls-server-name", cwhere),
            token=token,
            token_file=token_file,
            client_cert_file=cert_file,
            client_key_file=key_file,
            client_cert_data=cert_data,
            client_key_data=key_data,
            proxy_url=self._str(cluster, "proxy-url", cwhere),
            namespace=namespace,
        )
