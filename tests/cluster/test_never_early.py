"""Issue 18 against the real writers: states the kubelet and the EndpointSlice controller
produce, with kep's image as a real pod's init container (tests/test_never_early.py has the
same inputs against the fake and the real API server alone)."""

from __future__ import annotations

from tests.cluster import manifests as m
from tests.cluster.kube import Kube

SHORT_TIMEOUT = {"KEP_TIMEOUT": "4s"}


def test_a_regular_container_waited_for_from_the_init_container_exits_2_at_once(
        kube: Kube, kep_image: str, ns: str) -> None:
    """The kubelet holds `main` in `waiting: PodInitializing` until the init container ends, and
    kep finds its own container from the termination-log mount the kubelet made for it."""
    kube.apply([*m.entrypoint_rbac(ns), m.app_pod(ns, "app", m.entrypoint_container(
        kep_image, {"DEPENDENCY_CONTAINER": "main"}))])
    assert kube.init_exit_code(ns, "app") == 2
    lines = [text for _, text in kube.logs(ns, "app", "init")]
    assert any(f"container main in pod {ns}/app: it is a regular container, which starts only once every init "
               "container has ended, and kep runs in init container init: it can never be met" in text
               for text in lines), lines


def test_a_service_port_the_pods_do_not_have_is_not_met(kube: Kube, kep_image: str, ns: str) -> None:
    """The pod declares port `http` only: the EndpointSlice controller lists only that port, so
    traffic to the Service's `metrics` port reaches nothing (getEndpointPorts)."""
    labels = {"app": "api"}
    api = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-0", "namespace": ns, "labels": labels},
           "spec": {"terminationGracePeriodSeconds": m.GRACE, "containers": [m.busybox(
               "api", "exec sleep 3600", ports=[{"name": "http", "containerPort": 8080}])]}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": ns},
               "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                                                      {"name": "metrics", "port": 9090, "targetPort": "metrics"}]}}
    kube.apply([*m.entrypoint_rbac(ns), api, service])
    kube.wait(ns, "jsonpath={.endpoints[0].conditions.ready}=true", "endpointslice", "-l",
              "kubernetes.io/service-name=api")
    kube.apply([m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_SERVICE": "api"}, SHORT_TIMEOUT))])
    assert kube.init_exit_code(ns, "app") == 124
    lines = [text for _, text in kube.logs(ns, "app", "init")]
    assert any(f"service {ns}/api: port metrics (9090/TCP) reaches none of the 1 ready endpoints (their "
               "EndpointSlices do not list it: the pods have no port named metrics)" in text for text in lines), lines
