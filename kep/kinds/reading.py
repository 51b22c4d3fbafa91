"""What kinds share: the one object a get query found, or why there is none."""

from __future__ import annotations

from typing import Any

from kep.api.errors import NotFound
from kep.reads import Query, Seen
from kep.verdict import Verdict, pending


def the_object(seen: Seen, query: Query, subject: str, missing: str = "") -> dict[str, Any] | Verdict:
    """A pending verdict while not read yet, on a 404 (as an error or as no object; said as
    `missing`, default "<subject>: not found"), or on an error."""
    observation = seen.get(query)
    if observation is None:
        return pending(f"waiting for {subject}")
    if isinstance(observation.error, NotFound) or (observation.error is None and not observation.objects):
        return pending(missing or f"{subject}: not found")
    if observation.error is not None:
        return pending(str(observation.error))
    return observation.objects[0]
