"""Small manifests for the lint tests, as YAML text (what `helm template` prints)."""

from __future__ import annotations

import json
from typing import Any

import yaml


def env(values: dict[str, str]) -> list[dict[str, Any]]:
    """An init container's environment as OpenStack-Helm renders it (fieldRefs for the pod)."""
    return [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
            *({"name": k, "value": v} for k, v in values.items())]


def template(labels: dict[str, str], deps: dict[str, str], account: str = "default",
             init: bool = True) -> dict[str, Any]:
    container = {"name": "init", "image": "kep", "env": env(deps)}
    app = {"name": "app", "image": "app"}
    spec: dict[str, Any] = {"serviceAccountName": account,
                            "initContainers": [container] if init and deps else [],
                            "containers": [app] if init or not deps else [{**app, "env": env(deps)}]}
    return {"metadata": {"labels": labels}, "spec": spec}


def deployment(name: str, deps: dict[str, str] | None = None, labels: dict[str, str] | None = None,
               **kw: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels or {"app": name}},
                     "template": template(labels or {"app": name}, deps or {}, **kw)}}


def job(name: str, deps: dict[str, str] | None = None, hook: str = "", weight: str = "",
        labels: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    annotations = {k: v for k, v in (("helm.sh/hook", hook), ("helm.sh/hook-weight", weight)) if v}
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "labels": labels or {"job": name}, "annotations": annotations},
            "spec": {"template": template({"job-name": name}, deps or {}, **kw)}}


def service(name: str, selector: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": selector or {"app": name}, "ports": [{"port": 80}], **spec}}


def text(*objects: dict[str, Any]) -> str:
    return "".join("---\n" + yaml.safe_dump(o, sort_keys=False) for o in objects)


def jobs_json(*items: dict[str, Any]) -> str:
    return json.dumps(list(items))
