"""Status read as its writers mean it (issue 10), the whole program against the fake
kube-apiserver: the object changes while kep waits, and kep execs after the change."""

from __future__ import annotations

import socket
import time

import pytest

from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import start_kep, wait_for_line
from tests.waiting import NS, REFERENCE_RULES, api, assert_still_waiting, cluster_env, finish  # noqa: F401

JOBS = ("batch/v1", "jobs")


def set_ready(api, name: str, ready: bool) -> None:
    status = "True" if ready else "False"
    api.patch("v1", "pods", NS, name, {"status": {"conditions": [{"type": "Ready", "status": status}]}},
              subresource="status")


def test_job_with_completions_is_waited_for_until_all_succeed(api, tmp_path):
    api.create(f.job("db-migrate", NS, succeeded=1, active=1, completions=3))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-migrate"))
    wait_for_line(proc, "job openstack/db-migrate: not completed yet (1 of 3 completions, 1 active)")
    api.patch(*JOBS, NS, "db-migrate", {"status": {"succeeded": 2}}, subresource="status")
    wait_for_line(proc, "(2 of 3 completions, 1 active)")
    assert_still_waiting(proc, 0.5)
    api.patch(*JOBS, NS, "db-migrate", {"status": {"succeeded": 3, "active": 0}}, subresource="status")
    out, _ = finish(proc)
    assert "app started" in out


def test_job_that_failed_after_some_completions_fails_and_exits_3(api, tmp_path):
    api.create(f.job("test-job", NS, succeeded=2, active=1, completions=4))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="test-job", KEP_FAIL_ON_JOB_FAILURE="1")
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "not completed yet (2 of 4 completions, 1 active)")
    api.patch(*JOBS, NS, "test-job", {"status": {"failed": 3, "active": 0, "conditions": [
        f.condition("FailureTarget", "True", "BackoffLimitExceeded"),
        f.condition("Failed", "True", "BackoffLimitExceeded")]}}, subresource="status")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, err
    assert "job openstack/test-job: failed (BackoffLimitExceeded): 2 of 4 completions" in out + err
    assert "app started" not in out


def test_daemonset_pod_pending_on_this_node_is_waited_for(api, tmp_path):
    """Issue 10, input 3: the reference starts neutron's agent before Open vSwitch here."""
    api.create(f.pod("me", NS, node_name="node-a", host_ip="10.0.0.11"))
    ds = api.create(f.daemonset("openvswitch", NS, match_labels={"application": "openvswitch"}, desired=2))
    owned = {"labels": {"application": "openvswitch"}, "owner_uid": ds["metadata"]["uid"]}
    api.create(f.pod("openvswitch-b", NS, node_name="node-b", host_ip="10.0.0.12", ready=True, **owned))
    api.create(f.pod("openvswitch-a", NS, node_name="node-a", host_ip=None, phase="Pending", **owned))
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_DAEMONSET="openvswitch"))
    wait_for_line(proc, "daemonset openstack/openvswitch: pod openvswitch-a on node-a is Pending")
    assert_still_waiting(proc, 1.0)
    api.patch("v1", "pods", NS, "openvswitch-a", {"status": {"phase": "Running", "hostIP": "10.0.0.11",
              "conditions": [{"type": "Ready", "status": "True"}]}}, subresource="status")
    out, _ = finish(proc)
    assert "pod openvswitch-a on node-a is ready" in out
    own_reads = [r for r in api.requests if r.namespace == NS and (
        r.name == "me" or r.query.get("fieldSelector") == "metadata.name=me")]
    assert len(own_reads) <= 3, [(r.verb, r.query) for r in own_reads]  # not one per interval


def test_daemonset_without_pod_here_waits_until_its_controller_has_caught_up(api, tmp_path):
    api.create(f.pod("me", NS, node_name="node-a"))
    ds = api.create(f.daemonset("agent", NS, match_labels={"app": "agent"}, desired=2, current=1))
    api.create(f.pod("agent-b", NS, node_name="node-b", ready=True, labels={"app": "agent"},
                     owner_uid=ds["metadata"]["uid"]))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api, tmp_path, DEPENDENCY_DAEMONSET="agent"))
    wait_for_line(proc, "no pod on node-a yet; its controller has placed 1 of 2 pods")
    assert_still_waiting(proc, 0.5)
    api.create(f.pod("agent-a", NS, node_name="node-a", ready=False, labels={"app": "agent"},
                     owner_uid=ds["metadata"]["uid"]))
    wait_for_line(proc, "pod agent-a on node-a is Running, not ready")
    set_ready(api, "agent-a", True)
    finish(proc)


def test_terminating_pod_that_still_says_ready_is_not_ready(api, tmp_path):
    leaving = f.pod("db-0", NS, ready=True, labels={"app": "db"})
    leaving["metadata"]["finalizers"] = ["example.com/hold"]
    api.create(leaving)
    api.delete("v1", "pods", NS, "db-0")  # a finalizer holds it: only deletionTimestamp is set
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api, tmp_path, DEPENDENCY_POD_JSON='[{"labels": {"app": "db"}}]'))
    wait_for_line(proc, "1 listed, none ready (1 terminating)")
    assert_still_waiting(proc, 0.5)
    api.create(f.pod("db-1", NS, ready=True, labels={"app": "db"}))
    out, _ = finish(proc)
    assert "db-1 is ready" in out


@pytest.mark.parametrize("watch", ["1", "0"])
def test_resolved_is_announced_once_while_the_reason_changes(api, tmp_path, watch):
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_JOBS="db-init", KEP_WATCH=watch)
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Dependency Service mariadb in namespace openstack is resolved.")
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.8", ready=True), name="mariadb-xyz"))
    time.sleep(1.0)  # the reason becomes "2 of 2 endpoints ready" while it stays met
    api.patch(*JOBS, NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    out, _ = finish(proc)
    said = "".join(proc.transcript) + out
    assert said.count("Dependency Service mariadb in namespace openstack is resolved.") == 1


def test_unreachable_api_server_is_reported_at_once_while_retries_go_on(api, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init", KEP_TIMEOUT="3",
                      KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(port))
    proc = start_kep(env=env)
    wait_for_line(proc, "Resolving Job db-init")  # kep has started: how long that takes is the machine's
    started = time.monotonic()
    line = wait_for_line(proc, "Waiting for Job db-init")
    assert time.monotonic() - started < 2.5, "the first failed attempt must be reported at once, not after retries"
    assert f"127.0.0.1:{port}: connection refused" in line
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 124
    assert "connection refused" in err


def test_all_met_at_the_same_moment_when_polling(api, tmp_path):
    """Issue 10, rule 7: `a` turns unready and right after `b` turns ready; the read of `a`
    that said ready is older than `b`'s, so kep reads `a` again and keeps waiting."""
    api.create(f.service("a", NS))
    api.create(f.endpoint_slice("a", NS, f.endpoint("10.0.0.1", ready=True)))
    api.create(f.service("b", NS))
    api.create(f.endpoint_slice("b", NS, f.endpoint("10.0.0.2", ready=False)))
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_SERVICE="a,b", KEP_INTERVAL="0.5")
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Dependency Service a in namespace openstack is resolved.")
    time.sleep(1.0)
    api.patch("discovery.k8s.io/v1", "endpointslices", NS, "a-abcde", {"endpoints": [f.endpoint("10.0.0.1", ready=False)]})
    api.patch("discovery.k8s.io/v1", "endpointslices", NS, "b-abcde", {"endpoints": [f.endpoint("10.0.0.2", ready=True)]})
    wait_for_line(proc, "Dependency Service a in namespace openstack is no longer resolved")
    assert_still_waiting(proc, 1.0)
    api.patch("discovery.k8s.io/v1", "endpointslices", NS, "a-abcde", {"endpoints": [f.endpoint("10.0.0.1", ready=True)]})
    out, _ = finish(proc)
    assert "app started" in out


def test_suspended_job_waits_and_says_so(api, tmp_path):
    api.create(f.job("db-init", NS, completions=1, suspend=True,
                     conditions=[f.condition("Suspended", "True", "JobSuspended", "Job suspended")]))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init"))
    wait_for_line(proc, "job openstack/db-init: suspended (0 of 1 completions)")
    assert_still_waiting(proc, 0.5)
    api.patch(*JOBS, NS, "db-init", {"spec": {"suspend": False}})
    wait_for_line(proc, "not completed yet (0 of 1 completions)")
    api.patch(*JOBS, NS, "db-init", {"status": {"succeeded": 1, "conditions": [
        f.condition("Suspended", "False", "JobResumed"), f.condition("SuccessCriteriaMet", "True", "CompletionsReached"),
        f.condition("Complete", "True", "CompletionsReached")]}}, subresource="status")
    finish(proc)


def test_same_node_pod_is_found_by_node_name_before_the_kubelet_sets_host_ip(api, tmp_path):
    api.create(f.pod("me", NS, node_name="node-a", host_ip="10.0.0.11"))
    api.create(f.pod("agent-other", NS, node_name="node-b", host_ip="10.0.0.11", ready=True, labels={"app": "agent"}))
    api.create(f.pod("agent-here", NS, node_name="node-a", host_ip=None, phase="Pending", labels={"app": "agent"}))
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_POD_JSON='[{"labels": {"app": "agent"}, "requireSameNode": true}]'))
    wait_for_line(proc, "1 on this node (node-a), none ready")
    assert_still_waiting(proc, 0.5)
    set_ready(api, "agent-here", True)
    out, _ = finish(proc)
    assert "agent-here is ready" in out


def test_custom_resource_ready_for_an_older_generation_is_waited_for(api, tmp_path):
    """A spec change (a Helm upgrade) bumps metadata.generation; the operator's old Ready=True
    stands until it has reconciled the new generation (status.observedGeneration)."""
    foo = ("stable.example.com/v1", "foos")
    api.create({"apiVersion": "stable.example.com/v1", "kind": "Foo", "metadata": {"name": "db", "namespace": NS},
                "spec": {"size": 1}})
    api.patch(*foo, NS, "db", {"status": {"observedGeneration": 1, "conditions": [f.condition("Ready")]}},
              subresource="status")
    upgraded = api.patch(*foo, NS, "db", {"spec": {"size": 3}})
    assert upgraded["metadata"]["generation"] == 2  # the API server's own rule, not the test's
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api, tmp_path, DEPENDENCY_CUSTOM_RESOURCE='[{"apiVersion": "stable.example.com/v1", "kind": "Foo", '
                                                  '"name": "db", "conditions": [{"type": "Ready"}]}]'))
    wait_for_line(proc, "Foo openstack/db: its controller has not yet acted on generation 2 "
                        "(status.observedGeneration 1)")
    assert_still_waiting(proc, 0.5)
    api.patch(*foo, NS, "db", {"status": {"observedGeneration": 2}}, subresource="status")
    out, _ = finish(proc)
    assert "app started" in out


def test_a_held_dependency_that_turns_unmet_is_said_within_a_progress_interval(api, tmp_path):
    """Polling holds what is met, but still reads it once per progress interval: the log and
    the summary say when it is no longer met, while kep waits for the rest."""
    api.create(f.pod("a-0", NS, labels={"app": "a"}, ready=True))
    api.create(f.pod("b-0", NS, labels={"app": "b"}, ready=False))
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, KEP_PROGRESS_INTERVAL="1",
                      DEPENDENCY_POD_JSON='[{"labels": {"app": "a"}}, {"labels": {"app": "b"}}]')
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Dependency Pod with labels map[app:a] in namespace openstack is resolved")
    set_ready(api, "a-0", False)
    wait_for_line(proc, "is no longer resolved", timeout=5)
    set_ready(api, "a-0", True)
    set_ready(api, "b-0", True)
    out, _ = finish(proc)
    assert "app started" in out
