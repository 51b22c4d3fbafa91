"""Pod (DEPENDENCY_POD_JSON item): met when a pod with the item's labels is Ready.

List pods in the item's namespace with the labels as an equality selector;
none listed: pending. With `requireSameNode` only pods on this node count
(see `Node`). Met if any counted pod is ready (`is_ready`).

A pod is ready when its writers say it can serve (kubernetes v1.32):

| pod state                                             | ready? | why                                   |
|-------------------------------------------------------|--------|---------------------------------------|
| phase `Succeeded` or `Failed` (terminal)              | no     | its containers have stopped for good  |
| `metadata.deletionTimestamp` set (terminating)        | no     | it is on its way out                  |
| condition Ready missing, "False" or "Unknown"         | no     | the kubelet has not said ready        |
| a `spec.readinessGates` condition missing / not True  | no     | a gate the kubelet ANDs into Ready    |
| Ready "True", none of the above                       | yes    |                                       |

- The kubelet writes Ready (pkg/kubelet/status/generate.go
  `GeneratePodReadyCondition`): True only when ContainersReady is True (every
  regular container and native sidecar `ready`, `GenerateContainersReadyCondition`)
  and every readiness gate's condition is "True". A gate is written by another
  controller, so kep checks the gates too: a gate turned False is seen at once,
  not after the kubelet's next status write.
- A terminal pod never counts: the EndpointSlice controller leaves it out
  whatever its conditions say (staging/src/k8s.io/endpointslice/util/
  controller_utils.go `ShouldPodBeInEndpoints`: `isPodTerminal` first; PR
  #110256 for kubernetes#108594, where graceful node shutdown left `phase:
  Failed` with `Ready=True`). A terminal phase is final (k8s.io/api core/v1
  PodPhase), so such a pod is never ready again; another pod may be.
- A terminating pod never counts: the kubelet's status manager may keep
  Ready=True after `metadata.deletionTimestamp` is set, until the readiness
  probe fails or the containers stop, while the EndpointSlice controller
  already marks its endpoint not ready (staging/src/k8s.io/endpointslice/
  utils.go `podToEndpoint`: `ready = publishNotReadyAddresses || (serving &&
  !terminating)`).

The reference reads the Ready condition alone (its isPodReady), so a failed or
terminating pod that still says Ready=True made it start the application.

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


TERMINAL_PHASES = ("Succeeded", "Failed")


def is_ready(pod: dict[str, Any]) -> bool:
    """Ready by the table in the module docstring."""
    return not unready_because(pod)


def unready_because(pod: dict[str, Any]) -> str:
    """Why the pod is not ready, in a few words ("" when it is ready)."""
    phase = dig(pod, "status", "phase", default="")
    if phase in TERMINAL_PHASES:
        return str(phase)
    if is_terminating(pod):
        return "terminating"
    conditions = {
        dig(c, "type"): dig(c, "status")
        for c in dig(pod, "status", "conditions", default=None) or ()
        if isinstance(c, dict)
    }
    if conditions.get("Ready") != "True":
        return "not ready"
    for gate in dig(pod, "spec", "readinessGates", default=None) or ():
        wanted = dig(gate, "conditionType", default="")
        if conditions.get(wanted) != "True":
            return f"readiness gate {wanted} not True"
    return ""


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
    return pending(f"pods matching {matching}: {counted}, none ready{_tally(pods)}")


def _tally(pods: tuple[dict[str, Any], ...]) -> str:
    """Why they are not ready, counted: " (1 Failed, 2 terminating)", or "" when every one
    is plainly not ready yet."""
    reasons: dict[str, int] = {}
    for pod in pods:
        why = unready_because(pod)
        if why != "not ready":
            reasons[why] = reasons.get(why, 0) + 1
    return f" ({', '.join(f'{n} {why}' for why, n in reasons.items())})" if reasons else ""
