"""Each dependency kind against status written by the real controller or kubelet, never by a patch.

The states issue 10 named (Job completions and failure, a DaemonSet pod not yet created or
still Pending, a terminating pod or endpoint), each produced by the real writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.cluster import manifests as m
from tests.cluster.kube import Kube, condition_time

SHORT_TIMEOUT = {"KEP_TIMEOUT": "4s"}  # how long kep must keep waiting on a state that is not met


def resolved_at(kube: Kube, ns: str, pod: str, subject: str) -> datetime:
    """When kep said `subject` (e.g. "Job db-sync") is resolved, as the runtime stamped the line."""
    lines = kube.logs(ns, pod, "init")
    found = [t for t, text in lines if f"Dependency {subject} " in text and " is resolved." in text]
    assert found, [text for _, text in lines]
    return found[0]


def test_a_job_with_three_completions_is_met_only_when_the_controller_completes_it(
        kube: Kube, kep_image: str, ns: str) -> None:
    kube.apply([*m.entrypoint_rbac(ns), m.job(ns, "db-migrate", "sleep 1", completions=3),
                m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_JOBS": "db-migrate"}))])
    kube.wait(ns, "condition=Ready", "pod/app")
    job = kube.get("job", "db-migrate", ns)
    assert job["status"]["succeeded"] == 3
    assert resolved_at(kube, ns, "app", "Job db-migrate") >= condition_time(job, "Complete")


def test_a_job_the_controller_failed_after_some_successes_exits_3(kube: Kube, kep_image: str, ns: str) -> None:
    """Indexed, 4 completions: indexes 0 and 1 succeed, index 2 fails and the pod failure policy fails the Job."""
    job = m.job(ns, "db-sync", 'test "$JOB_COMPLETION_INDEX" -lt 2', completions=4)
    job["spec"].update(completionMode="Indexed", parallelism=1, podFailurePolicy={"rules": [
        {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [1]}}]})
    kube.apply([*m.entrypoint_rbac(ns), job])
    kube.wait(ns, "condition=Failed", "job/db-sync")
    status = kube.get("job", "db-sync", ns)["status"]
    assert status["succeeded"] == 2 and status["failed"] == 1, status
    kube.apply([m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_JOBS": "db-sync"},
                                                            {"KEP_FAIL_ON_JOB_FAILURE": "1"}))])
    assert kube.init_exit_code(ns, "app") == 3


def test_a_daemonset_pod_pending_on_this_node_is_waited_for(kube: Kube, kep_image: str, ns: str) -> None:
    """The DaemonSet's pod is bound to this node but still Pending (its init container runs): not met until Ready.

    The init container ends when the test says so, once kep has said it waits: however slowly
    the containers start here."""
    ds = m.daemonset(ns, "openvswitch")
    ds["spec"]["template"]["spec"]["initContainers"] = [
        m.busybox("modprobe", "until test -e /tmp/loaded; do sleep 0.2; done")]
    kube.apply([*m.entrypoint_rbac(ns), ds])
    kube.wait(ns, f"jsonpath={{.spec.nodeName}}={kube.node}", "pod", "-l", "app=openvswitch")
    [pending] = kube.pods(ns, "app=openvswitch")
    assert pending["status"]["phase"] == "Pending", pending["status"]
    kube.apply([m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_DAEMONSET": "openvswitch"}))])
    kube.follow(ns, "app", "Waiting for Daemonset openvswitch")
    kube.watch_pod(ns, pending["metadata"]["name"], "{.status.initContainerStatuses[0].state.running}")
    kube.kubectl("-n", ns, "exec", pending["metadata"]["name"], "-c", "modprobe", "--", "touch", "/tmp/loaded")
    assert kube.init_exit_code(ns, "app") == 0
    [ready] = kube.pods(ns, "app=openvswitch")
    lines = [text for _, text in kube.logs(ns, "app", "init")]
    assert any("Waiting for Daemonset openvswitch" in text for text in lines), lines
    assert resolved_at(kube, ns, "app", "Daemonset openvswitch") >= condition_time(ready, "Ready")


def test_a_daemonset_whose_controller_has_not_created_the_pod_yet_is_waited_for(
        kube: Kube, kep_image: str, ns: str) -> None:
    """The controller cannot create the pod (its service account is missing) until the test creates it; the pod
    it then creates on this node is the one kep must wait for, never 'no pod on this node'."""
    ds = m.daemonset(ns, "openvswitch")
    ds["spec"]["template"]["spec"]["serviceAccountName"] = "openvswitch"
    kube.apply([*m.entrypoint_rbac(ns), ds])
    kube.wait(ns, "jsonpath={.status.desiredNumberScheduled}=1", "daemonset/openvswitch")
    assert kube.get("daemonset", "openvswitch", ns)["status"].get("currentNumberScheduled", 0) == 0
    kube.apply([m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_DAEMONSET": "openvswitch"}))])
    kube.follow(ns, "app", "Waiting for Daemonset openvswitch")
    kube.apply([{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "openvswitch", "namespace": ns}}])
    assert kube.init_exit_code(ns, "app") == 0
    [ready] = kube.pods(ns, "app=openvswitch")
    lines = [text for _, text in kube.logs(ns, "app", "init")]
    assert not [text for text in lines if "treating as met" in text], lines
    assert resolved_at(kube, ns, "app", "Daemonset openvswitch") >= condition_time(ready, "Ready")


@pytest.fixture(scope="module")
def terminating(kube: Kube, kep_image: str) -> Iterator[str]:
    """A Service's only pod, deleted but kept running (finalizer, SIGTERM ignored), and two keps waiting on it.

    `by-service` waits for the Service, `by-pod` for the pod's labels; each with KEP_TIMEOUT=4s.
    """
    with kube.namespace("terminating") as ns:
        memcached = {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": "memcached-0", "namespace": ns, "labels": {"app": "memcached"}, "finalizers": ["kep.example.com/keep"]},
            "spec": {"terminationGracePeriodSeconds": 60, "containers": [m.busybox(
                "memcached", 'trap "" TERM; while true; do sleep 1; done', readinessProbe=m.exec_probe(["true"]))]}}
        service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "memcached", "namespace": ns},
                   "spec": {"selector": {"app": "memcached"}, "ports": [{"port": 11211}]}}
        kube.apply([*m.entrypoint_rbac(ns), memcached, service])
        kube.wait(ns, "condition=Ready", "pod/memcached-0")
        slice_of_memcached = ("endpointslice", "-l", "kubernetes.io/service-name=memcached")
        kube.wait(ns, "jsonpath={.endpoints[0].conditions.ready}=true", *slice_of_memcached)
        kube.kubectl("-n", ns, "delete", "pod", "memcached-0", "--wait=false")
        kube.wait(ns, "jsonpath={.endpoints[0].conditions.terminating}=true", *slice_of_memcached)
        pod_json = json.dumps([{"labels": {"app": "memcached"}}])
        kube.apply([
            m.app_pod(ns, "by-service", m.entrypoint_container(kep_image, {"DEPENDENCY_SERVICE": "memcached"}, SHORT_TIMEOUT)),
            m.app_pod(ns, "by-pod", m.entrypoint_container(kep_image, {"DEPENDENCY_POD_JSON": pod_json}, SHORT_TIMEOUT))])
        try:
            yield ns
        finally:
            kube.kubectl("-n", ns, "patch", "pod", "memcached-0", "--type=json",
                         "-p", '[{"op": "remove", "path": "/metadata/finalizers"}]', check=False)
            # It ignores SIGTERM: without this, `down` would wait out its 60 s grace period.
            kube.kubectl("-n", ns, "delete", "pod", "memcached-0", "--grace-period=0", "--force", check=False)


def test_a_service_whose_only_endpoint_is_terminating_is_not_met(kube: Kube, terminating: str) -> None:
    """The EndpointSlice controller marks the endpoint ready=false, serving=true, terminating=true."""
    [endpoint] = json.loads(kube.kubectl("-n", terminating, "get", "endpointslice", "-l",
                                         "kubernetes.io/service-name=memcached", "-o", "json"))["items"][0]["endpoints"]
    assert endpoint["conditions"] == {"ready": False, "serving": True, "terminating": True}
    assert kube.init_exit_code(terminating, "by-service") == 124
    lines = [text for _, text in kube.logs(terminating, "by-service", "init")]
    assert any("service terminating/memcached" in text for text in lines[-3:]), lines


def test_a_terminating_pod_is_not_ready(kube: Kube, terminating: str) -> None:
    pod = kube.get("pod", "memcached-0", terminating)
    assert pod["metadata"].get("deletionTimestamp")
    assert kube.init_exit_code(terminating, "by-pod") == 124
