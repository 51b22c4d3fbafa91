"""Logging in the reference's line shape, configured once by the cli.

`Entrypoint INFO: 2026/11/24 23:40:01 Resolving Service db in namespace ns`
Info and warnings go to stdout, errors to stderr, as the reference does.
KEP_LOG_FORMAT=json gives one JSON object per line instead.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

_LEVEL_NAMES = {logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARNING", logging.ERROR: "ERROR"}


class _ReferenceFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.localtime(record.created))
        level = _LEVEL_NAMES.get(record.levelno, record.levelname)
        return f"Entrypoint {level}: {stamp} {record.getMessage()}"


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, for log pipelines: time (RFC 3339, UTC), level, message,
    and on a dependency's lines its kind, namespace, name, met and reason (the
    `kep_fields` a record carries: kep.engine.report.fields)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = {
            "time": f"{stamp}.{int(record.msecs):03d}Z",
            "level": _LEVEL_NAMES.get(record.levelno, record.levelname).lower(),
            "message": record.getMessage(),
        }
        line.update(getattr(record, "kep_fields", None) or {})
        return json.dumps(line)


FORMATTERS = {"text": _ReferenceFormatter, "json": _JsonFormatter}


class _Below(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < self.level


def configure(stdout: TextIO | None = None, stderr: TextIO | None = None, debug: bool = False,
              form: str = "text") -> None:
    """Route kep's loggers: < ERROR to stdout, ERROR and above to stderr, as `form` (FORMATTERS)."""
    root = logging.getLogger("kep")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    out = logging.StreamHandler(stdout or sys.stdout)
    out.addFilter(_Below(logging.ERROR))
    err = logging.StreamHandler(stderr or sys.stderr)
    err.setLevel(logging.ERROR)
    for handler in (out, err):
        handler.setFormatter(FORMATTERS[form]())
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
