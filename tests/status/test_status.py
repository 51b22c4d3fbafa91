"""`kep status` as an operator runs it from a laptop (a kubeconfig), against the fake
kube-apiserver: who waits on what, the root causes behind chains, cycles, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import kep_env, run_kep
from tests.status import waiting_pod

NS = "openstack"


@pytest.fixture
def api(fake_api):  # noqa: F811
    return fake_api


def laptop(api, tmp_path: Path, namespace: str = NS) -> dict[str, str]:
    return kep_env(KUBECONFIG=api.write_kubeconfig(tmp_path / "kubeconfig", namespace=namespace))


def chart(api) -> None:
    """keystone's db-sync never created; nova-db-sync's pod waits on keystone's service,
    whose pod waits on the db-sync that is not there; nova-api waits on nova-db-sync."""
    api.create(f.service("keystone-api", NS, selector={"application": "keystone"}))
    api.create(f.endpoint_slice("keystone-api", NS, f.endpoint("10.0.0.8", ready=False)))
    api.create(waiting_pod("keystone-api-5f7b9-abcde", NS, {"DEPENDENCY_JOBS": "keystone-db-sync"},
                           labels={"application": "keystone", "pod-template-hash": "5f7b9"},
                           owner=("ReplicaSet", "keystone-api-5f7b9", "rs-1")))
    job = api.create(f.job("nova-db-sync", NS, active=1))
    api.create(waiting_pod("nova-db-sync-x1", NS, {"DEPENDENCY_SERVICE": "keystone-api"},
                           owner=("Job", "nova-db-sync", job["metadata"]["uid"])))
    for n in range(2):
        api.create(waiting_pod(f"nova-api-7d9c5-{n}", NS, {"DEPENDENCY_JOBS": "nova-db-sync"},
                               labels={"pod-template-hash": "7d9c5"}, owner=("ReplicaSet", "nova-api-7d9c5", "rs-2")))


def test_status_names_the_job_that_was_never_created_as_the_root_cause_of_the_chain(api, tmp_path):
    chart(api)
    done = run_kep("status", env=laptop(api, tmp_path))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "POD", "CONTAINER", "DEPENDENCY", "STATE", "REASON"]
    rows = {line.split()[1]: line for line in lines[1:5]}
    assert rows["nova-api-7d9c5-0"].split()[2:5] == ["init:init", "Job", "openstack/nova-db-sync"]
    assert rows["nova-api-7d9c5-0"].endswith("<- waiting: nova-db-sync-x1")
    assert "job openstack/keystone-db-sync: not found" in rows["keystone-api-5f7b9-abcde"]
    at = lines.index("ROOT CAUSES (they wait on no waiting pod)")
    assert lines[at + 1].startswith("Job openstack/keystone-db-sync  pending  job openstack/keystone-db-sync: not found")
    assert lines[at + 2] == ("  holds 4 waiting pods: openstack/keystone-api-5f7b9-abcde, openstack/nova-api-7d9c5-0, "
                             "openstack/nova-api-7d9c5-1, openstack/nova-db-sync-x1")
    assert lines[-1] == "4 pods waiting, 1 root cause, 0 cycles"


def test_status_as_json_gives_each_pod_its_owner_dependencies_and_root_causes(api, tmp_path):
    chart(api)
    done = run_kep("status", "-n", NS, "-o", "json", env=laptop(api, tmp_path, namespace="default"))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["waiting"] == 4 and report["cycles"] == []
    pods = {p["name"]: p for p in report["pods"]}
    api_pod = pods["nova-api-7d9c5-1"]
    assert api_pod["owner"] == {"kind": "Deployment", "name": "nova-api"}
    assert api_pod["container"] == "init" and api_pod["init"] is True
    assert api_pod["dependencies"][0]["waitingPods"] == ["openstack/nova-db-sync-x1"]
    assert api_pod["rootCauses"] == [{"kind": "Job", "namespace": NS, "name": "keystone-db-sync"}]
    assert pods["nova-db-sync-x1"]["owner"] == {"kind": "Job", "name": "nova-db-sync"}
    assert [r["name"] for r in report["rootCauses"]] == ["keystone-db-sync"]
    assert len(report["rootCauses"][0]["pods"]) == 4


def test_status_reads_each_collection_once_whatever_the_number_of_pods(api, tmp_path):
    chart(api)
    for n in range(20):
        api.create(waiting_pod(f"more-{n}", NS, {"DEPENDENCY_JOBS": "nova-db-sync", "DEPENDENCY_SERVICE": "keystone-api",
                                                 "DEPENDENCY_DAEMONSET": "ovs"}))
    api.clear_requests()
    done = run_kep("status", env=laptop(api, tmp_path))
    assert done.returncode == 1, done.stderr
    reads = sorted((r.verb, r.resource) for r in api.requests if r.resource)
    assert reads == sorted([("list", "pods"), ("list", "jobs"), ("list", "services"), ("list", "endpointslices"),
                            ("list", "daemonsets")]), reads


def test_a_pod_resolves_its_own_downward_api_values(api, tmp_path):
    """POD_NAME from metadata.name: the DaemonSet kind finds this pod's node through it."""
    ds = api.create(f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=2))
    api.create(f.pod("ovs-1", NS, node_name="node-1", ready=False, labels={"app": "ovs"},
                     owner_uid=ds["metadata"]["uid"]))
    api.create(f.pod("ovs-2", NS, node_name="node-2", ready=True, labels={"app": "ovs"},
                     owner_uid=ds["metadata"]["uid"]))
    api.create(waiting_pod("neutron-1", NS, {"DEPENDENCY_DAEMONSET": "ovs"}, node="node-1"))
    api.create(waiting_pod("neutron-2", NS, {"DEPENDENCY_DAEMONSET": "ovs"}, node="node-2"))
    done = run_kep("status", "-o", "json", env=laptop(api, tmp_path))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [p["name"] for p in report["pods"]] == ["neutron-1"]
    assert "ovs-1 on node-1" in report["pods"][0]["dependencies"][0]["reason"]


def test_no_waiting_pod_is_exit_0(api, tmp_path):
    api.create(f.job("db-sync", NS, succeeded=1, conditions=[f.condition("Complete")]))
    api.create(waiting_pod("met-1", NS, {"DEPENDENCY_JOBS": "db-sync"}))
    api.create(waiting_pod("not-started", NS, {"DEPENDENCY_JOBS": "missing"}, state="waiting"))
    api.create(f.pod("plain", NS, ready=False))
    done = run_kep("status", env=laptop(api, tmp_path))
    assert (done.returncode, done.stdout) == (0, "no pod waits on its dependencies\n"), done.stderr


def test_a_cycle_is_reported(api, tmp_path):
    api.create(f.service("a", NS, selector={"app": "a"}))
    api.create(f.service("b", NS, selector={"app": "b"}))
    api.create(waiting_pod("a-0", NS, {"DEPENDENCY_SERVICE": "b"}, labels={"app": "a"}))
    api.create(waiting_pod("b-0", NS, {"DEPENDENCY_SERVICE": "a"}, labels={"app": "b"}))
    done = run_kep("status", env=laptop(api, tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[lines.index("CYCLES (they wait on each other: none will start by itself)") + 1] == \
        "openstack/a-0 -> openstack/b-0 -> openstack/a-0"
    assert lines[-1] == "2 pods waiting, 0 root causes, 1 cycle"


def test_selector_and_all_namespaces(api, tmp_path):
    api.create(waiting_pod("x", "one", {"DEPENDENCY_JOBS": "j"}, labels={"tier": "db"}))
    api.create(waiting_pod("y", "two", {"DEPENDENCY_JOBS": "j"}, labels={"tier": "web"}))
    everywhere = json.loads(run_kep("status", "-A", "-o", "json", env=laptop(api, tmp_path)).stdout)
    assert [(p["namespace"], p["name"]) for p in everywhere["pods"]] == [("one", "x"), ("two", "y")]
    chosen = json.loads(run_kep("status", "-A", "-l", "tier notin (web)", "-o", "json", env=laptop(api, tmp_path)).stdout)
    assert [p["name"] for p in chosen["pods"]] == ["x"]
    dot = run_kep("status", "-A", "-o", "dot", env=laptop(api, tmp_path)).stdout
    assert 'label="kep status: several namespaces"' in dot and 'label="Pod one/x\\nwaiting"' in dot


@pytest.mark.parametrize("args", [["-l", "tier in ("], ["-n", "Not_A_Namespace"], ["-n", "a", "-A"], ["-o", "yaml"]])
def test_bad_input_is_one_line_and_exit_2(api, tmp_path, args):
    done = run_kep("status", *args, env=laptop(api, tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_secrets_are_never_read_and_their_variables_are_unknown(api, tmp_path):
    env = [{"name": "DEPENDENCY_SERVICE", "valueFrom": {"secretKeyRef": {"name": "deps", "key": "services"}}}]
    api.create(waiting_pod("secretive", NS, env))
    done = run_kep("status", "-o", "json", env=laptop(api, tmp_path))
    finding = json.loads(done.stdout)["pods"][0]["dependencies"][0]
    assert finding["state"] == "unknown"
    assert finding["reason"] == "from secret deps (kep status reads no Secret)"
    assert not any(r.resource == "secrets" for r in api.requests)


def test_a_refused_environment_is_said_as_kep_would_say_it(api, tmp_path):
    api.create(waiting_pod("typo", NS, {"DEPENDENCY_SERVICE": "a:b:c"}))
    done = run_kep("status", env=laptop(api, tmp_path))
    assert done.returncode == 1
    assert "configuration refused (kep exits 2): DEPENDENCY_SERVICE" in done.stdout


def test_graph_outputs_group_pods_by_owner(api, tmp_path):
    chart(api)
    dot = run_kep("status", "-o", "dot", env=laptop(api, tmp_path)).stdout
    assert dot.startswith("digraph kep_status {")
    assert 'label="kep status: namespace openstack";' in dot, "one namespace: said once"
    assert 'label="Deployment nova-api\\n2 pods waiting"' in dot
    assert 'label="Job keystone-db-sync\\nroot cause", style=filled' in dot
    mermaid = run_kep("status", "-o", "mermaid", env=laptop(api, tmp_path)).stdout
    assert mermaid.splitlines()[:2] == ["%% kep status: namespace openstack", "flowchart LR"]
    assert '["Deployment nova-api<br/>2 pods waiting"]' in mermaid
    assert '-. "made by" .->' in mermaid


def test_rbac_status_prints_the_read_only_role_of_kep_status(tmp_path):
    done = run_kep("rbac", "--status", "-n", NS, "--service-account", "ops")
    assert done.returncode == 0, done.stderr
    import yaml

    role, binding = yaml.safe_load_all(done.stdout)
    assert (role["kind"], role["metadata"]) == ("Role", {"name": "ops-kep-status", "namespace": NS})
    granted = {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}
    assert granted == {("pods", "list"), ("services", "list"), ("configmaps", "list"), ("endpointslices", "list"),
                       ("jobs", "list"), ("daemonsets", "list"), ("endpoints", "get")}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "ops", "namespace": NS}]
    everywhere = list(yaml.safe_load_all(run_kep("rbac", "--status", "-A").stdout))
    assert [d["kind"] for d in everywhere] == ["ClusterRole", "ClusterRoleBinding"]
    assert run_kep("rbac", "-n", NS).returncode == 2
