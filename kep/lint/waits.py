"""The waits of a release: each dependency of each waiting container, with the objects of
the input that are its target and the workloads whose pods make it met (its backers):

| dependency     | target                                   | backers                              |
|----------------|------------------------------------------|--------------------------------------|
| Service        | the Service                              | the templates its selector selects   |
| Job by name    | the Job                                  | the Job                              |
| Job by labels  | the Jobs (and CronJobs' job templates) whose labels match | the same        |
| DaemonSet      | the DaemonSet                            | the DaemonSet                        |
| Pod labels     | the templates whose labels match         | the same                             |
| custom resource| an object of that apiVersion, kind, name | none (its controller is not in the input) |

Local dependencies (socket, config, TCP, HTTP) and containers of the own pod are no
waits between objects (kep.lint.containers judges the latter).

A Service with `publishNotReadyAddresses` gets endpoints from pods that are not ready
(kep counts them ready, as kube-proxy routes to them): its backers do not gate it, so
such a wait is no edge of a cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kep import specs
from kep.lint.findings import Ref
from kep.lint.release import Obj, Release, Waiter, Workload
from kep.reads import dig


@dataclass(frozen=True, slots=True)
class Wait:
    workload: Workload
    waiter: Waiter
    spec: specs.Spec
    target: Ref
    objects: tuple[Obj, ...]
    backers: tuple[Workload, ...]
    gated: bool = True
    """Whether the backers' readiness gates it (see the module)."""

    @property
    def kind(self) -> str:
        return self.target.kind


def waits(release: Release) -> Iterator[Wait]:
    for workload in release.workloads:
        for waiter in workload.waiters:
            if waiter.plan is None:
                continue
            for spec in waiter.plan.specs:
                if isinstance(spec, specs.API_SPECS) and not isinstance(spec, specs.Container):
                    found = _resolve(release, spec)
                    ident = specs.identity(spec, waiter.plan.settings)
                    yield Wait(workload, waiter, spec, Ref(ident.kind, ident.namespace, ident.name), *found)


def matches(selector: Mapping[str, str] | specs.Labels, labels: Mapping[str, str]) -> bool:
    """Equality selection, as the API server's for a map selector: every pair present."""
    pairs = selector.items() if isinstance(selector, Mapping) else selector
    return all(labels.get(key) == value for key, value in pairs)


def _resolve(release: Release, spec: specs.Spec) -> tuple[tuple[Obj, ...], tuple[Workload, ...], bool]:
    in_ns = [w for w in release.workloads if w.ref.namespace == getattr(spec, "namespace", None)]
    match spec:
        case specs.Service(namespace=ns, name=name):
            objects = tuple(release.find("Service", ns, name))
            selector = {} if not objects else dig(objects[0].body, "spec", "selector", default=None) or {}
            backers = tuple(w for w in in_ns if selector and matches(selector, w.labels))
            gated = not (objects and dig(objects[0].body, "spec", "publishNotReadyAddresses") is True)
            return objects, backers, gated
        case specs.Job(namespace=ns, name=name, labels=labels) if name:
            jobs = tuple(w for w in in_ns if w.ref.kind == "Job" and w.ref.name == name)
            return tuple(release.find("Job", ns, name)), jobs, True
        case specs.Job(labels=labels):
            jobs = tuple(w for w in in_ns if w.ref.kind in ("Job", "CronJob") and matches(labels, _job_labels(w)))
            return tuple(w.obj for w in jobs), jobs, True
        case specs.DaemonSet(namespace=ns, name=name):
            sets = tuple(w for w in in_ns if w.ref.kind == "DaemonSet" and w.ref.name == name)
            return tuple(release.find("DaemonSet", ns, name)), sets, True
        case specs.Pod(labels=labels):
            pods = tuple(w for w in in_ns if matches(labels, w.labels))
            return tuple(w.obj for w in pods), pods, True
        case specs.CustomResource(api_version=version, kind=kind, namespace=ns, name=name):
            objects = tuple(o for o in release.find(kind, ns, name) if o.body.get("apiVersion") == version)
            cluster = tuple(o for o in release.of_kind(kind) if o.ref.name == name and not o.explicit_namespace
                            and o.body.get("apiVersion") == version)
            return objects or cluster, (), True
    return (), (), True


def _job_labels(workload: Workload) -> Mapping[str, str]:
    """The labels of the Jobs a workload makes: a Job's own, a CronJob's job template's."""
    path = ("spec", "jobTemplate", "metadata", "labels") if workload.ref.kind == "CronJob" else ("metadata", "labels")
    found = dig(workload.obj.body, *path, default=None)
    return found if isinstance(found, dict) else {}
