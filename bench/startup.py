"""Start to exec when every dependency is already met: `python kep.py`, median of --runs.

    .venv/bin/python bench/startup.py [--runs 20]

A met service and a succeeded job on the fake kube-apiserver (in-cluster
variables, HTTPS), exec of /bin/true; with KEP_INTERVAL 2 and 30 to show the
interval plays no part (the first check is immediate, nothing sleeps after it).
The reference takes at least 2 s here (it sleeps after every check).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.binary import TRUE, median_ms  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.fakecluster import FakeCluster, clean_env  # noqa: E402

NS = "bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    kep = [sys.executable, str(ROOT / "kep.py"), "--", TRUE]
    print(f"{'python kep.py, no dependencies':<48} median {median_ms(kep, clean_env(), args.runs):6.1f} ms")
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp, FakeCluster(Path(tmp) / "api") as cluster:
        cluster.create(f.endpoint_slice("db", NS, f.endpoint("10.0.0.7", ready=True)))
        cluster.create(f.job("db-init", NS, succeeded=1))
        env = clean_env(**cluster.pod_env(Path(tmp) / "sa", cluster.token(), NS),
                        DEPENDENCY_SERVICE="db", DEPENDENCY_JOBS="db-init")
        for interval in ("2", "30"):
            label = f"python kep.py, met service + job, KEP_INTERVAL={interval}"
            print(f"{label:<48} median {median_ms(kep, {**env, 'KEP_INTERVAL': interval}, args.runs):6.1f} ms")
    print("target: <= 300 ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
