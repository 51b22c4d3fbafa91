"""One real cluster per session: up before the first test that asks, always down at the end.

`real_api` is registered in tests/conftest.py, so API tests elsewhere (tests/fakeapi) can run
against the same real kube-apiserver. It is the full cluster where containers can run,
else `kube-cluster up --api-only`; skipped with the reason where neither can start. Where the
full cluster is required (KEP_REQUIRE_CLUSTER=1, or CI=true: .ci/run sets the first), a full
cluster that cannot start fails every test that asks, with the reason, and nothing falls back.
Nothing stays running after the session: `down` runs in a `finally`, also when `up` or a test fails.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Mapping
from types import FrameType

import pytest

from tests.cluster.kube import KUBE_CLUSTER, ClusterError, Kube, run_script

HOST_ENV = pytest.StashKey[dict[str, str]]()
"""The environment pytest started with (tests/conftest.py), before tests blank KEP_*."""


def cluster_required(env: Mapping[str, str]) -> bool:
    """The full cluster must run: KEP_REQUIRE_CLUSTER=1, or in CI (CI=true, as CI services set it)."""
    return env.get("KEP_REQUIRE_CLUSTER") == "1" or env.get("CI", "").lower() in ("true", "1")


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
def real_api(pytestconfig: pytest.Config) -> Iterator[Kube]:
    """A real kube-apiserver for the session: the full cluster, else (where it is not required)
    the API server alone.

    SIGTERM (a CI timeout, `kill`) interrupts pytest like Ctrl-C while the cluster runs, so
    `down` still happens; by default it would end the process on the spot.
    """
    host_env = dict(pytestconfig.stash.get(HOST_ENV, os.environ))
    required = cluster_required(host_env)
    problem = _cannot_run()
    if problem:
        if required:
            pytest.fail(f"the full cluster is required (KEP_REQUIRE_CLUSTER=1 or CI=true) and cannot start: {problem}",
                        pytrace=False)
        pytest.skip(f"real cluster tests: {problem}")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        run_script("down", env=host_env)  # a cluster left by an interrupted session is ours too
        full_problem = None
        try:
            # Each step of `up` takes seconds here; where containers cannot run, fall back in 1 minute,
            # not 3. Where nothing falls back, a loaded machine gets kube-cluster's own 3 minutes.
            quick = {} if required else {"KEP_CLUSTER_TIMEOUT": "60"}
            run_script("up", env={**quick, **host_env}, timeout=900)
        except ClusterError as e:
            why = " / ".join(line for line in str(e).splitlines()[-3:] if line.strip())
            if required:
                pytest.fail(f"the full cluster is required (KEP_REQUIRE_CLUSTER=1 or CI=true) and `kube-cluster up` "
                            f"failed: {why}\n{e}", pytrace=False)
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
