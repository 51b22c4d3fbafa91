"""How a user's value appears in a one-line message."""

from __future__ import annotations

import json


def quote(text: str, limit: int = 80) -> str:
    """Quote a user's value for a one-line message: JSON-escaped, shortened, printable."""
    if len(text) > limit:
        text = text[:limit] + "..."
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)
