"""Kubernetes Events on kep's own pod: what it waits for, each change, and how the wait ended.

`kubectl describe pod` lists the Events whose involvedObject is the pod, asking with a field
selector on its kind, name, namespace and uid (kubectl describe.go `searchEvents`): an Event
without the pod's uid is listed by `kubectl get events`, not by describe. kep records
core/v1 Events, as client-go's EventRecorder does (tools/record): describe shows their
count ("x3 over 2m"), a repeat is one PATCH, and every cluster serves them.

- `source.component` and `reportingComponent` are `kep`; `involvedObject` is the pod, its
  uid read with the own pod (kep.kinds.pod `own_pod_query`, one GET), else the one the
  kubelet's termination-log mount names (kep.owncontainer), else none.
- An Event is named `<pod>.<nanoseconds of its first occurrence, hex>`, as client-go names
  them, so Events of one second list in the order they happened (describe sorts by
  lastTimestamp, in seconds; the API lists by name).
- Repeats are aggregated as client-go's eventLogger does (events_cache.go `eventObserve`):
  the same type, reason and message again increments `count` on the Event already posted
  (a JSON merge PATCH of count and lastTimestamp), never a new Event; repeats that come while
  one waits to be sent add to its count. A PATCH that finds the Event gone (the API server
  keeps Events an hour) posts it anew, as client-go does.
- Rate limit, as client-go's spam filter (a token bucket per source and object; there 25,
  then one per 5 minutes): at most BURST writes, then one every REFILL seconds (3 a
  minute), whatever happens. How the run ended (`finish`) is not held back by it: one
  Event per process, two when the exec of the command fails after all were met.
- Never in the way of the wait or the exec: `record` only queues (at most QUEUE distinct
  Events wait; a new one beyond is dropped, said once at debug level) and one daemon thread
  writes. `finish` waits at most FLUSH seconds, for its Event and those the rate limit lets
  go now; what is still held is lost when kep execs or exits.
- Messages are cut to MESSAGE_LIMIT bytes (events.k8s.io's limit of a note; describe shows
  each on one line). They are the log's words, masked where they are made (kep.redact).
- A 403 on a write (RBAC, or an admission webhook) stops all writes, said once at info
  level; the wait goes on unchanged. Any other failed write is a debug line, and that
  Event is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kep.api.errors import ApiError, Forbidden, NotFound
from kep.api.resources import Resource
from kep.kinds.pod import own_pod_query
from kep.reads import dig
from kep.specs import Settings
from kep.termination import clip

log = logging.getLogger(__name__)

EVENTS = Resource("", "v1", "events", True, "Event")
COMPONENT = "kep"
BURST = 5
REFILL = 20.0
"""Seconds per write once the burst is spent."""
QUEUE = 16
FLUSH = 1.0
"""Seconds `finish` waits for the Event of how the run ended to be written."""
MESSAGE_LIMIT = 1024
POSTED = 64
"""Events remembered for aggregation (client-go keeps 4096 in an LRU cache; kep has few)."""


class Sink(Protocol):
    """The API verbs the recorder uses (kep.api.client.Client)."""

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict[str, Any]: ...
    def create(self, resource: Resource, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]: ...
    def patch(self, resource: Resource, namespace: str | None, name: str, patch: dict[str, Any]) -> dict[str, Any]: ...


Key = tuple[str, str, str]
"""(type, reason, message): what makes two Events the same one."""


@dataclass
class _Note:
    """An Event to write: `count` occurrences since the last write, first and last in ns."""

    key: Key
    first: int
    last: int
    count: int = 1
    written: bool = False
    """Its write was tried (it succeeded, or it failed and was dropped)."""


@dataclass
class _Posted:
    name: str
    count: int


def stamp(ns: int) -> str:
    """RFC 3339 in seconds, UTC: the form of firstTimestamp and lastTimestamp."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns / 1e9))


class Recorder:
    """Writes Events on the own pod from a thread of its own (see the module)."""

    def __init__(self, sink: Sink, settings: Settings, *, wall: Callable[[], int] = time.time_ns,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`wall`: nanoseconds since the epoch, for timestamps and names; `clock`: seconds,
        for the rate limit."""
        self._sink = sink
        self._settings = settings
        self._wall = wall
        self._clock = clock
        self._cond = threading.Condition()
        self._queue: OrderedDict[Key, _Note] = OrderedDict()
        self._last: _Note | None = None
        self._throttled = False
        """The thread waits for the rate limit (what it may write now is written)."""
        self._refused = False
        self._dropped = 0
        self._posted: OrderedDict[Key, _Posted] = OrderedDict()
        self._tokens = float(BURST)
        self._filled_at = clock()
        self._involved: dict[str, str] = {}
        self._thread = threading.Thread(target=self._run, name="pod events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, type_: str, reason: str, message: str) -> None:
        """Queue an Event (type Normal or Warning, a CamelCase reason); never blocks on I/O."""
        key = (type_, reason, clip(message, MESSAGE_LIMIT))
        now = self._wall()
        with self._cond:
            if self._refused:
                return
            note = self._queue.get(key)
            if note is not None:
                note.count += 1
                note.last = now
            elif len(self._queue) >= QUEUE:
                self._dropped += 1
                if self._dropped == 1:
                    log.debug("Events: %d are waiting to be written; dropping new ones", QUEUE)
            else:
                self._queue[key] = _Note(key, now, now)
            self._cond.notify()

    def finish(self, type_: str, reason: str, message: str, timeout: float = FLUSH) -> None:
        """How the run ended: an Event the rate limit does not hold back, written after those
        it lets go now; returns once all of them were written, or after `timeout` seconds
        (the thread is a daemon: what is left when kep execs or exits is lost)."""
        now = self._wall()
        note = _Note((type_, reason, clip(message, MESSAGE_LIMIT)), now, now)
        with self._cond:
            if self._refused:
                return
            self._last = note
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._refused or (note.written and (self._throttled or not self._queue)),
                                timeout)

    # -- the thread ----------------------------------------------------------

    def _run(self) -> None:
        self._involved = self._pod_reference()
        while (note := self._next()) is not None:
            self._write(note)
            with self._cond:
                note.written = True
                self._cond.notify_all()

    def _next(self) -> _Note | None:
        """The next Event to write: a queued one the rate limit lets go, else how the run
        ended; None once writes are refused."""
        with self._cond:
            while not self._refused:
                wait = self._take_token() if self._queue else None
                if wait == 0.0:
                    return self._queue.popitem(last=False)[1]
                if self._last is not None:
                    note, self._last = self._last, None
                    return note
                self._throttled = wait is not None
                self._cond.notify_all()
                self._cond.wait(wait)
                self._throttled = False
            return None

    def _take_token(self) -> float:
        """0 when a write may go now (a token taken), else the seconds until one may."""
        now = self._clock()
        self._tokens = min(float(BURST), self._tokens + (now - self._filled_at) / REFILL)
        self._filled_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) * REFILL

    def _pod_reference(self) -> dict[str, str]:
        """involvedObject: the own pod, with its uid where it can be known (see the module)."""
        s = self._settings
        query = own_pod_query(s)
        assert query.resource is not None and query.name is not None
        uid = s.own_pod_uid
        try:
            found = dig(self._sink.get(query.resource, query.namespace, query.name), "metadata", "uid")
            uid = found if isinstance(found, str) and found else uid
        except ApiError as exc:
            log.debug("Events: the own pod's uid is not readable (%s); %s", exc,
                      f"the kubelet's mount names {uid}" if uid else "kubectl describe will not list them")
        reference = {"apiVersion": "v1", "kind": "Pod", "namespace": s.namespace, "name": s.pod_name}
        return {**reference, "uid": uid} if uid else reference

    def _write(self, note: _Note) -> None:
        type_, reason, message = note.key
        namespace = self._settings.namespace
        try:
            posted = self._posted.get(note.key)
            if posted is not None:
                try:
                    self._sink.patch(EVENTS, namespace, posted.name,
                                     {"count": posted.count + note.count, "lastTimestamp": stamp(note.last)})
                    posted.count += note.count
                    self._posted.move_to_end(note.key)
                    return
                except NotFound:
                    pass  # expired meanwhile: posted anew, as client-go does
            name = event_name(self._settings.pod_name, note.first)
            self._sink.create(EVENTS, namespace, {
                "apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": namespace},
                "involvedObject": self._involved, "type": type_, "reason": reason, "message": message,
                "source": {"component": COMPONENT}, "reportingComponent": COMPONENT,
                "firstTimestamp": stamp(note.first), "lastTimestamp": stamp(note.last), "count": note.count,
            })
            self._posted[note.key] = _Posted(name, note.count)
            while len(self._posted) > POSTED:
                self._posted.popitem(last=False)
        except Forbidden as exc:
            log.info("Events: %s; none are recorded on pod %s/%s (kep rbac --events prints the rule to add).",
                     exc, namespace, self._settings.pod_name)
            with self._cond:
                self._refused = True
                self._cond.notify_all()
        except ApiError as exc:
            log.debug("Events: %s %s not recorded: %s", reason, type_, exc)


def event_name(pod: str, first: int) -> str:
    """`<pod>.<first, hex>`, within the 253 characters of an object name."""
    suffix = f".{first:x}"
    return pod[:253 - len(suffix)].rstrip("-.") + suffix
