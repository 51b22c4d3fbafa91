"""A container's environment as the kubelet gives it, rebuilt from the pod object, so that
`kep status` parses each waiting container's `DEPENDENCY_*` with that pod's own values
(kubernetes v1.32 pkg/kubelet/kubelet_pods.go `makeEnvironmentVariables`):

- `envFrom` first, in order (a later source wins), each key of the ConfigMap with the
  source's `prefix`; then `env`, in order, each entry overriding what came before.
- `value` has `$(NAME)` replaced by a variable defined before it, `$$` by `$`, and an
  undefined `$(NAME)` left as written (third_party/forked/golang/expansion `Expand`).
- `fieldRef` is read from the pod as the kubelet reads it (`podFieldSelectorRuntimeValue`,
  fieldpath `ExtractFieldPathAsString`): `metadata.name`, `.namespace`, `.uid`,
  `.labels['k']`, `.annotations['k']`, `spec.nodeName`, `spec.serviceAccountName`,
  `status.hostIP(s)`, `status.podIP(s)`.
- `configMapKeyRef` and `configMapRef` are read through `configmap` (kep status lists the
  ConfigMaps of a namespace once; ConfigMaps hold configuration, not credentials).
- `secretKeyRef`, `secretRef`, `resourceFieldRef`: not read. A Secret is a privilege kep
  must never need, and a resource value cannot matter to kep; such a variable is
  *unknown*, with why, and never guessed.

The service-link variables (`<SERVICE>_SERVICE_HOST`...) are left out: kep reads none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kep.reads import dig

ConfigMapData = Callable[[str, str], "Mapping[str, str] | str"]
"""(namespace, name) -> the ConfigMap's data, or why it cannot be read."""

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_KEYED_FIELD = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


@dataclass(frozen=True, slots=True)
class Environment:
    values: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    """Variable -> why its value is not known here."""
    unread: tuple[str, ...] = ()
    """Sources whose variable names are not known either (an envFrom Secret)."""


def environment(pod: Mapping[str, Any], container: Mapping[str, Any], configmap: ConfigMapData) -> Environment:
    namespace = str(dig(pod, "metadata", "namespace", default="") or "")
    env = Environment()
    unread: list[str] = []
    for source in container.get("envFrom") or ():
        prefix = str(source.get("prefix") or "")
        if isinstance(source.get("secretRef"), dict):
            unread.append(f"envFrom secret {source['secretRef'].get('name', '')} (kep status reads no Secret)")
            continue
        ref = source.get("configMapRef") or {}
        data = configmap(namespace, str(ref.get("name", "")))
        if isinstance(data, str):
            if not ref.get("optional"):
                unread.append(f"envFrom configmap {ref.get('name', '')}: {data}")
            continue
        for key, value in data.items():
            if _ENV_NAME.match(prefix + key):
                _set(env, prefix + key, value)
    for entry in container.get("env") or ():
        name = str(entry.get("name", ""))
        source = entry.get("valueFrom")
        if not isinstance(source, dict):
            _set(env, name, expand(str(entry.get("value") or ""), env.values))
            continue
        found = _value_from(pod, namespace, source, configmap)
        if found is None:
            env.values.pop(name, None)
            env.unknown.pop(name, None)  # an optional key that is missing: the variable is not set
        elif isinstance(found, Unknown):
            env.values.pop(name, None)
            env.unknown[name] = found.why
        else:
            _set(env, name, found)
    return Environment(env.values, env.unknown, tuple(unread))


@dataclass(frozen=True, slots=True)
class Unknown:
    why: str


def _set(env: Environment, name: str, value: str) -> None:
    env.values[name] = value
    env.unknown.pop(name, None)


def _value_from(pod: Mapping[str, Any], namespace: str, source: Mapping[str, Any],
                configmap: ConfigMapData) -> str | Unknown | None:
    """The value, Unknown, or None where the kubelet leaves the variable out."""
    if isinstance(source.get("fieldRef"), dict):
        return field_value(pod, str(source["fieldRef"].get("fieldPath", "")))
    if isinstance(source.get("configMapKeyRef"), dict):
        ref = source["configMapKeyRef"]
        data = configmap(namespace, str(ref.get("name", "")))
        key = str(ref.get("key", ""))
        if isinstance(data, str):
            return None if ref.get("optional") else Unknown(f"configmap {ref.get('name', '')}: {data}")
        if key not in data:
            return None if ref.get("optional") else Unknown(f"configmap {ref.get('name', '')} has no key {key}")
        return data[key]
    if isinstance(source.get("secretKeyRef"), dict):
        return Unknown(f"from secret {source['secretKeyRef'].get('name', '')} (kep status reads no Secret)")
    return Unknown("from resourceFieldRef (not read by kep status)")


def field_value(pod: Mapping[str, Any], path: str) -> str | Unknown:
    """A downward-API fieldRef's value, as the kubelet computes it from the pod."""
    simple = {
        "metadata.name": ("metadata", "name"), "metadata.namespace": ("metadata", "namespace"),
        "metadata.uid": ("metadata", "uid"), "spec.nodeName": ("spec", "nodeName"),
        "spec.serviceAccountName": ("spec", "serviceAccountName"), "status.hostIP": ("status", "hostIP"),
        "status.podIP": ("status", "podIP"),
    }
    if path in simple:
        return str(dig(pod, *simple[path], default="") or "")
    if path in ("status.hostIPs", "status.podIPs"):
        ips = dig(pod, "status", path.removeprefix("status."), default=None) or ()
        return ",".join(str(dig(ip, "ip", default="")) for ip in ips)
    if keyed := _KEYED_FIELD.match(path):
        return str(dig(pod, "metadata", keyed[1], keyed[2], default="") or "")
    if path in ("metadata.labels", "metadata.annotations"):
        pairs = dig(pod, "metadata", path.removeprefix("metadata."), default=None) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(pairs.items()))
    return Unknown(f"fieldRef {path} is not one the kubelet serves")


def expand(value: str, defined: Mapping[str, str]) -> str:
    """`$(NAME)` -> its value where defined (else kept as written); `$$` -> `$`."""
    out: list[str] = []
    at = 0
    while at < len(value):
        char = value[at]
        if char != "$" or at + 1 == len(value):
            out.append(char)
            at += 1
            continue
        following = value[at + 1]
        if following == "$":
            out.append("$")
            at += 2
        elif following == "(" and (close := value.find(")", at + 2)) != -1:
            name = value[at + 2:close]
            out.append(defined[name] if name in defined else f"$({name})")
            at = close + 1
        else:
            out.append("$" + following)
            at += 2
    return "".join(out)
