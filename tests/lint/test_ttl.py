"""ttl: a Deployment waiting on a Job deleted after it finishes."""

from __future__ import annotations

from tests.lint import manifests as m
from tests.lint.checks import found


def test_ttl_and_hook_succeeded_but_not_for_a_job_waiting() -> None:
    job = m.job("db-sync")
    job["spec"]["ttlSecondsAfterFinished"] = 300
    (f,) = found("ttl", m.deployment("api", {"DEPENDENCY_JOBS": "db-sync"}), job)
    assert "(ttlSecondsAfterFinished: 300)" in f.message
    hook = m.job("db-sync", hook="post-install")
    hook["metadata"]["annotations"]["helm.sh/hook-delete-policy"] = "hook-succeeded"
    assert len(found("ttl", m.deployment("api", {"DEPENDENCY_JOBS": "db-sync"}), hook)) == 1
    assert found("ttl", m.job("other", {"DEPENDENCY_JOBS": "db-sync"}), job) == []
