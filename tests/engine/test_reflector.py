"""ListWatch: list, watch from the RV, bookmarks move the RV, 410 relists, a dropped
stream resumes from the last RV, errors are emitted, a forbidden watch means poll."""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import responses
from responses import matchers

from kep.api.backoff import Backoff
from kep.api.client import Client
from kep.api.clusterconfig import ClusterConfig
from kep.api.errors import ApiError, Forbidden, Gone, ServerError, Unreachable
from kep.api.resources import PODS
from kep.api.events import WatchEvent
from kep.engine.reflector import ListWatch, is_watch_forbidden, object_key

from tests.api.conftest import self_signed
from tests.api.test_client import SERVER, dropping, pod, status, stream


@dataclass(frozen=True)
class Tick:
    """Inside a watch script: that many seconds pass."""

    seconds: float


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingBackoff(Backoff):
    """Counts pauses and never waits."""

    def __init__(self) -> None:
        super().__init__(0.8, 30.0)
        self.pauses = 0

    def next(self) -> float:
        self.pauses += 1
        return 0.0


@dataclass
class FakeClient:
    """Scripted list answers and watch streams. When a script runs out it sets `stop`."""

    stop: threading.Event
    clock: Clock
    lists: list[dict[str, Any] | ApiError] = field(default_factory=list)
    watches: list[list[WatchEvent | ApiError | Tick] | ApiError] = field(default_factory=list)
    list_calls: list[dict[str, Any]] = field(default_factory=list)
    watch_calls: list[dict[str, Any]] = field(default_factory=list)

    def list(self, resource: Any, namespace: str | None, **kw: Any) -> dict[str, Any]:
        self.list_calls.append({"namespace": namespace, **kw})
        if not self.lists:
            self.stop.set()
            return {"items": [], "metadata": {"resourceVersion": "0"}}
        answer = self.lists.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    def watch(self, resource: Any, namespace: str | None, **kw: Any) -> Iterator[WatchEvent]:
        self.watch_calls.append({"namespace": namespace, **kw})
        if not self.watches:
            self.stop.set()
            return iter(())
        script = self.watches.pop(0)
        if isinstance(script, ApiError):
            raise script
        return self._play(script)

    def _play(self, script: builtins.list[WatchEvent | ApiError | Tick]) -> Iterator[WatchEvent]:
        for step in script:
            if isinstance(step, Tick):
                self.clock.now += step.seconds
            elif isinstance(step, ApiError):
                raise step
            else:
                yield step


def listing(rv: str, *pods: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PodList", "metadata": {"resourceVersion": rv}, "items": list(pods)}


def names(snapshot: Any) -> list[str]:
    assert isinstance(snapshot, tuple), snapshot
    return [o["metadata"]["name"] for o in snapshot]


def gone() -> Gone:
    return Gone(verb="watch", resource="pods", namespace="ns", status=status(410, "Expired", "too old"))


class Harness:
    def __init__(self, **kw: Any) -> None:
        self.stop = threading.Event()
        self.clock = Clock()
        self.client = FakeClient(self.stop, self.clock)
        self.backoff = CountingBackoff()
        self.emitted: list[tuple[dict[str, Any], ...] | ApiError] = []
        kw.setdefault("rand", lambda: 0.5)
        self.lw = ListWatch(self.client, PODS, "ns", "app=x", None, backoff=self.backoff, clock=self.clock, **kw)

    def run(self) -> None:
        self.lw.run(self.emitted.append, self.stop)

    @property
    def watched_rvs(self) -> list[str]:
        return [c["resource_version"] for c in self.client.watch_calls]


def test_lists_then_watches_from_the_lists_rv_with_bookmarks_and_a_random_timeout() -> None:
    h = Harness()
    h.client.lists = [listing("10", pod("a", "5"))]
    h.client.watches = [[WatchEvent("ADDED", pod("b", "11")), Tick(5)]]
    h.run()
    assert [names(e) for e in h.emitted] == [["a"], ["a", "b"]]
    assert h.client.list_calls[0] == {"namespace": "ns", "label_selector": "app=x", "field_selector": None,
                                      "on_retry": h.emitted.append}
    first = h.client.watch_calls[0]
    assert first == {
        "namespace": "ns",
        "resource_version": "10",
        "label_selector": "app=x",
        "field_selector": None,
        "timeout_seconds": 360,
        "allow_bookmarks": True,
    }


@pytest.mark.parametrize(("rand", "timeout"), [(0.0, 240), (0.999, 479), (0.5, 360)])
def test_watch_timeout_is_drawn_between_min_and_max(rand: float, timeout: int) -> None:
    h = Harness(rand=lambda: rand)
    h.client.lists = [listing("1")]
    h.run()
    assert h.client.watch_calls[0]["timeout_seconds"] == timeout


def test_timeout_range_is_configurable() -> None:
    h = Harness(rand=lambda: 1.0, min_timeout=1, max_timeout=2)
    h.client.lists = [listing("1")]
    h.run()
    assert h.client.watch_calls[0]["timeout_seconds"] == 2
    with pytest.raises(ValueError):
        ListWatch(h.client, PODS, "ns", min_timeout=5, max_timeout=4)


def test_events_update_the_store_keyed_by_namespace_and_name() -> None:
    h = Harness()
    h.client.lists = [listing("10", pod("b", "5"), pod("a", "6"))]
    h.client.watches = [
        [
            WatchEvent("MODIFIED", {**pod("a", "11"), "status": {"phase": "Running"}}),
            WatchEvent("ADDED", pod("a", "12", namespace="other")),
            WatchEvent("DELETED", pod("b", "13")),
            WatchEvent("DELETED", pod("never-seen", "14")),
            Tick(5),
        ]
    ]
    h.run()
    assert [names(e) for e in h.emitted] == [["a", "b"], ["a", "b"], ["a", "b", "a"], ["a", "a"], ["a", "a"]]
    final = h.emitted[-1]
    assert isinstance(final, tuple)
    assert [object_key(o) for o in final] == [("ns", "a"), ("other", "a")]
    assert final[0]["status"] == {"phase": "Running"}
    assert h.lw.resource_version == "14"


def test_bookmarks_only_move_the_rv() -> None:
    h = Harness()
    h.client.lists = [listing("10", pod("a", "5"))]
    h.client.watches = [[WatchEvent("BOOKMARK", {"kind": "Pod", "metadata": {"resourceVersion": "20"}}), Tick(300)]]
    h.run()
    assert [names(e) for e in h.emitted] == [["a"]]
    assert h.watched_rvs == ["10", "20"]  # the second call ends the script
    assert len(h.client.list_calls) == 1


def test_a_stream_that_ends_resumes_from_the_last_rv_without_relist_or_backoff() -> None:
    h = Harness()
    h.client.lists = [listing("10")]
    h.client.watches = [[WatchEvent("ADDED", pod("x", "12"))], [Tick(400)]]
    h.run()
    assert h.watched_rvs == ["10", "12", "12"]
    assert len(h.client.list_calls) == 1
    assert h.backoff.pauses == 0


def test_a_stream_that_closes_at_once_with_no_events_backs_off_then_rewatches() -> None:
    h = Harness()
    h.client.lists = [listing("10")]
    h.client.watches = [[Tick(0.5)], [Tick(0.5)], [Tick(1.0)]]
    h.run()
    assert h.watched_rvs == ["10", "10", "10", "10"]
    assert len(h.client.list_calls) == 1
    assert h.backoff.pauses == 2
    assert h.emitted == [()]


def test_410_on_opening_the_watch_relists() -> None:
    h = Harness()
    h.client.lists = [listing("10", pod("a", "5")), listing("50", pod("a", "5"), pod("b", "40"))]
    h.client.watches = [gone(), [Tick(5)]]
    h.run()
    assert [names(e) for e in h.emitted] == [["a"], ["a", "b"]]
    assert h.watched_rvs == ["10", "50", "50"]
    assert h.backoff.pauses == 0


def test_410_error_event_after_events_relists_at_once() -> None:
    h = Harness()
    h.client.lists = [listing("10"), listing("60", pod("c", "55"))]
    h.client.watches = [[WatchEvent("ADDED", pod("b", "11")), gone()], [Tick(5)]]
    h.run()
    assert [names(e) for e in h.emitted] == [[], ["b"], ["c"]]
    assert h.watched_rvs == ["10", "60", "60"]
    assert h.backoff.pauses == 0


def test_410_again_right_after_a_relist_backs_off() -> None:
    h = Harness()
    h.client.lists = [listing("10"), listing("20"), listing("30")]
    h.client.watches = [gone(), gone(), [Tick(5)]]
    h.run()
    assert h.watched_rvs == ["10", "20", "30", "30"]
    assert h.backoff.pauses == 1


def test_a_forbidden_watch_is_emitted_and_run_returns() -> None:
    h = Harness()
    forbidden = Forbidden(verb="watch", resource="pods", namespace="ns", status=status(403, "Forbidden", "no"))
    h.client.lists = [listing("10", pod("a", "5"))]
    h.client.watches = [forbidden, [Tick(5)]]
    h.run()
    assert not h.stop.is_set()  # it returned by itself
    assert h.emitted[1] is forbidden and is_watch_forbidden(forbidden)
    assert len(h.client.watch_calls) == 1


def test_a_failed_list_is_emitted_backs_off_and_lists_again() -> None:
    h = Harness()
    forbidden = Forbidden(verb="list", resource="pods", namespace="ns")
    h.client.lists = [forbidden, listing("10", pod("a", "1"))]
    h.client.watches = [[Tick(5)]]
    h.run()
    assert h.emitted[0] is forbidden and not is_watch_forbidden(forbidden)
    assert names(h.emitted[1]) == ["a"]
    assert h.backoff.pauses == 1


def test_other_watch_errors_are_emitted_then_back_off_and_relist() -> None:
    h = Harness()
    error = ServerError(verb="watch", resource="pods", namespace="ns", code=503)
    h.client.lists = [listing("10", pod("a", "1")), listing("30", pod("a", "1"))]
    h.client.watches = [[WatchEvent("ADDED", pod("b", "11")), error], [Tick(5)]]
    h.run()
    assert [e if isinstance(e, ApiError) else names(e) for e in h.emitted] == [["a"], ["a", "b"], error, ["a"]]
    assert h.watched_rvs == ["10", "30", "30"]
    assert h.backoff.pauses == 1


def test_nothing_is_emitted_after_stop() -> None:
    h = Harness()
    h.client.lists = [listing("10")]
    h.client.watches = [[WatchEvent("ADDED", pod("b", "11")), WatchEvent("ADDED", pod("c", "12"))]]

    def emit(value: Any) -> None:
        h.emitted.append(value)
        h.stop.set()

    h.lw.run(emit, h.stop)
    assert h.emitted == [()]


def test_stop_ends_a_backoff_pause_at_once() -> None:
    stop = threading.Event()

    class Down:
        def list(self, *a: Any, **kw: Any) -> dict[str, Any]:
            raise Unreachable(verb="list", resource="pods", detail="connection refused")

        def watch(self, *a: Any, **kw: Any) -> Iterator[WatchEvent]:
            raise AssertionError("never reached")

    seen = threading.Event()
    lw = ListWatch(Down(), PODS, "ns", backoff=Backoff(30.0, 30.0))
    thread = threading.Thread(target=lw.run, args=(lambda e: seen.set(), stop), daemon=True)
    thread.start()
    assert seen.wait(5)
    started = time.monotonic()
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 10  # not the 30 s backoff


def test_default_backoff_is_800ms_to_30s_with_jitter() -> None:
    lw = ListWatch(FakeClient(threading.Event(), Clock()), PODS, "ns")
    assert (lw.backoff.initial, lw.backoff.cap, lw.backoff.reset_after, lw.backoff.jitter) == (0.8, 30.0, 120.0, "equal")


# -- with the real client, on exact URLs ------------------------------------------------

PODS_URL = f"{SERVER}/api/v1/namespaces/ns/pods"


def list_match() -> Any:
    return matchers.query_param_matcher({})


def watch_match(rv: str) -> Any:
    return matchers.query_param_matcher(
        {"watch": "1", "resourceVersion": rv, "timeoutSeconds": "240", "allowWatchBookmarks": "true"}
    )


def run_until(client: Client, count: int) -> list[Any]:
    """Run a ListWatch on this thread until `count` values were emitted."""
    stop = threading.Event()
    emitted: list[Any] = []

    def emit(value: Any) -> None:
        emitted.append(value)
        if len(emitted) >= count:
            stop.set()

    ListWatch(client, PODS, "ns", rand=lambda: 0.0, backoff=Backoff(0.001, 0.001)).run(emit, stop)
    return emitted


@pytest.fixture
def real_client() -> Client:
    return Client(ClusterConfig(server=SERVER, source="test", ca_data=self_signed()[0], token="t"), sleep=lambda s: None)


def test_http_410_error_event_relists(real_client: Client) -> None:
    with responses.RequestsMock() as mock:
        mock.get(PODS_URL, json=listing("10", pod("a", "5")), match=[list_match()])
        mock.get(PODS_URL, body=stream(("ERROR", status(410, "Expired", "too old resource version: 10 (40)"))), match=[watch_match("10")])
        mock.get(PODS_URL, json=listing("40", pod("a", "5"), pod("b", "33")), match=[list_match()])
        emitted = run_until(real_client, 2)
        urls = [c.request.url or "" for c in mock.calls]
    assert [names(e) for e in emitted] == [["a"], ["a", "b"]]
    assert len(urls) == 3 and "watch=1" in urls[1] and "watch" not in urls[2]


def test_http_bookmarks_move_the_rv(real_client: Client) -> None:
    with responses.RequestsMock() as mock:
        mock.get(PODS_URL, json=listing("10"), match=[list_match()])
        mock.get(PODS_URL, body=stream(("BOOKMARK", {"kind": "Pod", "metadata": {"resourceVersion": "30"}})), match=[watch_match("10")])
        mock.get(PODS_URL, body=stream(("ADDED", pod("b", "31"))), match=[watch_match("30")])
        emitted = run_until(real_client, 2)
    assert [names(e) for e in emitted] == [[], ["b"]]


def test_http_dropped_stream_resumes_from_the_last_rv(real_client: Client) -> None:
    with responses.RequestsMock() as mock:
        mock.get(PODS_URL, json=listing("10"), match=[list_match()])
        first = stream(("ADDED", pod("b", "11")), ("MODIFIED", pod("b", "12")))
        mock.get(PODS_URL, body=dropping(first), match=[watch_match("10")])
        mock.get(PODS_URL, body=stream(("DELETED", pod("b", "13"))), match=[watch_match("12")])
        emitted = run_until(real_client, 4)
        lists = [c for c in mock.calls if "watch" not in (c.request.url or "")]
    assert [names(e) for e in emitted] == [[], ["b"], ["b"], []]
    assert len(lists) == 1


def test_failed_attempts_are_told_at_once_only_until_the_first_list_answers() -> None:
    """The first reason must not wait for the client's retries; later ones may."""
    h = Harness()
    h.client.lists = [listing("10", pod("a", "5")), listing("20", pod("a", "5"))]
    h.client.watches = [Gone(verb="watch", resource="pods")]
    h.run()
    assert [c["on_retry"] for c in h.client.list_calls[:2]] == [h.emitted.append, None]


def test_live_only_while_a_watch_stream_is_open_and_resumes_are_told() -> None:
    h = Harness()
    seen_live: list[bool] = []
    resumes: list[bool] = []
    h.client.lists = [listing("10", pod("a", "5"))]
    h.client.watches = [[Tick(5)], [Tick(5)]]
    h.lw.run(lambda value: seen_live.append(h.lw.live), h.stop, lambda: resumes.append(h.lw.live))
    assert seen_live == [True]  # the list's emission
    assert resumes == [True] * (len(h.client.watch_calls) - 1)  # every watch but the first after the list
    assert len(resumes) >= 1 and h.lw.live is False
