"""`make demo`: kep's main job, locally, against the fake kube-apiserver.

A typical start-up of an OpenStack service pod: kep waits for the database
service to have a ready endpoint, for the db-init job to succeed, for a socket
another container opens, and for its config template; then it renders the
config and execs the command (here: print the config).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests import factories as f
from tests.fakecluster import FakeCluster, clean_env

ROOT = Path(__file__).resolve().parent.parent
NS = "openstack"


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def the_rest_of_the_cluster(cluster: FakeCluster, work: Path, stop: threading.Event) -> None:
    """What other pods and containers do meanwhile, a second or two apart."""
    time.sleep(1.5)
    template = work / "configmaps" / "keystone.conf" / "keystone.conf"
    template.parent.mkdir(parents=True)
    template.write_text("[DEFAULT]\nbind_host = {{ .IP }}\nhost = {{ .HOSTNAME }}\n"
                        "[database]\nconnection = mysql+pymysql://keystone@mariadb.openstack/keystone\n")
    say(f"the config template is mounted: {template}")
    time.sleep(1.5)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(work / "memcached.sock"))
    server.listen()
    say("a sidecar opened its socket")
    time.sleep(1.5)
    cluster.patch(f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices/mariadb-abcde",
                  {"endpoints": [f.endpoint("10.0.0.7", ready=True)]})
    say("mariadb-0 passed its readiness probe: the service has a ready endpoint")
    time.sleep(1.5)
    cluster.patch(f"/apis/batch/v1/namespaces/{NS}/jobs/keystone-db-init/status", {"status": {"succeeded": 1}})
    say("the keystone-db-init job succeeded")
    stop.wait()
    server.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kep-demo-") as tmp:
        work = Path(tmp)
        say("starting a fake kube-apiserver (HTTPS, its own CA, RBAC, watch streams)")
        with FakeCluster(work / "apiserver") as cluster:
            cluster.create(f.service("mariadb", NS))
            cluster.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=False)))
            cluster.create(f.job("keystone-db-init", NS))
            say(f"namespace {NS}: service mariadb has 1 endpoint, not ready; job keystone-db-init is running")
            env = clean_env(
                **cluster.pod_env(work / "serviceaccount", cluster.token(), NS),
                DEPENDENCY_SERVICE="mariadb",
                DEPENDENCY_JOBS="keystone-db-init",
                DEPENDENCY_SOCKET=str(work / "memcached.sock"),
                DEPENDENCY_CONFIG=str(work / "etc" / "keystone" / "keystone.conf"),
                INTERFACE_NAME="lo",
                KEP_CONFIGMAPS_DIR=str(work / "configmaps"),
                KEP_INTERVAL="0.5",
                COMMAND=f"cat {work}/etc/keystone/keystone.conf",
            )
            say("starting kep, as the pod's entrypoint:")
            for name in ("DEPENDENCY_SERVICE", "DEPENDENCY_JOBS", "DEPENDENCY_SOCKET", "DEPENDENCY_CONFIG", "COMMAND"):
                say(f"  {name}={env[name]}")
            stop = threading.Event()
            threading.Thread(target=the_rest_of_the_cluster, args=(cluster, work, stop), daemon=True).start()
            started = time.monotonic()
            code = subprocess.call([sys.executable, str(ROOT / "kep.py")], env=env)
            stop.set()
            say(f"kep, then the command in its place (same PID), exited with {code} "
                f"after {time.monotonic() - started:.1f}s")
            requests = sum(cluster.counts().values())
            say(f"API requests in all, the demo's own included: {requests}")
            return code


if __name__ == "__main__":
    raise SystemExit(main())
