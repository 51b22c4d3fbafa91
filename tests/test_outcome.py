"""How a run ends: one Event per change of the pending set, the last Event per exit, and the
termination message from what the wait last heard (the Events through a real Recorder)."""

from __future__ import annotations

import itertools
from pathlib import Path

from kep.outcome import Outcome
from kep.podevents import Recorder
from kep.verdict import failed, met, pending
from tests.test_podevents import SETTINGS, EventsApi, wall


def outcome_with_events(path: str = "") -> tuple[Outcome, EventsApi]:
    events = EventsApi()
    outcome = Outcome(path, clock=itertools.count(0.0, 1.5).__next__)
    outcome.recorder = Recorder(events, SETTINGS, wall=wall(), clock=itertools.count(0.0, 60.0).__next__)
    outcome.recorder.start()
    return outcome, events


def test_each_change_of_the_pending_set_is_one_event_and_a_timeout_ends_them(tmp_path: Path) -> None:
    path = tmp_path / "message"
    outcome, events = outcome_with_events(str(path))
    outcome.waiting(["Job db-sync in namespace openstack", "Service db in namespace openstack"])
    outcome.heard([], ["Job db-sync in namespace openstack: not complete",
                       "Service db in namespace openstack: 0 of 1 ready"])
    outcome.heard([("Service db in namespace openstack", met("1 of 1 ready"))],
                  ["Job db-sync in namespace openstack: not complete"])
    outcome.heard([("Service db in namespace openstack", pending("0 of 1 ready")),
                   ("Job db-sync in namespace openstack", failed("BackoffLimitExceeded"))],
                  ["Job db-sync in namespace openstack: BackoffLimitExceeded",
                   "Service db in namespace openstack: 0 of 1 ready"])
    assert outcome.ended(124, "KEP_TIMEOUT ran out") == 124
    assert events.in_order() == [
        ("Waiting", "waiting for 2 dependencies: Job db-sync in namespace openstack, Service db in namespace openstack", 1),
        ("DependencyMet", "Service db in namespace openstack is met: 1 of 1 ready", 1),
        ("DependencyUnmet", "Service db in namespace openstack is no longer met: 0 of 1 ready", 1),
        ("DependencyFailed", "Job db-sync in namespace openstack failed: BackoffLimitExceeded", 1),
        ("TimedOut", "KEP_TIMEOUT ran out after 1.5s, 2 of 2 not met; Job db-sync in namespace openstack: "
                     "BackoffLimitExceeded; Service db in namespace openstack: 0 of 1 ready", 1),
    ]
    assert path.read_text() == ("kep: KEP_TIMEOUT ran out after 1.5s, 2 of 2 not met\n"
                                "Job db-sync in namespace openstack: BackoffLimitExceeded\n"
                                "Service db in namespace openstack: 0 of 1 ready\n")


def test_dependencies_that_turn_met_together_are_one_event() -> None:
    outcome, events = outcome_with_events()
    outcome.waiting(["Job a", "Job b"])
    outcome.heard([("Job a", met("complete")), ("Job b", met())], [])
    outcome.handing_off(["nova-api", "--config-file", "/etc/nova/nova.conf"])
    assert events.in_order()[1:] == [("DependencyMet", "Job a is met: complete; Job b is met", 1),
                                     ("DependenciesMet", "all 2 met after 1.5s; starting nova-api", 1)]


def test_a_flapping_dependency_repeats_one_event_that_counts() -> None:
    outcome, events = outcome_with_events()
    outcome.waiting(["Service db"])
    for _ in range(3):
        outcome.heard([("Service db", met("1 of 1 ready"))], [])
        outcome.heard([("Service db", pending("0 of 1 ready"))], ["Service db: 0 of 1 ready"])
    outcome.ended(143, "terminated by signal 15 while waiting")
    assert [(reason, count) for reason, _, count in events.in_order()] == [
        ("Waiting", 1), ("DependencyMet", 3), ("DependencyUnmet", 3), ("Terminated", 1)]


def test_a_hand_off_leaves_the_termination_message_to_the_command(tmp_path: Path) -> None:
    path = tmp_path / "message"
    path.write_text("")
    outcome, events = outcome_with_events(str(path))
    outcome.waiting(["Job a"])
    outcome.handing_off([])
    assert path.read_text() == ""
    assert events.in_order()[-1] == ("DependenciesMet", "all 1 met after 1.5s; exiting 0 (no command)", 1)


def test_an_exit_before_the_wait_says_only_its_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "message"
    assert Outcome(str(path)).ended(4, "KEP_STRICT_RBAC=1: 1 read is not allowed, nothing was started",
                                    ["kep may not get jobs in namespace openstack: add to a Role there {...}"]) == 4
    assert path.read_text() == ("kep: KEP_STRICT_RBAC=1: 1 read is not allowed, nothing was started\n"
                                "kep may not get jobs in namespace openstack: add to a Role there {...}\n")
