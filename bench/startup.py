"""Start to exec when every dependency is already met: `python kep.py`, median of --runs.

    .venv/bin/python bench/startup.py [--runs 20]

A met service and a succeeded job on the fake kube-apiserver (in-cluster
variables, HTTPS), exec of /bin/true; with KEP_INTERVAL 2 and 30 to show the
interval plays no part (the first check is immediate, nothing sleeps after it).
The reference takes at least 2 s here (it sleeps after every check). The same
start outside a cluster, from a kubeconfig, prices reading it (PyYAML, imported
only then) against the in-cluster start measured in the same run.

Then API requests per start with three met dependencies in three collections,
against the baseline of one read per collection: with watch, polling under the
reference's get/list RBAC, and polling with KEP_WATCH=0. What polling adds is
the check before exec that reads again whatever was read before the last
dependency turned met (all met at one moment); a healthy watch adds nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.binary import TRUE, median_ms  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.fakecluster import REFERENCE_RULES, FakeCluster, clean_env  # noqa: E402

NS = "bench"


def requests_per_start(cluster: FakeCluster, kep: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    """Mean requests per start by verb, the fake's own counts."""
    cluster.reset_counts()
    for _ in range(runs):
        done = subprocess.run(kep, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"kep exited {done.returncode}: {done.stderr.strip()}")
    totals: dict[str, float] = {}
    for (verb, _resource), count in cluster.counts().items():
        totals[verb] = totals.get(verb, 0) + count / runs
    return totals


def kubeconfig(cluster: FakeCluster, path: Path) -> str:
    """A kubeconfig for `cluster` (JSON, which YAML reads), with an all-allowed token."""
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "bench",
        "clusters": [{"name": "bench", "cluster": {"server": cluster.url, "certificate-authority": cluster.ca_file}}],
        "users": [{"name": "bench", "user": {"token": cluster.token()}}],
        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
    }))
    return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    kep = [sys.executable, str(ROOT / "kep.py"), "--", TRUE]
    print(f"{'python kep.py, no dependencies':<48} median {median_ms(kep, clean_env(), args.runs):6.1f} ms")
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp, FakeCluster(Path(tmp) / "api") as cluster:
        cluster.create(f.service("db", NS))
        cluster.create(f.endpoint_slice("db", NS, f.endpoint("10.0.0.7", ready=True)))
        cluster.create(f.job("db-init", NS, succeeded=1))
        env = clean_env(**cluster.pod_env(Path(tmp) / "sa", cluster.token(), NS),
                        DEPENDENCY_SERVICE="db", DEPENDENCY_JOBS="db-init")
        for interval in ("2", "30"):
            label = f"python kep.py, met service + job, KEP_INTERVAL={interval}"
            print(f"{label:<48} median {median_ms(kep, {**env, 'KEP_INTERVAL': interval}, args.runs):6.1f} ms")
        in_cluster = median_ms(kep, {**env, "KEP_INTERVAL": "2"}, args.runs)
        outside = median_ms(kep, {**clean_env(DEPENDENCY_SERVICE="db", DEPENDENCY_JOBS="db-init", NAMESPACE=NS),
                                  "KUBECONFIG": kubeconfig(cluster, Path(tmp) / "kubeconfig")}, args.runs)
        print(f"{'python kep.py, the same from a kubeconfig':<48} median {outside:6.1f} ms "
              f"= {outside / in_cluster:.2f} x in cluster ({in_cluster:.1f} ms, this run)")
        print("target: <= 300 ms median")

        cluster.create(f.pod("db-0", NS, ready=True, labels={"app": "db"}))
        three = {"DEPENDENCY_POD_JSON": '[{"labels": {"app": "db"}}]', "KEP_INTERVAL": "2", "POD_NAME": "me"}
        baseline = 3  # EndpointSlices, the job, the pods: one read each
        print(f"\nAPI requests per start, 3 met dependencies in 3 collections (mean of {args.runs}; "
              f"baseline: {baseline} reads)")
        modes = {
            "watch allowed": {**env, **three},
            "reference RBAC (get/list: polls)": {**env, **three, **cluster.pod_env(
                Path(tmp) / "sa-ref", cluster.token(REFERENCE_RULES), NS)},
            "KEP_WATCH=0": {**env, **three, "KEP_WATCH": "0"},
        }
        for label, mode_env in modes.items():
            counts = requests_per_start(cluster, kep, mode_env, args.runs)
            total = sum(counts.values())
            verbs = ", ".join(f"{verb} {n:.1f}" for verb, n in sorted(counts.items()))
            print(f"  {label:<34} {total:5.1f} ({verbs}) = {total / baseline:.2f} x baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
