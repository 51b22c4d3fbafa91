"""attempt: bounded waits on a worker thread that a terminating signal cuts short."""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from kep import attempt
from kep.errors import Terminated
from kep.process import _terminate
from kep.specs import Settings


@pytest.mark.parametrize("interval, timeout", [(0.1, 1.0), (1, 1.0), (2, 2.0), (5, 5.0), (30, 5.0)])
def test_attempt_timeout_is_the_interval_between_one_and_five_seconds(interval: float, timeout: float) -> None:
    assert attempt.timeout_for(Settings(interval=interval)) == timeout


@pytest.mark.parametrize("kep_timeout, timeout", [(0.5, 0.5), (1.5, 1.5), (3, 2.0), (0, 2.0)])
def test_attempt_timeout_never_exceeds_kep_timeout(kep_timeout: float, timeout: float) -> None:
    assert attempt.timeout_for(Settings(interval=2, timeout=kep_timeout)) == timeout


def test_run_returns_the_work_value() -> None:
    assert attempt.run(lambda: 42, 1.0, "test") == 42


def test_run_gives_up_after_the_timeout_and_grace() -> None:
    """Long before the work (30 s) would end; how much after timeout + GRACE is the machine's."""
    release = threading.Event()
    started = time.monotonic()
    try:
        assert attempt.run(lambda: release.wait(30) or 1, 0.1, "test") is None
        assert 0.1 + attempt.GRACE <= time.monotonic() - started < 10
    finally:
        release.set()


def test_run_raises_the_work_exception_on_the_caller_thread() -> None:
    def work() -> int:
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        attempt.run(work, 1.0, "test")


def test_work_runs_with_the_terminating_signals_blocked() -> None:
    blocked = attempt.run(lambda: signal.pthread_sigmask(signal.SIG_BLOCK, []), 1.0, "test")
    assert blocked is not None and {signal.SIGTERM, signal.SIGINT, signal.SIGHUP} <= blocked


@pytest.fixture
def sigterm_raises() -> Iterator[None]:
    before = signal.signal(signal.SIGTERM, _terminate)
    yield
    signal.signal(signal.SIGTERM, before)


def test_sigterm_ends_the_wait_at_once_even_when_the_work_cannot_be_interrupted(sigterm_raises: None) -> None:
    """A hung name lookup is one C call: the wait must not depend on it returning (30 s here)."""
    release = threading.Event()
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()
    try:
        with pytest.raises(Terminated):
            attempt.run(lambda: release.wait(30), 30.0, "test")
        assert time.monotonic() - started < 10
    finally:
        release.set()


def test_each_runs_the_works_at_the_same_time_and_keeps_their_order() -> None:
    """At the same time: each work waits for all four to have started (one after the other, the
    first would wait alone until the barrier gives up)."""
    together = threading.Barrier(4, timeout=10)

    def work(n: int) -> int:
        together.wait()
        return n

    assert attempt.each([functools.partial(work, n) for n in range(4)], "test") == [0, 1, 2, 3]


def test_each_raises_a_work_exception_on_the_caller_thread() -> None:
    def work() -> int:
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        attempt.each([lambda: 1, work], "test")


def test_sigterm_ends_each_at_once(sigterm_raises: None) -> None:
    """Long before the works (30 s) would end."""
    release = threading.Event()
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
    started = time.monotonic()
    try:
        with pytest.raises(Terminated):
            attempt.each([lambda: release.wait(30), lambda: release.wait(30)], "test")
        assert time.monotonic() - started < 10
    finally:
        release.set()
