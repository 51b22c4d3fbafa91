"""What kep tells the user while it waits: each change once, and a periodic summary.

A dependency that stays unmet is not logged every interval: its first reason,
any change of reason, and a one-line summary of everything pending every
progress interval. A dependency is announced resolved once per time it turns
met, however its reason changes while it stays met.

A `Listener` hears the same as data (kep.outcome: the termination message and the
Events on the pod): the wait's start, and after each update the dependencies that
joined or left the pending set or failed, with what is unmet now.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence, Set
from typing import Protocol

from kep.errors import Fields
from kep.specs import Settings, Spec, identity
from kep.verdict import State, Verdict

log = logging.getLogger(__name__)


def seconds(value: float) -> str:
    """A duration as the log says it: `12s`, `3.4s`."""
    return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"


def fields(spec: Spec, settings: Settings, verdict: Verdict | None = None) -> Fields:
    """`extra` for a dependency's log line: JSON logs add kind, namespace, name (and met,
    reason once there is a verdict) as fields of their own (kep.log)."""
    who = identity(spec, settings)
    found: dict[str, object] = {"kind": who.kind, "namespace": who.namespace, "name": who.name}
    if verdict is not None:
        found.update(met=verdict.is_met, reason=verdict.reason)
    return {"kep_fields": found}


class Listener(Protocol):
    def waiting(self, dependencies: Sequence[str]) -> None:
        """The wait begins, for these (each as the log names it)."""

    def heard(self, turned: Sequence[tuple[str, Verdict]], unmet: Sequence[str]) -> None:
        """After each update: the dependencies that turned met, no longer met or failed in it
        (their verdict says which; often none), and "dependency: reason" for each not met."""


class Reporter:
    def __init__(self, specs: tuple[Spec, ...], progress_interval: float, start: float,
                 settings: Settings = Settings(), listener: Listener | None = None) -> None:
        self._specs = specs
        self._settings = settings
        self._listener = listener
        self._last: dict[Spec, Verdict] = {}
        self._start = start
        self._interval = progress_interval
        self.next_summary = start + progress_interval
        for spec in specs:
            log.info("Resolving %s", spec, extra=fields(spec, settings))
        if listener is not None:
            listener.waiting([str(spec) for spec in specs])

    def update(self, verdicts: Mapping[Spec, Verdict], now: float, reading: Set[Spec] = frozenset()) -> None:
        """Log what changed; `reading` are dependencies whose reads are in flight (pending
        for now, but there is nothing worth saying until the answer comes)."""
        turned: list[tuple[str, Verdict]] = []
        for spec in self._specs:
            verdict = verdicts[spec]
            before = self._last.get(spec)
            if verdict == before or (spec in reading and verdict.state is State.PENDING):
                continue
            self._last[spec] = verdict
            if verdict.state is State.MET and before is not None and before.state is State.MET:
                continue  # resolved once: a new reason while it stays met is not news
            extra = fields(spec, self._settings, verdict)
            if verdict.state is State.MET:
                # The reference's line, then why (e.g. "no pod on this node; treating as met").
                log.info("Dependency %s is resolved.%s", spec, f" ({verdict.reason})" if verdict.reason else "",
                         extra=extra)
                turned.append((str(spec), verdict))
            elif verdict.state is State.FAILED:
                log.warning("Resolving dependency %s failed: %s .", spec, verdict.reason, extra=extra)
                if before is None or before.state is not State.FAILED:
                    turned.append((str(spec), verdict))
            elif before is not None and before.state is State.MET:
                log.warning("Dependency %s is no longer resolved: %s", spec, verdict.reason, extra=extra)
                turned.append((str(spec), verdict))
            else:
                log.info("Waiting for %s: %s", spec, verdict.reason, extra=extra)
        if self._listener is not None:
            self._listener.heard(turned, [line for line, _ in self.unmet(verdicts)])
        if now >= self.next_summary:
            self._summarize(verdicts, now)
            while self.next_summary <= now:
                self.next_summary += self._interval

    def unmet(self, verdicts: Mapping[Spec, Verdict]) -> list[tuple[str, Fields]]:
        """One line per dependency not met, with its fields for JSON logs."""
        return [(f"{spec}: {verdicts[spec].reason}", fields(spec, self._settings, verdicts[spec]))
                for spec in self._specs if not verdicts[spec].is_met]

    def _summarize(self, verdicts: Mapping[Spec, Verdict], now: float) -> None:
        unmet = [line for line, _ in self.unmet(verdicts)]
        if unmet:
            log.info(
                "Still waiting after %s for %d of %d dependencies: %s",
                seconds(now - self._start), len(unmet), len(self._specs), "; ".join(unmet),
            )
