"""Service kind: met when this pod's traffic would reach a ready endpoint (kube-proxy's view;
reference: dependencies/service, which reads Endpoints alone)."""

from __future__ import annotations

import pytest

from kep.api.errors import ServerError
from kep.api.resources import ENDPOINTS, ENDPOINTSLICES, PODS, SERVICES
from kep.kinds import service as service_kind
from kep.reads import Observation, Query
from kep.specs import Service
from kep.verdict import State
from tests.factories import endpoint, endpoint_slice, endpoints, pod, service, subset
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

SPEC = Service("openstack", "mariadb")
SUBJECT = "service openstack/mariadb"
GET = Query(SERVICES, "openstack", name="mariadb")
SLICES = Query(ENDPOINTSLICES, "openstack", label_selector="kubernetes.io/service-name=mariadb")
ENDPOINTS_GET = Query(ENDPOINTS, "openstack", name="mariadb")
OWN = Query(PODS, "ns", name="me")
SLICES_FORBIDDEN = forbidden("list", "endpointslices.discovery.k8s.io", "openstack")
BROKEN = failing(ServerError(verb="list", resource="endpointslices.discovery.k8s.io", namespace="openstack", code=500))

MYSQL = {"name": "mysql", "port": 3306}
GALERA = {"name": "galera", "port": 4567}
WSREP = {"name": "wsrep", "port": 4567, "targetPort": "wsrep"}
SVC = listed(service("mariadb", "openstack"))
ME_ON_A = listed(pod("me", "ns", node_name="node-a"))


def svc(**kw: object) -> Observation:
    return listed(service("mariadb", "openstack", **kw))  # type: ignore[arg-type]


def slices(*eps: dict[str, object], **kw: object) -> Observation:
    return listed(endpoint_slice("mariadb", "openstack", *eps, **kw))  # type: ignore[arg-type]


def eps(*subsets: dict[str, object]) -> Observation:
    return listed(endpoints("mariadb", "openstack", *subsets))


def terminating(address: str, *, serving: bool) -> dict[str, object]:
    """An endpoint as the EndpointSlice controller writes a pod being deleted."""
    return {"addresses": [address], "conditions": {"ready": False, "serving": serving, "terminating": True}}


CASES = [
    # (the state in words, what the cluster holds, verdict, reason)
    ("one ready endpoint serving the one port", {"service": SVC, "slices": slices(endpoint("10.0.0.1"))},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("ready condition absent means ready (discovery/v1 EndpointConditions)",
     {"service": SVC, "slices": slices(endpoint("10.0.0.1", ready=None))}, State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("no slice yet", {"service": SVC, "slices": listed()}, State.PENDING, f"{SUBJECT}: no endpoints"),
    ("a slice without endpoints (no pod matches the selector)", {"service": SVC, "slices": slices()},
     State.PENDING, f"{SUBJECT}: no endpoints"),
    ("the only endpoint not ready", {"service": SVC, "slices": slices(endpoint("10.0.0.1", ready=False))},
     State.PENDING, f"{SUBJECT}: 0 of 1 endpoints ready"),
    ("ready but without an address (kube-proxy ignores it)", {"service": SVC, "slices": slices(endpoint(ready=True))},
     State.PENDING, f"{SUBJECT}: 0 of 1 endpoints ready"),
    ("the only endpoint terminating, still serving (kube-proxy's fallback; kep waits)",
     {"service": SVC, "slices": slices(terminating("10.0.0.1", serving=True))},
     State.PENDING, f"{SUBJECT}: 0 of 1 endpoints ready"),
    ("one terminating, one ready", {"service": SVC, "slices": slices(terminating("10.0.0.1", serving=True),
                                                                     endpoint("10.0.0.2"))},
     State.MET, f"{SUBJECT}: 1 of 2 endpoints ready"),
    ("several slices, one ready endpoint in the second", {"service": SVC, "slices": listed(
        endpoint_slice("mariadb", "openstack", endpoint("10.0.0.1", ready=False), name="a"),
        endpoint_slice("mariadb", "openstack", endpoint("10.0.0.2", ready=False), endpoint("10.0.0.3"), name="b"))},
     State.MET, f"{SUBJECT}: 1 of 3 endpoints ready"),
    # --- the Service object ---
    ("the Service does not exist, though slices do", {"service": listed(), "slices": slices(endpoint("10.0.0.1"))},
     State.PENDING, f"{SUBJECT} not found"),
    ("the Service get answers 404", {"service": not_found("services", "openstack", "mariadb"),
                                     "slices": slices(endpoint("10.0.0.1"))},
     State.PENDING, f"{SUBJECT} not found"),
    ("the Service get fails", {"service": failing(ServerError(verb="get", resource="services", namespace="openstack",
                                                              name="mariadb", code=500)),
                               "slices": slices(endpoint("10.0.0.1"))},
     State.PENDING, 'API server answered 500 to get services "mariadb" in namespace "openstack"'),
    ("the Service may not be read: slices alone, and said",
     {"service": forbidden("get", "services", "openstack", "mariadb"), "slices": slices(endpoint("10.0.0.1"), ports=())},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready (the Service may not be read: its ports and traffic policy "
                "are not checked)"),
    ("ExternalName: never any endpoint",
     {"service": svc(type_="ExternalName", external_name="db.example.com"), "slices": listed()},
     State.PENDING, f"{SUBJECT} is of type ExternalName (db.example.com): it has no endpoints, so it can never be "
                    "met; wait for db.example.com with DEPENDENCY_TCP or DEPENDENCY_HTTP instead"),
    # --- ports (getEndpointPorts, endpointInfoByServicePort) ---
    ("two ports, both listed", {"service": svc(ports=(MYSQL, GALERA)),
                                "slices": slices(endpoint("10.0.0.1"), ports=(MYSQL, GALERA))},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("two ports, the pods lack the named targetPort of one",
     {"service": svc(ports=(MYSQL, WSREP)), "slices": slices(endpoint("10.0.0.1"), ports=(MYSQL,))},
     State.PENDING, f"{SUBJECT}: port wsrep (4567/TCP) reaches none of the 1 ready endpoints (their EndpointSlices "
                    "do not list it: the pods have no port named wsrep)"),
    ("the port is listed by a slice whose endpoints are not ready, not by the ready one",
     {"service": svc(ports=(MYSQL, GALERA)), "slices": listed(
         endpoint_slice("mariadb", "openstack", endpoint("10.0.0.1"), name="a", ports=(MYSQL,)),
         endpoint_slice("mariadb", "openstack", endpoint("10.0.0.2", ready=False), name="b", ports=(MYSQL, GALERA)))},
     State.PENDING, f"{SUBJECT}: port galera (4567/TCP) reaches none of the 1 ready endpoints (their EndpointSlices "
                    "do not list it)"),
    ("same port name, other protocol", {"service": svc(ports=({"name": "dns", "port": 53, "protocol": "UDP"},)),
                                        "slices": slices(endpoint("10.0.0.1"), ports=({"name": "dns", "port": 53},))},
     State.PENDING, f"{SUBJECT}: port dns (53/UDP) reaches none of the 1 ready endpoints (their EndpointSlices "
                    "do not list it)"),
    ("a slice port without a number is ignored", {"service": SVC, "slices": slices(
        endpoint("10.0.0.1"), ports=({"name": "mysql", "port": None},))},
     State.PENDING, f"{SUBJECT}: port mysql (3306/TCP) reaches none of the 1 ready endpoints (their EndpointSlices "
                    "do not list it)"),
    ("an unnamed single port", {"service": svc(ports=({"port": 80},)),
                                "slices": slices(endpoint("10.0.0.1"), ports=({"port": 80},))},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    # --- headless ---
    ("headless with ports: DNS gives ready endpoints, ports are not proxied",
     {"service": svc(headless=True), "slices": slices(endpoint("10.0.0.1"), ports=())},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("headless without ports (its slices have none)", {"service": svc(headless=True, ports=()),
                                                        "slices": slices(endpoint("10.0.0.1"), ports=())},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("headless, not ready", {"service": svc(headless=True), "slices": slices(endpoint("10.0.0.1", ready=False))},
     State.PENDING, f"{SUBJECT}: 0 of 1 endpoints ready"),
    # --- address families ---
    ("IPv4 Service, ready endpoints only in an IPv6 slice", {"service": SVC, "slices": slices(
        endpoint("fd00::1"), address_type="IPv6")}, State.PENDING, f"{SUBJECT}: no endpoints"),
    ("IPv6 Service, IPv6 slice", {"service": svc(ip_families=("IPv6",)), "slices": slices(
        endpoint("fd00::1"), address_type="IPv6")}, State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    ("dual-stack Service, ready in the IPv6 slice only", {"service": svc(ip_families=("IPv4", "IPv6")), "slices": listed(
        endpoint_slice("mariadb", "openstack", endpoint("10.0.0.1", ready=False), name="v4"),
        endpoint_slice("mariadb", "openstack", endpoint("fd00::1"), name="v6", address_type="IPv6"))},
     State.MET, f"{SUBJECT}: 1 of 2 endpoints ready"),
    ("an FQDN slice is never proxied", {"service": SVC, "slices": slices(endpoint("db.example.com"),
                                                                        address_type="FQDN")},
     State.PENDING, f"{SUBJECT}: no endpoints"),
    # --- internalTrafficPolicy Local (CategorizeEndpoints) ---
    ("Local, a ready endpoint on this pod's node", {
        "service": svc(internal_traffic_policy="Local"), "own pod": ME_ON_A,
        "slices": slices(endpoint("10.0.0.1", node_name="node-b"), endpoint("10.0.0.2", node_name="node-a"))},
     State.MET, f"{SUBJECT}: 1 of 2 endpoints ready on this pod's node (node-a)"),
    ("Local, ready endpoints only on other nodes", {
        "service": svc(internal_traffic_policy="Local"), "own pod": ME_ON_A,
        "slices": slices(endpoint("10.0.0.1", node_name="node-b"), endpoint("10.0.0.2", node_name="node-a",
                                                                            ready=False))},
     State.PENDING, f"{SUBJECT}: 1 of 2 endpoints ready, none on this pod's node (node-a); its internalTrafficPolicy "
                    "Local sends this pod's traffic only there"),
    ("Local, own pod not bound yet", {
        "service": svc(internal_traffic_policy="Local"), "own pod": listed(pod("me", "ns", host_ip=None)),
        "slices": slices(endpoint("10.0.0.1", node_name="node-a"))},
     State.PENDING, f"{SUBJECT}: its internalTrafficPolicy is Local, so only endpoints on this pod's node count, "
                    "and that node is not known: own pod ns/me: no nodeName yet"),
    ("Local on a headless Service does nothing (not proxied)", {
        "service": svc(internal_traffic_policy="Local", headless=True),
        "slices": slices(endpoint("10.0.0.1", node_name="node-b"))}, State.MET, f"{SUBJECT}: 1 of 1 endpoints ready"),
    # --- stale Endpoints next to EndpointSlices (kubernetes#125638, #126578) ---
    ("slices say 0 ready, a stale Endpoints still lists an address",
     {"service": SVC, "slices": slices(endpoint("10.0.0.1", ready=False)), "endpoints": eps(subset(["10.0.0.1"]))},
     State.PENDING, f"{SUBJECT}: 0 of 1 endpoints ready"),
    ("the slice list fails: an error, never Endpoints",
     {"service": SVC, "slices": BROKEN, "endpoints": eps(subset(["10.0.0.1"]))},
     State.PENDING, 'API server answered 500 to list endpointslices.discovery.k8s.io in namespace "openstack"'),
    # --- Endpoints where slices are forbidden or not served ---
    ("slices forbidden, Endpoints list an address", {"service": SVC, "slices": SLICES_FORBIDDEN,
                                                      "endpoints": eps(subset(["10.0.0.1"]))},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready (from Endpoints; EndpointSlices forbidden)"),
    ("slices forbidden, only notReadyAddresses", {"service": SVC, "slices": SLICES_FORBIDDEN,
                                                   "endpoints": eps(subset(not_ready=["10.0.0.1", "10.0.0.2"]))},
     State.PENDING, f"{SUBJECT}: 0 of 2 endpoints ready (from Endpoints; EndpointSlices forbidden)"),
    ("slices forbidden, an address in the second subset", {
        "service": SVC, "slices": SLICES_FORBIDDEN,
        "endpoints": eps(subset(not_ready=["10.0.0.1"]), subset(["10.0.0.9"]))},
     State.MET, f"{SUBJECT}: 1 of 2 endpoints ready (from Endpoints; EndpointSlices forbidden)"),
    ("slices forbidden, no Endpoints object", {"service": SVC, "slices": SLICES_FORBIDDEN, "endpoints": listed()},
     State.PENDING, f"{SUBJECT}: no endpoints (from Endpoints; EndpointSlices forbidden)"),
    ("slices forbidden, Endpoints 404", {"service": SVC, "slices": SLICES_FORBIDDEN,
                                         "endpoints": not_found("endpoints", "openstack", "mariadb")},
     State.PENDING, f"{SUBJECT}: no endpoints (from Endpoints; EndpointSlices forbidden)"),
    ("slices and Endpoints forbidden", {"service": SVC, "slices": SLICES_FORBIDDEN,
                                        "endpoints": forbidden("get", "endpoints", "openstack", "mariadb")},
     State.PENDING, 'forbidden: cannot get endpoints "mariadb" in namespace "openstack"; EndpointSlices forbidden'),
    ("slices forbidden, Endpoints not read yet", {"service": SVC, "slices": SLICES_FORBIDDEN},
     State.PENDING, f"waiting for Endpoints of {SUBJECT}; EndpointSlices forbidden"),
    ("slices not served (an old server)", {"service": SVC, "slices": not_found("endpointslices.discovery.k8s.io",
                                                                               "openstack"),
                                           "endpoints": eps(subset(["10.0.0.1"]))},
     State.MET, f"{SUBJECT}: 1 of 1 endpoints ready (from Endpoints; EndpointSlices not served)"),
    # --- not read yet ---
    ("nothing read yet", {}, State.PENDING, f"waiting for {SUBJECT}"),
    ("the Service read, slices not yet", {"service": SVC}, State.PENDING, f"waiting for EndpointSlices of {SUBJECT}"),
]


@pytest.mark.parametrize(("state", "answers", "verdict", "reason"), CASES, ids=[c[0] for c in CASES])
def test_service(state: str, answers: dict[str, Observation], verdict: State, reason: str) -> None:
    outcome = settle(service_kind, SPEC, answers)
    assert (outcome.state, outcome.reason) == (verdict, reason)


def test_service_reads_the_service_and_its_slices_never_endpoints_while_slices_can_be_read() -> None:
    assert service_kind.queries(SPEC, SETTINGS, {}) == (GET, SLICES)
    outcome = settle(service_kind, SPEC, {"service": SVC, "slices": slices(endpoint("10.0.0.1", ready=False)),
                                          "endpoints": eps(subset(["10.0.0.1"]))})
    assert outcome.asked == (GET, SLICES)
    assert ENDPOINTS_GET not in outcome.seen


def test_service_does_not_ask_slices_again_once_forbidden() -> None:
    outcome = settle(service_kind, SPEC, {"service": SVC, "slices": SLICES_FORBIDDEN, "endpoints": eps()})
    assert outcome.asked == (GET, ENDPOINTS_GET)
    # The engine keeps the 403 for the query it no longer asks: the answer stays the same.
    assert service_kind.queries(SPEC, SETTINGS, outcome.seen) == (GET, ENDPOINTS_GET)


def test_service_keeps_asking_slices_after_other_errors() -> None:
    outcome = settle(service_kind, SPEC, {"service": SVC, "slices": BROKEN})
    assert outcome.asked == (GET, SLICES)


def test_service_reads_the_own_pod_only_for_internal_traffic_policy_local_and_only_until_its_node_is_known() -> None:
    local = {"service": svc(internal_traffic_policy="Local"), "slices": slices(endpoint("10.0.0.1")),
             "own pod": ME_ON_A}
    outcome = settle(service_kind, SPEC, local)
    assert OWN in outcome.seen
    assert outcome.asked == (GET, SLICES)
    assert OWN not in settle(service_kind, SPEC, {**local, "service": SVC}).seen
