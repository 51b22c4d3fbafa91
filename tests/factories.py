"""Tiny builders of API objects as the server sends them (plain dicts, only the fields kinds read).

Every builder takes keywords that say what the object is (`ready=False`,
`host_ip="10.0.0.5"`), never magic names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Obj = dict[str, Any]


def _meta(name: str, namespace: str | None, labels: Mapping[str, str] | None = None) -> Obj:
    meta: Obj = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


# --- pods -------------------------------------------------------------------


def container_status(name: str, *, ready: bool) -> Obj:
    return {"name": name, "ready": ready, "restartCount": 0, "image": f"{name}:latest"}


def pod(
    name: str = "pod-0",
    namespace: str = "ns",
    *,
    labels: Mapping[str, str] | None = None,
    host_ip: str | None = "10.0.0.5",
    ready: bool | str | None = None,
    containers: Mapping[str, bool] | None = None,
    init_containers: Mapping[str, bool] | None = None,
    spec_containers: Iterable[str] = (),
    spec_init_containers: Iterable[str] = (),
) -> Obj:
    """A pod. `ready` sets the Ready condition: True/False, or a status string such as
    "Unknown" (None: no conditions at all).
    `containers`/`init_containers` map a name to its status' `ready`;
    `spec_*` name containers that are declared (and have no status unless also given)."""
    status: Obj = {"phase": "Running"}
    if host_ip is not None:
        status["hostIP"] = host_ip
    if ready is not None:
        status["conditions"] = [
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": ready if isinstance(ready, str) else str(ready)},
        ]
    if containers is not None:
        status["containerStatuses"] = [container_status(n, ready=r) for n, r in containers.items()]
    if init_containers is not None:
        status["initContainerStatuses"] = [
            container_status(n, ready=r) for n, r in init_containers.items()
        ]
    spec: Obj = {
        "containers": [{"name": n} for n in [*spec_containers, *(containers or {})]],
    }
    inits = [*spec_init_containers, *(init_containers or {})]
    if inits:
        spec["initContainers"] = [{"name": n} for n in inits]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(name, namespace, labels),
        "spec": spec,
        "status": status,
    }


# --- services ---------------------------------------------------------------


def endpoint(*addresses: str, ready: bool | None = True) -> Obj:
    """One EndpointSlice endpoint; `ready=None` leaves `conditions.ready` out (means ready)."""
    conditions: Obj = {} if ready is None else {"ready": ready}
    return {"addresses": list(addresses), "conditions": conditions}


def endpoint_slice(service: str, namespace: str = "ns", *endpoints: Obj, name: str = "") -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": _meta(
            name or f"{service}-abcde", namespace, {"kubernetes.io/service-name": service}
        ),
        "addressType": "IPv4",
        "endpoints": list(endpoints),
    }


def subset(addresses: Iterable[str] = (), not_ready: Iterable[str] = ()) -> Obj:
    """One Endpoints subset; empty lists are left out, as the server does."""
    out: Obj = {"ports": [{"port": 3306, "protocol": "TCP"}]}
    if addresses:
        out["addresses"] = [{"ip": ip} for ip in addresses]
    if not_ready:
        out["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return out


def endpoints(name: str, namespace: str = "ns", *subsets: Obj) -> Obj:
    """An Endpoints object; with no subsets the key is absent (a service with no pods)."""
    out: Obj = {"apiVersion": "v1", "kind": "Endpoints", "metadata": _meta(name, namespace)}
    if subsets:
        out["subsets"] = list(subsets)
    return out


# --- workloads --------------------------------------------------------------


def condition(type_: str, status: str = "True", reason: str = "", message: str = "") -> Obj:
    out: Obj = {"type": type_, "status": status, "lastTransitionTime": "2026-01-01T00:00:00Z"}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def job(
    name: str = "job-0",
    namespace: str = "ns",
    *,
    succeeded: int | None = None,
    failed: int | None = None,
    conditions: Iterable[Obj] = (),
    labels: Mapping[str, str] | None = None,
) -> Obj:
    """A job; `succeeded=None` leaves `status.succeeded` out (the server omits zero)."""
    status: Obj = {}
    if succeeded is not None:
        status["succeeded"] = succeeded
    if failed is not None:
        status["failed"] = failed
    if conditions:
        status["conditions"] = list(conditions)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(name, namespace, labels),
        "status": status,
    }


def failed_job(name: str, namespace: str = "ns", reason: str = "BackoffLimitExceeded") -> Obj:
    return job(
        name,
        namespace,
        failed=6,
        conditions=[condition("Failed", "True", reason, "Job has reached the specified backoff limit")],
    )


def daemonset(
    name: str = "ds",
    namespace: str = "ns",
    *,
    match_labels: Mapping[str, str] | None = None,
    match_expressions: Iterable[Obj] = (),
) -> Obj:
    selector: Obj = {}
    if match_labels is not None:
        selector["matchLabels"] = dict(match_labels)
    expressions = list(match_expressions)
    if expressions:
        selector["matchExpressions"] = expressions
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _meta(name, namespace),
        "spec": {"selector": selector},
    }


def expression(key: str, operator: str, *values: str) -> Obj:
    out: Obj = {"key": key, "operator": operator}
    if values:
        out["values"] = list(values)
    return out


# --- discovery and custom objects --------------------------------------------


def api_resource(name: str, kind: str, *, namespaced: bool = True) -> Obj:
    return {
        "name": name,
        "singularName": "" if "/" in name else kind.lower(),
        "namespaced": namespaced,
        "kind": kind,
        "verbs": ["get", "patch", "update"] if "/" in name else ["get", "list", "watch"],
    }


def api_resource_list(group_version: str, *resources: Obj) -> Obj:
    """A discovery document (`GET /apis/<group>/<version>` or `/api/v1`)."""
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": list(resources),
    }


def custom(
    api_version: str,
    kind: str,
    name: str,
    namespace: str | None = "default",
    *,
    conditions: Iterable[Obj] = (),
    **body: Any,
) -> Obj:
    """Any object: top-level keys from `body` (e.g. spec={...}), conditions under status."""
    out: Obj = {"apiVersion": api_version, "kind": kind, "metadata": _meta(name, namespace)}
    out.update(body)
    conditions = list(conditions)
    if conditions:
        out.setdefault("status", {})["conditions"] = conditions
    return out
