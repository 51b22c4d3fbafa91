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
import subprocess
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
        self.admin_token = self.add_token(None, user="system:serviceaccount:kube-system:kep-admin")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {self.admin_token}"
        for ns in NAMESPACES:
            kube.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}])
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
        """A service account's token (TokenRequest) with `rules` bound: None is cluster-admin."""
        _, _, ns, name = user.split(":")
        objs: list[Obj] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                           {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}]
        subject = [{"kind": "ServiceAccount", "name": name, "namespace": ns}]
        if rules is None:
            objs.append(_binding("ClusterRoleBinding", f"{ns}-{name}", None, "cluster-admin", subject))
        for i, rule in enumerate(rules or ()):
            role = f"{ns}-{name}-{i}"
            policy = {"verbs": list(rule.verbs), "apiGroups": list(rule.api_groups), "resources": list(rule.resources)}
            if rule.names is not None:
                policy["resourceNames"] = list(rule.names)
            objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                         "metadata": {"name": role}, "rules": [policy]})
            for where in rule.namespaces or (None,):
                objs.append(_binding("RoleBinding" if where else "ClusterRoleBinding", role, where, role, subject))
        self.kube.apply(objs)
        return self.kube.kubectl("-n", ns, "create", "token", name).strip()

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
        services and their endpoints only in openstack (default holds the `kubernetes` Service)."""
        for ns in NAMESPACES:
            kinds = "pods,jobs,daemonsets" + (",services,endpoints,endpointslices" if ns == "openstack" else "")
            subprocess.run([self.kube.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.kube.env["KUBECONFIG"], "-n", ns,
                            "delete", kinds, "--all", "--grace-period=0", "--force"], capture_output=True, timeout=60)


def _binding(kind: str, name: str, namespace: str | None, cluster_role: str, subjects: list[Obj]) -> Obj:
    """A (Cluster)RoleBinding of a ClusterRole: in one namespace, or everywhere."""
    meta: Obj = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
            "subjects": subjects}
