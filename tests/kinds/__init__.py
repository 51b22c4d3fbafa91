"""Kind tests: answer a kind's queries round by round, as the engine does, then evaluate.

Answers are keyed by the role a query plays (`"slices"`, `"own pod"`, ...), so a
test states what the cluster holds and the kind itself says what to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from kep.api.errors import ApiError, Forbidden, NotFound
from kep.api.resources import DAEMONSETS, ENDPOINTS, ENDPOINTSLICES, JOBS, PODS, SERVICES
from kep.reads import Observation, Query
from kep.specs import Settings
from kep.verdict import State, Verdict

SETTINGS = Settings(namespace="ns", pod_name="me")
"""kep runs in pod ns/me."""


def role(query: Query) -> str:
    """What a query reads, in words a test's answers are keyed by."""
    if query.discovery is not None:
        return "discovery"
    if query.resource == ENDPOINTSLICES:
        return "slices"
    if query.resource == ENDPOINTS:
        return "endpoints"
    if query.resource == SERVICES:
        return "service"
    if query.resource == PODS:
        return "own pod" if query.name is not None else "pods"
    if query.resource == DAEMONSETS:
        return "daemonset"
    if query.resource == JOBS:
        return "job" if query.name is not None else "jobs"
    return "object"


@dataclass
class Outcome:
    verdict: Verdict
    seen: dict[Query, Observation]
    asked: tuple[Query, ...]
    """What queries() returns in the end (the reads the engine keeps going)."""

    @property
    def state(self) -> State:
        return self.verdict.state

    @property
    def reason(self) -> str:
        return self.verdict.reason

    def roles(self) -> list[str]:
        return [role(q) for q in self.asked]


def settle(
    kind: ModuleType,
    spec: Any,
    answers: Mapping[str, Observation],
    settings: Settings = SETTINGS,
    seen: Mapping[Query, Observation] | None = None,
) -> Outcome:
    """Answer every query whose role is in `answers` until queries() asks nothing new.
    Queries no longer asked keep their last observation in `seen`, as in the engine."""
    state: dict[Query, Observation] = dict(seen or {})
    for _ in range(10):
        new = [
            q for q in kind.queries(spec, settings, state) if q not in state and role(q) in answers
        ]
        if not new:
            break
        for query in new:
            state[query] = answers[role(query)]
    else:
        raise AssertionError("queries() never settled")
    return Outcome(kind.evaluate(spec, settings, state), state, kind.queries(spec, settings, state))


def listed(*objects: dict[str, Any]) -> Observation:
    return Observation(objects=objects)


got = listed
"""A get that found the object (one) or got a 404 (none)."""


def failing(error: ApiError) -> Observation:
    return Observation(error=error)


def forbidden(verb: str, resource: str, namespace: str | None = "ns", name: str | None = None) -> Observation:
    return failing(Forbidden(verb=verb, resource=resource, namespace=namespace, name=name))


def not_found(resource: str, namespace: str | None = "ns", name: str | None = None) -> Observation:
    return failing(NotFound(verb="get", resource=resource, namespace=namespace, name=name))
