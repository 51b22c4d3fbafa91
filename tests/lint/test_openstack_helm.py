"""The 78 OpenStack-Helm charts (../shared/data/openstack-helm, default values at
0ee5ade), linted together, each chart in the namespace its deployment script uses: every
finding pinned per chart, each reviewed by hand and justified here."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kep.lint import Options, Report, lint
from kep.lint.targets import Assumption

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "openstack-helm"

EXPECTED = {
    # True fault, the one issue 22 names: OSH e1a2d82b2 deleted job-ks-endpoints.yaml, and the
    # three workloads still wait for Job ceilometer-ks-endpoints: on a fresh install, forever.
    ("ceilometer", "missing-target", "Job openstack/ceilometer-ks-endpoints"): 3,
    # True fault, harmless at run time: dependencies.static.*.services still lists an entry
    # that renders empty (the mongodb/db endpoint ceilometer no longer uses): "a,,b".
    ("ceilometer", "empty-entry", ""): 3,
    # True fault at default values: create-elasticsearch-templates waits for Job
    # elasticsearch-s3-bucket, which the chart does not render with its defaults.
    ("elasticsearch", "missing-target", "Job osh-infra/elasticsearch-s3-bucket"): 1,
}

ASSUMED = (
    # OSH's deployment scripts install a second mariadb into osh-infra for grafana, and redis
    # into docker-registry for the registry; the data renders each chart once, in openstack.
    "Service/osh-infra/mariadb",
    "Service/docker-registry/redis",
    # Made by the mariadb-operator from mariadb-cluster's MariaDB mariadb-server (<name>-primary):
    # what an operator makes from a custom resource is not in the input.
    "Service/openstack/mariadb-server-primary",
)


@pytest.fixture(scope="module")
def report() -> Report:
    if not DATA.is_dir():
        pytest.skip(f"no {DATA}")
    charts = json.loads((DATA / "render-status.json").read_text())["charts"]
    paths = tuple((str(DATA / f"{chart}.yaml"), info["namespace"]) for chart, info in sorted(charts.items())
                  if (DATA / f"{chart}.yaml").exists())  # prometheus-mysql-exporter renders nothing
    return lint(Options(paths, assume=tuple(Assumption.parse(a, "") for a in ASSUMED)))


def test_the_ceilometer_fault_is_found_in_each_of_its_three_workloads(report: Report) -> None:
    found = {(f.workload.name if f.workload else "") for f in report.findings
             if f.check == "missing-target" and f.target and f.target.name == "ceilometer-ks-endpoints"}
    assert found == {"ceilometer-central", "ceilometer-notification", "ceilometer-compute"}


def test_every_finding_is_one_reviewed(report: Report) -> None:
    counted = Counter((Path(f.file).stem, f.check, str(f.target or "")) for f in report.findings)
    assert dict(counted) == EXPECTED


def test_the_figures(report: Report) -> None:
    assert (len(report.files), report.documents, len(report.release.workloads)) == (78, 2031, 383)
    assert sum(len(w.waiters) for w in report.release.workloads) == 376


def test_under_argo_cd_every_wait_on_a_post_install_hook_is_a_deadlock() -> None:
    """OSH renders its bootstrap Jobs (db-init, db-sync, ks-*, rabbit-init) as post-install
    hooks, PostSync under Argo CD, which runs them only once the Sync phase is healthy: the
    API servers that wait for them never are (rackerlabs/understack PR #1104)."""
    if not DATA.is_dir():
        pytest.skip(f"no {DATA}")
    report = lint(Options(((str(DATA / "keystone.yaml"), "openstack"),), "argocd"))
    deadlocks = {(f.workload.name if f.workload else "", f.target.name if f.target else "")
                 for f in report.findings if f.check == "hook-order"}
    assert ("keystone-api", "keystone-db-sync") in deadlocks
    assert all(str(f.severity) == "error" for f in report.findings if f.check == "hook-order")
    assert lint(Options(((str(DATA / "keystone.yaml"), "openstack"),), "helm")).findings == [
        f for f in lint(Options(((str(DATA / "keystone.yaml"), "openstack"),), "helm")).findings
        if f.check != "hook-order"]
