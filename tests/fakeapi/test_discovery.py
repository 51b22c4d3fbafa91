"""Discovery documents and not-found answers.

Checked against k8s.io/apiserver pkg/endpoints/discovery: legacy.go and version.go wrap the
serializer in stripVersionNegotiatedSerializer for the core group, so /api and /api/v1 carry
no apiVersion while /apis and /apis/<group>/<version> do; pkg/server/handler.go (director):
paths of a served group/version go to go-restful, whose 404 becomes
errors.NewGenericServerResponse -> Status "the server could not find the requested resource"
with empty details; any other path falls through to pkg/util/notfoundhandler, which ends in
Go's http.NotFound: plain text "404 page not found".
"""

from __future__ import annotations

import pytest

from tests.fakeapi import CustomResourceDef
from tests.fakeapi._http import Api


@pytest.fixture
def api(fake_api) -> Api:
    return Api(fake_api, fake_api.admin_token)


@pytest.fixture
def both(api_server) -> Api:
    """The fake, then a real kube-apiserver."""
    return Api(api_server, api_server.admin_token)


def test_core_discovery(api: Api, fake_api) -> None:
    doc = api.get("/api").json()
    assert doc["kind"] == "APIVersions" and "apiVersion" not in doc
    assert doc["versions"] == ["v1"]
    assert doc["serverAddressByClientCIDRs"] == [{"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{fake_api.port}"}]

    doc = api.get("/api/v1").json()
    assert doc["kind"] == "APIResourceList" and "apiVersion" not in doc and doc["groupVersion"] == "v1"
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["pods"] == {
        "name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        "shortNames": ["po"], "categories": ["all"],
    }
    # Subresources are separate entries (APIResource of "pods/status").
    assert by_name["pods/status"] == {"name": "pods/status", "singularName": "", "namespaced": True, "kind": "Pod",
                                      "verbs": ["get", "patch", "update"]}
    assert {"services", "services/status", "endpoints"} <= set(by_name)
    assert "endpoints/status" not in by_name


def test_group_discovery(api: Api) -> None:
    doc = api.get("/apis").json()
    assert doc["kind"] == "APIGroupList" and doc["apiVersion"] == "v1"
    names = [g["name"] for g in doc["groups"]]
    assert names[:3] == ["apps", "batch", "discovery.k8s.io"]
    assert {"example.com", "stable.example.com"} <= set(names)
    batch = next(g for g in doc["groups"] if g["name"] == "batch")
    assert batch == {"name": "batch", "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
                     "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"}}

    doc = api.get("/apis/batch").json()
    assert doc["kind"] == "APIGroup" and doc["name"] == "batch"

    doc = api.get("/apis/batch/v1").json()
    assert doc["kind"] == "APIResourceList" and doc["apiVersion"] == "v1" and doc["groupVersion"] == "batch/v1"
    assert [r["name"] for r in doc["resources"]] == ["jobs", "jobs/status"]

    doc = api.get("/apis/apps/v1").json()
    assert {r["name"] for r in doc["resources"]} == {"daemonsets", "daemonsets/status", "deployments",
                                                     "deployments/status"}
    doc = api.get("/apis/discovery.k8s.io/v1").json()
    assert [r["name"] for r in doc["resources"]] == ["endpointslices"]


def test_custom_resource_discovery(both: Api, api_server) -> None:
    api, fake_api = both, api_server
    doc = api.get("/apis/example.com/v1").json()
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["widgets"]["namespaced"] is True and by_name["widgets"]["kind"] == "Widget"
    assert by_name["widgets"]["singularName"] == "widget"
    assert by_name["gadgets"]["namespaced"] is False
    assert by_name["gadgets/status"] == {"name": "gadgets/status", "singularName": "", "namespaced": False,
                                         "kind": "Gadget", "verbs": ["get", "patch", "update"]}
    assert api.get("/apis/late.example.com/v1").status_code == 404
    fake_api.add_custom_resource(CustomResourceDef("late.example.com", "v1beta1", "Late", "lates"))
    assert api.get("/apis/late.example.com/v1beta1").json()["resources"][0]["name"] == "lates"


def test_unknown_group_is_plain_text_404(both: Api) -> None:
    api = both
    for path in ("/apis/nope.example.com/v1", "/apis/nope.example.com/v1/namespaces/x/things", "/nothing"):
        r = api.get(path)
        assert r.status_code == 404, path
        assert r.text == "404 page not found\n", path
        assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_unknown_resource_or_version_in_a_built_in_group_is_generic_status(both: Api) -> None:
    api = both
    for path in ("/api/v1/namespaces/default/things", "/apis/batch/v1/namespaces/default/nojobs/x",
                 "/api/v1/namespaces/default/pods/x/nolog", "/api/v1/pods/x", "/apis/batch/v2", "/apis/apps/v9/x",
                 "/api/v2", "/api/v2/pods"):
        r = api.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "the server could not find the requested resource", "reason": "NotFound",
                            "details": {}, "code": 404}, path


def test_version_and_health(api: Api) -> None:
    assert api.get("/version").json()["major"] == "1"
    r = api.get("/readyz")
    assert r.status_code == 200 and r.text == "ok"


def test_custom_resource_group_not_found_answers(both: Api) -> None:
    api = both
    # apiextensions-apiserver pkg/apiserver/customresource_handler.go (crdHandler.ServeHTTP):
    # an unknown resource or a scope mismatch goes to the delegate (plain-text 404); an unknown
    # subresource of a served custom resource is errors.NewNotFound for the resource.
    for path in ("/apis/example.com/v1/namespaces/default/things", "/apis/example.com/v1/namespaces/default/gadgets",
                 "/apis/example.com/v1/widgets/w"):
        r = api.get(path)
        assert (r.status_code, r.text) == (404, "404 page not found\n"), path
    r = api.get("/apis/example.com/v1/namespaces/default/widgets/w/scale")
    assert r.status_code == 404
    assert r.json()["message"] == 'widgets.example.com "w" not found'
    # Listing a namespaced custom resource across all namespaces is fine.
    assert api.get("/apis/example.com/v1/widgets").status_code == 200


def test_ipv6_loopback(tmp_path) -> None:
    import socket

    from tests.fakeapi import FakeApiServer

    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with FakeApiServer(host="::1", workdir=tmp_path) as server:
        assert server.url == f"https://[::1]:{server.port}"
        assert server.in_cluster_env("/sa")["KUBERNETES_SERVICE_HOST"] == "::1"
        doc = Api(server, server.admin_token).get("/api").json()  # the certificate names ::1
        assert doc["serverAddressByClientCIDRs"][0]["serverAddress"] == f"[::1]:{server.port}"
