"""Fault injection, slow answers, request counts and the request log.

What a real server sends for these (k8s.io/apiserver):
* 429 from API Priority and Fairness: pkg/server/filters/priority-and-fairness.go
  tooManyRequests -> Go's http.Error: text/plain "Too many requests, please try again
  later." with a Retry-After header: NOT a Status body, so a client must not require JSON
  on errors;
* 503 while shutting down: pkg/server/filters/waitgroup.go, a Status with Retry-After: 1;
* Retry-After on Status errors comes from details.retryAfterSeconds
  (pkg/endpoints/handlers/responsewriters/writers.go ErrorNegotiated).
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.fakeapi._http import Api

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def api(fake_api) -> Api:
    return Api(fake_api, fake_api.admin_token)


def test_fault_500_then_normal(api: Api, fake_api) -> None:
    fake_api.fault("list", "pods", times=2)
    for _ in range(2):
        r = api.get(PODS)
        assert r.status_code == 500
        body = r.json()
        assert body["kind"] == "Status" and body["reason"] == "InternalError" and body["code"] == 500
        assert "Retry-After" not in r.headers
    assert api.get(PODS).status_code == 200


def test_fault_429_is_plain_text_with_retry_after(api: Api, fake_api) -> None:
    fake_api.fault("get", "pods", code=429, retry_after=3)
    fake_api.fault("get", "pods", code=429)
    r = api.get(f"{PODS}/x")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "3"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.text == "Too many requests, please try again later.\n"
    r = api.get(f"{PODS}/x")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"  # APF always sends one
    assert api.get(f"{PODS}/x").status_code == 404


def test_fault_503_status_with_retry_after(api: Api, fake_api) -> None:
    fake_api.fault("watch", "pods", code=503, retry_after=2)
    r = api.get(PODS, params={"watch": "1"})
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert r.json()["reason"] == "ServiceUnavailable" and r.json()["details"] == {"retryAfterSeconds": 2}
    fake_api.fault("list", "pods", code=503)
    r = api.get(PODS)
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.json()["message"] == "apiserver is shutting down" and "details" not in r.json()


def test_fault_matching(api: Api, fake_api) -> None:
    fake_api.fault("*", "jobs", times=1, code=500)
    assert api.get(PODS).status_code == 200  # other resource: untouched
    assert api.get("/apis/batch/v1/jobs").status_code == 500
    fake_api.fault("update", "pods/status", code=500)
    fake_api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})
    assert api.patch(f"{PODS}/p/status", {"status": {}}).status_code == 200  # patch is not update
    assert api.put(f"{PODS}/p/status", {"metadata": {"name": "p"}}).status_code == 500
    fake_api.fault("get", "/api/v1", code=503)
    assert api.get("/api/v1").status_code == 503
    fake_api.fault("*", "*", times=5)
    fake_api.clear_faults()
    assert api.get(PODS).status_code == 200


def test_fault_code_0_drops_the_connection(api: Api, fake_api) -> None:
    fake_api.fault("list", "pods", code=0)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get(PODS)
    assert api.get(PODS).status_code == 200


def test_fault_410_on_watch_is_an_error_event(api: Api, fake_api) -> None:
    fake_api.fault("watch", "pods", code=410)
    w = api.watch(PODS, resourceVersion="5")
    assert w.resp.status_code == 200
    ev = w.next()
    assert ev["type"] == "ERROR" and ev["object"]["code"] == 410 and ev["object"]["reason"] == "Expired"
    assert w.next() is None


def test_slow(api: Api, fake_api) -> None:
    fake_api.slow("list", "pods", 2)
    start = time.monotonic()
    assert api.get(PODS).status_code == 200
    assert time.monotonic() - start >= 2
    start = time.monotonic()
    assert api.get(PODS).status_code == 200
    assert time.monotonic() - start < 1.5  # not slowed again
    fake_api.slow("get", "pods", 5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get(f"{PODS}/x", timeout=0.3)


def test_counts_and_requests(api: Api, fake_api) -> None:
    fake_api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})
    api.get(PODS)
    api.get(PODS, params={"fieldSelector": "metadata.name=p"})
    api.get(f"{PODS}/p", headers={"User-Agent": "kep/1.0"})
    api.get("/api/v1")
    w = api.watch(PODS, timeoutSeconds=1)
    list(w.rest())
    Api(fake_api, "bad").get(PODS)  # failed authentication is counted too
    c = fake_api.counts
    assert c[("list", "pods")] == 3 and c[("get", "pods")] == 1 and c[("watch", "pods")] == 1
    assert c[("get", "/api/v1")] == 1
    assert c[("create", "pods")] == 0  # Python helpers are not requests
    reqs = fake_api.requests
    last_get = [r for r in reqs if r.verb == "get" and r.resource == "pods"][-1]
    assert last_get.method == "GET" and last_get.path == f"{PODS}/p" and last_get.user_agent == "kep/1.0"
    assert last_get.namespace == "default" and last_get.name == "p" and last_get.user == "kubernetes-admin"
    sel = [r for r in reqs if "fieldSelector" in r.query][0]
    assert sel.query == {"fieldSelector": "metadata.name=p"} and sel.name == "p"
    fake_api.reset_counts()
    fake_api.clear_requests()
    assert not fake_api.counts and fake_api.requests == []
