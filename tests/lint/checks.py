"""Lint a few objects from memory, for the tests of one check each."""

from __future__ import annotations

import io

from kep.lint import Options, lint
from kep.lint.findings import Finding
from tests.lint import manifests as m


def found(check: str, *objects: dict, deployer: str = "helm") -> list[Finding]:
    report = lint(Options((("-", "openstack"),), deployer), io.BytesIO(m.text(*objects).encode()))
    return [f for f in report.findings if f.check == check]
