"""What a kind asks to read (a Query) and what the engine saw (an Observation).

Queries are values: the engine de-duplicates them across dependencies so one
list or watch serves every dependency that needs the same collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kep.api.errors import ApiError
from kep.api.resources import Resource


@dataclass(frozen=True, slots=True)
class Query:
    """A get (name set), a list (name unset, optional label selector), or, with
    `discovery` set, the APIResourceList of group/version `discovery`."""

    resource: Resource | None = None
    namespace: str | None = None
    name: str | None = None
    label_selector: str | None = None
    discovery: str | None = None

    @property
    def is_get(self) -> bool:
        return self.name is not None or self.discovery is not None


@dataclass(frozen=True, slots=True)
class Observation:
    """The latest result of a query: objects (a get gives 0 or 1; 404 gives 0), or an error.

    `at` is when the cluster was in that state, on time.monotonic(): when a poll's
    request was sent, or when a watch delivered it. It does not take part in equality."""

    objects: tuple[dict[str, Any], ...] = ()
    error: ApiError | None = None
    at: float = field(default=0.0, compare=False)


Seen = Mapping[Query, Observation]


@dataclass(frozen=True, slots=True)
class Read:
    """One read a kind will make, stated before any API request (for `--explain`,
    `kep rbac` and the RBAC preflight): a get of `name`, or a list by `selector`.

    `selector` may be words for a selector known only later (a DaemonSet's). For a
    custom resource the plural and scope come from discovery at run time
    (`discovered` False): until resolved, `resource.plural` is kubectl's guess."""

    resource: Resource
    namespace: str | None
    name: str | None = None
    selector: str = ""
    discovered: bool = True

    @classmethod
    def of(cls, query: Query) -> Read:
        assert query.resource is not None
        return cls(query.resource, query.namespace if query.resource.namespaced else None, query.name,
                   query.label_selector or "")

    @property
    def is_get(self) -> bool:
        return self.name is not None

    def verbs(self, watch: bool) -> tuple[str, ...]:
        """The RBAC verbs kep uses for it: list+watch (a get is watched with a
        metadata.name field selector), or, polling, get or list."""
        if watch:
            return ("list", "watch")
        return ("get",) if self.is_get else ("list",)

    def __str__(self) -> str:
        what = self.resource.qualified
        if not self.discovered:
            what = f"{self.resource.kind} ({self.resource.api_version}; its resource from discovery)"
        where = f" in namespace {self.namespace}" if self.namespace else ""
        if self.is_get:
            return f"get {what} {self.name}{where}"
        return f"list {what}{f' with labels {self.selector}' if self.selector else ''}{where}"


def dig(obj: Any, *path: str | int, default: Any = None) -> Any:
    """Walk nested dicts/lists; `default` when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return default
        elif not isinstance(obj, dict) or step not in obj:
            return default
        obj = obj[step]
    return obj
