"""How a run ends, told where the cluster shows it: the termination message and the Events.

An `Outcome` listens to the wait (a kep.engine.report.Listener): it keeps one line per
dependency not met, for the termination message, and passes the wait's start and each
change of the pending set to the Event recorder (kep.podevents), when there is one. cli
then says how the run ended:

- `handing_off`: all met. An Event (DependenciesMet) and nothing in the termination
  message file, which the command owns.
- `ended(code, headline, lines)`: any other exit. The file gets "kep: <headline>" and
  the lines (by default what was still unmet, the headline then saying after how long and
  how many), and the last Event the same on one line, with a reason per exit (REASONS).

Events of the wait, one per update that changed something (so several dependencies that
turn met at once are one Event, and a dependency that flaps repeats the same Event, which
the recorder counts): Waiting (what it waits for), DependencyMet, DependencyUnmet (met
before, not now), DependencyFailed (a failed Job: kep keeps waiting unless told to give
up).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kep import termination
from kep.engine.report import seconds
from kep.errors import Terminated
from kep.exitcodes import ExitCode
from kep.verdict import State, Verdict

if TYPE_CHECKING:
    from kep.podevents import Recorder  # imported by cli only when it records Events

NORMAL, WARNING = "Normal", "Warning"
"""The two types of Events."""

REASONS: dict[int, str] = {
    ExitCode.INTERNAL: "InternalError",
    ExitCode.CONFIG: "ConfigError",
    ExitCode.DEPENDENCY_FAILED: "GaveUp",
    ExitCode.RBAC_MISSING: "RBACMissing",
    ExitCode.TIMEOUT: "TimedOut",
    ExitCode.NOT_EXECUTABLE: "CommandFailed",
    ExitCode.NOT_FOUND: "CommandFailed",
}
"""The last Event's reason per exit code; 128+n is Terminated (a Normal Event: a pod being
deleted is the usual sender)."""


def _turn(verdict: Verdict) -> tuple[str, str, str]:
    """(type, reason, words) of an Event about a dependency that turned."""
    if verdict.is_met:
        return NORMAL, "DependencyMet", "is met"
    if verdict.state is State.FAILED:
        return WARNING, "DependencyFailed", "failed"
    return WARNING, "DependencyUnmet", "is no longer met"


class Outcome:
    def __init__(self, termination_log: str, clock: Callable[[], float] = time.monotonic) -> None:
        """`termination_log`: the file (kep.termination; "" for none)."""
        self.termination_log = termination_log
        self.recorder: Recorder | None = None
        """Set by cli once the API side is up and Events are allowed."""
        self._clock = clock
        self._started: float | None = None
        self._total = 0
        self._unmet: tuple[str, ...] = ()

    # -- the wait (kep.engine.report.Listener) ---------------------------------

    def waiting(self, dependencies: Sequence[str]) -> None:
        self._started = self._clock()
        self._total = len(dependencies)
        count = f"{len(dependencies)} {'dependency' if len(dependencies) == 1 else 'dependencies'}"
        self._record(NORMAL, "Waiting", f"waiting for {count}: {', '.join(dependencies)}")

    def heard(self, turned: Sequence[tuple[str, Verdict]], unmet: Sequence[str]) -> None:
        self._unmet = tuple(unmet)
        said: dict[tuple[str, str], list[str]] = {}
        for who, verdict in turned:
            type_, reason, words = _turn(verdict)
            said.setdefault((type_, reason), []).append(f"{who} {words}" + (f": {verdict.reason}" if verdict.reason else ""))
        for (type_, reason), lines in said.items():
            self._record(type_, reason, "; ".join(lines))

    # -- the end ---------------------------------------------------------------

    def handing_off(self, command: Sequence[str]) -> None:
        """All met: the Event says so and what starts (the termination message stays the command's)."""
        then = f"starting {command[0]}" if command else "exiting 0 (no command)"
        if self.recorder is not None:
            self.recorder.finish(NORMAL, "DependenciesMet", f"all {self._total} met{self._after()}; {then}")

    def ended(self, code: int, headline: str, lines: Sequence[str] | None = None) -> int:
        """Any exit but a hand-off: the termination message, then the last Event; returns `code`.
        `lines` None: what was unmet when the wait ended."""
        if lines is None:
            lines = self._unmet
            if self._started is not None:
                headline += f"{self._after()}, {len(lines)} of {self._total} not met"
        termination.write(self.termination_log, termination.message(f"kep: {headline}", tuple(lines)))
        if self.recorder is not None:
            reason = "Terminated" if code > ExitCode.SIGNAL_BASE else REASONS.get(code, "Exited")
            type_ = NORMAL if reason == "Terminated" else WARNING
            try:
                self.recorder.finish(type_, reason, "; ".join((headline, *lines)))
            except Terminated:
                pass  # a signal while the last Event is written: the exit is decided, it only ends sooner
        return code

    def _after(self) -> str:
        return f" after {seconds(self._clock() - self._started)}" if self._started is not None else ""

    def _record(self, type_: str, reason: str, message: str) -> None:
        if self.recorder is not None:
            self.recorder.record(type_, reason, message)
