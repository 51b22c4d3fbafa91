"""The one-file binary in its FROM scratch image, run with podman as OpenStack-Helm runs it.

Once per session: the `kep_image` fixture (tests/kepimage.py), then a test image FROM it
with tests/binary/probe.c compiled statically at /usr/local/bin/probe.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kepimage import KEP_IMAGE, PROBE_IMAGE, ROOT, podman_env

__all__ = ["AS_OPENSTACK_HELM", "KEP_IMAGE", "PROBE_IMAGE", "ROOT", "Podman", "podman_env"]

HERE = Path(__file__).resolve().parent
# Kubernetes' securityContext in OpenStack-Helm: runAsUser 65534, readOnlyRootFilesystem.
AS_OPENSTACK_HELM = ("--user", "65534", "--read-only", "--read-only-tmpfs=false")


@dataclass
class Podman:
    """podman with the project's containers.conf; every container it starts is removed at the end."""

    started: list[str]

    def __call__(self, *args: str, timeout: float = 60, check: bool = False) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, env=podman_env())
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
        return done

    def run(self, *args: str, image: str = PROBE_IMAGE, options: Sequence[str] = AS_OPENSTACK_HELM,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`podman run --rm` in the foreground: (exit code, stdout, stderr) of the container."""
        return self("run", "--rm", *options, image, *args, timeout=timeout)

    def start(self, *args: str, image: str = PROBE_IMAGE, options: Sequence[str] = AS_OPENSTACK_HELM) -> str:
        """`podman run -d`: the container's name."""
        name = f"kep-test-{uuid.uuid4().hex[:10]}"
        self.started.append(name)
        self("run", "-d", "--name", name, *options, image, *args, check=True)
        return name

    def logs(self, name: str) -> tuple[str, str]:
        done = self("logs", name)
        return done.stdout, done.stderr

    def wait_for_output(self, name: str, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out, err = self.logs(name)
            if needle in out:
                return out
            if self("inspect", "--format", "{{.State.Running}}", name).stdout.strip() == "false":
                break
            time.sleep(0.1)
        out, err = self.logs(name)
        raise AssertionError(f"{name} never printed {needle!r}\nstdout:\n{out}\nstderr:\n{err}")

    def stop(self, name: str, grace: int = 10) -> tuple[int, float]:
        """(the container's exit code, seconds `podman stop` took)."""
        began = time.monotonic()
        self("stop", "-t", str(grace), name, timeout=grace + 30, check=True)
        took = time.monotonic() - began
        return self.exit_code(name), took

    def exit_code(self, name: str, timeout: float = 60) -> int:
        return int(self("wait", name, timeout=timeout, check=True).stdout.strip())

    def remove_all(self) -> None:
        for name in self.started:
            self("rm", "-f", "-t", "0", name)


@pytest.fixture(scope="session")
def probe_image(kep_image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The kep image plus a static /usr/local/bin/probe to exec (tests/binary/probe.c)."""
    context = tmp_path_factory.mktemp("probe-image")
    cc = subprocess.run(["musl-gcc", "-static", "-Os", "-s", "-Wall", "-Werror", "-o", str(context / "probe"),
                         str(HERE / "probe.c")], capture_output=True, text=True)
    assert cc.returncode == 0, cc.stderr
    (context / "Containerfile").write_text(f"FROM {kep_image}\nCOPY --chmod=0755 probe /usr/local/bin/probe\n")
    done = subprocess.run(["podman", "build", "--quiet", "--layers=false", "-t", PROBE_IMAGE, str(context)], capture_output=True,
                          text=True, timeout=300, env=podman_env())
    assert done.returncode == 0, done.stderr
    return PROBE_IMAGE


@pytest.fixture
def podman(probe_image: str) -> Iterator[Podman]:
    p = Podman(started=[])
    try:
        yield p
    finally:
        p.remove_all()
