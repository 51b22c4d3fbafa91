"""Capped exponential backoff with jitter, shared by the client's request retries
and by ListWatch (and usable by the engine's poller).

Shape of the delays (client-go's wait.Backoff + DelayWithReset, tools/cache/reflector.go):

    step n (0-based):  base = min(cap, initial * factor**n)
    full jitter:       delay = rand() * base              (0 .. base)
    equal jitter:      delay = base/2 + rand() * base/2   (base/2 .. base)

`reset_after`: when more than that many seconds passed since the previous `next()`,
the sequence starts again from `initial` (the source was healthy in between).
Clock and random are injected; nothing here sleeps.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Literal

Jitter = Literal["full", "equal", "none"]


class Backoff:
    """Stateful delay sequence. Not thread-safe: one per loop."""

    def __init__(
        self,
        initial: float = 0.8,
        cap: float = 30.0,
        *,
        factor: float = 2.0,
        jitter: Jitter = "equal",
        reset_after: float | None = 120.0,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if initial <= 0 or cap < initial or factor < 1:
            raise ValueError("backoff needs 0 < initial <= cap and factor >= 1")
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self.jitter: Jitter = jitter
        self.reset_after = reset_after
        self._rand = rand
        self._clock = clock
        self._steps = 0
        self._last: float | None = None

    def next(self) -> float:
        """The next delay in seconds (and advance)."""
        now = self._clock()
        if self._last is not None and self.reset_after is not None and now - self._last > self.reset_after:
            self._steps = 0
        self._last = now
        base = min(self.cap, self.initial * self.factor ** min(self._steps, 64))
        self._steps += 1
        if self.jitter == "full":
            return self._rand() * base
        if self.jitter == "equal":
            return base / 2 + self._rand() * base / 2
        return base
