"""kep passes a strict type check (house style); run as a test so it stays that way."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_kep_passes_mypy_strict():
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "-p", "kep"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
