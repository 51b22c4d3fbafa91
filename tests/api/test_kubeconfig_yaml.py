"""The YAML-subset reader accepts what kubectl writes and refuses the rest with a line number."""

from __future__ import annotations

import pytest

from kep.api.kubeconfig_yaml import YamlError, loads

KUBECTL_WRITTEN = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    namespace: openstack
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
"""


def test_kubectl_output_parses_to_the_same_structure_as_json_would() -> None:
    assert loads(KUBECTL_WRITTEN) == {
        "apiVersion": "v1",
        "clusters": [
            {
                "cluster": {
                    "certificate-authority-data": "LS0tLS1CRUdJTg==",
                    "server": "https://127.0.0.1:6443",
                },
                "name": "kind-kind",
            }
        ],
        "contexts": [
            {"context": {"cluster": "kind-kind", "namespace": "openstack", "user": "kind-kind"}, "name": "kind-kind"}
        ],
        "current-context": "kind-kind",
        "kind": "Config",
        "preferences": {},
        "users": [{"name": "kind-kind", "user": {"client-certificate-data": "Y2VydA==", "client-key-data": "a2V5"}}],
    }


def test_indented_sequences_are_read_like_compact_ones() -> None:
    text = "users:\n  - name: a\n    user:\n      token: t\n  - name: b\n"
    assert loads(text) == {"users": [{"name": "a", "user": {"token": "t"}}, {"name": "b"}]}


def test_comments_blank_lines_and_document_markers_are_ignored() -> None:
    text = "# a kubeconfig\n---\n\nkind: Config  # trailing comment\n# between\n\napiVersion: v1\n...\n"
    assert loads(text) == {"kind": "Config", "apiVersion": "v1"}


def test_hash_inside_a_value_without_a_space_is_part_of_it() -> None:
    assert loads("server: https://h/#frag\ntoken: a#b\n") == {"server": "https://h/#frag", "token": "a#b"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("k: 'it''s # not a comment'", "it's # not a comment"),
        ('k: "tab\\there \\"q\\" \\u00e9 \\x41 \\\\"', 'tab\there "q" é A \\'),
        ("k: ''", ""),
        ('k: ""', ""),
        ('k: "true"', "true"),
        ("k: 'null'", "null"),
        ("k: true", True),
        ("k: False", False),
        ("k: null", None),
        ("k: ~", None),
        ("k:", None),
        ("k: 42", "42"),
        ("k: 0123", "0123"),
        ("k: 12e45", "12e45"),
        ("k: -1.5", "-1.5"),
        ("k: https://[fd00::1]:6443", "https://[fd00::1]:6443"),
        ("k: []", []),
        ("k: {}", {}),
        ('k: [a, "b, c", 3, {x: y}, null]', ["a", "b, c", "3", {"x": "y"}, None]),
        ("k: {a: 1, 'b': [x], c: true}", {"a": "1", "b": ["x"], "c": True}),
    ],
)
def test_scalars_and_flow_collections(text: str, value: object) -> None:
    assert loads(text + "\n") == {"k": value}


def test_quoted_keys() -> None:
    assert loads("'a: b': 1\n\"c\": 2\n") == {"a: b": "1", "c": "2"}


def test_long_plain_values_folded_by_go_yaml_are_joined_with_spaces() -> None:
    text = "a:\n  installHint: first part of a long\n    hint that continues\n\n    after a blank\n  b: x\n"
    assert loads(text) == {"a": {"installHint": "first part of a long hint that continues\nafter a blank", "b": "x"}}


def test_multi_line_quoted_values_fold_and_escaped_breaks_join() -> None:
    text = 'a: "one\n  two\\\n  three \\\n  four"\nb: \'x\n\n  y\'\n'
    assert loads(text) == {"a": "one twothree four", "b": "x\ny"}


def test_nested_sequences_and_null_items() -> None:
    text = "a:\n- - x\n  - y\n-\n- \n  k: v\n"
    assert loads(text) == {"a": [["x", "y"], None, {"k": "v"}]}


def test_empty_document_is_none() -> None:
    assert loads("") is None
    assert loads("# only a comment\n") is None


def test_crlf_and_bom_are_accepted() -> None:
    assert loads("\ufeffa: 1\r\nb: 2\r\n") == {"a": "1", "b": "2"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\n\tb: 2\n", 2, "tab"),
        ("a: &anchor 1\n", 1, "anchor"),
        ("a: *alias\n", 1, "alias"),
        ("a: !!str 1\n", 1, "tags"),
        ("a: |\n  text\n", 1, "block scalars"),
        ("a: >-\n  text\n", 1, "block scalars"),
        ("? complex\n: value\n", 1, "complex"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
        ("a: 1\n  b: 2\n", 2, "':' followed by a space"),
        ("a:\n  b: 1\n c: 2\n", 3, "indentation"),
        ("a: [1,\n  2]\n", 1, "one line"),
        ('a: "open\n', 1, "unterminated"),
        ("a: 1\n---\nb: 2\n", 2, "more than one"),
        ("a: 'x' y\n", 1, "after a quoted value"),
        ('a: "\\q"\n', 1, "unknown escape"),
        ("a: b: c\n", 1, "':' followed by a space"),
        ("a: 1\n- b\n", 2, "sequence entry"),
        ("- a\nb: 1\n", 2, "unexpected content"),
    ],
)
def test_unsupported_or_broken_yaml_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlError) as info:
        loads(text)
    assert info.value.line == line
    assert words in info.value.message
    assert str(info.value).startswith(f"line {line}: ")


MINIKUBE_GKE_EKS = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority: /home/u/.minikube/ca.crt
    extensions:
    - extension:
        last-update: Mon, 01 Jan 2024 10:00:00 UTC
        provider: minikube.sigs.k8s.io
      name: cluster_info
    server: https://192.168.49.2:8443
  name: minikube
current-context: minikube
users:
- name: gke
  user:
    auth-provider:
      config:
        cmd-args: config config-helper --format=json
        expiry: "2024-01-01T10:00:00Z"
        expiry-key: '{.credential.token_expiry}'
      name: gcp
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""


def test_what_minikube_gcloud_and_aws_write() -> None:
    doc = loads(MINIKUBE_GKE_EKS)
    extension = doc["clusters"][0]["cluster"]["extensions"][0]
    assert extension == {
        "extension": {"last-update": "Mon, 01 Jan 2024 10:00:00 UTC", "provider": "minikube.sigs.k8s.io"},
        "name": "cluster_info",
    }
    gke, eks = doc["users"]
    assert gke["user"]["auth-provider"]["config"] == {
        "cmd-args": "config config-helper --format=json",
        "expiry": "2024-01-01T10:00:00Z",
        "expiry-key": "{.credential.token_expiry}",
    }
    assert eks["user"]["exec"]["args"] == ["--region", "eu-west-1"]
    assert eks["user"]["exec"]["env"] == [{"name": "AWS_PROFILE", "value": "prod"}]
    assert eks["user"]["exec"]["provideClusterInfo"] is False
