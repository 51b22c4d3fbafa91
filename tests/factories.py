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
    node_name: str | None = None,
    target_node: str | None = None,
    phase: str = "Running",
    ready: bool | str | None = None,
    deleting: bool = False,
    owner_uid: str | None = None,
    containers: Mapping[str, bool] | None = None,
    init_containers: Mapping[str, bool] | None = None,
    spec_containers: Iterable[str] = (),
    spec_init_containers: Iterable[str] = (),
) -> Obj:
    """A pod. `ready` sets the Ready condition: True/False, or a status string such as
    "Unknown" (None: no conditions at all).
    `node_name` is `spec.nodeName`; `target_node` the node a DaemonSet pins the pod to
    with required node affinity (as its controller does); `deleting` sets
    `metadata.deletionTimestamp`; `owner_uid` adds a controller ownerReference.
    `containers`/`init_containers` map a name to its status' `ready`;
    `spec_*` name containers that are declared (and have no status unless also given)."""
    status: Obj = {"phase": phase}
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
    if node_name is not None:
        spec["nodeName"] = node_name
    if target_node is not None:
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": [target_node]}]}]}}}
    meta = _meta(name, namespace, labels)
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        meta["deletionGracePeriodSeconds"] = 30
    if owner_uid is not None:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "owner",
                                    "uid": owner_uid, "controller": True, "blockOwnerDeletion": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


# --- services ---------------------------------------------------------------


PORT = {"name": "mysql", "port": 3306, "protocol": "TCP"}
"""The one port of `service()` and `endpoint_slice()` unless told otherwise."""


def service(name: str, namespace: str = "ns", *, ports: Iterable[Mapping[str, Any]] = (PORT,),
            type_: str = "ClusterIP", headless: bool = False, ip_families: Iterable[str] = ("IPv4",),
            internal_traffic_policy: str = "Cluster", external_name: str = "",
            selector: Mapping[str, str] | None = None) -> Obj:
    """A Service as the API server stores it (protocol and targetPort defaulted; the server
    also picks a clusterIP, which kinds read only for "None"). `selector` defaults to
    {"app": name}; pass {} for a Service without one."""
    spec: Obj = {
        "type": type_,
        "ports": [{"protocol": "TCP", "targetPort": p.get("port"), **p} for p in ports],
        "selector": {"app": name} if selector is None else dict(selector),
        "ipFamilies": list(ip_families),
        "internalTrafficPolicy": internal_traffic_policy,
    }
    if headless:
        spec["clusterIP"] = "None"
    if type_ == "ExternalName":
        spec = {"type": type_, "externalName": external_name}
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(name, namespace), "spec": spec}


def endpoint(*addresses: str, ready: bool | None = True, node_name: str | None = None) -> Obj:
    """One EndpointSlice endpoint; `ready=None` leaves `conditions.ready` out (means ready)."""
    conditions: Obj = {} if ready is None else {"ready": ready}
    out: Obj = {"addresses": list(addresses), "conditions": conditions}
    if node_name is not None:
        out["nodeName"] = node_name
    return out


def endpoint_slice(service: str, namespace: str = "ns", *endpoints: Obj, name: str = "",
                   ports: Iterable[Mapping[str, Any]] = (PORT,), address_type: str = "IPv4") -> Obj:
    """An EndpointSlice of `service`, listing `ports` as the EndpointSlice controller does
    (the Service ports whose targetPort the pods have)."""
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": _meta(
            name or f"{service}-abcde", namespace, {"kubernetes.io/service-name": service}
        ),
        "addressType": address_type,
        "endpoints": list(endpoints),
        "ports": [{"name": p.get("name", ""), "port": p.get("port"), "protocol": p.get("protocol", "TCP")}
                  for p in ports],
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
    active: int | None = None,
    conditions: Iterable[Obj] = (),
    labels: Mapping[str, str] | None = None,
    completions: int | None = None,
    suspend: bool | None = None,
) -> Obj:
    """A job; a count of None is left out of `status` (the server omits zero), as are
    `spec.completions` and `spec.suspend` when None."""
    status: Obj = {}
    for key, count in (("succeeded", succeeded), ("failed", failed), ("active", active)):
        if count is not None:
            status[key] = count
    if conditions:
        status["conditions"] = list(conditions)
    spec: Obj = {"backoffLimit": 6}
    if completions is not None:
        spec["completions"] = completions
    if suspend is not None:
        spec["suspend"] = suspend
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(name, namespace, labels),
        "spec": spec,
        "status": status,
    }


JOB_SPEC_DEFAULTS: Obj = {"backoffLimit": 6, "completionMode": "NonIndexed", "completions": 1, "parallelism": 1,
                          "podReplacementPolicy": "TerminatingOrFailed", "suspend": False}
"""A v1.32 server's defaults (SetDefaults_Job): completions and parallelism are 1 when both are unset."""


def written_job(name: str, namespace: str, spec: Mapping[str, Any], status: Obj) -> Obj:
    """A job as a v1.32 server returns it: `spec` over the defaults (a None value leaves the field
    out, e.g. completions=None for a work queue), `status` from `job_status`."""
    merged = {key: value for key, value in {**JOB_SPEC_DEFAULTS, **spec}.items() if value is not None}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta(name, namespace), "spec": merged,
            "status": status}


def job_status(
    *,
    succeeded: int = 0,
    failed: int = 0,
    active: int = 0,
    terminating: int = 0,
    uncounted_succeeded: Iterable[str] = (),
    uncounted_failed: Iterable[str] = (),
    conditions: Iterable[Obj] = (),
    started: bool = True,
    **more: Any,
) -> Obj:
    """A job's status as the v1.32 Job controller writes it (seen on the real cluster): ready,
    terminating and uncountedTerminatedPods always, startTime once started, succeeded/failed/active
    only when not 0; `more` for completedIndexes, failedIndexes, completionTime."""
    uncounted: Obj = {}
    if uncounted_succeeded:
        uncounted["succeeded"] = list(uncounted_succeeded)
    if uncounted_failed:
        uncounted["failed"] = list(uncounted_failed)
    status: Obj = {"ready": 0, "terminating": terminating, "uncountedTerminatedPods": uncounted}
    if started:
        status["startTime"] = "2026-01-01T00:00:00Z"
    status.update({key: n for key, n in (("succeeded", succeeded), ("failed", failed), ("active", active)) if n})
    if conditions:
        status["conditions"] = list(conditions)
    return {**status, **more}


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
    uid: str = "ds-uid",
    generation: int = 1,
    observed_generation: int | None = 1,
    desired: int = 0,
    current: int | None = None,
) -> Obj:
    """A DaemonSet whose controller has observed `observed_generation` (None: no status
    yet) and placed `current` (default: all) of `desired` pods."""
    selector: Obj = {}
    if match_labels is not None:
        selector["matchLabels"] = dict(match_labels)
    expressions = list(match_expressions)
    if expressions:
        selector["matchExpressions"] = expressions
    status: Obj = {}
    if observed_generation is not None:
        placed = desired if current is None else current
        status = {"observedGeneration": observed_generation, "desiredNumberScheduled": desired,
                  "currentNumberScheduled": placed, "numberMisscheduled": 0, "numberReady": 0}
    meta = _meta(name, namespace)
    meta.update(uid=uid, generation=generation)
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
            "spec": {"selector": selector}, "status": status}


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
