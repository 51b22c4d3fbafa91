"""From SIGTERM to kep's exit while it waits (issue target: within 100 ms), median and max.

    .venv/bin/python bench/signals.py [--runs 20]

Two waits, with KEP_INTERVAL=30 so nothing but the signal can end them: a socket
that never appears (between checks), and a TCP endpoint whose connect hangs (a
listener whose backlog is full: the signal lands 0.5 s into an attempt that would
block for 5 s). The clock runs from os.kill to the process's exit. The frozen
binary is measured too when `make binary` has built it.
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
from tests.netservers import unanswered  # noqa: E402


def one(command: list[str], env: dict[str, str], line: str, settle: float) -> tuple[float, int]:
    """Signals `settle` s after kep logs `line`."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for said in proc.stdout:
        if line in said:
            break
    time.sleep(settle)
    began = time.perf_counter()
    os.kill(proc.pid, signal.SIGTERM)
    code = proc.wait(timeout=10)
    return (time.perf_counter() - began) * 1000, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    commands = {"python kep.py": [sys.executable, str(ROOT / "kep.py"), "--", "true"]}
    if BINARY.exists():
        commands[str(BINARY.relative_to(ROOT))] = [str(BINARY), "--", "true"]
    with unanswered() as port:
        waits = {
            "between checks": (clean_env(DEPENDENCY_SOCKET="/nonexistent/kep-bench.sock", KEP_INTERVAL="30"),
                               "Waiting for", 0.0),
            "in a TCP connect": (clean_env(DEPENDENCY_TCP=f"127.0.0.1:{port}", KEP_INTERVAL="30"),
                                 "Resolving TCP", 0.5),
        }
        for label, command in commands.items():
            for wait, (env, line, settle) in waits.items():
                runs = [one(command, env, line, settle) for _ in range(args.runs)]
                times = [ms for ms, _ in runs]
                codes = sorted({code for _, code in runs})
                print(f"{label:<20} {wait:<17} SIGTERM to exit: median {statistics.median(times):5.1f} ms, "
                      f"max {max(times):5.1f} ms, exit codes {codes}")
    print("target: within 100 ms, exit code 143")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
