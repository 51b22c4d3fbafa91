"""The shared reads of kep status: one list per collection and namespace answers every
get and label query the kinds make, as the API server would have answered them."""

from __future__ import annotations

from kep.api.errors import Forbidden, NotFound
from kep.api.resources import ENDPOINTS, ENDPOINTSLICES, JOBS, PODS, SERVICES
from kep.reads import Observation, Query
from kep.status.cache import Reads
from tests import factories as f

OBJECTS = [f.job("a", "one", labels={"app": "x"}), f.job("b", "one", labels={"app": "y"}), f.job("a", "two"),
           f.pod("p", "one")]


class Server:
    """Answers whole lists by namespace (None: every namespace), and counts them."""

    def __init__(self, objects, errors=None):
        self.objects, self.errors, self.sent = objects, errors or {}, []

    def __call__(self, query: Query, on_retry) -> Observation:
        self.sent.append(query)
        if query.resource in self.errors:
            return Observation(error=self.errors[query.resource])
        kind = query.resource.kind
        return Observation(tuple(o for o in self.objects if o["kind"] == kind
                                 and query.namespace in (None, o["metadata"]["namespace"])))


def names(observation: Observation) -> list[str]:
    return [o["metadata"]["name"] for o in observation.objects]


def test_gets_and_label_lists_are_answered_from_one_list_per_namespace():
    server = Server(OBJECTS)
    reads = Reads(server, "one")
    assert names(reads.fetch(Query(JOBS, "one", name="a"))) == ["a"]
    assert names(reads.fetch(Query(JOBS, "one", name="gone"))) == []
    assert names(reads.fetch(Query(JOBS, "one", label_selector="app in (y,z)"))) == ["b"]
    assert names(reads.fetch(Query(JOBS, "two", name="a"))) == ["a"]
    assert server.sent == [Query(JOBS, "one"), Query(JOBS, "two")] and reads.requests == 2


def test_all_namespaces_is_one_list_for_every_namespace():
    server = Server(OBJECTS)
    reads = Reads(server, None)
    assert names(reads.fetch(Query(JOBS, "two", name="a"))) == ["a"]
    assert names(reads.fetch(Query(JOBS, "one", label_selector="app"))) == ["a", "b"]
    assert names(reads.scoped(JOBS)) == ["a", "b", "a"]
    assert server.sent == [Query(JOBS, None)]


def test_a_lists_error_answers_its_queries_and_a_get_of_what_is_not_served_finds_nothing():
    forbidden = Forbidden(verb="list", resource="jobs", namespace="one")
    missing = NotFound(verb="list", resource="endpointslices", namespace="one")
    reads = Reads(Server(OBJECTS, {JOBS: forbidden, ENDPOINTSLICES: missing}), "one")
    assert reads.fetch(Query(JOBS, "one", name="a")).error is forbidden
    assert reads.fetch(Query(ENDPOINTSLICES, "one", label_selector="x=y")).error is missing
    assert reads.fetch(Query(ENDPOINTSLICES, "one", name="s")) == Observation()


def test_what_is_not_a_shared_collection_is_read_once_as_asked():
    server = Server([])
    reads = Reads(server, "one")
    for _ in range(3):
        reads.fetch(Query(ENDPOINTS, "one", name="db"))
    reads.fetch(Query(SERVICES, "one", name="db"))
    reads.fetch(Query(PODS, "one", name="p"))
    assert server.sent == [Query(ENDPOINTS, "one", name="db"), Query(SERVICES, "one"), Query(PODS, "one")]
