"""ClusterConfig and ExecConfig are values that never show a secret in their repr."""

from __future__ import annotations

from kep.api.clusterconfig import ClusterConfig, ExecConfig

TOKEN = "sekrit-token-value-123"


def test_no_secret_is_in_the_repr() -> None:
    plugin = ExecConfig(command="/usr/bin/aws", args=("--secret-arg",), env=(("AWS_SECRET", "sekrit-env"),),
                        api_version="client.authentication.k8s.io/v1", interactive_mode="Never",
                        provide_cluster_info=False, install_hint=None, cluster_config=None, user="u")
    config = ClusterConfig(server="https://api.example:6443", source="test", token=TOKEN,
                           client_cert_data=b"CERT", client_key_data=b"KEY", exec=plugin)
    shown = repr(config)
    assert "https://api.example:6443" in shown and "/usr/bin/aws" in shown
    for secret in (TOKEN, "KEY", "CERT", "--secret-arg", "sekrit-env"):
        assert secret not in shown
