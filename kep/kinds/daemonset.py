"""DaemonSet `ns:name`: met when its pod on this node is Ready, or when it runs no pod here.

Reads: get the DaemonSet; get the own pod until its node is known (pod.py);
then, derived from the DaemonSet, list pods in `ns` with its `spec.selector`
(matchLabels and matchExpressions, see selectors.py).

Read as the DaemonSet controller writes it (kubernetes v1.32, pkg/controller/daemon):

- Its pods are the listed pods whose controller `ownerReference` has the
  DaemonSet's uid (`getDaemonPods` adopts by ControllerRef; another workload's
  pod that happens to match the selector is not its pod).
- A pod's node is its target node: `spec.nodeName`, or, before the scheduler
  has bound it, the `metadata.name` matchFields term of its required node
  affinity, which the controller sets on every pod it creates for a node
  (daemon/util/daemonset_util.go `GetTargetNodeName`). So a Pending pod
  created for this node counts as this node's pod.
- Met when one of its non-terminating pods on this node is ready (pod.py:
  `is_ready`: not terminal, not terminating, Ready and its readiness gates
  True). A terminating pod on this node is being replaced (rolling update,
  eviction): pending until the new one is ready. So is a `Failed` one, which
  the controller deletes and creates anew (`podsShouldBeOnNode`), even while
  its Ready condition still says True.
- No pod on this node is met only once the controller has caught up:
  `status.observedGeneration >= metadata.generation` and
  `currentNumberScheduled >= desiredNumberScheduled` (`updateDaemonSetStatus`:
  desired counts the nodes that should run a pod, current those that have
  one). Until then, the pod for this node may simply not exist yet (a node
  that joins makes every DaemonSet create its pods at once). And the pods read
  must show as many nodes with a pod as the status counts: the DaemonSet and
  its pods are read apart, and a status that already counts this node's new pod
  can come with a pods list that does not hold it yet (seen in a real cluster).

The reference counts any pod matching the selector whose `status.hostIP`
equals the own pod's, and treats no such pod as met at once: a pod still
Pending without a hostIP made it start the app before its node's agent.
"""

from __future__ import annotations

from typing import Any

from kep.api.resources import DAEMONSETS, PODS
from kep.kinds.pod import (TERMINAL_PHASES, Node, is_ready, is_terminating, name_of, node_of, own_node,
                           own_node_queries, own_pod_queries)
from kep.kinds.reading import the_object
from kep.kinds.selectors import SelectorError, selector_string
from kep.reads import Query, Read, Seen, dig
from kep.specs import DaemonSet, Settings
from kep.verdict import Verdict, met, pending

NODE_NAME_FIELD = "metadata.name"
"""The field the controller pins each daemon pod to its node with (metav1.ObjectNameField)."""


def daemonset_query(spec: DaemonSet) -> Query:
    return Query(DAEMONSETS, spec.namespace, name=spec.name)


def pods_query(spec: DaemonSet, daemonset: dict[str, Any]) -> Query:
    """The list of the DaemonSet's pods; raises SelectorError for a selector kep cannot use."""
    selector = selector_string(dig(daemonset, "spec", "selector", default=None))
    if not selector:
        raise SelectorError("empty selector")
    return Query(PODS, spec.namespace, label_selector=selector)


def reads(spec: DaemonSet, settings: Settings) -> tuple[Read, ...]:
    return (Read.of(daemonset_query(spec)), *(Read.of(q) for q in own_pod_queries(settings)),
            Read(PODS, spec.namespace, selector="from the DaemonSet's spec.selector"))


def queries(spec: DaemonSet, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    reads = (daemonset_query(spec), *own_node_queries(settings, seen))
    daemonset = _daemonset(spec, seen)
    if isinstance(daemonset, Verdict):
        return reads
    try:
        return (*reads, pods_query(spec, daemonset))
    except SelectorError:
        return reads


def evaluate(spec: DaemonSet, settings: Settings, seen: Seen) -> Verdict:
    subject = f"daemonset {spec.namespace}/{spec.name}"
    daemonset = _daemonset(spec, seen)
    if isinstance(daemonset, Verdict):
        return daemonset
    try:
        query = pods_query(spec, daemonset)
    except SelectorError as exc:
        return pending(f"{subject}: unusable selector: {exc}")
    node = own_node(settings, seen)
    if isinstance(node, Verdict):
        return node
    pods = seen.get(query)
    if pods is None:
        return pending(f"waiting for pods of {subject}")
    if pods.error is not None:
        return pending(str(pods.error))
    uid = dig(daemonset, "metadata", "uid", default="")
    owned = [p for p in pods.objects if controller_uid(p) == uid]
    here = [p for p in owned if node.same_as(target_node(p))]
    current = [p for p in here if not is_terminating(p)]
    for pod in current:
        if is_ready(pod):
            return met(f"{subject}: pod {name_of(pod)} on {node} is ready")
    if current:
        return pending(f"{subject}: pod {name_of(current[0])} on {node} is {_state(current[0])}")
    if here:
        return pending(f"{subject}: pod {name_of(here[0])} on {node} is terminating; waiting for its replacement")
    lag = controller_lag(daemonset) or _pods_behind(daemonset, owned)
    if lag:
        return pending(f"{subject}: no pod on {node} yet; {lag}")
    desired = _count(daemonset, "desiredNumberScheduled")
    return met(f"{subject}: does not run on {node} (its controller has placed all {desired} of its pods); "
               "treating as met")


def controller_uid(obj: dict[str, Any]) -> str:
    """The uid of the object's controller (the ownerReference with `controller: true`), or ""."""
    for ref in dig(obj, "metadata", "ownerReferences", default=None) or ():
        if dig(ref, "controller") is True:
            return str(dig(ref, "uid", default="") or "")
    return ""


def target_node(pod: dict[str, Any]) -> Node:
    """`spec.nodeName`, else the node its required node affinity pins it to
    (`GetTargetNodeName`); status.hostIP kept for the fallback."""
    node = node_of(pod)
    if node.name:
        return node
    terms = dig(pod, "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms", default=None) or ()
    for term in terms:
        for field in dig(term, "matchFields", default=None) or ():
            values = dig(field, "values", default=None)
            if (dig(field, "key") == NODE_NAME_FIELD and dig(field, "operator") == "In"
                    and isinstance(values, list) and len(values) == 1):
                return Node(str(values[0]), node.host_ip)
    return node


def controller_lag(daemonset: dict[str, Any]) -> str:
    """Why the controller's status may not cover this node yet ("" when it has caught up)."""
    generation = dig(daemonset, "metadata", "generation", default=None)
    observed = dig(daemonset, "status", "observedGeneration", default=None)
    if isinstance(generation, int) and not (isinstance(observed, int) and observed >= generation):
        return f"its controller has not yet acted on generation {generation} (observed {observed or 0})"
    desired = _count(daemonset, "desiredNumberScheduled")
    current = _count(daemonset, "currentNumberScheduled")
    if current < desired:
        return f"its controller has placed {current} of {desired} pods"
    return ""


def _pods_behind(daemonset: dict[str, Any], owned: list[dict[str, Any]]) -> str:
    """Why the pods read may be older than the DaemonSet's status ("" when they are not):
    the status counts more nodes with a pod than the pods read show. The two are read
    apart (two requests, or two watch streams), and the controller creates a pod before
    it counts it, so a status that counts this node's new pod can come with a pods list
    that does not hold it yet. Counted as the controller counts (`getNodesToDaemonPods`
    with includeDeletedTerminal false: a pod both terminal and deleted is not counted)."""
    counted = {
        target_node(p).name or target_node(p).host_ip
        for p in owned
        if not (is_terminating(p) and dig(p, "status", "phase") in TERMINAL_PHASES)
    }
    current = _count(daemonset, "currentNumberScheduled")
    if len(counted) < current:
        return f"its controller counts {current} nodes with a pod, the pods read show {len(counted)}; reading again"
    return ""


def _count(daemonset: dict[str, Any], field: str) -> int:
    value = dig(daemonset, "status", field, default=0)
    return value if isinstance(value, int) else 0


def _state(pod: dict[str, Any]) -> str:
    phase = dig(pod, "status", "phase", default="") or "Pending"
    return "Running, not ready" if phase == "Running" else str(phase)


def _daemonset(spec: DaemonSet, seen: Seen) -> dict[str, Any] | Verdict:
    return the_object(seen, daemonset_query(spec), f"daemonset {spec.namespace}/{spec.name}")
