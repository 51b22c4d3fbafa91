"""kep's FROM scratch image, built once per session for every test that runs it.

Both tests/binary (podman) and tests/cluster (a real kubelet) run this image: the
`kep_image` fixture, registered in tests/conftest.py, builds it with `make binary image`
(which installs what it needs) the first time either asks. Skipped, with the reason,
when podman is missing and cannot be installed, or cannot run here; a failing build
fails the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST_ARCH = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip() or "amd64"
KEP_IMAGE = "localhost/kep:test"
PROBE_IMAGE = "localhost/kep-probe:test"
CONTAINERS_CONF = str(ROOT / "build" / "containers.conf")


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": CONTAINERS_CONF}


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def make(*targets: str, **variables: str) -> subprocess.CompletedProcess[str]:
    args = ["make", "-C", str(ROOT), *targets, *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, capture_output=True, text=True, timeout=900)


def podman_problem() -> str | None:
    """Why podman cannot run containers here, or None."""
    if shutil.which("podman") is None:
        done = make("image-deps")
        if done.returncode != 0 or shutil.which("podman") is None:
            return f"podman is not installed and `make image-deps` could not install it: {tail(done.stderr, 3)}"
    done = subprocess.run(["podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"], capture_output=True,
                          text=True, timeout=120, env=podman_env())
    if done.returncode != 0:
        return f"`podman info` fails here: {tail(done.stderr, 3)}"
    return None


def image_names(arch: str) -> tuple[str, str]:
    """(kep image, probe image) of the tests for one architecture."""
    suffix = "" if arch == HOST_ARCH else f"-{arch}"
    return f"{KEP_IMAGE}{suffix}", f"{PROBE_IMAGE}{suffix}"


def build_image(arch: str) -> str:
    """`make binary image ARCH=...`, tagged for the tests (skips without podman, fails on a failed build)."""
    problem = podman_problem()
    if problem:
        pytest.skip(f"image tests need podman: {problem}")
    kep, probe = image_names(arch)
    subprocess.run(["podman", "rmi", probe], capture_output=True, env=podman_env())  # frees the old kep image
    done = make("binary", "image", IMAGE=kep, ARCH=arch)
    if done.returncode != 0:
        pytest.fail(f"`make binary image ARCH={arch}` failed:\n{tail(done.stdout)}\n{tail(done.stderr)}", pytrace=False)
    return kep


@pytest.fixture(scope="session")
def kep_image() -> str:
    """The host architecture's image, built once per session (tests/binary builds each architecture's)."""
    return build_image(HOST_ARCH)
