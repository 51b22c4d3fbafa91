"""Custom resource kind: discovery, then GET the object, then fields and conditions
(reference: dependencies/customresource and client.CustomResource)."""

from __future__ import annotations

from typing import Any

import pytest

from kep.api.errors import ServerError
from kep.api.resources import JOBS, Resource
from kep.kinds import customresource as cr
from kep.reads import Observation, Query
from kep.specs import ConditionCheck, CustomResource, FieldCheck
from kep.verdict import State
from tests.factories import api_resource, api_resource_list, condition, custom
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

FOO_V1 = "stable.example.com/v1"
FOOS = Resource("stable.example.com", "v1", "foos", True, "Foo")
DISCOVERY = listed(api_resource_list(FOO_V1, api_resource("foos/status", "Foo"), api_resource("foos", "Foo"), api_resource("bars", "Bar")))


def field(key: str, value: str) -> FieldCheck:
    path = tuple(int(p) if p.isdigit() else p for p in key.split("."))
    return FieldCheck(key=key, path=path, value=value)


def foo(*fields: FieldCheck, conditions: tuple[ConditionCheck, ...] = ()) -> CustomResource:
    return CustomResource(FOO_V1, "Foo", "default", "my-foo", fields=fields, conditions=conditions)


def ready(*types: str) -> tuple[ConditionCheck, ...]:
    return tuple(ConditionCheck(t) for t in types)


def obj(**body: Any) -> Observation:
    return listed(custom(FOO_V1, "Foo", "my-foo", **body))


def at_generation(generation: int, observed: Any = None, conditions: list[dict[str, Any]] = (),
                  spec: dict[str, Any] | None = None, **status: Any) -> Observation:
    """The object at `metadata.generation`, with `status.observedGeneration` when `observed`
    is given, and `status` fields."""
    found = custom(FOO_V1, "Foo", "my-foo", conditions=conditions, **({"spec": spec} if spec else {}))
    found["metadata"]["generation"] = generation
    if observed is not None:
        status["observedGeneration"] = observed
    found.setdefault("status", {}).update(status)
    return listed(found)


def being_deleted(since: str) -> Observation:
    found = custom(FOO_V1, "Foo", "my-foo")
    found["metadata"]["deletionTimestamp"] = since
    return listed(found)


def conditioned(*pairs: tuple[str, str]) -> Observation:
    return listed(custom(FOO_V1, "Foo", "my-foo", conditions=[condition(t, s, "Reconciled") for t, s in pairs]))


def test_customresource_asks_discovery_first_then_only_gets_the_object() -> None:
    """Discovery is read once per run: after it serves the kind, only the object is asked."""
    spec = foo()
    assert cr.queries(spec, SETTINGS, {}) == (Query(discovery=FOO_V1),)
    asked = cr.queries(spec, SETTINGS, {Query(discovery=FOO_V1): DISCOVERY})
    assert asked == (Query(FOOS, "default", name="my-foo"),)
    assert all(q.is_get for q in asked)


def test_customresource_skips_subresources_when_matching_kind() -> None:
    outcome = settle(cr, foo(), {"discovery": DISCOVERY, "object": obj()})
    assert outcome.asked[-1].resource == FOOS


def test_customresource_cluster_scoped_object_is_read_without_namespace() -> None:
    spec = CustomResource("example.com/v1", "Cluster", "default", "main")
    discovery = listed(api_resource_list("example.com/v1", api_resource("clusters", "Cluster", namespaced=False)))
    outcome = settle(cr, spec, {"discovery": discovery, "object": listed()})
    assert outcome.asked[-1] == Query(Resource("example.com", "v1", "clusters", False, "Cluster"), None, name="main")
    assert (outcome.state, outcome.reason) == (State.PENDING, "Cluster main: not found")


def test_customresource_core_v1_uses_the_core_group() -> None:
    spec = CustomResource("v1", "ConfigMap", "openstack", "nova-etc", fields=(field("data.ready", "yes"),))
    discovery = listed(api_resource_list("v1", api_resource("configmaps", "ConfigMap"), api_resource("pods/log", "Pod"), api_resource("pods", "Pod")))
    outcome = settle(cr, spec, {"discovery": discovery, "object": listed(custom("v1", "ConfigMap", "nova-etc", "openstack", data={"ready": "yes"}))})
    assert outcome.seen.keys() == {Query(discovery="v1"), Query(Resource("", "v1", "configmaps", True, "ConfigMap"), "openstack", name="nova-etc")}
    assert (outcome.state, outcome.reason) == (State.MET, "ConfigMap openstack/nova-etc: matches")


def test_customresource_apps_v1_deployment_available() -> None:
    spec = CustomResource("apps/v1", "Deployment", "openstack", "keystone-api", conditions=ready("Available"))
    discovery = listed(api_resource_list(
        "apps/v1",
        api_resource("daemonsets", "DaemonSet"),
        api_resource("deployments", "Deployment"),
        api_resource("deployments/scale", "Scale"),
        api_resource("deployments/status", "Deployment"),
    ))
    deployment = custom("apps/v1", "Deployment", "keystone-api", "openstack", conditions=[
        condition("Progressing", "True", "NewReplicaSetAvailable"),
        condition("Available", "True", "MinimumReplicasAvailable"),
    ])
    outcome = settle(cr, spec, {"discovery": discovery, "object": listed(deployment)})
    assert outcome.asked[-1] == Query(Resource("apps", "v1", "deployments", True, "Deployment"), "openstack", name="keystone-api")
    assert (outcome.state, outcome.reason) == (State.MET, "Deployment openstack/keystone-api: matches")


def test_customresource_batch_v1_job_field_compares_number_as_json_text() -> None:
    spec = CustomResource("batch/v1", "Job", "openstack", "db-init", fields=(field("status.succeeded", "1"),))
    discovery = listed(api_resource_list("batch/v1", api_resource("cronjobs", "CronJob"), api_resource("jobs", "Job")))
    job = custom("batch/v1", "Job", "db-init", "openstack", status={"succeeded": 1})
    # The object query is the same value the job kind reads, so the engine can share it.
    outcome = settle(cr, spec, {"discovery": discovery, "job": listed(job)})
    assert outcome.asked[-1] == Query(JOBS, "openstack", name="db-init")
    assert (outcome.state, outcome.reason) == (State.MET, "Job openstack/db-init: matches")


SUBJECT = "Foo default/my-foo"

CASES = [
    # --- the reference's scenarios (customresource_test.go TestIsResolved) ---
    pytest.param(
        foo(field("simpleKey", "ready"), field("complex.key.with.layers", "ready")),
        obj(simpleKey="ready", complex={"key": {"with": {"layers": "ready"}}}),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_simple_and_nested_fields_match",
    ),
    pytest.param(
        foo(field("simpleKey", "ready")), obj(simpleKey="NOT-ready"),
        State.PENDING, f'{SUBJECT}: simpleKey is "NOT-ready", want "ready"',
        id="pending_when_field_differs",
    ),
    pytest.param(
        foo(), failing(ServerError(verb="get", resource="foos.stable.example.com", namespace="default", name="my-foo", code=500)),
        State.PENDING, 'API server answered 500 to get foos.stable.example.com "my-foo" in namespace "default"',
        id="pending_when_getting_object_fails",
    ),
    pytest.param(
        foo(field("notAMap.nothingHere", "ready")), obj(notAMap=5),
        State.PENDING, f"{SUBJECT}: notAMap.nothingHere is missing",
        id="pending_missing_when_path_goes_through_a_non_map",
    ),
    pytest.param(
        foo(field("missingKey", "ready")), obj(),
        State.PENDING, f"{SUBJECT}: missingKey is missing",
        id="pending_when_field_is_missing",
    ),
    pytest.param(
        foo(conditions=(ConditionCheck("Ready", "True"),)), conditioned(("Ready", "True")),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_condition_is_true",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), conditioned(("Ready", "True")),
        State.MET, f"{SUBJECT}: matches",
        id="condition_status_defaults_to_true",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), conditioned(("Ready", "False")),
        State.PENDING, f'{SUBJECT}: condition Ready is "False" (Reconciled), want "True"',
        id="pending_when_condition_is_false",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), conditioned(("Ready", "Unknown")),
        State.PENDING, f'{SUBJECT}: condition Ready is "Unknown" (Reconciled), want "True"',
        id="pending_when_condition_is_unknown",
    ),
    pytest.param(
        foo(conditions=(ConditionCheck("Ready"), ConditionCheck("Degraded", "False"))),
        conditioned(("Degraded", "False"), ("Ready", "True")),
        State.MET, f"{SUBJECT}: matches",
        id="condition_is_selected_by_type",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), conditioned(("Degraded", "False")),
        State.PENDING, f"{SUBJECT}: condition Ready is missing",
        id="pending_when_condition_type_is_absent",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), obj(),
        State.PENDING, f"{SUBJECT}: condition Ready is missing",
        id="pending_when_object_has_no_conditions_at_all",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), obj(status={"conditions": "not-a-list"}),
        State.PENDING, f"{SUBJECT}: condition Ready is missing",
        id="pending_when_conditions_is_not_a_list",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), obj(status={"conditions": [{"type": "Ready", "status": True}]}),
        State.PENDING, f'{SUBJECT}: condition Ready is true, want "True"',
        id="pending_when_condition_status_is_not_a_string",
    ),
    pytest.param(
        foo(field("kind", "Foo"), conditions=ready("Ready")), conditioned(("Ready", "True")),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_fields_and_conditions_both_hold",
    ),
    # --- kep ---
    pytest.param(
        foo(), obj(),
        State.MET, f"{SUBJECT}: exists",
        id="met_when_object_exists_and_nothing_is_checked",
    ),
    pytest.param(
        foo(field("kind", "Foo"), conditions=ready("Ready")), conditioned(("Ready", "False")),
        State.PENDING, f'{SUBJECT}: condition Ready is "False" (Reconciled), want "True"',
        id="pending_when_fields_hold_but_condition_does_not",
    ),
    pytest.param(
        foo(field("spec.arbitrary-key", "ready")), obj(spec={"arbitrary-key": "not-ready"}),
        State.PENDING, f'{SUBJECT}: spec.arbitrary-key is "not-ready", want "ready"',
        id="pending_names_field_value_and_wanted_value",
    ),
    pytest.param(
        foo(field("status.ok", "true")), obj(status={"ok": True}),
        State.MET, f"{SUBJECT}: matches",
        id="json_true_matches_string_true",
    ),
    pytest.param(
        foo(field("status.ok", "true")), obj(status={"ok": False}),
        State.PENDING, f'{SUBJECT}: status.ok is false, want "true"',
        id="json_false_does_not_match_true",
    ),
    pytest.param(
        foo(field("status.replicas", "3")), obj(status={"replicas": 3}),
        State.MET, f"{SUBJECT}: matches",
        id="json_number_matches_its_text",
    ),
    pytest.param(
        foo(field("status.ratio", "3")), obj(status={"ratio": 3.0}),
        State.MET, f"{SUBJECT}: matches",
        id="whole_float_matches_as_the_integer_go_would_print",
    ),
    pytest.param(
        foo(field("status.ratio", "2.5")), obj(status={"ratio": 2.5}),
        State.MET, f"{SUBJECT}: matches",
        id="json_float_matches_its_json_text",
    ),
    pytest.param(
        foo(field("status.owner", "null")), obj(status={"owner": None}),
        State.MET, f"{SUBJECT}: matches",
        id="json_null_matches_null",
    ),
    pytest.param(
        foo(field("status.replicas", "3")), obj(status={"replicas": "3"}),
        State.MET, f"{SUBJECT}: matches",
        id="string_value_compares_as_is",
    ),
    pytest.param(
        foo(field("status.nodes.1.ready", "yes")), obj(status={"nodes": [{"ready": "no"}, {"ready": "yes"}]}),
        State.MET, f"{SUBJECT}: matches",
        id="list_index_in_path",
    ),
    pytest.param(
        foo(field("spec.blob", "x")), obj(spec={"blob": "y" * 200}),
        State.PENDING, f'{SUBJECT}: spec.blob is "{"y" * 76}..., want "x"',
        id="long_values_are_shortened_in_the_reason",
    ),
    # --- generations and deletion, as their writers mean them (module docstring) ---
    pytest.param(
        foo(conditions=ready("Ready")), at_generation(3, observed=2, conditions=[condition("Ready", "True")]),
        State.PENDING, f"{SUBJECT}: its controller has not yet acted on generation 3 (status.observedGeneration 2)",
        id="pending_when_status_is_older_than_the_spec",
    ),
    pytest.param(
        foo(field("status.phase", "Running")), at_generation(3, observed=2, phase="Running"),
        State.PENDING, f"{SUBJECT}: its controller has not yet acted on generation 3 (status.observedGeneration 2)",
        id="pending_when_a_status_field_is_older_than_the_spec",
    ),
    pytest.param(
        foo(field("spec.size", "3")), at_generation(3, observed=2, spec={"size": 3}),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_only_spec_is_read_whatever_the_status_generation",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), at_generation(3, observed=3, conditions=[condition("Ready", "True")]),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_status_has_observed_the_generation",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), at_generation(12, conditions=[{**condition("Ready", "True"), "observedGeneration": 9}]),
        State.PENDING, f'{SUBJECT}: condition Ready is "True" for generation 9, but the object is at generation 12 '
                       "(out of date)",
        id="pending_when_the_condition_is_out_of_date",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), at_generation(12, conditions=[{**condition("Ready", "True"), "observedGeneration": 12}]),
        State.MET, f"{SUBJECT}: matches",
        id="met_when_the_condition_is_for_this_generation",
    ),
    pytest.param(
        foo(conditions=ready("Ready")),
        at_generation(12, conditions=[{**condition("Ready", "False", "Reconciling"), "observedGeneration": 9}]),
        State.PENDING, f'{SUBJECT}: condition Ready is "False" (Reconciling), want "True"',
        id="a_wrong_status_is_said_before_its_generation",
    ),
    pytest.param(
        foo(conditions=ready("Ready")), at_generation(2, observed="2", conditions=[condition("Ready", "True")]),
        State.MET, f"{SUBJECT}: matches",
        id="a_generation_that_is_not_an_integer_is_not_compared",
    ),
    pytest.param(
        foo(), being_deleted("2026-11-30T08:00:00Z"),
        State.PENDING, f"{SUBJECT}: being deleted (since 2026-11-30T08:00:00Z)",
        id="pending_when_the_object_is_being_deleted",
    ),
    pytest.param(
        foo(), listed(),
        State.PENDING, f"{SUBJECT}: not found",
        id="pending_when_object_is_not_found",
    ),
    pytest.param(
        foo(), not_found("foos.stable.example.com", "default", "my-foo"),
        State.PENDING, f"{SUBJECT}: not found",
        id="pending_when_object_get_is_404",
    ),
    pytest.param(
        foo(), forbidden("get", "foos.stable.example.com", "default", "my-foo"),
        State.PENDING, 'forbidden: cannot get foos.stable.example.com "my-foo" in namespace "default"',
        id="pending_when_object_get_is_forbidden",
    ),
    pytest.param(
        foo(), None,
        State.PENDING, f"waiting for {SUBJECT}",
        id="pending_until_object_is_read",
    ),
]


@pytest.mark.parametrize(("spec", "found", "state", "reason"), CASES)
def test_customresource(spec: CustomResource, found: Observation | None, state: State, reason: str) -> None:
    answers = {"discovery": DISCOVERY} | ({"object": found} if found is not None else {})
    outcome = settle(cr, spec, answers)
    assert (outcome.state, outcome.reason) == (state, reason)


def test_without_a_status_subresource_generations_are_not_compared() -> None:
    """There a status write bumps metadata.generation too (apiextensions-apiserver), so the
    writer's observedGeneration stays one behind for good: the generations say nothing."""
    no_status = listed(api_resource_list(FOO_V1, api_resource("foos", "Foo")))
    stale = at_generation(6, observed=5, conditions=[{**condition("Ready", "True"), "observedGeneration": 5}])
    outcome = settle(cr, foo(conditions=ready("Ready")), {"discovery": no_status, "object": stale})
    assert (outcome.state, outcome.reason) == (State.MET, f"{SUBJECT}: matches")
    outcome = settle(cr, foo(conditions=ready("Ready")), {"discovery": DISCOVERY, "object": stale})
    assert outcome.state is State.PENDING


DISCOVERY_CASES = [
    pytest.param(None, f"waiting for discovery of {FOO_V1}", id="pending_until_discovery_is_read"),
    pytest.param(listed(), f"apiVersion {FOO_V1} is not served (yet)", id="pending_when_api_version_is_not_served"),
    pytest.param(not_found(FOO_V1, None), f"apiVersion {FOO_V1} is not served (yet)", id="pending_when_discovery_is_404"),
    pytest.param(
        listed(api_resource_list(FOO_V1, api_resource("bars", "Bar"))),
        f"kind Foo is not served by {FOO_V1} (yet)",
        id="pending_when_kind_is_not_served",
    ),
    pytest.param(
        listed(api_resource_list(FOO_V1, api_resource("foos/status", "Foo"))),
        f"kind Foo is not served by {FOO_V1} (yet)",
        id="pending_when_kind_is_only_a_subresource",
    ),
    pytest.param(
        failing(ServerError(verb="get", resource=FOO_V1, code=503)),
        f"API server answered 503 to get {FOO_V1}",
        id="pending_when_discovery_fails",
    ),
]


@pytest.mark.parametrize(("discovery", "reason"), DISCOVERY_CASES)
def test_customresource_discovery(discovery: Observation | None, reason: str) -> None:
    answers = {"object": listed(custom(FOO_V1, "Foo", "my-foo"))} | ({"discovery": discovery} if discovery else {})
    outcome = settle(cr, foo(), answers)
    assert (outcome.state, outcome.reason) == (State.PENDING, reason)
    assert outcome.roles() == ["discovery"]
