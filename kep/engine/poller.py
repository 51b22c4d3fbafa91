"""A source that polls one query on its own daemon thread.

The first read is immediate (start-up speed matters); the second comes up to
10% of the interval early, at random, so a fleet started together does not
hit the API server in lock-step, and no gap between reads exceeds the interval.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from kep.reads import Observation, Query

Emit = Callable[[Query, Observation], None]
Fetch = Callable[[Query], Observation]


class Poller:
    def __init__(
        self,
        query: Query,
        fetch: Fetch,
        emit: Emit,
        interval: float,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.query = query
        self._fetch = fetch
        self._emit = emit
        self._interval = interval
        self._phase = rand() * 0.1 * interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"poll {query}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        early = self._phase
        while not self._stop.is_set():
            observation = self._fetch(self.query)
            if self._stop.is_set():
                return
            self._emit(self.query, observation)
            if self._stop.wait(self._interval - early):
                return
            early = 0.0
