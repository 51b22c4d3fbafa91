"""The engine: check every dependency at once, re-check until all are met at the same time.

Sources (pollers, watches) run on daemon threads and feed one inbox; the main
thread owns `seen`, the verdicts, the deadline and the signals, so a SIGTERM
interrupts the wait at once. Local checks of one round run at the same time
(kep.attempt.each); the main thread waits for them on locks a signal
interrupts. Evaluation is level-driven: every verdict is recomputed from the
latest observations, so a dependency that flips met -> unmet -> met cannot
trigger an early exec.

All met at the same moment: reads of different collections are taken at
different times, so "all met" may join an old read of one dependency to a new
read of another. Before returning, every query read before the moment the last
dependency turned met (an API one: when its read was sent, `Observation.at`; a
local one: when it was checked) is read again, unless its source is a healthy
watch (`Source.fresh`), and all must still be met. Polling pays for it
with at most one extra read per query per start; watches pay nothing. Meanwhile,
a met dependency's polled queries are held (read once per progress interval,
not per interval), so polling costs about what the reference's does: reads of
what is not met yet.
"""

from __future__ import annotations

import functools
import logging
import queue
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from kep import attempt
from kep.errors import ConfigError, DependencyFailed, TimedOut
from kep.engine.inbox import Inbox
from kep.engine.report import Listener, Reporter, fields
from kep.kinds import API_KINDS, LOCAL_KINDS
from kep.reads import Observation, Query
from kep.specs import Settings, Spec
from kep.verdict import State, Verdict, pending

log = logging.getLogger(__name__)


class Mailbox(Protocol):
    """Where sources put observations and the main thread waits (kep.engine.inbox.Inbox)."""

    def put(self, item: tuple[Query, Observation]) -> None: ...
    def get(self, timeout: float) -> tuple[Query, Observation]: ...
    def get_nowait(self) -> tuple[Query, Observation]: ...


class Source(Protocol):
    @property
    def fresh(self) -> bool:
        """True while its last observation is known to be current (a healthy watch)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def refresh(self) -> None:
        """Read again now; the answer comes through the inbox."""

    def hold(self, held: bool) -> None:
        """True: no reads on its own until refresh() or hold(False) (see `Engine._hold_met`)."""


OpenSource = Callable[[Query, Callable[[Query, Observation], None]], Source]
"""Makes the source that keeps one query's observation fresh (poll or watch)."""

class Engine:
    def __init__(
        self,
        specs: tuple[Spec, ...],
        settings: Settings,
        open_source: OpenSource | None = None,
        clock: Callable[[], float] = time.monotonic,
        inbox: Mailbox | None = None,
        seen: Mapping[Query, Observation] | None = None,
        listener: Listener | None = None,
    ) -> None:
        """`seen`: observations made before the wait (discovery read by the RBAC preflight);
        `listener` hears what the Reporter logs (kep.engine.report.Listener)."""
        self.specs = specs
        self._listener = listener
        self.settings = settings
        self._open_source = open_source
        self._clock = clock
        self._inbox: Mailbox = inbox or Inbox()
        self._seen: dict[Query, Observation] = dict(seen or {})
        self._sources: dict[Query, Source] = {}
        self._local: dict[Spec, Verdict] = {}
        self._local_checked_at = float("-inf")
        self._met_at: dict[Spec, float] = {}
        """Dependencies now met -> when they turned met (see `_note_met`)."""
        self._refreshing: set[Query] = set()

    def run(self) -> dict[Spec, Verdict]:
        """Return when every dependency is met; raise TimedOut or DependencyFailed otherwise."""
        start = self._clock()
        deadline = start + self.settings.timeout if self.settings.timeout > 0 else None
        reporter = Reporter(self.specs, self.settings.progress_interval, start, self.settings, self._listener)
        try:
            while True:
                now = self._clock()
                if now >= self._local_checked_at + self.settings.interval:
                    self._check_local(now)
                    now = self._clock()  # a network check may have run to its timeout
                wanted = self._sync_sources()
                verdicts = self._verdicts()
                if all(v.is_met for v in verdicts.values()) and self._local_checked_at < now:
                    self._check_local(now)
                    verdicts = self._verdicts()
                self._note_met(verdicts, wanted, now)
                self._hold_met(verdicts, wanted)
                reporter.update(verdicts, now, reading=self._reading(wanted))
                stale: set[Query] = set()
                if all(v.is_met for v in verdicts.values()):
                    stale = self._stale(wanted)
                    if not stale:
                        return verdicts
                    self._refresh(stale)
                self._raise_if_impossible(verdicts)
                self._raise_if_failed(verdicts)
                if deadline is not None and now >= deadline:
                    raise TimedOut([
                        (f"timed out after {self.settings.timeout:g}s: {line}", extra)
                        for line, extra in reporter.unmet(verdicts)
                    ] or [(f"timed out after {self.settings.timeout:g}s: re-reading {len(stale)} "
                           "collections before starting", {})])
                wake = min(t for t in (self._next_local_check(), reporter.next_summary, deadline) if t is not None)
                self._wait(max(0.0, wake - self._clock()))
        finally:
            for source in self._sources.values():
                source.stop()

    def _wait(self, timeout: float) -> None:
        """Until an observation arrives (then take all that did) or the timeout passes."""
        try:
            item = self._inbox.get(timeout=timeout)
            while True:
                query, observation = item
                self._seen[query] = observation
                self._refreshing.discard(query)
                item = self._inbox.get_nowait()
        except queue.Empty:
            return

    def _emit(self, query: Query, observation: Observation) -> None:
        self._inbox.put((query, observation))

    def _next_local_check(self) -> float | None:
        if any(LOCAL_KINDS[type(s)].RECHECK_WHEN_MET or not v.is_met for s, v in self._local.items()):
            return self._local_checked_at + self.settings.interval
        return None

    def _check_local(self, now: float) -> None:
        """The local checks due, all at once (a network check may take its whole timeout)."""
        due = [
            spec for spec in self.specs
            if type(spec) in LOCAL_KINDS
            and (spec not in self._local or not self._local[spec].is_met or LOCAL_KINDS[type(spec)].RECHECK_WHEN_MET)
        ]
        checks = [functools.partial(LOCAL_KINDS[type(spec)].check, spec, self.settings) for spec in due]
        self._local.update(zip(due, attempt.each(checks, "local checks")))
        self._local_checked_at = now

    def _wanted(self) -> dict[Spec, tuple[Query, ...]]:
        wanted: dict[Spec, tuple[Query, ...]] = {}
        for spec in self.specs:
            kind = API_KINDS.get(type(spec))
            if kind is not None:
                wanted[spec] = tuple(kind.queries(spec, self.settings, self._seen))
        return wanted

    def _reading(self, wanted: dict[Spec, tuple[Query, ...]]) -> set[Spec]:
        """Dependencies whose reads are still in flight: nothing to say about them yet."""
        return {spec for spec, queries in wanted.items() if any(q not in self._seen for q in queries)}

    def _sync_sources(self) -> dict[Spec, tuple[Query, ...]]:
        """One source per distinct query, shared by every dependency that needs it;
        a query no longer asked for stops, but its last observation is kept."""
        per_spec = self._wanted()
        wanted = {query for queries in per_spec.values() for query in queries}
        for query in wanted - self._sources.keys():
            if self._open_source is None:
                raise RuntimeError("an API dependency needs a source")
            source = self._open_source(query, self._emit)
            self._sources[query] = source
            source.start()
        for query in self._sources.keys() - wanted:
            self._sources.pop(query).stop()
        return per_spec

    def _note_met(self, verdicts: dict[Spec, Verdict], wanted: dict[Spec, tuple[Query, ...]], now: float) -> None:
        """When each dependency turned met: a local one when it was checked; an API one when
        its newest read was sent, but not earlier than one interval before kep saw the answer
        (a read retried for a minute says little about the moment it was met)."""
        for spec, verdict in verdicts.items():
            if not verdict.is_met:
                self._met_at.pop(spec, None)
            elif spec not in self._met_at:
                queries = wanted.get(spec)
                if queries is None:
                    self._met_at[spec] = self._local_checked_at
                    continue
                sent = max((self._seen[q].at for q in queries if q in self._seen), default=now)
                self._met_at[spec] = max(sent, now - self.settings.interval)

    def _hold_met(self, verdicts: dict[Spec, Verdict], wanted: dict[Spec, tuple[Query, ...]]) -> None:
        """Polling slows down for queries whose every dependency is met (Poller.hold), as
        the reference stops polling a resolved dependency; unlike it, kep reads them once
        more before exec (`_stale`), and they resume if a read finds one no longer met."""
        unmet = {query for spec, queries in wanted.items() if not verdicts[spec].is_met for query in queries}
        for query, source in self._sources.items():
            source.hold(query not in unmet)

    def _stale(self, wanted: dict[Spec, tuple[Query, ...]]) -> set[Query]:
        """Queries read before the last dependency turned met, whose sources are not live."""
        moment = max(self._met_at.values(), default=0.0)
        return {
            query
            for queries in wanted.values()
            for query in queries
            if query in self._seen and self._seen[query].at < moment and not self._sources[query].fresh
        }

    def _refresh(self, stale: set[Query]) -> None:
        for query in stale - self._refreshing:
            log.debug("All met; reading %s again before starting", query)
            self._sources[query].refresh()
            self._refreshing.add(query)

    def _verdicts(self) -> dict[Spec, Verdict]:
        verdicts: dict[Spec, Verdict] = {}
        for spec in self.specs:
            kind = API_KINDS.get(type(spec))
            if kind is not None:
                verdicts[spec] = kind.evaluate(spec, self.settings, self._seen)
            else:
                verdicts[spec] = self._local.get(spec) or pending("not checked yet")
        return verdicts

    def _raise_if_impossible(self, verdicts: dict[Spec, Verdict]) -> None:
        problems = [f"{spec}: {v.reason}" for spec, v in verdicts.items() if v.state is State.IMPOSSIBLE]
        if problems:
            raise ConfigError(problems)

    def _raise_if_failed(self, verdicts: dict[Spec, Verdict]) -> None:
        if not self.settings.fail_on_job_failure:
            return
        for spec, verdict in verdicts.items():
            if verdict.state is State.FAILED:
                raise DependencyFailed(f"{spec}: {verdict.reason}", fields(spec, self.settings, verdict))
