"""Kubeconfig files, read and merged as kubectl reads them (client-go tools/clientcmd).

Where each rule comes from (client-go): loader.go `ClientConfigLoadingRules.Load`,
`LoadFromFile`, `ResolveLocalPaths`; api/v1/types.go and api/v1/conversion.go (the
fields, their types, duplicate names); client_config.go `DirectClientConfig.ClientConfig`
and `Namespace`; validation.go `validateClusterInfo`, `validateAuthInfo`;
rest/url_utils.go `DefaultServerURL`; plugin/pkg/client/auth/exec/exec.go.

- Files: the list in order, each path once; a missing file is skipped; a file that
  cannot be read or decoded fails the load, whichever entry is used.
- Decoding is go-yaml v2's then typed JSON's (apimachinery's YAML serializer): YAML
  (JSON is YAML) with the first document only; plain `y`, `yes`, `on`, `true`... are
  booleans and plain numbers are numbers, so either where a string field is declared
  fails the file; dates stay strings; unknown fields are ignored; base64 fields skip line
  breaks only; a name twice in one list fails the file.
- Merging: for clusters, users and contexts the first file that names an entry wins,
  whole; `current-context` comes from the first file that sets it.
- Relative paths (certificate-authority, client-certificate, client-key, tokenFile, an
  exec command holding a "/") are against the directory of the file the entry came
  from; `~` is not expanded.

Importing this module does not import PyYAML; reading a file does.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import math
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kep.api.clusterconfig import ClusterConfig, ExecConfig
from kep.errors import ConfigError

log = logging.getLogger(__name__)

EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
"""exec.go `apiVersions` (v1alpha1 was removed in Kubernetes 1.24)."""
INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
"""The cluster extension handed to a plugin as `spec.cluster.config` (client-go rest/exec.go)."""

_UNSUPPORTED_USER_FIELDS = (
    ("auth-provider", "an auth-provider"),
    ("username", "basic authentication (username/password)"),
    ("password", "basic authentication (username/password)"),
    ("as", "impersonation (as)"),
    ("as-uid", "impersonation (as-uid)"),
    ("as-groups", "impersonation (as-groups)"),
    ("as-user-extra", "impersonation (as-user-extra)"),
)


# -- decoding ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Number:
    """A plain scalar that go-yaml v2 reads as a number: kubectl refuses it in a string field."""

    text: str

    def value(self) -> int | float | str:
        """The number go-yaml v2 reads (ParseInt base 0 with a leading 0 for octal, then
        ParseFloat), as sigs.k8s.io/yaml puts it into JSON; .inf and .nan stay as written."""
        text = self.text.replace("_", "")
        try:
            return int(text, 8) if re.fullmatch(r"[-+]?0[0-7]+", text) else int(text, 0)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return self.text
        return number if math.isfinite(number) else self.text


@dataclass(frozen=True, slots=True)
class _MapOf:
    value: Any


_NUMBER_TAG = "tag:kep,kubeconfig:number"
_NUMBER = re.compile(
    r"""^(?:[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO][0-7_]+|[-+]?0[bB][01_]+
    |[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.X,
)
"""go-yaml v2 `resolve`: what strconv.ParseInt/ParseUint (base 0) or its float pattern take
once "_" is dropped, plus .inf and .nan."""
_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
"""go-yaml v2's booleans: YAML 1.1's, `y` and `n` included (PyYAML leaves those two out)."""


@functools.cache
def _loader() -> Any:
    """PyYAML's safe loader (the C one when built) resolving plain scalars as go-yaml v2
    does: null, booleans, numbers (kept as written) and merge keys; nothing else."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    bools = {**yaml.SafeLoader.bool_values, "y": True, "n": False}
    loader: Any = type("KubeconfigLoader", (base,), {"yaml_implicit_resolvers": {}, "bool_values": bools})
    loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("yYnNtTfFoO"))
    loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
    loader.add_implicit_resolver(_NUMBER_TAG, _NUMBER, list("-+0123456789."))
    loader.add_constructor(_NUMBER_TAG, lambda self, node: _Number(self.construct_scalar(node)))
    return loader


def _parse(data: bytes) -> Any:
    """The first YAML document (go-yaml v2 reads no further); raises yaml.YAMLError."""
    import yaml

    return next(iter(yaml.load_all(data, Loader=_loader())), None)


def _yaml_problem(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is not None and problem:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


_EXTENSIONS = [{"name": str, "extension": object}]
_EXEC = {
    "command": str,
    "args": [str],
    "env": [{"name": str, "value": str}],
    "apiVersion": str,
    "installHint": str,
    "provideClusterInfo": bool,
    "interactiveMode": str,
}
_CLUSTER = {
    "server": str,
    "tls-server-name": str,
    "insecure-skip-tls-verify": bool,
    "certificate-authority": str,
    "certificate-authority-data": bytes,
    "proxy-url": str,
    "disable-compression": bool,
    "extensions": _EXTENSIONS,
}
_USER = {
    "client-certificate": str,
    "client-certificate-data": bytes,
    "client-key": str,
    "client-key-data": bytes,
    "token": str,
    "tokenFile": str,
    "as": str,
    "as-uid": str,
    "as-groups": [str],
    "as-user-extra": _MapOf([str]),
    "username": str,
    "password": str,
    "auth-provider": {"name": str, "config": _MapOf(str)},
    "exec": _EXEC,
    "extensions": _EXTENSIONS,
}
_CONTEXT = {"cluster": str, "user": str, "namespace": str, "extensions": _EXTENSIONS}
_SECTIONS = (("clusters", "cluster", _CLUSTER), ("users", "user", _USER), ("contexts", "context", _CONTEXT))
"""The lists of a v1 Config: (list key, entry key, entry fields)."""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (_Number, int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _key(key: Any) -> str:
    """A mapping key as sigs.k8s.io/yaml turns it into a JSON key: `0x1F` -> "31", `n` -> "false"."""
    if isinstance(key, _Number):
        number = key.value()
        return number if isinstance(number, str) else format(number, "")
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _json(value: Any) -> Any:
    """A YAML value as sigs.k8s.io/yaml turns it into JSON: numbers are numbers, keys strings."""
    if isinstance(value, dict):
        return {_key(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, _Number):
        return value.value()
    return value


def _field(where: str, key: str) -> str:
    """`user "u": exec.args[0]`: the entry, then the path of the field inside it."""
    return f"{where}: {key}" if where.endswith('"') else f"{where}.{key}"


class _Decoder:
    """Typed decoding of one file (Go's encoding/json into clientcmd's v1 types): null is
    unset, unknown fields are dropped, every type problem is one line naming the field."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[str] = []

    def value(self, kind: Any, value: Any, where: str) -> Any:
        if value is None:
            return None
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                return self.wrong(where, value, "a mapping")
            return {k: self.value(sub, value.get(k), _field(where, k)) for k, sub in kind.items()}
        if isinstance(kind, list):
            if not isinstance(value, list):
                return self.wrong(where, value, "a list")
            return [self.value(kind[0], item, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(kind, _MapOf):
            if not isinstance(value, dict):
                return self.wrong(where, value, "a mapping")
            return {_key(k): self.value(kind.value, v, _field(where, _key(k))) for k, v in value.items()}
        if kind is object:
            return value
        if kind is bool:
            return value if isinstance(value, bool) else self.wrong(where, value, "true or false")
        if not isinstance(value, str):
            quote = " (quote it)" if isinstance(value, (bool, _Number)) else ""
            return self.wrong(where, value, "a string" + quote)
        if kind is bytes:
            try:
                return base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
            except (binascii.Error, ValueError):
                self.problems.append(f"kubeconfig {self.path}: {where} is not valid base64")
                return None
        return value

    def wrong(self, where: str, value: Any, wanted: str) -> None:
        self.problems.append(f"kubeconfig {self.path}: {where} is {_type_name(value)}, not {wanted}")

    def file(self, doc: Any) -> _File:
        if doc is not None and not isinstance(doc, dict):
            self.problems.append(f"kubeconfig {self.path}: not a kubeconfig (a mapping with clusters, contexts and users)")
            doc = None
        doc = doc or {}
        for key, wanted in (("apiVersion", "v1"), ("kind", "Config")):  # kubectl: "no kind ... is registered"
            value = self.value(str, doc.get(key), key)
            if value and value != wanted:
                self.problems.append(f"kubeconfig {self.path}: {key} is {value!r}, not {wanted!r}")
        current = self.value(str, doc.get("current-context"), "current-context") or None
        named: dict[str, dict[str, _Entry]] = {}
        for section, inner, fields in _SECTIONS:
            found: dict[str, _Entry] = {}
            for i, item in enumerate(self.value([object], doc.get(section), section) or []):
                item = self.value({"name": object, inner: object}, item, f"{section}[{i}]") or {}
                name = self.value(str, item.get("name"), f"{section}[{i}].name") or ""
                entry = self.value(fields, item.get(inner), f'{inner} "{name}"') or {}
                if name in found:
                    self.problems.append(f'kubeconfig {self.path}: {section}: "{name}" is listed twice')
                found[name] = _Entry(name, entry, self.path)
            named[section] = found
        return _File(self.path, current, named["clusters"], named["users"], named["contexts"])


@dataclass(frozen=True, slots=True)
class _Entry:
    """One named cluster, user or context: decoded fields (None when unset) and its file."""

    name: str
    fields: dict[str, Any]
    origin: str

    def get(self, key: str) -> Any:
        value = self.fields.get(key)
        return None if value == "" or value == [] else value

    def path(self, key: str) -> str | None:
        """A file field, relative to the directory of the entry's file (loader.go ResolvePaths)."""
        value = self.get(key)
        if value is None:
            return None
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.origin)), value))


@dataclass(frozen=True, slots=True)
class _File:
    path: str
    current_context: str | None
    clusters: dict[str, _Entry]
    users: dict[str, _Entry]
    contexts: dict[str, _Entry]


def _read(path: str) -> _File | None:
    """One file decoded, or None when it does not exist (skipped, as by kubectl)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError([f"kubeconfig {path}: cannot read it: {e.strerror or e}"]) from None
    decoder = _Decoder(path)
    import yaml

    try:
        doc = _parse(data) if data.strip() else None
    except yaml.YAMLError as e:
        raise ConfigError([f"kubeconfig {path}: {_yaml_problem(e)}"]) from None
    except RecursionError:
        raise ConfigError([f"kubeconfig {path}: nested too deeply"]) from None
    decoded = decoder.file(doc)
    if decoder.problems:
        raise ConfigError(decoder.problems)
    return decoded


# -- merging and resolving -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kubeconfig:
    """The files of a KUBECONFIG list merged as kubectl merges them."""

    files: tuple[str, ...]
    """The files that exist, in order."""
    current_context: str | None
    current_context_origin: str | None
    clusters: dict[str, _Entry]
    users: dict[str, _Entry]
    contexts: dict[str, _Entry]

    @classmethod
    def read(cls, paths: Sequence[str]) -> Kubeconfig | None:
        """Every file of `paths` that exists, merged; None if none does."""
        files: list[_File] = []
        problems: list[str] = []
        for path in dict.fromkeys(p for p in paths if p):
            try:
                found = _read(path)
            except ConfigError as e:
                problems += e.problems
                continue
            if found is not None:
                files.append(found)
        if problems:
            raise ConfigError(problems)
        if not files:
            return None
        current = next((f for f in files if f.current_context), None)
        merged: dict[str, dict[str, _Entry]] = {"clusters": {}, "users": {}, "contexts": {}}
        for f in files:
            for section, entries in (("clusters", f.clusters), ("users", f.users), ("contexts", f.contexts)):
                for name, entry in entries.items():
                    merged[section].setdefault(name, entry)
        return cls(
            files=tuple(f.path for f in files),
            current_context=current.current_context if current else None,
            current_context_origin=current.path if current else None,
            **merged,
        )

    def _context(self) -> _Entry:
        if not self.current_context:
            raise ConfigError([f"kubeconfig {', '.join(self.files)}: no current-context set"])
        context = self.contexts.get(self.current_context)
        if context is None:
            raise ConfigError(
                [f'kubeconfig {self.current_context_origin}: current-context "{self.current_context}" '
                 f"is not among the contexts of {', '.join(self.files)}"]
            )
        return context

    @property
    def namespace(self) -> str | None:
        """The current context's namespace (client_config.go `Namespace`), if it sets one."""
        context = self._context()
        value = context.get("namespace")
        return value if isinstance(value, str) else None

    def cluster_config(self, search_path: str | None = None) -> ClusterConfig:
        """The current context as a ClusterConfig; `search_path` is the PATH in which an exec
        plugin named without a "/" is looked up. ConfigError lists every problem."""
        context = self._context()
        where = f'kubeconfig {context.origin}: context "{context.name}"'
        cluster_name = context.get("cluster")
        if not cluster_name:
            raise ConfigError([f"{where} names no cluster"])
        cluster = self.clusters.get(cluster_name)
        if cluster is None:
            raise ConfigError([f'{where}: cluster "{cluster_name}" is not among the clusters of {", ".join(self.files)}'])
        user_name = context.get("user")
        user = self.users.get(user_name) if user_name else None
        if user_name and user is None:
            log.warning('%s: user "%s" is not among the users of %s; connecting without credentials, as kubectl does',
                        where, user_name, ", ".join(self.files))
        return _Resolver(context, cluster, user, search_path).config()


class _Resolver:
    """One context's cluster and user turned into a ClusterConfig; problems collected."""

    def __init__(self, context: _Entry, cluster: _Entry, user: _Entry | None, search_path: str | None) -> None:
        self.context = context
        self.cluster = cluster
        self.user = user
        self.search_path = search_path
        self.problems: list[str] = []

    def fail(self, entry: _Entry, kind: str, message: str) -> None:
        self.problems.append(f'kubeconfig {entry.origin}: {kind} "{entry.name}": {message}')

    def existing(self, entry: _Entry, kind: str, key: str) -> str | None:
        path = entry.path(key)
        if path is not None and not os.path.isfile(path):
            self.fail(entry, kind, f"{key} {path}: no such file")
        return path

    def config(self) -> ClusterConfig:
        cluster = self.cluster
        ca_data = cluster.get("certificate-authority-data")
        ca_file = self.existing(cluster, "cluster", "certificate-authority")
        if ca_data and ca_file:
            self.fail(cluster, "cluster", "certificate-authority-data and certificate-authority are both set "
                      "(kubectl refuses this too; keep one)")
        insecure = bool(cluster.get("insecure-skip-tls-verify"))
        if insecure and (ca_data or ca_file):
            self.fail(cluster, "cluster", "a certificate authority and insecure-skip-tls-verify cannot both be set")
        proxy_url = cluster.get("proxy-url")
        if proxy_url and not re.match(r"^https?://", proxy_url):
            scheme = proxy_url.split("://", 1)[0] if "://" in proxy_url else proxy_url
            what = "which kep does not support" if scheme == "socks5" else "not http or https"
            self.fail(cluster, "cluster", f"proxy-url scheme {scheme!r}: {what}")
        server = self.server()
        credentials: dict[str, Any] = {}
        if self.user is not None:
            credentials = self.credentials(server.startswith("https://"))
        if self.problems:
            raise ConfigError(self.problems)
        return ClusterConfig(
            server=server,
            source=f"kubeconfig {self.context.origin} (context {self.context.name})",
            ca_file=None if ca_data else ca_file,
            ca_data=ca_data,
            insecure_skip_tls_verify=insecure,
            tls_server_name=cluster.get("tls-server-name"),
            proxy_url=proxy_url,
            namespace=self.context.get("namespace"),
            **credentials,
        )

    def server(self) -> str:
        """A server without a scheme is plain http, whatever TLS settings the cluster has:
        client_config.go asks `IsConfigTransportTLS` before it adds any of them."""
        server: str | None = self.cluster.get("server")
        if not server:
            self.fail(self.cluster, "cluster", "has no server")
            return ""
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]", server):
            server = "http://" + server
        if not server.lower().startswith(("https://", "http://")):
            self.fail(self.cluster, "cluster", f"server {server!r} is not an http(s) URL")
        return server.split("#", 1)[0].split("?", 1)[0].rstrip("/")

    def credentials(self, secure: bool) -> dict[str, Any]:
        """The user's credentials; client-go sends none to an http:// server."""
        user = self.user
        assert user is not None
        for key, what in _UNSUPPORTED_USER_FIELDS:
            if user.get(key):
                extra = ""
                if key == "auth-provider" and user.get(key).get("name"):
                    extra = f" ({user.get(key)['name']})"
                self.fail(user, "user", f"uses {what}{extra}, which kep does not support; "
                          "use a token, a client certificate or an exec plugin")
                return {}
        exec_config = self.exec_config(user.get("exec")) if user.get("exec") else None
        cert_data, key_data = user.get("client-certificate-data"), user.get("client-key-data")
        has_cert = bool(cert_data or user.get("client-certificate"))
        cert_file = key_file = None
        if has_cert:  # a key alone is ignored (validateAuthInfo, transport.Config.HasCertAuth)
            cert_file = self.existing(user, "user", "client-certificate")
            key_file = self.existing(user, "user", "client-key")
            if cert_data and cert_file:
                self.fail(user, "user", "client-certificate-data and client-certificate are both set "
                          "(kubectl refuses this too; keep one)")
            if key_data and key_file:
                self.fail(user, "user", "client-key-data and client-key are both set "
                          "(kubectl refuses this too; keep one)")
            if not (key_data or key_file):
                self.fail(user, "user", "a client certificate needs a client-key or client-key-data")
        token_file = self.existing(user, "user", "tokenFile")
        token = None if token_file else user.get("token")
        if not secure:
            return {}
        static = bool(token or token_file or has_cert)
        if exec_config is not None and not static:
            exec_config = self.located(exec_config)
        return {
            "token": token,
            "token_file": token_file,
            "client_cert_file": None if cert_data else cert_file,
            "client_key_file": None if key_data else key_file,
            "client_cert_data": cert_data,
            "client_key_data": key_data if has_cert else None,
            "exec": None if static else exec_config,
        }

    def exec_config(self, spec: dict[str, Any]) -> ExecConfig | None:
        """users[].user.exec checked as validation.go and exec.go check it."""
        user = self.user
        assert user is not None
        before = len(self.problems)
        command = spec.get("command") or ""
        api_version = spec.get("apiVersion") or ""
        if not command:
            self.fail(user, "user", "exec: command must be set")
        if not api_version:
            self.fail(user, "user", "exec: apiVersion must be set")
        elif api_version not in EXEC_API_VERSIONS:
            self.fail(user, "user", f"exec: apiVersion {api_version!r} is not one of {', '.join(EXEC_API_VERSIONS)}")
        mode = spec.get("interactiveMode") or ("IfAvailable" if api_version.endswith("/v1beta1") else "")
        if not mode:
            self.fail(user, "user", "exec: interactiveMode must be set (Never, IfAvailable or Always)")
        elif mode not in INTERACTIVE_MODES:
            self.fail(user, "user", f"exec: interactiveMode {mode!r} is not Never, IfAvailable or Always")
        env = [(e.get("name") or "", e.get("value") or "") for e in spec.get("env") or [] if e is not None]
        if any(not name for name, _ in env):
            self.fail(user, "user", "exec: an env entry has no name")
        if len(self.problems) > before:
            return None
        extension = next(
            (e.get("extension") for e in self.cluster.get("extensions") or []
             if e and e.get("name") == EXEC_CLUSTER_EXTENSION),
            None,
        )
        if "/" in command:
            command = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(user.origin)), command))
        return ExecConfig(
            command=command,
            args=tuple(a or "" for a in spec.get("args") or []),
            env=tuple(env),
            api_version=api_version,
            interactive_mode=mode,
            provide_cluster_info=bool(spec.get("provideClusterInfo")),
            install_hint=spec.get("installHint") or None,
            cluster_config=None if extension is None else json.dumps(_json(extension), sort_keys=True, default=str),
            user=user.name,
        )

    def located(self, exec_config: ExecConfig | None) -> ExecConfig | None:
        """The plugin's executable: a path, else looked up in PATH (exec.Command). One that
        cannot be run is a configuration error naming the user and the command."""
        if exec_config is None:
            return None
        user = self.user
        assert user is not None
        command = exec_config.command
        hint = f" ({exec_config.install_hint.strip().splitlines()[0]})" if exec_config.install_hint else ""
        if "/" in command:
            if not os.path.isfile(command):
                self.fail(user, "user", f"exec plugin {command}: no such file{hint}")
            elif not os.access(command, os.X_OK):
                self.fail(user, "user", f"exec plugin {command}: not executable")
            return exec_config
        found = shutil.which(command, path=self.search_path or os.defpath)
        if found is None:
            self.fail(user, "user", f"exec plugin {command!r}: not found in PATH{hint}")
            return exec_config
        return exec_config.with_command(found)
