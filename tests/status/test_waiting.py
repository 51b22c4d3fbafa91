"""Which container of a pod may be waiting in a wait-for entrypoint, from the pod's status."""

from __future__ import annotations

from kep.status.waiting import candidates
from tests.status import waiting_pod


def names(pod):
    return [(c.name, c.init) for c in candidates(pod)]


def test_the_running_init_container_is_the_candidate():
    assert names(waiting_pod("p", "ns", {})) == [("init", True)]


def test_a_container_not_started_yet_waits_on_its_node_not_on_dependencies():
    assert names(waiting_pod("p", "ns", {}, state="waiting")) == []


def test_init_containers_after_the_current_one_are_not_candidates():
    pod = waiting_pod("p", "ns", {})
    pod["spec"]["initContainers"].insert(0, {"name": "first"})
    pod["status"]["initContainerStatuses"].insert(0, {"name": "first", "state": {"running": {}}})
    assert names(pod) == [("first", True)]
    pod["status"]["initContainerStatuses"][0]["state"] = {"terminated": {"exitCode": 0}}
    assert names(pod) == [("init", True)]


def test_a_restarting_init_container_is_a_candidate_and_a_finished_one_is_not():
    pod = waiting_pod("p", "ns", {})
    pod["status"]["initContainerStatuses"][0].update(state={"waiting": {"reason": "CrashLoopBackOff"}},
                                                     lastState={"terminated": {"exitCode": 2}})
    assert names(pod) == [("init", True)]
    pod["status"]["initContainerStatuses"][0]["state"] = {"terminated": {"exitCode": 0}}
    assert names(pod) == []


def test_a_started_sidecar_is_done():
    pod = waiting_pod("p", "ns", {})
    pod["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    pod["status"]["initContainerStatuses"][0]["started"] = True
    assert names(pod) == []


def test_an_app_container_is_a_candidate_until_its_readiness_probe_answers():
    pod = waiting_pod("p", "ns", {}, init=False)
    assert names(pod) == [("app", False)]
    pod["status"]["containerStatuses"][0]["ready"] = True
    assert names(pod) == [("app", False)], "with no probe, ready says nothing of kep"
    pod["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 80}}
    assert names(pod) == []


def test_terminal_and_terminating_pods_wait_for_nothing():
    done = waiting_pod("p", "ns", {})
    done["status"]["phase"] = "Failed"
    leaving = waiting_pod("q", "ns", {})
    leaving["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert names(done) == names(leaving) == []
