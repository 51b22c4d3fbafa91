"""Configuration: in cluster first, then a kubeconfig, else one ConfigError line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kep.api.config import in_cluster, kubeconfig_paths, load_config
from kep.errors import ConfigError

TOKEN = "sekrit-token-value-123"


def _service_account(directory: Path, namespace: str | None = "openstack") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "token").write_text(TOKEN + "\n")
    (directory / "ca.crt").write_text("PEM")
    if namespace is not None:
        (directory / "namespace").write_text(namespace)
    return directory


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
        in_cluster(str(sa), "10.0.0.1", "443")
    assert _one_line(info.value) == f"service account {sa}: no CA certificate file {sa / 'ca.crt'}"


def test_in_cluster_bad_port_is_a_config_error(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa")
    with pytest.raises(ConfigError, match="port 'https' is not a port number"):
        in_cluster(str(sa), "10.0.0.1", "https")


def test_the_service_accounts_namespace_file_is_read_trimmed_and_may_be_missing_or_blank(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa", namespace="  neutron\n")
    assert in_cluster(str(sa), "10.0.0.1", "443").namespace == "neutron"
    (sa / "namespace").unlink()
    assert in_cluster(str(sa), "10.0.0.1", "443").namespace is None
    (sa / "namespace").write_text("")
    assert in_cluster(str(sa), "10.0.0.1", "443").namespace is None


# -- kubeconfig (the reading itself: tests/api/test_kubeconfig.py) ----------------------


def test_kubeconfig_paths_are_the_kubeconfig_list_else_home(tmp_path: Path) -> None:
    assert kubeconfig_paths({"KUBECONFIG": f"::/a{os.pathsep}/b{os.pathsep}/a"}) == ("/a", "/b")
    assert kubeconfig_paths({}, home="/h") == ("/h/.kube/config",)
    assert kubeconfig_paths({"HOME": "/home/x"}) == ("/home/x/.kube/config",)
    assert kubeconfig_paths({}) == ()
    assert kubeconfig_paths({"KUBECONFIG": os.pathsep, "HOME": "/home/x"}) == ()  # as client-go: not HOME's


def test_default_kubeconfig_under_home(tmp_path: Path) -> None:
    _kubeconfig(tmp_path / ".kube" / "config")
    config = load_config({}, home=str(tmp_path))
    assert config.server == "https://api.example:6443"
    assert config.token == "tok"
    assert config.source == f"kubeconfig {tmp_path / '.kube' / 'config'} (context ctx)"


def test_a_kubeconfig_list_skips_missing_files(tmp_path: Path) -> None:
    kc = _kubeconfig(tmp_path / "kc")
    config = load_config({"KUBECONFIG": f"{tmp_path / 'missing'}{os.pathsep}{kc}"})
    assert config.server == "https://api.example:6443"


def test_outside_a_cluster_the_namespace_is_the_contexts(tmp_path: Path) -> None:
    kc = _kubeconfig(tmp_path / "kc", context_extra="    namespace: nova\n")
    assert load_config({"KUBECONFIG": str(kc)}).namespace == "nova"
    assert load_config({"KUBECONFIG": str(_kubeconfig(tmp_path / "plain"))}).namespace is None


def test_in_a_cluster_the_namespace_is_the_service_accounts(tmp_path: Path) -> None:
    sa = _service_account(tmp_path / "sa", namespace="neutron")
    kc = _kubeconfig(tmp_path / "kc", context_extra="    namespace: nova\n")
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443",
           "KEP_SERVICE_ACCOUNT_DIR": str(sa), "KUBECONFIG": str(kc)}
    assert load_config(env).namespace == "neutron"


def test_a_broken_kubeconfig_is_a_one_line_error(tmp_path: Path) -> None:
    kc = tmp_path / "kc"
    kc.write_text("clusters: [\n")
    with pytest.raises(ConfigError, match=f"^kubeconfig {kc}: line "):
        load_config({"KUBECONFIG": str(kc)})


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

    code = ("import sys, kep.api.config, kep.api.kubeconfig, kep.api.events, kep.api.errors; "
            "print('requests' in sys.modules, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_the_client_imports_neither_yaml_nor_the_exec_plugin_runner() -> None:
    """In-cluster start-up pays for neither: both come only with a kubeconfig that needs them."""
    import subprocess
    import sys

    code = ("import sys, kep.api.client; "
            "print(sorted(m for m in ('yaml', 'kep.api.execplugin', 'subprocess') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_in_a_cluster_yaml_is_never_imported(tmp_path: Path) -> None:
    """The in-cluster start-up does not pay for PyYAML, even with a kubeconfig around."""
    import subprocess
    import sys

    sa = _service_account(tmp_path / "sa")
    kc = _kubeconfig(tmp_path / "kc")
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443",
           "KEP_SERVICE_ACCOUNT_DIR": str(sa), "KUBECONFIG": str(kc)}
    code = (f"import sys; from kep.api.config import load_config; env = {env!r}; "
            "load_config(env); print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
