"""Job (by name, or every job matching labels): met when every job found has succeeded.

By name: get the job (404: pending). By labels: list jobs with the labels as an
equality selector (none: pending; every job listed must have succeeded).

A job is judged by what the Job controller wrote: kubernetes v1.32.6,
pkg/controller/job/job_controller.go, success_policy.go, pod_failure_policy.go,
indexed_job_utils.go; the status rules in pkg/apis/batch/validation/validation.go
(`validateJobStatus`, `ValidateJobStatusUpdate`, as
pkg/registry/batch/job/strategy.go `getStatusValidationOptions` applies them);
field docs in k8s.io/api batch/v1 types.go.

The controller's predicate, `syncJob`, first verdict wins:

1. `SuccessCriteriaMet=True` is already written: it will succeed; no failure
   is evaluated any more (`hasSuccessCriteriaMetCondition`).
2. `FailureTarget=True` is already written: it will fail
   (`newFailedConditionForFailureTarget`).
3. `podFailurePolicy` (`getFailJobMessage`, `matchPodFailurePolicy`): a
   failed pod matching a FailJob rule fails the job (reason PodFailurePolicy);
   Ignore leaves the pod out of `failed`; Count (or no rule) counts it;
   FailIndex fails the pod's index (Indexed with `backoffLimitPerIndex`).
4. `failed` > `backoffLimit` (`failed` counts uncountedTerminatedPods.failed
   too), or with restartPolicy OnFailure the pods' container restarts reach it
   (`pastBackoffLimitOnFailure`): BackoffLimitExceeded. `activeDeadlineSeconds`
   passed since `startTime`, not while suspended (`pastActiveDeadline`):
   DeadlineExceeded.
5. Indexed with `backoffLimitPerIndex` (`calculateFailedIndexes`): more
   `failedIndexes` than `maxFailedIndexes`: MaxFailedIndexesExceeded; any failed
   index once failed and succeeded indexes reach `completions`: FailedIndexes.
6. Indexed with `successPolicy` (success_policy.go `matchSuccessPolicy`): a
   rule met by the succeeded indexes is success (reason SuccessPolicy), and the
   lingering pods are deleted.
7. By completions (reason CompletionsReached): `completions` unset means
   `succeeded > 0 && active == 0`; set, `succeeded >= completions && active == 0`.
   `succeeded` counts the pods in uncountedTerminatedPods.succeeded (Indexed:
   the succeeded indexes, `status.succeeded`); `active` leaves out finished and
   terminating pods (`controller.FilterActivePods`). Completions are unset only
   where `parallelism` is set (pkg/apis/batch/v1/defaults.go makes both 1 when
   both are unset); then `manageJob` starts no pod after the first success, so a
   job whose first pod succeeds waits for the others to end (kubernetes#43456).
   `parallelism: 0` starts no pod at all. A suspended job has its pods deleted
   (`manageJob`) and can still complete by this rule.

A failure (2-5) becomes FailureTarget and a success (6, 7) SuccessCriteriaMet
(`newFailureCondition`, `newSuccessCondition`: `delayTerminalCondition`, on in
1.32), written with the finished pods' UIDs in uncountedTerminatedPods before
their finalizers go (`trackJobStatusAndRemoveFinalizers`). `Failed` or
`Complete` (with completionTime) follows only once uncountedTerminatedPods is
empty and no pod is terminating (`enactJobFinished`): milliseconds later when
its pods have all ended (11-20 ms on tests/cluster, 30-370 ms in issue 18),
up to their grace period while lingering pods stop. Validation keeps
SuccessCriteriaMet=True apart from FailureTarget and Failed and never lets it,
Complete, Failed or FailureTarget be removed. `Suspended` mirrors
`spec.suspend` once the controller has acted on it.

kep, one job, first row that holds:

| status                                                  | verdict                   |
|---------------------------------------------------------|---------------------------|
| `Failed` or `FailureTarget` is "True"                   | FAILED: it will not recover |
| `Complete` is "True"                                    | met                       |
| `SuccessCriteriaMet` "True", no pod active/terminating  | met: only counting is left |
| `SuccessCriteriaMet` "True", pods not stopped yet       | pending: Complete waits for them too |
| rule 7 holds by the counts, no pod terminating, and     | met                       |
| `failed` <= `backoffLimit`; the spec has no             |                           |
| `podFailurePolicy`, `activeDeadlineSeconds` or          |                           |
| restartPolicy OnFailure                                 |                           |
| rule 7 holds by the counts, but not the rest            | pending: the status cannot show whether rules 3-4 fail it |
| `spec.suspend` is true                                  | pending, "suspended"      |
| otherwise                                               | pending, with progress    |

SuccessCriteriaMet=True is final (rule 1, and validation), so once no pod of
the job runs, all that is left is the controller's accounting: kep does not
wait the extra moment for Complete. While pods still stop (a successPolicy's
lingering pods, a work queue suspended after its first success) kep waits, as
Complete does: their work may not be over.

The v1.32 controller writes its verdict condition with the counts that make
it, so the rule-7 row is for statuses written by others (`spec.managedBy`, an
older controller, a test) and for the reference's own scenarios. The server
leaves out `succeeded`, `failed` and `active` while they are 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kep.api.errors import NotFound
from kep.api.resources import JOBS
from kep.reads import Query, Read, Seen, dig
from kep.specs import Job, Settings, format_labels, selector_of
from kep.verdict import State, Verdict, failed, met, pending

FAILURE_CONDITIONS = ("Failed", "FailureTarget")
DEFAULT_BACKOFF_LIMIT = 6
"""pkg/apis/batch/v1/defaults.go `SetDefaults_Job` (unlimited with backoffLimitPerIndex)."""


def job_query(spec: Job) -> Query:
    if spec.name:
        return Query(JOBS, spec.namespace, name=spec.name)
    return Query(JOBS, spec.namespace, label_selector=selector_of(spec.labels))


def reads(spec: Job, settings: Settings) -> tuple[Read, ...]:
    return (Read.of(job_query(spec)),)


def queries(spec: Job, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    return (job_query(spec),)


def evaluate(spec: Job, settings: Settings, seen: Seen) -> Verdict:
    labels = format_labels(spec.labels)
    matching = f"jobs matching {labels} in namespace {spec.namespace}"
    wanted = f"job {spec.namespace}/{spec.name}" if spec.name else matching
    observation = seen.get(job_query(spec))
    if observation is None:
        return pending(f"waiting for {wanted}")
    if spec.name and isinstance(observation.error, NotFound):
        return pending(f"{wanted}: not found")
    if observation.error is not None:
        return pending(str(observation.error))
    jobs = observation.objects
    if not jobs:
        if spec.name:
            return pending(f"{wanted}: not found")
        return pending(f"no jobs match {labels} in namespace {spec.namespace}")

    judged = [(job, judge(job)) for job in jobs]
    broken = [(job, v) for job, v in judged if v.state is State.FAILED]
    if broken:
        job, verdict = broken[0]
        more = f"; {len(broken) - 1} more failed" if len(broken) > 1 else ""
        return failed(f"{_subject(spec, job)}: {verdict.reason}{more}")
    unfinished = [(job, v) for job, v in judged if not v.is_met]
    if not unfinished:
        if spec.name:
            return met(f"{wanted}: {judged[0][1].reason}")
        return met(f"{matching}: all {len(jobs)} complete")
    job, verdict = unfinished[0]
    first = f"{_subject(spec, job)}: {verdict.reason}"
    if spec.name:
        return pending(first)
    done = len(jobs) - len(unfinished)
    return pending(f"{first} ({done} of {len(jobs)} jobs matching {labels} complete)")


@dataclass(frozen=True, slots=True)
class Counts:
    """A job's pods as `syncJob` counts them: pods the controller has seen finish but
    not yet moved from status.uncountedTerminatedPods into the counters count."""

    completions: int | None
    succeeded: int
    failed: int
    active: int
    terminating: int

    @classmethod
    def of(cls, job: dict[str, Any]) -> Counts:
        completions = dig(job, "spec", "completions")
        return cls(
            completions=completions if isinstance(completions, int) else None,
            succeeded=_count(job, "succeeded") + _uncounted(job, "succeeded"),
            failed=_count(job, "failed") + _uncounted(job, "failed"),
            active=_count(job, "active"),
            terminating=_count(job, "terminating"),
        )

    @property
    def reached(self) -> bool:
        """Rule 7 of the module docstring, and no pod terminating (`enactJobFinished`)."""
        if self.active or self.terminating:
            return False
        return self.succeeded > 0 if self.completions is None else self.succeeded >= self.completions

    @property
    def progress(self) -> str:
        if self.completions is None:
            return f"{self.succeeded} succeeded"
        return f"{self.succeeded} of {self.completions} completions"

    @property
    def tally(self) -> str:
        """The progress and the pods that still run, end or failed."""
        parts = [self.progress]
        parts += [f"{n} {what}" for n, what in ((self.active, "active"), (self.terminating, "terminating"),
                                                 (self.failed, "failed")) if n]
        return ", ".join(parts)


def judge(job: dict[str, Any]) -> Verdict:
    """One job's verdict by the table in the module docstring; the reason has no subject."""
    counts = Counts.of(job)
    failure = _true_condition(job, FAILURE_CONDITIONS)
    if failure is not None:
        why = str(dig(failure, "reason", default="") or "")
        message = str(dig(failure, "message", default="") or "")
        tally = counts.progress + (f", {counts.failed} failed" if counts.failed else "")
        return failed(f"failed{f' ({why})' if why else ''}: {tally}{f'; {message}' if message else ''}")
    if _true_condition(job, ("Complete",)) is not None:
        return met(f"complete ({counts.progress})")
    success = _true_condition(job, ("SuccessCriteriaMet",))
    if success is not None:
        what = "successPolicy met" if dig(success, "reason") == "SuccessPolicy" else "success criteria met"
        if counts.active or counts.terminating:
            return pending(f"{what} ({counts.tally}), waiting for its pods to stop: "
                           "the Job controller marks it Complete once they have")
        return met(f"{what} ({counts.progress}); Complete follows once the Job controller has finished counting its pods")
    if counts.reached:
        unseen = _unseen_failure(job, counts)
        if unseen:
            return pending(f"{counts.tally}, but no Complete or SuccessCriteriaMet condition yet, "
                           f"and {unseen}: waiting for the Job controller")
        return met(f"succeeded ({counts.progress})" if counts.completions is not None else "succeeded")
    if dig(job, "spec", "suspend") is True:
        return pending(f"suspended ({counts.tally}): spec.suspend is true, so it runs no pods until it is resumed")
    return pending(f"not completed yet ({counts.tally}{_failed_indexes(job)}){_hint(job, counts)}")


def _unseen_failure(job: dict[str, Any], counts: Counts) -> str:
    """Why rules 3-4 may still fail a job whose counts have reached rule 7, or ""."""
    limit = dig(job, "spec", "backoffLimit")
    if not isinstance(limit, int):
        limit = None if dig(job, "spec", "backoffLimitPerIndex") is not None else DEFAULT_BACKOFF_LIMIT
    if limit is not None and counts.failed > limit:
        return f"its {counts.failed} failed pods exceed spec.backoffLimit {limit}"
    if dig(job, "spec", "podFailurePolicy") is not None:
        return "only the Job controller sees whether a failed pod matched its podFailurePolicy"
    if dig(job, "spec", "activeDeadlineSeconds") is not None:
        return "only the Job controller can tell whether it finished within activeDeadlineSeconds"
    if dig(job, "spec", "template", "spec", "restartPolicy") == "OnFailure":
        return "only the Job controller sees whether its pods' restarts reached spec.backoffLimit"
    return ""


def _failed_indexes(job: dict[str, Any]) -> str:
    indexes = dig(job, "status", "failedIndexes")
    return f", failed indexes {indexes}" if isinstance(indexes, str) and indexes else ""


def _hint(job: dict[str, Any], counts: Counts) -> str:
    """What a waiting job needs next, where the numbers alone do not say it."""
    if dig(job, "spec", "parallelism") == 0:
        return "; spec.parallelism is 0, so the Job controller starts no pods"
    if counts.completions is None and counts.succeeded and counts.active:
        return "; without spec.completions it is complete once a pod has succeeded and no pod is active"
    return ""


def _true_condition(job: dict[str, Any], types: tuple[str, ...]) -> dict[str, Any] | None:
    """The first condition of one of `types` (in that order of preference) that is "True"."""
    conditions = [c for c in dig(job, "status", "conditions", default=None) or () if isinstance(c, dict)]
    for wanted in types:
        for condition in conditions:
            if condition.get("type") == wanted and condition.get("status") == "True":
                return condition
    return None


def _count(job: dict[str, Any], field: str) -> int:
    value = dig(job, "status", field, default=0)
    return value if isinstance(value, int) else 0


def _uncounted(job: dict[str, Any], field: str) -> int:
    uids = dig(job, "status", "uncountedTerminatedPods", field, default=None)
    return len(uids) if isinstance(uids, list) else 0


def _subject(spec: Job, job: dict[str, Any]) -> str:
    name = dig(job, "metadata", "name", default="") or spec.name
    namespace = dig(job, "metadata", "namespace", default="") or spec.namespace
    return f"job {namespace}/{name}"
