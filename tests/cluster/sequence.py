"""OpenStack-Helm's sequence in a real cluster, as tests/cluster checks it and bench/cluster.py times it.

A typical chart's pod: a db-init Job (run by the Job controller), a Service whose endpoint
is a Deployment's pod with a readiness probe (kubelet, EndpointSlice controller), the
DaemonSet pod on this node, and a custom resource whose status an operator (here: the
caller) patches last, once the entrypoint has said the three others are resolved. The
entrypoint is the pod's init container, kep or the Go reference: both log
`Dependency <dep> is resolved.`
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.cluster import manifests as m
from tests.cluster.kube import Kube, condition_time, parse_time

POD = "keystone-api"
SA = "entrypoint"
FIRST_THREE = ("Job db-init", "Service mariadb", "Daemonset ovs-agent")


@dataclass
class Sequence:
    """What the cluster recorded about one run of the sequence."""

    before: dict[str, Any]  # the pod right before the last dependency was met
    pod: dict[str, Any]  # the pod once its main container runs
    met: dict[str, datetime]  # dependency -> when its writer made it met (object timestamps or audit)
    patched: dict[str, Any]  # the audit event of the operator's status patch (the last write)
    logs: list[tuple[datetime, str]]  # the entrypoint's lines, timestamped by the container runtime
    requests: list[dict[str, Any]]  # the entrypoint's audit events


def run_sequence(kube: Kube, ns: str, image: str, *, watch: bool,
                 waiting: Callable[[dict[str, Any]], None] = lambda pod: None) -> Sequence:
    """The whole sequence in namespace `ns`; `waiting` sees the pod while only the custom resource is unmet."""
    deps = {"DEPENDENCY_SERVICE": f"{ns}:mariadb", "DEPENDENCY_JOBS": "db-init", "DEPENDENCY_DAEMONSET": "ovs-agent",
            "DEPENDENCY_CUSTOM_RESOURCE": m.custom_resource_dependency(ns, "keystone-db")}
    kube.apply([*m.entrypoint_rbac(ns, watch=watch, custom_resources=True),
                m.job(ns, "db-init", "sleep 2"), *m.served(ns, "mariadb", ready_after=2),
                m.daemonset(ns, "ovs-agent", ready_after=1), m.custom_resource(ns, "keystone-db"),
                m.app_pod(ns, POD, m.entrypoint_container(image, deps))])
    kube.follow(ns, POD, *(f"Dependency {dep} in namespace {ns} is resolved." for dep in FIRST_THREE))
    before = kube.get("pod", POD, ns)
    waiting(before)
    kube.kubectl("-n", ns, "patch", f"{m.CRD_PLURAL}.{m.CRD_GROUP}", "keystone-db", "--subresource=status",
                 "--type=merge", "-p", '{"status": {"phase": "Ready"}}')
    kube.wait(ns, "condition=Ready", f"pod/{POD}")
    [patched] = [e for e in kube.audit("kep-cluster-admin") if e["verb"] == "patch"
                 and e.get("objectRef", {}) == {"resource": m.CRD_PLURAL, "namespace": ns, "name": "keystone-db",
                                                "apiGroup": m.CRD_GROUP, "apiVersion": "v1", "subresource": "status"}]
    [db_pod] = kube.pods(ns, "app=mariadb")
    [agent_pod] = kube.pods(ns, "app=ovs-agent")
    met = {"job": parse_time(kube.get("job", "db-init", ns)["status"]["completionTime"]),
           "service": condition_time(db_pod, "Ready"), "daemonset": condition_time(agent_pod, "Ready"),
           "custom resource": parse_time(patched["stageTimestamp"])}
    return Sequence(before, kube.get("pod", POD, ns), met, patched, kube.logs(ns, POD, "init"),
                    kube.audit(f"system:serviceaccount:{ns}:{SA}"))
