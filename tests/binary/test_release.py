"""What a release promises about the binary itself: it is reproducible, it says where it comes
from, and its SBOM names everything it carries. Each architecture, no container."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import kep
from tests.binary.conftest import HOST_ARCH, ROOT, binary_path, make

_spec = importlib.util.spec_from_file_location("bundle", ROOT / "build" / "bundle.py")
assert _spec and _spec.loader
bundle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle)


def copy_of_the_tree(dest: Path) -> Path:
    """The files git would commit, as they are now (uncommitted changes included), with their mtimes."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.mark.reproducibility
def test_two_builds_of_one_tree_in_two_places_are_byte_identical(arch: str, built: Path, tmp_path: Path) -> None:
    """Same sources, same commit and date: the same binary and SBOM, whatever the directory, the
    files' mtimes or the clock (SOURCE_DATE_EPOCH, PYTHONHASHSEED, nothing random inside)."""
    if arch != HOST_ARCH:
        pytest.skip(f"two more {arch} builds under qemu would add about 2 minutes; the same rule builds both (README)")
    identity = {"KEP_COMMIT": "0" * 40, "SOURCE_DATE_EPOCH": "1700000000",
                # the venvs of this tree's build: only the output is being compared
                "BUILD_VENV": str(ROOT / "build/work" / HOST_ARCH / "venv"),
                "SBOM_VENV": str(ROOT / "build/work" / HOST_ARCH / "sbom-venv")}
    outputs = []
    for place in ("first", "second"):
        tree = copy_of_the_tree(tmp_path / place)
        if place == "second":
            for source in (tree / "kep").rglob("*.py"):
                os.utime(source, (1, 1))
        done = subprocess.run(["make", "-C", str(tree), "binary", *(f"{k}={v}" for k, v in identity.items())],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        outputs.append(tree / "dist" / f"linux-{HOST_ARCH}")
    first, second = outputs
    assert (first / "kep").read_bytes() == (second / "kep").read_bytes()
    assert (first / "kep.cdx.json").read_text() == (second / "kep.cdx.json").read_text()


def test_version_names_the_commit_and_the_build_date(built: Path) -> None:
    done = subprocess.run([str(built), "--version"], capture_output=True, text=True, timeout=60)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    date = subprocess.run(["git", "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout.strip()
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"kep {re.escape(kep.__version__)} \(commit {commit}(-dirty)?, built {date}\)",
                        done.stdout.strip()), done.stdout


def sbom_of(binary: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(binary.with_name("kep.cdx.json").read_text())


def test_every_shared_object_in_the_binary_is_in_the_sbom(built: Path) -> None:
    """Read back from the binary itself: each ELF file it unpacks is located in a component."""
    elves = {name for kind, name, head in bundle.read_entries(built) if kind == bundle.T_FILE and head == b"\x7fELF"}
    sbom = sbom_of(built)
    located = {o["location"] for c in [*sbom["components"], sbom["metadata"]["component"]]
               for o in c.get("evidence", {}).get("occurrences", [])}
    assert {"kep", "ld.so", "_internal/libpython3.11.so.1.0", "_internal/libssl.so.3"} <= elves
    assert elves - located == set()


def test_the_sbom_names_cpython_the_python_packages_and_the_c_libraries_with_versions(arch: str, built: Path) -> None:
    sbom = sbom_of(built)
    purls = {c["name"].lower(): c["purl"] for c in sbom["components"]}
    for name in ("requests", "urllib3", "certifi", "idna", "charset-normalizer", "pyyaml", "pyinstaller"):
        assert purls.get(name, "").startswith(f"pkg:pypi/{name}@"), name
    for name in ("libpython3.11", "libpython3.11-minimal", "libssl3", "libc6", "zlib1g", "musl-dev"):
        assert re.match(rf"pkg:deb/debian/{re.escape(name)}@[^?]+\?arch={arch}&distro=debian-", purls.get(name, "")), name
    main = sbom["metadata"]["component"]
    assert (main["name"], main["version"]) == ("kep", kep.__version__)


def test_the_binary_of_this_machine_is_also_dist_kep() -> None:
    assert make("binary").returncode == 0
    assert (ROOT / "dist" / "kep").samefile(binary_path(HOST_ARCH))
