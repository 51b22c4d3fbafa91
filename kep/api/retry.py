"""When a failed request is tried again: one policy for every request of a client.

Connection errors, timeouts, 5xx and 429 are retried `max_retries` times with capped
exponential backoff and full jitter (kep.api.backoff); `Retry-After: <seconds>` on
429/503 is obeyed, capped at RETRY_AFTER_CAP; a failing exec plugin is retried like a
refused connection. `on_retry(error)`, when given, hears of each failed attempt before
its pause, so a caller can say at once what is wrong. Pauses go through the injected
`sleep` (an engine may pass `stop_event.wait`), and the clock and randomness are
injected too: tests/api/test_retry.py runs the policy on a fake clock.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kep.api.backoff import Backoff
from kep.api.errors import ApiError, OnRetry

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 60.0


def retryable_status(code: int) -> bool:
    """429 Too Many Requests and every 5xx: the server may answer otherwise soon."""
    return code == 429 or code >= 500


def retry_after(code: int, header: str | None) -> float | None:
    """The server's own pause, from `Retry-After: <seconds>` on a 429 or 503 (capped)."""
    value = (header or "").strip()
    if code in (429, 503) and value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    return None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    backoff_initial: float = 0.5
    backoff_cap: float = 8.0
    sleep: Callable[[float], Any] = time.sleep
    rand: Callable[[], float] = field(default=random.random)
    clock: Callable[[], float] = field(default=time.monotonic)

    def start(self, on_retry: OnRetry | None = None, retries: int | None = None) -> Attempts:
        """The attempts of one request (`retries` overrides max_retries: 0 tries once)."""
        return Attempts(self, self.max_retries if retries is None else retries, on_retry)


class Attempts:
    """The failed attempts of one request so far."""

    def __init__(self, policy: RetryPolicy, retries: int, on_retry: OnRetry | None) -> None:
        self._policy = policy
        self._retries = retries
        self._on_retry = on_retry
        self._done = 0
        self._backoff = Backoff(policy.backoff_initial, policy.backoff_cap, jitter="full", reset_after=None,
                                rand=policy.rand, clock=policy.clock)

    def again(self, error: ApiError, pause: float | None = None) -> None:
        """After a failed attempt: raise `error` when no retry is left; else tell `on_retry`,
        wait (`pause`, the server's Retry-After, else the backoff's next delay) and return."""
        if self._done >= self._retries:
            raise error from None
        delay = pause if pause is not None else self._backoff.next()
        log.debug("%s; retrying in %.1f s", error, delay)
        if self._on_retry is not None:
            self._on_retry(error)
        self._done += 1
        self._policy.sleep(delay)
