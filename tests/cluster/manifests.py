"""Objects for the real cluster, as plain dicts: kep's init container as helm-toolkit renders it.

helm-toolkit's `kubernetes_entrypoint_init_container` (see ../shared/spec/reference-behaviour.md,
"How OpenStack-Helm runs it"): the binary as command, no COMMAND, POD_NAME and NAMESPACE from
the downward API, INTERFACE_NAME=eth0, PATH ending in `:/`, every DEPENDENCY_* variable present
(empty when unused), runAsUser 65534, readOnlyRootFilesystem, no volume of its own; a Role with
get and list on what the dependencies read, get alone on a custom resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

BUSYBOX = "localhost/busybox:latest"
REFERENCE_IMAGE = "localhost/kep-ref:latest"
HELM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/"
DEPENDENCY_VARIABLES = ("DEPENDENCY_SERVICE", "DEPENDENCY_JOBS", "DEPENDENCY_DAEMONSET", "DEPENDENCY_CONTAINER",
                        "DEPENDENCY_POD_JSON", "DEPENDENCY_CUSTOM_RESOURCE")
# The custom resource of the OpenStack-Helm sequence: an operator writes its status.
CRD_GROUP, CRD_KIND, CRD_PLURAL = "kep.example.com", "Database", "databases"
GRACE = 2  # seconds: terminationGracePeriodSeconds of the test pods, so namespaces go fast

Obj = dict[str, Any]


def entrypoint_rbac(ns: str, *, watch: bool = False, custom_resources: bool = False) -> list[Obj]:
    """Service account `entrypoint` and helm-toolkit's Role: get/list (plus watch when granted)."""
    verbs = ["get", "list", "watch"] if watch else ["get", "list"]
    rules: list[Obj] = [
        {"apiGroups": [""], "resources": ["services", "endpoints", "pods"], "verbs": verbs},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": verbs},
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": verbs},
        {"apiGroups": ["apps"], "resources": ["daemonsets"], "verbs": verbs},
    ]
    if custom_resources:
        rules.append({"apiGroups": [CRD_GROUP], "resources": [CRD_PLURAL], "verbs": verbs if watch else ["get"]})
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "entrypoint", "namespace": ns}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "entrypoint", "namespace": ns}, "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "entrypoint", "namespace": ns},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "entrypoint"},
         "subjects": [{"kind": "ServiceAccount", "name": "entrypoint", "namespace": ns}]},
    ]


def entrypoint_container(image: str, dependencies: Mapping[str, str], extra_env: Mapping[str, str] = {}) -> Obj:
    """The init container exactly as helm-toolkit renders it; `extra_env` for kep's own knobs."""
    env: list[Obj] = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
        {"name": "INTERFACE_NAME", "value": "eth0"},
        {"name": "PATH", "value": HELM_PATH},
    ]
    env += [{"name": name, "value": dependencies.get(name, "")} for name in DEPENDENCY_VARIABLES]
    env += [{"name": name, "value": value} for name, value in extra_env.items()]
    return {"name": "init", "image": image, "imagePullPolicy": "Never", "command": ["kubernetes-entrypoint"],
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsUser": 65534},
            "env": env}


def app_pod(ns: str, name: str, init: Obj, *, sidecars: Sequence[Obj] = (), labels: Mapping[str, str] = {}) -> Obj:
    """A pod whose init container is kep and whose main container says when it started."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
            "spec": {"serviceAccountName": "entrypoint", "restartPolicy": "Never", "terminationGracePeriodSeconds": GRACE,
                     "initContainers": [*sidecars, init],
                     "containers": [busybox("main", "echo main started; exec sleep 3600")]}}


def busybox(name: str, script: str, **extra: Any) -> Obj:
    return {"name": name, "image": BUSYBOX, "imagePullPolicy": "Never", "command": ["sh", "-c", script], **extra}


def job(ns: str, name: str, script: str, *, completions: int | None = None, backoff_limit: int = 0) -> Obj:
    spec: Obj = {"backoffLimit": backoff_limit, "template": {"spec": {
        "restartPolicy": "Never", "terminationGracePeriodSeconds": GRACE, "containers": [busybox(name, script)]}}}
    if completions is not None:
        spec["completions"] = completions
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def exec_probe(command: Sequence[str], delay: int = 0) -> Obj:
    return {"exec": {"command": list(command)}, "initialDelaySeconds": delay, "periodSeconds": 1}


def served(ns: str, name: str, ready_after: int) -> list[Obj]:
    """A Deployment of one httpd whose HTTP readiness probe passes after `ready_after` s, and its Service."""
    labels = {"app": name}
    container = busybox("httpd", "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www",
                        ports=[{"containerPort": 8080}],
                        readinessProbe={"httpGet": {"path": "/", "port": 8080}, "initialDelaySeconds": ready_after,
                                        "periodSeconds": 1})
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"terminationGracePeriodSeconds": GRACE, "containers": [container]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
         "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}},
    ]


def daemonset(ns: str, name: str, ready_after: int = 0) -> Obj:
    """A DaemonSet of one sleeping container, ready after `ready_after` s (exec probe)."""
    labels = {"app": name}
    spec: Obj = {"terminationGracePeriodSeconds": GRACE,
                 "containers": [busybox(name, "exec sleep 3600", readinessProbe=exec_probe(["true"], ready_after))]}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec}}}


def crd() -> Obj:
    """A namespaced CRD with a status subresource: what an operator reports readiness through."""
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{CRD_PLURAL}.{CRD_GROUP}"},
            "spec": {"group": CRD_GROUP, "scope": "Namespaced",
                     "names": {"kind": CRD_KIND, "plural": CRD_PLURAL, "singular": CRD_KIND.lower()},
                     "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                                   "schema": {"openAPIV3Schema": schema}}]}}


def custom_resource(ns: str, name: str) -> Obj:
    return {"apiVersion": f"{CRD_GROUP}/v1", "kind": CRD_KIND, "metadata": {"name": name, "namespace": ns},
            "spec": {"engine": "mariadb"}}


def custom_resource_dependency(ns: str, name: str) -> str:
    """DEPENDENCY_CUSTOM_RESOURCE as helm-toolkit writes it (sorted keys): met when the operator says Ready."""
    return json.dumps([{"apiVersion": f"{CRD_GROUP}/v1", "fields": [{"key": "status.phase", "value": "Ready"}],
                        "kind": CRD_KIND, "name": name, "namespace": ns}], sort_keys=True, separators=(",", ":"))
