"""The reads `kep status` shares between every pod it evaluates: one list per collection
and namespace, whatever the number of pods.

A namespace of 500 waiting pods asks the same few questions 500 times (get job
nova-db-sync, list the endpointslices of mariadb, get the own pod...). `Reads` answers
the kinds' Queries (kep.reads) from one list of each collection it holds (pods, services,
endpointslices, jobs, daemonsets, configmaps), made the first time any query needs it:
a get by the object's name in that list (none found is what a 404 on a get gives), a
list by matching the label selector here as the API server would (kep.status.labels).
With `-A` (scope None) one list across all namespaces serves every namespace. An error
of the list (forbidden, not served) is the answer to every query it would have served,
so the kinds say it as they say their own reads' errors. Any other query (Endpoints,
custom resources, discovery) is read once through `fetch`. Every answer is remembered.

The lists are not consistent with each other to the resourceVersion: neither are the
reads of `kep check`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kep.api.errors import NotFound
from kep.api.resources import CONFIGMAPS, DAEMONSETS, ENDPOINTSLICES, JOBS, PODS, SERVICES, Resource
from kep.kinds.pod import name_of
from kep.reads import Observation, Query, dig
from kep.status import labels

if TYPE_CHECKING:
    from kep.api.errors import OnRetry
    from kep.engine.read import Fetch

COLLECTIONS = (PODS, SERVICES, ENDPOINTSLICES, JOBS, DAEMONSETS, CONFIGMAPS)
"""What is listed whole; `kep rbac --status` grants list on each."""


class Reads:
    def __init__(self, fetch: Fetch, scope: str | None, on_retry: OnRetry | None = None) -> None:
        """`scope`: the namespace asked for, or None for all namespaces (`-A`)."""
        self._fetch = fetch
        self._scope = scope
        self._on_retry = on_retry
        self._lists: dict[tuple[Resource, str | None], Observation] = {}
        self._by_namespace: dict[tuple[Resource, str | None], dict[str, list[dict[str, Any]]]] = {}
        self._answers: dict[Query, Observation] = {}
        self.requests = 0
        """How many reads were sent (through `fetch`)."""

    def fetch(self, query: Query, on_retry: OnRetry | None = None) -> Observation:
        """A kep.engine.read.Fetch: what the API server would answer, from the shared lists;
        each answer is kept, as 500 pods ask the same few queries."""
        if query not in self._answers:
            if query.resource not in COLLECTIONS or query.namespace is None:
                self._answers[query] = self._read(query, on_retry)
            else:
                self._answers[query] = self._answer(query)
        return self._answers[query]

    def _answer(self, query: Query) -> Observation:
        assert query.resource is not None and query.namespace is not None
        listing = self.collection(query.resource, query.namespace)
        if listing.error is not None:
            if isinstance(listing.error, NotFound) and query.is_get:
                return Observation(at=listing.at)
            return listing
        if query.name is not None:
            return Observation(tuple(o for o in listing.objects if name_of(o) == query.name), at=listing.at)
        selector = labels.parse(query.label_selector or "")
        return Observation(tuple(o for o in listing.objects if selector.selects(o)), at=listing.at)

    def scoped(self, resource: Resource) -> Observation:
        """Every object of `resource` in the scope: its one list."""
        self.collection(resource, self._scope or "")
        return self._lists[(resource, self._scope)]

    def collection(self, resource: Resource, namespace: str) -> Observation:
        """Every object of `resource` in `namespace`, from the one list that holds them."""
        where = None if self._scope is None else namespace
        key = (resource, where)
        if key not in self._lists:
            listing = self._read(Query(resource, where), self._on_retry)
            self._lists[key] = listing
            grouped: dict[str, list[dict[str, Any]]] = {}
            for obj in listing.objects:
                grouped.setdefault(str(dig(obj, "metadata", "namespace", default="")), []).append(obj)
            self._by_namespace[key] = grouped
        listing = self._lists[key]
        if listing.error is not None:
            return listing
        return Observation(tuple(self._by_namespace[key].get(namespace, ())), at=listing.at)

    def _read(self, query: Query, on_retry: OnRetry | None) -> Observation:
        self.requests += 1
        return self._fetch(query, on_retry or self._on_retry)
