"""Pods as a chart leaves them waiting, for kep status's tests: an init container (or the
app's container) with DEPENDENCY_* in its environment, in the state the kubelet reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]

DOWNWARD = [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]
"""The two variables OpenStack-Helm's init containers take from the downward API."""


def waiting_pod(name: str, namespace: str, env: Mapping[str, str] | list[Obj], *, labels: Mapping[str, str] | None = None,
                owner: tuple[str, str, str] | None = None, init: bool = True, node: str = "node-1",
                state: str = "running") -> Obj:
    """A pod whose container `init` (an init container), else `app`, runs in `state`
    ("running", "waiting": created, not started) with `env` (a mapping of plain values, or
    the list of env entries as written in the pod), the downward-API variables first.
    `owner` is the controller (kind, name, uid)."""
    entries = [*DOWNWARD, *([{"name": k, "value": v} for k, v in env.items()] if isinstance(env, Mapping) else env)]
    waiting = {"name": "init" if init else "app", "image": "localhost/kep:latest", "env": entries}
    status = {"name": waiting["name"], "ready": False, "restartCount": 0,
              "state": {"running": {}} if state == "running" else {"waiting": {"reason": "PodInitializing"}}}
    app_status = {"name": "app", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
    meta: Obj = {"name": name, "namespace": namespace, "labels": dict(labels or {})}
    if owner is not None:
        kind, owner_name, uid = owner
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": owner_name, "uid": uid,
                                    "controller": True}]
    spec: Obj = {"nodeName": node, "containers": [waiting] if not init else [{"name": "app", "image": "app"}]}
    pod_status: Obj = {"phase": "Pending" if init else "Running", "hostIP": "10.0.0.5"}
    if init:
        spec["initContainers"] = [waiting]
        pod_status["initContainerStatuses"] = [status]
        pod_status["containerStatuses"] = [app_status]
    else:
        pod_status["containerStatuses"] = [status]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": pod_status}
