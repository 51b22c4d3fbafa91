"""Service `ns:name`: met when the service has a ready endpoint.

Reads, level-driven from what `seen` holds:

| situation                                   | queries                |
|---------------------------------------------|------------------------|
| slices not read yet                         | slices                 |
| slices list a ready endpoint                | slices                 |
| slices list none ready, or failed (not 403) | slices, Endpoints      |
| Endpoints were ever read (and no 403)       | slices, Endpoints      |
| slices forbidden (403) or not served (404)  | Endpoints (for good)   |

Once read, Endpoints stay asked: a dropped query keeps its last observation,
and a stale Endpoints with addresses must not make the service met later.

slices = list EndpointSlices with `kubernetes.io/service-name=<name>`; an
endpoint is ready if `conditions.ready` is absent or true and it has an
address. Endpoints = get the core v1 Endpoints `<name>`; ready if a subset has
an entry in `addresses` (`notReadyAddresses` do not count). The Service object
itself is never read.

That is what the writers mean (kubernetes v1.32): the EndpointSlice controller
sets `ready = publishNotReadyAddresses || (podReady && !terminating)`
(staging/src/k8s.io/endpointslice/utils.go `podToEndpoint`), so a terminating
pod stays listed with ready false; a nil `ready` "should be interpreted as
ready" (k8s.io/api discovery/v1 EndpointConditions). The Endpoints controller
drops terminating pods and puts unready ones in `notReadyAddresses`
(pkg/controller/endpoint `addEndpointSubset`). With `publishNotReadyAddresses`
the service's owner asks for every pod to be published as ready, and kep, like
every other client of the service, takes it at its word.

A 403 on EndpointSlices is the usual chart RBAC (only `endpoints` granted):
once seen, the slices are not asked again (the engine keeps that last
observation, so this stays true), and every reason says `(from Endpoints;
EndpointSlices forbidden)` - the reason change is the one-time notice.
"""

from __future__ import annotations

from typing import Any

from kep.api.errors import Forbidden, NotFound
from kep.api.resources import ENDPOINTS, ENDPOINTSLICES
from kep.reads import Observation, Query, Read, Seen, dig
from kep.specs import Service, Settings
from kep.verdict import Verdict, met, pending

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def slices_query(spec: Service) -> Query:
    return Query(ENDPOINTSLICES, spec.namespace, label_selector=f"{SERVICE_NAME_LABEL}={spec.name}")


def endpoints_query(spec: Service) -> Query:
    return Query(ENDPOINTS, spec.namespace, name=spec.name)


def reads(spec: Service, settings: Settings) -> tuple[Read, ...]:
    return (Read.of(slices_query(spec)), Read.of(endpoints_query(spec)))


def queries(spec: Service, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    slices = seen.get(slices_query(spec))
    if slices is None:
        return (slices_query(spec),)
    if _slices_unavailable(slices):
        return (endpoints_query(spec),)
    if (
        slices.error is None
        and _count_slices(slices.objects)[0]
        and endpoints_query(spec) not in seen
    ):
        return (slices_query(spec),)
    return (slices_query(spec), endpoints_query(spec))


def evaluate(spec: Service, settings: Settings, seen: Seen) -> Verdict:
    subject = f"service {spec.namespace}/{spec.name}"
    slices = seen.get(slices_query(spec))
    if slices is None:
        return pending(f"waiting for EndpointSlices of {subject}")

    unavailable = _slices_unavailable(slices)
    if slices.error is None:
        ready, total = _count_slices(slices.objects)
        if ready:
            return met(f"{subject}: {ready} of {total} endpoints ready")

    source = f" (from Endpoints; {unavailable})" if unavailable else " (from Endpoints)"
    fallback = seen.get(endpoints_query(spec))
    if fallback is not None and fallback.error is None:
        ready, total = _count_endpoints(fallback.objects)
        if ready:
            return met(f"{subject}: {ready} of {total} endpoints ready{source}")

    if not unavailable:
        if slices.error is not None:
            return pending(str(slices.error))
        ready, total = _count_slices(slices.objects)
        return pending(f"{subject}: {_none_ready(total)}")
    if fallback is None:
        return pending(f"waiting for Endpoints of {subject}; {unavailable}")
    if fallback.error is not None and not isinstance(fallback.error, NotFound):
        return pending(f"{fallback.error}; {unavailable}")
    ready, total = _count_endpoints(fallback.objects)
    return pending(f"{subject}: {_none_ready(total)}{source}")


def _slices_unavailable(slices: Observation) -> str:
    """Why EndpointSlices cannot be used at all ("" if they can)."""
    if isinstance(slices.error, Forbidden):
        return "EndpointSlices forbidden"
    if isinstance(slices.error, NotFound):
        return "EndpointSlices not served"
    return ""


def _none_ready(total: int) -> str:
    return f"0 of {total} endpoints ready" if total else "no endpoints"


def _count_slices(slices: tuple[dict[str, Any], ...]) -> tuple[int, int]:
    """(ready, total) endpoints over all slices."""
    ready = total = 0
    for eps in slices:
        for ep in dig(eps, "endpoints", default=None) or ():
            total += 1
            if dig(ep, "conditions", "ready", default=None) in (None, True) and dig(
                ep, "addresses", default=None
            ):
                ready += 1
    return ready, total


def _count_endpoints(objects: tuple[dict[str, Any], ...]) -> tuple[int, int]:
    """(ready, total) addresses of an Endpoints object (0 or 1 of them)."""
    ready = total = 0
    for obj in objects:
        for subset in dig(obj, "subsets", default=None) or ():
            addresses = len(dig(subset, "addresses", default=None) or ())
            ready += addresses
            total += addresses + len(dig(subset, "notReadyAddresses", default=None) or ())
    return ready, total
