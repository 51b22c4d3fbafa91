"""config and empty-entry: kep's own parser's errors and warnings, per container; an
empty item in a list; a value from a Secret said, not guessed."""

from __future__ import annotations

import io

from kep.lint import Options, lint
from tests.lint import manifests as m


def said(*objects: dict) -> list[tuple[str, str, str]]:
    report = lint(Options((("-", "openstack"),)), io.BytesIO(m.text(*objects).encode()))
    return [(f.check, str(f.severity), f.message) for f in report.findings if f.check != "rbac"]


def test_kep_s_own_errors_and_warnings_with_the_container() -> None:
    app = m.deployment("api", {"DEPENDENCY_SERVICES": "db", "DEPENDENCY_JOBS_JSON": "[{", "KEP_TIMOUT": ""})
    assert said(app) == [
        ("config", "error", 'init container init: DEPENDENCY_JOBS_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3'),
        ("config", "error", "init container init: DEPENDENCY_SERVICES: not a variable kep reads; did you mean "
                            "DEPENDENCY_SERVICE?"),
        ("config", "warning", "init container init: KEP_TIMOUT: not a variable kep reads; did you mean KEP_TIMEOUT? "
                              "(empty, so ignored)"),
    ]


def test_the_pods_own_name_and_namespace_come_from_the_template() -> None:
    """POD_NAME and NAMESPACE are fieldRefs: DEPENDENCY_CONTAINER needs POD_NAME, and gets it."""
    app = m.deployment("api", {"DEPENDENCY_CONTAINER": "app"}, init=False)
    assert [s for s in said(app) if s[0] == "config"] == []


def test_an_empty_item_in_a_list() -> None:
    app = m.deployment("api", {"DEPENDENCY_SERVICE": "db,,mq", "DEPENDENCY_JOBS": ",", "DEPENDENCY_DAEMONSET": ""})
    assert said(app, m.service("db"), m.service("mq")) == [
        ("empty-entry", "warning", "init container init: DEPENDENCY_SERVICE 'db,,mq' has an empty item")]


def test_a_value_from_a_secret_is_not_checked_and_said() -> None:
    app = m.deployment("api", {})
    app["spec"]["template"]["spec"]["initContainers"] = [{"name": "init", "env": [
        {"name": "DEPENDENCY_SERVICE", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]
    ((check, severity, message),) = said(app)
    assert (check, severity) == ("config", "info")
    assert message.startswith("init container init: DEPENDENCY_SERVICE is not checked: from secret s")


def test_a_value_from_a_configmap_of_the_input_is_read() -> None:
    app = m.deployment("api", {})
    app["spec"]["template"]["spec"]["initContainers"] = [{"name": "init", "env": [
        {"name": "DEPENDENCY_SERVICE", "valueFrom": {"configMapKeyRef": {"name": "deps", "key": "services"}}}]}]
    deps = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deps"}, "data": {"services": "db"}}
    assert said(app, deps) == [("missing-target", "error", "waits for Service db in namespace openstack, "
                                                           "which nothing in the input defines")]
