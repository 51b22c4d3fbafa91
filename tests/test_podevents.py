"""Events on the own pod: the object describe lists, repeats counted on one Event, a rate limit
that holds whatever happens, a 403 said once; then kep as a process against the fake API."""

from __future__ import annotations

import itertools
import logging
import re
import threading
from typing import Any

import pytest

from kep.api.errors import ApiError, Forbidden, NotFound
from kep.api.resources import Resource
from kep.podevents import BURST, MESSAGE_LIMIT, QUEUE, Recorder, event_name
from kep.specs import Settings
from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import run_kep, start_kep, wait_for_line
from tests.test_rbac import as_fake_rules
from tests.waiting import NS, REFERENCE_RULES, api, cluster_env, finish  # noqa: F401

POD = "nova-api-0"
UID = "9b1f3c4e-0000-4000-8000-000000000001"
SETTINGS = Settings(namespace=NS, pod_name=POD)
SECOND = 10**9


class EventsApi:
    """Events in memory, as the API server keeps them: what the recorder wrote, in order
    (`writes`: verb and name), and the own pod (or the error reading it gives)."""

    def __init__(self, pod: dict[str, Any] | ApiError | None = None, refuse: ApiError | None = None) -> None:
        self.pod = pod if pod is not None else {"metadata": {"name": POD, "namespace": NS, "uid": UID}}
        self.refuse = refuse
        self.events: dict[str, dict[str, Any]] = {}
        self.writes: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict[str, Any]:
        assert (resource.plural, namespace, name) == ("pods", NS, POD)
        if isinstance(self.pod, ApiError):
            raise self.pod
        return self.pod

    def create(self, resource: Resource, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]:
        assert (resource.plural, namespace) == ("events", NS)
        self._wrote("create", obj["metadata"]["name"])
        if self.refuse is not None:
            raise self.refuse
        self.events[obj["metadata"]["name"]] = obj
        return obj

    def patch(self, resource: Resource, namespace: str | None, name: str, patch: dict[str, Any]) -> dict[str, Any]:
        self._wrote("patch", name)
        if name not in self.events:
            raise NotFound(verb="patch", resource="events", namespace=namespace, name=name)
        self.events[name].update(patch)
        return self.events[name]

    def _wrote(self, verb: str, name: str) -> None:
        with self.changed:
            self.writes.append((verb, name))
            self.changed.notify_all()

    def wait_for_writes(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.writes) >= count, timeout=5), self.writes

    def in_order(self) -> list[tuple[str, str, int]]:
        """(reason, message, count) of each Event, in the order the API lists them (by name)."""
        return [(e["reason"], e["message"], e["count"]) for _, e in sorted(self.events.items())]


def wall(start: int = 1_700_000_000 * SECOND, step: int = SECOND) -> Any:
    """Nanoseconds since the epoch, one second later at each call."""
    return itertools.count(start, step).__next__


def stopped_clock() -> float:
    return 0.0


def test_an_event_is_about_the_pod_with_its_uid_from_kep() -> None:
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall())
    recorder.record("Normal", "Waiting", "waiting for 1 dependency: Job db-sync in namespace openstack")
    recorder.start()
    recorder.finish("Normal", "DependenciesMet", "all 1 met after 3.0s; starting nova-api")
    first, last = sorted(events.events.values(), key=lambda e: e["metadata"]["name"])
    assert first == {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{POD}.{1_700_000_000 * SECOND:x}", "namespace": NS},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": NS, "name": POD, "uid": UID},
        "type": "Normal", "reason": "Waiting", "message": "waiting for 1 dependency: Job db-sync in namespace openstack",
        "source": {"component": "kep"}, "reportingComponent": "kep",
        "firstTimestamp": "2023-11-14T22:13:20Z", "lastTimestamp": "2023-11-14T22:13:20Z", "count": 1,
    }
    assert last["reason"] == "DependenciesMet" and last["firstTimestamp"] == "2023-11-14T22:13:21Z"


def test_repeats_that_wait_to_be_written_are_one_event_with_their_count() -> None:
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall())
    for _ in range(3):
        recorder.record("Warning", "DependencyUnmet", "Service db is no longer met: 0 of 1 endpoints ready")
    recorder.start()
    recorder.finish("Warning", "TimedOut", "KEP_TIMEOUT ran out")
    [unmet] = [e for e in events.events.values() if e["reason"] == "DependencyUnmet"]
    assert unmet["count"] == 3
    assert (unmet["firstTimestamp"], unmet["lastTimestamp"]) == ("2023-11-14T22:13:20Z", "2023-11-14T22:13:22Z")


def test_a_repeat_after_the_event_was_written_patches_its_count() -> None:
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall())
    recorder.start()
    recorder.record("Warning", "DependencyUnmet", "Service db is no longer met: 0 of 1 endpoints ready")
    events.wait_for_writes(1)
    recorder.record("Warning", "DependencyUnmet", "Service db is no longer met: 0 of 1 endpoints ready")
    events.wait_for_writes(2)
    [name] = events.events
    assert events.writes == [("create", name), ("patch", name)]
    assert (events.events[name]["count"], events.events[name]["lastTimestamp"]) == (2, "2023-11-14T22:13:21Z")


def test_an_event_gone_meanwhile_is_written_anew() -> None:
    """The API server keeps Events an hour: a PATCH that finds none creates it again, as client-go
    does; its count and first time start over with this occurrence."""
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall())
    recorder.start()
    recorder.record("Warning", "DependencyUnmet", "Service db is no longer met")
    events.wait_for_writes(1)
    [name] = events.events
    del events.events[name]
    recorder.record("Warning", "DependencyUnmet", "Service db is no longer met")
    events.wait_for_writes(3)
    [again] = events.events
    assert events.writes == [("create", name), ("patch", name), ("create", again)]
    assert (events.events[again]["count"], events.events[again]["firstTimestamp"]) == (1, "2023-11-14T22:13:21Z")


def test_the_rate_limit_holds_what_is_beyond_the_burst_but_not_how_the_run_ended() -> None:
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall(), clock=stopped_clock)
    for i in range(BURST + 3):
        recorder.record("Normal", "DependencyMet", f"Job job-{i} is met")
    recorder.start()
    events.wait_for_writes(BURST)
    recorder.finish("Warning", "TimedOut", "KEP_TIMEOUT ran out", timeout=0.3)
    reasons = [events.events[name]["reason"] for _, name in events.writes]
    assert reasons == ["DependencyMet"] * BURST + ["TimedOut"]


def test_a_403_stops_every_write_and_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kep")
    events = EventsApi(refuse=Forbidden(verb="create", resource="events", namespace=NS))
    recorder = Recorder(events, SETTINGS, wall=wall())
    recorder.record("Normal", "Waiting", "waiting for 1 dependency: Job db-sync in namespace openstack")
    recorder.record("Normal", "DependencyMet", "Job db-sync is met")
    recorder.start()
    recorder.finish("Normal", "DependenciesMet", "all 1 met")
    assert len(events.writes) == 1
    said = [r.getMessage() for r in caplog.records if r.name == "kep.podevents"]
    assert said == ['Events: forbidden: cannot create events in namespace "openstack"; none are recorded on pod '
                    'openstack/nova-api-0 (kep rbac --events prints the rule to add).']


@pytest.mark.parametrize("mount_uid, involved_uid", [("4d6f0e2a-0000-4000-8000-000000000002",) * 2, ("", None)])
def test_without_the_pod_the_uid_is_the_kubelet_mounts_else_none(mount_uid: str, involved_uid: str | None) -> None:
    events = EventsApi(pod=Forbidden(verb="get", resource="pods", namespace=NS, name=POD))
    recorder = Recorder(events, Settings(namespace=NS, pod_name=POD, own_pod_uid=mount_uid), wall=wall())
    recorder.start()
    recorder.finish("Normal", "DependenciesMet", "all 1 met")
    [event] = events.events.values()
    assert event["involvedObject"].get("uid") == involved_uid


def test_at_most_a_bounded_queue_waits_and_what_is_beyond_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kep")
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall(), clock=itertools.count(0.0, 60.0).__next__)
    for i in range(QUEUE + 4):
        recorder.record("Normal", "DependencyMet", f"Job job-{i} is met")
    recorder.start()
    recorder.finish("Normal", "DependenciesMet", "all met", timeout=5)
    assert len(events.events) == QUEUE + 1
    assert sum("dropping new ones" in r.getMessage() for r in caplog.records) == 1


def test_a_long_message_is_cut_to_the_limit() -> None:
    events = EventsApi()
    recorder = Recorder(events, SETTINGS, wall=wall())
    recorder.start()
    recorder.finish("Warning", "TimedOut", "KEP_TIMEOUT ran out: " + "; ".join(f"Job job-{i}: not found" for i in range(200)))
    [event] = events.events.values()
    assert len(event["message"].encode()) <= MESSAGE_LIMIT and event["message"].endswith("the rest]")


def test_an_event_name_is_an_object_name_of_the_pod_and_its_time() -> None:
    subdomain = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
    for pod in ("app", "a" * 253, "a" * 235 + "-b" * 9):
        name = event_name(pod, 1_700_000_000 * SECOND)
        assert len(name) <= 253 and subdomain.fullmatch(name), name
        assert name.endswith(f".{1_700_000_000 * SECOND:x}")


# -- kep as a process against the fake API server ------------------------------------------------

def events_of(api: Any) -> list[tuple[str, str, int]]:
    listed = api.list("v1", "events", NS)
    return [(e["reason"], e["message"], e["count"]) for e in sorted(listed, key=lambda e: e["metadata"]["name"])]


def test_kep_records_its_wait_on_its_pod_in_order_with_the_role_kep_rbac_events_prints(api, tmp_path):
    pod = api.create(f.pod("me", NS))
    api.create(f.job("db-sync", NS))
    printed = run_kep("rbac", "--events", env=cluster_env(api, tmp_path / "admin", DEPENDENCY_JOBS="db-sync"))
    env = cluster_env(api, tmp_path / "kep", rules=as_fake_rules(printed.stdout), DEPENDENCY_JOBS="db-sync")
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Waiting for Job db-sync in namespace openstack")
    api.patch("batch/v1", "jobs", NS, "db-sync", {"status": {"succeeded": 1}}, subresource="status")
    out, err = finish(proc)
    assert "Events" not in "".join(proc.transcript) + out + err
    assert events_of(api) == [
        ("Waiting", "waiting for 1 dependency: Job db-sync in namespace openstack", 1),
        ("DependencyMet", "Job db-sync in namespace openstack is met: job openstack/db-sync: succeeded", 1),
        (*events_of(api)[2][:2], 1),
    ]
    assert re.fullmatch(r"all 1 met after [0-9.]+s; starting echo", events_of(api)[2][1])
    assert {e["involvedObject"]["uid"] for e in api.list("v1", "events", NS)} == {pod["metadata"]["uid"]}


def test_without_the_right_kep_waits_as_before_and_says_so_once(api, tmp_path):
    api.create(f.pod("me", NS))
    api.create(f.job("db-sync", NS))
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_JOBS="db-sync")
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Events: RBAC does not allow kep to create and patch events in namespace openstack")
    api.patch("batch/v1", "jobs", NS, "db-sync", {"status": {"succeeded": 1}}, subresource="status")
    out, _ = finish(proc)
    assert "Events" not in out and api.list("v1", "events", NS) == []
    assert api.counts[("create", "events")] == 0
