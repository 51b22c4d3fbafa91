"""Service `ns:name`: met when this pod's traffic to the service would reach a ready endpoint.

Reads: get the Service; list its EndpointSlices (label
`kubernetes.io/service-name=<name>`); the own pod (POD_NAME), only for a
Service with `internalTrafficPolicy: Local`, until its node is known; the
core v1 Endpoints `<name>` only where EndpointSlices are forbidden (403) or
not served (404), for good once seen (the engine keeps that last observation).

What carries the traffic decides (kubernetes v1.32). A client in a pod reaches
a Service through kube-proxy (its ClusterIP), or, for a headless Service,
through DNS records of its endpoints:

| the Service                                  | met when                                        |
|----------------------------------------------|-------------------------------------------------|
| not found                                    | never (pending: "service X not found")          |
| `type: ExternalName`                         | never: no endpoints, no proxying (pending, says what to use) |
| headless (`clusterIP: None`), or no ports    | some ready endpoint has an address              |
| with ports                                   | every port reaches a ready endpoint             |
| `internalTrafficPolicy: Local`               | ... among the endpoints on this pod's node      |
| get forbidden (403)                          | some ready endpoint (ports, policy unchecked; said) |

- Which slices: kube-proxy keys slices by the service-name label
  (pkg/proxy/endpointslicecache.go `endpointSliceCacheKeys`) and each proxier
  serves one IP family: an endpoint whose address is not of that family is
  dropped (`addEndpoints`), and FQDN slices are never proxied. kep counts the
  slices whose `addressType` is one of the Service's `spec.ipFamilies` (IPv4
  and IPv6 where the Service is not readable).
- Which endpoints: ready is `conditions.ready` nil or true, with at least one
  address (`newEndpointSliceInfo`, `addEndpoints`: an endpoint with no address
  is ignored). The EndpointSlice controller writes `ready = publishNotReadyAddresses
  || (podReady && !terminating)` (staging/src/k8s.io/endpointslice/utils.go
  `podToEndpoint`), and leaves out terminal pods (util/controller_utils.go
  `ShouldPodBeInEndpoints`). kube-proxy falls back to serving-but-terminating
  endpoints when no endpoint is ready (pkg/proxy/topology.go
  `CategorizeEndpoints`); kep does not: a pod on its way out is no reason to start.
- Which ports: kube-proxy matches a Service port to a slice port by name and
  protocol, and ignores a slice port without a number (`endpointInfoByServicePort`);
  the EndpointSlice controller lists in a pod's slice only the Service ports
  whose `targetPort` the pod has (`getEndpointPorts`: a named targetPort a pod
  does not declare leaves that port out). A port no ready endpoint serves takes
  no traffic, so kep waits for every port of the Service.
- Traffic policy: kube-proxy sends a pod's traffic to a Service with
  `internalTrafficPolicy: Local` only to endpoints on the same node
  (`CategorizeEndpoints`, `UsesLocalEndpoints`; the endpoint's `nodeName`).
  `externalTrafficPolicy` is for traffic from outside the cluster and is not
  read. Topology hints only narrow the endpoints where one is hinted for this
  zone (`topologyModeFromHints`), so any ready endpoint is reachable either way.
- Headless and ExternalName Services are not proxied (pkg/proxy/util/utils.go
  `ShouldSkipService`); a headless Service's clients resolve its ready
  endpoints by DNS, and a Service without ports is headless by the same rule
  (`getEndpointPorts` gives its slices no ports).
- Endpoints, where slices cannot be read: ready if a subset has an entry in
  `addresses` (the Endpoints controller puts unready pods in
  `notReadyAddresses` and drops terminating ones, pkg/controller/endpoint
  `addEndpointSubset`). Where slices can be read, Endpoints are not: kube-proxy
  reads only slices, and an Endpoints object can lag behind them
  (kubernetes#125638, #126578).

The reference reads only Endpoints, and any address there: a stale Endpoints,
a port no pod serves, or an ExternalName Service's manual Endpoints made it
start the application too early.
"""

from __future__ import annotations

from typing import Any

from kep.api.errors import Forbidden, NotFound
from kep.api.resources import ENDPOINTS, ENDPOINTSLICES, SERVICES
from kep.kinds.pod import Node, own_node, own_node_queries
from kep.reads import Observation, Query, Read, Seen, dig
from kep.specs import Service, Settings
from kep.verdict import Verdict, met, pending

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
ALL_FAMILIES = ("IPv4", "IPv6")


def service_query(spec: Service) -> Query:
    return Query(SERVICES, spec.namespace, name=spec.name)


def slices_query(spec: Service) -> Query:
    return Query(ENDPOINTSLICES, spec.namespace, label_selector=f"{SERVICE_NAME_LABEL}={spec.name}")


def endpoints_query(spec: Service) -> Query:
    return Query(ENDPOINTS, spec.namespace, name=spec.name)


def reads(spec: Service, settings: Settings) -> tuple[Read, ...]:
    """The own pod is read too, only for a Service with internalTrafficPolicy Local."""
    return (Read.of(service_query(spec)), Read.of(slices_query(spec)), Read.of(endpoints_query(spec)))


def queries(spec: Service, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    slices = seen.get(slices_query(spec))
    endpoints = endpoints_query(spec) if slices is not None and _slices_unavailable(slices) else slices_query(spec)
    service = _service(spec, seen)
    local = isinstance(service, dict) and _local_only(service)
    return (service_query(spec), endpoints, *(own_node_queries(settings, seen) if local else ()))


def evaluate(spec: Service, settings: Settings, seen: Seen) -> Verdict:
    subject = f"service {spec.namespace}/{spec.name}"
    service = _service(spec, seen)
    if isinstance(service, Verdict):
        return service
    if service is not None and dig(service, "spec", "type") == "ExternalName":
        target = dig(service, "spec", "externalName", default="") or "an external name"
        return pending(f"{subject} is of type ExternalName ({target}): it has no endpoints, so it can never be "
                       f"met; wait for {target} with DEPENDENCY_TCP or DEPENDENCY_HTTP instead")
    slices = seen.get(slices_query(spec))
    if slices is None:
        return pending(f"waiting for EndpointSlices of {subject}")
    unavailable = _slices_unavailable(slices)
    if unavailable:
        return _from_endpoints(spec, seen, subject, unavailable)
    if slices.error is not None:
        return pending(str(slices.error))
    node: Node | None = None
    if service is not None and _local_only(service):
        found = own_node(settings, seen)
        if isinstance(found, Verdict):
            return pending(f"{subject}: its internalTrafficPolicy is Local, so only endpoints on this pod's node "
                           f"count, and that node is not known: {found.reason}")
        node = found
    return _judge(subject, service, slices.objects, node)


def _service(spec: Service, seen: Seen) -> dict[str, Any] | Verdict | None:
    """The Service; None where it may not be read (its ports and policy then go unchecked);
    a pending verdict while it is not read, not found or failing."""
    observation = seen.get(service_query(spec))
    subject = f"service {spec.namespace}/{spec.name}"
    if observation is None:
        return pending(f"waiting for {subject}")
    if isinstance(observation.error, Forbidden):
        return None
    if isinstance(observation.error, NotFound) or (observation.error is None and not observation.objects):
        return pending(f"{subject} not found")
    if observation.error is not None:
        return pending(str(observation.error))
    return observation.objects[0]


def _local_only(service: dict[str, Any]) -> bool:
    return dig(service, "spec", "internalTrafficPolicy") == "Local" and not _headless(service)


def _headless(service: dict[str, Any]) -> bool:
    return dig(service, "spec", "clusterIP") == "None" or not _ports(service)


def _ports(service: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dig(service, "spec", "ports", default=None) or () if isinstance(p, dict)]


def _judge(subject: str, service: dict[str, Any] | None, slices: tuple[dict[str, Any], ...],
           node: Node | None) -> Verdict:
    families = tuple(dig(service, "spec", "ipFamilies", default=None) or ALL_FAMILIES) if service else ALL_FAMILIES
    used = [s for s in slices if dig(s, "addressType") in families]
    total = sum(len(dig(s, "endpoints", default=None) or ()) for s in used)
    ready = [(s, ep) for s in used for ep in dig(s, "endpoints", default=None) or () if _ready(ep)]
    note = "" if service is not None else " (the Service may not be read: its ports and traffic policy are not checked)"
    if not ready:
        return pending(f"{subject}: {_none_ready(total)}{note}")
    if node is not None:
        here = [(s, ep) for s, ep in ready if node.same_as(Node(str(dig(ep, "nodeName", default="") or "")))]
        if not here:
            return pending(f"{subject}: {len(ready)} of {total} endpoints ready, none on this pod's node ({node}); "
                           "its internalTrafficPolicy Local sends this pod's traffic only there")
        ready = here
    if service is not None and not _headless(service):
        for port in _ports(service):
            if not any(_serves(s, port) for s, _ in ready):
                return pending(f"{subject}: port {_port_name(port)} reaches none of the {len(ready)} ready "
                               f"endpoints (their EndpointSlices do not list it{_target_hint(port)})")
    where = f" on this pod's node ({node})" if node is not None else ""
    return met(f"{subject}: {len(ready)} of {total} endpoints ready{where}{note}")


def _ready(endpoint: Any) -> bool:
    return dig(endpoint, "conditions", "ready", default=None) in (None, True) and bool(
        dig(endpoint, "addresses", default=None))


def _serves(slice_: dict[str, Any], port: dict[str, Any]) -> bool:
    """The slice lists the Service port: same name and protocol, and a port number."""
    name, protocol = port.get("name") or "", port.get("protocol") or "TCP"
    return any(
        (dig(p, "name", default="") or "") == name and (dig(p, "protocol", default="") or "TCP") == protocol
        and dig(p, "port", default=0)
        for p in dig(slice_, "ports", default=None) or ()
    )


def _port_name(port: dict[str, Any]) -> str:
    number = f"{port.get('port', '?')}/{port.get('protocol') or 'TCP'}"
    return f"{port['name']} ({number})" if port.get("name") else number


def _target_hint(port: dict[str, Any]) -> str:
    target = port.get("targetPort")
    return f": the pods have no port named {target}" if isinstance(target, str) else ""


def _slices_unavailable(slices: Observation) -> str:
    """Why EndpointSlices cannot be used at all ("" if they can)."""
    if isinstance(slices.error, Forbidden):
        return "EndpointSlices forbidden"
    if isinstance(slices.error, NotFound):
        return "EndpointSlices not served"
    return ""


def _from_endpoints(spec: Service, seen: Seen, subject: str, unavailable: str) -> Verdict:
    source = f" (from Endpoints; {unavailable})"
    fallback = seen.get(endpoints_query(spec))
    if fallback is None:
        return pending(f"waiting for Endpoints of {subject}; {unavailable}")
    if fallback.error is not None and not isinstance(fallback.error, NotFound):
        return pending(f"{fallback.error}; {unavailable}")
    ready, total = _count_endpoints(fallback.objects)
    if ready:
        return met(f"{subject}: {ready} of {total} endpoints ready{source}")
    return pending(f"{subject}: {_none_ready(total)}{source}")


def _none_ready(total: int) -> str:
    return f"0 of {total} endpoints ready" if total else "no endpoints"


def _count_endpoints(objects: tuple[dict[str, Any], ...]) -> tuple[int, int]:
    """(ready, total) addresses of an Endpoints object (0 or 1 of them)."""
    ready = total = 0
    for obj in objects:
        for subset in dig(obj, "subsets", default=None) or ():
            addresses = len(dig(subset, "addresses", default=None) or ())
            ready += addresses
            total += addresses + len(dig(subset, "notReadyAddresses", default=None) or ())
    return ready, total
