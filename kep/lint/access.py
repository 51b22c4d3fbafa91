"""`rbac`: the pod's ServiceAccount, through the Roles, ClusterRoles and bindings of the
input, may not make a read kep needs for a dependency: the reads are the kinds' own
(`reads()`), merged as `kep rbac` merges them (kep.rbac.needs, get/list: watch is
optional, kep polls without it), and a rule is matched as RBAC matches it
(kep.preflight.allows). The missing rule is printed as kep's preflight prints it.

A Service's Endpoints are read only where its EndpointSlices may not be (kep.kinds.service):
Endpoints are needed only then, and EndpointSlices refused with Endpoints allowed is a
warning (kep works, on the older API). A custom resource's plural is its
CustomResourceDefinition's where the input has one, else kubectl's guess (as `kep rbac`).
Skipped, and said (info), for an account that no binding of the input names: its rights
come from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kep import specs
from kep.kinds import API_KINDS, service
from kep.lint.findings import Finding, Ref, Severity, finding
from kep.lint.release import Obj, Release, Workload
from kep.preflight import Rules, allows
from kep.rbac import Need, discovered, needs
from kep.reads import Read, dig


class Crds:
    """Discovery as the input's CustomResourceDefinitions answer it (kep.rbac.Discoverer)."""

    def __init__(self, release: Release) -> None:
        self.served: dict[str, list[dict[str, Any]]] = {}
        for crd in release.of_kind("CustomResourceDefinition"):
            spec = crd.body.get("spec") or {}
            names = spec.get("names") or {}
            for version in spec.get("versions") or ():
                api_version = f"{spec.get('group', '')}/{dig(version, 'name', default='')}"
                self.served.setdefault(api_version, []).append(
                    {"name": names.get("plural", ""), "kind": names.get("kind", ""),
                     "namespaced": spec.get("scope") == "Namespaced", "verbs": ["get", "list", "watch"]})

    def discover(self, api_version: str) -> dict[str, Any]:
        return {"kind": "APIResourceList", "groupVersion": api_version, "resources": self.served.get(api_version, [])}


def check(release: Release) -> Iterator[Finding]:
    crds = Crds(release)
    for workload in release.workloads:
        plans = [w.plan for w in workload.waiters if w.plan is not None and w.plan.needs_api]
        if not plans:
            continue
        account = Ref("ServiceAccount", workload.ref.namespace, workload.service_account)
        rules = _rules(release, account)
        file, line = workload.obj.manifest.file, workload.obj.manifest.line
        if rules is None:
            yield finding("rbac", file, line, workload.ref, account,
                          f"not checked: no RoleBinding or ClusterRoleBinding of the input names {account}",
                          severity=Severity.INFO)
            continue
        reads: list[Read] = []
        fallbacks: list[Read] = []
        for plan in plans:
            for spec in plan.specs:
                kind = API_KINDS.get(type(spec))
                if kind is None:
                    continue
                found = [discovered(crds, r) for r in kind.reads(spec, plan.settings)]
                if isinstance(spec, specs.Service):
                    fallback = Read.of(service.endpoints_query(spec))
                    slices = Read.of(service.slices_query(spec))
                    found.remove(fallback)
                    if not _allowed(rules, slices, "list"):
                        fallbacks.append(fallback)
                        if _allowed(rules, fallback, "get"):
                            found.remove(slices)
                            yield _missing(workload, account, slices, rules, Severity.WARNING,
                                           " (kep falls back to Endpoints, where it may not see what kube-proxy routes)")
                reads.extend(found)
                reads.extend(fallbacks)
        for need in needs(reads, watch=False):
            verbs = tuple(v for v in need.verbs if not allows(rules.get(need.namespace or "", ()), v, need.api_group,
                                                               need.resource))
            if verbs:
                yield finding("rbac", file, line, workload.ref, account,
                              f"{account} may not {'/'.join(verbs)} {need.what}, which kep reads for its dependencies",
                              _rule(need, verbs))


def _missing(workload: Workload, account: Ref, read: Read, rules: dict[str, Rules], severity: Severity,
             why: str) -> Finding:
    (need,) = needs([read], watch=False)
    return finding("rbac", workload.obj.manifest.file, workload.obj.manifest.line, workload.ref, account,
                   f"{account} may not {'/'.join(need.verbs)} {need.what}{why}", _rule(need, need.verbs), severity)


def _rule(need: Need, verbs: tuple[str, ...]) -> str:
    """The rule to add, in the words of kep's preflight."""
    rule = {"apiGroups": [need.api_group], "resources": [need.resource], "verbs": list(verbs)}
    where = f"a Role in namespace {need.namespace}" if need.namespace else "a ClusterRole"
    return f"add to {where} bound to the account {json.dumps(rule)}"


def _allowed(rules: dict[str, Rules], read: Read, verb: str) -> bool:
    return allows(rules.get(read.namespace or "", ()), verb, read.resource.group, read.resource.plural)


def _rules(release: Release, account: Ref) -> dict[str, Rules] | None:
    """Namespace ("" for cluster scope) -> the rules bound to the account there; None when no
    binding of the input names it. A ClusterRoleBinding's rules hold in every namespace."""
    bound: dict[str, list[dict[str, Any]]] = {}
    everywhere: list[dict[str, Any]] = []
    named = False
    for binding in (*release.of_kind("RoleBinding"), *release.of_kind("ClusterRoleBinding")):
        if not _names(binding, account):
            continue
        named = True
        ref = binding.body.get("roleRef") or {}
        kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
        scoped = binding.ref.kind == "RoleBinding"
        roles = release.find(kind, binding.ref.namespace, name) if kind == "Role" else \
            [o for o in release.of_kind("ClusterRole") if o.ref.name == name]
        rules = [r for role in roles[:1] for r in role.body.get("rules") or () if isinstance(r, dict)]
        (bound.setdefault(binding.ref.namespace, []) if scoped else everywhere).extend(rules)
    if not named:
        return None
    namespaces = {*bound, account.namespace, ""}
    return {ns: (*bound.get(ns, ()), *everywhere) for ns in namespaces}


def _names(binding: Obj, account: Ref) -> bool:
    for subject in binding.body.get("subjects") or ():
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" \
                and subject.get("name") == account.name \
                and (subject.get("namespace") or binding.ref.namespace) == account.namespace:
            return True
    return False
