"""API resources as plain values, the pure functions that build their URL paths, and
which resource a discovery document serves for a kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Resource:
    group: str
    """"" for the core group."""
    version: str
    plural: str
    namespaced: bool = True
    kind: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """Name as RBAC messages print it: `endpointslices.discovery.k8s.io`, `pods`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


PODS = Resource("", "v1", "pods", True, "Pod")
SERVICES = Resource("", "v1", "services", True, "Service")
ENDPOINTS = Resource("", "v1", "endpoints", True, "Endpoints")
ENDPOINTSLICES = Resource("discovery.k8s.io", "v1", "endpointslices", True, "EndpointSlice")
JOBS = Resource("batch", "v1", "jobs", True, "Job")
DAEMONSETS = Resource("apps", "v1", "daemonsets", True, "DaemonSet")
CONFIGMAPS = Resource("", "v1", "configmaps", True, "ConfigMap")
SELF_SUBJECT_RULES_REVIEWS = Resource(
    "authorization.k8s.io", "v1", "selfsubjectrulesreviews", False, "SelfSubjectRulesReview")
SELF_SUBJECT_ACCESS_REVIEWS = Resource(
    "authorization.k8s.io", "v1", "selfsubjectaccessreviews", False, "SelfSubjectAccessReview")


def group_version_path(api_version: str) -> str:
    """Discovery path of a group/version: `/api/v1` for core, else `/apis/<g>/<v>`."""
    return f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"


def resource_path(resource: Resource, namespace: str | None = None, name: str | None = None) -> str:
    """`/api/v1/namespaces/ns/pods/name`; namespace is ignored for cluster-scoped resources."""
    path = group_version_path(resource.api_version)
    if resource.namespaced and namespace:
        path += f"/namespaces/{namespace}"
    path += f"/{resource.plural}"
    if name:
        path += f"/{name}"
    return path


def served_resource(document: Mapping[str, Any], group: str, version: str, kind: str) -> Resource | None:
    """The resource of `kind` in a discovery document (an APIResourceList from
    `group_version_path`), skipping subresources such as `foos/status`; None if the kind is
    not served."""
    entries = document.get("resources")
    for entry in entries if isinstance(entries, list) else ():
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name or "/" in name:
            continue
        if entry.get("kind") == kind:
            return Resource(group, version, name, entry.get("namespaced") is True, kind)
    return None
