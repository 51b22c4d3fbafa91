"""Where kep finds the Kubernetes API server and its credentials.

`load_config(env, home)` takes the first configuration that applies:

1. in cluster: `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set and the
   service-account directory (`/var/run/secrets/kubernetes.io/serviceaccount`, or
   `KEP_SERVICE_ACCOUNT_DIR`) holds a `token` -> `in_cluster`;
2. a kubeconfig: the files of `KUBECONFIG` (a ":" list), else `~/.kube/config`, merged
   as kubectl merges them -> `kep.api.kubeconfig.Kubeconfig`;
3. neither: `ConfigError` with one line saying what was looked for.

Behaviour next to kubectl / client-go (tools/clientcmd; kep.api.kubeconfig cites each
rule, tests/api/test_kubeconfig_kubectl.py asks kubectl itself when it is installed):

| situation                                          | kubectl / client-go                  | kep                        |
|----------------------------------------------------|--------------------------------------|----------------------------|
| in cluster, `ca.crt` missing                       | logs, trusts the system roots        | ConfigError (the given CA only) |
| in cluster, token missing                          | in-cluster config fails              | falls back to a kubeconfig |
| IPv6 `KUBERNETES_SERVICE_HOST`                     | bracketed                            | bracketed                  |
| YAML, JSON (trailing commas too), comments, anchors, `<<`, block scalars | read (go-yaml v2) | as kubectl (PyYAML) |
| plain number, `y`/`yes`/`on`... in a string field, any entry | file refused               | as kubectl, one line       |
| plain date in a string field                       | a string                             | as kubectl                 |
| unknown fields; more than one `---` document       | ignored; the first one read          | as kubectl                 |
| `apiVersion` not v1, `kind` not Config; a name twice in one list | file refused           | as kubectl                 |
| `KUBECONFIG=a:b`                                   | merged: the first file naming an entry wins it whole; the first `current-context` | as kubectl |
| `KUBECONFIG` lists a missing file                  | skipped                              | as kubectl                 |
| `KUBECONFIG` names no file that exists             | empty config: localhost:8080 guessed | ConfigError naming them    |
| a listed file unreadable or malformed              | error                                | as kubectl                 |
| no `current-context`, or its context names a missing cluster | no server: localhost:8080 guessed | ConfigError (kep guesses no server) |
| `current-context` names a missing context          | error                                | as kubectl                 |
| context names a missing user                       | no credentials                       | as kubectl, one warning    |
| context `namespace`                                | for items without one, else "default" | as kubectl (when `NAMESPACE` is unset) |
| `certificate-authority` and `-data`; client cert or key and its `-data` | error         | as kubectl                 |
| client cert without a key / a key without a cert   | error / key ignored                  | as kubectl                 |
| a CA and `insecure-skip-tls-verify`                | error                                | as kubectl                 |
| `insecure-skip-tls-verify: true`                   | no verification                      | as kubectl, one warning    |
| `token` and `tokenFile`                            | the file wins, re-read               | as kubectl (re-read on change and on a 401) |
| server without a scheme; `http://` server          | http, no credentials sent            | as kubectl                 |
| relative paths; `~`                                | against their own file's directory; not expanded | as kubectl     |
| `exec`, client.authentication.k8s.io v1 and v1beta1 | run; kept until expiry; again on 401 | as kubectl (kep.api.execplugin) |
| `exec` besides a token or a client certificate     | not run                              | as kubectl                 |
| `exec` command not found or not executable         | error at the first request           | ConfigError at start       |
| `exec` with `interactiveMode: Always`, stdin not a terminal | error at the first request  | ConfigError at start       |
| `auth-provider`, basic auth, `as*`, a socks5 proxy | supported                            | ConfigError naming the user or cluster and the field |

The result is a `kep.api.clusterconfig.ClusterConfig`. Importing this module is cheap (no
`requests`, no YAML, no I/O): kep.api.kubeconfig is imported only when a kubeconfig is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kep.api.clusterconfig import ClusterConfig
from kep.errors import ConfigError

DEFAULT_SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def in_cluster(directory: str, host: str, port: str) -> ClusterConfig:
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
    return ClusterConfig(
        server=f"https://{host}:{port}",
        source=f"service account {directory}",
        ca_file=ca_file,
        token_file=token_file,
        namespace=_read_namespace(directory),
    )


def service_account_dir(env: Mapping[str, str]) -> str:
    return env.get("KEP_SERVICE_ACCOUNT_DIR") or DEFAULT_SERVICE_ACCOUNT_DIR


def kubeconfig_paths(env: Mapping[str, str], home: str | None = None) -> tuple[str, ...]:
    """The files of KUBECONFIG (a ":" list: empty items dropped, each path once), else
    `<home>/.kube/config` (home defaults to HOME), as client-go's loading rules."""
    if env.get("KUBECONFIG"):  # even one that lists only empty items: then there is no file
        return tuple(dict.fromkeys(p for p in env["KUBECONFIG"].split(os.pathsep) if p))
    home = home or env.get("HOME")
    return (os.path.join(home, ".kube", "config"),) if home else ()


def _service_account_token(env: Mapping[str, str]) -> str | None:
    """The token file when kep runs in a cluster (host, port and token all there), else None."""
    if not (env.get("KUBERNETES_SERVICE_HOST") and env.get("KUBERNETES_SERVICE_PORT")):
        return None
    token = os.path.join(service_account_dir(env), "token")
    return token if os.path.isfile(token) else None


def load_config(env: Mapping[str, str], home: str | None = None) -> ClusterConfig:
    """In cluster, else a kubeconfig, else ConfigError (see the module docstring)."""
    looked: list[str] = []
    host = env.get("KUBERNETES_SERVICE_HOST", "")
    port = env.get("KUBERNETES_SERVICE_PORT", "")
    if _service_account_token(env):
        return in_cluster(service_account_dir(env), host, port)
    if host and port:
        looked.append(f"in a cluster, but there is no service-account token {os.path.join(service_account_dir(env), 'token')}")
    else:
        looked.append("not in a cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset)")
    paths = kubeconfig_paths(env, home)
    from kep.api.kubeconfig import Kubeconfig

    kubeconfig = Kubeconfig.read(paths)
    if kubeconfig is not None:
        return kubeconfig.cluster_config(env.get("PATH"))
    if not paths and env.get("KUBECONFIG"):
        looked.append(f"no kubeconfig (KUBECONFIG={env['KUBECONFIG']!r} names no file)")
    elif not paths:
        looked.append("no kubeconfig (KUBECONFIG and HOME unset)")
    else:
        origin = "KUBECONFIG" if env.get("KUBECONFIG") else "default"
        looked.append(f"no kubeconfig {', '.join(paths)} ({origin})")
    raise ConfigError([f"no Kubernetes API configuration: {'; '.join(looked)}"])


def _read_namespace(directory: str) -> str | None:
    try:
        with open(os.path.join(directory, "namespace"), encoding="utf-8") as f:
            text = f.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None
