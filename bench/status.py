"""API requests and seconds of `kep status` over a namespace of waiting pods.

    .venv/bin/python bench/status.py [--pods 500]

The fake kube-apiserver (its own process) holds an OpenStack-Helm namespace half-way:
--pods pods in their init container, in Deployments of 20, each waiting on two
Services, a Job and a DaemonSet (POD_NAME and NAMESPACE from the downward API), one Job
never created at the root of it all. Three runs over that one state, in this process:

- baseline: each waiting pod's dependencies judged one pod at a time, each with its own
  reads (kep.check as `kubectl exec POD -- kep check` does it, without the processes);
- kep.status in this process: one list per collection, shared by every pod;
- `kep status -o json` as a process, as an operator runs it (start-up included).

The figures are printed as ratios against the baseline. The fake server counts every request.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kep.api.client import Client  # noqa: E402
from kep.api.config import load_config  # noqa: E402
from kep.check import check  # noqa: E402
from kep.engine.read import fetcher  # noqa: E402
from kep.kinds import API_KINDS  # noqa: E402
from kep.status import status  # noqa: E402
from kep.status.labels import Selector  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.fakecluster import FakeCluster, clean_env  # noqa: E402
from tests.status import waiting_pod  # noqa: E402

NS = "openstack"
PER_DEPLOYMENT = 20


def seed(cluster: FakeCluster, pods: int) -> None:
    for name in ("mariadb", "rabbitmq"):
        cluster.create(f.service(name, NS))
        cluster.create(f.endpoint_slice(name, NS, f.endpoint("10.0.0.7", ready=name == "mariadb")))
    ds = cluster.create(f.daemonset("openvswitch", NS, match_labels={"application": "openvswitch"}, desired=1))
    cluster.create(f.pod("openvswitch-a", NS, node_name="node-1", ready=True, labels={"application": "openvswitch"},
                         owner_uid=ds["metadata"]["uid"]))
    deployments = max(1, pods // PER_DEPLOYMENT)
    for d in range(deployments):
        cluster.create(f.job(f"app{d}-db-sync", NS, active=1))
    for n in range(pods):
        d = n % deployments
        env = {"DEPENDENCY_SERVICE": "mariadb,rabbitmq", "DEPENDENCY_JOBS": f"app{d}-db-sync,keystone-db-sync",
               "DEPENDENCY_DAEMONSET": "openvswitch"}
        cluster.create(waiting_pod(f"app{d}-5f7b9-{n:05d}", NS, env, labels={"pod-template-hash": "5f7b9"},
                                   owner=("ReplicaSet", f"app{d}-5f7b9", f"rs-{d}")))


def requests(cluster: FakeCluster) -> int:
    total = sum(cluster.counts().values())
    cluster.reset_counts()
    return total


def line(label: str, sent: int, seconds: float, base: tuple[int, float] | None) -> str:
    ratio = f" (x{sent / base[0]:.3f} requests, x{seconds / base[1]:.3f} time)" if base else ""
    return f"{label:<34} requests {sent:>6}  seconds {seconds:7.2f}{ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pods", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeCluster(Path(tmp) / "api") as cluster:
        seed(cluster, args.pods)
        env = clean_env(KUBECONFIG=str(Path(tmp) / "api" / "kubeconfig"))
        client = Client(load_config(env), environ=env)
        cluster.reset_counts()

        started = time.perf_counter()
        report = status(fetcher(client), NS, Selector())
        shared = (requests(cluster), time.perf_counter() - started)
        assert len(report.waiters) == args.pods, len(report.waiters)

        started = time.perf_counter()
        for waiter in report.waiters:
            assert waiter.plan is not None
            plan = replace(waiter.plan, specs=tuple(s for s in waiter.plan.specs if type(s) in API_KINDS))
            check(plan, fetcher(client))
        base = (requests(cluster), time.perf_counter() - started)

        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "kep.py"), "status", "-n", NS, "-o", "json"], env=env,
                              capture_output=True, text=True, timeout=600)
        command = (requests(cluster), time.perf_counter() - started)
        assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr)
        roots: Any = {f.target for w in report.waiters for f in report.chains.roots[w.key]}
    print(f"{args.pods} waiting pods, {len(roots)} root causes")
    print(line("baseline: kep check per pod", *base, None))
    print(line("kep.status, shared lists", *shared, base))
    print(line("kep status -o json (a process)", *command, base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
