"""kep lint --cluster, the whole program against the fake API server and a real one: a target
the input does not define but the cluster holds is no finding; one it cannot read keeps its
finding, with the reason in the hint."""

from __future__ import annotations

import json
import subprocess

from tests import factories as f
from tests.fakeapi import Rule
from tests.fakeapi.fixtures import api_server, fake_api, real_api_server  # noqa: F401  (fixtures)
from tests.lint import manifests as m
from tests.run import KEP, kep_env
from tests.waiting import NS


def lint(api, tmp_path, *args: str, rules=None, user: str = "system:serviceaccount:default:kep-lint") -> dict:
    """`kep lint -o json` on a Deployment that waits for Job db-sync and Service mariadb, neither
    in the input; its missing-target findings, (kind, name) -> hint. A user of its own per RBAC
    (a real server keeps every binding a test made)."""
    manifest = tmp_path / "release.yaml"
    manifest.write_text(m.text(m.deployment("api", {"DEPENDENCY_JOBS": "db-sync", "DEPENDENCY_SERVICE": "mariadb"})))
    sa_dir = api.write_service_account(str(tmp_path / "sa"), api.add_token(rules=rules, user=user), namespace=NS)
    env = kep_env(**api.in_cluster_env(sa_dir))
    done = subprocess.run([*KEP, "lint", "-n", NS, "-o", "json", *args, str(manifest)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return {(x["target"]["kind"], x["target"]["name"]): x["hint"] for x in json.loads(done.stdout)["findings"]
            if x["check"] == "missing-target"}


def test_a_target_the_cluster_holds_is_no_finding(api_server, tmp_path):  # noqa: F811
    api_server.create(f.job("db-sync", NS, succeeded=1))
    assert set(lint(api_server, tmp_path)) == {("Job", "db-sync"), ("Service", "mariadb")}
    found = lint(api_server, tmp_path, "--cluster")
    assert set(found) == {("Service", "mariadb")}


def test_what_the_cluster_may_not_be_asked_keeps_its_finding_and_says_why(api_server, tmp_path):  # noqa: F811
    api_server.create(f.job("db-sync", NS, succeeded=1))
    jobs_only = [Rule(verbs=["get", "list"], api_groups=["batch"], resources=["jobs"])]
    found = lint(api_server, tmp_path, "--cluster", rules=jobs_only, user="system:serviceaccount:default:kep-lint-jobs")
    assert set(found) == {("Service", "mariadb")}
    assert "(the cluster could not tell: forbidden: cannot get services" in found[("Service", "mariadb")]
