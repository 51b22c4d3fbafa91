"""The image against the fake kube-apiserver, as a pod would run it: in-cluster variables,
the service account mounted read-only at its usual path, user 65534, read-only root.
kep waits for a service and a job, then execs the command, and only then."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests import factories as f
from tests.binary.conftest import AS_OPENSTACK_HELM, PROBE_IMAGE, Podman, podman_env
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (fixture)
from tests.fakeapi.server import FakeApiServer

NS = "openstack"
SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def service_account(api: FakeApiServer, tmp_path: Path) -> Path:
    """token, ca.crt and namespace, readable by user 65534 as kubelet's projected volume is."""
    sa = Path(api.write_service_account(tmp_path / "serviceaccount", api.add_token(), namespace=NS))
    sa.chmod(0o755)
    for item in sa.iterdir():
        item.chmod(0o644)
    return sa


def pod_options(api: FakeApiServer, sa: Path, **env: str) -> list[str]:
    options = [*AS_OPENSTACK_HELM, "--network", "host", "-v", f"{sa}:{SA_PATH}:ro",
               "-e", "KUBERNETES_SERVICE_HOST=127.0.0.1", "-e", f"KUBERNETES_SERVICE_PORT={api.port}",
               "-e", "POD_NAME=app-0", "-e", "KEP_INTERVAL=0.3"]
    for name, value in env.items():
        options += ["-e", f"{name}={value}"]
    return options


def read_until(proc: subprocess.Popen[str], needle: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line.rstrip("\n"))
        if needle in line:
            return
    raise AssertionError(f"kep's container exited ({proc.wait()}) before {needle!r}:\n" + "\n".join(seen))


def test_in_the_image_kep_waits_for_a_service_and_a_job_then_execs(fake_api: FakeApiServer,  # noqa: F811
                                                                   podman: Podman, tmp_path: Path) -> None:
    api = fake_api
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS))
    sa = service_account(api, tmp_path)
    options = pod_options(api, sa, DEPENDENCY_SERVICE=f"{NS}:mariadb", DEPENDENCY_JOBS="db-init")
    proc = subprocess.Popen(["podman", "run", "--rm", *options, PROBE_IMAGE, "--", "probe", "exit", "7"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=podman_env())
    seen: list[str] = []
    try:
        read_until(proc, "Dependency Service mariadb in namespace openstack is resolved.", seen)
        read_until(proc, "Waiting for Job db-init in namespace openstack", seen)
        time.sleep(1.0)
        assert proc.poll() is None, "kep exec'd before the job succeeded"
        api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 7, err  # the probe's own code: it ran
    assert "Dependency Job db-init in namespace openstack is resolved." in rest
    assert rest.splitlines()[-1].endswith("All dependencies are resolved; executing probe")
