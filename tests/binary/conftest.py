"""The one-file binary in its FROM scratch image, run with podman as OpenStack-Helm runs it.

Once per session and architecture: `make binary image ARCH=...` (which installs what it
needs), then a test image FROM it with tests/binary/probe.c compiled statically at
/usr/local/bin/probe. Every test that takes `podman` runs for amd64 and for arm64 (under
qemu through binfmt_misc; the first arm64 build makes and caches a Debian root, about 5
minutes in all: see the README). Skipped, with the reason, when podman is missing and cannot
be installed or cannot run containers here, and for arm64 when binfmt cannot be enabled or
KEP_TEST_ARM64=0 is set. A failing build fails the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kepimage import (
    HOST_ARCH, KEP_IMAGE, PROBE_IMAGE, ROOT, build_image, image_names, make, podman_env, podman_problem, tail,
)

__all__ = ["AS_OPENSTACK_HELM", "HOST_ARCH", "KEP_IMAGE", "PROBE_IMAGE", "ROOT", "Podman", "binary_path",
           "foreign_problem", "make", "podman_env", "podman_problem", "tail"]

HERE = Path(__file__).resolve().parent
ARCHES = ("amd64", "arm64")


def binary_path(arch: str) -> Path:
    return ROOT / "dist" / f"linux-{arch}" / "kep"


# Kubernetes' securityContext in OpenStack-Helm: runAsUser 65534, readOnlyRootFilesystem.
AS_OPENSTACK_HELM = ("--user", "65534", "--read-only", "--read-only-tmpfs=false")


@dataclass
class Podman:
    """podman with the project's containers.conf, for one architecture's images; every
    container it starts is removed at the end."""

    started: list[str]
    arch: str
    kep_image: str
    probe_image: str

    @property
    def platform(self) -> tuple[str, ...]:
        """`podman run` options: another architecture's image runs without podman's warning on stderr."""
        return ("--platform", f"linux/{self.arch}") if self.arch != HOST_ARCH else ()

    def __call__(self, *args: str, timeout: float = 60, check: bool = False) -> subprocess.CompletedProcess[str]:
        if args[:1] == ("run",):
            args = ("run", *self.platform, *args[1:])
        done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, env=podman_env())
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
        return done

    def run(self, *args: str, image: str = "", options: Sequence[str] = AS_OPENSTACK_HELM,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`podman run --rm` in the foreground (the probe image unless told): (exit code, stdout, stderr)."""
        return self("run", "--rm", *options, image or self.probe_image, *args, timeout=timeout)

    def start(self, *args: str, image: str = "", options: Sequence[str] = AS_OPENSTACK_HELM) -> str:
        """`podman run -d` (the probe image unless told): the container's name."""
        name = f"kep-test-{uuid.uuid4().hex[:10]}"
        self.started.append(name)
        self("run", "-d", "--name", name, *options, image or self.probe_image, *args, check=True)
        return name

    def logs(self, name: str) -> tuple[str, str]:
        done = self("logs", name)
        return done.stdout, done.stderr

    def wait_for_output(self, name: str, needle: str, timeout: float = 90) -> str:
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


def foreign_problem(arch: str) -> str | None:
    """Why `arch`'s binary is not tested here, or None. Never silent: the reason is the skip's."""
    done = subprocess.run([str(ROOT / "build" / "binfmt"), arch], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return f"{arch} needs qemu through binfmt_misc: {tail(done.stderr, 1)}"
    if os.environ.get("KEP_TEST_ARM64") == "0":
        return f"KEP_TEST_ARM64=0 turns the {arch} tests off"
    return None


@pytest.fixture(scope="session", params=ARCHES)
def arch(request: pytest.FixtureRequest) -> str:
    """Each architecture in turn; tests of one that cannot run here are skipped with the reason."""
    problem = foreign_problem(request.param) if request.param != HOST_ARCH else None
    if problem:
        pytest.skip(problem)
    return str(request.param)


@pytest.fixture(scope="session")
def kep_image(arch: str) -> str:
    """This architecture's image (the host's is the one tests/cluster runs too)."""
    return build_image(arch)


@pytest.fixture(scope="session")
def probe_image(arch: str, kep_image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The kep image plus a static /usr/local/bin/probe to exec (tests/binary/probe.c, `make test-probe`)."""
    done = make("test-probe", ARCH=arch)
    assert done.returncode == 0, done.stderr
    context = tmp_path_factory.mktemp(f"probe-image-{arch}")
    shutil.copy(ROOT / "build" / "work" / arch / "probe", context / "probe")
    (context / "Containerfile").write_text(f"FROM {kep_image}\nCOPY --chmod=0755 probe /usr/local/bin/probe\n")
    _, probe = image_names(arch)
    done = subprocess.run(["podman", "build", "--quiet", "--layers=false", "--platform", f"linux/{arch}", "-t", probe,
                           str(context)], capture_output=True, text=True, timeout=300, env=podman_env())
    assert done.returncode == 0, done.stderr
    return probe


@pytest.fixture
def podman(arch: str, kep_image: str, probe_image: str) -> Iterator[Podman]:
    p = Podman(started=[], arch=arch, kep_image=kep_image, probe_image=probe_image)
    try:
        yield p
    finally:
        p.remove_all()


@pytest.fixture(scope="session")
def built(arch: str) -> Path:
    """The binary of `arch` (`make binary ARCH=...`, which installs what it needs), next to its SBOM."""
    done = make("binary", ARCH=arch)
    if done.returncode != 0:
        pytest.fail(f"`make binary ARCH={arch}` failed:\n{tail(done.stdout)}\n{tail(done.stderr)}", pytrace=False)
    return binary_path(arch)
