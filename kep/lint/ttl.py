"""`ttl`: a long-lived workload waits on a Job that is deleted once it has finished
(`ttlSecondsAfterFinished`, or a Helm hook's `hook-delete-policy: hook-succeeded`). The
first pods start; a pod restarted or rescheduled after the Job is gone waits forever
(y-scope/clp#2043), since kep, as the reference, waits for a Job that is not found."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kep import specs
from kep.lint.findings import Finding, finding
from kep.lint.waits import Wait
from kep.reads import dig

LONG_LIVED = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController")


def check(waits: Iterable[Wait]) -> Iterator[Finding]:
    for wait in waits:
        if not isinstance(wait.spec, specs.Job) or wait.workload.ref.kind not in LONG_LIVED:
            continue
        for job in wait.backers:
            spec = dig(job.obj.body, *(("spec", "jobTemplate", "spec") if job.ref.kind == "CronJob" else ("spec",)),
                       default={}) or {}
            policy = str(job.obj.annotations.get("helm.sh/hook-delete-policy", ""))
            why = (f"ttlSecondsAfterFinished: {spec['ttlSecondsAfterFinished']}" if "ttlSecondsAfterFinished" in spec
                   else "helm.sh/hook-delete-policy: hook-succeeded" if "hook-succeeded" in policy else "")
            if why:
                obj = wait.workload.obj
                yield finding("ttl", obj.manifest.file, obj.manifest.line, wait.workload.ref, job.ref,
                              f"waits for {wait.spec}, which is deleted after it finishes ({why}): a pod "
                              "restarted later waits forever",
                              "keep the Job (drop the TTL or the delete policy), or wait for what it makes instead")
