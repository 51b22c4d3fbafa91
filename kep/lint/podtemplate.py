"""A pod as a controller would create it from a workload's template, so that lint reads
its environment and judges its containers with the code that reads a live pod
(kep.status.podenv, kep.kinds.container).

What only the cluster decides gets a stand-in, valid where kep checks it: the pod's name
is the workload's (a Deployment's pods add suffixes; kep only checks the name's shape),
its node `node`, its addresses from TEST-NET-1 (RFC 5737), its uid `lint`.
"""

from __future__ import annotations

import copy
from typing import Any

from kep.reads import dig

TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
"""Kind -> where its pod template is (a Pod is its own)."""

UID = "lint"
HOST_IP = "192.0.2.1"
POD_IP = "192.0.2.2"


def pod_of(obj: dict[str, Any], namespace: str) -> dict[str, Any] | None:
    """The pod, or None when the template has no containers."""
    template = dig(obj, *TEMPLATE_PATHS[str(obj["kind"])], default=None)
    spec = dig(template, "spec", default=None)
    if not isinstance(spec, dict) or not isinstance(spec.get("containers"), list) or not spec["containers"]:
        return None
    meta = dig(template, "metadata", default=None)
    metadata = dict(meta) if isinstance(meta, dict) else {}
    metadata.update(name=str(dig(obj, "metadata", "name", default="") or "pod"), namespace=namespace, uid=UID)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {**copy.deepcopy(spec), "nodeName": spec.get("nodeName") or "node"},
            "status": {"hostIP": HOST_IP, "hostIPs": [{"ip": HOST_IP}], "podIP": POD_IP, "podIPs": [{"ip": POD_IP}]}}
