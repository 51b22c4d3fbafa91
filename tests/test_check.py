"""`kep check` and `kep --explain` as an operator runs them, against the fake kube-apiserver."""

from __future__ import annotations

import json
import logging

import pytest

from kep.api.errors import Unreachable
from kep.check import check
from kep.reads import Observation, Query
from kep.specs import Plan, Service, Settings
from tests import factories as f
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import kep_env, run_kep
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


def test_check_says_at_the_first_failed_attempt_that_it_retries_and_why(caplog):
    """The client retries an API server that does not answer for seconds: the first failed
    attempt of a read is logged at once (before the read returns), each reason once."""
    refused = Unreachable(verb="get", resource="services", namespace="ns", name="db",
                          detail="https://10.96.0.1:443: connection refused")
    logged_before_the_answer = []

    def fetch(query: Query, on_retry) -> Observation:
        on_retry(refused)
        logged_before_the_answer.append([r.getMessage() for r in caplog.records])
        on_retry(refused)
        return Observation(error=refused)

    with caplog.at_level(logging.WARNING, logger="kep.check"):
        verdicts = check(Plan((Service("ns", "db"),), Settings(namespace="ns")), fetch)
    line = ('cannot reach the API server to get services "db" in namespace "ns": '
            "https://10.96.0.1:443: connection refused; retrying")
    assert logged_before_the_answer[0] == [line]
    assert [r.getMessage() for r in caplog.records] == [line]
    assert not verdicts[Service("ns", "db")].is_met


@pytest.mark.slow  # the client's own retries of a refused connection: about 4 s
def test_check_against_a_refused_port_says_it_retries_on_stderr_and_prints_only_json(api, tmp_path):
    from tests.netservers import free_port

    kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig", server=f"https://127.0.0.1:{free_port()}",
                                      namespace=NS)
    done = run_kep("check", "-o", "json", env=kep_env(KUBECONFIG=kubeconfig, DEPENDENCY_JOBS="db-init"), timeout=60)
    assert done.returncode == 1, done.stderr
    (row,) = json.loads(done.stdout)["dependencies"]
    assert row["reason"].endswith(": connection refused")
    assert done.stderr.splitlines()[0].endswith(f'{row["reason"]}; retrying')
