"""One read of a Query through the API client, as an Observation (errors included).

A 404 on a get is an answer ("not there yet"), not an error: it becomes an
observation with no objects, and the kind says what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kep.api.errors import ApiError, NotFound
from kep.api.resources import Resource
from kep.reads import Observation, Query


class Reader(Protocol):
    """The part of kep.api.client.Client that polling needs."""

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict[str, Any]: ...
    def list(self, resource: Resource, namespace: str | None, *, label_selector: str | None = None,
             field_selector: str | None = None) -> dict[str, Any]: ...
    def discover(self, api_version: str) -> dict[str, Any]: ...


def read(client: Reader, query: Query) -> Observation:
    try:
        if query.discovery is not None:
            return Observation((client.discover(query.discovery),))
        assert query.resource is not None
        if query.name is not None:
            return Observation((client.get(query.resource, query.namespace, query.name),))
        listing = client.list(query.resource, query.namespace, label_selector=query.label_selector)
        return Observation(tuple(listing.get("items") or ()))
    except NotFound as exc:
        return Observation(()) if query.is_get else Observation(error=exc)
    except ApiError as exc:
        return Observation(error=exc)


def fetcher(client: Reader) -> Callable[[Query], Observation]:
    return lambda query: read(client, query)
