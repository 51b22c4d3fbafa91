"""specs: str() keeps the reference's wording (people grep logs for it); helpers format labels."""

from __future__ import annotations

import pytest

from kep.specs import (
    Config,
    Container,
    CustomResource,
    DaemonSet,
    Http,
    Identity,
    Job,
    Plan,
    Pod,
    Service,
    Settings,
    Socket,
    Spec,
    Tcp,
    format_labels,
    identity,
    selector_of,
)

LABELS = (("k1", "v1"), ("k2", "v2"))


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (Service("ns", "mariadb"), "Service mariadb in namespace ns"),
        (Container("nova-libvirt"), "Container nova-libvirt"),
        (DaemonSet("ns", "ovs-agent"), "Daemonset ovs-agent in namespace ns"),
        (Job("ns", "nova-init"), "Job nova-init in namespace ns"),
        (Job("ns", labels=LABELS), "Jobs with labels map[k1:v1 k2:v2] in namespace ns"),
        (Pod("ns", LABELS), "Pod with labels map[k1:v1 k2:v2] in namespace ns"),
        (Pod("ns", LABELS, require_same_node=True), "Pod on same host with labels map[k1:v1 k2:v2] in namespace ns"),
        (CustomResource("argoproj.io/v1alpha1", "Workflow", "ns", "wf"), "Workflow wf (argoproj.io/v1alpha1) in namespace ns"),
        (Socket("/run/x.sock"), "Socket /run/x.sock"),
        (Config("/etc/nova/nova.conf"), "Config /etc/nova/nova.conf"),
    ],
)
def test_str_is_the_reference_wording(spec: Spec, text: str) -> None:
    assert str(spec) == text


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        (Service("ns", "mariadb"), Identity("Service", "ns", "mariadb")),
        (Container("init"), Identity("Container", "openstack", "nova-api-0/init")),
        (DaemonSet("ns", "ovs"), Identity("DaemonSet", "ns", "ovs")),
        (Job("ns", "db-sync"), Identity("Job", "ns", "db-sync")),
        (Job("ns", labels=LABELS), Identity("Job", "ns", "k1=v1,k2=v2")),
        (Pod("ns", LABELS), Identity("Pod", "ns", "k1=v1,k2=v2")),
        (CustomResource("argoproj.io/v1alpha1", "Workflow", "ns", "wf"), Identity("Workflow", "ns", "wf")),
        (Socket("/run/x.sock"), Identity("Socket", "", "/run/x.sock")),
        (Config("/etc/nova/nova.conf"), Identity("Config", "", "/etc/nova/nova.conf")),
        (Tcp("fd00::1", 5432), Identity("TCP", "", "[fd00::1]:5432")),
        (Http("https://user:pw@vault:8200/v1/sys/health?token=t", method="HEAD"),
         Identity("HTTP", "", "HEAD https://***@vault:8200/v1/sys/health?***")),
    ],
)
def test_identity_names_kinds_in_one_scheme(spec: Spec, named: Identity) -> None:
    """Kubernetes kinds for API dependencies, capitalised words for local ones (the first word
    of their log lines): a `kep check` KIND column never mixes `Service` and `socket`."""
    assert identity(spec, Settings(namespace="openstack", pod_name="nova-api-0")) == named


def test_format_labels_is_go_map_format() -> None:
    assert format_labels(LABELS) == "map[k1:v1 k2:v2]"
    assert format_labels(()) == "map[]"


def test_selector_is_equality_selector() -> None:
    assert selector_of(LABELS) == "k1=v1,k2=v2"
    assert selector_of((("app.kubernetes.io/name", "db"), ("empty", ""))) == "app.kubernetes.io/name=db,empty="


@pytest.mark.parametrize(
    ("api_version", "group", "version"),
    [("v1", "", "v1"), ("apps/v1", "apps", "v1"), ("argoproj.io/v1alpha1", "argoproj.io", "v1alpha1")],
)
def test_custom_resource_group_and_version(api_version: str, group: str, version: str) -> None:
    resource = CustomResource(api_version, "Kind", "ns", "name")
    assert (resource.group, resource.version) == (group, version)


@pytest.mark.parametrize(
    ("specs", "needs_api"),
    [
        ((), False),
        ((Socket("/s"), Config("/c")), False),
        ((Socket("/s"), Service("ns", "s")), True),
        ((Container("c"),), True),
    ],
)
def test_plan_needs_api_only_for_api_kinds(specs: tuple[Spec, ...], needs_api: bool) -> None:
    assert Plan(specs=specs, settings=Settings()).needs_api is needs_api


def test_specs_are_hashable_values() -> None:
    assert len({Service("a", "b"), Service("a", "b"), Job("a", labels=LABELS), Job("a", labels=LABELS)}) == 2
