"""`ListWatch`, the reflector: an informer-like source of one collection's objects.

Learnt from client-go's reflector (tools/cache/reflector.go), reduced to what kep needs.

    lw = ListWatch(client, PODS, "ns", label_selector="app=x")
    threading.Thread(target=lw.run, args=(emit, stop), daemon=True).start()

`run(emit, stop)` loops until `stop` is set, calling `emit` from its own thread with:

- a `tuple[dict, ...]` -- every object now in the collection, sorted by (namespace, name):
  after each successful (re)list, and after each ADDED / MODIFIED / DELETED event
  (the dicts are shared with the store: read them, never change them);
- an `ApiError` -- when a list or watch fails after the client's own retries
  (Forbidden, Unauthorized, NotFound, ServerError, Unreachable, ...), and, until the
  first list has answered, at each failed attempt the client retries (so the first
  reason comes at once). The next tuple means the collection is readable again (every
  recovery goes through a relist, which always emits).

`live` is True while what was last emitted is known to be current: from a successful
list, and while a watch stream is open; False from the moment a stream ends until
the next one opens. `run(..., resumed=f)` calls `f()` when a watch re-opens from the
last resourceVersion (no relist, so nothing is emitted): a consumer waiting for
`live` hears of it.

`run` RETURNS after emitting a `Forbidden` whose `verb == "watch"` (the watch verb is
not granted: the engine should fall back to polling with get/list). It also returns
once `stop` is set; nothing is emitted after that. It raises nothing of its own.

The loop:
1. list (no resourceVersion: a consistent read), keep the List's resourceVersion (RV),
   replace the store (a dict keyed by (namespace, name)), emit the tuple;
2. watch from the RV with allowWatchBookmarks and a random timeoutSeconds in
   [min_timeout, max_timeout] (240-480 s by default);
   - ADDED/MODIFIED put the object, DELETED removes it; the RV follows each event;
   - BOOKMARK only moves the RV;
   - the stream ending (server timeout, dropped connection): watch again from the
     last RV, no relist. A stream that ends within `short_watch` (1 s) with no events
     counts as an error and backs off first;
   - 410 Gone (HTTP or an ERROR event): relist at once (backing off if it repeats);
   - 403 on watch: emit it and return (see above);
   - any other error: emit it, back off, relist.
3. A failed list: emit the error, back off, list again (RBAC may be granted later).

Back off = `stop.wait(backoff.next())` on a `Backoff` of 800 ms -> 30 s with equal
jitter that resets after 2 min without a delay, so `stop` ends every pause at once.
While a list or a watch read is in flight `stop` is noticed only when it returns (at the
latest at the client's read timeout): run ListWatch on daemon threads.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from kep.api.backoff import Backoff
from kep.api.errors import ApiError, Forbidden, Gone, OnRetry
from kep.api.events import ADDED, BOOKMARK, DELETED, MODIFIED, WatchEvent
from kep.api.resources import Resource

log = logging.getLogger(__name__)

Key = tuple[str, str]
Snapshot = tuple[dict[str, Any], ...]
Emit = Callable[[Snapshot | ApiError], None]


class ListWatchClient(Protocol):
    """The part of kep.api.client.Client that ListWatch uses (tests pass a fake)."""

    def list(
        self,
        resource: Resource,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        on_retry: OnRetry | None = None,
    ) -> dict[str, Any]: ...

    def watch(
        self,
        resource: Resource,
        namespace: str | None,
        *,
        resource_version: str,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int = 300,
        allow_bookmarks: bool = True,
    ) -> Iterator[WatchEvent]: ...


def object_key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return ("", "")
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def is_watch_forbidden(error: ApiError) -> bool:
    """True for the error after which ListWatch.run returns: poll instead."""
    return isinstance(error, Forbidden) and error.verb == "watch"


class ListWatch:
    """List, then watch from the list's resourceVersion; see the module docstring."""

    def __init__(
        self,
        client: ListWatchClient,
        resource: Resource,
        namespace: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        *,
        min_timeout: int = 240,
        max_timeout: int = 480,
        short_watch: float = 1.0,
        backoff: Backoff | None = None,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < min_timeout <= max_timeout:
            raise ValueError("ListWatch needs 0 < min_timeout <= max_timeout")
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.min_timeout = min_timeout
        self.max_timeout = max_timeout
        self.short_watch = short_watch
        self._rand = rand
        self._clock = clock
        self.backoff = backoff or Backoff(0.8, 30.0, jitter="equal", reset_after=120.0, rand=rand, clock=clock)
        self.resource_version: str | None = None
        """The last resourceVersion seen (list, event or bookmark); None before the first list."""
        self.live = False
        """See the module docstring."""
        self._objects: dict[Key, dict[str, Any]] = {}

    def __repr__(self) -> str:
        where = f" in {self.namespace}" if self.namespace else ""
        sel = f" {self.label_selector}" if self.label_selector else ""
        return f"ListWatch({self.resource.qualified}{where}{sel})"

    def snapshot(self) -> Snapshot:
        return tuple(self._objects[k] for k in sorted(self._objects))

    def run(self, emit: Emit, stop: threading.Event, resumed: Callable[[], None] | None = None) -> None:
        need_list = True
        gone_streak = 0
        while not stop.is_set():
            just_listed = need_list
            if need_list:
                try:
                    listed = self.client.list(
                        self.resource,
                        self.namespace,
                        label_selector=self.label_selector,
                        field_selector=self.field_selector,
                        on_retry=emit if self.resource_version is None else None,
                    )
                except ApiError as e:
                    if stop.is_set():
                        return
                    emit(e)
                    if self._pause(stop):
                        return
                    continue
                if stop.is_set():
                    return
                self._replace(listed)
                need_list = False
                self.live = True
                emit(self.snapshot())
                if stop.is_set():
                    return

            outcome, events = self._watch_once(emit, stop, None if just_listed else resumed)
            if outcome == "stop":
                return
            if outcome == "gone":
                # Relist at once; back off only when relisting keeps ending in 410 at once.
                need_list = True
                gone_streak = 1 if events else gone_streak + 1
                if gone_streak > 1 and self._pause(stop):
                    return
            elif outcome == "error":
                need_list = True
                if self._pause(stop):
                    return
            elif outcome == "short":
                if self._pause(stop):
                    return
            else:
                gone_streak = 0

    # -- steps --------------------------------------------------------------

    def _replace(self, listed: dict[str, Any]) -> None:
        items = listed.get("items") or []
        self._objects = {object_key(o): o for o in items if isinstance(o, dict)}
        meta = listed.get("metadata")
        rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
        self.resource_version = rv if isinstance(rv, str) else ""

    def _watch_once(
        self, emit: Emit, stop: threading.Event, resumed: Callable[[], None] | None
    ) -> tuple[str, int]:
        """One watch stream: ("stop" | "gone" | "error" | "short" | "ok", events seen).
        `resumed` is called once it is open (given when not right after a list)."""
        timeout = int(self.min_timeout + self._rand() * (self.max_timeout - self.min_timeout))
        started = self._clock()
        events = 0
        stream: Iterator[WatchEvent] | None = None
        try:
            stream = self.client.watch(
                self.resource,
                self.namespace,
                resource_version=self.resource_version or "",
                label_selector=self.label_selector,
                field_selector=self.field_selector,
                timeout_seconds=timeout,
                allow_bookmarks=True,
            )
            self.live = True
            if resumed is not None:
                resumed()
            for event in stream:
                if stop.is_set():
                    return "stop", events
                events += 1
                if self._apply(event):
                    emit(self.snapshot())
        except Gone:
            log.debug("%r: resourceVersion %s expired; relisting", self, self.resource_version)
            return ("stop" if stop.is_set() else "gone"), events
        except ApiError as e:
            if stop.is_set():
                return "stop", events
            emit(e)
            return ("stop" if is_watch_forbidden(e) else "error"), events
        finally:
            self.live = False
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        if stop.is_set():
            return "stop", events
        if events == 0 and self._clock() - started < self.short_watch:
            log.debug("%r: watch closed at once with no events; backing off", self)
            return "short", events
        return "ok", events

    def _apply(self, event: WatchEvent) -> bool:
        """Apply one event to the store; True when the objects changed."""
        rv = event.resource_version
        if event.type == BOOKMARK:
            if rv:
                self.resource_version = rv
            return False
        key = object_key(event.object)
        if event.type == DELETED:
            self._objects.pop(key, None)
        elif event.type in (ADDED, MODIFIED):
            self._objects[key] = event.object
        else:
            log.debug("%r: ignoring a watch event of type %r", self, event.type)
            return False
        if rv:
            self.resource_version = rv
        return True

    def _pause(self, stop: threading.Event) -> bool:
        """Back off; True when stop was set meanwhile."""
        return stop.wait(self.backoff.next())
