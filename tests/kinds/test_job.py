"""Job kind: every job found has succeeded as its Job controller decides it (a table of v1.32 statuses); a failed job is FAILED."""

from __future__ import annotations

from typing import Any

import pytest

from kep.api.errors import ServerError
from kep.api.resources import JOBS
from kep.kinds import job as job_kind
from kep.reads import Observation, Query
from kep.specs import Job
from kep.verdict import State
from tests.factories import condition, failed_job, job, job_status, written_job
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
        State.MET, "job openstack/db-init: successPolicy met (1 of 3 completions); "
                   "Complete follows once the Job controller has finished counting its pods",
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
        State.FAILED, "job openstack/db-init: failed (BackoffLimitExceeded): 2 of 4 completions, 3 failed",
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
        State.FAILED, "job openstack/db-init: failed (BackoffLimitExceeded): 0 succeeded, 6 failed; "
                      "Job has reached the specified backoff limit",
        id="failed_when_job_has_failed_condition",
    ),
    pytest.param(
        BY_NAME, {"job": listed(failed_job("db-init", "openstack", reason=""))},
        State.FAILED, "job openstack/db-init: failed: 0 succeeded, 6 failed; Job has reached the specified backoff limit",
        id="failed_without_reason_when_condition_gives_none",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", failed=2, conditions=[condition("Failed", "False")]))},
        State.PENDING, "job openstack/db-init: not completed yet (0 succeeded, 2 failed)",
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
        State.PENDING, "job openstack/db-init: suspended (0 of 2 completions): spec.suspend is true, "
                       "so it runs no pods until it is resumed",
        id="pending_and_says_so_when_suspended",
    ),
    pytest.param(
        BY_NAME, {"job": listed(job("db-init", "openstack", succeeded=1, suspend=True, conditions=[condition("Complete", "True")]))},
        State.MET, "job openstack/db-init: complete (1 succeeded)",
        id="complete_beats_suspended",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack", succeeded=1), failed_job("db-sync-2", "openstack", "DeadlineExceeded"))},
        State.FAILED, "job openstack/db-sync-2: failed (DeadlineExceeded): 0 succeeded, 6 failed; "
                      "Job has reached the specified backoff limit",
        id="failed_naming_the_failed_job_when_others_succeeded",
    ),
    pytest.param(
        BY_LABELS, {"jobs": listed(job("db-sync-1", "openstack"), failed_job("db-sync-2", "openstack"), failed_job("db-sync-3", "openstack"))},
        State.FAILED, "job openstack/db-sync-2: failed (BackoffLimitExceeded): 0 succeeded, 6 failed; "
                      "Job has reached the specified backoff limit; 1 more failed",
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


# --- the Job controller's predicate (module docstring), on the objects a v1.32 server returns ---
# Statuses as the real Job controller wrote them (watched on tests/cluster's v1.32.6 cluster; rows
# marked "by hand" are written by another writer: spec.managedBy, an older controller, a test).

WORK_QUEUE = {"parallelism": 3, "completions": None}
"""NonIndexed, completions unset (kubernetes#43456): done once a pod succeeded and none is active."""
THREE = {"completions": 3, "parallelism": 2}
SUCCESS_POLICY = {"completionMode": "Indexed", "completions": 3, "parallelism": 3,
                  "successPolicy": {"rules": [{"succeededIndexes": "0"}]}}
PER_INDEX = {"completionMode": "Indexed", "completions": 3, "parallelism": 3, "backoffLimit": 2147483647,
             "backoffLimitPerIndex": 1, "maxFailedIndexes": 1}
FAIL_JOB = {"parallelism": 2, "completions": None, "backoffLimit": 5, "podReplacementPolicy": "Failed",
            "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}}
IGNORE_7 = {"backoffLimit": 0, "podReplacementPolicy": "Failed",
            "podFailurePolicy": {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [7]}}]}}
DONE = condition("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods")
COMPLETE = condition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods")
POLICY_MET = condition("SuccessCriteriaMet", "True", "SuccessPolicy", "Matched rules at index 0")
STILL_FINISHING = "Complete follows once the Job controller has finished counting its pods"
NO_VERDICT = "but no Complete or SuccessCriteriaMet condition yet, and"
WORK_QUEUE_RULE = "without spec.completions it is complete once a pod has succeeded and no pod is active"


def row(state: str, spec: dict[str, Any], status: dict[str, Any], verdict: State, reason: str) -> Any:
    """One state of one job, in words: the job as the server returns it, kep's verdict and reason."""
    return pytest.param(spec, status, verdict, f"job openstack/db-init: {reason}", id=state)


CONTROLLER = [
    # --- NonIndexed, completions unset, parallelism 3 (input 1 of issue 18) ---
    row("work queue: three pods running", WORK_QUEUE, job_status(active=3),
        State.PENDING, "not completed yet (0 succeeded, 3 active)"),
    row("work queue: first pod succeeded, not yet counted, two active", WORK_QUEUE,
        job_status(active=2, uncounted_succeeded=["u1"]),
        State.PENDING, f"not completed yet (1 succeeded, 2 active); {WORK_QUEUE_RULE}"),
    row("work queue: first pod succeeded, two active (input 1)", WORK_QUEUE, job_status(succeeded=1, active=2),
        State.PENDING, f"not completed yet (1 succeeded, 2 active); {WORK_QUEUE_RULE}"),
    row("work queue: two succeeded, one active", WORK_QUEUE, job_status(succeeded=2, active=1),
        State.PENDING, f"not completed yet (2 succeeded, 1 active); {WORK_QUEUE_RULE}"),
    row("work queue: last pod ended, success criteria met, last pod not yet counted", WORK_QUEUE,
        job_status(succeeded=2, uncounted_succeeded=["u3"], conditions=[DONE]),
        State.MET, f"success criteria met (3 succeeded); {STILL_FINISHING}"),
    row("work queue: complete", WORK_QUEUE,
        job_status(succeeded=3, conditions=[DONE, COMPLETE], completionTime="2026-01-01T00:00:14Z"),
        State.MET, "complete (3 succeeded)"),
    row("work queue: one succeeded, one failed within backoffLimit, success criteria met", WORK_QUEUE,
        job_status(succeeded=1, failed=1, conditions=[DONE]),
        State.MET, f"success criteria met (1 succeeded); {STILL_FINISHING}"),
    row("work queue with parallelism 0: no pod is ever started", {"parallelism": 0, "completions": None},
        job_status(), State.PENDING, "not completed yet (0 succeeded); spec.parallelism is 0, so the Job controller starts no pods"),
    row("work queue suspended after a success: its deleted pod still terminating", {**WORK_QUEUE, "suspend": True},
        job_status(succeeded=1, terminating=1, conditions=[DONE]),
        State.PENDING, "success criteria met (1 succeeded, 1 terminating), waiting for its pods to stop: "
                       "the Job controller marks it Complete once they have"),
    # --- NonIndexed, completions 1 (defaulted; input 9 of issue 18) ---
    row("one pod: just created, not yet seen by the controller", {}, {},
        State.PENDING, "not completed yet (0 of 1 completions)"),
    row("one pod: running", {}, job_status(active=1),
        State.PENDING, "not completed yet (0 of 1 completions, 1 active)"),
    row("one pod: succeeded, success criteria met, pod not yet counted (input 9)", {},
        job_status(uncounted_succeeded=["u1"], conditions=[DONE]),
        State.MET, f"success criteria met (1 of 1 completions); {STILL_FINISHING}"),
    row("one pod: complete", {}, job_status(succeeded=1, conditions=[DONE, COMPLETE]),
        State.MET, "complete (1 of 1 completions)"),
    row("one pod: parallelism 0 with completions set", {"parallelism": 0}, job_status(),
        State.PENDING, "not completed yet (0 of 1 completions); spec.parallelism is 0, so the Job controller starts no pods"),
    row("zero completions: complete at once", {"completions": 0}, job_status(conditions=[DONE, COMPLETE]),
        State.MET, "complete (0 of 0 completions)"),
    # --- NonIndexed, completions 3, parallelism 2 ---
    row("three completions: two succeeded, not yet counted, one active", THREE,
        job_status(active=1, uncounted_succeeded=["u1", "u2"]),
        State.PENDING, "not completed yet (2 of 3 completions, 1 active)"),
    row("three completions: the third succeeded, success criteria met", THREE,
        job_status(succeeded=2, uncounted_succeeded=["u3"], conditions=[DONE]),
        State.MET, f"success criteria met (3 of 3 completions); {STILL_FINISHING}"),
    # --- Indexed with successPolicy: index 0 is enough, the lingering pods are deleted ---
    row("success policy: three indexes running", SUCCESS_POLICY, job_status(active=3),
        State.PENDING, "not completed yet (0 of 3 completions, 3 active)"),
    row("success policy met: two lingering pods still terminating", SUCCESS_POLICY,
        job_status(succeeded=1, terminating=2, completedIndexes="0", conditions=[POLICY_MET]),
        State.PENDING, "successPolicy met (1 of 3 completions, 2 terminating), waiting for its pods to stop: "
                       "the Job controller marks it Complete once they have"),
    row("success policy met: lingering pods gone", SUCCESS_POLICY,
        job_status(succeeded=1, completedIndexes="0", conditions=[POLICY_MET]),
        State.MET, f"successPolicy met (1 of 3 completions); {STILL_FINISHING}"),
    row("success policy: complete", SUCCESS_POLICY,
        job_status(succeeded=1, completedIndexes="0", conditions=[POLICY_MET, {**COMPLETE, "reason": "SuccessPolicy"}]),
        State.MET, "complete (1 of 3 completions)"),
    # --- Indexed with backoffLimitPerIndex (failedIndexes) and FailIndex ---
    row("per-index backoff: running, no index failed", PER_INDEX, job_status(active=3, failedIndexes=""),
        State.PENDING, "not completed yet (0 of 3 completions, 3 active)"),
    row("per-index backoff: a pod failed, its index retried", PER_INDEX,
        job_status(succeeded=2, failed=1, active=1, completedIndexes="0,2", failedIndexes=""),
        State.PENDING, "not completed yet (2 of 3 completions, 1 active, 1 failed)"),
    row("per-index backoff: index 1 failed for good, index 2 still running (by hand)", PER_INDEX,
        job_status(succeeded=1, failed=2, active=1, completedIndexes="0", failedIndexes="1"),
        State.PENDING, "not completed yet (1 of 3 completions, 1 active, 2 failed, failed indexes 1)"),
    row("per-index backoff: failed indexes once every index has finished", PER_INDEX,
        job_status(succeeded=2, failed=1, uncounted_failed=["u4"], completedIndexes="0,2", failedIndexes="1",
                   conditions=[condition("FailureTarget", "True", "FailedIndexes", "Job has failed indexes")]),
        State.FAILED, "failed (FailedIndexes): 2 of 3 completions, 2 failed; Job has failed indexes"),
    row("per-index backoff: more failed indexes than maxFailedIndexes", PER_INDEX,
        job_status(failed=2, completedIndexes="", failedIndexes="0,1", conditions=[
            condition("FailureTarget", "True", "MaxFailedIndexesExceeded",
                      "Job has exceeded the specified maximal number of failed indexes"),
            condition("Failed", "True", "MaxFailedIndexesExceeded",
                      "Job has exceeded the specified maximal number of failed indexes")]),
        State.FAILED, "failed (MaxFailedIndexesExceeded): 0 of 3 completions, 2 failed; "
                      "Job has exceeded the specified maximal number of failed indexes"),
    # --- podFailurePolicy ---
    row("pod failure policy FailJob: a pod exited 42, its pods not yet counted", FAIL_JOB,
        job_status(uncounted_failed=["u1", "u2"], conditions=[condition(
            "FailureTarget", "True", "PodFailurePolicy",
            "Container w for pod openstack/db-init-j26rv failed with exit code 42 matching FailJob rule at index 0")]),
        State.FAILED, "failed (PodFailurePolicy): 0 succeeded, 2 failed; "
                      "Container w for pod openstack/db-init-j26rv failed with exit code 42 matching FailJob rule at index 0"),
    row("pod failure policy Ignore: the failed pod is not counted, its replacement not yet created", IGNORE_7,
        job_status(), State.PENDING, "not completed yet (0 of 1 completions)"),
    row("pod failure policy Count (no rule matched): one failure within backoffLimit 1, retrying",
        {"backoffLimit": 1}, job_status(failed=1, active=1),
        State.PENDING, "not completed yet (0 of 1 completions, 1 active, 1 failed)"),
    # --- backoffLimit and activeDeadlineSeconds ---
    row("backoffLimit exceeded: FailureTarget, the failed pod not yet counted", {"backoffLimit": 1},
        job_status(failed=1, uncounted_failed=["u2"], conditions=[
            condition("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")]),
        State.FAILED, "failed (BackoffLimitExceeded): 0 of 1 completions, 2 failed; Job has reached the specified backoff limit"),
    row("activeDeadlineSeconds passed: FailureTarget while its pod still terminates", {"activeDeadlineSeconds": 3},
        job_status(terminating=1, uncounted_failed=["u1"], conditions=[condition(
            "FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline")]),
        State.FAILED, "failed (DeadlineExceeded): 0 of 1 completions, 1 failed; Job was active longer than specified deadline"),
    row("activeDeadlineSeconds passed: Failed", {"activeDeadlineSeconds": 3},
        job_status(failed=1, conditions=[
            condition("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline"),
            condition("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")]),
        State.FAILED, "failed (DeadlineExceeded): 0 of 1 completions, 1 failed; Job was active longer than specified deadline"),
    # --- suspend ---
    row("created suspended", {"completions": 2, "suspend": True},
        job_status(started=False, conditions=[condition("Suspended", "True", "JobSuspended", "Job suspended")]),
        State.PENDING, "suspended (0 of 2 completions): spec.suspend is true, so it runs no pods until it is resumed"),
    row("resumed", {"completions": 2},
        job_status(active=1, conditions=[condition("Suspended", "False", "JobResumed", "Job resumed")]),
        State.PENDING, "not completed yet (0 of 2 completions, 1 active)"),
    # --- no verdict condition, the counts alone (by hand) ---
    row("by hand: one succeeded, none active (the reference's scenario)", WORK_QUEUE, job_status(succeeded=1),
        State.MET, "succeeded"),
    row("by hand: all completions, none active", THREE, job_status(succeeded=3),
        State.MET, "succeeded (3 of 3 completions)"),
    row("by hand: all completions, a pod still terminating", THREE, job_status(succeeded=3, terminating=1),
        State.PENDING, "not completed yet (3 of 3 completions, 1 terminating)"),
    row("by hand: one succeeded, more failures than backoffLimit", WORK_QUEUE, job_status(succeeded=1, failed=7),
        State.PENDING, f"1 succeeded, 7 failed, {NO_VERDICT} its 7 failed pods exceed spec.backoffLimit 6: "
                       "waiting for the Job controller"),
    row("by hand: all completions, with a podFailurePolicy", {**IGNORE_7, "backoffLimit": 6}, job_status(succeeded=1),
        State.PENDING, f"1 of 1 completions, {NO_VERDICT} only the Job controller sees whether a failed pod matched "
                       "its podFailurePolicy: waiting for the Job controller"),
    row("by hand: all completions, with activeDeadlineSeconds", {"activeDeadlineSeconds": 60}, job_status(succeeded=1),
        State.PENDING, f"1 of 1 completions, {NO_VERDICT} only the Job controller can tell whether it finished within "
                       "activeDeadlineSeconds: waiting for the Job controller"),
    row("by hand: all completions, restartPolicy OnFailure", {"template": {"spec": {"restartPolicy": "OnFailure"}}},
        job_status(succeeded=1),
        State.PENDING, f"1 of 1 completions, {NO_VERDICT} only the Job controller sees whether its pods' restarts "
                       "reached spec.backoffLimit: waiting for the Job controller"),
]


@pytest.mark.parametrize(("spec", "status", "state", "reason"), CONTROLLER)
def test_job_as_its_controller_wrote_it(spec: dict[str, Any], status: dict[str, Any], state: State, reason: str) -> None:
    outcome = settle(job_kind, BY_NAME, {"job": listed(written_job("db-init", "openstack", spec, status))})
    assert (outcome.state, outcome.reason) == (state, reason)
