"""Object storage, resourceVersions, event history and watchers of the fake API server.

What it copies from the real server (k8s.io/apiserver, k8s.io/apimachinery):

* one global resourceVersion counter, bumped by every write; a write that changes nothing
  is not a write (no new resourceVersion, no watch event), like etcd3 GuaranteedUpdate;
* the main resource ignores `.status` and the `/status` subresource only takes `.status`
  for kinds that have a status subresource; create resets `.status`;
* `metadata.generation` starts at 1 and grows when anything but metadata/status changes;
* per-resource bounded event history; a watch from a resourceVersion older than the
  history gets `too old resource version: X (Y)` (storage/cacher/watch_cache_history.go);
* watch filtering like storage/cacher/cache_watcher.go convertToWatchEvent: an object that
  starts matching a selector arrives as ADDED, one that stops matching as DELETED carrying
  its previous content with the new resourceVersion;
* deletion with finalizers only sets deletionTimestamp; the object goes once they are gone.
"""

from __future__ import annotations

import base64
import bisect
import copy
import datetime as _dt
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from .selectors import (
    FieldSelector,
    LabelSelector,
    _DNS1123_SUBDOMAIN_FMT,
    _DNS1123_SUBDOMAIN_RE,
    _SUBDOMAIN_ERR,
    _go_quote,
    _regex_error,
    dotted,
)

Obj = dict[str, Any]


# ---------------------------------------------------------------- errors


class ApiError(Exception):
    """An answer that is a metav1.Status (or, with `text`, a plain-text body as Go's http.Error)."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.text = text

    def status(self) -> Obj:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(code: int, reason: str, message: str, details: dict[str, Any] | None) -> Obj:
    """metav1.Status as the real server encodes it: empty fields left out, `metadata: {}` kept."""
    body: Obj = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure"}
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details is not None:
        d: Obj = {}
        for k in ("name", "group", "kind", "uid", "causes", "retryAfterSeconds"):
            if details.get(k):
                d[k] = details[k]
        body["details"] = d
    body["code"] = code
    return body


def _details(rt: "ResourceType", name: str = "") -> dict[str, Any]:
    return {"name": name, "group": rt.group, "kind": rt.plural}


def not_found(rt: "ResourceType", name: str) -> ApiError:
    # errors.NewNotFound: `pods "x" not found`, `jobs.batch "x" not found`
    return ApiError(404, "NotFound", f"{rt.qualified} {_go_quote(name)} not found", _details(rt, name))


def already_exists(rt: "ResourceType", name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f"{rt.qualified} {_go_quote(name)} already exists", _details(rt, name))


def conflict(rt: "ResourceType", name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f"Operation cannot be fulfilled on {rt.qualified} {_go_quote(name)}: the object has been modified; "
        "please apply your changes to the latest version and try again",
        _details(rt, name),
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def invalid(rt: "ResourceType", name: str, field_path: str, cause_type: str, detail: str) -> ApiError:
    # errors.NewInvalid: `Pod "x" is invalid: metadata.name: Invalid value: ...`
    kind = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
    return ApiError(
        422,
        "Invalid",
        f"{kind} {_go_quote(name)} is invalid: {field_path}: {detail}",
        {"name": name, "group": rt.group, "kind": rt.kind,
         "causes": [{"reason": cause_type, "message": detail, "field": field_path}]},
    )


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


# ---------------------------------------------------------------- resource types


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status_subresource: bool = True
    builtin: bool = False
    has_generation: bool = True
    initial_status: Obj | None = None
    """Status after create (None: `.status` is removed, as for custom resources)."""
    fields: tuple[str, ...] = ()
    """Selectable fields beyond metadata.name / metadata.namespace."""
    return_deleted_object: bool = False
    create_on_update: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.plural)

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()

    def field_supported(self, name: str) -> str | None:
        # The same text for custom resources: a real kube-apiserver 1.32 answers "field label not
        # supported: spec.foo" for a CRD too (tests/fakeapi/test_selectors.py, run against both).
        if name in ("metadata.name", "metadata.namespace") or name in self.fields:
            return None
        return f"field label not supported: {name}"

    def selectable_fields(self, obj: Obj) -> dict[str, str]:
        md = obj.get("metadata") or {}
        out = {"metadata.name": md.get("name", ""), "metadata.namespace": md.get("namespace", "")}
        for f in self.fields:
            v = dotted(obj, f)
            if isinstance(v, bool):
                v = "true" if v else "false"
            out[f] = "" if v is None else str(v)
        return out


_POD_FIELDS = (
    "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
)

BUILTINS: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "Pod", "pods", True, "pod", ("po",), ("all",), True, True, True,
                 {"phase": "Pending", "qosClass": "BestEffort"}, _POD_FIELDS, return_deleted_object=True),
    ResourceType("", "v1", "Service", "services", True, "service", ("svc",), ("all",), True, True, False,
                 {"loadBalancer": {}}, return_deleted_object=True),
    ResourceType("", "v1", "Endpoints", "endpoints", True, "endpoints", ("ep",), (), False, True, False,
                 create_on_update=True),
    # endpointslice strategy: generation 1 on create, +1 on any non-metadata change.
    ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, "endpointslice", (), (),
                 False, True, True),
    ResourceType("batch", "v1", "Job", "jobs", True, "job", (), ("all",), True, True, True, {},
                 ("status.successful",)),
    ResourceType("apps", "v1", "DaemonSet", "daemonsets", True, "daemonset", ("ds",), ("all",), True, True, True,
                 {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0,
                  "numberReady": 0}),
    ResourceType("apps", "v1", "Deployment", "deployments", True, "deployment", ("deploy",), ("all",), True, True,
                 True, {}),
    # core/v1 Events, as kep records them on its pod; the fields kubectl describe selects on.
    ResourceType("", "v1", "Event", "events", True, "event", ("ev",), (), False, True, False, None,
                 ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                  "reason", "type")),
)


# ---------------------------------------------------------------- helpers


def now_rfc3339() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_TOP_ORDER = ("kind", "apiVersion", "metadata")
_META_ORDER = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
               "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
               "finalizers", "managedFields")


def _in_order(d: Obj, first: tuple[str, ...]) -> Obj:
    out: Obj = {k: d[k] for k in first if k in d}
    out.update((k, v) for k, v in d.items() if k not in out)
    return out


def ordered(obj: Obj) -> Obj:
    """Keys in the order the real server prints them: kind, apiVersion, metadata (name,
    namespace, uid, resourceVersion, ...), then the rest as given."""
    out = _in_order(obj, _TOP_ORDER)
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = _in_order(out["metadata"], _META_ORDER)
    return out


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


class PatchError(Exception):
    pass


def _ptr(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError(f"missing value at {p!r}")
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise PatchError(f"invalid index {p!r}") from None
        else:
            raise PatchError(f"cannot descend into {p!r}")
    return cur


def json_patch(doc: Any, ops: Any) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test)."""
    if not isinstance(ops, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)

    def get(path: str) -> Any:
        return _walk(doc, _ptr(path))

    def remove(path: str) -> Any:
        parts = _ptr(path)
        if not parts:
            raise PatchError("cannot remove the root")
        parent = _walk(doc, parts[:-1])
        last = parts[-1]
        if isinstance(parent, dict):
            if last not in parent:
                raise PatchError(f"missing value at {path!r}")
            return parent.pop(last)
        if isinstance(parent, list):
            try:
                return parent.pop(int(last))
            except (ValueError, IndexError):
                raise PatchError(f"invalid index at {path!r}") from None
        raise PatchError(f"invalid path {path!r}")

    def add(path: str, value: Any, replace: bool = False) -> None:
        nonlocal doc
        parts = _ptr(path)
        if not parts:
            doc = copy.deepcopy(value)
            return
        parent = _walk(doc, parts[:-1])
        last = parts[-1]
        if isinstance(parent, dict):
            if replace and last not in parent:
                raise PatchError(f"missing value at {path!r}")
            parent[last] = copy.deepcopy(value)
        elif isinstance(parent, list):
            if last == "-" and not replace:
                parent.append(copy.deepcopy(value))
                return
            try:
                i = int(last)
            except ValueError:
                raise PatchError(f"invalid index at {path!r}") from None
            if replace:
                if not 0 <= i < len(parent):
                    raise PatchError(f"invalid index at {path!r}")
                parent[i] = copy.deepcopy(value)
            else:
                if not 0 <= i <= len(parent):
                    raise PatchError(f"invalid index at {path!r}")
                parent.insert(i, copy.deepcopy(value))
        else:
            raise PatchError(f"invalid path {path!r}")

    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError("every operation needs 'op' and 'path'")
        kind, path = op["op"], op["path"]
        if kind == "add":
            add(path, op.get("value"))
        elif kind == "remove":
            remove(path)
        elif kind == "replace":
            add(path, op.get("value"), replace=True)
        elif kind == "move":
            add(path, remove(op["from"]))
        elif kind == "copy":
            add(path, get(op["from"]))
        elif kind == "test":
            if get(path) != op.get("value"):
                raise PatchError(f"testing value {path} failed")
        else:
            raise PatchError(f"unexpected operation {kind!r}")
    return doc


_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def _validate_name(rt: ResourceType, name: str) -> None:
    errs = []
    if len(name) > 253:
        errs.append("must be no more than 253 characters")
    if not _DNS1123_SUBDOMAIN_RE.match(name):
        errs.append(_regex_error(_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    if errs:
        raise invalid(rt, name, "metadata.name", "FieldValueInvalid",
                      f"Invalid value: {_go_quote(name)}: {'; '.join(errs)}")


def _spec_part(rt: ResourceType, obj: Obj) -> Obj:
    skip = {"metadata", "kind", "apiVersion"}
    if rt.status_subresource:
        skip.add("status")
    return {k: v for k, v in obj.items() if k not in skip}


def _same_content(a: Obj, b: Obj) -> bool:
    def strip(o: Obj) -> Obj:
        o = dict(o)
        md = dict(o.get("metadata") or {})
        md.pop("resourceVersion", None)
        o["metadata"] = md
        return o

    return strip(a) == strip(b)


# ---------------------------------------------------------------- events and watchers


class Event:
    """One write. `obj` is the new state (None for a delete); `prev` the previous state
    (for a delete: the deleted object, already carrying the delete's resourceVersion)."""

    __slots__ = ("rv", "obj", "prev", "_enc", "_prev_at_rv")

    def __init__(self, rv: int, obj: Obj | None, prev: Obj | None) -> None:
        self.rv = rv
        self.obj = obj
        self.prev = prev
        self._enc: dict[str, bytes] = {}
        self._prev_at_rv: Obj | None = None

    def encoded(self, etype: str) -> bytes:
        """The newline-terminated watch frame of this event as `etype`, cached for all watchers."""
        b = self._enc.get(etype)
        if b is None:
            b = encode_event(etype, self.object_for(etype))
            self._enc[etype] = b
        return b

    def object_for(self, etype: str) -> Obj:
        if etype in ("ADDED", "MODIFIED"):
            assert self.obj is not None
            return self.obj
        assert self.prev is not None
        if self.obj is None:
            return self.prev
        # Stopped matching: the previous content with this event's resourceVersion.
        if self._prev_at_rv is None:
            p = dict(self.prev)
            p["metadata"] = dict(p.get("metadata") or {}, resourceVersion=str(self.rv))
            self._prev_at_rv = p
        return self._prev_at_rv


def encode_event(etype: str, obj: Obj) -> bytes:
    return json.dumps({"type": etype, "object": obj}, separators=(",", ":")).encode() + b"\n"


@dataclass
class History:
    capacity: int
    events: list[Event] = field(default_factory=list)
    rvs: list[int] = field(default_factory=list)
    floor: int = 0
    """A watch may start at any resourceVersion >= floor: every later event is kept."""

    def append(self, ev: Event) -> None:
        self.events.append(ev)
        self.rvs.append(ev.rv)
        if len(self.events) > self.capacity:
            drop = len(self.events) - self.capacity
            del self.events[:drop]
            del self.rvs[:drop]
            # watch_cache_history.go: oldest-1, where oldest is the first event still kept.
            self.floor = self.events[0].rv - 1

    def after(self, rv: int) -> list[Event]:
        return self.events[bisect.bisect_right(self.rvs, rv):]


class Watcher:
    """Cursor of one watch stream over one resource type."""

    def __init__(
        self,
        store: "Store",
        rt: ResourceType,
        namespace: str | None,
        labels: LabelSelector | None,
        fields: FieldSelector | None,
        last_rv: int,
    ) -> None:
        self.store = store
        self.rt = rt
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.last_rv = last_rv
        self.closed = False
        self.epoch = store.drop_epoch

    def matches(self, obj: Obj) -> bool:
        md = obj.get("metadata") or {}
        if self.namespace and md.get("namespace") != self.namespace:
            return False
        if self.labels is not None and not self.labels.matches(md.get("labels")):
            return False
        if self.fields is not None and not self.fields.matches(self.rt.selectable_fields(obj)):
            return False
        return True

    def frames(self, events: Iterable[Event]) -> list[bytes]:
        out = []
        for ev in events:
            cur = ev.obj is not None and self.matches(ev.obj)
            old = ev.prev is not None and self.matches(ev.prev)
            if cur and not old:
                out.append(ev.encoded("ADDED"))
            elif cur and old:
                out.append(ev.encoded("MODIFIED"))
            elif old:
                out.append(ev.encoded("DELETED"))
        return out

    def poll(self, timeout: float) -> tuple[list[Event], int] | None:
        """Wait up to `timeout` for events newer than the cursor.

        Returns (events, rv): every event of this resource up to `rv` is in `events`, so a
        bookmark at `rv` is truthful once they are sent. None: the stream must end (server
        stopping, watches dropped, or the watcher fell behind the history window)."""
        st = self.store
        deadline = time.monotonic() + max(timeout, 0.0)
        with st.cond:
            while True:
                if self.closed or st.stopped or self.epoch != st.drop_epoch:
                    return None
                hist = st.history(self.rt)
                if self.last_rv < hist.floor:
                    return None
                evs = hist.after(self.last_rv)
                if evs:
                    self.last_rv = evs[-1].rv
                    return evs, st.rv
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return [], st.rv
                st.cond.wait(remaining)


# ---------------------------------------------------------------- the store


class Store:
    def __init__(self, resource_types: Iterable[ResourceType], history: int = 1000, start_rv: int = 100) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.rv = start_rv
        self.history_size = history
        self.types: dict[tuple[str, str], ResourceType] = {}
        self._objects: dict[tuple[str, str], dict[tuple[str, str], Obj]] = {}
        self._histories: dict[tuple[str, str], History] = {}
        self.stopped = False
        self.drop_epoch = 0
        self._watchers: set[Watcher] = set()
        for rt in resource_types:
            self.add_type(rt)

    def add_type(self, rt: ResourceType) -> None:
        with self.cond:
            self.types[rt.key] = rt
            self._objects.setdefault(rt.key, {})
            self._histories.setdefault(rt.key, History(self.history_size))

    def history(self, rt: ResourceType) -> History:
        return self._histories[rt.key]

    def find(self, api_version: str, plural: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        rt = self.types.get((group, plural))
        if rt is None or rt.version != version:
            raise KeyError(f"no resource {plural!r} in {api_version!r}")
        return rt

    def find_kind(self, api_version: str, kind: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        for rt in self.types.values():
            if rt.group == group and rt.version == version and rt.kind == kind:
                return rt
        raise KeyError(f"no kind {kind!r} in {api_version!r}")

    # -------------------------------------------------------------- writes

    def _commit(self, rt: ResourceType, key: tuple[str, str], new: Obj | None, prev: Obj | None) -> Obj | None:
        """Store `new` (None: delete) under a fresh resourceVersion and record the event."""
        self.rv += 1
        rv = self.rv
        objs = self._objects[rt.key]
        if new is not None:
            new["metadata"]["resourceVersion"] = str(rv)
            new = ordered(new)
            objs[key] = new
            ev = Event(rv, new, prev)
        else:
            objs.pop(key, None)
            assert prev is not None
            gone = dict(prev)
            gone["metadata"] = dict(prev["metadata"], resourceVersion=str(rv))
            ev = Event(rv, None, gone)
        self._histories[rt.key].append(ev)
        self.cond.notify_all()
        return new

    def _check_body(self, rt: ResourceType, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be a JSON object")
        av, kind = body.get("apiVersion"), body.get("kind")
        if av and av != rt.api_version:
            raise bad_request(
                f"the API version in the data ({av}) does not match the expected API version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")
        md = body.get("metadata")
        if md is not None and not isinstance(md, dict):
            raise bad_request("metadata must be an object")
        return body

    def create(self, rt: ResourceType, namespace: str | None, body: Any, *, keep_status: bool = False,
               strict: bool = True) -> Obj:
        body = self._check_body(rt, body)
        obj = copy.deepcopy(body)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        md = obj.setdefault("metadata", {})
        if strict and md.get("resourceVersion"):
            raise bad_request("resourceVersion should not be set on objects to be created")
        for k in ("resourceVersion", "uid", "creationTimestamp", "generation", "deletionTimestamp",
                  "deletionGracePeriodSeconds", "managedFields", "selfLink"):
            md.pop(k, None)
        if rt.namespaced:
            ns = md.get("namespace") or namespace
            if namespace and md.get("namespace") and md["namespace"] != namespace:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
            if not ns:
                raise bad_request("the server could not find the requested resource")
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
            ns = ""
        with self.cond:
            name = md.get("name") or ""
            if not name:
                gen = md.get("generateName") or ""
                if not gen:
                    raise invalid(rt, "", "metadata.name", "FieldValueRequired",
                                  "Required value: name or generateName is required")
                for _ in range(100):
                    name = gen + "".join(random.choice(_NAME_CHARS) for _ in range(5))
                    if (ns, name) not in self._objects[rt.key]:
                        break
                md["name"] = name
            _validate_name(rt, name)
            key = (ns, name)
            if key in self._objects[rt.key]:
                raise already_exists(rt, name)
            md["uid"] = str(uuid.uuid4())
            md["creationTimestamp"] = now_rfc3339()
            if rt.has_generation:
                md["generation"] = 1
            if rt.status_subresource and not (keep_status and "status" in obj):
                if rt.initial_status is None:
                    obj.pop("status", None)
                else:
                    obj["status"] = copy.deepcopy(rt.initial_status)
            new = self._commit(rt, key, obj, None)
            assert new is not None
            return copy.deepcopy(new)

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        with self.cond:
            obj = self._objects[rt.key].get(((namespace or "") if rt.namespaced else "", name))
            if obj is None:
                raise not_found(rt, name)
            return copy.deepcopy(obj)

    def update(self, rt: ResourceType, namespace: str | None, name: str, body: Any, *,
               subresource: str | None = None, full: bool = False) -> Obj:
        body = self._check_body(rt, body)
        ns = (namespace or "") if rt.namespaced else ""
        bmd = body.get("metadata") or {}
        if bmd.get("name") and bmd["name"] != name:
            raise bad_request(f"the name of the object ({bmd['name']}) does not match the name on the URL ({name})")
        if rt.namespaced and bmd.get("namespace") and bmd["namespace"] != ns:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        with self.cond:
            old = self._objects[rt.key].get((ns, name))
            if old is None:
                if rt.create_on_update and subresource is None:
                    b = copy.deepcopy(body)
                    b.setdefault("metadata", {})["name"] = name
                    b["metadata"].pop("resourceVersion", None)
                    return self.create(rt, ns or None, b, keep_status=True)
                raise not_found(rt, name)
            rv = bmd.get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise conflict(rt, name)
            if subresource == "status" and rt.status_subresource:
                new = copy.deepcopy(old)
                if "status" in body:
                    new["status"] = copy.deepcopy(body["status"])
                else:
                    new.pop("status", None)
            else:
                new = copy.deepcopy(body)
                new["apiVersion"], new["kind"] = rt.api_version, rt.kind
                if rt.status_subresource and not full:
                    if "status" in old:
                        new["status"] = copy.deepcopy(old["status"])
                    else:
                        new.pop("status", None)
                md = new.setdefault("metadata", {})
                omd = old["metadata"]
                md["name"] = name
                if rt.namespaced:
                    md["namespace"] = ns
                for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "generation"):
                    if k in omd:
                        md[k] = omd[k]
                    else:
                        md.pop(k, None)
                md["resourceVersion"] = omd["resourceVersion"]
                if rt.has_generation and _spec_part(rt, new) != _spec_part(rt, old):
                    md["generation"] = int(omd.get("generation") or 0) + 1
            return self._finish_update(rt, (ns, name), new, old)

    def _finish_update(self, rt: ResourceType, key: tuple[str, str], new: Obj, old: Obj) -> Obj:
        new = ordered(new)
        if _same_content(new, old):
            return copy.deepcopy(old)
        md = new["metadata"]
        if md.get("deletionTimestamp") and not md.get("finalizers"):
            self._commit(rt, key, None, old)
            return copy.deepcopy(new)
        out = self._commit(rt, key, new, old)
        assert out is not None
        return copy.deepcopy(out)

    def patch(self, rt: ResourceType, namespace: str | None, name: str, patch: Any, patch_type: str = "merge", *,
              subresource: str | None = None) -> Obj:
        ns = (namespace or "") if rt.namespaced else ""
        with self.cond:
            old = self._objects[rt.key].get((ns, name))
            if old is None:
                raise not_found(rt, name)
            if patch_type == "json":
                try:
                    body = json_patch(old, patch)
                except PatchError as e:
                    raise ApiError(422, "Invalid", f"the server rejected our request due to an error in our request: {e}",
                                   {}) from None
            else:
                if not isinstance(patch, dict):
                    raise bad_request("a merge patch must be a JSON object")
                body = merge_patch(old, patch)
            if not isinstance(body, dict):
                raise bad_request("the patch did not produce a JSON object")
            return self.update(rt, ns or None, name, body, subresource=subresource)

    def delete(self, rt: ResourceType, namespace: str | None, name: str,
               preconditions: dict[str, Any] | None = None) -> tuple[Obj, bool]:
        """Returns (object, deleted_now). With finalizers the object only gets a deletionTimestamp."""
        ns = (namespace or "") if rt.namespaced else ""
        with self.cond:
            old = self._objects[rt.key].get((ns, name))
            if old is None:
                raise not_found(rt, name)
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != old["metadata"].get("uid"):
                raise ApiError(409, "Conflict",
                               f"Operation cannot be fulfilled on {rt.qualified} {_go_quote(name)}: Precondition failed: "
                               f"UID in precondition: {pre['uid']}, UID in object meta: {old['metadata'].get('uid')}",
                               _details(rt, name))
            if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict",
                               f"Operation cannot be fulfilled on {rt.qualified} {_go_quote(name)}: Precondition failed: "
                               f"ResourceVersion in precondition: {pre['resourceVersion']}, ResourceVersion in object "
                               f"meta: {old['metadata']['resourceVersion']}", _details(rt, name))
            if old["metadata"].get("finalizers"):
                if old["metadata"].get("deletionTimestamp"):
                    return copy.deepcopy(old), False
                new = copy.deepcopy(old)
                new["metadata"]["deletionTimestamp"] = now_rfc3339()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
                out = self._commit(rt, (ns, name), new, old)
                assert out is not None
                return copy.deepcopy(out), False
            self._commit(rt, (ns, name), None, old)
            return copy.deepcopy(old), True

    # -------------------------------------------------------------- reads

    def list(self, rt: ResourceType, namespace: str | None, labels: LabelSelector | None = None,
             fields: FieldSelector | None = None, after_key: tuple[str, str] | None = None) -> tuple[list[Obj], int]:
        """Matching objects in etcd key order (namespace, name), deep-copied, and the list resourceVersion."""
        with self.cond:
            items = []
            for key in sorted(self._objects[rt.key]):
                if after_key is not None and key <= after_key:
                    continue
                obj = self._objects[rt.key][key]
                md = obj["metadata"]
                if namespace and rt.namespaced and md.get("namespace") != namespace:
                    continue
                if labels is not None and not labels.matches(md.get("labels")):
                    continue
                if fields is not None and not fields.matches(rt.selectable_fields(obj)):
                    continue
                items.append(obj)
            return copy.deepcopy(items), self.rv

    def start_watch(self, rt: ResourceType, namespace: str | None, labels: LabelSelector | None,
                    fields: FieldSelector | None, resource_version: int | None,
                    too_large_wait: float = 3.0) -> tuple[Watcher, list[Obj]]:
        """A watcher from `resource_version` (None: the current state first, as synthetic ADDED objects).

        Raises ApiError 410 Expired / 504 Timeout (the handler sends them as an ERROR event)."""
        with self.cond:
            if resource_version is not None and resource_version > self.rv:
                deadline = time.monotonic() + too_large_wait
                while self.rv < resource_version and not self.stopped:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise ApiError(
                            504, "Timeout",
                            f"Timeout: Too large resource version: {resource_version}, current: {self.rv}",
                            {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                             "retryAfterSeconds": 1},
                        )
                    self.cond.wait(remaining)
            initial: list[Obj] = []
            if resource_version is None:
                initial, rv = self.list(rt, namespace, labels, fields)
            else:
                hist = self._histories[rt.key]
                if resource_version < hist.floor:
                    raise expired(f"too old resource version: {resource_version} ({hist.floor})")
                rv = resource_version
            w = Watcher(self, rt, namespace, labels, fields, rv)
            self._watchers.add(w)
            return w, initial

    def end_watch(self, w: "Watcher") -> None:
        with self.cond:
            w.closed = True
            self._watchers.discard(w)

    # -------------------------------------------------------------- control

    def compact(self) -> int:
        """Forget all event history: new watches from any older resourceVersion get 410.

        Open watches go on (the real watch cache keeps serving them); only one that had not
        yet sent an event it would now lose ends its stream, as a watcher that fell behind."""
        with self.cond:
            for w in list(self._watchers):
                if not self._histories[w.rt.key].after(w.last_rv):
                    w.last_rv = max(w.last_rv, self.rv)
            for h in self._histories.values():
                h.events.clear()
                h.rvs.clear()
                h.floor = self.rv
            return self.rv

    def drop_watchers(self) -> None:
        with self.cond:
            self.drop_epoch += 1
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


def encode_continue(rv: int, key: tuple[str, str]) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": f"{key[0]}/{key[1]}\x00"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        start = data["start"].rstrip("\x00")
        ns, _, name = start.rpartition("/")
        return int(data["rv"]), (ns, name)
    except Exception:
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") from None

