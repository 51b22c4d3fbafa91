"""kep lint as a user runs it: exit codes, -f with -n, the graph, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kep import cli
from tests.lint import manifests as m


def test_exit_codes_and_f_takes_the_namespace_before_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api = tmp_path / "api.yaml"
    api.write_text(m.text(m.deployment("api", {"DEPENDENCY_SERVICE": "infra:db"})))
    db = tmp_path / "db.yaml"
    db.write_text(m.text(m.service("db")))
    assert cli.main(["lint", str(api), str(db)], {}) == 1
    assert cli.main(["lint", "-f", str(api), "-n", "infra", "-f", str(db)], {}) == 0
    assert cli.main(["lint", str(tmp_path / "none.yaml")], {}) == 2
    assert cli.main(["lint", "--assume", "Service", str(api)], {}) == 2
    capsys.readouterr()
    assert cli.main(["lint", "-o", "json", str(api)], {}) == 1
    document = json.loads(capsys.readouterr().out)
    assert [f["check"] for f in document["findings"]] == ["missing-target", "rbac"]
    assert document["summary"]["errors"] == 1


def test_the_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(m.text(m.deployment("api", {"DEPENDENCY_JOBS": "db-sync"}), m.job("db-sync")))
    cli.main(["lint", "--graph", "dot", str(path)], {})
    assert '"Deployment default/api" -> "Job default/db-sync" [label="Job db-sync"];' in capsys.readouterr().out
    cli.main(["lint", "--graph", "mermaid", str(path)], {})
    assert 'n0 -->|"Job db-sync"| n1' in capsys.readouterr().out
