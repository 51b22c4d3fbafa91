"""A source that polls one query on its own daemon thread.

The first read is immediate (start-up speed matters); the second comes up to
10% of the interval early, at random, so a fleet started together does not
hit the API server in lock-step, and no gap between reads exceeds the interval.
`refresh()` asks for a read now (the engine's check before exec); a read that
was in flight when it was asked is followed by another one. `hold(True)` slows
the reads to `held_interval` (every dependency that needs this query is met, and
the engine re-reads it before exec, so the API server is not asked again and
again for an answer already had; a slow read still lets the log say when one is
no longer met); `hold(False)` resumes the interval.

While the first read is being retried (API server unreachable, 5xx), each
failed attempt is emitted as it happens, so the user learns at once what is
wrong; later retries stay quiet and the last answer stands (its `at` ages, so
the engine reads it again before trusting it for an exec).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

from kep.api.errors import ApiError
from kep.engine.read import Fetch
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
        clock: Callable[[], float] = time.monotonic,
        held_interval: float = math.inf,
    ) -> None:
        """`interval`: seconds between reads; `held_interval`: between reads while held
        (inf: none); `clock`: monotonic seconds."""
        self.query = query
        self._fetch = fetch
        self._emit = emit
        self._interval = interval
        self._held_interval = held_interval
        self._phase = rand() * 0.1 * interval
        self._clock = clock
        self._cond = threading.Condition()
        self._stopped = False
        self._asked = False
        self._held = False
        self._answered = False
        self._thread = threading.Thread(target=self._run, name=f"poll {query}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def refresh(self) -> None:
        with self._cond:
            self._asked = True
            self._cond.notify_all()

    def hold(self, held: bool) -> None:
        with self._cond:
            if held != self._held:
                self._held = held
                self._cond.notify_all()

    def _run(self) -> None:
        early = self._phase
        while True:
            with self._cond:
                if self._stopped:
                    return
                self._asked = False
            observation = self._fetch(self.query, self._retrying)
            with self._cond:
                if self._stopped:
                    return
            self._answered = True
            self._emit(self.query, observation)
            last = self._clock()
            self._wait(last, self._interval - early)
            early = 0.0

    def _wait(self, last: float, interval: float) -> None:
        """Until `interval` after the `last` read (`held_interval` while held), a refresh() or
        stop(): released from a hold, the next read still keeps to the interval."""
        with self._cond:
            while not (self._stopped or self._asked):
                left = last + (self._held_interval if self._held else interval) - self._clock()
                if left <= 0:
                    return
                self._cond.wait(None if math.isinf(left) else left)

    def _retrying(self, error: ApiError) -> None:
        if not self._answered and not self._stopped:
            self._emit(self.query, Observation(error=error, at=time.monotonic()))
