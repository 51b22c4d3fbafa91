import threading
import time

from kep.api.errors import ServerError

from kep.engine.poller import Poller
from kep.reads import Observation, Query


class RecordingWake(threading.Event):
    """Records each wait instead of sleeping; stops the poller after `limit` waits."""

    def __init__(self, poller: Poller, limit: int) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.poller = poller
        self.limit = limit

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.poller.stop()
        return self.is_set()


def test_first_read_is_immediate_then_one_early_phase_then_the_interval():
    reads: list[Query] = []
    query = Query(namespace="ns", name="x")
    poller = Poller(query, lambda q, on_retry: reads.append(q) or Observation(), lambda q, o: None, 2.0,
                    rand=lambda: 0.5)
    wake = poller._wake = RecordingWake(poller, limit=3)
    poller._run()
    assert reads == [query] * 3
    assert wake.waits == [2.0 - 0.1, 2.0, 2.0]  # no gap longer than the interval


def test_processes_get_different_phases():
    phases = {Poller(Query(), lambda q, on_retry: Observation(), lambda q, o: None, 2.0, rand=lambda v=v: v)._phase
              for v in (0.0, 0.5, 0.99)}
    assert len(phases) == 3 and max(phases) <= 0.2


def test_refresh_reads_at_once_and_a_read_in_flight_is_followed_by_another():
    query = Query(namespace="ns", name="x")
    emitted: list[Observation] = []
    in_flight, release = threading.Event(), threading.Event()

    def fetch(q, on_retry):
        if len(emitted) == 1:  # the second read: refresh() lands while it is in flight
            in_flight.set()
            release.wait(5)
        return Observation(objects=({"n": len(emitted)},))

    poller = Poller(query, fetch, lambda q, o: emitted.append(o), 3600.0)
    poller.start()
    try:
        _wait_for(lambda: len(emitted) == 1)
        poller.refresh()
        assert in_flight.wait(5)
        poller.refresh()
        release.set()
        _wait_for(lambda: len(emitted) == 3)
    finally:
        poller.stop()
    assert [o.objects[0]["n"] for o in emitted] == [0, 1, 2]


def test_failed_attempts_of_the_first_read_are_emitted_at_once_later_ones_are_not():
    query = Query(namespace="ns", name="x")
    emitted: list[Observation] = []
    failure = ServerError(verb="get", resource="pods", code=503)

    def fetch(q, on_retry):
        on_retry(failure)
        return Observation(objects=({},))

    poller = Poller(query, fetch, lambda q, o: emitted.append(o), 3600.0)
    poller.start()
    try:
        _wait_for(lambda: len(emitted) == 2)
        poller.refresh()
        _wait_for(lambda: len(emitted) == 3)
    finally:
        poller.stop()
    assert [o.error for o in emitted] == [failure, None, None]


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
