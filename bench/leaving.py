"""From kep's decision to its exit: how long a pod waits after the last dependency is met.

    .venv/bin/python bench/leaving.py [--runs 30]

kep is started with one dependency that is met at once (DEPENDENCY_SOCKET=/) and no
command, as an init container runs; the time from reading its "All dependencies are
resolved" line on a pipe to the process's exit is taken for each run, and its median
printed for the script (`python kep.py`) and, where it is built, the one-file binary
(dist/kep). Baseline, in the same run: a Python that prints one line and exits the usual
way, with the interpreter's finalization (what kep skipped before process.leave).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = b"All dependencies are resolved"
BASELINE = [sys.executable, "-c", "import json, logging, threading; print('All dependencies are resolved', flush=True)"]


def leaving_ms(argv: list[str], runs: int) -> float:
    """Median ms from the decision line to the exit, over `runs` starts."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEPENDENCY_SOCKET": "/"}
    times = []
    for _ in range(runs):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        assert proc.stdout is not None
        for line in proc.stdout:
            if LINE in line:
                decided = time.perf_counter()
                break
        else:
            raise SystemExit(f"{argv[0]}: no decision line")
        proc.wait()
        times.append((time.perf_counter() - decided) * 1000)
        proc.stdout.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    baseline = leaving_ms(BASELINE, runs)
    print(f"decision to exit, median of {runs} runs (baseline: a Python printing one line, then exiting "
          f"the usual way: {baseline:.1f} ms)")
    programs = {"script (python kep.py)": [sys.executable, str(ROOT / "kep.py")]}
    if (ROOT / "dist" / "kep").is_file():
        programs["binary (dist/kep)"] = [str(ROOT / "dist" / "kep")]
    for name, argv in programs.items():
        ms = leaving_ms(argv, runs)
        print(f"  {name:<24} {ms:6.1f} ms  ({ms / baseline:.2f} x baseline)")


if __name__ == "__main__":
    main()
