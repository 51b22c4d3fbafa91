"""`kep rbac`: the printed Roles, loaded as they are into the fake's RBAC, are all kep needs."""

from __future__ import annotations

import pytest
import yaml

from kep.rbac import needs, reads_of, render, with_events
from kep.reads import Read
from kep.api.resources import ENDPOINTSLICES, JOBS, PODS, Resource
from kep.specs import Plan
from kep import envparse
from tests import factories as f
from tests.fakeapi import Rule
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.run import run_kep, start_kep, wait_for_line
from tests.waiting import NS, api, cluster_env, finish  # noqa: F401

DEPENDENCIES = {
    "DEPENDENCY_SERVICE": "mariadb",
    "DEPENDENCY_JOBS": "db-init",
    "DEPENDENCY_DAEMONSET": "ovs",
    "DEPENDENCY_CONTAINER": "sidecar",
    "DEPENDENCY_POD_JSON": '[{"labels": {"app": "memcached"}, "namespace": "infra"}]',
    "DEPENDENCY_CUSTOM_RESOURCE": '[{"apiVersion": "example.com/v1", "kind": "Gadget", "name": "g1"}]',
}


def plan_of(**env: str) -> Plan:
    return envparse.parse({"NAMESPACE": NS, "POD_NAME": "me", **env})


def test_needs_merge_verbs_per_namespace_and_resource_only_read_verbs() -> None:
    reads = [Read(PODS, NS, "me"), Read(PODS, NS, selector="app=x"), Read(JOBS, "other", "j"),
             Read(ENDPOINTSLICES, NS, selector="s")]
    polled = {(n.namespace, n.resource): n.verbs for n in needs(reads, watch=False)}
    assert polled == {(NS, "pods"): ("get", "list"), ("other", "jobs"): ("get",), (NS, "endpointslices"): ("list",)}
    watched = {n.verbs for n in needs(reads, watch=True)}
    assert watched == {("list", "watch")}
    granted = {(n.namespace, n.resource): n.verbs for n in needs(reads, watch=True, with_check=True)}
    assert granted == {(NS, "pods"): ("get", "list", "watch"), ("other", "jobs"): ("get", "list", "watch"),
                       (NS, "endpointslices"): ("list", "watch")}


def test_events_add_create_and_patch_of_events_and_get_of_the_own_pod_to_what_is_read() -> None:
    reads = [Read(PODS, NS, selector="app=x"), Read(JOBS, "other", "j")]
    wanted = {(n.namespace, n.resource): n.verbs for n in with_events(needs(reads, watch=False), NS)}
    assert wanted == {(NS, "events"): ("create", "patch"), (NS, "pods"): ("get", "list"), ("other", "jobs"): ("get",)}
    assert with_events([], NS) == []  # no API read: kep records no Events either


def test_a_cluster_scoped_resource_needs_a_cluster_role() -> None:
    gadgets = Resource("example.com", "v1", "gadgets", namespaced=False, kind="Gadget")
    text = render(needs([Read(gadgets, None, "g1")], watch=True), "nova", NS, watch=True)
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == ["ClusterRole", "ClusterRoleBinding"]
    assert docs[0]["rules"] == [{"apiGroups": ["example.com"], "resources": ["gadgets"], "verbs": ["list", "watch"]}]
    assert docs[1]["subjects"] == [{"kind": "ServiceAccount", "name": "nova", "namespace": NS}]


def test_an_unresolved_custom_resource_says_its_plural_is_a_guess() -> None:
    text = render(needs(reads_of(plan_of(DEPENDENCY_CUSTOM_RESOURCE=DEPENDENCIES["DEPENDENCY_CUSTOM_RESOURCE"])),
                        watch=False), "default", NS, watch=False)
    assert "# gadgets: plural guessed from the kind" in text


def as_fake_rules(text: str) -> list[Rule]:
    """Roles bound in their namespace, ClusterRoles everywhere, as the API server would."""
    rules = []
    for doc in yaml.safe_load_all(text):
        if doc["kind"] not in ("Role", "ClusterRole"):
            continue
        namespace = doc["metadata"].get("namespace")
        for rule in doc["rules"]:
            rules.append(Rule(verbs=rule["verbs"], api_groups=rule["apiGroups"], resources=rule["resources"],
                              namespaces=[namespace] if namespace else None))
    return rules


@pytest.mark.parametrize("watch", [True, False])
def test_kep_runs_with_exactly_the_printed_rbac_and_nothing_is_forbidden(api, tmp_path, watch):
    api.create(f.pod("me", NS, node_name="node-a", containers={"app": True}, init_containers={"sidecar": True}))
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS, succeeded=1))
    ds = api.create(f.daemonset("ovs", NS, match_labels={"app": "ovs"}, desired=1))
    api.create(f.pod("ovs-a", NS, node_name="node-a", ready=True, labels={"app": "ovs"}, owner_uid=ds["metadata"]["uid"]))
    api.create(f.pod("memcached-0", "infra", ready=True, labels={"app": "memcached"}))
    api.create(f.custom("example.com/v1", "Gadget", "g1", None))
    admin_env = cluster_env(api, tmp_path / "admin", **DEPENDENCIES)
    printed = run_kep("rbac", *(() if watch else ("--no-watch",)), env=admin_env)
    assert printed.returncode == 0, printed.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(printed.stdout)]
    assert sorted(kinds) == ["ClusterRole", "ClusterRoleBinding", "Role", "Role", "RoleBinding", "RoleBinding"]
    assert all(set(rule.verbs) <= {"get", "list", "watch"} for rule in as_fake_rules(printed.stdout))

    env = cluster_env(api, tmp_path / "kep", rules=as_fake_rules(printed.stdout), **DEPENDENCIES)
    api.clear_requests()
    proc = start_kep("--", "echo", "app started", env=env)
    if not watch:
        wait_for_line(proc, "polling every 0.3s from the start")
    out, err = finish(proc)
    said = "".join(proc.transcript) + out + err
    assert "app started" in out and "forbidden" not in said.lower()
    watched = [r for r in api.requests if r.verb == "watch"]
    assert bool(watched) is watch
    checked = run_kep("check", env=env)  # the debugging tool works under that Role too
    assert checked.returncode == 0 and "forbidden" not in (checked.stdout + checked.stderr).lower(), checked.stdout


def test_nothing_to_grant_is_said_when_no_dependency_reads_the_api() -> None:
    text = render(needs(reads_of(plan_of(DEPENDENCY_TCP="db:5432")), watch=True), "default", NS, watch=True)
    assert text.splitlines()[-1] == "# none of them reads the Kubernetes API: there is nothing to grant"
    assert list(yaml.safe_load_all(text)) == []  # comments only: kubectl apply has nothing to do
