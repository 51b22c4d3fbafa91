"""Which workload a pod belongs to, for grouping: `kubectl get`'s words for it.

The pod's controller ownerReference names it: a StatefulSet, DaemonSet or Job as is. A
ReplicaSet is a Deployment's when its name is `<deployment>-<pod-template-hash>` with
the pod's own `pod-template-hash` label (the Deployment controller names its ReplicaSets
so, pkg/controller/deployment/sync.go `getNewReplicaSet`); then the Deployment is named,
without a read of ReplicaSets (which `kep status` would otherwise need RBAC for). A pod
with no controller is its own group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kep.reads import dig

TEMPLATE_HASH = "pod-template-hash"


@dataclass(frozen=True, slots=True, order=True)
class Owner:
    namespace: str
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


def owner_of(pod: dict[str, Any]) -> Owner:
    namespace = str(dig(pod, "metadata", "namespace", default=""))
    for ref in dig(pod, "metadata", "ownerReferences", default=None) or ():
        if dig(ref, "controller") is not True:
            continue
        kind, name = str(dig(ref, "kind", default="")), str(dig(ref, "name", default=""))
        suffix = "-" + str(dig(pod, "metadata", "labels", TEMPLATE_HASH, default=""))
        if kind == "ReplicaSet" and len(suffix) > 1 and name.endswith(suffix):
            return Owner(namespace, "Deployment", name.removesuffix(suffix))
        return Owner(namespace, kind, name)
    return Owner(namespace, "Pod", str(dig(pod, "metadata", "name", default="")))
