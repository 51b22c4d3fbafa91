"""From SIGTERM to kep's exit while it waits (issue target: within 100 ms), median and max.

    .venv/bin/python bench/signals.py [--runs 20]

kep waits for a socket that never appears (KEP_INTERVAL=30, so nothing but the
signal can end the wait); the clock runs from os.kill to the process's exit.
The frozen binary is measured too when `make binary` has built it.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.binary import BINARY  # noqa: E402
from tests.fakecluster import clean_env  # noqa: E402


def one(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Waiting for" in line:
            break
    began = time.perf_counter()
    os.kill(proc.pid, signal.SIGTERM)
    code = proc.wait(timeout=10)
    return (time.perf_counter() - began) * 1000, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = clean_env(DEPENDENCY_SOCKET="/nonexistent/kep-bench.sock", KEP_INTERVAL="30")
    commands = {"python kep.py": [sys.executable, str(ROOT / "kep.py"), "--", "true"]}
    if BINARY.exists():
        commands[str(BINARY.relative_to(ROOT))] = [str(BINARY), "--", "true"]
    for label, command in commands.items():
        runs = [one(command, env) for _ in range(args.runs)]
        times = [ms for ms, _ in runs]
        codes = sorted({code for _, code in runs})
        print(f"{label:<16} SIGTERM to exit: median {statistics.median(times):5.1f} ms, max {max(times):5.1f} ms,"
              f" exit codes {codes}")
    print("target: within 100 ms, exit code 143")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
