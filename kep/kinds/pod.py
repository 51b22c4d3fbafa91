"""Pod (DEPENDENCY_POD_JSON item): met when a pod with the item's labels is Ready.

List pods in the item's namespace with the labels as an equality selector;
none listed: pending. With `requireSameNode` only pods whose `status.hostIP`
equals the own pod's count. Met if any counted pod has condition Ready "True".

kep reads the own pod only when `requireSameNode` is set (the reference reads
it always, and fails when it cannot). The own-pod helpers here serve the
container and daemonset kinds too.
"""

from __future__ import annotations

from typing import Any

from kep.api.resources import PODS
from kep.kinds.reading import the_object
from kep.reads import Query, Seen, dig
from kep.specs import Pod, Settings, format_labels, selector_of
from kep.verdict import Verdict, met, pending


def own_pod_query(settings: Settings) -> Query:
    """kep's own pod: POD_NAME in NAMESPACE (never the dependency's namespace)."""
    return Query(PODS, settings.namespace, name=settings.pod_name)


def own_pod_queries(settings: Settings) -> tuple[Query, ...]:
    """The own-pod read, or none when the pod name is unknown (a config error upstream:
    a get with an empty name would be a list of every pod)."""
    return (own_pod_query(settings),) if settings.pod_name else ()


def own_pod(settings: Settings, seen: Seen) -> dict[str, Any] | Verdict:
    """The own pod, or a pending verdict saying why it is not known."""
    if not settings.pod_name:
        return pending("own pod name is not set")
    return the_object(seen, own_pod_query(settings), f"own pod {settings.namespace}/{settings.pod_name}")


def own_host_ip(settings: Settings, seen: Seen) -> str | Verdict:
    """The own pod's `status.hostIP`, or a pending verdict saying why it is not known."""
    pod = own_pod(settings, seen)
    if isinstance(pod, Verdict):
        return pod
    host_ip = dig(pod, "status", "hostIP", default="")
    if not isinstance(host_ip, str) or not host_ip:
        return pending(f"own pod {settings.namespace}/{settings.pod_name}: no hostIP yet")
    return host_ip


def host_ip_of(pod: dict[str, Any]) -> str:
    value = dig(pod, "status", "hostIP", default="")
    return value if isinstance(value, str) else ""


def is_ready(pod: dict[str, Any]) -> bool:
    """Condition Ready is "True" (the reference's isPodReady)."""
    return any(
        dig(c, "type") == "Ready" and dig(c, "status") == "True"
        for c in dig(pod, "status", "conditions", default=None) or ()
    )


def name_of(obj: dict[str, Any]) -> str:
    return str(dig(obj, "metadata", "name", default="") or "")


def pods_query(spec: Pod) -> Query:
    return Query(PODS, spec.namespace, label_selector=selector_of(spec.labels))


def queries(spec: Pod, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    if spec.require_same_node:
        return (*own_pod_queries(settings), pods_query(spec))
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
        host_ip = own_host_ip(settings, seen)
        if isinstance(host_ip, Verdict):
            return host_ip
        on_node = f"on this node (hostIP {host_ip})"
        pods = tuple(p for p in pods if host_ip_of(p) == host_ip)
        if not pods:
            return pending(f"pods matching {matching}: {len(observation.objects)} listed, none {on_node}")
        counted = f"{len(pods)} {on_node}"
    else:
        counted = f"{len(pods)} listed"
    for pod in pods:
        if is_ready(pod):
            return met(f"pods matching {matching}: {name_of(pod)} is ready")
    return pending(f"pods matching {matching}: {counted}, none ready")
