"""Job kind: every job found is complete, read as the Job controller writes it; a failed job is FAILED."""

from __future__ import annotations

import pytest

from kep.api.errors import ServerError
from kep.api.resources import JOBS
from kep.kinds import job as job_kind
from kep.reads import Observation, Query
from kep.specs import Job
from kep.verdict import State
from tests.factories import condition, failed_job, job
from tests.kinds import SETTINGS, failing, forbidden, listed, not_found, settle

BY_NAME = Job("openstack", name="db-init")
BY_LABELS = Job("openstack", labels=(("application", "nova"), ("component", "db-sync")))
LABELS = "map[application:nova component:db-sync]"
MATCHING = f"jobs matching {LABELS} in namespace openstack"


def test_job_by_name_gets_it() -> None:
    assert job_kind.queries(BY_NAME, SETTINGS, {}) == (Query(JOBS, "openstack", name="db-init"),)


def test_jobs_by_labels_are_listed_with_equality_selector() -> None:
    assert job_kind.queries(BY_LABELS, SETTINGS, {}) == (
        Query(JOBS, "openstack", label_selector="application=nova,component=db-sync"),
    )


CASES = [
    # --- the reference's scenarios (job_test.go + mocks/job.go) ---
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1))},
        State.MET, "job openstack/db-init: succeeded",
        id="met_when_job_by_name_succeeded",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=0))},
        State.PENDING, "job openstack/db-init: not completed yet (0 succeeded)",
        id="pending_when_job_by_name_has_not_succeeded",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack", succeeded=1))},
        State.MET, f"{MATCHING}: all 1 complete",
        id="met_when_every_job_by_labels_succeeded",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack", succeeded=1), job("db-sync-2", "openstack"))},
        State.PENDING, f"job openstack/db-sync-2: not completed yet (0 succeeded) (1 of 2 jobs matching {LABELS} complete)",
        id="pending_when_one_job_by_labels_has_not_succeeded",
    ),
    pytest.param(
        BY_NAME, {"job": failing(ServerError(verb="get", resource="jobs.batch", namespace="openstack", name="db-init", code=500))},
        State.PENDING, 'API server answered 500 to get jobs.batch "db-init" in namespace "openstack"',
        id="pending_when_getting_job_fails",
    ),
    pytest.param(
        BY_LABELS, {"jobs": forbidden("list", "jobs.batch", "openstack")},
        State.PENDING, 'forbidden: cannot list jobs.batch in namespace "openstack"',
        id="pending_when_listing_jobs_fails",
    ),
    # --- the rules, and kep ---
    pytest.param(
        BY_NAME, {"job": listed()},
        State.PENDING, "job openstack/db-init: not found",
        id="pending_not_found_when_job_by_name_is_missing",
    ),
    pytest.param(
        BY_NAME, {"job": not_found("jobs.batch", "openstack", "db-init")},
        State.PENDING, "job openstack/db-init: not found",
        id="pending_not_found_when_job_get_is_404",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed()},
        State.PENDING, f"no jobs match {LABELS} in namespace openstack",
        id="pending_when_no_jobs_match_labels",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=3))},
        State.MET, "job openstack/db-init: succeeded",
        id="met_when_succeeded_is_more_than_one",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, conditions=[condition("Complete", "True")]))},
        State.MET, "job openstack/db-init: complete (1 succeeded)",
        id="met_on_complete_condition",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, completions=3, conditions=[
            condition("SuccessCriteriaMet", "True", "SuccessPolicy")]))},
        State.MET, "job openstack/db-init: success criteria met (1 of 3 completions)",
        id="met_on_success_criteria_met_before_completions_are_reached",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, conditions=[condition("Complete", "False")]))},
        State.MET, "job openstack/db-init: succeeded",
        id="complete_condition_not_true_falls_back_to_the_count",
    ),
    # --- issue 10, input 2: completions are counted, not the first success ---
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, active=1, completions=3))},
        State.PENDING, "job openstack/db-init: not completed yet (1 of 3 completions, 1 active)",
        id="pending_until_succeeded_reaches_completions",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=3, completions=3))},
        State.MET, "job openstack/db-init: succeeded (3 of 3 completions)",
        id="met_when_succeeded_reaches_completions_before_the_condition",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=0, completions=0))},
        State.MET, "job openstack/db-init: succeeded (0 of 0 completions)",
        id="met_with_zero_completions",
    ),
    # --- issue 10, input 1: a failure condition wins over any count ---
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=2, failed=3, completions=4, conditions=[
            condition("FailureTarget", "True", "BackoffLimitExceeded"),
            condition("Failed", "True", "BackoffLimitExceeded")]))},
        State.FAILED, "job openstack/db-init: failed (BackoffLimitExceeded): 2 of 4 completions",
        id="failed_with_some_completions_is_failed",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, active=1, conditions=[
            condition("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline")]))},
        State.FAILED,
        "job openstack/db-init: failed (DeadlineExceeded): 1 succeeded; Job was active longer than specified deadline",
        id="failed_on_failure_target_before_the_pods_stop",
    ),
    pytest.param(
        BY_NAME, {"job": listed(failed_job("db-init", "openstack"))},
        State.FAILED, "job openstack/db-init: failed (BackoffLimitExceeded): 0 succeeded; Job has reached the specified backoff limit",
        id="failed_when_job_has_failed_condition",
    ),
    pytest.param(
        BY_NAME, {"job": listed(failed_job("db-init", "openstack", reason=""))},
        State.FAILED, "job openstack/db-init: failed: 0 succeeded; Job has reached the specified backoff limit",
        id="failed_without_reason_when_condition_gives_none",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", failed=2, conditions=[condition("Failed", "False")]))},
        State.PENDING, "job openstack/db-init: not completed yet (0 succeeded)",
        id="pending_when_failed_condition_is_not_true",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, conditions=[condition("Failed", "True", "BackoffLimitExceeded")]))},
        State.FAILED, "job openstack/db-init: failed (BackoffLimitExceeded): 1 succeeded",
        id="failed_even_after_a_success",
    ),
    # --- suspended ---
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", completions=2, suspend=True, conditions=[
            condition("Suspended", "True", "JobSuspended")]))},
        State.PENDING, "job openstack/db-init: suspended (0 of 2 completions)",
        id="pending_and_says_so_when_suspended",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, suspend=True, conditions=[condition("Complete", "True")]))},
        State.MET, "job openstack/db-init: complete (1 succeeded)",
        id="complete_beats_suspended",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack", succeeded=1), failed_job("db-sync-2", "openstack", "DeadlineExceeded"))},
        State.FAILED, "job openstack/db-sync-2: failed (DeadlineExceeded): 0 succeeded; Job has reached the specified backoff limit",
        id="failed_naming_the_failed_job_when_others_succeeded",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack"), failed_job("db-sync-2", "openstack"), failed_job("db-sync-3", "openstack"))},
        State.FAILED, "job openstack/db-sync-2: failed (BackoffLimitExceeded): 0 succeeded; Job has reached the specified backoff limit; 1 more failed",
        id="failed_beats_pending_and_counts_other_failures",
    ),
    pytest.param(
        BY_NAME, {},
        State.PENDING, "waiting for job openstack/db-init",
        id="pending_until_job_is_read",
    ),
    pytest.param(
        BY_LABELS, {},
        State.PENDING, f"waiting for {MATCHING}",
        id="pending_until_jobs_are_listed",
    ),
]


@pytest.mark.parametrize(("spec", "answers", "state", "reason"), CASES)
def test_job(spec: Job, answers: dict[str, Observation], state: State, reason: str) -> None:
    outcome = settle(job_kind, spec, answers)
    assert (outcome.state, outcome.reason) == (state, reason)
