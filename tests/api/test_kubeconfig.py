"""Kubeconfig files read as kubectl reads them: YAML as go-yaml v2 reads it, typed fields,
KUBECONFIG lists merged, the current context resolved, exec plugins checked.

Every "kubectl" verdict below was checked with kubectl 1.32; test_kubeconfig_kubectl.py
asks kubectl itself, where it is installed.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import textwrap
from pathlib import Path

import pytest

from kep.api.clusterconfig import ClusterConfig, ExecConfig
from kep.api.config import load_config
from kep.api.kubeconfig import Kubeconfig
from kep.errors import ConfigError


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _config(*paths: Path, search_path: str | None = None) -> ClusterConfig:
    kubeconfig = Kubeconfig.read(tuple(map(str, paths)))
    assert kubeconfig is not None, f"none of {paths} exists"
    return kubeconfig.cluster_config(search_path)


def _problems(*paths: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        _config(*paths)
    assert all("\n" not in line for line in info.value.problems)
    return info.value.problems


def _one(user: str = "token: tok", cluster: str = "server: https://h:6443", context: str = "") -> str:
    """A one-context kubeconfig in block style; the arguments are indented into place."""
    return (
        "apiVersion: v1\nkind: Config\ncurrent-context: ctx\n"
        "clusters:\n- name: c\n  cluster:\n" + textwrap.indent(cluster, "    ") + "\n"
        "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
        + (textwrap.indent(context, "    ") + "\n" if context else "")
        + "users:\n- name: u\n  user:\n" + textwrap.indent(user, "    ") + "\n"
    )


# -- YAML as kubectl reads it -------------------------------------------------------------


def test_json_with_trailing_commas_loads(tmp_path: Path) -> None:
    """The issue's file: kubectl reads it because it is valid YAML flow style."""
    kc = _write(tmp_path / "kc", f"""\
        {{
          "apiVersion": "v1",
          "clusters": [{{
            "cluster": {{
              "server": "https://127.0.0.1:6443",
              "certificate-authority-data": "{_b64(b'CA')}",
            }},
            "name": "kubernetes",
          }}],
          "contexts": [{{"context": {{"cluster": "kubernetes", "user": "aws",}}, "name": "aws",}}],
          "current-context": "aws",
          "kind": "Config",
          "users": [{{"name": "aws", "user": {{"token": "tok-1",}},}}],
        }}
        """)
    config = _config(kc)
    assert (config.server, config.ca_data, config.token) == ("https://127.0.0.1:6443", b"CA", "tok-1")


def test_comments_anchors_merge_keys_and_block_scalars(tmp_path: Path) -> None:
    """A hand-edited file: comments everywhere, a shared cluster block merged with `<<`,
    the CA as a literal block scalar (line breaks are skipped in base64, as Go does)."""
    ca = _b64(b"CA-PEM-" * 20)
    kc = _write(tmp_path / "kc", f"""\
        # edited by hand
        apiVersion: v1
        kind: Config
        current-context: prod   # the one we use
        x-defaults: &defaults
          insecure-skip-tls-verify: false
          tls-server-name: api.internal
        clusters:
        - name: prod
          cluster:
            <<: *defaults
            server: https://prod.example:6443
            certificate-authority-data: |
              {ca[:40]}
              {ca[40:]}
        contexts:
        - name: prod
          context: {{cluster: prod, user: admin, namespace: &ns nova}}
        users:
        - name: admin
          user:
            token: >-
              folded-token
        """)
    config = _config(kc)
    assert config.tls_server_name == "api.internal"
    assert config.ca_data == b"CA-PEM-" * 20
    assert config.token == "folded-token"
    assert config.namespace == "nova"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("token: 2024-01-01", "2024-01-01"),  # kubectl: dates stay strings
        ("token: 1:20", "1:20"),  # go-yaml v2 has no sexagesimal numbers
        ("token: '12345'", "12345"),
        ('token: "0x1F"', "0x1F"),
        ("token: 12345abc", "12345abc"),
        ("token: null", None),
        ("token: ~", None),
    ],
)
def test_string_scalars_keep_kubectls_meaning(tmp_path: Path, line: str, expected: str | None) -> None:
    assert _config(_write(tmp_path / "kc", _one(user=line))).token == expected


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("token: 12345", "a number"),
        ("token: 0x1F", "a number"),
        ("token: 1e3", "a number"),
        ("token: 1_000", "a number"),
        ("token: .inf", "a number"),
        ("token: yes", "a boolean"),
        ("token: y", "a boolean"),
        ("token: off", "a boolean"),
    ],
)
def test_an_unquoted_number_or_boolean_in_a_string_field_is_refused_like_kubectl(
    tmp_path: Path, line: str, found: str
) -> None:
    """kubectl: `json: cannot unmarshal number into Go struct field AuthInfo.users.user.token
    of type string`."""
    kc = _write(tmp_path / "kc", _one(user=line))
    assert _problems(kc) == [f'kubeconfig {kc}: user "u": token is {found}, not a string (quote it)']


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("y", True), ("on", True), ("No", False)])
def test_yaml_1_1_booleans_in_a_boolean_field(tmp_path: Path, value: str, expected: bool) -> None:
    kc = _write(tmp_path / "kc", _one(cluster=f"server: https://h:1\ninsecure-skip-tls-verify: {value}"))
    assert _config(kc).insecure_skip_tls_verify is expected


def test_a_quoted_boolean_is_a_string_and_refused_in_a_boolean_field(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(cluster="server: https://h:1\ninsecure-skip-tls-verify: 'true'"))
    assert _problems(kc) == [f'kubeconfig {kc}: cluster "c": insecure-skip-tls-verify is a string, not true or false']


def test_a_bad_field_in_an_entry_that_is_not_used_still_fails_the_file(tmp_path: Path) -> None:
    """kubectl decodes the whole file before choosing a context."""
    kc = _write(tmp_path / "kc", _one() + "- name: other\n  user:\n    client-key-data: '!!!'\n    as-groups: 5\n")
    assert _problems(kc) == [
        f'kubeconfig {kc}: user "other": client-key-data is not valid base64',
        f'kubeconfig {kc}: user "other": as-groups is a number, not a list',
    ]


def test_a_folded_base64_block_is_refused_like_kubectl(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(cluster="server: https://h:1\ncertificate-authority-data: >\n  YWJj\n  ZGVm"))
    assert _problems(kc) == [f'kubeconfig {kc}: cluster "c": certificate-authority-data is not valid base64']


def test_unknown_fields_repeated_keys_and_later_documents_are_as_kubectl(tmp_path: Path) -> None:
    """Unknown (and wrongly cased) fields are ignored, a repeated key keeps its last value,
    and only the first document is read: what follows is not even parsed."""
    kc = _write(tmp_path / "kc", _one(user="Token: 5\ntoken: first\ntoken: last\nfavourite-colour: blue")
                + "---\nthis: [is not read\n")
    assert _config(kc).token == "last"


def test_a_name_listed_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one() + "- name: u\n  user:\n    token: again\n")
    assert _problems(kc) == [f'kubeconfig {kc}: users: "u" is listed twice']


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [\n", "line 2, column 1: "),  # the wording is libyaml's (or PyYAML's without it)
        ("users:\n\t- x\n", "line 2, column 1: "),
        ("a: b: c\n", "line 1, column 5: mapping values are not allowed"),
        ("- a\n- b\n", "not a kubeconfig (a mapping with clusters, contexts and users)"),
        ("kind: Config\n", "no current-context set"),
        ("current-context: x\ncontexts: []\n", 'current-context "x" is not among the contexts of '),
        ("clusters: {c: 1}\n", "clusters is a mapping, not a list"),
        ("kind: Pod\n", "kind is 'Pod', not 'Config'"),
        ("apiVersion: v2\n", "apiVersion is 'v2', not 'v1'"),
        ("apiVersion: 1\n", "apiVersion is a number, not a string (quote it)"),
    ],
)
def test_malformed_kubeconfigs_are_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    kc = tmp_path / "kc"
    kc.write_text(text)
    (line,) = _problems(kc)
    assert line.startswith(f"kubeconfig {kc}: {message}")


def test_a_file_that_is_not_utf_8_is_one_line(tmp_path: Path) -> None:
    kc = tmp_path / "kc"
    kc.write_bytes(b"token: \xff\n")
    (line,) = _problems(kc)
    assert line.startswith(f"kubeconfig {kc}: ") and "UTF-8" in line.upper()


def test_an_unreadable_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    kc = tmp_path / "dir"
    kc.mkdir()
    assert _problems(kc) == [f"kubeconfig {kc}: cannot read it: Is a directory"]


def test_the_pure_python_loader_reads_as_the_c_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-file binary leaves libyaml out (build/kep.spec): same scalars, same documents."""
    import yaml

    from kep.api.kubeconfig import _loader, _parse

    text = (b"a: &x {n: 12, f: 1.5e3, h: 0x1F, s: 1:20, d: 2024-01-01, y: y, Off: off, q: '12', z: ~}\n"
            b"b: {<<: *x, n: 13}\nc: |\n  line\n  two\n---\nignored: [\n")
    with_c = _parse(text)
    _loader.cache_clear()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    try:
        assert not issubclass(_loader(), getattr(yaml, "CParser", ()))
        assert _parse(text) == with_c
    finally:
        _loader.cache_clear()


def test_the_c_loader_is_used_when_built() -> None:
    import yaml

    from kep.api.kubeconfig import _loader

    assert issubclass(_loader(), getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# -- KUBECONFIG lists --------------------------------------------------------------------


def _split(tmp_path: Path) -> tuple[Path, Path]:
    """Two files as people split them: the first holds the context and an override of the
    cluster; the second everything, with a different server for the same cluster name."""
    first = _write(tmp_path / "one" / "config", """\
        current-context: dev
        clusters:
        - name: shared
          cluster: {server: "https://first:6443"}
        contexts:
        - name: dev
          context: {cluster: shared, user: dev, namespace: first-ns}
        """)
    second = _write(tmp_path / "two" / "config", f"""\
        current-context: prod
        clusters:
        - name: shared
          cluster: {{server: "https://second:6443", tls-server-name: from-second, certificate-authority: ca.pem}}
        - name: prod
          cluster: {{server: "https://prod:6443"}}
        contexts:
        - name: dev
          context: {{cluster: prod, user: prod}}
        - name: prod
          context: {{cluster: prod, user: prod}}
        users:
        - name: dev
          user: {{client-certificate: dev.crt, client-key: dev.key}}
        - name: prod
          user: {{token: prod-token}}
        """)
    for name in ("dev.crt", "dev.key", "ca.pem"):
        (tmp_path / "two" / name).write_text(name)
    return first, second


def test_the_first_file_naming_an_entry_wins_whole(tmp_path: Path) -> None:
    """client-go loader.go: "if two files specify a red-user, only values from the first
    file's red-user are used"; current-context from the first file that sets it."""
    first, second = _split(tmp_path)
    config = _config(first, second)
    assert config.server == "https://first:6443"
    assert config.tls_server_name is None and config.ca_file is None  # nothing taken from the second "shared"
    assert config.namespace == "first-ns"
    assert config.source == f"kubeconfig {first} (context dev)"
    # relative paths are against the directory of the file the user came from
    assert config.client_cert_file == str(tmp_path / "two" / "dev.crt")
    assert config.client_key_file == str(tmp_path / "two" / "dev.key")


def test_the_order_of_the_list_decides(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    config = _config(second, first)
    assert (config.server, config.token, config.source) == (
        "https://prod:6443", "prod-token", f"kubeconfig {second} (context prod)")


def test_missing_files_are_skipped_and_duplicates_read_once(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    config = load_config({"KUBECONFIG": os.pathsep.join([str(tmp_path / "nope"), "", str(first), str(second), str(first)])})
    assert config.server == "https://first:6443"


def test_all_files_missing_names_them(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with pytest.raises(ConfigError) as info:
        load_config({"KUBECONFIG": f"{a}{os.pathsep}{b}"})
    assert info.value.problems[0].endswith(f"; no kubeconfig {a}, {b} (KUBECONFIG)")


def test_a_malformed_file_anywhere_in_the_list_fails_the_load(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    bad = _write(tmp_path / "bad", "users: [{name: x, user: {token: 1}}]\n")
    assert _problems(first, bad, second) == [f'kubeconfig {bad}: user "x": token is a number, not a string (quote it)']


def test_messages_name_the_file_each_piece_came_from(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    (tmp_path / "two" / "dev.key").unlink()
    assert _problems(first, second) == [
        f'kubeconfig {second}: user "dev": client-key {tmp_path / "two" / "dev.key"}: no such file'
    ]


def test_the_namespace_of_the_current_context(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    merged = Kubeconfig.read([str(first), str(second)])
    assert merged is not None and merged.namespace == "first-ns"
    alone = Kubeconfig.read([str(second)])
    assert alone is not None and alone.namespace is None  # kubectl: "default"


# -- the current context ---------------------------------------------------------------


def test_every_cluster_and_user_field_is_read(tmp_path: Path) -> None:
    base = tmp_path / "conf"
    for name in ("ca.pem", "cert.pem", "key.pem", "token"):
        _write(base / name, name)
    kc = _write(base / "kubeconfig", _one(
        cluster=("server: https://api.example:6443/\ncertificate-authority: ca.pem\n"
                 "tls-server-name: kubernetes.default\nproxy-url: http://proxy:3128"),
        user="client-certificate: cert.pem\nclient-key: ./key.pem\ntokenFile: token\ntoken: ignored",
        context="namespace: nova",
    ))
    config = _config(kc)
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


def test_paths_are_not_expanded_from_home(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(cluster="server: https://h:1\ncertificate-authority: ~/ca.pem"))
    assert _problems(kc) == [f'kubeconfig {kc}: cluster "c": certificate-authority {tmp_path / "~" / "ca.pem"}: no such file']


def test_data_forms_are_loaded(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(
        cluster=f"server: https://h:1\ncertificate-authority-data: {_b64(b'CA-PEM')}",
        user=f"client-certificate-data: {_b64(b'CERT-PEM')}\nclient-key-data: {_b64(b'KEY-PEM')}",
    ))
    config = _config(kc)
    assert (config.ca_data, config.ca_file) == (b"CA-PEM", None)
    assert (config.client_cert_data, config.client_key_data) == (b"CERT-PEM", b"KEY-PEM")


@pytest.mark.parametrize(
    ("cluster", "user", "message"),
    [
        (f"certificate-authority-data: {_b64(b'x')}\ncertificate-authority: /etc/hostname", "token: t",
         'cluster "c": certificate-authority-data and certificate-authority are both set'),
        (f"insecure-skip-tls-verify: true\ncertificate-authority-data: {_b64(b'x')}", "token: t",
         'cluster "c": a certificate authority and insecure-skip-tls-verify cannot both be set'),
        ("proxy-url: ftp://proxy:21", "token: t", "cluster \"c\": proxy-url scheme 'ftp': not http or https"),
        ("proxy-url: socks5://proxy:1080", "token: t",
         "cluster \"c\": proxy-url scheme 'socks5': which kep does not support"),
        ("", f"client-certificate-data: {_b64(b'c')}\nclient-certificate: /etc/hostname\n"
             f"client-key-data: {_b64(b'k')}",
         'user "u": client-certificate-data and client-certificate are both set'),
        ("", f"client-certificate-data: {_b64(b'c')}", 'user "u": a client certificate needs a client-key'),
        ("", "tokenFile: /no/token", 'user "u": tokenFile /no/token: no such file'),
    ],
)
def test_what_kubectl_refuses_is_one_line(tmp_path: Path, cluster: str, user: str, message: str) -> None:
    kc = _write(tmp_path / "kc", _one(cluster="server: https://h:1\n" + cluster, user=user))
    (line,) = _problems(kc)
    assert line.startswith(f"kubeconfig {kc}: {message}")


def test_a_client_key_alone_is_ignored_like_kubectl(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(user="client-key: /no/such/key"))
    config = _config(kc)
    assert (config.client_key_file, config.client_key_data, config.client_cert_file, config.client_cert_data) == (
        None, None, None, None)


@pytest.mark.parametrize("server", ["h:6443", "http://h:6443"])
def test_no_credentials_go_to_a_plain_http_server(tmp_path: Path, server: str) -> None:
    """client_config.go adds the user's credentials only when the transport is TLS; a server
    without a scheme is http://, whatever the cluster's TLS settings."""
    kc = _write(tmp_path / "kc", _one(cluster=f"server: {server}\ninsecure-skip-tls-verify: true",
                                      user="token: secret"))
    config = _config(kc)
    assert (config.server, config.token) == ("http://h:6443", None)


def test_a_context_whose_user_is_missing_connects_without_credentials(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kc = _write(tmp_path / "kc", _one().replace("user: u\n", "user: nobody\n", 1))
    with caplog.at_level(logging.WARNING):
        config = _config(kc)
    assert (config.token, config.token_file, config.client_cert_file, config.client_cert_data, config.exec) == (
        None, None, None, None, None)
    assert caplog.messages == [
        f'kubeconfig {kc}: context "ctx": user "nobody" is not among the users of {kc}; '
        "connecting without credentials, as kubectl does"
    ]


def test_a_context_without_user_is_anonymous(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                                 "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n")
    config = _config(kc)
    assert (config.token, config.token_file, config.client_cert_file, config.client_cert_data) == (None, None, None, None)


def test_a_context_whose_cluster_is_missing_is_refused(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one().replace("cluster: c\n", "cluster: gone\n", 1))
    assert _problems(kc) == [f'kubeconfig {kc}: context "ctx": cluster "gone" is not among the clusters of {kc}']


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("auth-provider:\n  name: oidc\n  config:\n    client-id: x",
         'user "u": uses an auth-provider (oidc), which kep does not support'),
        ("username: admin\npassword: pw", 'user "u": uses basic authentication (username/password), which kep'),
        ("token: t\nas: someone", 'user "u": uses impersonation (as), which kep does not support'),
    ],
)
def test_unsupported_credentials_are_one_line_naming_the_user_and_field(tmp_path: Path, user: str, message: str) -> None:
    kc = _write(tmp_path / "kc", _one(user=user))
    (line,) = _problems(kc)
    assert line.startswith(f"kubeconfig {kc}: {message}")


# -- exec plugins ------------------------------------------------------------------------


def _plugin(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return path


_EXEC = """\
exec:
  apiVersion: client.authentication.k8s.io/v1beta1
  command: {command}
  args: [eks, get-token, --cluster-name, prod]
  env:
  - name: AWS_PROFILE
    value: prod
  installHint: install the aws CLI
"""


def test_an_exec_user_becomes_an_exec_config(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path / "bin" / "aws")
    kc = _write(tmp_path / "kc", _one(user=_EXEC.format(command="aws")))
    config = _config(kc, search_path=str(tmp_path / "bin"))
    assert config.exec == ExecConfig(
        command=str(plugin),
        args=("eks", "get-token", "--cluster-name", "prod"),
        env=(("AWS_PROFILE", "prod"),),
        api_version="client.authentication.k8s.io/v1beta1",
        interactive_mode="IfAvailable",  # v1beta1's default
        provide_cluster_info=False,
        install_hint="install the aws CLI",
        cluster_config=None,
        user="u",
    )
    assert "prod" not in repr(config.exec).replace("prod'", "")  # env values are never shown


def test_an_exec_command_with_a_slash_is_relative_to_its_file(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path / "conf" / "bin" / "get-token")
    kc = _write(tmp_path / "conf" / "kc", _one(user=_EXEC.format(command="bin/get-token")))
    config = _config(kc, search_path="/nonexistent")
    assert config.exec is not None and config.exec.command == str(plugin)


def test_a_token_wins_over_an_exec_plugin(tmp_path: Path) -> None:
    """exec.go UpdateTransportConfig: a token or certificate already there and the plugin is not used."""
    kc = _write(tmp_path / "kc", _one(user="token: static\n" + _EXEC.format(command="not-installed")))
    config = _config(kc, search_path=str(tmp_path))
    assert (config.token, config.exec) == ("static", None)


def test_a_plugin_that_is_not_installed_is_one_line_naming_user_and_command(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(user=_EXEC.format(command="aws")))
    with pytest.raises(ConfigError) as info:
        _config(kc, search_path=str(tmp_path / "empty"))
    assert info.value.problems == [
        f"kubeconfig {kc}: user \"u\": exec plugin 'aws': not found in PATH (install the aws CLI)"
    ]


def test_a_plugin_that_is_not_executable_is_one_line(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path / "get-token", mode=stat.S_IRUSR | stat.S_IWUSR)
    kc = _write(tmp_path / "kc", _one(user=_EXEC.format(command=str(plugin))))
    assert _problems(kc) == [f'kubeconfig {kc}: user "u": exec plugin {plugin}: not executable']


@pytest.mark.parametrize(
    ("exec_spec", "message"),
    [
        ("apiVersion: client.authentication.k8s.io/v1\ncommand: /bin/true",
         "exec: interactiveMode must be set (Never, IfAvailable or Always)"),
        ("apiVersion: client.authentication.k8s.io/v1alpha1\ncommand: /bin/true\ninteractiveMode: Never",
         "exec: apiVersion 'client.authentication.k8s.io/v1alpha1' is not one of"),
        ("apiVersion: client.authentication.k8s.io/v1\ncommand: /bin/true\ninteractiveMode: Sometimes",
         "exec: interactiveMode 'Sometimes' is not Never, IfAvailable or Always"),
        ("apiVersion: client.authentication.k8s.io/v1\ninteractiveMode: Never", "exec: command must be set"),
    ],
)
def test_exec_fields_kubectl_refuses(tmp_path: Path, exec_spec: str, message: str) -> None:
    kc = _write(tmp_path / "kc", _one(user="exec:\n" + textwrap.indent(exec_spec, "  ")))
    (line,) = _problems(kc)
    assert line.startswith(f'kubeconfig {kc}: user "u": {message}')


def test_exec_without_api_version_has_no_default_interactive_mode_either(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(user="exec:\n  command: /bin/true"))
    assert _problems(kc) == [
        f'kubeconfig {kc}: user "u": exec: apiVersion must be set',
        f'kubeconfig {kc}: user "u": exec: interactiveMode must be set (Never, IfAvailable or Always)',
    ]


def test_the_clusters_exec_extension_is_kept_for_the_plugin(tmp_path: Path) -> None:
    kc = _write(tmp_path / "kc", _one(
        cluster=("server: https://h:1\nextensions:\n- name: client.authentication.k8s.io/exec\n"
                 "  extension:\n    audience: prod"),
        user="exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: /bin/true\n"
             "  interactiveMode: Never\n  provideClusterInfo: true",
    ))
    exec_config = _config(kc).exec
    assert exec_config is not None
    assert (exec_config.provide_cluster_info, exec_config.cluster_config) == (True, '{"audience": "prod"}')
