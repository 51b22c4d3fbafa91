"""Manifests in: multi-document YAML as `helm template` and `kustomize build` print it,
from files, directories (recursively, the extensions kubectl's `-f DIR -R` reads) or
stdin (`-`); `List` objects are expanded (kubectl's `items`).

A file is cut into documents at `---` lines before YAML reads them, so one bad document
(invalid YAML, a scalar, binary data) is one problem and the others are still read; each
document keeps its first line, for compiler-style positions. PyYAML is imported here
only (its C loader where present: 5 MB of charts in well under a second).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXTENSIONS = (".yaml", ".yml", ".json")
"""What a directory contributes (kubectl's FileExtensions); a file named alone is read whatever its name."""

_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")


@dataclass(frozen=True, slots=True)
class Manifest:
    obj: dict[str, Any]
    file: str
    line: int
    """The document's first line in its file (1-based)."""
    namespace: str
    """The namespace given for its file (`-n`): the object's own wins."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str


def read(paths: list[tuple[str, str]], stdin: Any = None) -> tuple[list[Manifest], list[Problem]]:
    """Every object of every (path, namespace), and one problem per file or document that
    could not be read."""
    manifests: list[Manifest] = []
    problems: list[Problem] = []
    for path, namespace in paths:
        for name, data in _sources(path, stdin, problems):
            _documents(name, namespace, data, manifests, problems)
    return manifests, problems


def _sources(path: str, stdin: Any, problems: list[Problem]) -> Iterator[tuple[str, bytes]]:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield "<stdin>", stream.read()
        return
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in EXTENSIONS)
        if not files:
            problems.append(Problem(path, 0, f"no {', '.join(EXTENSIONS)} files in this directory"))
    else:
        files = [root]
    for file in files:
        try:
            yield str(file), file.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(file), 0, f"cannot read: {exc.strerror or exc}"))


def _documents(name: str, namespace: str, data: bytes, manifests: list[Manifest], problems: list[Problem]) -> None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, 0, f"not UTF-8 text (byte {exc.start}): binary data?"))
        return
    for line, chunk in _chunks(text):
        try:
            document = yaml.load(chunk, Loader=loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = line + mark.line if mark is not None else line
            why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problems.append(Problem(name, at, f"invalid YAML: {why}"))
            continue
        if document is None:
            continue
        if not isinstance(document, dict):
            problems.append(Problem(name, line, f"a document must be an object, not {type(document).__name__}"))
        elif not isinstance(document.get("kind"), str) or not isinstance(document.get("metadata", {}), dict):
            problems.append(Problem(name, line, "not a Kubernetes object (no kind, or metadata is no map)"))
        elif document["kind"].endswith("List") and isinstance(document.get("items"), list):
            for index, item in enumerate(document["items"]):
                if isinstance(item, dict) and isinstance(item.get("kind"), str):
                    manifests.append(Manifest(item, name, line, namespace))
                else:
                    problems.append(Problem(name, line, f"{document['kind']} item {index} is not a Kubernetes object"))
        else:
            manifests.append(Manifest(document, name, line, namespace))


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each document; a separator's own line is left out."""
    start, lines = 1, list[str]()
    for number, line in enumerate(text.splitlines(), 1):
        if _SEPARATOR.match(line):
            if any(part.strip() and not part.lstrip().startswith("#") for part in lines):
                yield start, "\n".join(lines)
            start, lines = number + 1, []
        else:
            lines.append(line)
    if any(part.strip() and not part.lstrip().startswith("#") for part in lines):
        yield start, "\n".join(lines)
