"""Typed dependency specs: what envparse produces and what kinds consume.

Each spec's str() is the reference's wording (people grep logs for it).
Specs are hashable values so the engine can key state by them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kep import redact

Labels = tuple[tuple[str, str], ...]
"""Label map as sorted (key, value) pairs, hashable."""

PathPart = str | int
"""One step of a field path: a map key or a list index."""


def format_labels(labels: Labels) -> str:
    """Go's fmt of a map[string]string, keys sorted: map[k1:v1 k2:v2]."""
    return "map[" + " ".join(f"{k}:{v}" for k, v in labels) + "]"


def selector_of(labels: Labels) -> str:
    """Equality label selector string, as the API server takes it."""
    return ",".join(f"{k}={v}" for k, v in labels)


@dataclass(frozen=True, slots=True)
class Service:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"Service {self.name} in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class Container:
    """A container of kep's own pod (read from POD_NAME in the own namespace)."""

    name: str

    def __str__(self) -> str:
        return f"Container {self.name}"


@dataclass(frozen=True, slots=True)
class DaemonSet:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"Daemonset {self.name} in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class Job:
    """A job by name, or every job matching labels (exactly one of the two is set)."""

    namespace: str
    name: str = ""
    labels: Labels = ()

    def __str__(self) -> str:
        if self.name:
            return f"Job {self.name} in namespace {self.namespace}"
        return f"Jobs with labels {format_labels(self.labels)} in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class Pod:
    namespace: str
    labels: Labels
    require_same_node: bool = False

    def __str__(self) -> str:
        where = "Pod on same host" if self.require_same_node else "Pod"
        return f"{where} with labels {format_labels(self.labels)} in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """A field of a resource that must equal `value` (compared as `json_text`)."""

    key: str
    """The key as the user wrote it, for messages."""
    path: tuple[PathPart, ...]
    value: str


def json_text(value: Any) -> str:
    """How a value compares, wanted (from the environment) or found (in an object): a string
    as is, anything else as compact JSON with sorted keys. Integral floats print without a
    fraction (3.0 -> "3"), so `3` and `3.0` mean the same thing on either side."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    type: str
    status: str = "True"


@dataclass(frozen=True, slots=True)
class CustomResource:
    """Any API object (CRD or built-in) found by discovery of apiVersion + kind."""

    api_version: str
    kind: str
    namespace: str
    name: str
    fields: tuple[FieldCheck, ...] = ()
    conditions: tuple[ConditionCheck, ...] = ()

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} ({self.api_version}) in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class Socket:
    path: str

    def __str__(self) -> str:
        return f"Socket {self.path}"


@dataclass(frozen=True, slots=True)
class Config:
    """A config file rendered from /configmaps/<basename>/<basename>."""

    path: str

    def __str__(self) -> str:
        return f"Config {self.path}"


@dataclass(frozen=True, slots=True)
class Tcp:
    """A TCP endpoint outside Kubernetes: met when a connection opens."""

    host: str
    """A name (resolved at every attempt), an IPv4 address, or an IPv6 address without brackets."""
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"TCP {host}:{self.port}"


Headers = tuple[tuple[str, str], ...]
"""Request headers as (name, value) pairs, in the user's order."""


@dataclass(frozen=True, slots=True, repr=False)
class Http:
    """An HTTP(S) endpoint: met when `method` on `url` answers one of `statuses`
    (any 2xx when empty), redirects followed. The URL and the header values may
    hold credentials: str() and repr() mask them."""

    url: str
    method: str = "GET"
    statuses: frozenset[int] = frozenset()
    headers: Headers = ()
    ca_file: str = ""
    """Verify the server against this PEM file instead of the bundled CA set."""
    insecure: bool = False
    """Do not verify the server's certificate (TLS still encrypts)."""

    def __str__(self) -> str:
        method = "" if self.method == "GET" else f"{self.method} "
        return f"HTTP {method}{redact.url(self.url)}"

    def __repr__(self) -> str:
        return f"<{self}>"


Spec = Service | Container | DaemonSet | Job | Pod | CustomResource | Socket | Config | Tcp | Http

API_SPECS = (Service, Container, DaemonSet, Job, Pod, CustomResource)
"""Spec types that need the Kubernetes API (socket, config, tcp and http are local)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A dependency as a `kep check` row, its JSON and a JSON log line name it: `kind`,
    `namespace` ("" when none), `name` (labels as `k=v,...` for label-matched items).

    One naming scheme, so that a column or a filter on `kind` reads alike for every row: an
    API dependency's kind is the Kubernetes kind of what it waits for (Service, DaemonSet,
    a custom resource's own kind; Container, which is no API kind, is capitalised alike);
    a local one's is the first word of its log lines (Socket, Config, TCP, HTTP)."""

    kind: str
    namespace: str
    name: str


def identity(spec: Spec, settings: Settings) -> Identity:
    match spec:
        case Service(namespace=ns, name=name):
            return Identity("Service", ns, name)
        case Container(name=name):
            return Identity("Container", settings.namespace, f"{settings.pod_name}/{name}")
        case DaemonSet(namespace=ns, name=name):
            return Identity("DaemonSet", ns, name)
        case Job(namespace=ns, name=name, labels=labels):
            return Identity("Job", ns, name or selector_of(labels))
        case Pod(namespace=ns, labels=labels):
            return Identity("Pod", ns, selector_of(labels))
        case CustomResource(kind=kind, namespace=ns, name=name):
            return Identity(kind, ns, name)
        case Socket() | Config() | Tcp() | Http():
            kind, _, name = str(spec).partition(" ")  # an URL's credentials masked
            return Identity(kind, "", name)
    return Identity(type(spec).__name__, "", str(spec))


@dataclass(frozen=True, slots=True)
class Settings:
    """Knobs and common environment, validated."""

    namespace: str = "default"
    pod_name: str = ""
    interface_name: str = ""
    interval: float = 2.0
    timeout: float = 0.0
    progress_interval: float = 30.0
    fail_on_job_failure: bool = False
    watch: bool = True
    """List+watch where RBAC allows it; False polls every collection at `interval`."""
    strict_rbac: bool = False
    """Exit 4 when the RBAC preflight finds reads that are not allowed (else keep waiting)."""
    debug: bool = False
    log_format: str = "text"
    """"text" (the reference's lines) or "json"."""
    configmaps_dir: str = "/configmaps"
    termination_log: str = "/dev/termination-log"
    """The termination message file (KEP_TERMINATION_LOG; kep.termination); "" for none."""
    command: tuple[str, ...] = ()
    """From COMMAND; arguments after `--` win over it (decided in cli)."""
    own_container: str = ""
    own_pod_uid: str = ""
    """The container kep runs in and its pod's uid, where the kubelet's termination-log mount
    names them (kep.owncontainer; set by cli, not from the environment); "" when unknown."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything parsed from the environment."""

    specs: tuple[Spec, ...]
    settings: Settings
    warnings: tuple[str, ...] = field(default=())

    @property
    def needs_api(self) -> bool:
        return any(isinstance(s, API_SPECS) for s in self.specs)
