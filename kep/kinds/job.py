"""Job (by name, or every job matching labels): met when every job found is complete.

By name: get the job (404: pending). By labels: list jobs with the labels as an
equality selector (none: pending; every job listed must be complete).

One job, read as the Job controller writes it (kubernetes v1.32,
pkg/controller/job/job_controller.go, `syncJob`; field docs in k8s.io/api
batch/v1 types.go, JobConditionType):

| status                                             | verdict                  |
|----------------------------------------------------|--------------------------|
| condition `Failed` or `FailureTarget` is "True"    | FAILED (reason, message) |
| condition `Complete` or `SuccessCriteriaMet` "True"| met                      |
| `spec.suspend` is true                             | pending, "suspended"     |
| `succeeded` >= `spec.completions` (nil: 1)         | met                      |
| otherwise                                          | pending, with progress   |

- `FailureTarget` and `SuccessCriteriaMet` are the interim conditions the
  controller adds first (JobManagedBy/JobSuccessPolicy, on by default since
  1.31); the terminal `Failed`/`Complete` follow once the pods have stopped.
  A failure condition is never removed, so it wins over any `succeeded` count:
  a job with 2 of 4 completions that hit its backoffLimit has failed for good
  (the reference, which reads only `succeeded >= 1`, starts the app here).
- With `spec.completions` set the job is done at `succeeded >= completions`,
  not at its first success (a NonIndexed job with completions 3 and one
  success is still running). Without it (a work-queue job) one success is
  enough, as in the reference and as the controller marks it complete once a
  pod has succeeded and none is active.
- `status.succeeded` counts are left out by the server while they are 0.
"""

from __future__ import annotations

from typing import Any

from kep.api.errors import NotFound
from kep.api.resources import JOBS
from kep.reads import Query, Read, Seen, dig
from kep.specs import Job, Settings, format_labels, selector_of
from kep.verdict import State, Verdict, failed, met, pending

FAILURE_CONDITIONS = ("Failed", "FailureTarget")
SUCCESS_CONDITIONS = ("Complete", "SuccessCriteriaMet")


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


def judge(job: dict[str, Any]) -> Verdict:
    """One job's verdict by the table in the module docstring; the reason has no subject."""
    progress = _progress(job)
    failure = _true_condition(job, FAILURE_CONDITIONS)
    if failure is not None:
        why = str(dig(failure, "reason", default="") or "")
        message = str(dig(failure, "message", default="") or "")
        return failed(f"failed{f' ({why})' if why else ''}: {progress}{f'; {message}' if message else ''}")
    success = _true_condition(job, SUCCESS_CONDITIONS)
    if success is not None:
        what = "complete" if dig(success, "type") == "Complete" else "success criteria met"
        return met(f"{what} ({progress})")
    if dig(job, "spec", "suspend", default=False) is True:
        return pending(f"suspended ({progress})")
    if _count(job, "succeeded") >= _needed(job):
        return met(f"succeeded ({progress})" if _completions(job) is not None else "succeeded")
    active = _count(job, "active")
    return pending(f"not completed yet ({progress}{f', {active} active' if active else ''})")


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


def _completions(job: dict[str, Any]) -> int | None:
    completions = dig(job, "spec", "completions", default=None)
    return completions if isinstance(completions, int) else None


def _needed(job: dict[str, Any]) -> int:
    """`spec.completions`, or 1 when it is unset (a work-queue job)."""
    completions = _completions(job)
    return 1 if completions is None else completions


def _progress(job: dict[str, Any]) -> str:
    succeeded = _count(job, "succeeded")
    completions = _completions(job)
    return f"{succeeded} succeeded" if completions is None else f"{succeeded} of {completions} completions"


def _subject(spec: Job, job: dict[str, Any]) -> str:
    name = dig(job, "metadata", "name", default="") or spec.name
    namespace = dig(job, "metadata", "namespace", default="") or spec.namespace
    return f"job {namespace}/{name}"
