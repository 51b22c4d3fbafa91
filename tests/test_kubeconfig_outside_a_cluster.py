"""The whole program outside a cluster: kep reads kubeconfig files as kubectl does and
waits against the fake kube-apiserver over HTTPS (issue 12)."""

from __future__ import annotations

import base64
import sys
import textwrap
from pathlib import Path

from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import kep_env, run_kep
from tests.waiting import api  # noqa: F401  (fixture)

TOKEN_PLUGIN = """\
#!{python}
# Fails on its first run (as an expired SSO session does), then prints the token.
import json, os, sys
marker = {marker!r}
if not os.path.exists(marker):
    open(marker, "w").close()
    sys.stderr.write("plugin: session expired, refreshing\\n")
    sys.exit(1)
assert json.loads(os.environ["KUBERNETES_EXEC_INFO"])["spec"]["interactive"] is False
print(json.dumps({{"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1",
                  "status": {{"token": {token!r}, "expirationTimestamp": "2099-01-01T00:00:00Z"}}}}))
"""


def ready_service(api, name: str, namespace: str) -> None:
    api.create(f.service(name, namespace))
    api.create(f.endpoint_slice(name, namespace, f.endpoint("10.0.0.7", ready=True)))


def test_the_issues_json_with_trailing_commas(api, tmp_path: Path) -> None:
    ready_service(api, "mariadb", "default")
    token = api.add_token(user="aws")
    ca = base64.b64encode(api.ca_pem.encode()).decode()
    kc = tmp_path / "kubeconfig.json"
    kc.write_text(textwrap.dedent(f"""\
        {{
          "apiVersion": "v1",
          "clusters": [{{
            "cluster": {{
              "server": "{api.url}",
              "certificate-authority-data": "{ca}",
            }},
            "name": "kubernetes",
          }}],
          "contexts": [{{"context": {{"cluster": "kubernetes", "user": "aws",}}, "name": "aws",}}],
          "current-context": "aws",
          "kind": "Config",
          "users": [{{"name": "aws", "user": {{"token": "{token}",}},}}],
        }}
        """))
    done = run_kep("--", "echo", "app started", env=kep_env(KUBECONFIG=str(kc), DEPENDENCY_SERVICE="mariadb"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "app started"
    assert api.requests[-1].user == "aws"


def test_a_merged_list_with_the_contexts_namespace_and_an_exec_plugin(api, tmp_path: Path) -> None:
    """The context and cluster in one file, the user (an exec plugin that fails once) in
    another; the item names no namespace and NAMESPACE is unset: the context's is used."""
    ready_service(api, "keystone", "identity")
    token = api.add_token(user="deployer")
    plugin = tmp_path / "bin" / "cloud-auth"
    plugin.parent.mkdir()
    plugin.write_text(TOKEN_PLUGIN.format(python=sys.executable, marker=str(tmp_path / "ran-once"), token=token))
    plugin.chmod(0o755)
    first = tmp_path / "team" / "config"
    first.parent.mkdir()
    first.write_text(textwrap.dedent(f"""\
        # the team's file: where, and in which namespace
        current-context: identity
        clusters:
        - name: prod
          cluster:
            server: {api.url}
            certificate-authority: {api.ca_file}
        contexts:
        - name: identity
          context: {{cluster: prod, user: deployer, namespace: identity}}
        """))
    second = tmp_path / "me" / "config"
    second.parent.mkdir()
    second.write_text(textwrap.dedent(f"""\
        current-context: somewhere-else
        users:
        - name: deployer
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ../bin/cloud-auth
              interactiveMode: Never
        """))
    env = kep_env(KUBECONFIG=f"{tmp_path / 'missing'}:{first}:{second}", DEPENDENCY_SERVICE="keystone")
    done = run_kep(env=env)
    assert done.returncode == 0, done.stderr
    assert "Service keystone in namespace identity is resolved." in done.stdout
    assert "plugin: session expired, refreshing" in done.stderr  # its stderr passes through
    assert token not in done.stdout + done.stderr
    assert api.requests[-1].user == "deployer"


def test_a_plugin_that_is_not_installed_is_exit_2_with_one_line(api, tmp_path: Path) -> None:
    kc = tmp_path / "config"
    kc.write_text(textwrap.dedent(f"""\
        current-context: eks
        clusters: [{{name: eks, cluster: {{server: "{api.url}", certificate-authority: "{api.ca_file}"}}}}]
        contexts: [{{name: eks, context: {{cluster: eks, user: eks-admin}}}}]
        users:
        - name: eks-admin
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: aws-iam-authenticator
              args: [token, -i, prod]
              installHint: |
                aws-iam-authenticator is needed: see https://example.invalid/install
                (a second line of the hint)
        """))
    done = run_kep(env=kep_env(KUBECONFIG=str(kc), DEPENDENCY_SERVICE="mariadb", PATH=str(tmp_path)))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.endswith(
        f"kubeconfig {kc}: user \"eks-admin\": exec plugin 'aws-iam-authenticator': not found in PATH "
        "(aws-iam-authenticator is needed: see https://example.invalid/install)"
    )
    assert api.requests == []


def test_a_kubeconfig_kubectl_refuses_is_exit_2_with_one_line(tmp_path: Path) -> None:
    kc = tmp_path / "config"
    kc.write_text("current-context: x\nusers: [{name: u, user: {token: 12345}}]\n")
    done = run_kep(env=kep_env(KUBECONFIG=str(kc), DEPENDENCY_JOBS="db-init"))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.rstrip().endswith(f'kubeconfig {kc}: user "u": token is a number, not a string (quote it)')


def test_a_kubeconfig_is_not_read_when_no_dependency_needs_the_api(tmp_path: Path) -> None:
    """A broken kubeconfig does not stop an entrypoint that waits only for local things."""
    kc = tmp_path / "config"
    kc.write_text("clusters: [\n")
    (tmp_path / "sock").touch()
    done = run_kep(env=kep_env(KUBECONFIG=str(kc), DEPENDENCY_SOCKET=str(tmp_path / "sock")))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
