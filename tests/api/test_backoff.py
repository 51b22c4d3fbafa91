"""Backoff: capped exponential delays, full or equal jitter, reset after a healthy spell."""

from __future__ import annotations

import pytest

from kep.api.backoff import Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_delays_double_up_to_the_cap_without_jitter() -> None:
    b = Backoff(0.8, 30.0, jitter="none", clock=Clock())
    assert [b.next() for _ in range(8)] == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]


def test_full_jitter_spans_zero_to_the_base() -> None:
    assert Backoff(1.0, 8.0, jitter="full", rand=lambda: 0.0, clock=Clock()).next() == 0.0
    b = Backoff(1.0, 8.0, jitter="full", rand=lambda: 0.5, clock=Clock())
    assert [b.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_equal_jitter_spans_half_the_base_to_the_base() -> None:
    low = Backoff(0.8, 30.0, jitter="equal", rand=lambda: 0.0, clock=Clock())
    high = Backoff(0.8, 30.0, jitter="equal", rand=lambda: 1.0, clock=Clock())
    assert [low.next() for _ in range(3)] == pytest.approx([0.4, 0.8, 1.6])
    assert [high.next() for _ in range(3)] == pytest.approx([0.8, 1.6, 3.2])


def test_the_sequence_restarts_after_two_healthy_minutes() -> None:
    clock = Clock()
    b = Backoff(0.8, 30.0, jitter="none", reset_after=120.0, clock=clock)
    assert [b.next(), b.next(), b.next()] == [0.8, 1.6, 3.2]
    clock.now += 120.0
    assert b.next() == 6.4  # exactly two minutes is not yet "more than"
    clock.now += 120.5
    assert b.next() == 0.8


def test_nonsense_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(0.0, 1.0)
    with pytest.raises(ValueError):
        Backoff(2.0, 1.0)
