"""get / list / create / update / patch / delete, the status subresource, resourceVersions.

Real-server references: errors.NewNotFound / NewAlreadyExists / NewConflict
(k8s.io/apimachinery pkg/api/errors/errors.go); typed lists encode their items without
kind/apiVersion (only unstructured custom-resource lists keep them); status strategies
(PrepareForUpdate) keep `.status` on the main resource and only `.status` on /status.
"""

from __future__ import annotations

import json

import pytest

from tests.fakeapi import ApiError
from tests.fakeapi._http import Api

PODS = "/api/v1/namespaces/default/pods"
JOBS = "/apis/batch/v1/namespaces/default/jobs"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"
GADGETS = "/apis/example.com/v1/gadgets"


@pytest.fixture
def api(fake_api) -> Api:
    return Api(fake_api, fake_api.admin_token)


def pod(name: str, ns: str = "default", **extra):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns}, "spec": {}, **extra}


def test_get_and_not_found_status(api: Api, fake_api) -> None:
    fake_api.create(pod("db-0", status={"phase": "Running"}))
    r = api.get(f"{PODS}/db-0")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    obj = r.json()
    assert list(obj)[:3] == ["kind", "apiVersion", "metadata"]
    assert obj["kind"] == "Pod" and obj["apiVersion"] == "v1" and obj["status"] == {"phase": "Running"}
    md = obj["metadata"]
    assert md["name"] == "db-0" and md["namespace"] == "default"
    assert md["uid"] and md["creationTimestamp"].endswith("Z") and md["generation"] == 1
    assert int(md["resourceVersion"]) > 0

    r = api.get(f"{PODS}/nope")
    assert r.status_code == 404
    assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": 'pods "nope" not found', "reason": "NotFound",
                        "details": {"name": "nope", "kind": "pods"}, "code": 404}
    r = api.get(f"{JOBS}/nope")
    assert r.json()["message"] == 'jobs.batch "nope" not found'
    assert r.json()["details"] == {"name": "nope", "group": "batch", "kind": "jobs"}


def test_list_namespaced_and_all_namespaces(api: Api, fake_api) -> None:
    for ns, name in [("b", "p2"), ("a", "p1"), ("a", "p0")]:
        fake_api.create(pod(name, ns))
    r = api.get("/api/v1/pods").json()
    assert r["kind"] == "PodList" and r["apiVersion"] == "v1"
    assert r["metadata"]["resourceVersion"] == str(fake_api.resource_version)
    # etcd key order: namespace, then name.
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in r["items"]] == [
        ("a", "p0"), ("a", "p1"), ("b", "p2")]
    # Typed lists carry no kind/apiVersion on their items: clients must not rely on them.
    assert all("kind" not in i and "apiVersion" not in i for i in r["items"])
    assert [i["metadata"]["name"] for i in api.get("/api/v1/namespaces/a/pods").json()["items"]] == ["p0", "p1"]


def test_custom_resource_list_items_keep_kind(api: Api, fake_api) -> None:
    fake_api.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": 1}})
    r = api.get(WIDGETS).json()
    assert r["kind"] == "WidgetList" and r["apiVersion"] == "example.com/v1"
    assert r["items"][0]["kind"] == "Widget" and r["items"][0]["apiVersion"] == "example.com/v1"


def test_pagination(api_server) -> None:
    api, fake_api = Api(api_server, api_server.admin_token), api_server
    for i in range(5):
        fake_api.create(pod(f"p{i}"))
    first = api.get(PODS, params={"limit": 2}).json()
    assert [i["metadata"]["name"] for i in first["items"]] == ["p0", "p1"]
    assert first["metadata"]["remainingItemCount"] == 3
    second = api.get(PODS, params={"limit": 2, "continue": first["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in second["items"]] == ["p2", "p3"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    third = api.get(PODS, params={"limit": 2, "continue": second["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in third["items"]] == ["p4"] and "continue" not in third["metadata"]
    fake_api.create(pod("p5"))
    fake_api.compact()  # like an etcd compaction past the list's revision
    r = api.get(PODS, params={"limit": 2, "continue": first["metadata"]["continue"]})
    assert r.status_code == 410 and r.json()["reason"] == "Expired"


def test_resource_version_grows_on_every_write_only(api: Api, fake_api) -> None:
    rv0 = fake_api.resource_version
    created = api.post(PODS, {"metadata": {"name": "p", "labels": {"a": "1"}}, "spec": {"x": 1}})
    assert created.status_code == 201
    rv1 = int(created.json()["metadata"]["resourceVersion"])
    assert rv1 > rv0
    patched = api.patch(f"{PODS}/p", {"metadata": {"labels": {"a": "2"}}}).json()
    rv2 = int(patched["metadata"]["resourceVersion"])
    assert rv2 > rv1 and patched["metadata"]["generation"] == 1  # metadata changes keep the generation
    # A write that changes nothing is no write (etcd3 GuaranteedUpdate): same resourceVersion.
    same = api.patch(f"{PODS}/p", {"metadata": {"labels": {"a": "2"}}}).json()
    assert same["metadata"]["resourceVersion"] == str(rv2)
    spec = api.patch(f"{PODS}/p", {"spec": {"x": 2}}).json()
    assert spec["metadata"]["generation"] == 2
    assert api.get(PODS).json()["metadata"]["resourceVersion"] == spec["metadata"]["resourceVersion"]
    # Other kinds share the one counter.
    job = api.post(JOBS, {"metadata": {"name": "j"}, "spec": {}}).json()
    assert int(job["metadata"]["resourceVersion"]) == int(spec["metadata"]["resourceVersion"]) + 1


def test_create_errors(api: Api, fake_api) -> None:
    fake_api.create(pod("p"))
    r = api.post(PODS, {"metadata": {"name": "p"}})
    assert r.status_code == 409
    assert r.json()["reason"] == "AlreadyExists" and r.json()["message"] == 'pods "p" already exists'
    r = api.post(PODS, {"metadata": {"name": "q", "namespace": "other"}})
    assert r.status_code == 400 and r.json()["reason"] == "BadRequest"
    r = api.post(PODS, {"metadata": {}})
    assert r.status_code == 422 and r.json()["reason"] == "Invalid"
    assert r.json()["message"] == 'Pod "" is invalid: metadata.name: Required value: name or generateName is required'
    r = api.post(PODS, {"metadata": {"name": "p", "resourceVersion": "5"}})
    assert r.status_code == 400
    r = api.post(PODS, {"metadata": {"generateName": "web-"}})
    assert r.status_code == 201 and r.json()["metadata"]["name"].startswith("web-")
    with pytest.raises(ApiError) as e:
        fake_api.create(pod("p"))
    assert e.value.code == 409


def test_custom_resource_generation_grows_with_spec_not_status(api_server) -> None:
    """The rule custom resources' observedGeneration relies on (kep.kinds.customresource)."""
    foos = ("stable.example.com/v1", "foos", "default", "g")
    created = api_server.create({"apiVersion": "stable.example.com/v1", "kind": "Foo",
                                 "metadata": {"name": "g", "namespace": "default"}, "spec": {"size": 1}})
    assert created["metadata"]["generation"] == 1
    status = api_server.patch(*foos, {"status": {"observedGeneration": 1}}, subresource="status")
    assert status["metadata"]["generation"] == 1 and status["status"] == {"observedGeneration": 1}
    assert api_server.patch(*foos, {"metadata": {"labels": {"a": "1"}}})["metadata"]["generation"] == 1
    assert api_server.patch(*foos, {"spec": {"size": 3}})["metadata"]["generation"] == 2


def test_without_a_status_subresource_a_status_write_bumps_the_generation(api_server) -> None:
    """Why kep.kinds.customresource compares generations only where `<plural>/status` is served."""
    from tests.fakeapi import CustomResourceDef

    api_server.add_custom_resource(CustomResourceDef("example.com", "v1", "Plain", "plains", namespaced=True,
                                                     status_subresource=False))
    plains = ("example.com/v1", "plains", "default", "p")
    created = api_server.create({"apiVersion": "example.com/v1", "kind": "Plain",
                                 "metadata": {"name": "p", "namespace": "default"}, "spec": {"size": 1}})
    assert created["metadata"]["generation"] == 1
    written = api_server.patch(*plains, {"status": {"observedGeneration": 1}})
    assert written["metadata"]["generation"] == 2 and written["status"] == {"observedGeneration": 1}


def test_update_conflict_and_status_rules(api: Api, fake_api) -> None:
    created = api.post(JOBS, {"metadata": {"name": "j"}, "spec": {"p": 1}, "status": {"succeeded": 1}}).json()
    # POST resets status (job strategy PrepareForCreate).
    assert created["status"] == {}
    body = dict(created, spec={"p": 2}, status={"succeeded": 5})
    updated = api.put(f"{JOBS}/j", body).json()
    assert updated["spec"] == {"p": 2} and updated["status"] == {}  # main resource ignores status
    assert updated["metadata"]["generation"] == 2
    r = api.put(f"{JOBS}/j", body)  # stale resourceVersion
    assert r.status_code == 409 and r.json()["reason"] == "Conflict"
    assert r.json()["message"] == ('Operation cannot be fulfilled on jobs.batch "j": the object has been modified; '
                                   "please apply your changes to the latest version and try again")
    st = api.put(f"{JOBS}/j/status", dict(updated, spec={"p": 99}, status={"succeeded": 1})).json()
    assert st["status"] == {"succeeded": 1} and st["spec"] == {"p": 2}  # /status only takes status
    assert st["metadata"]["generation"] == 2
    st = api.patch(f"{JOBS}/j/status", {"status": {"active": 1}}).json()
    assert st["status"] == {"succeeded": 1, "active": 1}
    assert api.get(f"{JOBS}/j/status").json()["status"] == {"succeeded": 1, "active": 1}


def test_patch_types(api: Api, fake_api) -> None:
    fake_api.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "svc", "labels": {"a": "1"}},
                     "subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]})
    path = "/api/v1/namespaces/default/endpoints/svc"
    r = api.patch(path, {"metadata": {"labels": {"a": None, "b": "2"}}})
    assert r.json()["metadata"]["labels"] == {"b": "2"}
    r = api.patch(path, [{"op": "add", "path": "/subsets/0/addresses/-", "value": {"ip": "10.0.0.2"}}],
                  content_type="application/json-patch+json")
    assert [a["ip"] for a in r.json()["subsets"][0]["addresses"]] == ["10.0.0.1", "10.0.0.2"]
    r = api.patch(path, [{"op": "test", "path": "/metadata/name", "value": "other"}],
                  content_type="application/json-patch+json")
    assert r.status_code == 422
    r = api.patch(path, {"metadata": {}}, content_type="application/apply-patch+yaml")
    assert r.status_code == 415 and r.json()["reason"] == "UnsupportedMediaType"
    r = api.patch(f"{PODS}/none", {"metadata": {}})
    assert r.status_code == 404


def test_python_patch_refuses_status_on_main_resource(fake_api) -> None:
    fake_api.create(pod("p"))
    with pytest.raises(ValueError, match="subresource='status'"):
        fake_api.patch("v1", "pods", "default", "p", {"status": {"phase": "Running"}})
    out = fake_api.patch("v1", "pods", "default", "p", {"status": {"phase": "Running"}}, subresource="status")
    assert out["status"]["phase"] == "Running"
    out = fake_api.replace(dict(out, status={"phase": "Succeeded"}))
    assert out["status"] == {"phase": "Succeeded"}


def test_delete(api: Api, fake_api) -> None:
    fake_api.create(pod("p"))
    r = api.delete(f"{PODS}/p")
    assert r.status_code == 200 and r.json()["kind"] == "Pod"  # pods return the deleted object
    assert api.get(f"{PODS}/p").status_code == 404
    assert api.delete(f"{PODS}/p").status_code == 404
    api.post(JOBS, {"metadata": {"name": "j"}, "spec": {}})
    r = api.delete(f"{JOBS}/j").json()
    assert r["kind"] == "Status" and r["status"] == "Success"
    assert r["details"]["name"] == "j" and r["details"]["group"] == "batch" and r["details"]["kind"] == "jobs"


def test_delete_with_finalizers(api: Api, fake_api) -> None:
    fake_api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["x/y"]}})
    r = api.delete(f"{PODS}/p").json()
    assert r["metadata"]["deletionTimestamp"]
    assert api.get(f"{PODS}/p").status_code == 200
    api.patch(f"{PODS}/p", {"metadata": {"finalizers": None}})
    assert api.get(f"{PODS}/p").status_code == 404


def test_cluster_scoped_custom_resource(api: Api, fake_api) -> None:
    r = api.post(GADGETS, {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"},
                           "spec": {"size": 1}, "status": {"ready": True}})
    assert r.status_code == 201, r.text
    obj = r.json()
    assert "namespace" not in obj["metadata"] and "status" not in obj  # CR create drops status
    assert api.get(f"{GADGETS}/g1").json()["spec"] == {"size": 1}
    assert api.get("/apis/example.com/v1/namespaces/default/gadgets/g1").status_code == 404
    st = api.patch(f"{GADGETS}/g1/status", {"status": {"ready": True}}).json()
    assert st["status"] == {"ready": True}
    assert [i["metadata"]["name"] for i in api.get(GADGETS).json()["items"]] == ["g1"]
    assert fake_api.get("example.com/v1", "gadgets", None, "g1")["status"] == {"ready": True}
    assert api.delete(f"{GADGETS}/g1").status_code == 200
    assert fake_api.get("example.com/v1", "gadgets", None, "g1") is None


def test_deletecollection(api: Api, fake_api) -> None:
    for n, app in [("a", "x"), ("b", "y"), ("c", "x")]:
        fake_api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "labels": {"app": app}}})
    r = api.delete(PODS, params={"labelSelector": "app=x"})
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["a", "c"]
    assert [p["metadata"]["name"] for p in fake_api.list("v1", "pods")] == ["b"]


def test_bad_json_body(api: Api) -> None:
    r = api.request("POST", PODS, data=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and json.loads(r.text)["reason"] == "BadRequest"
