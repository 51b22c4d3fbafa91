"""Watch streams as the real server sends them.

References (k8s.io/apiserver):
* pkg/endpoints/handlers/watch.go: JSON watch streams are served as Content-Type
  application/json (no ";stream=watch" for JSON), one {"type","object"} document per event,
  HTTP/1.1 chunked;
* pkg/storage/cacher/cacher.go: once the watch is accepted, errors are one ERROR event
  (newErrWatcher) in a 200 stream, then the stream ends: a client must read 410 from the
  event, not from the HTTP status;
* pkg/storage/cacher/watch_cache_history.go GetIntervalLocked: `too old resource version:
  %d (%d)` with oldest-1, reason Expired (errors.NewResourceExpired), code 410;
* pkg/storage/cacher/cache_watcher.go convertToWatchEvent: selector transitions become
  ADDED / DELETED; bookmarks only carry kind, apiVersion and metadata.resourceVersion.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.fakeapi import FakeApiServer
from tests.fakeapi._http import Api

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def api(fake_api) -> Api:
    return Api(fake_api, fake_api.admin_token)


def pod(name: str, labels=None, ns: str = "default"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels or {}}}


def test_watch_added_modified_deleted(api: Api, fake_api) -> None:
    fake_api.create(pod("before"))
    w = api.watch(PODS)  # no resourceVersion: current state first, as ADDED
    assert w.resp.status_code == 200
    assert w.resp.headers["Content-Type"] == "application/json"
    assert w.resp.headers["Transfer-Encoding"] == "chunked"
    [first] = w.take(1)
    assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "before"
    assert first["object"]["kind"] == "Pod" and first["object"]["apiVersion"] == "v1"
    assert fake_api.wait_for_watches(1)
    created = fake_api.create(pod("p"))
    fake_api.patch("v1", "pods", "default", "p", {"metadata": {"labels": {"x": "1"}}})
    fake_api.delete("v1", "pods", "default", "p")
    evs = w.take(3)
    assert [e["type"] for e in evs] == ["ADDED", "MODIFIED", "DELETED"]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
    assert rvs == sorted(rvs) and rvs[0] == int(created["metadata"]["resourceVersion"])
    # The DELETED object is the last state, carrying the delete's own resourceVersion.
    assert evs[2]["object"]["metadata"]["labels"] == {"x": "1"}
    assert rvs[2] == fake_api.resource_version
    w.close()


def test_watch_from_resource_version_replays_history(api_server) -> None:
    api, fake_api = Api(api_server, api_server.admin_token), api_server
    lst = api.get(PODS).json()
    rv = lst["metadata"]["resourceVersion"]
    fake_api.create(pod("a"))
    fake_api.create(pod("b", ns="other"))
    fake_api.create(pod("c"))
    w = api.watch(PODS, resourceVersion=rv)
    assert [e["object"]["metadata"]["name"] for e in w.take(2)] == ["a", "c"]
    w.close()
    # All namespaces, with a label selector: the ADDED/DELETED transitions of convertToWatchEvent.
    rv = str(fake_api.resource_version)
    fake_api.patch("v1", "pods", "default", "a", {"metadata": {"labels": {"app": "db"}}})
    fake_api.patch("v1", "pods", "default", "a", {"metadata": {"labels": {"app": "db", "n": "1"}}})
    last = fake_api.patch("v1", "pods", "default", "a", {"metadata": {"labels": {"app": "web"}}})
    w = api.watch("/api/v1/pods", resourceVersion=rv, labelSelector="app=db")
    evs = w.take(3)
    assert [e["type"] for e in evs] == ["ADDED", "MODIFIED", "DELETED"]
    # Stopped matching: DELETED with the previous content and the resourceVersion of the write
    # that made it stop (not the store's newest: a real server's own leases write meanwhile).
    assert evs[2]["object"]["metadata"]["labels"] == {"app": "db", "n": "1"}
    assert evs[2]["object"]["metadata"]["resourceVersion"] == last["metadata"]["resourceVersion"]
    w.close()


def test_watch_field_selector_single_object(api: Api, fake_api) -> None:
    fake_api.create(pod("a"))
    fake_api.create(pod("b"))
    w = api.watch(PODS, fieldSelector="metadata.name=b")
    assert [e["object"]["metadata"]["name"] for e in w.take(1)] == ["b"]
    fake_api.patch("v1", "pods", "default", "a", {"metadata": {"labels": {"x": "1"}}})
    fake_api.patch("v1", "pods", "default", "b", {"metadata": {"labels": {"x": "1"}}})
    [ev] = w.take(1)
    assert ev["type"] == "MODIFIED" and ev["object"]["metadata"]["name"] == "b"
    w.close()


def test_bookmarks(api: Api, fake_api) -> None:
    fake_api.create(pod("a"))
    rv = str(fake_api.resource_version)
    w = api.watch(PODS, resourceVersion=rv, allowWatchBookmarks="true")
    ev = w.next(timeout=3)
    assert ev == {"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                                 "metadata": {"resourceVersion": rv, "creationTimestamp": None}}}
    fake_api.create(pod("b"))
    ev = w.next(timeout=3)
    while ev["type"] == "BOOKMARK":  # older bookmarks may still come first
        assert ev["object"]["metadata"]["resourceVersion"] == rv
        ev = w.next(timeout=3)
    assert ev["type"] == "ADDED"
    ev = w.next(timeout=3)
    assert ev["type"] == "BOOKMARK"
    assert ev["object"]["metadata"]["resourceVersion"] == str(fake_api.resource_version)
    w.close()
    # Without allowWatchBookmarks: none.
    w = api.watch(PODS, resourceVersion=rv, timeoutSeconds=1)
    assert [e["type"] for e in w.rest()] == ["ADDED"]
    w.close()


def test_timeout_seconds_ends_stream_cleanly(api: Api, fake_api) -> None:
    start = time.monotonic()
    w = api.watch(PODS, timeoutSeconds=1, allowWatchBookmarks="1")
    seen = list(w.rest(timeout=5))
    took = time.monotonic() - start
    assert 0.9 < took < 5  # before rest()'s own 5 s
    assert w.ended_cleanly is True
    assert all(e["type"] == "BOOKMARK" for e in seen)
    # The connection is kept alive for the next request.
    assert api.get(PODS).status_code == 200


def test_compacted_resource_version_is_410_error_event(api: Api, fake_api) -> None:
    old = str(fake_api.resource_version)
    fake_api.create(pod("a"))
    now = fake_api.compact()
    w = api.watch(PODS, resourceVersion=old)
    assert w.resp.status_code == 200  # the 410 is inside the stream, not the HTTP status
    ev = w.next()
    assert ev == {"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"too old resource version: {old} ({now})", "reason": "Expired", "code": 410}}
    assert w.next() is None and w.ended_cleanly
    # Watching from the compaction point itself still works.
    w = api.watch(PODS, resourceVersion=str(now), timeoutSeconds=1)
    assert list(w.rest()) == []


@pytest.mark.fake_api(history=3)
def test_bounded_history_expires_old_resource_versions(api: Api, fake_api) -> None:
    start = fake_api.resource_version
    for i in range(5):
        fake_api.create(pod(f"p{i}"))
    w = api.watch(PODS, resourceVersion=str(start))
    ev = w.next()
    assert ev["type"] == "ERROR" and ev["object"]["code"] == 410
    # Oldest kept event is start+3, so start+2 is the oldest resourceVersion one may watch from.
    assert ev["object"]["message"] == f"too old resource version: {start} ({start + 2})"
    w = api.watch(PODS, resourceVersion=str(start + 2))
    assert [e["object"]["metadata"]["name"] for e in w.take(3)] == ["p2", "p3", "p4"]
    w.close()


@pytest.mark.fake_api(too_large_wait=0.2)
def test_too_large_resource_version(api: Api, fake_api) -> None:
    future = fake_api.resource_version + 100
    w = api.watch(PODS, resourceVersion=str(future))
    ev = w.next()
    assert ev["type"] == "ERROR" and ev["object"]["code"] == 504 and ev["object"]["reason"] == "Timeout"
    assert ev["object"]["details"]["causes"] == [{"reason": "ResourceVersionTooLarge",
                                                  "message": "Too large resource version"}]


def test_drop_watches_cuts_streams_abruptly(api: Api, fake_api) -> None:
    watches = [api.watch(PODS) for _ in range(3)]
    assert fake_api.wait_for_watches(3)
    assert fake_api.drop_watches() == 3
    for w in watches:
        ev = w.next()
        assert isinstance(ev, requests.exceptions.RequestException), ev  # no clean end of stream
    assert fake_api.wait_for_watches(0, exactly=True)
    # The server keeps serving; a new watch works.
    w = Api(fake_api, fake_api.admin_token).watch(PODS)
    assert fake_api.wait_for_watches(1)
    fake_api.create(pod("after"))
    assert w.take(1)[0]["object"]["metadata"]["name"] == "after"
    w.close()


def test_stop_with_open_watches_does_not_hang(tmp_path) -> None:
    server = FakeApiServer(workdir=tmp_path).start()
    api = Api(server, server.admin_token)
    watches = [api.watch(PODS) for _ in range(5)]
    idle = Api(server, server.admin_token)
    assert idle.get("/api").status_code == 200  # an idle keep-alive connection too
    assert server.wait_for_watches(5)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 5  # stop() gives its thread 5 s
    for w in watches:
        assert not isinstance(w.next(), dict)


def test_send_initial_events(api_server) -> None:
    api, fake_api = Api(api_server, api_server.admin_token), api_server
    fake_api.create(pod("a"))
    w = api.watch(PODS, sendInitialEvents="true", allowWatchBookmarks="true",
                  resourceVersionMatch="NotOlderThan", resourceVersion="")
    a, bm = w.next(), w.next()
    assert a["type"] == "ADDED"
    assert bm["type"] == "BOOKMARK"
    # The list's blueprint: base64 of '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":null}\n'.
    assert bm["object"]["metadata"] == {
        "resourceVersion": bm["object"]["metadata"]["resourceVersion"], "creationTimestamp": None,
        "annotations": {"k8s.io/initial-events-end": "true", "kubernetes.io/initial-events-list-blueprint":
                        "eyJraW5kIjoiUG9kTGlzdCIsImFwaVZlcnNpb24iOiJ2MSIsIm1ldGFkYXRhIjp7fSwiaXRlbXMiOm51bGx9Cg=="}}
    w.close()


def test_many_concurrent_watches_wake_on_event(api: Api, fake_api) -> None:
    watches = [Api(fake_api, fake_api.admin_token).watch(PODS, resourceVersion=str(fake_api.resource_version))
               for _ in range(30)]
    assert fake_api.wait_for_watches(30)
    start = time.monotonic()
    fake_api.create(pod("x"))
    for w in watches:
        assert w.take(1)[0]["object"]["metadata"]["name"] == "x"
    assert time.monotonic() - start < 2
    for w in watches:
        w.close()


def test_compaction_does_not_end_open_watches(api: Api, fake_api) -> None:
    w = api.watch(PODS, resourceVersion=str(fake_api.resource_version))
    assert fake_api.wait_for_watches(1)
    fake_api.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}})  # other resource
    fake_api.compact()
    fake_api.create(pod("a"))
    assert w.take(1)[0]["object"]["metadata"]["name"] == "a"
    w.close()
