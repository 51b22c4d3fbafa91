"""API-server load of a fleet of kep processes waiting together.

    .venv/bin/python bench/load.py [--processes 200] [--wait 60] [--interval 2] [--job-met]

N kep processes (`python kep.py`) start together, each waiting on a service,
a job and a pod (DEPENDENCY_SERVICE, DEPENDENCY_JOBS, DEPENDENCY_POD_JSON)
that all become met after --wait seconds; with --job-met the job is met from
the start (the common case of a chart: most dependencies met, one late), where
polling holds the met job until the check before exec reads it once more. The fake kube-apiserver counts every
request by verb. Run twice: with watch allowed, and with the reference's RBAC
(get/list, no watch), where kep polls. The same wait is then priced for a
model of the reference: every dependency checked every 2 s, plus its 2 s sleep
after success, with its requests per check read from its source:
service = list EndpointSlices + get Endpoints (none ready), job = get,
pod = get own pod + list pods.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories as f  # noqa: E402
from tests.fakecluster import REFERENCE_RULES, FakeCluster, clean_env  # noqa: E402

NS = "fleet"
REFERENCE_REQUESTS_PER_CHECK = {"service": 2, "job": 1, "pod": 2}


def make_not_met(cluster: FakeCluster, job_met: bool) -> None:
    cluster.create(f.service("db", NS))
    cluster.create(f.endpoint_slice("db", NS, f.endpoint("10.0.0.7", ready=False)))
    cluster.create(f.job("db-init", NS))
    if job_met:
        meet_job(cluster)
    cluster.create(f.pod("db-0", NS, labels={"app": "db"}, ready=False))


def meet_job(cluster: FakeCluster) -> None:
    cluster.patch(f"/apis/batch/v1/namespaces/{NS}/jobs/db-init/status", {"status": {"succeeded": 1}})


def make_met(cluster: FakeCluster, job_met: bool) -> None:
    cluster.patch(f"/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices/db-abcde",
                  {"endpoints": [f.endpoint("10.0.0.7", ready=True)]})
    if not job_met:
        meet_job(cluster)
    cluster.patch(f"/api/v1/namespaces/{NS}/pods/db-0/status",
                  {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})


def fleet(cluster: FakeCluster, work: Path, label: str, rules: list[dict] | None, args: argparse.Namespace) -> None:
    env = clean_env(
        **cluster.pod_env(work / f"sa-{label}", cluster.token(rules), NS),
        DEPENDENCY_SERVICE="db",
        DEPENDENCY_JOBS="db-init",
        DEPENDENCY_POD_JSON=json.dumps([{"labels": {"app": "db"}}]),
        KEP_INTERVAL=str(args.interval),
    )
    cluster.reset_counts()
    procs = [subprocess.Popen([sys.executable, str(ROOT / "kep.py"), "--", "true"],
                              env={**env, "POD_NAME": f"app-{i}"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(args.processes)]
    started = time.monotonic()
    time.sleep(args.wait)
    make_met(cluster, args.job_met)
    met = time.monotonic()
    codes = Counter(proc.wait(timeout=300) for proc in procs)
    all_done = time.monotonic() - met
    counts = cluster.counts()
    by_verb: Counter[str] = Counter()
    for (verb, _resource), n in counts.items():
        by_verb[verb] += n
    total = sum(by_verb.values())
    print(f"{label:<28} {args.processes} processes, waited {met - started:.0f} s, all exec'd "
          f"{all_done:.1f} s after the change, exit codes {dict(codes)}")
    print(f"{'':<28} requests {total:>6} ({total / args.processes:.1f} per process): "
          + ", ".join(f"{verb} {n}" for verb, n in sorted(by_verb.items())), flush=True)
    print(f"{'':<28} by resource: " + ", ".join(f"{v} {r} {n}" for (v, r), n in sorted(counts.items())),
          flush=True)
    cluster.reset_counts()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=200)
    parser.add_argument("--wait", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--job-met", action="store_true", help="the job is met from the start")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp:
        work = Path(tmp)
        for label, rules in (("kep, watch allowed", None), ("kep, reference RBAC (polls)", REFERENCE_RULES)):
            with FakeCluster(work / label.replace(" ", "-"), bookmark_interval=60) as cluster:
                make_not_met(cluster, args.job_met)
                fleet(cluster, work, label, rules, args)
    checks = math.floor(args.wait / 2) + 1
    waiting = {kind: n for kind, n in REFERENCE_REQUESTS_PER_CHECK.items() if not (args.job_met and kind == "job")}
    per_process = checks * sum(waiting.values()) + sum(REFERENCE_REQUESTS_PER_CHECK.values()) - sum(waiting.values())
    print(f"{'reference model (2 s polls)':<28} requests {per_process * args.processes:>6} "
          f"({per_process} per process: {checks} checks x {sum(waiting.values())} requests"
          + (", the met job read once" if args.job_met else "") + "; then it sleeps 2 s more before exec)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
