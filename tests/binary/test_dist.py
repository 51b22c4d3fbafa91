"""`make dist`: the release set a user downloads and checks, both architectures."""

from __future__ import annotations

import json
import subprocess
import tarfile

import pytest

import kep
from tests.binary.conftest import ROOT, foreign_problem, make, podman_problem, tail

MANIFEST = "localhost/kep:test-multiarch"


def test_dist_writes_both_binaries_their_sboms_a_multiarch_oci_archive_and_sha256sums() -> None:
    problem = podman_problem() or foreign_problem("arm64")
    if problem:
        pytest.skip(f"make dist needs podman and arm64: {problem}")
    done = make("dist", MANIFEST=MANIFEST)
    assert done.returncode == 0, tail(done.stdout) + tail(done.stderr)
    release, version = ROOT / "dist" / "release", kep.__version__
    names = {f"kep-{version}-linux-{a}{ext}" for a in ("amd64", "arm64") for ext in ("", ".cdx.json")}
    assert {p.name for p in release.iterdir()} == names | {f"kep-{version}-image.oci.tar", "SHA256SUMS"}
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == 5, checked.stdout + checked.stderr
    with tarfile.open(release / f"kep-{version}-image.oci.tar") as archive:
        (index,) = json.load(archive.extractfile("index.json"))["manifests"]  # type: ignore[arg-type]
        digest = index["digest"].split(":")[1]
        manifests = json.load(archive.extractfile(f"blobs/sha256/{digest}"))["manifests"]  # type: ignore[arg-type]
    assert sorted(m["platform"]["architecture"] for m in manifests) == ["amd64", "arm64"]
