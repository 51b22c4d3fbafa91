"""Configuration: in cluster first, then a kubeconfig, else one ConfigError line."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from kep.api.config import ClusterConfig, kubeconfig_path, load_config, service_account_namespace
from kep.errors import ConfigError

TOKEN = "sekrit-token-value-123"


def _service_account(directory: Path, namespace: str | None = "openstack") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "token").write_text(TOKEN + "\n")
    (directory / "ca.crt").write_text("PEM")
    if namespace is not None:
        (directory / "namespace").write_text(namespace)
    return directory


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _kubeconfig(path: Path, user: str = "", cluster: str = "", context_extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cluster = cluster or "    server: https://api.example:6443\n"
    path.write_text(
        "apiVersion: v1\n"
        "kind: Config\n"
        "current-context: ctx\n"
        "clusters:\n"
        "- name: c\n"
        "  cluster:\n" + cluster + "contexts:\n"
        "- name: other\n"
        "  context:\n"
        "    cluster: nope\n"
        "- name: ctx\n"
        "  context:\n"
        "    cluster: c\n"
        "    user: u\n" + context_extra + "users:\n"
        "- name: u\n"
        "  user:\n" + (user or "    token: tok\n")
    )
    return path


def _one_line(error: ConfigError) -> str:
    assert len(error.problems) == 1, error.problems
    assert "\n" not in error.problems[0]
    return error.problems[0]


# -- in cluster ------------------------------------------------------------------


def test_in_cluster_uses_host_port_token_and_ca_from_the_service_account_dir(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "KEP_SERVICE_ACCOUNT_DIR": str(sa)}
    config = load_config(env, home=str(tmp_path))
    assert config.server == "https://10.96.0.1:443"
    assert config.token_file == str(sa / "token")
    assert config.ca_file == str(sa / "ca.crt")
    assert config.token is None
    assert config.namespace == "openstack"
    assert config.source == f"service account {sa}"


def test_in_cluster_ipv6_host_is_bracketed(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    env = {"KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "6443", "KEP_SERVICE_ACCOUNT_DIR": str(sa)}
    assert load_config(env).server == "https://[fd00:10:96::1]:6443"


def test_in_cluster_wins_over_a_kubeconfig(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    kc = _kubeconfig(tmp_path / "kc")
    env = {
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KEP_SERVICE_ACCOUNT_DIR": str(sa),
        "KUBECONFIG": str(kc),
    }
    assert load_config(env).server == "https://10.0.0.1:443"


def test_in_cluster_without_a_token_falls_back_to_the_kubeconfig(tmp_path: Path) -> None:
    kc = _kubeconfig(tmp_path / "kc")
    env = {
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KEP_SERVICE_ACCOUNT_DIR": str(tmp_path / "missing"),
        "KUBECONFIG": str(kc),
    }
    assert load_config(env).server == "https://api.example:6443"


def test_in_cluster_without_ca_is_a_config_error(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    (sa / "ca.crt").unlink()
    with pytest.raises(ConfigError) as info:
        ClusterConfig.from_service_account(str(sa), "10.0.0.1", "443")
    assert _one_line(info.value) == f"service account {sa}: no CA certificate file {sa / 'ca.crt'}"


def test_in_cluster_bad_port_is_a_config_error(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    with pytest.raises(ConfigError, match="port 'https' is not a port number"):
        ClusterConfig.from_service_account(str(sa), "10.0.0.1", "https")


def test_service_account_namespace_reads_the_namespace_file(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa", namespace="  neutron\n")
    assert service_account_namespace({"KEP_SERVICE_ACCOUNT_DIR": str(sa)}) == "neutron"
    assert service_account_namespace({"KEP_SERVICE_ACCOUNT_DIR": str(tmp_path / "none")}) is None
    (sa / "namespace").write_text("")
    assert service_account_namespace({"KEP_SERVICE_ACCOUNT_DIR": str(sa)}) is None


def test_the_token_is_not_in_the_repr(tmp_path: Path) -> None:
    kc = _kubeconfig(
        tmp_path / "kc",
        user=f"    token: {TOKEN}\n    client-certificate-data: {_b64(b'CERT')}\n    client-key-data: {_b64(b'KEY')}\n",
    )
    config = ClusterConfig.from_kubeconfig(str(kc))
    assert config.token == TOKEN
    assert TOKEN not in repr(config)
    assert "KEY" not in repr(config).replace("client_key_file", "")


# -- kubeconfig ------------------------------------------------------------------


def test_kubeconfig_path_is_the_first_of_the_kubeconfig_list_else_home(tmp_path: Path) -> None:
    assert kubeconfig_path({"KUBECONFIG": f"::/a{os.pathsep}/b"}) == "/a"
    assert kubeconfig_path({}, home="/h") == "/h/.kube/config"
    assert kubeconfig_path({"HOME": "/home/x"}) == "/home/x/.kube/config"
    assert kubeconfig_path({}) is None


def test_default_kubeconfig_under_home(tmp_path: Path) -> None:
    _kubeconfig(tmp_path / ".kube" / "config")
    config = load_config({}, home=str(tmp_path))
    assert config.server == "https://api.example:6443"
    assert config.token == "tok"
    assert config.source == f"kubeconfig {tmp_path / '.kube' / 'config'} (context ctx)"


def test_every_cluster_and_user_field_is_read(tmp_path: Path) -> None:
    base = tmp_path / "conf"
    base.mkdir()
    for name in ("ca.pem", "cert.pem", "key.pem", "token"):
        (base / name).write_text(name)
    kc = _kubeconfig(
        base / "kubeconfig",
        cluster=(
            "    server: https://api.example:6443/\n"
            "    certificate-authority: ca.pem\n"
            "    tls-server-name: kubernetes.default\n"
            "    proxy-url: http://proxy:3128\n"
        ),
        user="    client-certificate: cert.pem\n    client-key: ./key.pem\n    tokenFile: token\n    token: ignored\n",
        context_extra="    namespace: nova\n",
    )
    config = ClusterConfig.from_kubeconfig(str(kc))
    assert config.server == "https://api.example:6443"
    assert config.ca_file == str(base / "ca.pem")
    assert config.tls_server_name == "kubernetes.default"
    assert config.proxy_url == "http://proxy:3128"
    assert config.client_cert_file == str(base / "cert.pem")
    assert config.client_key_file == str(base / "key.pem")
    assert config.token_file == str(base / "token")
    assert config.token is None  # tokenFile wins
    assert config.namespace == "nova"
    assert not config.insecure_skip_tls_verify


def test_data_fields_win_over_their_file_forms(tmp_path: Path) -> None:
    kc = _kubeconfig(
        tmp_path / "kc",
        cluster=(
            "    server: https://h:1\n"
            f"    certificate-authority-data: {_b64(b'CA-PEM')}\n"
            "    certificate-authority: /does/not/matter\n"
        ),
        user=(
            f"    client-certificate-data: {_b64(b'CERT-PEM')}\n"
            f"    client-key-data: {_b64(b'KEY-PEM')}\n"
            "    client-certificate: /nope\n"
            "    client-key: /nope\n"
        ),
    )
    config = ClusterConfig.from_kubeconfig(str(kc))
    assert (config.ca_data, config.ca_file) == (b"CA-PEM", None)
    assert (config.client_cert_data, config.client_key_data) == (b"CERT-PEM", b"KEY-PEM")
    assert (config.client_cert_file, config.client_key_file) == (None, None)
    assert config.has_client_cert


def test_insecure_skip_tls_verify(tmp_path: Path) -> None:
    kc = _kubeconfig(tmp_path / "kc", cluster="    server: https://h:1\n    insecure-skip-tls-verify: true\n")
    assert ClusterConfig.from_kubeconfig(str(kc)).insecure_skip_tls_verify


def test_insecure_with_a_ca_is_refused_like_kubectl(tmp_path: Path) -> None:
    kc = _kubeconfig(
        tmp_path / "kc",
        cluster=f"    server: https://h:1\n    insecure-skip-tls-verify: true\n    certificate-authority-data: {_b64(b'x')}\n",
    )
    with pytest.raises(ConfigError, match="insecure-skip-tls-verify cannot both be set"):
        ClusterConfig.from_kubeconfig(str(kc))


def test_json_kubeconfig_is_accepted(tmp_path: Path) -> None:
    kc = tmp_path / "kc.json"
    kc.write_text(
        json.dumps(
            {
                "current-context": "x",
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "clusters": [{"name": "c", "cluster": {"server": "https://j:443"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
            },
            indent=2,
        )
    )
    config = load_config({"KUBECONFIG": str(kc)})
    assert (config.server, config.token) == ("https://j:443", "t")


def test_context_without_user_is_anonymous(tmp_path: Path) -> None:
    kc = tmp_path / "kc"
    kc.write_text(
        "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
        "clusters:\n- name: c\n  cluster:\n    server: https://h:1\n"
    )
    config = ClusterConfig.from_kubeconfig(str(kc))
    assert (config.token, config.token_file, config.has_client_cert) == (None, None, False)


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n      args:\n      - eks\n",
            'user "u" uses exec credentials, which kep does not support; use a token or client certificate',
        ),
        (
            "    auth-provider:\n      name: oidc\n      config:\n        client-id: x\n",
            'user "u" uses an auth-provider (oidc), which kep does not support; use a token or client certificate',
        ),
        (
            "    username: admin\n    password: pw\n",
            'user "u" uses basic authentication (username/password), which kep does not support; '
            "use a token or client certificate",
        ),
        (
            "    token: t\n    as: someone\n",
            'user "u" uses impersonation (as), which kep does not support; use a token or client certificate',
        ),
    ],
)
def test_unsupported_credentials_are_one_clear_line(tmp_path: Path, user: str, message: str) -> None:
    kc = _kubeconfig(tmp_path / "x", user=user)
    with pytest.raises(ConfigError) as info:
        load_config({"KUBECONFIG": str(kc)})
    assert _one_line(info.value) == f"kubeconfig {kc}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [\n", "line 1: flow collections ('[...]', '{...}') must be on one line"),
        ("users:\n\t- x\n", "line 2: tab character used for indentation"),
        ('{"current-context": }', "line 1: invalid JSON: Expecting value"),
        ("- a\n- b\n", "not a kubeconfig (expected a mapping with clusters, contexts and users)"),
        ("kind: Config\n", "no current-context set"),
        ("current-context: x\ncontexts: []\n", 'context "x" not found in contexts'),
        (
            "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\nclusters: []\n",
            'cluster "c" not found in clusters',
        ),
        (
            "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
            "clusters:\n- name: c\n  cluster:\n    server: https://h\n",
            'user "u" not found in users',
        ),
        (
            "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
            "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: true\n",
            'cluster "c" has no server',
        ),
        (
            "current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
            "clusters:\n- name: c\n  cluster:\n    server: h:6443\n",
            "cluster \"c\": server 'h:6443' is not an http(s) URL",
        ),
    ],
)
def test_malformed_kubeconfigs_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    kc = tmp_path / "kc"
    kc.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config({"KUBECONFIG": str(kc)})
    line = _one_line(info.value)
    assert line.startswith(f"kubeconfig {kc}: {message}")


def test_field_problems_are_all_listed(tmp_path: Path) -> None:
    kc = _kubeconfig(
        tmp_path / "kc",
        cluster="    server: https://h:1\n    certificate-authority: missing-ca.pem\n    insecure-skip-tls-verify: maybe\n",
        user="    client-certificate-data: '!!notbase64'\n    tokenFile: /no/token\n",
    )
    with pytest.raises(ConfigError) as info:
        ClusterConfig.from_kubeconfig(str(kc))
    assert info.value.problems == [
        f'kubeconfig {kc}: cluster "c": insecure-skip-tls-verify must be true or false',
        f'kubeconfig {kc}: cluster "c": certificate-authority {tmp_path / "missing-ca.pem"}: no such file',
        f'kubeconfig {kc}: user "u": client-certificate-data is not valid base64',
        f'kubeconfig {kc}: user "u": tokenFile /no/token: no such file',
    ]


def test_unreadable_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    kc = tmp_path / "dir"
    kc.mkdir()
    with pytest.raises(ConfigError, match=f"kubeconfig {kc}: cannot read it: "):
        ClusterConfig.from_kubeconfig(str(kc))


# -- neither ---------------------------------------------------------------------


def test_nothing_found_is_one_line_saying_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({}, home=str(tmp_path))
    assert _one_line(info.value) == (
        "no Kubernetes API configuration: not in a cluster "
        "(KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset); "
        f"no kubeconfig {tmp_path / '.kube' / 'config'} (default)"
    )


def test_nothing_found_in_cluster_names_the_token_and_kubeconfig(tmp_path: Path) -> None:
    env = {
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KEP_SERVICE_ACCOUNT_DIR": str(tmp_path / "sa"),
        "KUBECONFIG": str(tmp_path / "kc"),
    }
    with pytest.raises(ConfigError) as info:
        load_config(env)
    assert _one_line(info.value) == (
        "no Kubernetes API configuration: in a cluster, but there is no service-account token "
        f"{tmp_path / 'sa' / 'token'}; no kubeconfig {tmp_path / 'kc'} (KUBECONFIG)"
    )


def test_nothing_found_without_home(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no kubeconfig \(KUBECONFIG and HOME unset\)$"):
        load_config({})


def test_importing_config_does_not_import_requests() -> None:
    import subprocess
    import sys

    code = "import sys, kep.api.config, kep.api.watch, kep.api.errors; print('requests' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tokens_that_look_like_numbers_are_kept_as_written(tmp_path: Path) -> None:
    kc = _kubeconfig(tmp_path / "kc", user="    token: 0123e45\n", context_extra="    namespace: 007\n")
    config = ClusterConfig.from_kubeconfig(str(kc))
    assert (config.token, config.namespace) == ("0123e45", "007")
