"""A source that polls one query on its own daemon thread.

The first read is immediate (start-up speed matters); the second comes up to
10% of the interval early, at random, so a fleet started together does not
hit the API server in lock-step, and no gap between reads exceeds the interval.
`refresh()` asks for a read now (the engine's check before exec); a read that
was in flight when it was asked is followed by another one.

While the first read is being retried (API server unreachable, 5xx), each
failed attempt is emitted as it happens, so the user learns at once what is
wrong; later retries stay quiet and the last answer stands (its `at` ages, so
the engine reads it again before trusting it for an exec).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from kep.api.errors import ApiError
from kep.engine.fetch import Fetch
from kep.reads import Observation, Query

Emit = Callable[[Query, Observation], None]


class Poller:
    fresh = False
    """A poll is only as fresh as its last read (the engine compares `Observation.at`)."""

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
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._answered = False
        self._thread = threading.Thread(target=self._run, name=f"poll {query}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    def refresh(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        early = self._phase
        while not self._stopped.is_set():
            self._wake.clear()
            observation = self._fetch(self.query, self._retrying)
            if self._stopped.is_set():
                return
            self._answered = True
            self._emit(self.query, observation)
            self._wake.wait(self._interval - early)
            early = 0.0

    def _retrying(self, error: ApiError) -> None:
        if not self._answered and not self._stopped.is_set():
            self._emit(self.query, Observation(error=error, at=time.monotonic()))
