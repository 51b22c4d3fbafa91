"""Latency from "the last dependency became met on the API server" to "the command was exec'd".

    .venv/bin/python bench/latency.py [--runs 30] [--poll-runs 10] [--interval 2]

Each run: a job that has not succeeded; kep (`python kep.py`, in-cluster
variables) waits on it, with watch allowed (default) or with polling
(KEP_WATCH=0); the bench marks the job succeeded and reads the time printed by
the exec'd command (`date +%s%N`). The clock starts just before the PATCH is
sent, so the figure includes the write itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import factories as f  # noqa: E402
from tests.fakecluster import FakeCluster, clean_env  # noqa: E402

NS = "bench"


def one_run(cluster: FakeCluster, env: dict[str, str], name: str) -> float:
    cluster.create(f.job(name, NS))
    proc = subprocess.Popen([sys.executable, str(ROOT / "kep.py"), "--", "date", "+%s%N"],
                            env={**env, "DEPENDENCY_JOBS": name}, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Waiting for Job" in line:
            break
    time.sleep(0.2)  # past the first read: the change must arrive while kep waits
    began = time.time_ns()
    cluster.patch(f"/apis/batch/v1/namespaces/{NS}/jobs/{name}/status", {"status": {"succeeded": 1}})
    out = proc.communicate(timeout=60)[0]
    return (int(out.splitlines()[-1]) - began) / 1e6


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, samples: list[float]) -> None:
    print(f"{label:<32} runs {len(samples):>3}  median {statistics.median(samples):7.1f} ms  "
          f"p99 {percentile(samples, 99):7.1f} ms  max {max(samples):7.1f} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--poll-runs", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp, FakeCluster(Path(tmp) / "api") as cluster:
        env = clean_env(**cluster.pod_env(Path(tmp) / "sa", cluster.token(), NS), KEP_INTERVAL=str(args.interval))
        watch = [one_run(cluster, env, f"watch-{i}") for i in range(args.runs)]
        report("watch (list+watch)", watch)
        polled = [one_run(cluster, {**env, "KEP_WATCH": "0"}, f"poll-{i}") for i in range(args.poll_runs)]
        report(f"polling (KEP_INTERVAL={args.interval:g})", polled)
    print(f"targets: watch median <= 50 ms, p99 <= 200 ms; polling <= {args.interval * 1000 + 50:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
