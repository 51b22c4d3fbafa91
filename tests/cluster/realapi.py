"""A real kube-apiserver behind the part of FakeApiServer's Python API that shared tests use.

So a test of the fake (tests/fakeapi) can run unchanged against the session's real server
(`real_api`) and show whether the two agree. Only for answers a real server decides
(selectors, resourceVersions, Status bodies, discovery, 410s); faults stay fake-only.
Objects go in through REST as an admin; a pod gets a scheduling gate (and a minimal valid
spec if it has none), so no scheduler or kubelet ever acts on it and a delete is immediate;
a job gets a template and `spec.managedBy`, so no Job controller acts on it either.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any

import requests

from tests.cluster.kube import Kube
from tests.fakeapi import CustomResourceDef, Rule

Obj = dict[str, Any]
NEVER_SCHEDULED = {"containers": [{"name": "c", "image": "localhost/busybox:latest"}],
                   "schedulingGates": [{"name": "kep.example.com/never"}]}
NAMESPACES = ("default", "other", "openstack")  # where the shared tests put their objects
MANAGED_BY = "kep.example.com/tests"
"""spec.managedBy of the jobs made here: the Job controller leaves them, and their status, to the test."""
BOUND_FOR = "kep.example.com/bound-for"
"""The label of the roles and bindings add_token makes: NAMESPACE.SERVICEACCOUNT."""
WITH_STATUS = {"Pod", "Job", "DaemonSet", "Service"}
"""Kinds whose status is written through the status subresource (a create resets it)."""


class RealApiServer:
    def __init__(self, kube: Kube, custom_resources: Sequence[CustomResourceDef]) -> None:
        self.kube = kube
        self.url = kube.server
        self.ca_file = kube.ca_file
        self._kinds = {"Pod": ("pods", True), "Job": ("jobs", True), "Service": ("services", True),
                       "Endpoints": ("endpoints", True), "EndpointSlice": ("endpointslices", True),
                       "DaemonSet": ("daemonsets", True)}
        self._bound: dict[str, list[Rule] | None] = {}
        """The rules bound to each user by add_token, which the next call for it replaces."""
        self.admin_token = self.add_token(None, user="system:serviceaccount:kube-system:kep-admin")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {self.admin_token}"
        # Pods need the `default` service account: the full cluster's controller makes it, maybe
        # while this runs; `up --api-only` has none. Whoever is first, it is made once.
        kube.ensure([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in NAMESPACES])
        kube.ensure([{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}
                     for ns in NAMESPACES])
        for crd in custom_resources:
            self.add_custom_resource(crd)

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        answer = self._session.request(method, self.url + path, verify=self.ca_file, timeout=30, **kw)
        if answer.status_code >= 400:
            raise AssertionError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()

    @staticmethod
    def _path(api_version: str, plural: str, namespace: str | None, name: str = "") -> str:
        base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        where = f"/namespaces/{namespace}" if namespace else ""
        return f"{base}{where}/{plural}" + (f"/{name}" if name else "")

    def create(self, obj: Obj) -> Obj:
        """POST as an admin, then write its `status` as the fake's helper keeps it (the real
        server resets .status on create)."""
        obj = json.loads(json.dumps(obj))
        if obj["kind"] == "Pod":  # the factories' pods name containers only, or none
            spec = {**NEVER_SCHEDULED, **{k: v for k, v in obj.get("spec", {}).items() if v}}
            for key in ("containers", "initContainers"):
                if key in spec:
                    spec[key] = [{"image": "localhost/busybox:latest", **c} for c in spec[key]]
            obj["spec"] = spec
        if obj["kind"] == "Job":  # the factories' jobs have no pod template
            template = {"spec": {"restartPolicy": "Never", "containers": NEVER_SCHEDULED["containers"]}}
            obj["spec"] = {"managedBy": MANAGED_BY, "template": template, **obj.get("spec", {})}
        plural, namespaced = self._kinds[obj["kind"]]
        namespace = obj["metadata"].get("namespace", "default") if namespaced else None
        made = dict(self._call("POST", self._path(obj["apiVersion"], plural, namespace), json=obj))
        if obj.get("status") and obj["kind"] in WITH_STATUS:
            made = self.patch(obj["apiVersion"], plural, namespace, obj["metadata"]["name"],
                              {"status": obj["status"]}, subresource="status")
        return made

    def delete(self, api_version: str, plural: str, namespace: str | None, name: str) -> None:
        self._call("DELETE", self._path(api_version, plural, namespace, name))

    def write_service_account(self, directory: str | os.PathLike[str], token: str, namespace: str = "default") -> str:
        """token, ca.crt and namespace files as the kubelet mounts them."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "token").write_text(token)
        shutil.copyfile(self.ca_file, d / "ca.crt")
        (d / "namespace").write_text(namespace)
        return str(d)

    def in_cluster_env(self, sa_dir: str | os.PathLike[str]) -> dict[str, str]:
        where = urlsplit(self.url)
        return {"KUBERNETES_SERVICE_HOST": str(where.hostname), "KUBERNETES_SERVICE_PORT": str(where.port),
                "KEP_SERVICE_ACCOUNT_DIR": str(sa_dir)}

    def patch(self, api_version: str, plural: str, namespace: str | None, name: str, patch: Any,
              subresource: str | None = None) -> Obj:
        kind = "application/merge-patch+json" if isinstance(patch, dict) else "application/json-patch+json"
        path = self._path(api_version, plural, namespace, name) + (f"/{subresource}" if subresource else "")
        return dict(self._call("PATCH", path, data=json.dumps(patch), headers={"Content-Type": kind}))

    @property
    def resource_version(self) -> int:
        """etcd's current revision: a list with a limit is read from etcd, not from the watch cache."""
        return int(self._call("GET", "/api/v1/namespaces", params={"limit": "1"})["metadata"]["resourceVersion"])

    def compact(self) -> int:
        """Compact etcd at its current revision, as its periodic compaction would."""
        revision = self.resource_version
        port = self.kube.host_env.get("KEP_CLUSTER_ETCD_PORT", "8379")
        answer = requests.post(f"http://127.0.0.1:{port}/v3/kv/compaction",
                               json={"revision": str(revision), "physical": True}, timeout=30)
        answer.raise_for_status()
        return revision

    def add_token(self, rules: Sequence[Rule] | None = None, user: str = "system:serviceaccount:default:kep") -> str:
        """A service account's token (TokenRequest) with exactly `rules` bound: None is cluster-admin.

        As each of the fake's tokens has its own rules, the bindings of an earlier call for the
        same account are removed first. Returned once the API server's authorizer, which learns
        of bindings from a watch, allows what `rules` allow and refuses what only those allowed.
        """
        _, _, ns, name = user.split(":")
        mine = f"{BOUND_FOR}={ns}.{name}"
        self.kube.ensure([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                          {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}])
        if user in self._bound:
            self.kube.kubectl("delete", "clusterrolebindings,rolebindings,clusterroles", "--all-namespaces", "-l", mine)
        labels = {BOUND_FOR: f"{ns}.{name}"}
        subject = [{"kind": "ServiceAccount", "name": name, "namespace": ns}]
        objs: list[Obj] = []
        if rules is None:
            objs.append(_binding("ClusterRoleBinding", f"{ns}-{name}", None, "cluster-admin", subject, labels))
        for i, rule in enumerate(rules or ()):
            role = f"{ns}-{name}-{i}"
            policy = {"verbs": list(rule.verbs), "apiGroups": list(rule.api_groups), "resources": list(rule.resources)}
            if rule.names is not None:
                policy["resourceNames"] = list(rule.names)
            objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                         "metadata": {"name": role, "labels": labels}, "rules": [policy]})
            for where in rule.namespaces or (None,):
                kind = "RoleBinding" if where else "ClusterRoleBinding"
                objs.append(_binding(kind, role, where, role, subject, labels))
        if objs:
            self.kube.apply(objs)
        self._wait_for_rbac(user, rules, self._bound.get(user, []))
        self._bound[user] = None if rules is None else list(rules)
        return self.kube.kubectl("-n", ns, "create", "token", name).strip()

    def _wait_for_rbac(self, user: str, rules: Sequence[Rule] | None, before: Sequence[Rule] | None) -> None:
        """Until SubjectAccessReviews (the same authorizer) allow one request of each rule and
        refuse one of each earlier rule that `rules` do not allow."""
        wanted = [(attributes, True) for attributes in _one_request_each(rules)]
        if rules is not None:
            wanted += [(attributes, False) for attributes in _one_request_each(before)
                       if not any(rule.allows(**attributes) for rule in rules)]
        if not wanted:
            return
        groups = ["system:serviceaccounts", f"system:serviceaccounts:{user.split(':')[2]}", "system:authenticated"]
        document = json.dumps({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
             "spec": {"user": user, "groups": groups, "resourceAttributes": attributes}} for attributes, _ in wanted]})
        deadline = time.monotonic() + 60
        while True:
            answers = _json_stream(self.kube.kubectl("create", "-f", "-", "-o", "json", stdin=document))
            wrong = [attributes for (attributes, allowed), answer in zip(wanted, answers, strict=True)
                     if bool(answer["status"].get("allowed")) != allowed]
            if not wrong:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{user}: RBAC still says otherwise 60 s after the bindings changed: {wrong}")
            time.sleep(0.1)

    def add_custom_resource(self, crd: CustomResourceDef) -> None:
        """Create the CRD and wait until it is served."""
        name = f"{crd.plural}.{crd.group}"
        version: Obj = {"name": crd.version, "served": True, "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
        if crd.status_subresource:
            version["subresources"] = {"status": {}}
        self.kube.apply([{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                          "metadata": {"name": name},
                          "spec": {"group": crd.group, "scope": "Namespaced" if crd.namespaced else "Cluster",
                                   "names": {"kind": crd.kind, "plural": crd.plural,
                                             "singular": crd.singular or crd.kind.lower()},
                                   "versions": [version]}}])
        self.kube.kubectl("wait", "--for=condition=Established", f"crd/{name}")
        self._kinds[crd.kind] = (crd.plural, crd.namespaced)

    def clean(self) -> None:
        """Remove what a test made in the shared namespaces (never-scheduled pods go at once);
        services and their endpoints only in openstack (default holds the `kubernetes` Service).
        Owners go before the pods a controller may still be making for them; a delete that
        fails fails the test, not the next one that creates the same name."""
        for ns in NAMESPACES:
            kinds = "daemonsets,jobs,pods" + (",services,endpoints,endpointslices" if ns == "openstack" else "")
            self.kube.kubectl("-n", ns, "delete", kinds, "--all", "--grace-period=0", "--force", timeout=60)


def _one_request_each(rules: Sequence[Rule] | None) -> list[Obj]:
    """SubjectAccessReview resourceAttributes of one request each rule allows, in each place it
    is bound (None: cluster-admin); also Rule.allows' arguments."""
    if rules is None:
        return [{"verb": "list", "group": "", "resource": "namespaces", "subresource": "", "namespace": "", "name": ""}]
    requests_: list[Obj] = []
    for rule in rules:
        resource, _, subresource = rule.resources[0].partition("/")
        attributes: Obj = {"verb": next((v for v in rule.verbs if v != "*"), "get"),
                           "group": next((g for g in rule.api_groups if g != "*"), ""),
                           "resource": "pods" if resource == "*" else resource, "subresource": subresource,
                           "name": rule.names[0] if rule.names else ""}
        for where in rule.namespaces or ("",):
            requests_.append({**attributes, "namespace": where})
    return requests_


def _json_stream(text: str) -> list[Obj]:
    """The objects kubectl prints one after another (`create -f LIST -o json`)."""
    decoder, objects, at = json.JSONDecoder(), [], 0
    text = text.strip()
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        objects.append(obj)
        while at < len(text) and text[at].isspace():
            at += 1
    return objects


def _binding(kind: str, name: str, namespace: str | None, cluster_role: str, subjects: list[Obj],
             labels: dict[str, str]) -> Obj:
    """A (Cluster)RoleBinding of a ClusterRole: in one namespace, or everywhere."""
    meta: Obj = {"name": name, "labels": labels, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
            "subjects": subjects}
