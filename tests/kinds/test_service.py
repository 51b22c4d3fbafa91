"""Service kind: EndpointSlices first, Endpoints as the fallback (reference: dependencies/service)."""

from __future__ import annotations

import pytest

from kep.api.errors import ServerError
from kep.api.resources import ENDPOINTS, ENDPOINTSLICES
from kep.kinds import service
from kep.reads import Observation, Query
from kep.specs import Service
from kep.verdict import State
from tests.factories import endpoint, endpoint_slice, endpoints, subset
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

SPEC = Service("openstack", "mariadb")
SLICES = Query(ENDPOINTSLICES, "openstack", label_selector="kubernetes.io/service-name=mariadb")
ENDPOINTS_GET = Query(ENDPOINTS, "openstack", name="mariadb")
SLICES_FORBIDDEN = forbidden("list", "endpointslices.discovery.k8s.io", "openstack")
BROKEN = failing(ServerError(verb="list", resource="endpointslices.discovery.k8s.io", namespace="openstack", code=500))


def slices(*eps: dict[str, object]) -> Observation:
    return listed(endpoint_slice("mariadb", "openstack", *eps))


def eps(*subsets: dict[str, object]) -> Observation:
    return listed(endpoints("mariadb", "openstack", *subsets))


def test_service_lists_slices_by_service_name_label_first() -> None:
    assert service.queries(SPEC, SETTINGS, {}) == (SLICES,)


def test_service_gets_endpoints_by_name_when_no_slice_endpoint_is_ready() -> None:
    assert service.queries(SPEC, SETTINGS, {SLICES: slices()}) == (SLICES, ENDPOINTS_GET)


def terminating(address: str, *, serving: bool) -> dict[str, object]:
    """An endpoint as the EndpointSlice controller writes a pod being deleted."""
    return {"addresses": [address], "conditions": {"ready": False, "serving": serving, "terminating": True}}


CASES = [
    # --- issue 10: a terminating endpoint, as the controller writes it, is not ready ---
    pytest.param(
        {"slices": slices(terminating("10.0.0.1", serving=True)), "endpoints": eps()},
        State.PENDING, "service openstack/mariadb: 0 of 1 endpoints ready",
        id="pending_when_the_only_endpoint_is_terminating_though_still_serving",
    ),
    pytest.param(
        {"slices": slices(terminating("10.0.0.1", serving=True), endpoint("10.0.0.2", ready=True))},
        State.MET, "service openstack/mariadb: 1 of 2 endpoints ready",
        id="met_by_the_endpoint_that_is_not_terminating",
    ),
    # --- the reference's scenarios (service_test.go + mocks) ---
    pytest.param(
        {"slices": slices(endpoint("127.0.0.1", ready=True))},
        State.MET, "service openstack/mariadb: 1 of 1 endpoints ready",
        id="met_when_a_slice_endpoint_is_ready",
    ),
    pytest.param(
        {"slices": BROKEN, "endpoints": failing(ServerError(verb="get", resource="endpoints", namespace="openstack", name="mariadb", code=500))},
        State.PENDING, 'API server answered 500 to list endpointslices.discovery.k8s.io in namespace "openstack"',
        id="pending_when_slices_and_endpoints_both_fail",
    ),
    pytest.param(
        {"slices": slices(), "endpoints": eps()},
        State.PENDING, "service openstack/mariadb: no endpoints",
        id="pending_when_slices_and_endpoints_are_empty",
    ),
    pytest.param(
        {"slices": slices(endpoint("127.0.0.1", ready=False)), "endpoints": eps(subset(not_ready=["127.0.0.1"]))},
        State.PENDING, "service openstack/mariadb: 0 of 1 endpoints ready",
        id="pending_when_endpoints_are_not_ready_and_not_ready_addresses_do_not_count",
    ),
    # --- the rules, and kep's differences ---
    pytest.param(
        {"slices": slices(endpoint("10.0.0.1", ready=None))},
        State.MET, "service openstack/mariadb: 1 of 1 endpoints ready",
        id="met_when_ready_condition_is_absent",
    ),
    pytest.param(
        {"slices": slices(endpoint(ready=True)), "endpoints": eps()},
        State.PENDING, "service openstack/mariadb: 0 of 1 endpoints ready",
        id="pending_when_ready_endpoint_has_no_address",
    ),
    pytest.param(
        {"slices": listed(
            endpoint_slice("mariadb", "openstack", endpoint("10.0.0.1", ready=False), name="a"),
            endpoint_slice("mariadb", "openstack", endpoint("10.0.0.2", ready=False), endpoint("10.0.0.3"), name="b"),
        )},
        State.MET, "service openstack/mariadb: 1 of 3 endpoints ready",
        id="met_when_any_of_several_slices_has_a_ready_endpoint",
    ),
    pytest.param(
        {"slices": slices(endpoint("10.0.0.1", ready=False)), "endpoints": eps(subset(["10.0.0.1"], ["10.0.0.2"]))},
        State.MET, "service openstack/mariadb: 1 of 2 endpoints ready (from Endpoints)",
        id="met_when_endpoints_fallback_has_address",
    ),
    pytest.param(
        {"slices": slices(endpoint("10.0.0.1", ready=False)), "endpoints": eps(subset(not_ready=["10.0.0.1"]), subset(["10.0.0.9"]))},
        State.MET, "service openstack/mariadb: 1 of 2 endpoints ready (from Endpoints)",
        id="met_when_any_endpoints_subset_has_address",
    ),
    pytest.param(
        {"slices": BROKEN, "endpoints": eps(subset(["10.0.0.1"]))},
        State.MET, "service openstack/mariadb: 1 of 1 endpoints ready (from Endpoints)",
        id="met_from_endpoints_when_slice_list_fails",
    ),
    pytest.param(
        {"slices": slices(), "endpoints": listed()},
        State.PENDING, "service openstack/mariadb: no endpoints",
        id="pending_when_no_slices_and_endpoints_not_found",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN, "endpoints": eps(subset(["10.0.0.1"]))},
        State.MET, "service openstack/mariadb: 1 of 1 endpoints ready (from Endpoints; EndpointSlices forbidden)",
        id="met_from_endpoints_when_slices_forbidden",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN, "endpoints": eps(subset(not_ready=["10.0.0.1", "10.0.0.2"]))},
        State.PENDING, "service openstack/mariadb: 0 of 2 endpoints ready (from Endpoints; EndpointSlices forbidden)",
        id="pending_from_endpoints_when_slices_forbidden_and_none_ready",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN, "endpoints": listed()},
        State.PENDING, "service openstack/mariadb: no endpoints (from Endpoints; EndpointSlices forbidden)",
        id="pending_when_slices_forbidden_and_endpoints_missing",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN, "endpoints": not_found("endpoints", "openstack", "mariadb")},
        State.PENDING, "service openstack/mariadb: no endpoints (from Endpoints; EndpointSlices forbidden)",
        id="pending_when_slices_forbidden_and_endpoints_404",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN, "endpoints": forbidden("get", "endpoints", "openstack", "mariadb")},
        State.PENDING, 'forbidden: cannot get endpoints "mariadb" in namespace "openstack"; EndpointSlices forbidden',
        id="pending_names_both_when_slices_and_endpoints_forbidden",
    ),
    pytest.param(
        {"slices": SLICES_FORBIDDEN},
        State.PENDING, "waiting for Endpoints of service openstack/mariadb; EndpointSlices forbidden",
        id="pending_while_fallback_endpoints_not_read_yet",
    ),
    pytest.param(
        {"slices": not_found("endpointslices.discovery.k8s.io", "openstack"), "endpoints": eps(subset(["10.0.0.1"]))},
        State.MET, "service openstack/mariadb: 1 of 1 endpoints ready (from Endpoints; EndpointSlices not served)",
        id="met_from_endpoints_when_slices_not_served",
    ),
    pytest.param(
        {},
        State.PENDING, "waiting for EndpointSlices of service openstack/mariadb",
        id="pending_until_slices_are_read",
    ),
]


@pytest.mark.parametrize(("answers", "state", "reason"), CASES)
def test_service(answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(service, SPEC, answers)
    assert (outcome.state, outcome.reason) == (state, reason)


def test_service_reads_no_endpoints_when_a_slice_endpoint_is_ready() -> None:
    outcome = settle(service, SPEC, {"slices": slices(endpoint("10.0.0.1")), "endpoints": eps()})
    assert outcome.asked == (SLICES,)
    assert ENDPOINTS_GET not in outcome.seen


def test_service_does_not_ask_slices_again_once_forbidden() -> None:
    outcome = settle(service, SPEC, {"slices": SLICES_FORBIDDEN, "endpoints": eps()})
    assert outcome.asked == (ENDPOINTS_GET,)
    # The engine keeps the 403 for the query it no longer asks: the answer stays the same.
    assert service.queries(SPEC, SETTINGS, outcome.seen) == (ENDPOINTS_GET,)


def test_service_keeps_asking_slices_after_other_errors() -> None:
    outcome = settle(service, SPEC, {"slices": BROKEN, "endpoints": eps()})
    assert outcome.asked == (SLICES, ENDPOINTS_GET)


def test_service_keeps_endpoints_asked_once_read_so_they_never_go_stale() -> None:
    seen = {SLICES: slices(endpoint("10.0.0.1")), ENDPOINTS_GET: eps(subset(["10.0.0.1"]))}
    assert service.queries(SPEC, SETTINGS, seen) == (SLICES, ENDPOINTS_GET)


def test_service_ignores_endpoints_read_in_another_namespace() -> None:
    seen = {SLICES: slices(), Query(ENDPOINTS, "other", name="mariadb"): eps(subset(["10.0.0.1"]))}
    assert service.evaluate(SPEC, SETTINGS, seen).state is State.PENDING
