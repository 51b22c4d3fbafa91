"""Reading: documents cut at `---`, Lists expanded, directories recursively, and each bad
document one problem with its line while the others are still read."""

from __future__ import annotations

import io
from pathlib import Path

from kep.lint.manifests import read


def test_each_document_with_its_first_line_and_namespace(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("# Source: x\nkind: Service\nmetadata: {name: a}\n---\nkind: Job\nmetadata: {name: b}\n")
    found, problems = read([(str(path), "ns")])
    assert [(m.obj["kind"], m.line, m.namespace) for m in found] == [("Service", 1, "ns"), ("Job", 5, "ns")]
    assert problems == []


def test_a_list_is_expanded() -> None:
    text = b"kind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n- {kind: Job, metadata: {name: b}}\n"
    found, _ = read([("-", "default")], io.BytesIO(text))
    assert [m.obj["metadata"]["name"] for m in found] == ["a", "b"]


def test_bad_documents_are_one_problem_each_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("kind: Service\nmetadata: {name: ok}\n---\nfoo: [\n---\n- a list\n---\njust text\n---\n"
                    "kind: Service\nmetadata: [x]\n")
    found, problems = read([(str(path), "default")])
    assert [m.obj["metadata"]["name"] for m in found] == ["ok"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (5, "invalid YAML"), (6, "a document must be an object, not list"),
        (8, "a document must be an object, not str"), (10, "not a Kubernetes object (no kind, or metadata is no map)")]


def test_binary_data_and_missing_files_are_problems(tmp_path: Path) -> None:
    binary = tmp_path / "blob.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01kind")
    found, problems = read([(str(binary), "d"), (str(tmp_path / "nothere.yaml"), "d")])
    assert found == []
    assert [p.message.split(" (")[0] for p in problems] == ["not UTF-8 text", "cannot read: No such file or directory"]


def test_a_directory_is_read_recursively_with_kubectls_extensions(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text("kind: Service\nmetadata: {name: a}\n")
    (tmp_path / "b.json").write_text('{"kind": "Job", "metadata": {"name": "b"}}')
    (tmp_path / "notes.txt").write_text("kind: Secret\n")
    found, _ = read([(str(tmp_path), "d")])
    assert sorted(m.obj["metadata"]["name"] for m in found) == ["a", "b"]
