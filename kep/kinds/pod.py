"""Pod (DEPENDENCY_POD_JSON item): met when a pod with the item's labels is Ready.

List pods in the item's namespace with the labels as an equality selector;
none listed: pending. With `requireSameNode` only pods on this node count
(see `Node`). Met if any counted pod is ready (`is_ready`).

A pod is ready when its Ready condition is "True" and it is not terminating:
the kubelet's status manager may still say Ready=True after
`metadata.deletionTimestamp` is set (it keeps the condition until the
readiness probe fails or the containers stop), while the EndpointSlice
controller already takes such a pod out of service (kubernetes v1.32,
staging/src/k8s.io/endpointslice/utils.go `podEndpointChanged`/`addEndpoint`:
`ready = service.Spec.PublishNotReadyAddresses || podutil.IsPodReady(pod)`
with `terminating = pod.DeletionTimestamp != nil`, and ready false for a
terminating endpoint). kep does the same: a pod on its way out never counts.

kep reads the own pod only when `requireSameNode` is set (the reference reads
it always, and fails when it cannot), and only until its node is known: a
bound pod's `spec.nodeName` never changes. The own-pod helpers here serve
the container and daemonset kinds too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kep.api.resources import PODS
from kep.kinds.reading import the_object
from kep.reads import Query, Read, Seen, dig
from kep.specs import Pod, Settings, format_labels, selector_of
from kep.verdict import Verdict, met, pending


@dataclass(frozen=True, slots=True)
class Node:
    """Which node a pod is on: `spec.nodeName` (set by the scheduler when it binds the pod,
    and never changed after), and `status.hostIP` (set later by the kubelet), used only
    where a node name is missing (k8s.io/api core/v1 types.go, PodSpec.NodeName and
    PodStatus.HostIP)."""

    name: str = ""
    host_ip: str = ""

    def __str__(self) -> str:
        return self.name or f"hostIP {self.host_ip}"

    def same_as(self, other: Node) -> bool:
        """Node names match, or, when either name is missing, both host IPs are known and equal."""
        if self.name and other.name:
            return self.name == other.name
        return bool(self.host_ip) and self.host_ip == other.host_ip

    def holds(self, pod: dict[str, Any]) -> bool:
        return self.same_as(node_of(pod))


def node_of(pod: dict[str, Any]) -> Node:
    name = dig(pod, "spec", "nodeName", default="")
    host_ip = dig(pod, "status", "hostIP", default="")
    return Node(name if isinstance(name, str) else "", host_ip if isinstance(host_ip, str) else "")


def own_pod_query(settings: Settings) -> Query:
    """kep's own pod: POD_NAME in NAMESPACE (never the dependency's namespace)."""
    return Query(PODS, settings.namespace, name=settings.pod_name)


def own_pod_queries(settings: Settings) -> tuple[Query, ...]:
    """The own-pod read, or none when the pod name is unknown (a config error upstream:
    a get with an empty name would be a list of every pod)."""
    return (own_pod_query(settings),) if settings.pod_name else ()


def own_node_queries(settings: Settings, seen: Seen) -> tuple[Query, ...]:
    """The own-pod read while this node is not known yet; none after (a bound pod stays
    on its node, and the engine keeps the last observation of a query no longer asked)."""
    if isinstance(own_node(settings, seen), Node):
        return ()
    return own_pod_queries(settings)


def own_pod(settings: Settings, seen: Seen) -> dict[str, Any] | Verdict:
    """The own pod, or a pending verdict saying why it is not known."""
    if not settings.pod_name:
        return pending("own pod name is not set")
    return the_object(seen, own_pod_query(settings), f"own pod {settings.namespace}/{settings.pod_name}")


def own_node(settings: Settings, seen: Seen) -> Node | Verdict:
    """The node kep runs on, or a pending verdict saying why it is not known."""
    pod = own_pod(settings, seen)
    if isinstance(pod, Verdict):
        return pod
    node = node_of(pod)
    if not node.name and not node.host_ip:
        return pending(f"own pod {settings.namespace}/{settings.pod_name}: no nodeName yet")
    return node


def is_terminating(pod: dict[str, Any]) -> bool:
    """`metadata.deletionTimestamp` is set: the pod is being deleted."""
    return bool(dig(pod, "metadata", "deletionTimestamp", default=None))


def is_ready(pod: dict[str, Any]) -> bool:
    """Condition Ready is "True" (the reference's isPodReady) and the pod is not terminating."""
    return not is_terminating(pod) and any(
        dig(c, "type") == "Ready" and dig(c, "status") == "True"
        for c in dig(pod, "status", "conditions", default=None) or ()
    )


def name_of(obj: dict[str, Any]) -> str:
    return str(dig(obj, "metadata", "name", default="") or "")


def pods_query(spec: Pod) -> Query:
    return Query(PODS, spec.namespace, label_selector=selector_of(spec.labels))


def reads(spec: Pod, settings: Settings) -> tuple[Read, ...]:
    own = own_pod_queries(settings) if spec.require_same_node else ()
    return (*(Read.of(q) for q in own), Read.of(pods_query(spec)))


def queries(spec: Pod, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    if spec.require_same_node:
        return (*own_node_queries(settings, seen), pods_query(spec))
    return (pods_query(spec),)


def evaluate(spec: Pod, settings: Settings, seen: Seen) -> Verdict:
    matching = f"{format_labels(spec.labels)} in namespace {spec.namespace}"
    observation = seen.get(pods_query(spec))
    if observation is None:
        return pending(f"waiting for pods matching {matching}")
    if observation.error is not None:
        return pending(str(observation.error))
    pods = observation.objects
    if not pods:
        return pending(f"no pods match {matching}")
    if spec.require_same_node:
        node = own_node(settings, seen)
        if isinstance(node, Verdict):
            return node
        on_node = f"on this node ({node})"
        pods = tuple(p for p in pods if node.holds(p))
        if not pods:
            return pending(f"pods matching {matching}: {len(observation.objects)} listed, none {on_node}")
        counted = f"{len(pods)} {on_node}"
    else:
        counted = f"{len(pods)} listed"
    for pod in pods:
        if is_ready(pod):
            return met(f"pods matching {matching}: {name_of(pod)} is ready")
    terminating = sum(1 for p in pods if is_terminating(p))
    return pending(f"pods matching {matching}: {counted}, none ready"
                   + (f" ({terminating} terminating)" if terminating else ""))
