"""The whole program as a process against the fake kube-apiserver over HTTPS:
objects change while kep waits, and kep execs after the change, not before."""

from __future__ import annotations

import time

import pytest

from tests import factories as f
from tests.fakeapi import CustomResourceDef, Rule
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import kep_env, start_kep, wait_for_line
from tests.waiting import FOO, NS, REFERENCE_RULES, api, assert_still_waiting, cluster_env, finish  # noqa: F401

@pytest.mark.parametrize("watch", ["1", "0"])
def test_service_then_job_exec_only_after_both_are_met(api, tmp_path, watch):
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=False)))
    api.create(f.job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_JOBS="db-init", KEP_WATCH=watch)
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "Waiting for Job db-init in namespace openstack")
    api.patch("discovery.k8s.io/v1", "endpointslices", NS, "mariadb-abcde",
              {"endpoints": [f.endpoint("10.0.0.7", ready=True)]})
    wait_for_line(proc, "Dependency Service mariadb in namespace openstack is resolved.")
    assert_still_waiting(proc)
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    out, _ = finish(proc)
    assert out.splitlines()[-1] == "app started"


def test_reference_rbac_without_watch_polls_from_the_start_and_says_so_once(api, tmp_path):
    """The RBAC preflight finds watch not granted: no list and refused watch are spent."""
    api.create(f.job("db-init", NS))
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=False)))
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_JOBS="db-init", DEPENDENCY_SERVICE="mariadb")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "RBAC: watch is not granted on endpoints in openstack, endpointslices.discovery.k8s.io "
                        "in openstack, jobs.batch in openstack, services in openstack; polling every 0.3s from the start.")
    assert_still_waiting(proc, 0.5)
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    api.patch("discovery.k8s.io/v1", "endpointslices", NS, "mariadb-abcde", {"endpoints": [f.endpoint("10.0.0.7")]})
    out, _ = finish(proc)
    said = "".join(proc.transcript) + out
    assert said.count("polling") == 1 and "forbidden" not in said
    assert api.counts[("watch", "jobs")] == 0 and api.counts[("get", "jobs")] >= 1


def test_without_a_rules_review_a_refused_watch_falls_back_to_polling_and_says_so_once(api, tmp_path):
    api.create(f.job("db-init", NS))
    api.fault("create", "selfsubjectrulesreviews", times=10, code=403)
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_JOBS="db-init")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "polling it every 0.3s instead")
    assert_still_waiting(proc, 0.5)
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    out, _ = finish(proc)
    assert "".join(proc.transcript).count("polling it every") + out.count("polling it every") == 1
    assert api.counts[("watch", "jobs")] >= 1 and api.counts[("get", "jobs")] >= 1


def test_failed_job_is_reported_and_kep_keeps_waiting(api, tmp_path):
    api.create(f.failed_job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init")
    proc = start_kep("--", "echo", "ok", env=env)
    line = wait_for_line(proc, "failed (BackoffLimitExceeded)")
    assert "job openstack/db-init" in line
    assert_still_waiting(proc, 0.5)
    proc.terminate()
    assert proc.wait(timeout=5) == 143


def test_failed_job_exits_3_when_asked(api, tmp_path):
    api.create(f.failed_job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init", KEP_FAIL_ON_JOB_FAILURE="1")
    proc = start_kep("--", "echo", "ok", env=env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert "job openstack/db-init: failed (BackoffLimitExceeded)" in err
    assert "ok" not in out.splitlines()


def test_endpointslices_forbidden_falls_back_to_endpoints_asking_once(api, tmp_path):
    rules = [Rule(verbs=["get", "list", "watch"], api_groups=[""], resources=["endpoints"])]
    api.create(f.endpoints("mariadb", NS))
    env = cluster_env(api, tmp_path, rules=rules, DEPENDENCY_SERVICE="mariadb")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "EndpointSlices forbidden")
    assert_still_waiting(proc, 1.0)
    api.replace(f.endpoints("mariadb", NS, f.subset(["10.0.0.7"])))
    finish(proc)
    assert api.counts[("list", "endpointslices")] == 1


def test_container_daemonset_pod_and_custom_resource(api, tmp_path):
    api.create(f.pod("me", NS, node_name="node-a", containers={"app": False},
                     init_containers={"sidecar": True}, labels={"app": "me"}))
    ds = api.create(f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=1))
    api.create(f.pod("ovs-1", NS, node_name="node-a", ready=False, labels={"app": "ovs"},
                     owner_uid=ds["metadata"]["uid"]))
    api.create(f.pod("db-0", NS, host_ip="10.0.0.9", ready=True, labels={"app": "db"}))
    api.create(f.custom("stable.example.com/v1", "Foo", "my-foo", NS, spec={"arbitrary-key": "not-ready"}))
    env = cluster_env(
        api, tmp_path, rules=REFERENCE_RULES,
        DEPENDENCY_CONTAINER="sidecar",
        DEPENDENCY_DAEMONSET="ovs",
        DEPENDENCY_POD_JSON='[{"labels": {"app": "db"}}]',
        DEPENDENCY_CUSTOM_RESOURCE='[{"apiVersion": "stable.example.com/v1", "kind": "Foo", "name": "my-foo",'
                                   ' "fields": [{"key": "spec.arbitrary-key", "value": "ready"}]}]',
    )
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, 'spec.arbitrary-key is "not-ready", want "ready"')
    api.patch("v1", "pods", NS, "ovs-1", {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
              subresource="status")
    assert_still_waiting(proc, 0.8)
    api.patch("stable.example.com/v1", "foos", NS, "my-foo", {"spec": {"arbitrary-key": "ready"}})
    out, _ = finish(proc)
    assert out.splitlines()[-1] == "ok"


def test_timeout_says_why_each_api_dependency_is_unmet(api, tmp_path):
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_JOBS="db-init", KEP_TIMEOUT="1")
    proc = start_kep("--", "echo", "ok", env=env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 124
    lines = err.splitlines()
    assert len(lines) == 2
    assert "Service mariadb in namespace openstack: service openstack/mariadb not found" in lines[0]
    assert "Job db-init in namespace openstack: job openstack/db-init: not found" in lines[1]


def test_forbidden_is_said_plainly(api, tmp_path):
    env = cluster_env(api, tmp_path, rules=[], DEPENDENCY_JOBS="db-init", KEP_TIMEOUT="1")
    proc = start_kep(env=env)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 124
    assert 'forbidden: cannot get jobs.batch "db-init" in namespace "openstack"' in err


def test_no_cluster_configuration_is_a_one_line_error(tmp_path):
    env = kep_env(DEPENDENCY_SERVICE="mariadb", KEP_SERVICE_ACCOUNT_DIR=str(tmp_path / "none"),
                  HOME=str(tmp_path))
    proc = start_kep("--", "echo", "ok", env=env)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert len(err.splitlines()) == 1 and "no Kubernetes API configuration" in err


def test_namespace_comes_from_the_service_account_when_unset(api, tmp_path):
    api.create(f.job("db-init", NS, succeeded=1))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init")
    proc = start_kep("--", "echo", "ok", env=env)
    out, _ = finish(proc)
    assert "Job db-init in namespace openstack is resolved." in out


def test_dropped_watch_resumes_from_its_resource_version_without_missing_the_change(api, tmp_path):
    api.create(f.job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "not completed yet")
    assert api.wait_for_watches(1)
    assert api.drop_watches() == 1
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    finish(proc)
    assert api.counts[("list", "jobs")] == 1, "a dropped stream must resume, not relist"
    assert api.counts[("watch", "jobs")] == 2


def test_expired_resource_version_relists_and_sees_the_change(api, tmp_path):
    api.create(f.job("db-init", NS))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "not completed yet")
    assert api.wait_for_watches(1)
    api.slow("watch", "jobs", seconds=1.0)  # hold kep's re-watch while the change and compaction happen
    api.drop_watches()
    api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
    api.compact()
    finish(proc)
    assert api.counts[("list", "jobs")] == 2, "410 Gone must relist"


def test_dependencies_on_the_same_object_share_one_watch(api, tmp_path):
    api.create(f.pod("me", NS, node_name="node-a", containers={"app": True}, init_containers={"sidecar": True}))
    ds = api.create(f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=1))
    api.create(f.pod("ovs-1", NS, node_name="node-a", ready=False, labels={"app": "ovs"},
                     owner_uid=ds["metadata"]["uid"]))
    env = cluster_env(api, tmp_path, DEPENDENCY_CONTAINER="sidecar,app", DEPENDENCY_DAEMONSET="ovs")
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "pod ovs-1 on node-a is Running, not ready")
    assert api.wait_for_watches(3, exactly=True)  # own pod, the daemonset, its pods: one each
    api.patch("v1", "pods", NS, "ovs-1", {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
              subresource="status")
    finish(proc)
    # Own pod (read by two container dependencies and the daemonset) + the daemonset's pods.
    assert api.counts[("watch", "pods")] == 2
    assert api.counts[("list", "pods")] == 2


def test_namespace_variable_wins_over_the_service_account(api, tmp_path):
    api.create(f.job("db-init", "other", succeeded=1))
    env = cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init", NAMESPACE="other")
    out, _ = finish(start_kep(env=env))
    assert "Job db-init in namespace other is resolved." in out


def test_custom_resource_whose_crd_arrives_later_is_waited_for(api, tmp_path):
    env = cluster_env(
        api, tmp_path,
        DEPENDENCY_CUSTOM_RESOURCE='[{"apiVersion": "late.example.com/v1", "kind": "Bar", "name": "b1",'
                                   ' "conditions": [{"type": "Ready"}]}]',
    )
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, "apiVersion late.example.com/v1 is not served (yet)")
    api.add_custom_resource(CustomResourceDef(group="late.example.com", version="v1", kind="Bar", plural="bars"))
    wait_for_line(proc, "Bar openstack/b1: not found")
    api.create(f.custom("late.example.com/v1", "Bar", "b1", NS, conditions=[f.condition("Ready", "False")]))
    wait_for_line(proc, 'condition Ready is "False"')
    assert_still_waiting(proc, 0.5)
    api.patch("late.example.com/v1", "bars", NS, "b1",
              {"status": {"conditions": [f.condition("Ready", "True")]}}, subresource="status")
    out, _ = finish(proc)
    assert out.splitlines()[-1] == "ok"


def test_deployment_available_works_as_a_custom_resource(api, tmp_path):
    api.create(f.custom("apps/v1", "Deployment", "keystone", NS, conditions=[f.condition("Available", "True")]))
    env = cluster_env(api, tmp_path, DEPENDENCY_CUSTOM_RESOURCE='[{"apiVersion": "apps/v1", "kind": "Deployment",'
                                                              ' "name": "keystone", "conditions": [{"type": "Available"}]}]')
    out, _ = finish(start_kep("--", "echo", "ok", env=env))
    assert "Dependency Deployment keystone (apps/v1) in namespace openstack is resolved." in out


def test_discovery_is_read_once_per_run_when_the_kind_is_served(api, tmp_path):
    api.create(f.custom("stable.example.com/v1", "Foo", "my-foo", NS, spec={"k": "no"}))
    env = cluster_env(api, tmp_path, rules=REFERENCE_RULES, KEP_INTERVAL="0.1",
                      DEPENDENCY_CUSTOM_RESOURCE='[{"apiVersion": "stable.example.com/v1", "kind": "Foo",'
                                                 ' "name": "my-foo", "fields": [{"key": "spec.k", "value": "yes"}]}]')
    proc = start_kep("--", "echo", "ok", env=env)
    wait_for_line(proc, 'spec.k is "no", want "yes"')
    deadline = time.monotonic() + 30  # five polls of the object, however long they take here
    while api.counts[("get", "foos")] < 5:
        assert time.monotonic() < deadline, api.counts
        time.sleep(0.05)
    api.patch("stable.example.com/v1", "foos", NS, "my-foo", {"spec": {"k": "yes"}})
    finish(proc)
    assert api.counts[("get", "/apis/stable.example.com/v1")] == 1
    assert api.counts[("get", "foos")] >= 5
