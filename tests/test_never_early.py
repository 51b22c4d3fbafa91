"""Issue 18: states the writers produce that started the application early, the whole
program against the fake kube-apiserver and then a real one (`api_server`)."""

from __future__ import annotations

from tests import factories as f
from tests.fakeapi.fixtures import api_server, fake_api, real_api_server  # noqa: F401  (fixtures)
from tests.namespaces import needs_root, run_with_mounts
from tests.run import KEP, start_kep, wait_for_line
from tests.waiting import NS, REFERENCE_RULES, assert_still_waiting, cluster_env, finish

SLICES = ("discovery.k8s.io/v1", "endpointslices")
SKIP_MIRROR = {"endpointslice.kubernetes.io/skip-mirror": "true"}
"""Keeps the real EndpointSliceMirroring controller from making a slice of a hand-made Endpoints."""


def test_a_failed_pod_whose_ready_condition_still_says_true_is_not_ready(api_server, tmp_path):  # noqa: F811
    """Input 2: graceful node shutdown leaves phase Failed with Ready=True (kubernetes#108594)."""
    api_server.create(f.pod("db-0", NS, phase="Failed", ready=True, labels={"app": "db"}))
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api_server, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_POD_JSON='[{"labels": {"app": "db"}}]'))
    wait_for_line(proc, "1 listed, none ready (1 Failed)")
    assert_still_waiting(proc, 1.0)
    api_server.create(f.pod("db-1", NS, ready=True, labels={"app": "db"}))
    out, _ = finish(proc)
    assert "db-1 is ready" in out
    assert "app started" in out


def test_stale_endpoints_next_to_endpoint_slices_never_make_a_service_met(api_server, tmp_path):  # noqa: F811
    """Input 3: kube-proxy reads only EndpointSlices; an Endpoints that still lists a ready
    address is stale (kubernetes#125638, #126578)."""
    api_server.create(f.service("mariadb", NS, selector={}))
    api_server.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=False)))
    stale = f.endpoints("mariadb", NS, f.subset(["10.0.0.7"]))
    stale["metadata"]["labels"] = SKIP_MIRROR
    api_server.create(stale)
    proc = start_kep("--", "echo", "app started", env=cluster_env(
        api_server, tmp_path, rules=REFERENCE_RULES, DEPENDENCY_SERVICE="mariadb"))
    wait_for_line(proc, "service openstack/mariadb: 0 of 1 endpoints ready")
    assert_still_waiting(proc, 1.0)
    api_server.patch(*SLICES, NS, "mariadb-abcde", {"endpoints": [f.endpoint("10.0.0.7")]})
    out, _ = finish(proc)
    assert "service openstack/mariadb: 1 of 1 endpoints ready" in out
    assert "from Endpoints" not in out


def test_a_service_port_no_ready_endpoint_serves_is_waited_for(api_server, tmp_path):  # noqa: F811
    """Input 10: the pods lack the named targetPort of one port, so its slice lists only the other
    (getEndpointPorts); traffic to that port reaches nothing."""
    mysql, wsrep = {"name": "mysql", "port": 3306}, {"name": "wsrep", "port": 4567, "targetPort": "wsrep"}
    api_server.create(f.service("mariadb", NS, ports=(mysql, wsrep), selector={}))
    api_server.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7"), ports=(mysql,)))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api_server, tmp_path, DEPENDENCY_SERVICE="mariadb"))
    wait_for_line(proc, "port wsrep (4567/TCP) reaches none of the 1 ready endpoints (their EndpointSlices do not "
                        "list it: the pods have no port named wsrep)")
    assert_still_waiting(proc, 1.0)
    api_server.patch(*SLICES, NS, "mariadb-abcde", {"ports": [{"name": "mysql", "port": 3306, "protocol": "TCP"},
                                                              {"name": "wsrep", "port": 4567, "protocol": "TCP"}]})
    out, _ = finish(proc)
    assert "service openstack/mariadb: 1 of 1 endpoints ready" in out


def test_a_missing_service_and_an_external_name_service_say_so(api_server, tmp_path):  # noqa: F811
    api_server.create(f.service("vault", NS, type_="ExternalName", external_name="vault.example.com"))
    env = cluster_env(api_server, tmp_path, DEPENDENCY_SERVICE="mariadb,vault", KEP_TIMEOUT="2")
    proc = start_kep("--", "echo", "app started", env=env)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 124, err
    assert "service openstack/mariadb not found" in err
    assert ("service openstack/vault is of type ExternalName (vault.example.com): it has no endpoints, so it can "
            "never be met; wait for vault.example.com with DEPENDENCY_TCP or DEPENDENCY_HTTP instead") in err


@needs_root
def test_a_regular_container_waited_for_from_an_init_container_is_a_configuration_error(api_server, tmp_path):  # noqa: F811
    """Input 4: the init container `init` waits for the regular container `main`, which starts only
    after it has ended. kep knows its container from the termination-log mount the kubelet makes
    (here a real bind mount of the same shape, in a mount namespace of its own)."""
    me = f.pod("me", NS, spec_containers=["main"], spec_init_containers=["init"])
    me["status"]["containerStatuses"] = [{"name": "main", "ready": False, "restartCount": 0, "image": "main",
                                          "imageID": "", "state": {"waiting": {"reason": "PodInitializing"}}}]
    uid = api_server.create(me)["metadata"]["uid"]
    log = tmp_path / "pods" / uid / "containers" / "init" / "4f3c2a1b"
    log.parent.mkdir(parents=True)
    log.write_text("")
    (tmp_path / "termination-log").write_text("")
    ran = tmp_path / "ran"
    env = cluster_env(api_server, tmp_path, DEPENDENCY_CONTAINER="main")
    done = run_with_mounts([["--bind", str(log), str(tmp_path / "termination-log")]], [*KEP, "touch", str(ran)],
                           env=env)
    assert done.returncode == 2, done.stderr
    assert ("container main in pod openstack/me: it is a regular container, which starts only once every init "
            "container has ended, and kep runs in init container init: it can never be met") in done.stderr
    assert not ran.exists()
