"""kep's own templating of config files (no template library), and atomic writes.

Supports the reference's fields in Go text/template syntax: `{{ .IP }}`,
`{{.HOSTNAME}}`, with any spacing and Go's `{{-`/`-}}` whitespace trimming.
Any other action is rejected so a template never renders half-understood.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping

FIELDS = ("IP", "IP_ERLANG", "HOSTNAME")

_ACTION = re.compile(r"(\s*)\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}(\s*)", re.DOTALL)
_FIELD = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


class TemplateError(Exception):
    """The template uses something kep cannot fill; str() names it."""


def fields_used(text: str) -> set[str]:
    """Names of the fields a template uses; raises TemplateError for anything else."""
    used = set()
    for match in _ACTION.finditer(text):
        body = match.group(3)
        field = _FIELD.fullmatch(body)
        if not field:
            raise TemplateError(f"unsupported template action {{{{ {body} }}}} (kep fills only " + _known() + ")")
        if field.group(1) not in FIELDS:
            raise TemplateError(f"unknown field .{field.group(1)} (known: {_known()})")
        used.add(field.group(1))
    return used


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill the fields; `values` must hold every field in fields_used(text)."""
    fields_used(text)

    def fill(match: re.Match[str]) -> str:
        lead = "" if match.group(2) else match.group(1)
        trail = "" if match.group(4) else match.group(5)
        return lead + values[match.group(3)[1:]] + trail

    return _ACTION.sub(fill, text)


def _known() -> str:
    return ", ".join("." + f for f in FIELDS)


def write_atomic(path: str, content: str, mode: int) -> None:
    """Write via a temp file in the same directory + rename: readers never see half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o755, exist_ok=True)
        os.chmod(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "w") as out:
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
