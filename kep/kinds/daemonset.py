"""DaemonSet `ns:name`: met when its pod on this node is Ready (or it has none here).

Reads: get the DaemonSet; get the own pod (for `status.hostIP`); then,
derived from the DaemonSet, list pods in `ns` with its `spec.selector`
(matchLabels and matchExpressions, see selectors.py).

The FIRST listed pod whose `status.hostIP` equals the own pod's decides, by
its Ready condition (list order: the API server lists by name). No listed
pod on this node counts as MET, as in the reference (a DaemonSet that does
not schedule here is not waited for); the reason says so.
"""

from __future__ import annotations

from typing import Any

from kep.api.resources import DAEMONSETS, PODS
from kep.kinds.pod import host_ip_of, is_ready, name_of, own_host_ip, own_pod_queries
from kep.kinds.selectors import SelectorError, selector_string
from kep.kinds.reading import the_object
from kep.reads import Query, Seen, dig
from kep.specs import DaemonSet, Settings
from kep.verdict import Verdict, met, pending


def daemonset_query(spec: DaemonSet) -> Query:
    return Query(DAEMONSETS, spec.namespace, name=spec.name)


def pods_query(spec: DaemonSet, daemonset: dict[str, Any]) -> Query:
    """The list of the DaemonSet's pods; raises SelectorError for a selector kep cannot use."""
    selector = selector_string(dig(daemonset, "spec", "selector", default=None))
    if not selector:
        raise SelectorError("empty selector")
    return Query(PODS, spec.namespace, label_selector=selector)


def queries(spec: DaemonSet, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    reads = (daemonset_query(spec), *own_pod_queries(settings))
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
    host_ip = own_host_ip(settings, seen)
    if isinstance(host_ip, Verdict):
        return host_ip
    pods = seen.get(query)
    if pods is None:
        return pending(f"waiting for pods of {subject}")
    if pods.error is not None:
        return pending(str(pods.error))
    for pod in pods.objects:
        if host_ip_of(pod) != host_ip:
            continue
        if is_ready(pod):
            return met(f"{subject}: pod {name_of(pod)} on this node is ready")
        return pending(f"{subject}: pod {name_of(pod)} on this node is not ready")
    return met(f"{subject}: no pod on this node (hostIP {host_ip}); treating as met")


def _daemonset(spec: DaemonSet, seen: Seen) -> dict[str, Any] | Verdict:
    return the_object(seen, daemonset_query(spec), f"daemonset {spec.namespace}/{spec.name}")
