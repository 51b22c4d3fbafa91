"""container: a name the pod lacks; a deadlock judged by kep's own container kind."""

from __future__ import annotations

from tests.lint import manifests as m
from tests.lint.checks import found


def test_a_regular_container_waited_for_from_an_init_container() -> None:
    (f,) = found("container", m.deployment("api", {"DEPENDENCY_CONTAINER": "app"}))
    assert "it is a regular container, which starts only once every init container has ended" in f.message


def test_a_name_the_pod_does_not_declare() -> None:
    (f,) = found("container", m.deployment("api", {"DEPENDENCY_CONTAINER": "sidecar"}, init=False))
    assert f.message == "container app waits for container sidecar, which the pod does not declare (it has app)"


def test_from_a_regular_container_it_can_be_met() -> None:
    app = m.deployment("api", {"DEPENDENCY_CONTAINER": "app"}, init=False)
    app["spec"]["template"]["spec"]["containers"].append({"name": "web", "image": "web"})
    app["spec"]["template"]["spec"]["containers"][0]["env"][-1]["value"] = "web"
    assert found("container", app) == []
