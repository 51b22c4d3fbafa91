import threading
import time

from kep.api.errors import ServerError

from kep.engine.poller import Poller
from kep.reads import Observation, Query


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RecordingCondition(threading.Condition):
    """Records each wait and lets the fake clock pass instead of sleeping; `step(poller, n)`
    runs as the n-th wait returns (it may hold, refresh or stop the poller)."""

    def __init__(self, poller: Poller, clock: FakeClock, step) -> None:
        super().__init__()
        self.waits: list[float | None] = []
        self.poller, self.clock, self.step = poller, clock, step

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if timeout is not None:
            self.clock.now += timeout
        self.step(self.poller, len(self.waits))
        return True


def run_scripted(step, **held) -> tuple[list[float], list[float | None]]:
    """Runs a poller (interval 4 s, phase 0.25 s) on a fake clock until `step` stops it;
    returns the times of its reads and the timeouts it waited with (None: until woken)."""
    clock = FakeClock()
    reads: list[float] = []
    poller = Poller(Query(namespace="ns", name="x"), lambda q, on_retry: reads.append(clock.now) or Observation(),
                    lambda q, o: None, 4.0, rand=lambda: 0.625, clock=clock, **held)
    cond = poller._cond = RecordingCondition(poller, clock, step)
    poller._run()
    return reads, cond.waits


def test_first_read_is_immediate_then_one_early_phase_then_the_interval():
    def step(poller, n):
        poller._stopped = n == 3

    reads, waits = run_scripted(step)
    assert reads == [0.0, 3.75, 7.75]
    assert waits == [3.75, 4.0, 4.0]  # no gap longer than the interval


def test_held_it_reads_only_when_asked_and_released_it_keeps_to_the_interval():
    def step(poller, n):
        if n == 1:
            poller.hold(True)  # re-entrant: the poller's own lock is held here
        elif n == 3:
            poller.refresh()  # one read, then held again
        elif n == 5:
            poller.hold(False)
        elif n == 7:
            poller.stop()

    reads, waits = run_scripted(step)
    # Held at 3.75: waits until woken; asked: reads; held again; released: the next
    # read is due an interval after the last one, not at once.
    assert waits == [3.75, None, None, None, None, 4.0, 4.0]
    assert reads == [0.0, 3.75, 7.75]


def test_held_with_a_held_interval_it_reads_that_seldom():
    def step(poller, n):
        if n == 1:
            poller.hold(True)
        elif n == 3:
            poller.stop()

    reads, waits = run_scripted(step, held_interval=30.0)
    # Held at 3.75, 0.0 + 30 is due: waits the 26.25 s left; reads at 30; then 30 s more.
    assert waits == [3.75, 26.25, 30.0]
    assert reads == [0.0, 30.0]


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
