"""The events of a watch stream, as the API server sends them (one JSON object per line).

kep.api.client parses the stream into `WatchEvent`s (an ERROR event is raised as the
typed error it carries); what to do with them is the reflector's (kep.engine.reflector).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"
BOOKMARK = "BOOKMARK"
ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One line of a watch stream: ADDED, MODIFIED, DELETED or BOOKMARK and its object."""

    type: str
    object: dict[str, Any]

    @property
    def resource_version(self) -> str | None:
        meta = self.object.get("metadata")
        rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
        return rv if isinstance(rv, str) and rv else None
