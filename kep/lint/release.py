"""The release as lint sees it: every object by kind, namespace and name, and every pod
template (a workload) with what each of its containers declares in `DEPENDENCY_*`,
parsed by kep's own parser (kep.envparse) from the environment the kubelet would give
the pod (kep.status.podenv, on a pod made from the template: kep.lint.podtemplate).

Objects without a namespace take the one given for their file (`-n`), as `helm template
-n` sets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kep import envparse
from kep.envparse.typos import close_name
from kep.envparse.variables import DEPENDENCY_PREFIX
from kep.errors import ConfigError
from kep.lint.findings import Ref
from kep.lint.manifests import Manifest
from kep.lint.podtemplate import TEMPLATE_PATHS, pod_of
from kep.reads import dig
from kep.specs import Plan
from kep.status import podenv


@dataclass(frozen=True, slots=True)
class Obj:
    """An object of the input, with its effective namespace."""

    manifest: Manifest
    ref: Ref
    explicit_namespace: bool

    @property
    def body(self) -> dict[str, Any]:
        return self.manifest.obj

    @property
    def annotations(self) -> Mapping[str, str]:
        found = dig(self.body, "metadata", "annotations", default=None)
        return found if isinstance(found, dict) else {}


@dataclass(frozen=True, slots=True)
class Waiter:
    """One container of a workload that declares dependencies: its plan, or the run-time
    error kep would exit 2 with; the raw environment, for lint's own checks."""

    name: str
    init: bool
    plan: Plan | None
    error: ConfigError | None
    env: Mapping[str, str]
    unknown: Mapping[str, str]
    """Variables kep reads whose value the input cannot tell (a Secret's), with why."""


@dataclass(frozen=True, slots=True)
class Workload:
    obj: Obj
    pod: dict[str, Any]
    """A pod as the controller would create it from the template (kep.lint.podtemplate)."""
    waiters: tuple[Waiter, ...]

    @property
    def ref(self) -> Ref:
        return self.obj.ref

    @property
    def labels(self) -> Mapping[str, str]:
        found = dig(self.pod, "metadata", "labels", default=None)
        return found if isinstance(found, dict) else {}

    @property
    def service_account(self) -> str:
        spec = self.pod.get("spec") or {}
        return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")


@dataclass
class Release:
    objects: list[Obj] = field(default_factory=list)
    by_ref: dict[Ref, list[Obj]] = field(default_factory=dict)
    workloads: list[Workload] = field(default_factory=list)
    problems: list[tuple[Obj, str]] = field(default_factory=list)
    """Pod templates that cannot be read (no containers), one line each."""

    def find(self, kind: str, namespace: str, name: str) -> list[Obj]:
        return self.by_ref.get(Ref(kind, namespace, name), [])

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o.ref.kind == kind]


def build(manifests: list[Manifest]) -> Release:
    release = Release()
    for manifest in manifests:
        given = dig(manifest.obj, "metadata", "namespace", default=None)
        explicit = isinstance(given, str) and bool(given)
        name = dig(manifest.obj, "metadata", "name", default="")
        obj = Obj(manifest, Ref(str(manifest.obj["kind"]), given if explicit else manifest.namespace, str(name or "")),
                  explicit)
        release.objects.append(obj)
        release.by_ref.setdefault(obj.ref, []).append(obj)
    for obj in release.objects:
        if obj.ref.kind in TEMPLATE_PATHS:
            workload = _workload(obj, release)
            if isinstance(workload, str):
                release.problems.append((obj, workload))
            else:
                release.workloads.append(workload)
    return release


def _workload(obj: Obj, release: Release) -> Workload | str:
    pod = pod_of(obj.body, obj.ref.namespace)
    if pod is None:
        return "its pod template has no containers"
    configmaps = _configmaps(release)
    waiters = []
    for init, key in ((True, "initContainers"), (False, "containers")):
        for container in dig(pod, "spec", key, default=None) or ():
            if isinstance(container, dict) and _declares(container):
                waiters.append(_waiter(pod, container, init, configmaps, obj.ref.namespace))
    return Workload(obj, pod, tuple(waiters))


def _declares(container: Mapping[str, Any]) -> bool:
    """Whether a container declares dependencies: a DEPENDENCY_ variable, or a misspelling of one."""
    names = [str(e.get("name", "")) for e in container.get("env") or () if isinstance(e, dict)]
    return any(n.startswith(DEPENDENCY_PREFIX) or (close_name(n) or "").startswith(DEPENDENCY_PREFIX) for n in names)


def _configmaps(release: Release) -> podenv.ConfigMapData:
    def data(namespace: str, name: str) -> Mapping[str, str] | str:
        found = release.find("ConfigMap", namespace, name)
        if not found:
            return "not in the input"
        values = found[0].body.get("data")
        return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}
    return data


def _waiter(pod: dict[str, Any], container: Mapping[str, Any], init: bool, configmaps: podenv.ConfigMapData,
            namespace: str) -> Waiter:
    env = podenv.environment(pod, container, configmaps)
    try:
        plan: Plan | None = envparse.parse(env.values, namespace)
        error = None
    except ConfigError as exc:
        plan, error = None, exc
    return Waiter(str(container.get("name", "")), init, plan, error, env.values, env.unknown)
