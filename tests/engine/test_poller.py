import threading

from kep.engine.poller import Poller
from kep.reads import Observation, Query


class RecordingStop(threading.Event):
    """Records each wait instead of sleeping; stops after `limit` waits."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.limit = limit

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.set()
        return self.is_set()


def test_first_read_is_immediate_then_one_early_phase_then_the_interval():
    reads: list[Query] = []
    query = Query(namespace="ns", name="x")
    poller = Poller(query, lambda q: reads.append(q) or Observation(), lambda q, o: None, 2.0, rand=lambda: 0.5)
    stop = RecordingStop(limit=3)
    poller._stop = stop
    poller._run()
    assert reads == [query] * 3
    assert stop.waits == [2.0 - 0.1, 2.0, 2.0]  # no gap longer than the interval


def test_processes_get_different_phases():
    phases = {Poller(Query(), lambda q: Observation(), lambda q, o: None, 2.0, rand=lambda v=v: v)._phase
              for v in (0.0, 0.5, 0.99)}
    assert len(phases) == 3 and max(phases) <= 0.2
