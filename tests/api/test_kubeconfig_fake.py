"""Kubeconfig files in the shapes people have, each used against the fake kube-apiserver
over HTTPS: as kubectl and kind write them, as the cloud CLIs write them (exec plugins,
here small scripts under the real plugin names), hand-edited, JSON, and merged lists."""

from __future__ import annotations

import base64
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from kep.api.client import Client
from kep.api.config import load_config
from kep.api.resources import PODS
from tests.fakeapi import FakeApiServer
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (the fixture)

PLUGIN = """\
#!{python}
import json, os, sys
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
print(json.dumps({{"kind": "ExecCredential", "apiVersion": info["apiVersion"],
                  "status": {{"token": {token!r}, "expirationTimestamp": "2099-01-01T00:00:00Z"}}}}))
"""

KUBECTL = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca_data}
    server: {url}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    namespace: apps
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {{}}
users:
- name: kubernetes-admin
  user:
    token: {token}
"""

KIND = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca_data}
    server: {url}
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {{}}
users:
- name: kind-kind
  user:
    client-certificate-data: {cert_data}
    client-key-data: {key_data}
"""

EKS = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca_data}
    server: {url}
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
contexts:
- context:
    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod
    user: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
current-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod
kind: Config
preferences: {{}}
users:
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      - eks
      - get-token
      - --cluster-name
      - prod
      - --output
      - json
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod
"""

GKE = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca_data}
    server: {url}
  name: gke_my-project_europe-west1_prod
contexts:
- context:
    cluster: gke_my-project_europe-west1_prod
    user: gke_my-project_europe-west1_prod
  name: gke_my-project_europe-west1_prod
current-context: gke_my-project_europe-west1_prod
kind: Config
preferences: {{}}
users:
- name: gke_my-project_europe-west1_prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following
        https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
      provideClusterInfo: true
"""

AKS = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca_data}
    server: {url}
  name: prod-aks
contexts:
- context:
    cluster: prod-aks
    namespace: apps
    user: clusterUser_rg_prod-aks
  name: prod-aks
current-context: prod-aks
kind: Config
preferences: {{}}
users:
- name: clusterUser_rg_prod-aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --login
      - azurecli
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""

HAND_EDITED = """\
# prod, edited by hand: shared settings anchored once
apiVersion: v1
kind: Config
current-context: prod          # the one kep uses
.tls: &tls
  certificate-authority-data: |
{ca_block}
clusters:
- name: prod
  cluster:
    <<: *tls
    server: '{url}'
- name: staging                # not used
  cluster: {{<<: *tls, server: "https://staging.invalid:6443"}}
contexts:
- name: prod
  context: {{cluster: prod, user: ops, namespace: "007"}}
users:
- name: ops
  user:
    token: >-
      {token}
"""

JSON_TRAILING_COMMAS = """\
{{
  "apiVersion": "v1",
  "clusters": [{{
    "cluster": {{
      "server": "{url}",
      "certificate-authority-data": "{ca_data}",
    }},
    "name": "kubernetes",
  }}],
  "contexts": [{{"context": {{"cluster": "kubernetes", "user": "aws",}}, "name": "aws",}}],
  "current-context": "aws",
  "kind": "Config",
  "users": [{{"name": "aws", "user": {{"token": "{token}",}},}}],
}}
"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("shape", "plugin", "namespace"),
    [
        (KUBECTL, None, "apps"),
        (KIND, None, None),
        (EKS, "aws", None),
        (GKE, "gke-gcloud-auth-plugin", None),
        (AKS, "kubelogin", "apps"),
        (HAND_EDITED, None, "007"),
        (JSON_TRAILING_COMMAS, None, None),
    ],
    ids=["kubectl", "kind", "eks", "gke", "aks", "hand-edited", "json-trailing-commas"],
)
def test_real_shapes_reach_the_api_server(
    fake_api: FakeApiServer, tmp_path: Path, shape: str, plugin: str | None, namespace: str | None
) -> None:
    token = fake_api.add_token(user="shape-user")
    cert, key = fake_api.issue_client_cert("shape-user", directory=tmp_path / "certs")
    ca = fake_api.ca_pem.encode()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if plugin:
        script = bin_dir / plugin
        script.write_text(PLUGIN.format(python=sys.executable, token=token))
        script.chmod(0o755)
    kc = tmp_path / "config"
    kc.write_text(shape.format(
        url=fake_api.url, token=token, ca_data=_b64(ca),
        ca_block=textwrap.indent("\n".join(textwrap.wrap(_b64(ca), 64)), " " * 4),
        cert_data=_b64(Path(cert).read_bytes()), key_data=_b64(Path(key).read_bytes()),
    ))
    config = load_config({"KUBECONFIG": str(kc), "PATH": str(bin_dir)})
    assert config.namespace == namespace
    with Client(config) as client:
        assert client.list(PODS, namespace or "default")["kind"] == "PodList"
    assert fake_api.requests[-1].user == "shape-user"


def test_gke_gets_the_cluster_it_asked_for(fake_api: FakeApiServer, tmp_path: Path) -> None:
    """provideClusterInfo: the plugin sees the server and CA in KUBERNETES_EXEC_INFO."""
    token = fake_api.add_token(user="gke")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "exec-info.json"
    script = bin_dir / "gke-gcloud-auth-plugin"
    script.write_text(PLUGIN.format(python=sys.executable, token=token).replace(
        "info = json.loads", f"open({str(seen)!r}, 'w').write(os.environ['KUBERNETES_EXEC_INFO'])\ninfo = json.loads"))
    script.chmod(0o755)
    kc = tmp_path / "config"
    kc.write_text(GKE.format(url=fake_api.url, ca_data=_b64(fake_api.ca_pem.encode())))
    with Client(load_config({"KUBECONFIG": str(kc), "PATH": str(bin_dir)})) as client:
        client.list(PODS, "default")
    spec = json.loads(seen.read_text())["spec"]
    assert spec["cluster"] == {"server": fake_api.url, "certificate-authority-data": _b64(fake_api.ca_pem.encode())}
    assert spec["interactive"] is False


def test_a_merged_list_as_kubectl_merges_it(fake_api: FakeApiServer, tmp_path: Path) -> None:
    """KUBECONFIG=~/.kube/config:~/.kube/prod: the prod file adds a cluster, a user and a
    context; current-context comes from the first file; a name in both is the first file's."""
    token = fake_api.add_token(user="merged")
    home = tmp_path / ".kube"
    home.mkdir()
    (home / "config").write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: dev
          cluster: {server: "https://dev.invalid:6443"}
        users:
        - name: ops
          user: {tokenFile: ops-token}
        """))
    (home / "ops-token").write_text(token)
    (home / "prod").write_text(KUBECTL.format(url=fake_api.url, ca_data=_b64(fake_api.ca_pem.encode()),
                                              token="not-this-one")
                               .replace("kubernetes-admin@kubernetes", "prod").replace("kubernetes-admin", "ops"))
    config = load_config({"KUBECONFIG": os.pathsep.join([str(home / "config"), str(home / "prod")])})
    assert (config.token_file, config.namespace) == (str(home / "ops-token"), "apps")
    with Client(config) as client:
        client.list(PODS, "apps")
    assert fake_api.requests[-1].user == "merged"
