"""Job (by name, or every job matching labels): met when every job found has succeeded.

By name: get the job (404: pending). By labels: list jobs with the labels as
an equality selector (none: pending). Met only when EVERY job found has
`status.succeeded` >= 1 - the reference's test, kept on purpose: a
`Complete` condition is not looked at (a job with `succeeded` >= 1 always
has run to completion at least once, and checking both would make kep stricter
than the reference).

kep: a job that has not succeeded and carries condition `Failed` = "True" makes
the verdict FAILED, naming the job and the condition's reason (the engine
keeps waiting, or exits when told to fail on job failure). A job with
`succeeded` >= 1 counts as succeeded even if it is also marked Failed (a
partial run of a multi-completion job), as the reference counts it.
"""

from __future__ import annotations

from typing import Any

from kep.api.errors import NotFound
from kep.api.resources import JOBS
from kep.reads import Query, Seen, dig
from kep.specs import Job, Settings, format_labels, selector_of
from kep.verdict import Verdict, failed, met, pending


def job_query(spec: Job) -> Query:
    if spec.name:
        return Query(JOBS, spec.namespace, name=spec.name)
    return Query(JOBS, spec.namespace, label_selector=selector_of(spec.labels))


def queries(spec: Job, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    return (job_query(spec),)


def evaluate(spec: Job, settings: Settings, seen: Seen) -> Verdict:
    matching = f"jobs matching {format_labels(spec.labels)} in namespace {spec.namespace}"
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
        return pending(f"no jobs match {format_labels(spec.labels)} in namespace {spec.namespace}")

    unfinished = [j for j in jobs if not has_succeeded(j)]
    if not unfinished:
        return met(f"{wanted}: succeeded" if spec.name else f"{matching}: all {len(jobs)} succeeded")
    broken = [(j, reason) for j in unfinished if (reason := failure_reason(j)) is not None]
    if broken:
        job, reason = broken[0]
        more = f"; {len(broken) - 1} more failed" if len(broken) > 1 else ""
        return failed(f"{_subject(spec, job)}: failed{f' ({reason})' if reason else ''}{more}")
    first = _subject(spec, unfinished[0])
    if spec.name:
        return pending(f"{first}: not completed yet")
    done = len(jobs) - len(unfinished)
    labels = format_labels(spec.labels)
    return pending(f"{first}: not completed yet ({done} of {len(jobs)} jobs matching {labels} succeeded)")


def has_succeeded(job: dict[str, Any]) -> bool:
    """`status.succeeded` >= 1 (the server leaves it out while it is 0)."""
    succeeded = dig(job, "status", "succeeded", default=0)
    return isinstance(succeeded, int) and succeeded >= 1


def failure_reason(job: dict[str, Any]) -> str | None:
    """The reason of condition Failed = "True" ("" if it gives none), or None if not failed."""
    for condition in dig(job, "status", "conditions", default=None) or ():
        if dig(condition, "type") == "Failed" and dig(condition, "status") == "True":
            return str(dig(condition, "reason", default="") or "")
    return None


def _subject(spec: Job, job: dict[str, Any]) -> str:
    name = dig(job, "metadata", "name", default="") or spec.name
    namespace = dig(job, "metadata", "namespace", default="") or spec.namespace
    return f"job {namespace}/{name}"
