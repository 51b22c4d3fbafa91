"""One read of a Query through the API client, as an Observation (errors included).

A 404 on a get is an answer ("not there yet"), not an error: it becomes an
observation with no objects, and the kind says what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from kep.api.errors import ApiError, NotFound, OnRetry
from kep.api.resources import Resource
from kep.reads import Observation, Query


class Reader(Protocol):
    """The part of kep.api.client.Client that polling needs."""

    def get(self, resource: Resource, namespace: str | None, name: str, *,
            on_retry: OnRetry | None = None) -> dict[str, Any]: ...
    def list(self, resource: Resource, namespace: str | None, *, label_selector: str | None = None,
             field_selector: str | None = None, on_retry: OnRetry | None = None) -> dict[str, Any]: ...
    def discover(self, api_version: str, *, on_retry: OnRetry | None = None) -> dict[str, Any]: ...


def read(client: Reader, query: Query, on_retry: OnRetry | None = None) -> Observation:
    """One read; `at` is when its request was first sent."""
    at = time.monotonic()
    try:
        if query.discovery is not None:
            return Observation((client.discover(query.discovery, on_retry=on_retry),), at=at)
        assert query.resource is not None
        if query.name is not None:
            return Observation((client.get(query.resource, query.namespace, query.name, on_retry=on_retry),), at=at)
        listing = client.list(query.resource, query.namespace, label_selector=query.label_selector,
                              on_retry=on_retry)
        return Observation(tuple(listing.get("items") or ()), at=at)
    except NotFound as exc:
        return Observation((), at=at) if query.is_get else Observation(error=exc, at=at)
    except ApiError as exc:
        return Observation(error=exc, at=at)


Fetch = Callable[[Query, OnRetry | None], Observation]


def fetcher(client: Reader) -> Fetch:
    def fetch(query: Query, on_retry: OnRetry | None) -> Observation:
        return read(client, query, on_retry)

    return fetch
