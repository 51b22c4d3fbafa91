"""What a readiness check concludes: met, pending (with why), or failed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class State(Enum):
    MET = "met"
    PENDING = "pending"
    FAILED = "failed"
    """Will not get better by itself (e.g. a failed job); kep keeps waiting unless told not to."""
    IMPOSSIBLE = "impossible"
    """Can never be met as the pod is configured (a deadlock inside the own pod): a
    configuration error, exit 2."""


@dataclass(frozen=True, slots=True)
class Verdict:
    state: State
    reason: str = ""

    @property
    def is_met(self) -> bool:
        return self.state is State.MET


def met(reason: str = "") -> Verdict:
    return Verdict(State.MET, reason)


def pending(reason: str) -> Verdict:
    return Verdict(State.PENDING, reason)


def failed(reason: str) -> Verdict:
    return Verdict(State.FAILED, reason)


def impossible(reason: str) -> Verdict:
    return Verdict(State.IMPOSSIBLE, reason)
