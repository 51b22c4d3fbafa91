"""Run kep as a real process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEP = [sys.executable, str(ROOT / "kep.py")]


def kep_env(**extra: str) -> dict[str, str]:
    """The test's environment (already cleaned by conftest) plus kep variables."""
    env = dict(os.environ)
    env.update(extra)
    return env


def run_kep(*args: str, env: dict[str, str] | None = None, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KEP, *args], env=env or kep_env(), capture_output=True, text=True, timeout=timeout)


class Kep(subprocess.Popen[str]):
    """A running kep that remembers the stdout lines a test has read."""

    transcript: list[str]


STARTED: list[Kep] = []
"""Every kep a test started; tests/conftest.py kills those still running when the test ends
(one that failed before `finish` would otherwise wait on, for hours)."""


def start_kep(*args: str, env: dict[str, str] | None = None) -> Kep:
    proc = Kep([*KEP, *args], env=env or kep_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.transcript = []
    STARTED.append(proc)
    return proc


def kill_started() -> None:
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def wait_for_line(proc: Kep, needle: str, timeout: float = 30.0) -> str:
    """Read kep's stdout until a line contains `needle` (kep flushes every log line);
    after `timeout` seconds kep is killed, so a line that never comes fails the test."""
    assert proc.stdout is not None
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            proc.transcript.append(line)
            if needle in line:
                return line
    finally:
        watchdog.cancel()
    said = "".join(proc.transcript[-5:])
    raise AssertionError(f"kep exited ({proc.wait()}) before printing {needle!r}; last lines:\n{said}")
