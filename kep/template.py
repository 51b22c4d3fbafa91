"""kep's own templating of config files (no template library), and how the result is written.

Templates are bytes, as Go strings are: text outside the actions is copied unchanged,
whatever its encoding and line ends. Supports the reference's fields in Go text/template
syntax: `{{ .IP }}`, `{{.HOSTNAME}}`, with any spacing (spaces, tabs, line ends) and Go's
`{{- `/` -}}` trim markers, which remove the space, tab, CR and LF bytes beside the action
(go: src/text/template/parse/lex.go, `isSpace`, `hasLeftTrimMarker`). Any other action is
rejected so a template never renders half-understood.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping

FIELDS = ("IP", "IP_ERLANG", "HOSTNAME")

_SPACE = b" \t\r\n"
_ACTION = re.compile(rb"\{\{(-[ \t\r\n])?[ \t\r\n]*(.*?)[ \t\r\n]*([ \t\r\n]-)?\}\}", re.DOTALL)
_FIELD = re.compile(rb"\.([A-Za-z_][A-Za-z0-9_]*)")
_REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)


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


def write(path: str, content: bytes) -> str:
    """Write `content` to `path`; returns "" when written atomically, else why it was written in place.

    Atomically where it can: a temporary file in the same directory renamed over `path`, so
    a reader never sees half a file. In place (truncate and write, what the reference's
    `os.Create` always does) where a new file cannot take the old one's place: `path` is a
    mount point (a subPath volume; rename fails with EBUSY), its directory takes no new files
    (read-only, or not kep's), or kep may not give a new file the old one's owner.
    Either way the file ends as the reference leaves it: an existing file keeps its mode, owner
    and group; a new one is created 0666 less the umask. Raises OSError if it cannot write.
    """
    why = _write_atomic(path, content)
    if why:
        with open(path, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    return why


def _write_atomic(path: str, content: bytes) -> str:
    """Write via a temporary file + rename; "" when done, else why a new file cannot replace `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755, exist_ok=True)
        os.chmod(directory, 0o755)
    try:
        old: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        old = None
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.urandom(6).hex()}")
    try:
        # 0666 less the umask, as os.Create makes it.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in _REFUSED:
            return f"cannot create a file in {directory}: {exc.strerror}"
        raise
    renamed = False
    try:
        with open(fd, "wb") as out:
            if old is not None:
                try:
                    os.fchown(fd, old.st_uid, old.st_gid)
                except PermissionError:
                    return f"kep may not give a new file the owner of {path}"
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            out.write(content)
            out.flush()
            os.fsync(fd)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if exc.errno == errno.EBUSY:
                return f"{path} is a mount point"
            raise
        renamed = True
        return ""
    finally:
        if not renamed:
            os.unlink(tmp)
