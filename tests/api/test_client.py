"""The REST client against `responses` on exact URLs: paths, selectors, retries,
Retry-After, typed errors and their lines, token rotation, watch parsing."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

import kep
from kep.api.client import Client
from kep.api.clusterconfig import ClusterConfig
from kep.api.errors import ApiError, Forbidden, Gone, NotFound, ServerError, Unauthorized, Unreachable
from kep.api.resources import ENDPOINTSLICES, JOBS, PODS, Resource
from kep.api.events import WatchEvent

SERVER = "https://api.test:6443"
TOKEN = "tok-3f1e9a7c-very-secret"
NEW_TOKEN = "tok-rotated-0b2d4e6f-secret"
NODES = Resource("", "v1", "nodes", False, "Node")
WIDGETS = Resource("example.com", "v1beta1", "widgets", True, "Widget")


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": message}


def pod(name: str, rv: str, namespace: str = "ns") -> dict[str, Any]:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace, "resourceVersion": rv}}


def stream(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(json.dumps({"type": t, "object": o}).encode() + b"\n" for t, o in events)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as m:
        yield m


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make(cert_pair: tuple[bytes, bytes], sleeps: Sleeps, tmp_path: Path) -> Any:
    def make(**kw: Any) -> Client:
        config_kw = {k: kw.pop(k) for k in list(kw) if k in ClusterConfig.__dataclass_fields__}
        config_kw.setdefault("ca_data", cert_pair[0])
        if "token_file" not in config_kw:
            config_kw.setdefault("token", TOKEN)
        config = ClusterConfig(server=SERVER, source="test", **config_kw)
        kw.setdefault("sleep", sleeps)
        kw.setdefault("rand", lambda: 1.0)
        return Client(config, **kw)

    return make


@pytest.fixture
def client(make: Any) -> Client:
    made: Client = make()
    return made


def token_file(tmp_path: Path, value: str = TOKEN) -> Path:
    path = tmp_path / "token"
    path.write_text(value + "\n")
    return path


# -- paths, headers, selectors -----------------------------------------------------


def test_get_reads_one_object_with_user_agent_and_bearer_token(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(
        f"{SERVER}/api/v1/namespaces/ns/pods/p",
        json=pod("p", "1"),
        match=[
            matchers.header_matcher(
                {"User-Agent": f"kep/{kep.__version__}", "Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
            )
        ],
    )
    assert client.get(PODS, "ns", "p") == pod("p", "1")


def test_patch_sends_a_json_merge_patch_once(mock: responses.RequestsMock, client: Client, sleeps: Sleeps) -> None:
    """kep patches only an Event's count (kep.podevents): one attempt, as create, never a retry."""
    events = Resource("", "v1", "events", True, "Event")
    url = f"{SERVER}/api/v1/namespaces/ns/events/app.17f"
    mock.patch(url, json={"count": 2}, match=[
        matchers.header_matcher({"Content-Type": "application/merge-patch+json"}), matchers.json_params_matcher(
            {"count": 2, "lastTimestamp": "2026-12-08T03:05:43Z"})])
    assert client.patch(events, "ns", "app.17f", {"count": 2, "lastTimestamp": "2026-12-08T03:05:43Z"}) == {"count": 2}
    mock.patch(url, status=503, json=status(503, "ServiceUnavailable", "try later"))
    with pytest.raises(ServerError):
        client.patch(events, "ns", "app.17f", {"count": 3})
    assert sleeps == []


def test_user_agent_can_be_set(mock: responses.RequestsMock, make: Any) -> None:
    mock.get(f"{SERVER}/api/v1/nodes/n", json={}, match=[matchers.header_matcher({"User-Agent": "kep-test/9"})])
    assert make(user_agent="kep-test/9").get(NODES, None, "n") == {}


def test_group_resources_and_cluster_scoped_paths(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/apis/batch/v1/namespaces/ns/jobs/j", json={"kind": "Job"})
    mock.get(f"{SERVER}/api/v1/nodes/n1", json={"kind": "Node"})
    mock.get(f"{SERVER}/apis/example.com/v1beta1/namespaces/x/widgets", json={"items": []})
    assert client.get(JOBS, "ns", "j") == {"kind": "Job"}
    assert client.get(NODES, "ignored", "n1") == {"kind": "Node"}
    assert client.list(WIDGETS, "x") == {"items": []}


@pytest.mark.parametrize(
    "selector",
    ["kubernetes.io/service-name=keystone", "app in (a,b),tier!=db,!legacy,release", "app=x,component notin (y)"],
)
def test_label_and_field_selectors_are_passed_through(
    mock: responses.RequestsMock, client: Client, selector: str
) -> None:
    body = {"kind": "EndpointSliceList", "metadata": {"resourceVersion": "77"}, "items": []}
    mock.get(
        f"{SERVER}/apis/discovery.k8s.io/v1/namespaces/openstack/endpointslices",
        json=body,
        match=[matchers.query_param_matcher({"labelSelector": selector, "fieldSelector": "metadata.name=a,spec.x!=y"})],
    )
    got = client.list(ENDPOINTSLICES, "openstack", label_selector=selector, field_selector="metadata.name=a,spec.x!=y")
    assert got == body


def test_list_without_selectors_sends_no_query(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods", json={"items": []}, match=[matchers.query_param_matcher({})])
    assert client.list(PODS, "ns") == {"items": []}


def test_discover_core_and_group_versions(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1", json={"kind": "APIResourceList", "groupVersion": "v1"})
    mock.get(f"{SERVER}/apis/argoproj.io/v1alpha1", json={"kind": "APIResourceList", "groupVersion": "argoproj.io/v1alpha1"})
    assert client.discover("v1")["groupVersion"] == "v1"
    assert client.discover("argoproj.io/v1alpha1")["groupVersion"] == "argoproj.io/v1alpha1"


def test_discover_unknown_group_version_is_not_found(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/apis/argoproj.io/v1alpha1", status=404, json=status(404, "NotFound", "the server could not find the requested resource"))
    with pytest.raises(NotFound) as info:
        client.discover("argoproj.io/v1alpha1")
    assert str(info.value) == 'not found: API group/version "argoproj.io/v1alpha1"'


def test_every_request_has_connect_and_read_timeouts(mock: responses.RequestsMock, make: Any) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", json={})
    make(connect_timeout=3.0, read_timeout=20.0).get(PODS, "ns", "p")
    assert mock.calls[0].request.req_kwargs["timeout"] == (3.0, 20.0)  # type: ignore[attr-defined]


# -- typed errors -------------------------------------------------------------------


def test_forbidden_is_typed_not_retried_and_reads_as_one_line(
    mock: responses.RequestsMock, client: Client, sleeps: Sleeps
) -> None:
    body = status(403, "Forbidden", 'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:openstack:default" cannot list')
    mock.get(f"{SERVER}/apis/discovery.k8s.io/v1/namespaces/openstack/endpointslices", status=403, json=body)
    with pytest.raises(Forbidden) as info:
        client.list(ENDPOINTSLICES, "openstack", label_selector="kubernetes.io/service-name=x")
    error = info.value
    assert str(error) == 'forbidden: cannot list endpointslices.discovery.k8s.io in namespace "openstack"'
    assert (error.verb, error.resource, error.namespace, error.name, error.code) == (
        "list", "endpointslices.discovery.k8s.io", "openstack", None, 403
    )
    assert error.status == body and error.reason == "Forbidden"
    assert len(mock.calls) == 1 and sleeps == []


def test_not_found_names_the_object(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/apis/batch/v1/namespaces/ns/jobs/db-sync", status=404, json=status(404, "NotFound", 'jobs.batch "db-sync" not found'))
    with pytest.raises(NotFound) as info:
        client.get(JOBS, "ns", "db-sync")
    assert str(info.value) == 'not found: jobs.batch "db-sync" in namespace "ns"'
    assert info.value.status["message"] == 'jobs.batch "db-sync" not found'


def test_cluster_scoped_errors_name_no_namespace(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1/nodes/n1", status=403, json=status(403, "Forbidden", "no"))
    with pytest.raises(Forbidden) as info:
        client.get(NODES, "ns", "n1")
    assert str(info.value) == 'forbidden: cannot get nodes "n1"'


def test_unauthorized_with_a_fixed_token_is_not_retried(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", status=401, json=status(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(Unauthorized) as info:
        client.get(PODS, "ns", "p")
    assert str(info.value) == 'unauthorized: cannot get pods "p" in namespace "ns"'
    assert len(mock.calls) == 1


def test_other_client_errors_are_server_errors_with_the_message(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods", status=400, json=status(400, "BadRequest", "unable to parse requirement: found '='"))
    with pytest.raises(ServerError) as info:
        client.list(PODS, "ns", label_selector="==")
    assert str(info.value) == (
        'API server answered 400 to list pods in namespace "ns": unable to parse requirement: found \'=\''
    )
    assert len(mock.calls) == 1


def test_a_body_that_is_not_json_is_a_server_error(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", body="<html>oops</html>")
    with pytest.raises(ServerError, match="answered 200 to get pods \"p\" in namespace \"ns\": the answer is not a JSON object"):
        client.get(PODS, "ns", "p")


# -- retries ------------------------------------------------------------------------


def test_5xx_is_retried_with_capped_exponential_backoff(
    mock: responses.RequestsMock, make: Any, sleeps: Sleeps
) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    for _ in range(6):
        mock.get(url, status=500, json=status(500, "InternalError", "etcd leader changed"))
    mock.get(url, json=pod("p", "9"))
    client = make(max_retries=6, backoff_initial=0.5, backoff_cap=4.0, rand=lambda: 1.0)
    assert client.get(PODS, "ns", "p") == pod("p", "9")
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_retry_delays_use_full_jitter(mock: responses.RequestsMock, make: Any, sleeps: Sleeps) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    mock.get(url, status=502, body="bad gateway")
    mock.get(url, status=504, body="")
    mock.get(url, json={})
    make(rand=lambda: 0.25, backoff_initial=0.5).get(PODS, "ns", "p")
    assert sleeps == [0.125, 0.25]


def test_5xx_after_retries_is_a_server_error_line(mock: responses.RequestsMock, make: Any, sleeps: Sleeps) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods"
    mock.get(url, status=503, json=status(503, "ServiceUnavailable", "the server is shutting down"))
    with pytest.raises(ServerError) as info:
        make(max_retries=2).list(PODS, "ns")
    assert str(info.value) == 'API server answered 503 to list pods in namespace "ns": the server is shutting down'
    assert info.value.code == 503
    assert len(mock.calls) == 3 and len(sleeps) == 2


def test_a_non_status_error_body_gives_its_first_line(mock: responses.RequestsMock, make: Any) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods", status=502, body="upstream connect error\nmore detail")
    with pytest.raises(ServerError) as info:
        make(max_retries=0).list(PODS, "ns")
    assert str(info.value) == 'API server answered 502 to list pods in namespace "ns": upstream connect error'


@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_seconds_is_honoured(mock: responses.RequestsMock, client: Client, sleeps: Sleeps, code: int) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods"
    mock.get(url, status=code, headers={"Retry-After": "7"}, json=status(code, "TooManyRequests", "slow down"))
    mock.get(url, json={"items": []})
    assert client.list(PODS, "ns") == {"items": []}
    assert sleeps == [7.0]


def test_retry_after_is_capped_and_the_date_form_falls_back_to_backoff(
    mock: responses.RequestsMock, client: Client, sleeps: Sleeps
) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods"
    mock.get(url, status=429, headers={"Retry-After": "3600"}, json=status(429, "TooManyRequests", "x"))
    mock.get(url, status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, json=status(429, "TooManyRequests", "x"))
    mock.get(url, json={"items": []})
    client.list(PODS, "ns")
    assert sleeps == [60.0, 0.5]


def test_too_many_requests_after_retries(mock: responses.RequestsMock, make: Any) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods", status=429, headers={"Retry-After": "1"}, json=status(429, "TooManyRequests", "too many requests"))
    with pytest.raises(ServerError) as info:
        make(max_retries=1).list(PODS, "ns")
    assert str(info.value) == 'API server answered 429 to list pods in namespace "ns": too many requests'


def test_connection_errors_are_retried_then_unreachable(mock: responses.RequestsMock, make: Any, sleeps: Sleeps) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    mock.get(url, body=refused)
    with pytest.raises(Unreachable) as info:
        make(max_retries=3).get(PODS, "ns", "p")
    assert str(info.value) == (
        f'cannot reach the API server to get pods "p" in namespace "ns": {SERVER}: connection refused'
    )
    assert len(mock.calls) == 4 and len(sleeps) == 3


def test_connection_error_then_success(mock: responses.RequestsMock, client: Client, sleeps: Sleeps) -> None:
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    mock.get(url, body=requests.exceptions.ReadTimeout("read timed out"))
    mock.get(url, json={"ok": True})
    assert client.get(PODS, "ns", "p") == {"ok": True}
    assert sleeps == [0.5]


def test_read_timeout_after_retries_says_how_long(mock: responses.RequestsMock, make: Any) -> None:
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", body=requests.exceptions.ReadTimeout("x"))
    with pytest.raises(Unreachable, match=rf"{SERVER}: no answer within 12 s$"):
        make(max_retries=0, read_timeout=12.0).get(PODS, "ns", "p")


def test_tls_failures_are_not_retried(mock: responses.RequestsMock, client: Client) -> None:
    import ssl

    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "unable to get local issuer certificate"
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", body=requests.exceptions.SSLError(err))
    with pytest.raises(Unreachable) as info:
        client.get(PODS, "ns", "p")
    assert str(info.value).endswith(
        f"TLS verification of {SERVER} against the configured CA failed: unable to get local issuer certificate"
    )
    assert len(mock.calls) == 1


# -- tokens ---------------------------------------------------------------------------


def test_a_401_rereads_the_token_file_and_retries_once(
    mock: responses.RequestsMock, make: Any, tmp_path: Path, sleeps: Sleeps
) -> None:
    path = token_file(tmp_path)
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    client = make(token_file=str(path))
    mock.get(url, json={"n": 1}, match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    assert client.get(PODS, "ns", "p") == {"n": 1}
    # kubelet rotates the token; keep the stat stamp identical so only the 401 can reveal it
    st = path.stat()
    path.write_text(NEW_TOKEN[: len(TOKEN)] + "\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    rotated = NEW_TOKEN[: len(TOKEN)]
    mock.get(url, status=401, json=status(401, "Unauthorized", "Unauthorized"), match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    mock.get(url, json={"n": 2}, match=[matchers.header_matcher({"Authorization": f"Bearer {rotated}"})])
    assert client.get(PODS, "ns", "p") == {"n": 2}
    assert sleeps == []


def test_a_second_401_is_unauthorized(mock: responses.RequestsMock, make: Any, tmp_path: Path) -> None:
    client = make(token_file=str(token_file(tmp_path)))
    mock.get(f"{SERVER}/api/v1/namespaces/ns/pods/p", status=401, json=status(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(Unauthorized):
        client.get(PODS, "ns", "p")
    assert len(mock.calls) == 2


def test_a_changed_token_file_is_used_at_the_next_request(mock: responses.RequestsMock, make: Any, tmp_path: Path) -> None:
    path = token_file(tmp_path)
    client = make(token_file=str(path))
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    mock.get(url, json={"n": 1}, match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    mock.get(url, json={"n": 2}, match=[matchers.header_matcher({"Authorization": f"Bearer {NEW_TOKEN}"})])
    assert client.get(PODS, "ns", "p") == {"n": 1}
    path.write_text(NEW_TOKEN)  # size changes
    assert client.get(PODS, "ns", "p") == {"n": 2}
    assert len(mock.calls) == 2


def test_the_token_file_is_reread_at_least_every_minute(mock: responses.RequestsMock, make: Any, tmp_path: Path) -> None:
    path = token_file(tmp_path, "a" * 20)
    now = [1000.0]
    client = make(token_file=str(path), clock=lambda: now[0])
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    mock.get(url, json={"n": 1}, match=[matchers.header_matcher({"Authorization": "Bearer " + "a" * 20})])
    mock.get(url, json={"n": 2}, match=[matchers.header_matcher({"Authorization": "Bearer " + "a" * 20})])
    mock.get(url, json={"n": 3}, match=[matchers.header_matcher({"Authorization": "Bearer " + "b" * 20})])
    assert client.get(PODS, "ns", "p") == {"n": 1}
    # same size, same mtime: invisible to the stat check
    st = path.stat()
    path.write_text("b" * 20 + "\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    now[0] += 59.0
    assert client.get(PODS, "ns", "p") == {"n": 2}
    now[0] += 1.0
    assert client.get(PODS, "ns", "p") == {"n": 3}


def test_an_unreadable_token_file_keeps_the_last_token_and_warns_once(
    mock: responses.RequestsMock, make: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = token_file(tmp_path)
    client = make(token_file=str(path))
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    mock.get(url, json={}, match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    client.get(PODS, "ns", "p")
    path.unlink()
    with caplog.at_level(logging.WARNING):
        client.get(PODS, "ns", "p")
        client.get(PODS, "ns", "p")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"cannot read token file {path}: No such file or directory; keeping the previous token"]


def test_the_token_never_appears_in_logs_errors_or_reprs(
    mock: responses.RequestsMock, make: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = token_file(tmp_path)
    client = make(token_file=str(path), max_retries=1)
    fixed = make(max_retries=0)
    url = f"{SERVER}/api/v1/namespaces/ns/pods/p"
    texts: list[str] = [repr(client), repr(fixed), repr(client.config), repr(fixed.config), repr(client._auth.token)]
    with caplog.at_level(logging.DEBUG):
        mock.get(url, status=401, json=status(401, "Unauthorized", "Unauthorized"))
        mock.get(url, status=500, json=status(500, "InternalError", "boom"))
        mock.get(url, body=requests.exceptions.ConnectionError("reset"))
        mock.get(url, status=403, json=status(403, "Forbidden", "nope"))
        for c in (client, client, client, fixed):
            with pytest.raises(ApiError) as info:
                c.get(PODS, "ns", "p")
            texts += [str(info.value), repr(info.value), json.dumps(info.value.status)]
        path.write_text(NEW_TOKEN)
        with pytest.raises(ApiError):
            client.get(PODS, "ns", "p")
    texts.append(caplog.text)
    assert any("re-reading the token" in t for t in texts)
    for text in texts:
        assert TOKEN not in text and NEW_TOKEN not in text


def test_insecure_skip_tls_verify_warns_once(make: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kep.api.client"):
        make(insecure_skip_tls_verify=True, ca_data=None)
    assert [r.getMessage() for r in caplog.records] == [
        "test: insecure-skip-tls-verify is set: the API server's certificate is NOT verified"
    ]


def test_a_bad_ca_is_a_config_error(make: Any) -> None:
    from kep.errors import ConfigError

    with pytest.raises(ConfigError, match="^test: cannot load the certificate authority: "):
        make(ca_data=b"not a certificate")


def test_client_certificate_data_is_loaded_without_leaving_files(
    make: Any, cert_pair: tuple[bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    make(client_cert_data=cert_pair[0], client_key_data=cert_pair[1])
    assert list(tmp_path.iterdir()) == []


def test_a_bad_client_certificate_is_a_config_error(make: Any, cert_pair: tuple[bytes, bytes]) -> None:
    from kep.errors import ConfigError

    with pytest.raises(ConfigError, match="^test: cannot load the client certificate: "):
        make(client_cert_data=cert_pair[0], client_key_data=b"garbage")


# -- watch ---------------------------------------------------------------------------


def watch_url(resource_path: str = "/api/v1/namespaces/ns/pods") -> str:
    return SERVER + resource_path


def watch_params(rv: str, timeout: int = 300, **extra: str) -> dict[str, str]:
    return {"watch": "1", "resourceVersion": rv, "timeoutSeconds": str(timeout), "allowWatchBookmarks": "true", **extra}


def test_watch_sends_rv_bookmarks_timeout_and_selectors_and_yields_events(
    mock: responses.RequestsMock, client: Client
) -> None:
    body = stream(("ADDED", pod("a", "11")), ("BOOKMARK", {"metadata": {"resourceVersion": "15"}}), ("DELETED", pod("a", "16")))
    mock.get(
        watch_url(),
        body=body,
        match=[matchers.query_param_matcher(watch_params("10", 240, labelSelector="app in (x)", fieldSelector="spec.nodeName=n"))],
    )
    events = list(
        client.watch(PODS, "ns", resource_version="10", label_selector="app in (x)", field_selector="spec.nodeName=n", timeout_seconds=240)
    )
    assert events == [
        WatchEvent("ADDED", pod("a", "11")),
        WatchEvent("BOOKMARK", {"metadata": {"resourceVersion": "15"}}),
        WatchEvent("DELETED", pod("a", "16")),
    ]
    assert [e.resource_version for e in events] == ["11", "15", "16"]
    assert mock.calls[0].request.req_kwargs["timeout"] == (5.0, 255.0)  # type: ignore[attr-defined]


def test_watch_without_bookmarks(mock: responses.RequestsMock, client: Client) -> None:
    params = watch_params("3", 60)
    del params["allowWatchBookmarks"]
    mock.get(watch_url(), body=b"", match=[matchers.query_param_matcher(params)])
    assert list(client.watch(PODS, "ns", resource_version="3", timeout_seconds=60, allow_bookmarks=False)) == []


def test_watch_error_event_410_raises_gone(mock: responses.RequestsMock, client: Client) -> None:
    expired = status(410, "Expired", "too old resource version: 10 (500)")
    mock.get(watch_url(), body=stream(("ADDED", pod("a", "11")), ("ERROR", expired)))
    events = client.watch(PODS, "ns", resource_version="10")
    assert next(events) == WatchEvent("ADDED", pod("a", "11"))
    with pytest.raises(Gone) as info:
        next(events)
    assert info.value.status == expired
    assert str(info.value) == 'gone: cannot watch pods in namespace "ns"'


def test_watch_error_event_with_other_code_raises_its_type(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(watch_url(), body=stream(("ERROR", status(500, "InternalError", "etcd"))))
    with pytest.raises(ServerError, match="answered 500 to watch pods"):
        list(client.watch(PODS, "ns", resource_version="1"))


def test_watch_http_403_raises_forbidden_with_verb_watch(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(watch_url(), status=403, json=status(403, "Forbidden", "cannot watch"))
    with pytest.raises(Forbidden) as info:
        client.watch(PODS, "ns", resource_version="1")
    assert info.value.verb == "watch"
    assert str(info.value) == 'forbidden: cannot watch pods in namespace "ns"'


def test_watch_http_410_raises_gone(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(watch_url(), status=410, json=status(410, "Expired", "too old"))
    with pytest.raises(Gone):
        client.watch(PODS, "ns", resource_version="1")


def test_malformed_watch_line_is_a_server_error(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(watch_url(), body=b'{"type": "ADDED", "object": {}}\nnot json\n')
    events = client.watch(PODS, "ns", resource_version="1")
    next(events)
    with pytest.raises(ServerError, match="malformed watch event"):
        next(events)


class _Dropping(io.RawIOBase):
    """A body that delivers `data` and then breaks like a reset connection."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._data:
            raise ConnectionResetError(104, "Connection reset by peer")
        n = min(len(buffer), len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


def dropping(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(_Dropping(data))


def test_a_dropped_stream_just_ends(mock: responses.RequestsMock, client: Client) -> None:
    mock.get(watch_url(), body=dropping(stream(("ADDED", pod("a", "2")), ("MODIFIED", pod("a", "3")))))
    events = list(client.watch(PODS, "ns", resource_version="1"))
    assert [e.type for e in events] == ["ADDED", "MODIFIED"]


def test_lines_split_across_chunks_are_joined(mock: responses.RequestsMock, client: Client) -> None:
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = data

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if not self._data:
                return 0
            n = min(3, len(buffer), len(self._data))
            buffer[:n] = self._data[:n]
            self._data = self._data[n:]
            return n

    body = stream(("ADDED", pod("a", "2")), ("ADDED", pod("b", "3")))
    mock.get(watch_url(), body=io.BufferedReader(Trickle(body), buffer_size=3))
    assert [e.object["metadata"]["name"] for e in client.watch(PODS, "ns", resource_version="1")] == ["a", "b"]
