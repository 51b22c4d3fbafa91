"""`container`: DEPENDENCY_CONTAINER names a container the pod does not declare, or one it
can never see ready from where kep runs (a regular container or a later init container
waited for from an init container: a deadlock). The deadlock is judged by the container
kind itself (kep.kinds.container.evaluate) on the pod the template makes, kep in the
waiting container: the rule kep applies at run time, said before the pod exists."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from kep import specs
from kep.kinds import container
from kep.kinds.pod import own_pod_queries
from kep.lint.findings import Finding, Ref, finding
from kep.lint.podtemplate import UID
from kep.lint.release import Release
from kep.reads import Observation, dig
from kep.verdict import State


def check(release: Release) -> Iterator[Finding]:
    for workload in release.workloads:
        declared = [str(c.get("name", "")) for key in ("initContainers", "containers")
                    for c in dig(workload.pod, "spec", key, default=None) or () if isinstance(c, dict)]
        obj = workload.obj
        for waiter in workload.waiters:
            if waiter.plan is None:
                continue
            settings = replace(waiter.plan.settings, own_container=waiter.name, own_pod_uid=UID)
            seen = {query: Observation((workload.pod,)) for query in own_pod_queries(settings)}
            for spec in waiter.plan.specs:
                if not isinstance(spec, specs.Container):
                    continue
                target = Ref("Container", workload.ref.namespace, f"{workload.ref.name}/{spec.name}")
                if spec.name not in declared:
                    yield finding("container", obj.manifest.file, obj.manifest.line, workload.ref, target,
                                  f"container {waiter.name} waits for container {spec.name}, which the pod does not "
                                  f"declare (it has {', '.join(declared)})", "fix the name, or drop it")
                    continue
                verdict = container.evaluate(spec, settings, seen)
                if verdict.state is State.IMPOSSIBLE:
                    yield finding("container", obj.manifest.file, obj.manifest.line, workload.ref, target,
                                  f"container {waiter.name} waits for container {spec.name}: {verdict.reason}")
