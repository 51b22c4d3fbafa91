"""One real cluster per session: up before the first test that asks, always down at the end.

`real_api` is registered in tests/conftest.py, so API tests elsewhere (tests/fakeapi) can run
against the same real kube-apiserver. It is the full cluster where containers can run,
else `kube-cluster up --api-only`; skipped with the reason where neither can start. Nothing
stays running after the session: `down` runs in a `finally`, also when `up` or a test fails.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from tests.cluster.kube import KUBE_CLUSTER, ClusterError, Kube, run_script


def _cannot_run() -> str | None:
    """Why no cluster at all can start here, or None."""
    if not KUBE_CLUSTER.is_file():
        return f"{KUBE_CLUSTER} is missing (set KEP_KUBE_CLUSTER to the kube-cluster script)"
    if os.geteuid() != 0:
        return "kube-cluster needs root (it adds an address to lo, runs etcd, kube-apiserver, containerd)"
    return None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def real_api() -> Iterator[Kube]:
    """A real kube-apiserver for the session: the full cluster, else the API server alone.

    SIGTERM (a CI timeout, `kill`) interrupts pytest like Ctrl-C while the cluster runs, so
    `down` still happens; by default it would end the process on the spot.
    """
    problem = _cannot_run()
    if problem:
        pytest.skip(f"real cluster tests: {problem}")
    host_env = dict(os.environ)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        run_script("down", env=host_env)  # a cluster left by an interrupted session is ours too
        full_problem = None
        try:
            # Each step of `up` takes seconds here; where containers cannot run, fail in 1 minute, not 3.
            run_script("up", env={"KEP_CLUSTER_TIMEOUT": "60", **host_env}, timeout=600)
        except ClusterError as e:
            why = " / ".join(line for line in str(e).splitlines()[-3:] if line.strip())
            full_problem = f"`kube-cluster up` failed here, so only the API server runs: {why}"
            run_script("down", env=host_env)
            try:
                run_script("up", "--api-only", env=host_env, timeout=600)
            except ClusterError as api_error:
                pytest.skip(f"real cluster tests: neither the cluster nor the API server can start here: {api_error}")
        yield Kube.running(host_env, full_problem)
    finally:
        run_script("down", env=host_env)
        signal.signal(signal.SIGTERM, previous)
