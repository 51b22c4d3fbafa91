"""envparse: every valid form, every bad form, warnings, knobs; never any error but ConfigError."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from kep import envparse
from kep.envparse import parse, parse_field_key
from kep.envparse.variables import KEP_VARIABLES
from kep.errors import ConfigError
from kep.specs import (
    ConditionCheck,
    Config,
    Container,
    CustomResource,
    DaemonSet,
    FieldCheck,
    Job,
    Pod,
    Service,
    Settings,
    Socket,
)

LABEL_RULE = (
    'a DNS-1123 label (at most 63 characters: lowercase letters, digits and "-", '
    "starting and ending with a letter or digit)"
)
SUBDOMAIN_RULE = (
    'a DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, "-" and ".", '
    'each "."-separated part starting and ending with a letter or digit)'
)
POD = {"POD_NAME": "me-0"}
"""What container, daemonset and pod dependencies need besides themselves."""

ARGO_WORKFLOW = (
    '[{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","namespace":"default",'
    '"name":"wf-example","fields":[{"key":"status.phase","value":"Succeeded"}]}]'
)


def specs(env: dict[str, str], default_namespace: str = "default") -> tuple[Any, ...]:
    return parse(env, default_namespace).specs


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(env)
    return caught.value.problems


def cr(**fields: Any) -> str:
    """A DEPENDENCY_CUSTOM_RESOURCE value with one item: a valid Pod reference plus `fields`."""
    item = {"apiVersion": "v1", "kind": "Pod", "name": "web-0", **fields}
    return json.dumps([{k: v for k, v in item.items() if v is not None}])


# --- list variables ------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEPENDENCY_SERVICE": "mariadb"}, (Service("default", "mariadb"),)),
        ({"DEPENDENCY_SERVICE": "mysql:mariadb,keystone-api"},
         (Service("mysql", "mariadb"), Service("default", "keystone-api"))),
        ({"DEPENDENCY_SERVICE": "default:etcd,docker-registry:localhost"},
         (Service("default", "etcd"), Service("docker-registry", "localhost"))),
        ({"DEPENDENCY_SERVICE": " a , ns : b ,"}, (Service("default", "a"), Service("ns", "b"))),
        ({"DEPENDENCY_SERVICE": ",,a,,"}, (Service("default", "a"),)),
        ({"DEPENDENCY_SERVICE": "1st-db"}, (Service("default", "1st-db"),)),
        ({"DEPENDENCY_SERVICE": "a,a,ns:a,default:a"}, (Service("default", "a"), Service("ns", "a"))),
        ({"DEPENDENCY_DAEMONSET": "openvswitch-agent,kube-system:node.exporter", **POD},
         (DaemonSet("default", "openvswitch-agent"), DaemonSet("kube-system", "node.exporter"))),
        ({"DEPENDENCY_JOBS": "nova-init,openstack:neutron-init"},
         (Job("default", "nova-init"), Job("openstack", "neutron-init"))),
        ({"DEPENDENCY_CONTAINER": "nova-libvirt, virtlogd", **POD},
         (Container("nova-libvirt"), Container("virtlogd"))),
        ({"DEPENDENCY_SOCKET": "/var/run/openvswitch/ovs.socket"},
         (Socket("/var/run/openvswitch/ovs.socket"),)),
        ({"DEPENDENCY_SOCKET": "/run/a:b.sock,relative/x.sock"}, (Socket("/run/a:b.sock"), Socket("relative/x.sock"))),
        ({"DEPENDENCY_CONFIG": "/etc/nova/nova.conf,/etc/a:b/c.conf", "INTERFACE_NAME": "eth0"},
         (Config("/etc/nova/nova.conf"), Config("/etc/a:b/c.conf"))),
    ],
)
def test_list_items_become_specs(env: dict[str, str], expected: tuple[Any, ...]) -> None:
    assert specs(env) == expected


@pytest.mark.parametrize("value", ["", " ", ",", " , ,", "\n"])
@pytest.mark.parametrize("var", ["DEPENDENCY_SERVICE", "DEPENDENCY_CONTAINER", "DEPENDENCY_DAEMONSET",
                                 "DEPENDENCY_JOBS", "DEPENDENCY_SOCKET", "DEPENDENCY_CONFIG"])
def test_blank_list_declares_nothing_and_needs_nothing(var: str, value: str) -> None:
    """helm-toolkit renders "no dependencies" as "", and trailing commas happen."""
    plan = parse({var: value})
    assert plan.specs == () and plan.warnings == ()


def test_items_without_namespace_take_namespace_variable() -> None:
    assert specs({"DEPENDENCY_SERVICE": "a", "NAMESPACE": " openstack "}) == (Service("openstack", "a"),)


def test_items_without_namespace_take_default_namespace_when_namespace_unset() -> None:
    assert specs({"DEPENDENCY_SERVICE": "a"}, "from-file") == (Service("from-file", "a"),)


def test_blank_namespace_variable_falls_back_to_default_namespace() -> None:
    assert specs({"DEPENDENCY_SERVICE": "a", "NAMESPACE": "  "}, "from-file") == (Service("from-file", "a"),)


def test_blank_default_namespace_means_default() -> None:
    assert specs({"DEPENDENCY_SERVICE": "a"}, " \n") == (Service("default", "a"),)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEPENDENCY_SERVICE": "a:b:c"},
         'DEPENDENCY_SERVICE: item "a:b:c" has more than one ":" (expected name or namespace:name)'),
        ({"DEPENDENCY_SERVICE": ":name"},
         'DEPENDENCY_SERVICE: item ":name" has an empty namespace (expected name or namespace:name)'),
        ({"DEPENDENCY_SERVICE": "openstack/db"},
         'DEPENDENCY_SERVICE: item "openstack/db" has a "/" (expected name or namespace:name): '
         'the namespace goes before a ":"'),
        ({"DEPENDENCY_DAEMONSET": "ns:", **POD},
         'DEPENDENCY_DAEMONSET: item "ns:" has an empty name (expected name or namespace:name)'),
        ({"DEPENDENCY_JOBS": " : "},
         'DEPENDENCY_JOBS: item ":" has an empty namespace (expected name or namespace:name)'),
        ({"DEPENDENCY_SERVICE": "Foo:bar"},
         f'DEPENDENCY_SERVICE: item "Foo:bar": namespace "Foo" is not {LABEL_RULE}'),
        ({"DEPENDENCY_SERVICE": "my.svc"}, f'DEPENDENCY_SERVICE: item "my.svc": service name "my.svc" is not {LABEL_RULE}'),
        ({"DEPENDENCY_SERVICE": "a" * 64}, f'DEPENDENCY_SERVICE: item "{"a" * 64}": service name "{"a" * 64}" is not {LABEL_RULE}'),
        ({"DEPENDENCY_JOBS": "job_1"}, f'DEPENDENCY_JOBS: item "job_1": job name "job_1" is not {SUBDOMAIN_RULE}'),
        ({"DEPENDENCY_DAEMONSET": "ds-", **POD},
         f'DEPENDENCY_DAEMONSET: item "ds-": daemonset name "ds-" is not {SUBDOMAIN_RULE}'),
        ({"DEPENDENCY_CONTAINER": "ns:x", **POD},
         'DEPENDENCY_CONTAINER: item "ns:x" has a ":" (containers take no namespace: give the name only)'),
        ({"DEPENDENCY_CONTAINER": "Init", **POD},
         f'DEPENDENCY_CONTAINER: item "Init": container name "Init" is not {LABEL_RULE}'),
        ({"DEPENDENCY_CONFIG": "etc/nova.conf", "INTERFACE_NAME": "eth0"},
         'DEPENDENCY_CONFIG: item "etc/nova.conf" is not an absolute path'),
        ({"DEPENDENCY_CONFIG": "/etc/nova/", "INTERFACE_NAME": "eth0"},
         'DEPENDENCY_CONFIG: item "/etc/nova/" does not end in a file name (its basename names the template)'),
        ({"DEPENDENCY_CONFIG": "/etc/..", "INTERFACE_NAME": "eth0"},
         'DEPENDENCY_CONFIG: item "/etc/.." does not end in a file name (its basename names the template)'),
    ],
)
def test_bad_list_item_is_reported_with_variable_and_item(env: dict[str, str], message: str) -> None:
    assert problems(env) == [message]


def test_long_job_and_daemonset_names_are_subdomains_up_to_253() -> None:
    name = ".".join(["a" * 63] * 3) + "." + "b" * 61
    assert len(name) == 253
    assert specs({"DEPENDENCY_JOBS": name}) == (Job("default", name),)
    assert len(problems({"DEPENDENCY_JOBS": name + "c"})) == 1


def test_every_bad_item_of_a_list_is_reported() -> None:
    assert len(problems({"DEPENDENCY_SERVICE": "a:b:c,ok,:x,y:,Bad"})) == 4


def test_bad_value_in_message_is_escaped_and_shortened() -> None:
    [message] = problems({"DEPENDENCY_SERVICE": "bad\nname" + "x" * 200})
    assert "\n" not in message and '"bad\\nname' in message and '..."' in message


# --- JSON variables: common rules ------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "null", " null ", "[]", "[ ]", '""'])
@pytest.mark.parametrize("var", ["DEPENDENCY_JOBS_JSON", "DEPENDENCY_POD_JSON", "DEPENDENCY_CUSTOM_RESOURCE"])
def test_json_none_values_declare_nothing_and_need_nothing(var: str, value: str) -> None:
    plan = parse({var: value})
    assert plan.specs == () and plan.warnings == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[{", "DEPENDENCY_POD_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3"),
        ('[{"labels": {"a": "b"}} {}]', "DEPENDENCY_POD_JSON: invalid JSON: Expecting ',' delimiter at line 1 column 25"),
        ("[{'labels': {}}]", "DEPENDENCY_POD_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3"),
        ('[]\n[]', "DEPENDENCY_POD_JSON: invalid JSON: Extra data at line 2 column 1"),
        ("[NaN]", "DEPENDENCY_POD_JSON: invalid JSON: NaN is not JSON"),
        ("[-Infinity]", "DEPENDENCY_POD_JSON: invalid JSON: -Infinity is not JSON"),
        ("[1e999]", "DEPENDENCY_POD_JSON: invalid JSON: number 1e999 is out of range"),
        ("[" * 50000, "DEPENDENCY_POD_JSON: invalid JSON: nested too deeply"),
        ('{"labels": {"a": "b"}}', "DEPENDENCY_POD_JSON: must be a JSON array of objects, not an object"),
        ("{}", "DEPENDENCY_POD_JSON: must be a JSON array of objects, not an object"),
        ('"x"', "DEPENDENCY_POD_JSON: must be a JSON array of objects, not a string"),
        ("true", "DEPENDENCY_POD_JSON: must be a JSON array of objects, not a bool"),
        ('["a"]', "DEPENDENCY_POD_JSON: item 0: must be an object, not a string"),
        ("[null]", "DEPENDENCY_POD_JSON: item 0: must be an object, not null"),
        ("[[]]", "DEPENDENCY_POD_JSON: item 0: must be an object, not an array"),
    ],
)
def test_bad_json_document_is_one_problem_with_its_reason(value: str, message: str) -> None:
    assert problems({"DEPENDENCY_POD_JSON": value, **POD}) == [message]


def test_huge_json_integer_is_out_of_range_not_a_crash() -> None:
    [message] = problems({"DEPENDENCY_POD_JSON": "[" + "9" * 5000 + "]", **POD})
    assert message.startswith("DEPENDENCY_POD_JSON: invalid JSON: number 99999") and "out of range" in message


@pytest.mark.parametrize(
    "value",
    [
        '[{"Labels": {"app": "db"}, "NAMESPACE": "ns", "RequireSameNode": true}]',
        '[{"LABELS": {"app": "db"}, "namespace": "ns", "requiresamenode": true}]',
        '[{"labels": {"app": "db"}, "namespace": "ns", "requireSameNode": true, "resource": "pods", "x": [1]}]',
        '[{"labels": {"app": "x"}, "Labels": {"app": "db"}, "namespace": "ns", "requireSameNode": true}]',
    ],
    ids=["camel", "shouting", "unknown-keys-ignored", "last-duplicate-wins"],
)
def test_json_keys_match_like_go(value: str) -> None:
    assert specs({"DEPENDENCY_POD_JSON": value, **POD}) == (Pod("ns", (("app", "db"),), require_same_node=True),)


def test_label_keys_keep_their_case() -> None:
    value = '[{"labels": {"App": "x", "app": "y"}}]'
    assert specs({"DEPENDENCY_POD_JSON": value, **POD}) == (Pod("default", (("App", "x"), ("app", "y"))),)


@pytest.mark.parametrize("namespace", [None, "null", '""'])
def test_json_item_without_namespace_takes_default(namespace: str | None) -> None:
    member = "" if namespace is None else f', "namespace": {namespace}'
    value = f'[{{"labels": {{"a": "b"}}{member}}}]'
    assert specs({"DEPENDENCY_POD_JSON": value, "NAMESPACE": "mine", **POD}) == (Pod("mine", (("a", "b"),)),)


# --- DEPENDENCY_JOBS_JSON -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('[{"namespace": "foo", "name": "nova-init"}, {"labels": {"initializes": "neutron"}}]',
         (Job("foo", "nova-init"), Job("default", labels=(("initializes", "neutron"),)))),
        ('[{"labels": {"b": "2", "a": "1"}, "namespace": "ns"}]', (Job("ns", labels=(("a", "1"), ("b", "2"))),)),
        ('[{"name": "a"}, {"name": "a"}, {"name": "a", "namespace": "default"}]', (Job("default", "a"),)),
        ('[{"name": "a", "labels": null}]', (Job("default", "a"),)),
        ('[{"name": "", "labels": {"k": "v"}}]', (Job("default", labels=(("k", "v"),)),)),
        ('[{"labels": {"example.com/role": "init", "k": ""}}]',
         (Job("default", labels=(("example.com/role", "init"), ("k", ""))),)),
    ],
)
def test_jobs_json_items(value: str, expected: tuple[Job, ...]) -> None:
    assert specs({"DEPENDENCY_JOBS_JSON": value}) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('[{"name": "a", "labels": {"k": "v"}}]', 'DEPENDENCY_JOBS_JSON: item 0: has both "name" and "labels" (give one)'),
        ('[{"namespace": "ns"}]', 'DEPENDENCY_JOBS_JSON: item 0: needs "name" or "labels"'),
        ('[{"name": ""}]', 'DEPENDENCY_JOBS_JSON: item 0: needs "name" or "labels"'),
        ('[{"labels": {}}]', 'DEPENDENCY_JOBS_JSON: item 0: "labels" must not be empty'),
        ('[{"labels": {"k": 1}}]', 'DEPENDENCY_JOBS_JSON: item 0: "labels" must be an object of strings'),
        ('[{"labels": ["k"]}]', 'DEPENDENCY_JOBS_JSON: item 0: "labels" must be an object of strings'),
        ('[{"name": 5}]', 'DEPENDENCY_JOBS_JSON: item 0: "name" must be a string, not a number'),
        ('[{"name": "A"}]', f'DEPENDENCY_JOBS_JSON: item 0: name "A" is not {SUBDOMAIN_RULE}'),
        ('[{"name": "a", "namespace": 1}]', 'DEPENDENCY_JOBS_JSON: item 0: "namespace" must be a string, not a number'),
        ('[{"name": "a", "namespace": "a.b"}]', f'DEPENDENCY_JOBS_JSON: item 0: namespace "a.b" is not {LABEL_RULE}'),
    ],
)
def test_bad_jobs_json_item(value: str, message: str) -> None:
    assert problems({"DEPENDENCY_JOBS_JSON": value}) == [message]


def test_jobs_json_wins_over_jobs_with_a_warning() -> None:
    plan = parse({"DEPENDENCY_JOBS_JSON": '[{"name": "a"}]', "DEPENDENCY_JOBS": "b,c:d:e"})
    assert plan.specs == (Job("default", "a"),)
    assert plan.warnings == ("DEPENDENCY_JOBS is ignored because DEPENDENCY_JOBS_JSON is set",)


@pytest.mark.parametrize("jobs_json", ["[]", "null"])
def test_empty_jobs_json_still_overrides_jobs(jobs_json: str) -> None:
    """As in the reference: any non-blank DEPENDENCY_JOBS_JSON is the jobs declaration."""
    plan = parse({"DEPENDENCY_JOBS_JSON": jobs_json, "DEPENDENCY_JOBS": "b"})
    assert plan.specs == () and len(plan.warnings) == 1


def test_invalid_jobs_json_is_an_error_and_jobs_still_ignored() -> None:
    assert problems({"DEPENDENCY_JOBS_JSON": "[{", "DEPENDENCY_JOBS": "a:b:c"}) == [
        "DEPENDENCY_JOBS_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3"
    ]


@pytest.mark.parametrize("jobs", ["", "  ", ","])
def test_blank_jobs_beside_jobs_json_is_no_warning(jobs: str) -> None:
    assert parse({"DEPENDENCY_JOBS_JSON": '[{"name": "a"}]', "DEPENDENCY_JOBS": jobs}).warnings == ()


def test_blank_jobs_json_lets_jobs_count() -> None:
    assert specs({"DEPENDENCY_JOBS_JSON": " ", "DEPENDENCY_JOBS": "a"}) == (Job("default", "a"),)


# --- DEPENDENCY_POD_JSON ----------------------------------------------------------------


def test_pod_json_readme_example() -> None:
    value = ('[{"namespace": "foo", "labels": {"k1": "v1", "k2": "v2"}}, '
             '{"labels": {"k2": "v2", "k1": "v1"}, "requireSameNode": true}]')
    assert specs({"DEPENDENCY_POD_JSON": value, **POD}) == (
        Pod("foo", (("k1", "v1"), ("k2", "v2"))),
        Pod("default", (("k1", "v1"), ("k2", "v2")), require_same_node=True),
    )


@pytest.mark.parametrize("same_node", ["false", "null"])
def test_pod_json_require_same_node_defaults_false(same_node: str) -> None:
    value = f'[{{"labels": {{"a": "b"}}, "requireSameNode": {same_node}}}]'
    assert specs({"DEPENDENCY_POD_JSON": value, **POD}) == (Pod("default", (("a", "b"),)),)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('[{"namespace": "ns"}]', 'DEPENDENCY_POD_JSON: item 0: needs "labels"'),
        ('[{"labels": null}]', 'DEPENDENCY_POD_JSON: item 0: needs "labels"'),
        ('[{"labels": {}}]', 'DEPENDENCY_POD_JSON: item 0: "labels" must not be empty'),
        ('[{"labels": "app=db"}]', 'DEPENDENCY_POD_JSON: item 0: "labels" must be an object of strings'),
        ('[{"labels": {"a": "b"}, "requireSameNode": "true"}]',
         'DEPENDENCY_POD_JSON: item 0: "requireSameNode" must be a bool, not a string'),
        ('[{"labels": {"a": "b"}, "requireSameNode": 1}]',
         'DEPENDENCY_POD_JSON: item 0: "requireSameNode" must be a bool, not a number'),
        ('[{"labels": {"a b": "c"}}]',
         'DEPENDENCY_POD_JSON: item 0: label key "a b" is not valid (an optional DNS-1123 subdomain and "/", '
         'then at most 63 characters: letters, digits, "-", "_" and ".", starting and ending with a letter or digit)'),
        ('[{"labels": {"a": "x,y=z"}}]',
         'DEPENDENCY_POD_JSON: item 0: label "a" value "x,y=z" is not valid (empty, or at most 63 characters: '
         'letters, digits, "-", "_" and ".", starting and ending with a letter or digit)'),
    ],
)
def test_bad_pod_json_item(value: str, message: str) -> None:
    assert problems({"DEPENDENCY_POD_JSON": value, **POD}) == [message]


@pytest.mark.parametrize("key", ["Example.com/x", "/x", "a/b/c", "-a", "a" * 64, ""])
def test_bad_label_keys(key: str) -> None:
    assert len(problems({"DEPENDENCY_POD_JSON": json.dumps([{"labels": {key: "v"}}]), **POD})) == 1


@pytest.mark.parametrize("key", ["app.kubernetes.io/name", "A_b.C-9", "x" * 63, "example.com/" + "x" * 63])
def test_good_label_keys(key: str) -> None:
    assert specs({"DEPENDENCY_POD_JSON": json.dumps([{"labels": {key: "v"}}]), **POD}) == (Pod("default", ((key, "v"),)),)


def test_all_problems_of_one_item_and_of_every_item_are_reported() -> None:
    value = '[{"labels": {"A B": "c d"}, "requireSameNode": 1, "namespace": "N"}, 3, {"labels": {}}]'
    assert problems({"DEPENDENCY_POD_JSON": value, **POD}) == [
        f'DEPENDENCY_POD_JSON: item 0: namespace "N" is not {LABEL_RULE}',
        'DEPENDENCY_POD_JSON: item 0: label key "A B" is not valid (an optional DNS-1123 subdomain and "/", '
        'then at most 63 characters: letters, digits, "-", "_" and ".", starting and ending with a letter or digit)',
        'DEPENDENCY_POD_JSON: item 0: label "A B" value "c d" is not valid (empty, or at most 63 characters: '
        'letters, digits, "-", "_" and ".", starting and ending with a letter or digit)',
        'DEPENDENCY_POD_JSON: item 0: "requireSameNode" must be a bool, not a number',
        "DEPENDENCY_POD_JSON: item 1: must be an object, not a number",
        'DEPENDENCY_POD_JSON: item 2: "labels" must not be empty',
    ]


# --- DEPENDENCY_CUSTOM_RESOURCE --------------------------------------------------------


def test_custom_resource_helm_toolkit_example() -> None:
    assert specs({"DEPENDENCY_CUSTOM_RESOURCE": ARGO_WORKFLOW}) == (
        CustomResource(
            api_version="argoproj.io/v1alpha1",
            kind="Workflow",
            namespace="default",
            name="wf-example",
            fields=(FieldCheck(key="status.phase", path=("status", "phase"), value="Succeeded"),),
        ),
    )


def test_custom_resource_readme_example_with_conditions_and_helm_resource_key() -> None:
    value = ('[{"apiVersion":"stable.example.com/v1","kind":"Foo","namespace":"default","name":"my-foo",'
             '"resource":"foos","fields":[{"key":"spec.arbitrary-key","value":"ready"}],'
             '"conditions":[{"type":"Ready"},{"type":"Degraded","status":"False"},{"type":"X","status":""}]}]')
    [resource] = specs({"DEPENDENCY_CUSTOM_RESOURCE": value, "NAMESPACE": "other"})
    assert resource == CustomResource(
        "stable.example.com/v1", "Foo", "default", "my-foo",
        fields=(FieldCheck("spec.arbitrary-key", ("spec", "arbitrary-key"), "ready"),),
        conditions=(ConditionCheck("Ready", "True"), ConditionCheck("Degraded", "False"), ConditionCheck("X", "True")),
    )


def test_custom_resource_core_v1_and_default_namespace() -> None:
    [resource] = specs({"DEPENDENCY_CUSTOM_RESOURCE": cr(), "NAMESPACE": "mine"})
    assert resource == CustomResource("v1", "Pod", "mine", "web-0")
    assert (resource.group, resource.version) == ("", "v1")


def test_custom_resource_keys_are_case_insensitive() -> None:
    value = ('[{"APIVERSION":"apps/v1","Kind":"Deployment","NAME":"web",'
             '"Fields":[{"KEY":"status.readyReplicas","Value":2}],"CONDITIONS":[{"TYPE":"Available","STATUS":"True"}]}]')
    assert specs({"DEPENDENCY_CUSTOM_RESOURCE": value}) == (
        CustomResource("apps/v1", "Deployment", "default", "web",
                       (FieldCheck("status.readyReplicas", ("status", "readyReplicas"), "2"),),
                       (ConditionCheck("Available", "True"),)),
    )


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("status.phase", ("status", "phase")),
        ("spec.a-b.c", ("spec", "a-b", "c")),
        ("status.conditions[0].type", ("status", "conditions", 0, "type")),
        ("status.conditions[-1].status", ("status", "conditions", -1, "status")),
        ("items[0][1]", ("items", 0, 1)),
        ("$.status.phase", ("status", "phase")),
        ("{.status.phase}", ("status", "phase")),
        ("{$.status.phase}", ("status", "phase")),
        ("{ .status.phase }", ("status", "phase")),
        (".status.phase", ("status", "phase")),
        ("$[0]", (0,)),
        ("metadata.labels['app.kubernetes.io/name']", ("metadata", "labels", "app.kubernetes.io/name")),
        ('metadata.annotations["a.b/c"].x', ("metadata", "annotations", "a.b/c", "x")),
        ("status.conditions[ 2 ]", ("status", "conditions", 2)),
        ("spec.replicas", ("spec", "replicas")),
    ],
)
def test_field_key_forms(key: str, path: tuple[Any, ...]) -> None:
    assert parse_field_key(key) == path
    [resource] = specs({"DEPENDENCY_CUSTOM_RESOURCE": cr(fields=[{"key": key, "value": "x"}])})
    assert resource.fields == (FieldCheck(key, path, "x"),)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("status..phase", "has an empty part"),
        ("status.", "has an empty part"),
        ("..status", "has an empty part"),
        ("a.[0]", "has an empty part"),
        ("a['']", "has an empty part"),
        ("status.conditions[0", 'has an unclosed "["'),
        ("a['b]", 'has an unclosed "["'),
        ("{.status.phase", 'has an unclosed "{"'),
        ("status]", 'has a "]" without "["'),
        ("a[0]b", 'has text right after "]" (expected "." or "[")'),
        ("a[*]", 'has a bad index "[*]" (expected a number or a quoted key)'),
        ("a[?(@.type=='Ready')]", 'has a bad index "[?(@.type==\'Ready\')]" (expected a number or a quoted key)'),
        ("a[]", 'has a bad index "[]" (expected a number or a quoted key)'),
        ("$status", 'must go on with "." or "[" after "$"'),
        ("$", "names no field"),
        ("{}", "names no field"),
        ("{$.}", "names no field"),
        (" ", "names no field"),
    ],
)
def test_bad_field_key_is_reported_with_reason(key: str, reason: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        parse_field_key(key)
    assert str(caught.value) == reason
    assert problems({"DEPENDENCY_CUSTOM_RESOURCE": cr(fields=[{"key": key, "value": "x"}])}) == [
        f"DEPENDENCY_CUSTOM_RESOURCE: item 0: fields[0]: key {json.dumps(key)} {reason}"
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [("Succeeded", "Succeeded"), ("", ""), ("true", "true"), (True, "true"), (False, "false"),
     (3, "3"), (3.0, "3"), (-2, "-2"), (0.5, "0.5"), (1e20, "1e+20"), (12345678901234567890, "12345678901234567890")],
)
def test_field_value_is_stored_as_json_text(value: Any, text: str) -> None:
    [resource] = specs({"DEPENDENCY_CUSTOM_RESOURCE": cr(fields=[{"key": "a", "value": value}])})
    assert resource.fields[0].value == text


@pytest.mark.parametrize(
    ("fields", "conditions", "message"),
    [
        ([{"key": "a"}], None, 'fields[0]: needs "value"'),
        ([{"key": "a", "value": None}], None, 'fields[0]: "value" must be a string, number or bool, not null'),
        ([{"key": "a", "value": {"x": 1}}], None, 'fields[0]: "value" must be a string, number or bool, not an object'),
        ([{"key": "a", "value": [1]}], None, 'fields[0]: "value" must be a string, number or bool, not an array'),
        ([{"value": "x"}], None, 'fields[0]: needs "key"'),
        ([{"key": "", "value": "x"}], None, 'fields[0]: needs "key"'),
        ([{"key": 1, "value": "x"}], None, 'fields[0]: "key" must be a string, not a number'),
        (["status.phase"], None, "fields[0]: must be an object, not a string"),
        ({"key": "a", "value": "b"}, None, '"fields" must be an array of objects, not an object'),
        (None, [{"status": "True"}], 'conditions[0]: needs "type"'),
        (None, [{"type": "Ready", "status": True}], 'conditions[0]: "status" must be a string, not a bool'),
        (None, "Ready", '"conditions" must be an array of objects, not a string'),
    ],
)
def test_bad_custom_resource_fields_and_conditions(fields: Any, conditions: Any, message: str) -> None:
    value = cr(fields=fields, conditions=conditions)
    assert problems({"DEPENDENCY_CUSTOM_RESOURCE": value}) == [f"DEPENDENCY_CUSTOM_RESOURCE: item 0: {message}"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"kind": "Pod", "name": "a"}, 'needs "apiVersion"'),
        ({"apiVersion": "v1", "name": "a"}, 'needs "kind"'),
        ({"apiVersion": "v1", "kind": "Pod"}, 'needs "name"'),
        ({"apiVersion": "v1", "kind": "Pod", "name": ""}, 'needs "name"'),
        ({"apiVersion": 1, "kind": "Pod", "name": "a"}, '"apiVersion" must be a string, not a number'),
        ({"apiVersion": "a/b/v1", "kind": "Pod", "name": "a"},
         'apiVersion "a/b/v1" is not of the form version or group/version (e.g. v1, apps/v1, argoproj.io/v1alpha1)'),
        ({"apiVersion": "/v1", "kind": "Pod", "name": "a"},
         'apiVersion "/v1" is not of the form version or group/version (e.g. v1, apps/v1, argoproj.io/v1alpha1)'),
        ({"apiVersion": "apps/", "kind": "Pod", "name": "a"},
         'apiVersion "apps/" is not of the form version or group/version (e.g. v1, apps/v1, argoproj.io/v1alpha1)'),
        ({"apiVersion": "v1", "kind": "pods/status", "name": "a"},
         'kind "pods/status" is not valid (letters, digits and "-", starting with a letter, e.g. Workflow)'),
        ({"apiVersion": "v1", "kind": "Pod", "name": "a/b"}, 'name "a/b" is not valid (not "." or "..", and no "/" or "%")'),
        ({"apiVersion": "v1", "kind": "Pod", "name": ".."}, 'name ".." is not valid (not "." or "..", and no "/" or "%")'),
        ({"apiVersion": "v1", "kind": "Pod", "name": "a", "namespace": "A"}, f'namespace "A" is not {LABEL_RULE}'),
    ],
)
def test_bad_custom_resource_item(item: dict[str, Any], message: str) -> None:
    value = json.dumps([item])
    assert problems({"DEPENDENCY_CUSTOM_RESOURCE": value}) == [f"DEPENDENCY_CUSTOM_RESOURCE: item 0: {message}"]


def test_custom_resource_name_may_be_any_path_segment() -> None:
    """Some resources allow names that are not DNS names (e.g. RBAC roles with ":")."""
    [resource] = specs({"DEPENDENCY_CUSTOM_RESOURCE": cr(name="system:controller:Foo_1")})
    assert resource.name == "system:controller:Foo_1"


# --- all problems at once; order of specs ------------------------------------------------


def test_every_bad_variable_is_reported_at_once_in_variable_order() -> None:
    env = {
        "DEPENDENCY_SERVICE": "a:b:c",
        "DEPENDENCY_CONTAINER": "ns:x",
        "DEPENDENCY_JOBS_JSON": "[{",
        "DEPENDENCY_CUSTOM_RESOURCE": "{}",
        "DEPENDENCY_CONFIG": "relative",
        "KEP_INTERVAL": "-1",
        "KEP_TIMEOUT": "soon",
    }
    assert problems(env) == [
        'DEPENDENCY_SERVICE: item "a:b:c" has more than one ":" (expected name or namespace:name)',
        'DEPENDENCY_CONTAINER: item "ns:x" has a ":" (containers take no namespace: give the name only)',
        "DEPENDENCY_JOBS_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3",
        "DEPENDENCY_CUSTOM_RESOURCE: must be a JSON array of objects, not an object",
        'DEPENDENCY_CONFIG: item "relative" is not an absolute path',
        "POD_NAME: required by DEPENDENCY_CONTAINER (set it from the downward API: fieldRef metadata.name)",
        "INTERFACE_NAME: required by DEPENDENCY_CONFIG (the network interface whose address fills {{ .IP }}, e.g. eth0)",
        'KEP_INTERVAL: "-1" must not be negative',
        'KEP_TIMEOUT: "soon" is not a duration (seconds, e.g. 2 or 0.5, or with a unit: 500ms, 1m30s, 1h)',
    ]


def test_config_error_str_is_one_line_per_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"DEPENDENCY_SERVICE": "a:b:c,:x"})
    assert str(caught.value).splitlines() == caught.value.problems


def test_specs_come_in_variable_order_then_item_order() -> None:
    env = {
        "DEPENDENCY_HTTP_JSON": '[{"url": "http://b/"}]',
        "DEPENDENCY_HTTP": "http://a/",
        "DEPENDENCY_TCP": "db:5432",
        "DEPENDENCY_CONFIG": "/etc/a.conf",
        "DEPENDENCY_SOCKET": "/run/a.sock",
        "DEPENDENCY_CUSTOM_RESOURCE": cr(),
        "DEPENDENCY_POD_JSON": '[{"labels": {"a": "b"}}]',
        "DEPENDENCY_JOBS": "j2,j1",
        "DEPENDENCY_DAEMONSET": "ds",
        "DEPENDENCY_CONTAINER": "c",
        "DEPENDENCY_SERVICE": "s2,s1",
        "INTERFACE_NAME": "eth0",
        **POD,
    }
    assert [type(s).__name__ for s in specs(env)] == [
        "Service", "Service", "Container", "DaemonSet", "Job", "Job", "Pod", "CustomResource", "Socket", "Config",
        "Tcp", "Http", "Http",
    ]
    assert [str(s) for s in specs(env)][:2] == ["Service s2 in namespace default", "Service s1 in namespace default"]


# --- POD_NAME, INTERFACE_NAME, NAMESPACE -----------------------------------------------------


@pytest.mark.parametrize(
    ("env", "needing"),
    [
        ({"DEPENDENCY_CONTAINER": "c"}, "DEPENDENCY_CONTAINER"),
        ({"DEPENDENCY_DAEMONSET": "d"}, "DEPENDENCY_DAEMONSET"),
        ({"DEPENDENCY_POD_JSON": '[{"labels": {"a": "b"}}]'}, "DEPENDENCY_POD_JSON"),
        ({"DEPENDENCY_CONTAINER": "c", "DEPENDENCY_POD_JSON": '[{"labels": {"a": "b"}}]', "POD_NAME": " "},
         "DEPENDENCY_CONTAINER, DEPENDENCY_POD_JSON"),
    ],
)
def test_pod_name_is_required_by_kinds_that_read_the_own_pod(env: dict[str, str], needing: str) -> None:
    assert problems(env) == [f"POD_NAME: required by {needing} (set it from the downward API: fieldRef metadata.name)"]


@pytest.mark.parametrize(
    "env",
    [
        {"DEPENDENCY_SERVICE": "s"},
        {"DEPENDENCY_JOBS": "j"},
        {"DEPENDENCY_CUSTOM_RESOURCE": cr()},
        {"DEPENDENCY_SOCKET": "/run/x"},
        {"DEPENDENCY_CONTAINER": "", "DEPENDENCY_DAEMONSET": " , ", "DEPENDENCY_POD_JSON": "[]"},
    ],
)
def test_pod_name_is_not_required_otherwise(env: dict[str, str]) -> None:
    assert parse(env).settings.pod_name == ""


def test_pod_name_is_required_even_when_the_items_are_bad() -> None:
    """The user declared a dependency that needs it: say so now rather than after the next fix."""
    assert len(problems({"DEPENDENCY_CONTAINER": "a:b"})) == 2


def test_bad_pod_name_is_reported_when_needed() -> None:
    assert problems({"DEPENDENCY_CONTAINER": "c", "POD_NAME": "Me_0"}) == [
        f'POD_NAME: pod name "Me_0" is not {SUBDOMAIN_RULE}'
    ]


def test_interface_name_is_required_by_config() -> None:
    assert problems({"DEPENDENCY_CONFIG": "/etc/a.conf"}) == [
        "INTERFACE_NAME: required by DEPENDENCY_CONFIG (the network interface whose address fills {{ .IP }}, e.g. eth0)"
    ]


@pytest.mark.parametrize("interface", ["eth0:1", "a/b", "x" * 16, ".."])
def test_bad_interface_name_is_reported(interface: str) -> None:
    [message] = problems({"DEPENDENCY_CONFIG": "/etc/a.conf", "INTERFACE_NAME": interface})
    assert message.startswith(f"INTERFACE_NAME: interface {json.dumps(interface)} is not a network interface name")


def test_common_settings_are_trimmed() -> None:
    settings = parse({"DEPENDENCY_CONFIG": "/etc/a.conf", "INTERFACE_NAME": " eth0 ",
                      "DEPENDENCY_CONTAINER": "c", "POD_NAME": " me-0\n"}).settings
    assert (settings.interface_name, settings.pod_name) == ("eth0", "me-0")


def test_bad_namespace_is_an_error_when_an_api_dependency_uses_it() -> None:
    assert problems({"DEPENDENCY_SERVICE": "ns:s", "NAMESPACE": "My NS"}) == [
        f'NAMESPACE: namespace "My NS" is not {LABEL_RULE}'
    ]


def test_bad_default_namespace_is_reported_as_such() -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"DEPENDENCY_SERVICE": "s"}, "Bad")
    assert caught.value.problems == [f'NAMESPACE: unset, and the default namespace "Bad" is not {LABEL_RULE}']


@pytest.mark.parametrize("env", [{}, {"DEPENDENCY_SOCKET": "/run/x"}, {"DEPENDENCY_CONFIG": "/etc/a", "INTERFACE_NAME": "lo"}])
def test_namespace_is_not_checked_without_api_dependencies(env: dict[str, str]) -> None:
    """The application's own environment may use NAMESPACE for something else."""
    assert parse({**env, "NAMESPACE": "Not A Namespace"}).settings.namespace == "Not A Namespace"


# --- knobs ------------------------------------------------------------------------------------


def test_settings_defaults() -> None:
    assert parse({}).settings == Settings()
    assert parse({}, "kube-system").settings == Settings(namespace="kube-system")


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"KEP_INTERVAL": "0.5"}, "interval", 0.5),
        ({"KEP_INTERVAL": " 10 "}, "interval", 10.0),
        ({"KEP_INTERVAL": ".25"}, "interval", 0.25),
        ({"KEP_INTERVAL": "5."}, "interval", 5.0),
        ({"KEP_INTERVAL": "500ms"}, "interval", 0.5),
        ({"KEP_INTERVAL": ""}, "interval", 2.0),
        ({"KEP_TIMEOUT": "0"}, "timeout", 0.0),
        ({"KEP_TIMEOUT": "-0"}, "timeout", 0.0),
        ({"KEP_TIMEOUT": "300"}, "timeout", 300.0),
        ({"KEP_TIMEOUT": "1m30s"}, "timeout", 90.0),
        ({"KEP_TIMEOUT": "1.5h"}, "timeout", 5400.0),
        ({"KEP_TIMEOUT": "315360000"}, "timeout", 315360000.0),
        ({"KEP_PROGRESS_INTERVAL": "60"}, "progress_interval", 60.0),
        ({"KEP_PROGRESS_INTERVAL": "  "}, "progress_interval", 30.0),
        ({"KEP_FAIL_ON_JOB_FAILURE": "1"}, "fail_on_job_failure", True),
        ({"KEP_FAIL_ON_JOB_FAILURE": "TRUE"}, "fail_on_job_failure", True),
        ({"KEP_FAIL_ON_JOB_FAILURE": " Yes "}, "fail_on_job_failure", True),
        ({"KEP_FAIL_ON_JOB_FAILURE": "no"}, "fail_on_job_failure", False),
        ({"KEP_FAIL_ON_JOB_FAILURE": "False"}, "fail_on_job_failure", False),
        ({"KEP_FAIL_ON_JOB_FAILURE": "0"}, "fail_on_job_failure", False),
        ({"KEP_FAIL_ON_JOB_FAILURE": ""}, "fail_on_job_failure", False),
        ({}, "watch", True),
        ({"KEP_WATCH": "0"}, "watch", False),
        ({"KEP_WATCH": "false"}, "watch", False),
        ({"KEP_WATCH": "yes"}, "watch", True),
        ({}, "strict_rbac", False),
        ({"KEP_STRICT_RBAC": "1"}, "strict_rbac", True),
        ({}, "debug", False),
        ({"KEP_DEBUG": "1"}, "debug", True),
        ({}, "log_format", "text"),
        ({"KEP_LOG_FORMAT": " JSON "}, "log_format", "json"),
        ({"KEP_CONFIGMAPS_DIR": "/tmp/cm"}, "configmaps_dir", "/tmp/cm"),
        ({"KEP_CONFIGMAPS_DIR": " "}, "configmaps_dir", "/configmaps"),
        ({}, "termination_log", "/dev/termination-log"),
        ({"KEP_TERMINATION_LOG": " "}, "termination_log", "/dev/termination-log"),
        ({"KEP_TERMINATION_LOG": "True"}, "termination_log", "/dev/termination-log"),
        ({"KEP_TERMINATION_LOG": "/tmp/kep-message"}, "termination_log", "/tmp/kep-message"),
        ({"KEP_TERMINATION_LOG": "0"}, "termination_log", ""),
        ({"KEP_TERMINATION_LOG": " no "}, "termination_log", ""),
        ({"COMMAND": "sleep inf"}, "command", ("sleep", "inf")),
        ({"COMMAND": "  nova-api  --config-file\t/etc/nova.conf \n"}, "command",
         ("nova-api", "--config-file", "/etc/nova.conf")),
        ({"COMMAND": "   "}, "command", ()),
    ],
)
def test_good_knob(env: dict[str, str], field: str, value: Any) -> None:
    assert getattr(parse(env).settings, field) == value


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("KEP_INTERVAL", "0", 'KEP_INTERVAL: "0" must be greater than 0'),
        ("KEP_INTERVAL", "0ms", 'KEP_INTERVAL: "0ms" must be greater than 0'),
        ("KEP_INTERVAL", "-1", 'KEP_INTERVAL: "-1" must not be negative'),
        ("KEP_PROGRESS_INTERVAL", "0", 'KEP_PROGRESS_INTERVAL: "0" must be greater than 0'),
        ("KEP_TIMEOUT", "-5s", 'KEP_TIMEOUT: "-5s" must not be negative'),
        ("KEP_WATCH", "sometimes", 'KEP_WATCH: "sometimes" is not a boolean (use true/false, yes/no or 1/0)'),
        ("KEP_DEBUG", "verbose", 'KEP_DEBUG: "verbose" is not a boolean (use true/false, yes/no or 1/0)'),
        ("KEP_STRICT_RBAC", "strict", 'KEP_STRICT_RBAC: "strict" is not a boolean (use true/false, yes/no or 1/0)'),
        ("KEP_LOG_FORMAT", "xml", 'KEP_LOG_FORMAT: "xml" is not one of text, json'),
        ("KEP_TERMINATION_LOG", "dev/termination-log",
         'KEP_TERMINATION_LOG: "dev/termination-log" is not an absolute path, or 0, false or no to write none'),
        ("KEP_TERMINATION_LOG", "off", 'KEP_TERMINATION_LOG: "off" is not an absolute path, or 0, false or no to write none'),
        ("KEP_TIMEOUT", "315360001", 'KEP_TIMEOUT: "315360001" is too long (at most 315360000 seconds, 10 years)'),
        ("KEP_TIMEOUT", "9" * 400, f'KEP_TIMEOUT: "{"9" * 80}..." is too long (at most 315360000 seconds, 10 years)'),
    ]
    + [
        ("KEP_INTERVAL", bad, f'KEP_INTERVAL: "{bad}" is not a duration (seconds, e.g. 2 or 0.5, or with a unit: 500ms, 1m30s, 1h)')
        for bad in ["nan", "NaN", "inf", "-inf", "infinity", "1e3", "1_000", "two", "2 s", "2d", "s", ".", "+2", "0x10", "--1", "1.2.3"]
    ],
)
def test_bad_knob(var: str, value: str, message: str) -> None:
    assert problems({var: value}) == [message]


@pytest.mark.parametrize("value", ["maybe", "on", "2", "y"])
def test_bad_boolean_knob(value: str) -> None:
    assert problems({"KEP_FAIL_ON_JOB_FAILURE": value}) == [
        f'KEP_FAIL_ON_JOB_FAILURE: "{value}" is not a boolean (use true/false, yes/no or 1/0)'
    ]


# --- warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("DEPENDENCY_SERVICES", "DEPENDENCY_SERVICE"),
        ("DEPENDANCY_SERVICE", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY_JOB", "DEPENDENCY_JOBS"),
        ("DEPENDENCY_POD", "DEPENDENCY_POD_JSON"),
        ("KEP_TIMOUT", "KEP_TIMEOUT"),
        ("KEP_INTERVALL", "KEP_INTERVAL"),
        ("KEP_FAIL_ON_JOBS_FAILURE", "KEP_FAIL_ON_JOB_FAILURE"),
    ],
)
def test_a_misspelt_name_is_a_configuration_error_naming_the_one_it_meant(name: str, meant: str) -> None:
    """Read as written it would drop a dependency or a knob, and start the application early."""
    assert problems({name: "x"}) == [f"{name}: not a variable kep reads; did you mean {meant}?"]


def test_a_misspelt_name_is_listed_with_the_other_problems() -> None:
    assert problems({"DEPENDENCY_SERVICES": "db", "DEPENDENCY_SERVICE": "a:b:c", "KEP_TIMOUT": "5"}) == [
        'DEPENDENCY_SERVICE: item "a:b:c" has more than one ":" (expected name or namespace:name)',
        "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE?",
        "KEP_TIMOUT: not a variable kep reads; did you mean KEP_TIMEOUT?",
    ]


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_misspelt_name_declares_nothing_and_gets_a_warning(value: str) -> None:
    plan = parse({"DEPENDENCY_SERVICES": value, "KEP_TIMOUT": value})
    assert plan.specs == ()
    assert plan.warnings == (
        "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE? (empty, so ignored)",
        "KEP_TIMOUT: not a variable kep reads; did you mean KEP_TIMEOUT? (empty, so ignored)",
    )


def test_a_kep_name_far_from_every_knob_gets_a_warning() -> None:
    assert parse({"KEP_LOG_LEVEL": "debug"}).warnings == (
        "KEP_LOG_LEVEL: not a variable kep reads (ignored; kep --help lists kep's)",)


def test_an_unprintable_name_is_quoted() -> None:
    assert problems({"DEPENDENCY_SERVICES\t": "db"}) == [
        '"DEPENDENCY_SERVICES\\t": not a variable kep reads; did you mean DEPENDENCY_SERVICE?']


@pytest.mark.parametrize(
    "name",
    ["DEPENDENCY_FOO_URL", "DEPENDENCY_MODE", "DEPENDENCY_SERVICE_HOST", "DEPENDENCY_SECRET", "DEPENDENT_SERVICE",
     "KUBERNETES_SERVICE_HOST", "KEP_PORT", "KEP_SERVICE_HOST", "_KEP_BUNDLE"],
)
def test_unrelated_name_is_no_problem_and_gets_no_warning(name: str) -> None:
    assert parse({name: "x"}).warnings == ()


def test_known_names_get_no_warning() -> None:
    env = {name: "" for name in (*envparse.DEPENDENCY_VARIABLES, *KEP_VARIABLES)}
    assert parse(env).warnings == ()


def test_warnings_come_in_name_order_after_the_jobs_warning() -> None:
    plan = parse({"DEPENDENCY_SOCKETS": "", "DEPENDENCY_JOBS": "a", "DEPENDENCY_JOBS_JSON": "[]", "DEPENDENCY_CONFIGS": ""})
    assert [w.split()[0] for w in plan.warnings] == ["DEPENDENCY_JOBS", "DEPENDENCY_CONFIGS:", "DEPENDENCY_SOCKETS:"]


# --- helpers exposed for other modules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "subdomain"),
    [("a", True, True), ("a-1", True, True), ("1a", True, True), ("a.b", False, True), ("-a", False, False),
     ("a-", False, False), ("A", False, False), ("", False, False), ("a" * 63, True, True), ("a" * 64, False, True),
     ("a..b", False, False), ("é", False, False)],
)
def test_dns_name_rules(text: str, label: bool, subdomain: bool) -> None:
    assert (envparse.is_dns_label(text), envparse.is_dns_subdomain(text)) == (label, subdomain)


def test_variable_names_are_in_spec_order() -> None:
    assert envparse.DEPENDENCY_VARIABLES == (
        "DEPENDENCY_SERVICE", "DEPENDENCY_CONTAINER", "DEPENDENCY_DAEMONSET", "DEPENDENCY_JOBS",
        "DEPENDENCY_JOBS_JSON", "DEPENDENCY_POD_JSON", "DEPENDENCY_CUSTOM_RESOURCE", "DEPENDENCY_SOCKET",
        "DEPENDENCY_CONFIG", "DEPENDENCY_TCP", "DEPENDENCY_HTTP", "DEPENDENCY_HTTP_JSON",
    )


# --- never anything but ConfigError ----------------------------------------------------------------

_ALPHABET = list("abcxyz019-_.:,/ $[]{}\"'\\\t\n") + ["é", "\u2028", "\udcff", "\x00", "ns:", "[0]", "null", "true"]
_VARIABLES = [*envparse.DEPENDENCY_VARIABLES, "NAMESPACE", "POD_NAME", "INTERFACE_NAME", "COMMAND", "KEP_INTERVAL",
              "KEP_TIMEOUT", "KEP_PROGRESS_INTERVAL", "KEP_FAIL_ON_JOB_FAILURE", "KEP_CONFIGMAPS_DIR",
              "DEPENDENCY_SERVICES", "DEPENDENCY_POD"]
_KEYS = ["name", "Name", "namespace", "labels", "LABELS", "requireSameNode", "apiVersion", "kind", "fields",
         "conditions", "key", "value", "type", "status", "resource", "url", "headers", "caFile", "insecure",
         "method", ""]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([None, True, False, 0, -1, 2.5, 1e300, "", "a", "v1", "Pod", "status.phase",
                           "a..b", "x[0", "$.a", "http://u:p@h:1/?q", 200, 503, _random_text(rng)])
    if roll < 0.55:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(_KEYS): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _check_parse(env: dict[str, str]) -> None:
    try:
        plan = parse(env)
    except ConfigError as error:
        assert error.problems, env
        assert all("\n" not in line and line.isprintable() for line in error.problems), error.problems
    else:
        assert all("\n" not in line for line in plan.warnings)
        hash(plan)


def test_random_strings_never_raise_anything_but_config_error() -> None:
    rng = random.Random(20260801)
    for _ in range(3000):
        env = {rng.choice(_VARIABLES): _random_text(rng) for _ in range(rng.randint(1, 6))}
        _check_parse(env)


def test_random_json_never_raises_anything_but_config_error() -> None:
    rng = random.Random(1123)
    json_vars = ["DEPENDENCY_JOBS_JSON", "DEPENDENCY_POD_JSON", "DEPENDENCY_CUSTOM_RESOURCE", "DEPENDENCY_HTTP_JSON"]
    for _ in range(3000):
        document = [_random_json(rng) for _ in range(rng.randint(0, 3))] if rng.random() < 0.8 else _random_json(rng)
        text = json.dumps(document)
        if rng.random() < 0.2:
            cut = rng.randint(0, len(text))
            text = text[:cut] + rng.choice(_ALPHABET) + text[cut + 1 :]
        _check_parse({rng.choice(json_vars): text, "POD_NAME": "p"})
