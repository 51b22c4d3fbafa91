"""`kep check` and `kep --explain` as an operator runs them, against the fake kube-apiserver."""

from __future__ import annotations

import json

from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import run_kep
from tests.waiting import NS, api, cluster_env  # noqa: F401


def test_check_prints_a_table_and_exits_1_while_something_is_not_met(api, tmp_path):
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS, completions=2, succeeded=1, active=1))
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_JOBS="db-init",
                      DEPENDENCY_SOCKET=str(tmp_path / "missing.sock"), COMMAND="touch " + str(tmp_path / "ran"))
    done = run_kep("check", env=env)
    assert done.returncode == 1, done.stderr
    rows = done.stdout.splitlines()
    assert rows[0].split() == ["KIND", "NAMESPACE/NAME", "MET", "REASON"]
    assert rows[1].split()[:3] == ["Service", "openstack/mariadb", "yes"]
    assert rows[2].split()[:3] == ["Job", "openstack/db-init", "no"]
    assert rows[2].endswith("not completed yet (1 of 2 completions, 1 active)")
    assert rows[3].split()[:3] == ["Socket", str(tmp_path / "missing.sock"), "no"]
    assert not (tmp_path / "ran").exists(), "kep check never execs"
    assert not any(r.verb == "watch" for r in api.requests)


def test_check_as_json_exits_0_when_all_are_met(api, tmp_path):
    api.create(f.pod("me", NS, node_name="node-a"))
    ds = api.create(f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=1))
    api.create(f.pod("ovs-a", NS, node_name="node-a", ready=True, labels={"app": "ovs"}, owner_uid=ds["metadata"]["uid"]))
    env = cluster_env(api, tmp_path, DEPENDENCY_DAEMONSET="ovs")
    done = run_kep("check", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"met": True, "dependencies": [{
        "kind": "DaemonSet", "namespace": NS, "name": "ovs", "dependency": "Daemonset ovs in namespace openstack",
        "met": True, "state": "met", "reason": "daemonset openstack/ovs: pod ovs-a on node-a is ready"}]}


def test_check_with_a_malformed_environment_reports_every_problem_and_exits_2(api, tmp_path):
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="a:b:c", KEP_INTERVAL="-1")
    done = run_kep("check", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 2


def test_explain_says_what_will_be_read_and_asks_the_api_nothing(api, tmp_path):
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_DAEMONSET="infra:ovs",
                      KEP_WATCH="0", COMMAND="nova-api --debug")
    api.clear_requests()
    done = run_kep("--explain", env=env)
    assert done.returncode == 0, done.stderr
    assert api.requests == []
    out = done.stdout
    assert "Service mariadb in namespace openstack  [Service openstack/mariadb]" in out
    assert "list endpointslices.discovery.k8s.io with labels kubernetes.io/service-name=mariadb in namespace openstack" in out
    assert "get daemonsets.apps ovs in namespace infra" in out
    assert "list pods with labels from the DaemonSet's spec.selector in namespace infra" in out
    assert "get pods me in namespace openstack" in out
    assert "API reads: polled every 0.3s until met (KEP_WATCH=0); API server: https://" in out
    assert out.rstrip().endswith('command (COMMAND): ["nova-api", "--debug"]')


def test_check_and_explain_name_network_endpoints_with_credentials_masked(tmp_path):
    from tests.run import kep_env

    env = kep_env(DEPENDENCY_TCP="127.0.0.1:1", DEPENDENCY_HTTP="https://user:secret@127.0.0.1:1/health?token=abc",
                  KEP_INTERVAL="1")
    checked = run_kep("check", "-o", "json", env=env)
    assert checked.returncode == 1, checked.stderr
    rows = json.loads(checked.stdout)["dependencies"]
    assert [(r["kind"], r["name"], r["met"]) for r in rows] == [
        ("TCP", "127.0.0.1:1", False), ("HTTP", "https://***@127.0.0.1:1/health?***", False)]
    explained = run_kep("--explain", env=env)
    assert "connect to 127.0.0.1:1 every 1s" in explained.stdout
    assert "request https://***@127.0.0.1:1/health?*** every 1s" in explained.stdout
    assert "secret" not in checked.stdout + checked.stderr + explained.stdout + explained.stderr
    assert "abc" not in checked.stdout + explained.stdout
