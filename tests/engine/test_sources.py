"""The watch source: shares list+watch results, falls back to polling on 403, stops cleanly."""

from __future__ import annotations

import logging
import queue
import threading

import pytest

from kep.api.errors import ApiError, Forbidden, ServerError
from kep.api.resources import JOBS, PODS
from kep.engine.poller import Poller
from kep.engine.sources import Watcher, opener, polled_because
from kep.reads import Observation, Query

JOB = {"metadata": {"name": "db-init", "namespace": "ns"}}


class ScriptedListWatch:
    """Calls update with each scripted value; then returns (as ListWatch does after a 403)
    or blocks until stopped."""

    instances: list["ScriptedListWatch"] = []
    live = False

    def __init__(self, script, *args):
        self.script = script
        self.args = args
        ScriptedListWatch.instances.append(self)

    def run(self, update, stop: threading.Event, resumed=None) -> None:
        for value in self.script:
            update(value)
            if stop.is_set():
                return
        stop.wait()


class GetClient:
    def __init__(self):
        self.gets = []

    def get(self, resource, namespace, name, on_retry=None):
        self.gets.append((resource.plural, namespace, name))
        return {"metadata": {"name": name, "namespace": namespace}}


def collect():
    inbox: queue.Queue = queue.Queue()
    return inbox, lambda q, o: inbox.put((q, o))


def make(query, script, client=None, interval=30.0):
    inbox, emit = collect()
    watcher = Watcher(query, client or GetClient(), emit, interval,
                      make_list_watch=lambda *args: ScriptedListWatch(script, *args))
    return watcher, inbox


def test_get_query_is_watched_with_a_name_field_selector():
    query = Query(JOBS, "ns", name="db-init")
    watcher, inbox = make(query, [(JOB,)])
    watcher.start()
    assert inbox.get(timeout=5) == (query, Observation((JOB,)))
    watcher.stop()
    assert ScriptedListWatch.instances[-1].args[1:] == (JOBS, "ns", None, "metadata.name=db-init")


def test_errors_other_than_forbidden_are_observations():
    query = Query(PODS, "ns", label_selector="app=db")
    error = ServerError(verb="list", resource="pods", namespace="ns", code=500)
    watcher, inbox = make(query, [error])
    watcher.start()
    assert inbox.get(timeout=5) == (query, Observation(error=error))
    watcher.stop()


def test_forbidden_watch_falls_back_to_polling_this_query_and_says_so_once(caplog):
    caplog.set_level(logging.INFO, logger="kep")
    query = Query(JOBS, "ns", name="db-init")
    refused = Forbidden(verb="watch", resource="jobs.batch", namespace="ns")
    client = GetClient()
    watcher, inbox = make(query, [(JOB,), refused], client=client)
    watcher.start()
    assert inbox.get(timeout=5)[1] == Observation((JOB,))
    polled = inbox.get(timeout=5)
    watcher.stop()
    assert polled == (query, Observation(({"metadata": {"name": "db-init", "namespace": "ns"}},)))
    assert client.gets == [("jobs", "ns", "db-init")]
    notes = [r.getMessage() for r in caplog.records if "polling" in r.getMessage()]
    assert notes == ["Cannot watch jobs.batch db-init in namespace ns (forbidden); polling it every 30s instead."]


def test_a_hold_made_before_the_fallback_reaches_its_poller():
    query = Query(JOBS, "ns", name="db-init")
    refused = Forbidden(verb="watch", resource="jobs.batch", namespace="ns")
    watcher, inbox = make(query, [refused], interval=0.01)
    watcher.hold(True)
    watcher.start()
    inbox.get(timeout=5)  # the poller's first read
    watcher._thread.join(5)
    assert watcher._poller is not None and watcher._poller._held
    watcher.hold(False)
    assert not watcher._poller._held
    watcher.stop()


def test_stop_before_the_fallback_starts_no_poller():
    query = Query(JOBS, "ns", name="db-init")
    refused = Forbidden(verb="watch", resource="jobs.batch", namespace="ns")
    client = GetClient()
    gate = threading.Event()

    class GatedListWatch(ScriptedListWatch):
        def run(self, update, stop, resumed=None):
            gate.wait(5)
            update(refused)

    inbox, emit = collect()
    watcher = Watcher(query, client, emit, 30.0, make_list_watch=lambda *a: GatedListWatch([], *a))
    watcher.start()
    watcher.stop()
    gate.set()
    watcher._thread.join(5)
    assert client.gets == [] and inbox.empty()


def test_opener_polls_discovery_and_everything_when_watch_is_off():
    client = GetClient()
    open_source = opener(client, 2.0)
    assert isinstance(open_source(Query(discovery="batch/v1"), lambda q, o: None), Poller)
    assert isinstance(open_source(Query(JOBS, "ns", name="x"), lambda q, o: None), Watcher)
    assert isinstance(opener(client, 2.0, watch=False)(Query(JOBS, "ns", name="x"), lambda q, o: None), Poller)


def test_a_refused_watch_is_said_once_per_resource_and_namespace(caplog):
    caplog.set_level(logging.INFO, logger="kep")
    told: set[str] = set()
    refused = Forbidden(verb="watch", resource="endpointslices.discovery.k8s.io", namespace="ns")
    watchers = []
    for name in ("a", "b"):
        inbox, emit = collect()
        query = Query(JOBS, "ns", name=name)
        watchers.append(Watcher(query, GetClient(), emit, 30.0, told=told,
                                make_list_watch=lambda *args: ScriptedListWatch([(JOB,), refused], *args)))
    for watcher in watchers:
        watcher.start()
        watcher._thread.join(5)
        watcher.stop()
    assert len([r for r in caplog.records if "polling it every" in r.getMessage()]) == 1


WATCH_RULE = [
    # (the case in words, query, KEP_WATCH, RBAC grants watch, what the server refused, polled because)
    ("a collection, watch granted", Query(PODS, "ns", label_selector="app=x"), True, True, None, ""),
    ("KEP_WATCH=0", Query(PODS, "ns", label_selector="app=x"), False, True, None, "KEP_WATCH=0"),
    ("a discovery document", Query(discovery="example.com/v1"), True, True, None, "a discovery document"),
    ("the RBAC preflight found watch not granted", Query(PODS, "ns", label_selector="app=x"), True, False, None,
     "RBAC does not grant watch"),
    ("the server refused the watch", Query(PODS, "ns", label_selector="app=x"), True, True,
     Forbidden(verb="watch", resource="pods", namespace="ns"), "forbidden"),
    ("the server refused the list of a get query (get granted, list not)", Query(PODS, "ns", name="me"), True, True,
     Forbidden(verb="list", resource="pods", namespace="ns"), "forbidden"),
    ("the list of a collection refused: not a reason to poll (polling lists too)",
     Query(PODS, "ns", label_selector="app=x"), True, True, Forbidden(verb="list", resource="pods", namespace="ns"), ""),
    ("another error", Query(PODS, "ns", label_selector="app=x"), True, True,
     ServerError(verb="watch", resource="pods", namespace="ns", code=500), ""),
]


@pytest.mark.parametrize(("case", "query", "watch", "watchable", "refused", "because"), WATCH_RULE,
                         ids=[r[0] for r in WATCH_RULE])
def test_one_rule_decides_watch_or_poll(case: str, query: Query, watch: bool, watchable: bool,
                                        refused: ApiError | None, because: str) -> None:
    """RBAC is asked only of API collections (the preflight knows nothing of discovery)."""
    assert polled_because(query, watch, lambda q: watchable, refused) == because


def test_rbac_is_not_asked_of_a_discovery_document() -> None:
    def watchable(query: Query) -> bool:
        raise AssertionError("asked")

    assert polled_because(Query(discovery="example.com/v1"), True, watchable) == "a discovery document"
