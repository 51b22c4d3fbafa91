"""kep.api.retry: one retry policy, on a fake clock and with no real sleep."""

from __future__ import annotations

import pytest

from kep.api.errors import ServerError, Unreachable
from kep.api.retry import RETRY_AFTER_CAP, RetryPolicy, retry_after, retryable_status


def unreachable() -> Unreachable:
    return Unreachable(verb="list", resource="pods", namespace="ns", detail="https://h: connection refused")


def policy(slept: list[float], **kw: object) -> RetryPolicy:
    return RetryPolicy(sleep=slept.append, rand=lambda: 1.0, clock=lambda: 0.0, **kw)  # type: ignore[arg-type]


def test_retries_max_retries_times_with_capped_exponential_backoff_then_raises() -> None:
    slept: list[float] = []
    told: list[str] = []
    attempts = policy(slept, max_retries=5, backoff_initial=0.5, backoff_cap=2.0).start(lambda e: told.append(str(e)))
    for _ in range(5):
        attempts.again(unreachable())
    assert slept == [0.5, 1.0, 2.0, 2.0, 2.0]  # full jitter at its top (rand 1.0), capped
    assert len(told) == 5  # each failed attempt is told before its pause
    with pytest.raises(Unreachable):
        attempts.again(unreachable())
    assert len(slept) == 5


def test_zero_retries_raises_at_the_first_failure_without_a_pause() -> None:
    slept: list[float] = []
    with pytest.raises(Unreachable):
        policy(slept).start(retries=0).again(unreachable())
    assert slept == []


def test_the_servers_retry_after_replaces_the_backoff() -> None:
    slept: list[float] = []
    attempts = policy(slept).start()
    attempts.again(ServerError(verb="get", resource="pods", code=429), pause=7.0)
    assert slept == [7.0]


@pytest.mark.parametrize(("code", "header", "pause"), [
    (429, "3", 3.0), (503, "12", 12.0), (503, "600", RETRY_AFTER_CAP), (500, "3", None), (429, "soon", None),
    (429, None, None), (429, " 2 ", 2.0),
])
def test_retry_after_is_read_on_429_and_503_only_as_seconds(code: int, header: str | None, pause: float | None) -> None:
    assert retry_after(code, header) == pause


@pytest.mark.parametrize(("code", "again"), [(429, True), (500, True), (503, True), (400, False), (404, False),
                                              (409, False)])
def test_retryable_status(code: int, again: bool) -> None:
    assert retryable_status(code) is again
