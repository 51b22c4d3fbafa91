"""Peak RSS of one waiting kep: the script, and the frozen binary with all its processes.

    .venv/bin/python bench/memory.py        (the binary part needs `make binary` first)

kep waits on a service, a job and a pod (three watches, the engine and the
API client loaded); RSS is the peak (VmHWM) summed over kep's process tree.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.binary import BINARY, TRUE, while_waiting  # noqa: E402
from bench.load import NS, make_met, make_not_met  # noqa: E402
from tests.fakecluster import FakeCluster, clean_env  # noqa: E402


def main() -> int:
    commands = {"python kep.py (script)": [sys.executable, str(ROOT / "kep.py"), "--", TRUE]}
    if BINARY.exists():
        commands[f"{BINARY.relative_to(ROOT)} (frozen, all processes)"] = [str(BINARY), "--", TRUE]
    else:
        print(f"({BINARY.relative_to(ROOT)} not built: run `make binary` for its figure)")
    with tempfile.TemporaryDirectory(prefix="kep-bench-") as tmp, FakeCluster(Path(tmp) / "api") as cluster:
        env = clean_env(**cluster.pod_env(Path(tmp) / "sa", cluster.token(), NS), POD_NAME="app-0",
                        DEPENDENCY_SERVICE="db", DEPENDENCY_JOBS="db-init",
                        DEPENDENCY_POD_JSON=json.dumps([{"labels": {"app": "db"}}]))
        make_not_met(cluster)
        for label, command in commands.items():
            processes, rss_kib, _, _ = while_waiting(command, env, lambda: make_met(cluster))
            print(f"{label:<44} {processes} process(es), peak RSS {rss_kib / 1024:5.1f} MiB")
            make_not_met_again(cluster)
    print("target: <= 40 MiB")
    return 0


def make_not_met_again(cluster: FakeCluster) -> None:
    cluster.patch(f"/apis/batch/v1/namespaces/{NS}/jobs/db-init/status", {"status": {"succeeded": 0}})


if __name__ == "__main__":
    raise SystemExit(main())
