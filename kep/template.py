"""kep's own templating of config files (no template library), and atomic writes.

Templates are bytes, as Go strings are: text outside the actions is copied unchanged,
whatever its encoding and line ends. Supports the reference's fields in Go text/template
syntax: `{{ .IP }}`, `{{.HOSTNAME}}`, with any spacing (spaces, tabs, line ends) and Go's
`{{- `/` -}}` trim markers, which remove the space, tab, CR and LF bytes beside the action
(go: src/text/template/parse/lex.go, `isSpace`, `hasLeftTrimMarker`). Any other action is
rejected so a template never renders half-understood.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping

FIELDS = ("IP", "IP_ERLANG", "HOSTNAME")

_SPACE = b" \t\r\n"
_ACTION = re.compile(rb"\{\{(-[ \t\r\n])?[ \t\r\n]*(.*?)[ \t\r\n]*([ \t\r\n]-)?\}\}", re.DOTALL)
_FIELD = re.compile(rb"\.([A-Za-z_][A-Za-z0-9_]*)")


class TemplateError(Exception):
    """The template uses something kep cannot fill; str() names it."""


def fields_used(text: bytes) -> set[str]:
    """Names of the fields a template uses; raises TemplateError for anything else."""
    return {_field(action) for action in _actions(text)}


def render(text: bytes, values: Mapping[str, bytes]) -> bytes:
    """Fill the fields; `values` must hold every field in fields_used(text)."""
    pieces: list[bytes] = []
    start = 0
    trim_next = False
    for action in _actions(text):
        before = text[start:action.start()]
        if trim_next:
            before = before.lstrip(_SPACE)
        if action.group(1):
            before = before.rstrip(_SPACE)
        pieces += [before, values[_field(action)]]
        trim_next = bool(action.group(3))
        start = action.end()
    rest = text[start:]
    pieces.append(rest.lstrip(_SPACE) if trim_next else rest)
    return b"".join(pieces)


def _actions(text: bytes) -> Iterator[re.Match[bytes]]:
    """Each `{{ ... }}` in order; a `{{` that is never closed fails, as Go's "unclosed action"."""
    start = 0
    while (at := text.find(b"{{", start)) >= 0:
        action = _ACTION.match(text, at)
        if action is None:
            raise TemplateError(f"unclosed action {{{{ at byte {at}")
        yield action
        start = action.end()


def _field(action: re.Match[bytes]) -> str:
    body = action.group(2).decode(errors="backslashreplace")
    field = _FIELD.fullmatch(action.group(2))
    if not field:
        raise TemplateError(f"unsupported template action {{{{ {body} }}}} (kep fills only {_known()})")
    name = field.group(1).decode()
    if name not in FIELDS:
        raise TemplateError(f"unknown field .{name} (known: {_known()})")
    return name


def _known() -> str:
    return ", ".join("." + f for f in FIELDS)


def write_atomic(path: str, content: bytes, mode: int) -> None:
    """Write via a temp file in the same directory + rename: readers never see half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755, exist_ok=True)
        os.chmod(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
