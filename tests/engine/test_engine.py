"""Engine rules, on a fake clock and a scripted inbox: no sleeps, no threads."""

from __future__ import annotations

import dataclasses
import logging
import queue
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from kep.engine.engine import Engine
from kep.errors import DependencyFailed, TimedOut
from kep.kinds import API_KINDS, LOCAL_KINDS
from kep.reads import Observation, Query
from kep.specs import Settings
from kep.verdict import Verdict, failed, met, pending


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class ScriptedInbox:
    """Delivers (time, query, observation) items when the fake time reaches them."""

    def __init__(self, clock: FakeClock, script: list[tuple[float, Query, Observation]] = ()) -> None:
        self.clock = clock
        self.script = sorted(script, key=lambda item: item[0])
        self.waits: list[float] = []

    def put(self, item: tuple[Query, Observation]) -> None:
        self.script.insert(0, (self.clock.now, *item))

    def get(self, timeout: float) -> tuple[Query, Observation]:
        self.waits.append(timeout)
        if self.script and self.script[0][0] <= self.clock.now + timeout:
            when, query, observation = self.script.pop(0)
            self.clock.now = max(self.clock.now, when)
            return query, observation
        self.clock.now += timeout
        raise queue.Empty

    def get_nowait(self) -> tuple[Query, Observation]:
        if self.script and self.script[0][0] <= self.clock.now:
            _, query, observation = self.script.pop(0)
            return query, observation
        raise queue.Empty





@dataclass(frozen=True)
class Local:
    name: str


@dataclass(frozen=True)
class Remote:
    name: str
    query: Query


class LocalKind:
    """A local kind whose verdict is scripted by time; once met, it stays met (not re-checked)."""

    RECHECK_WHEN_MET = False

    def __init__(self, clock: FakeClock, met_at: dict[str, float]) -> None:
        self.clock = clock
        self.met_at = met_at
        self.checks: list[tuple[str, float]] = []

    def check(self, spec: Local, settings: Settings) -> Verdict:
        self.checks.append((spec.name, self.clock.now))
        if self.clock.now >= self.met_at.get(spec.name, float("inf")):
            return met()
        return pending(f"{spec.name} not there")

    def explain(self, spec: Local, settings: Settings) -> str:
        return f"look for {spec.name}"


def remote_evaluate(spec: Remote, settings: Settings, seen) -> Verdict:
    observation = seen.get(spec.query)
    if observation is None:
        return pending("waiting for first read")
    state = observation.objects[0]["state"] if observation.objects else "missing"
    return {"met": met(), "failed": failed(f"{spec.name} failed")}.get(state, pending(f"{spec.name} is {state}"))


REMOTE_KIND = SimpleNamespace(queries=lambda spec, settings, seen: (spec.query,), evaluate=remote_evaluate)


class FakeSource:
    opened: list[Query] = []
    fresh = False

    def __init__(self, query: Query, emit) -> None:
        self.query = query
        self.stopped = False
        self.refreshed = 0
        self.held = False
        FakeSource.opened.append(query)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True

    def refresh(self) -> None:
        self.refreshed += 1

    def hold(self, held: bool) -> None:
        self.held = held


@pytest.fixture
def world(monkeypatch):
    clock = FakeClock()
    FakeSource.opened = []
    monkeypatch.setitem(API_KINDS, Remote, REMOTE_KIND)
    return clock


def q(name: str) -> Query:
    return Query(namespace="ns", name=name)


def obs(state: str, at: float = 0.0) -> Observation:
    return Observation(objects=({"state": state},), at=at)


def engine(clock, specs, script=(), **settings) -> tuple[Engine, ScriptedInbox]:
    """An engine whose sources answer only as scripted; an observation scripted without an
    `at` was sent when it arrives. Its sources never answer a refresh(): a script must not
    leave a read older than the last turn to met (run_polled's sources answer)."""
    script = [(when, query, o if o.at else dataclasses.replace(o, at=float(when))) for when, query, o in script]
    inbox = ScriptedInbox(clock, script)
    return Engine(tuple(specs), Settings(**settings), open_source=FakeSource, clock=clock, inbox=inbox), inbox


def test_all_met_at_start_returns_without_waiting(world, monkeypatch):
    kind = LocalKind(world, {"a": 0})
    monkeypatch.setitem(LOCAL_KINDS, Local, kind)
    eng, inbox = engine(world, [Local("a")])
    eng.run()
    assert inbox.waits == [] and world.now == 0


def test_unmet_local_dependency_is_rechecked_every_interval_and_nothing_sleeps_after(world, monkeypatch):
    kind = LocalKind(world, {"a": 5})
    monkeypatch.setitem(LOCAL_KINDS, Local, kind)
    eng, _ = engine(world, [Local("a")], interval=2)
    eng.run()
    assert [t for _, t in kind.checks] == [0, 2, 4, 6]
    assert world.now == 6


def test_timeout_raises_with_one_line_per_unmet_dependency(world, monkeypatch):
    monkeypatch.setitem(LOCAL_KINDS, Local, LocalKind(world, {"b": 0}))
    eng, _ = engine(world, [Local("a"), Local("b"), Remote("r", q("r"))], interval=2, timeout=5)
    with pytest.raises(TimedOut) as caught:
        eng.run()
    assert world.now == 5
    assert [line for line, _ in caught.value.lines] == [
        "timed out after 5s: Local(name='a'): a not there",
        "timed out after 5s: Remote(name='r', query=" + repr(q("r")) + "): waiting for first read",
    ]
    assert [extra["kep_fields"]["met"] for _, extra in caught.value.lines] == [False, False]


def test_api_dependency_is_met_when_its_observation_arrives(world):
    eng, _ = engine(world, [Remote("r", q("r"))], [(1.0, q("r"), obs("pending")), (3.5, q("r"), obs("met"))])
    eng.run()
    assert world.now == 3.5


def test_dependencies_needing_the_same_query_share_one_source(world):
    shared = q("shared")
    eng, _ = engine(world, [Remote("a", shared), Remote("b", shared), Remote("c", q("c"))],
                    [(0.1, shared, obs("met")), (0.1, q("c"), obs("met"))])
    eng.run()
    assert sorted(FakeSource.opened, key=str) == sorted([shared, q("c")], key=str)


def test_flip_met_unmet_met_does_not_exec_early(world):
    """kep returns only when ALL are met at the same time, with the latest data."""
    a, b = q("a"), q("b")
    script = [(1, a, obs("met", 1)), (2, a, obs("pending", 2)), (3, b, obs("met", 3)), (4, a, obs("met", 4))]
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, {a: "met", b: "met"})
    assert world.now == 4 and refreshed == [(4, b)]  # b's read of 3 is older than a's turn to met


def test_failed_dependency_keeps_waiting_by_default(world):
    eng, _ = engine(world, [Remote("j", q("j"))], [(1, q("j"), obs("failed")), (9, q("j"), obs("met"))])
    eng.run()
    assert world.now == 9


def test_failed_dependency_ends_the_wait_when_asked(world):
    eng, _ = engine(world, [Remote("j", q("j"))], [(1, q("j"), obs("failed"))], fail_on_job_failure=True)
    with pytest.raises(DependencyFailed, match="j failed"):
        eng.run()
    assert world.now == 1


def test_reason_changes_are_logged_once_and_pending_is_summarized_periodically(world, caplog):
    caplog.set_level(logging.INFO, logger="kep")
    r = q("r")
    eng, _ = engine(world, [Remote("r", r)],
                    [(1, r, obs("starting")), (2, r, obs("starting")), (3, r, obs("starting")),
                     (40, r, obs("booting")), (70, r, obs("met"))],
                    progress_interval=30)
    eng.run()
    messages = [rec.getMessage() for rec in caplog.records]
    assert sum("r is starting" in m and m.startswith("Waiting for") for m in messages) == 1
    assert sum(m.startswith("Waiting for") and "r is booting" in m for m in messages) == 1
    summaries = [m for m in messages if m.startswith("Still waiting")]
    assert len(summaries) == 2  # at 30 s and 60 s
    assert "1 of 1 dependencies" in summaries[0] and "r is starting" in summaries[0]
    assert messages[-1].startswith("Dependency Remote(name='r'")


def test_met_dependency_that_becomes_unmet_is_logged(world, caplog):
    caplog.set_level(logging.INFO, logger="kep")
    a, b = q("a"), q("b")
    eng, _ = engine(world, [Remote("a", a), Remote("b", b)],
                    [(1, a, obs("met")), (2, a, obs("gone")), (3, a, obs("met")), (3, b, obs("met"))])
    eng.run()
    assert any("is no longer resolved: a is gone" in rec.getMessage() for rec in caplog.records)


def test_query_no_longer_wanted_stops_its_source_but_keeps_observation(world, monkeypatch):
    first, second = q("first"), q("second")

    def queries(spec, settings, seen):
        return (second,) if first in seen else (first,)

    def evaluate(spec, settings, seen):
        return met() if first in seen and second in seen else pending("not yet")

    monkeypatch.setitem(API_KINDS, Remote, SimpleNamespace(queries=queries, evaluate=evaluate))
    sources: dict[Query, FakeSource] = {}

    def open_source(query, emit):
        sources[query] = FakeSource(query, emit)
        return sources[query]

    inbox = ScriptedInbox(world, [(1, first, obs("x")), (2, second, obs("y"))])
    Engine((Remote("r", first),), Settings(), open_source=open_source, clock=world, inbox=inbox).run()
    assert sources[first].stopped and sources[second].stopped


def test_nothing_is_said_about_a_dependency_until_its_first_read_answers(world, caplog):
    caplog.set_level(logging.INFO, logger="kep")
    r = q("r")
    eng, _ = engine(world, [Remote("r", r)], [(0.2, r, obs("starting")), (1, r, obs("met"))])
    eng.run()
    waiting = [rec.getMessage() for rec in caplog.records if rec.getMessage().startswith("Waiting for")]
    assert waiting == ["Waiting for Remote(name='r', query=" + repr(r) + "): r is starting"]


def test_resolved_line_keeps_the_reference_wording_and_adds_why(world, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="kep")
    r = q("r")
    monkeypatch.setitem(API_KINDS, Remote, SimpleNamespace(
        queries=lambda spec, settings, seen: (r,),
        evaluate=lambda spec, settings, seen: met("no pod on this node; treating as met") if r in seen
        else pending("waiting")))
    eng, _ = engine(world, [Remote("r", r)], [(1, r, obs("x"))])
    eng.run()
    resolved = [rec.getMessage() for rec in caplog.records if "is resolved." in rec.getMessage()]
    assert resolved == [f"Dependency {Remote('r', r)} is resolved. (no pod on this node; treating as met)"]


# --- all met at the same moment (issue 10, rule 7) ---


class AnsweringSource(FakeSource):
    """A polled source whose refresh() reads `truth[query]` at the fake clock's time."""

    def __init__(self, query: Query, emit, clock: FakeClock, truth: dict[Query, str], log: list) -> None:
        super().__init__(query, emit)
        self.emit, self.clock, self.truth, self.log = emit, clock, truth, log
        self.holds: list[tuple[float, bool]] = []
        """(time, held) at each change."""

    def hold(self, held: bool) -> None:
        if not self.holds or self.holds[-1][1] != held:
            self.holds.append((self.clock.now, held))

    def refresh(self) -> None:
        self.log.append((self.clock.now, self.query))
        self.emit(self.query, obs(self.truth[self.query], at=self.clock.now))


def run_polled(clock, specs, script, truth, fresh=False, sources=None):
    """`sources`: filled with the sources opened, by query."""
    refreshed: list = []
    sources = {} if sources is None else sources

    def open_source(query, emit):
        source = sources[query] = AnsweringSource(query, emit, clock, truth, refreshed)
        source.fresh = fresh
        return source

    inbox = ScriptedInbox(clock, script)
    eng = Engine(tuple(specs), Settings(), open_source=open_source, clock=clock, inbox=inbox)
    inbox_put = inbox.put
    eng._emit = lambda q, o: inbox_put((q, o))
    return eng.run(), refreshed


def test_old_met_read_is_read_again_before_exec_and_an_unmet_one_keeps_waiting(world):
    """a was met at 0.1 and turned unmet unseen; b turns met at 2.1: kep must not exec on a's old read."""
    a, b = q("a"), q("b")
    truth = {a: "pending", b: "met"}
    script = [(0.1, a, obs("met", 0.1)), (0.1, b, obs("pending", 0.1)), (2.1, b, obs("met", 2.1)),
              (4.1, a, obs("met", 4.1))]
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, truth)
    assert refreshed == [(2.1, a), (4.1, b)]  # a re-read when b turned met; b when a did
    assert world.now == 4.1


def test_a_met_dependency_is_not_polled_until_the_check_before_exec_finds_it_unmet(world):
    """As the reference, polling stops for what is met (held); unlike it, kep reads it once
    more before exec and polls it again when that read finds it no longer met."""
    a, b = q("a"), q("b")
    script = [(0.1, a, obs("met", 0.1)), (0.1, b, obs("pending", 0.1)), (2.1, b, obs("met", 2.1)),
              (4.1, a, obs("met", 4.1))]
    sources: dict = {}
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, {a: "pending", b: "met"},
                              sources=sources)
    assert refreshed == [(2.1, a), (4.1, b)]
    # a: held once met (0.1); its re-read at 2.1 finds it pending: polled again; held at 4.1.
    assert sources[a].holds == [(0.0, False), (0.1, True), (2.1, False), (4.1, True)]
    # b: polled while pending, held once met (2.1), then read once more at 4.1 as a turned met.
    assert sources[b].holds == [(0.0, False), (2.1, True)]


def test_a_held_read_is_read_again_when_a_local_dependency_turns_met_last(world, monkeypatch):
    """a (polled, held) was met at 0.1 and went unmet unseen; the TCP-like local L comes up at
    100: kep must read a again, not exec on a read 99.9 s old."""
    monkeypatch.setitem(LOCAL_KINDS, Local, LocalKind(world, {"L": 100.0}))
    a = q("a")
    refreshed: list = []
    inbox = ScriptedInbox(world, [(0.1, a, obs("met", 0.1))])
    eng = Engine((Remote("a", a), Local("L")), Settings(timeout=110), clock=world, inbox=inbox,
                 open_source=lambda query, emit: AnsweringSource(query, emit, world, {a: "pending"}, refreshed))
    eng._emit = lambda query, o: inbox.put((query, o))
    with pytest.raises(TimedOut) as caught:
        eng.run()
    assert refreshed == [(100.0, a)]
    assert [line for line, _ in caught.value.lines] == ["timed out after 110s: " + str(Remote("a", a)) + ": a is pending"]


def test_an_answer_that_took_long_counts_from_when_it_came(world):
    """b's read was sent at 5 and answered at 60 (retried): its `at` says little about when b
    was met, so a's read of 10 is read again too."""
    a, b = q("a"), q("b")
    script = [(0.1, b, obs("pending", 0.1)), (10, a, obs("met", 10)), (60, b, obs("met", 5))]
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, {a: "met", b: "met"})
    assert sorted(query.name for _, query in refreshed) == ["a", "b"]


def test_reads_newer_than_the_last_turn_to_met_are_not_read_again(world):
    a, b = q("a"), q("b")
    script = [(0.1, b, obs("met", 0.1)), (0.2, a, obs("met", 0.2))]
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, {a: "met", b: "met"})
    assert refreshed == [(0.2, b)]


def test_healthy_watches_are_fresh_and_never_read_again(world):
    a, b = q("a"), q("b")
    script = [(0.1, a, obs("met", 0.1)), (0.1, b, obs("pending", 0.1)), (2.1, b, obs("met", 2.1))]
    _, refreshed = run_polled(world, [Remote("a", a), Remote("b", b)], script, {}, fresh=True)
    assert refreshed == [] and world.now == 2.1


def test_a_dependency_is_announced_resolved_once_while_its_reason_changes(world, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="kep")
    r, gate = q("r"), q("gate")
    monkeypatch.setitem(API_KINDS, Remote, SimpleNamespace(
        queries=lambda spec, settings, seen: (spec.query,),
        evaluate=lambda spec, settings, seen: met(seen[spec.query].objects[0]["state"]) if spec.query in seen
        and seen[spec.query].objects[0]["state"] != "pending" else pending("not yet")))
    eng, _ = engine(world, [Remote("r", r), Remote("gate", gate)], [
        (1, r, obs("1 of 1 ready (from Endpoints)")), (1.1, r, obs("1 of 1 ready")), (1.1, gate, obs("pending")),
        (2, gate, obs("open")), (2, r, obs("1 of 1 ready"))])
    eng.run()
    resolved = [rec.getMessage() for rec in caplog.records if "Remote(name='r'" in rec.getMessage()
                and "is resolved." in rec.getMessage()]
    assert resolved == [f"Dependency {Remote('r', r)} is resolved. (1 of 1 ready (from Endpoints))"]
