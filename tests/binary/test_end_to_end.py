"""The image against the fake kube-apiserver, as a pod would run it: in-cluster variables,
the service account mounted read-only at its usual path, user 65534, read-only root.
kep waits for a service and a job, then execs the command, and only then."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

from tests import factories as f
from tests.binary.conftest import AS_OPENSTACK_HELM, Podman, podman_env
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


class Lines:
    """A process's stdout lines, read by a thread, so that a test waits with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, *needles: str, timeout: float = 30) -> None:
        """Until every needle has appeared in some line, in any order (seen before or now)."""
        deadline = time.monotonic() + timeout
        while not all(any(n in line for line in self.seen) for n in needles):
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {needles!r} within {timeout}s:\n" + "\n".join(self.seen)) from None
            if line is None:
                raise AssertionError(f"output ended before {needles!r}:\n" + "\n".join(self.seen))
            self.seen.append(line)

    def rest(self, timeout: float = 30) -> list[str]:
        """All remaining lines, until the process closes its output."""
        deadline = time.monotonic() + timeout
        while (line := self._queue.get(timeout=max(0.0, deadline - time.monotonic()))) is not None:
            self.seen.append(line)
        return self.seen


def test_in_the_image_kep_waits_for_a_service_and_a_job_then_execs(fake_api: FakeApiServer,  # noqa: F811
                                                                   podman: Podman, tmp_path: Path) -> None:
    api = fake_api
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS))
    sa = service_account(api, tmp_path)
    options = pod_options(api, sa, DEPENDENCY_SERVICE=f"{NS}:mariadb", DEPENDENCY_JOBS="db-init")
    proc = subprocess.Popen(["podman", "run", *podman.platform, "--rm", *options, podman.probe_image, "--", "probe", "exit", "7"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=podman_env())
    out = Lines(proc)
    try:
        out.wait_for("Dependency Service mariadb in namespace openstack is resolved.",
                     "Waiting for Job db-init in namespace openstack")
        time.sleep(1.0)
        assert proc.poll() is None, "kep exec'd before the job succeeded"
        api.patch("batch/v1", "jobs", NS, "db-init", {"status": {"succeeded": 1}}, subresource="status")
        lines = out.rest()
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 7, (proc.stderr.read() if proc.stderr else "")  # the probe's own code: it ran
    assert "Dependency Job db-init in namespace openstack is resolved." in "\n".join(lines)
    assert lines[-1].endswith("All dependencies are resolved; executing probe")


def test_in_the_image_kep_check_and_explain_answer_from_the_binary(fake_api: FakeApiServer,  # noqa: F811
                                                                   podman: Podman, tmp_path: Path) -> None:
    """`kubectl exec POD -c init -- kep check`: the scratch image has nothing but kep."""
    api = fake_api
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS))
    sa = service_account(api, tmp_path)
    options = pod_options(api, sa, DEPENDENCY_SERVICE=f"{NS}:mariadb", DEPENDENCY_JOBS="db-init")
    checked = podman("run", "--rm", *options, "--entrypoint", "kep", podman.probe_image, "check", "-o", "json")
    assert checked.returncode == 1, checked.stderr
    assert [d["met"] for d in json.loads(checked.stdout)["dependencies"]] == [True, False]
    explained = podman("run", "--rm", *options, "--entrypoint", "kep", podman.probe_image, "--explain")
    assert explained.returncode == 0, explained.stderr
    assert "get jobs.batch db-init in namespace openstack" in explained.stdout
