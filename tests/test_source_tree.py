"""Building kep leaves the source tree clean: setuptools builds under the ignored
.setuptools-build/ (setup.cfg), never into build/, which holds the build scripts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_building_a_wheel_writes_nothing_git_would_see(tmp_path: Path) -> None:
    def untracked() -> set[str]:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        return {line[3:] for line in out.splitlines() if line.startswith("??")}

    before = untracked()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    assert untracked() - before == set()
    assert not (ROOT / "build" / "lib").exists()
    assert not list((ROOT / "build").glob("bdist.*"))
