"""The client and ListWatch over real HTTPS against the fake kube-apiserver
(tests/fakeapi): configuration, CA verification, token rotation, retries, typed errors,
selectors, watch resume after a dropped stream and relist after compaction."""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import kep
from kep.api.client import Client
from kep.api.clusterconfig import ClusterConfig
from kep.api.config import load_config
from kep.api.errors import ApiError, Forbidden, NotFound, ServerError, Unauthorized, Unreachable
from kep.api.resources import ENDPOINTSLICES, PODS, Resource
from kep.engine.reflector import ListWatch, is_watch_forbidden
from tests.fakeapi import FakeApiServer, Rule
from tests.fakeapi.fixtures import api_server, fake_api, real_api_server  # noqa: F401  (the fixtures)

from .conftest import self_signed

WIDGETS = Resource("example.com", "v1", "widgets", True, "Widget")


def pod_obj(name: str, namespace: str = "default", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
        "status": {"phase": "Running"},
    }


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def in_cluster(api: FakeApiServer, tmp_path: Path, token: str, namespace: str = "default") -> dict[str, str]:
    sa = api.write_service_account(tmp_path / "sa", token, namespace)
    return api.in_cluster_env(sa)


def names(objects: Any) -> list[str]:
    return [o["metadata"]["name"] for o in objects]


# -- configuration ------------------------------------------------------------------


def test_in_cluster_service_account(fake_api: FakeApiServer, tmp_path: Path) -> None:
    fake_api.create(pod_obj("db-0", "openstack"))
    env = in_cluster(fake_api, tmp_path, fake_api.add_token(), "openstack")
    config = load_config(env)
    assert config.namespace == "openstack"
    with Client(config) as client:
        assert client.get(PODS, "openstack", "db-0")["metadata"]["name"] == "db-0"
    assert fake_api.requests[-1].user_agent == f"kep/{kep.__version__}"
    assert fake_api.requests[-1].user == "system:serviceaccount:default:kep"


def test_in_cluster_ipv6_host(tmp_path: Path) -> None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    api = FakeApiServer(host="::1", workdir=tmp_path / "api")
    api.start()
    with api:
        env = in_cluster(api, tmp_path, api.add_token())
        config = load_config(env)
        assert config.server == f"https://[::1]:{api.port}"
        with Client(config) as client:
            assert client.list(PODS, "default")["items"] == []


def test_kubeconfig_with_token_and_ca_file(fake_api: FakeApiServer, tmp_path: Path) -> None:
    token = fake_api.add_token(user="alice")
    path = fake_api.write_kubeconfig(tmp_path / "kc", token=token)
    with Client(load_config({"KUBECONFIG": path})) as client:
        assert client.list(PODS, "default")["kind"] == "PodList"
    assert fake_api.requests[-1].user == "alice"


@pytest.mark.parametrize("embed", [False, True], ids=["files", "data"])
def test_kubeconfig_with_client_certificate(
    fake_api: FakeApiServer, tmp_path: Path, embed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    path = fake_api.write_kubeconfig(tmp_path / "kc" / "config", client_cert=True, user="cert-user", embed=embed)
    config = load_config({"KUBECONFIG": str(path)})
    assert config.token is None and (config.client_cert_data or config.client_cert_file)
    assert (config.ca_data is not None) == embed
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with Client(config) as client:
        client.list(PODS, "default")
    assert fake_api.requests[-1].user == "cert-user"
    assert list(scratch.iterdir()) == []  # key material written for loading is gone


def test_a_wrong_ca_is_a_clear_error_and_not_retried(fake_api: FakeApiServer, tmp_path: Path) -> None:
    other_ca = self_signed("some-other-ca")[0]
    config = ClusterConfig(server=fake_api.url, source="test", ca_data=other_ca, token=fake_api.add_token())
    sleeps = Sleeps()
    with Client(config, sleep=sleeps) as client, pytest.raises(Unreachable) as info:
        client.list(PODS, "default")
    assert str(info.value).startswith(
        f'cannot reach the API server to list pods in namespace "default": TLS verification of {fake_api.url} '
        "against the configured CA failed: "
    )
    assert "\n" not in str(info.value)
    assert sleeps == []
    assert fake_api.counts[("list", "pods")] == 0


def test_the_right_ca_but_the_wrong_host_name_fails(fake_api: FakeApiServer) -> None:
    config = ClusterConfig(
        server=fake_api.url, source="test", ca_file=fake_api.ca_file, token=fake_api.add_token(), tls_server_name="evil.example"
    )
    with Client(config) as client, pytest.raises(Unreachable) as info:
        client.list(PODS, "default")
    assert f"TLS verification of {fake_api.url} failed: hostname 'evil.example' doesn't match" in str(info.value)


def test_an_https_server_on_a_plain_http_port_is_said_in_words(tmp_path: Path) -> None:
    """A real plain-HTTP server (http.server) behind an https:// API address."""
    import http.server

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        with Client(ClusterConfig(server=url, source="test", token="t"), sleep=lambda s: None,
                    max_retries=0) as client, pytest.raises(Unreachable) as info:
            client.list(PODS, "default")
    finally:
        server.shutdown()
    assert (f"TLS handshake with {url} failed: the server answered without TLS (a plain-HTTP port? is the URL's "
            "scheme right?)") in str(info.value)


def test_tls_server_name_is_used_for_verification(fake_api: FakeApiServer) -> None:
    config = ClusterConfig(
        server=fake_api.url, source="test", ca_file=fake_api.ca_file, token=fake_api.add_token(), tls_server_name="localhost"
    )
    with Client(config) as client:
        client.list(PODS, "default")


# -- tokens ---------------------------------------------------------------------------


def test_token_rotation_mid_wait(fake_api: FakeApiServer, tmp_path: Path) -> None:
    old = fake_api.add_token()
    env = in_cluster(fake_api, tmp_path, old)
    with Client(load_config(env)) as client:
        client.list(PODS, "default")
        new = fake_api.add_token()
        Path(env["KEP_SERVICE_ACCOUNT_DIR"], "token").write_text(new)
        fake_api.revoke_token(old)
        client.list(PODS, "default")
    assert fake_api.counts[("list", "pods")] == 2  # the change was seen without a 401


def test_a_rotation_the_stat_check_misses_is_caught_by_the_401(fake_api: FakeApiServer, tmp_path: Path) -> None:
    old = fake_api.add_token()
    env = in_cluster(fake_api, tmp_path, old)
    token_path = Path(env["KEP_SERVICE_ACCOUNT_DIR"], "token")
    with Client(load_config(env)) as client:
        client.list(PODS, "default")
        new = fake_api.add_token()
        assert len(new) == len(old)
        st = token_path.stat()
        token_path.write_text(new)
        os.utime(token_path, ns=(st.st_atime_ns, st.st_mtime_ns))
        fake_api.revoke_token(old)
        client.list(PODS, "default")
    users = [r.user for r in fake_api.requests if r.verb == "list"]
    assert users == ["system:serviceaccount:default:kep", "", "system:serviceaccount:default:kep"]


def test_a_revoked_token_without_a_new_one_is_unauthorized(fake_api: FakeApiServer, tmp_path: Path) -> None:
    token = fake_api.add_token()
    with Client(load_config(in_cluster(fake_api, tmp_path, token))) as client:
        fake_api.revoke_token(token)
        with pytest.raises(Unauthorized) as info:
            client.get(PODS, "default", "p")
    assert str(info.value) == 'unauthorized: cannot get pods "p" in namespace "default"'
    assert info.value.status.get("reason") == "Unauthorized"
    assert fake_api.counts[("get", "pods")] == 2  # one re-read, one retry


def test_the_token_never_appears_in_logs_or_errors(
    fake_api: FakeApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = fake_api.add_token(rules=[])
    texts = []
    with caplog.at_level(logging.DEBUG):
        with Client(load_config(in_cluster(fake_api, tmp_path, token)), sleep=lambda s: None) as client:
            fake_api.fault("get", "pods", times=1, code=503, retry_after=1)
            calls: list[Callable[[], object]] = [
                lambda: client.get(PODS, "default", "p"),
                lambda: client.discover("nope.example/v1"),
            ]
            for call in calls:
                with pytest.raises(ApiError) as info:
                    call()
                texts += [str(info.value), repr(info.value), repr(info.value.status)]
            fake_api.revoke_token(token)
            with pytest.raises(Unauthorized) as info:
                client.list(PODS, "default")
            texts += [str(info.value), repr(info.value), repr(client), repr(client.config)]
    texts.append(caplog.text)
    assert "retrying" in caplog.text
    for text in texts:
        assert token not in text


# -- retries and typed errors -----------------------------------------------------------


@pytest.fixture
def admin(fake_api: FakeApiServer) -> Iterator[tuple[Client, Sleeps]]:
    sleeps = Sleeps()
    config = ClusterConfig(server=fake_api.url, source="test", ca_file=fake_api.ca_file, token=fake_api.admin_token)
    with Client(config, sleep=sleeps, max_retries=3) as client:
        yield client, sleeps


def test_503_with_retry_after_is_retried_after_that_long(fake_api: FakeApiServer, admin: tuple[Client, Sleeps]) -> None:
    client, sleeps = admin
    fake_api.fault("list", "pods", times=2, code=503, retry_after=2)
    assert client.list(PODS, "default")["items"] == []
    assert sleeps == [2.0, 2.0]
    assert fake_api.counts[("list", "pods")] == 3


def test_429_from_priority_and_fairness_is_retried(fake_api: FakeApiServer, admin: tuple[Client, Sleeps]) -> None:
    client, sleeps = admin
    fake_api.fault("get", "pods", times=1, code=429)
    fake_api.create(pod_obj("p"))
    assert client.get(PODS, "default", "p")["metadata"]["name"] == "p"
    assert sleeps == [1.0]


def test_500s_until_retries_run_out(fake_api: FakeApiServer, admin: tuple[Client, Sleeps]) -> None:
    client, sleeps = admin
    fake_api.fault("list", "pods", times=10, code=500, message="etcdserver: request timed out")
    with pytest.raises(ServerError) as info:
        client.list(PODS, "default")
    assert str(info.value) == 'API server answered 500 to list pods in namespace "default": etcdserver: request timed out'
    assert len(sleeps) == 3 and fake_api.counts[("list", "pods")] == 4


def test_a_dropped_connection_is_retried(fake_api: FakeApiServer, admin: tuple[Client, Sleeps]) -> None:
    client, sleeps = admin
    fake_api.fault("list", "pods", times=1, code=0)
    assert client.list(PODS, "default")["kind"] == "PodList"
    assert len(sleeps) == 1


def test_an_unreachable_server(tmp_path: Path, cert_pair: tuple[bytes, bytes]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    config = ClusterConfig(server=f"https://127.0.0.1:{port}", source="test", ca_data=cert_pair[0])
    with Client(config, sleep=sleeps, max_retries=2) as client, pytest.raises(Unreachable) as info:
        client.get(PODS, "default", "p")
    assert str(info.value) == (
        f'cannot reach the API server to get pods "p" in namespace "default": https://127.0.0.1:{port}: connection refused'
    )
    assert len(sleeps) == 2


@pytest.fixture
def admin_both(api_server: Any) -> Iterator[tuple[Client, Any]]:
    """A client with an admin token: on the fake, then on a real kube-apiserver."""
    config = ClusterConfig(server=api_server.url, source="test", ca_file=api_server.ca_file, token=api_server.admin_token)
    with Client(config, sleep=Sleeps(), max_retries=3) as client:
        yield client, api_server


def test_forbidden_carries_the_status_and_reads_as_one_line(fake_api: FakeApiServer, tmp_path: Path) -> None:
    token = fake_api.add_token(rules=[Rule(("get",), ("",), ("endpoints",), namespaces=("openstack",))])
    with Client(load_config(in_cluster(fake_api, tmp_path, token))) as client:
        with pytest.raises(Forbidden) as info:
            client.list(ENDPOINTSLICES, "openstack", label_selector="kubernetes.io/service-name=keystone")
    error = info.value
    assert str(error) == 'forbidden: cannot list endpointslices.discovery.k8s.io in namespace "openstack"'
    assert error.reason == "Forbidden" and error.code == 403
    assert 'cannot list resource "endpointslices"' in error.status["message"]
    assert fake_api.counts[("list", "endpointslices")] == 1


def test_not_found_object_and_group_version(admin_both: tuple[Client, Any]) -> None:
    client, _ = admin_both
    with pytest.raises(NotFound) as info:
        client.get(PODS, "default", "missing")
    assert str(info.value) == 'not found: pods "missing" in namespace "default"'
    with pytest.raises(NotFound) as info:
        client.discover("nope.example/v1")
    assert str(info.value) == 'not found: API group/version "nope.example/v1"'


def test_discovery_lists_custom_resources(admin_both: tuple[Client, Any]) -> None:
    client, _ = admin_both
    found = client.discover("example.com/v1")
    assert "widgets" in [r["name"] for r in found["resources"]]
    assert client.discover("v1")["groupVersion"] == "v1"


def test_selectors_are_passed_through(admin_both: tuple[Client, Any]) -> None:
    client, fake_api = admin_both
    fake_api.create(pod_obj("a", labels={"app": "db", "tier": "x"}))
    fake_api.create(pod_obj("b", labels={"app": "web"}))
    fake_api.create(pod_obj("c", labels={"app": "db", "legacy": "1"}))
    assert names(client.list(PODS, "default", label_selector="app=db")["items"]) == ["a", "c"]
    assert names(client.list(PODS, "default", label_selector="app in (db,web),!legacy")["items"]) == ["a", "b"]
    assert names(client.list(PODS, "default", field_selector="metadata.name=b")["items"]) == ["b"]
    with pytest.raises(ServerError, match="answered 400 to list pods"):
        client.list(PODS, "default", label_selector="app in db")


def test_list_carries_the_resource_version(admin_both: tuple[Client, Any]) -> None:
    client, _ = admin_both
    assert client.list(WIDGETS, "default")["metadata"]["resourceVersion"].isdigit()


# -- ListWatch ---------------------------------------------------------------------------


class Running:
    """A ListWatch on a daemon thread; emitted values arrive on a queue."""

    def __init__(self, lw: ListWatch) -> None:
        self.lw = lw
        self.stop = threading.Event()
        self.values: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=lw.run, args=(self.values.put, self.stop), daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10.0) -> Any:
        return self.values.get(timeout=timeout)

    def until(self, check: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.values.get(timeout=max(0.01, deadline - time.monotonic()))
            if check(value):
                return value

    def close(self) -> None:
        self.stop.set()


@pytest.fixture
def running(fake_api: FakeApiServer) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []
    clients: list[Client] = []

    def start(token: str | None = None, **kw: Any) -> Running:
        config = ClusterConfig(
            server=fake_api.url, source="test", ca_file=fake_api.ca_file, token=token or fake_api.admin_token
        )
        client = Client(config)
        clients.append(client)
        r = Running(ListWatch(client, PODS, "default", **kw))
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()
    for c in clients:
        c.close()


def test_listwatch_sees_changes_and_resumes_after_dropped_watches(
    fake_api: FakeApiServer, running: Callable[..., Running]
) -> None:
    fake_api.create(pod_obj("a"))
    r = running(label_selector="app!=skip")
    assert names(r.next()) == ["a"]
    assert fake_api.wait_for_watches(1)
    fake_api.create(pod_obj("b"))
    assert names(r.next()) == ["a", "b"]
    assert fake_api.drop_watches() == 1
    assert fake_api.wait_for_watches(1)
    fake_api.delete("v1", "pods", "default", "a")
    assert names(r.next()) == ["b"]
    fake_api.create(pod_obj("skip-me", labels={"app": "skip"}))
    fake_api.create(pod_obj("c"))
    assert names(r.next()) == ["b", "c"]
    assert fake_api.counts[("list", "pods")] == 1  # resumed, not relisted
    assert fake_api.counts[("watch", "pods")] == 2
    watches = [q.query for q in fake_api.requests if q.verb == "watch"]
    assert all(q["allowWatchBookmarks"] == "true" and 240 <= int(q["timeoutSeconds"]) <= 480 for q in watches)
    assert int(watches[1]["resourceVersion"]) > int(watches[0]["resourceVersion"])


def test_listwatch_relists_after_compaction(fake_api: FakeApiServer, running: Callable[..., Running]) -> None:
    fake_api.create(pod_obj("a"))
    r = running()
    assert names(r.next()) == ["a"]
    assert fake_api.wait_for_watches(1)
    fake_api.slow("watch", "pods", seconds=0.5)  # the re-watch arrives after the compaction
    fake_api.drop_watches()
    fake_api.create(pod_obj("b"))
    fake_api.compact()
    assert names(r.until(lambda v: isinstance(v, tuple) and len(v) == 2)) == ["a", "b"]
    assert fake_api.counts[("list", "pods")] == 2
    fake_api.create(pod_obj("c"))
    assert names(r.next()) == ["a", "b", "c"]


def test_listwatch_relists_on_a_410_error_event(fake_api: FakeApiServer, running: Callable[..., Running]) -> None:
    r = running()
    assert r.next() == ()
    assert fake_api.wait_for_watches(1)
    fake_api.fault("watch", "pods", times=1, code=410)
    fake_api.drop_watches()
    assert r.next() == ()  # the relist
    assert fake_api.counts[("list", "pods")] == 2


def test_listwatch_reports_a_forbidden_watch_and_returns(fake_api: FakeApiServer, running: Callable[..., Running]) -> None:
    token = fake_api.add_token(rules=[Rule(("get", "list"), ("",), ("pods",), namespaces=("default",))])
    r = running(token=token)
    assert r.next() == ()
    error = r.next()
    assert isinstance(error, Forbidden) and is_watch_forbidden(error)
    assert str(error) == 'forbidden: cannot watch pods in namespace "default"'
    r.thread.join(5)
    assert not r.thread.is_alive()


def test_listwatch_reports_a_forbidden_list_and_recovers_when_granted(
    fake_api: FakeApiServer, running: Callable[..., Running]
) -> None:
    token = fake_api.add_token(rules=[])
    r = running(token=token)
    error = r.next()
    assert isinstance(error, Forbidden) and error.verb == "list"
    fake_api.set_rules(token, [Rule(("get", "list", "watch"), ("",), ("pods",), namespaces=("default",))])
    assert r.until(lambda v: isinstance(v, tuple)) == ()
