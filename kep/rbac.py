"""What the declared dependencies need RBAC to allow, from each kind's `reads()`.

`needs(reads, watch)` gives one `Need` per (namespace, API group, resource) with
the read verbs kep uses on it (`Read.verbs`: list+watch, or get/list when polling;
`kep rbac` adds those of `kep check`, so that the Role it prints serves both);
a cluster-scoped resource has namespace None. The same needs serve `kep rbac`
(`render`: the minimal Role per namespace, a ClusterRole for cluster scope, and
their bindings, as YAML) and the preflight (kep.preflight). Only read verbs, but for
`kep rbac --events`: create and patch of events, for the Events kep records on its own
pod (kep.podevents), with get of that pod for its uid (`with_events`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kep.api.errors import ApiError
from kep.api.resources import served_resource
from kep.kinds import API_KINDS
from kep.reads import Read
from kep.specs import Plan

RBAC_API = "rbac.authorization.k8s.io/v1"
VERBS = ("get", "list", "watch", "create", "patch")
"""Every verb kep may use, in the order a rule lists them."""
EVENT_VERBS = ("create", "patch")
"""On events: a new Event is created, a repeat patches its count (kep.podevents)."""


@dataclass(frozen=True, slots=True)
class Need:
    namespace: str | None
    """None: cluster scope."""
    api_group: str
    resource: str
    verbs: tuple[str, ...]
    guessed: bool = False
    """The resource name is a guess (a custom resource not resolved by discovery)."""

    @property
    def what(self) -> str:
        """The resource and where, without verbs: `jobs (apiGroup batch) in namespace ns`."""
        where = f"in namespace {self.namespace}" if self.namespace else "cluster-wide"
        return f"{self.resource} (apiGroup {self.api_group or chr(34) * 2}) {where}"


def reads_of(plan: Plan, resolve: Callable[[Read], Read] = lambda read: read) -> list[Read]:
    """Every read of every API dependency; `resolve` may turn a custom resource's guessed
    plural and scope into the served ones (discovery)."""
    reads: list[Read] = []
    for spec in plan.specs:
        kind = API_KINDS.get(type(spec))
        if kind is not None:
            reads.extend(resolve(read) for read in kind.reads(spec, plan.settings))
    return reads


class Discoverer(Protocol):
    def discover(self, api_version: str) -> dict[str, Any]: ...


def discovered(client: Discoverer, read: Read) -> Read:
    """A custom resource's read with the plural and scope discovery serves (as the kind
    resolves it at run time), or unchanged when discovery cannot say."""
    if read.discovered:
        return read
    try:
        document = client.discover(read.resource.api_version)
    except ApiError:
        return read
    wanted = read.resource
    served = served_resource(document, wanted.group, wanted.version, wanted.kind)
    if served is None:
        return read
    return Read(served, read.namespace if served.namespaced else None, read.name, read.selector)


def needs(reads: Iterable[Read], watch: bool, *, with_check: bool = False) -> list[Need]:
    """One Need per (namespace, group, resource), verbs merged, in a stable order.
    `with_check`: also the verbs of one read each (get or list), which `kep check` and a
    watch that falls back to polling use: what `kep rbac` grants."""
    merged: dict[tuple[str | None, str, str], tuple[set[str], bool]] = {}
    for read in reads:
        key = (read.namespace if read.resource.namespaced else None, read.resource.group, read.resource.plural)
        verbs, guessed = merged.get(key, (set(), False))
        used = set(read.verbs(watch)) | (set(read.verbs(False)) if with_check else set())
        merged[key] = (verbs | used, guessed or not read.discovered)
    return [
        Need(ns, group, plural, tuple(v for v in VERBS if v in verbs), guessed)
        for (ns, group, plural), (verbs, guessed) in sorted(merged.items(), key=lambda kv: (kv[0][0] or "", kv[0][1:]))
    ]


def status_needs(scope: str | None) -> list[Need]:
    """What `kep status` reads in `scope` (None: all namespaces, a ClusterRole): list of each
    collection it shares (kep.status.cache), and get of Endpoints, which a Service falls
    back to where EndpointSlices are not served. A custom resource a pod waits on is read
    with get too: `kep rbac` in that pod's environment names it."""
    from kep.api.resources import ENDPOINTS
    from kep.status.cache import COLLECTIONS

    reads = [*(Read(resource, scope) for resource in COLLECTIONS), Read(ENDPOINTS, scope, name="NAME")]
    return needs(reads, watch=False)


def with_events(wanted: list[Need], namespace: str) -> list[Need]:
    """`wanted` plus what the Events on the own pod in `namespace` need (kep.podevents):
    create and patch of events, get of pods (the pod's uid), merged into the needs of the
    same resource. Nothing when nothing is read: kep records Events only where it reads
    the API."""
    if not wanted:
        return wanted
    merged = {(n.namespace, n.api_group, n.resource): n for n in wanted}
    for resource, verbs in (("events", EVENT_VERBS), ("pods", ("get",))):
        found = merged.get((namespace, "", resource))
        both = set(verbs) | set(found.verbs if found else ())
        merged[(namespace, "", resource)] = Need(namespace, "", resource, tuple(v for v in VERBS if v in both))
    return [merged[key] for key in sorted(merged, key=lambda k: (k[0] or "", k[1:]))]


def render(wanted: list[Need], service_account: str, sa_namespace: str, watch: bool,
           title: str = "the reads of the declared dependencies", suffix: str = "kep") -> str:
    """Role (per namespace) or ClusterRole (cluster scope) plus a binding to the service
    account, as YAML documents (PyYAML's; a guessed plural is a comment before its Role),
    named `<service account>-<suffix>`."""
    import yaml

    name = f"{service_account}-{suffix}"
    head = f"# kep rbac: {title} ({'with' if watch else 'without'} watch)\n"
    if not wanted:
        return head + "# none of them reads the Kubernetes API: there is nothing to grant\n"
    scopes: dict[str | None, list[Need]] = {}
    for need in wanted:
        scopes.setdefault(need.namespace, []).append(need)
    docs = []
    for namespace, scoped in scopes.items():
        role_kind = "Role" if namespace else "ClusterRole"
        meta = {"name": name, **({"namespace": namespace} if namespace else {})}
        rules: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for need in scoped:
            rules.setdefault((need.api_group, need.verbs), []).append(need.resource)
        role = {"apiVersion": RBAC_API, "kind": role_kind, "metadata": meta,
                "rules": [{"apiGroups": [group], "resources": sorted(resources), "verbs": list(verbs)}
                          for (group, verbs), resources in rules.items()]}
        binding = {"apiVersion": RBAC_API, "kind": f"{role_kind}Binding", "metadata": meta,
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name},
                   "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": sa_namespace}]}
        guessed = "".join(f"# {n.resource}: plural guessed from the kind (discovery did not answer); check it\n"
                          for n in scoped if n.guessed)
        docs += [guessed + _yaml(role), _yaml(binding)]
    return head + "---\n".join(docs)


def _yaml(doc: dict[str, Any]) -> str:
    import yaml

    return str(yaml.safe_dump(doc, sort_keys=False, default_flow_style=None))
