"""A source that keeps one query fresh with list+watch, and polls only where RBAC says no.

The reference's RBAC grants get/list but not watch: then (or when even list is
forbidden, e.g. a custom resource granted `get` only) this query alone falls
back to polling, and kep says so once.

`fresh` is True while the watch stream is healthy (ListWatch.live): the engine
then needs no read before an exec. `refresh()` reads at once when polling; a
watch that was reconnecting emits its objects again once it is live. `hold()`
passes on to the polling fallback.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from kep.api.errors import ApiError, Forbidden
from kep.api.watch import ListWatch
from kep.engine.poller import Emit, Poller
from kep.engine.fetch import Reader, fetcher
from kep.reads import Observation, Query

log = logging.getLogger(__name__)


def describe(query: Query) -> str:
    assert query.resource is not None
    what = query.resource.qualified + (f" {query.name}" if query.name else "")
    where = f" in namespace {query.namespace}" if query.namespace else ""
    selector = f" with labels {query.label_selector}" if query.label_selector else ""
    return what + where + selector


class Watcher:
    def __init__(self, query: Query, client: Any, emit: Emit, interval: float,
                 make_list_watch: Callable[..., ListWatch] = ListWatch, told: set[str] | None = None,
                 held_interval: float = math.inf) -> None:
        """`told`: refusals already said, shared by one run's watchers (said once per
        verb, resource and namespace, however many queries meet it); `held_interval`: for
        the polling fallback (Poller)."""
        assert query.resource is not None
        self.query = query
        self._told = set() if told is None else told
        self._client = client
        self._emit = emit
        self._interval = interval
        self._held_interval = held_interval
        self._stop = threading.Event()
        self._watch_stop = threading.Event()
        self._lock = threading.Lock()
        self._poller: Poller | None = None
        self._held = False
        self._list_watch = make_list_watch(
            client, query.resource, query.namespace, query.label_selector,
            f"metadata.name={query.name}" if query.name is not None else None,
        )
        self._thread = threading.Thread(target=self._run, name=f"watch {describe(query)}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._watch_stop.set()
            if self._poller is not None:
                self._poller.stop()

    @property
    def fresh(self) -> bool:
        return self._poller is None and self._list_watch.live

    def refresh(self) -> None:
        with self._lock:
            if self._poller is not None:
                self._poller.refresh()

    def hold(self, held: bool) -> None:
        """Only a polling fallback holds: an idle watch costs the API server nothing."""
        with self._lock:
            self._held = held
            if self._poller is not None:
                self._poller.hold(held)

    def _run(self) -> None:
        refused: list[ApiError] = []

        def update(value: tuple[dict[str, Any], ...] | ApiError) -> None:
            if isinstance(value, Forbidden) and (value.verb == "watch" or self.query.is_get):
                # Poll instead: a get query may be granted `get` without `list`.
                refused.append(value)
                self._watch_stop.set()  # ends the ListWatch; polling takes over below
            elif isinstance(value, ApiError):
                self._emit(self.query, Observation(error=value, at=time.monotonic()))
            else:
                self._emit(self.query, Observation(tuple(value), at=time.monotonic()))

        def resumed() -> None:
            self._emit(self.query, Observation(self._list_watch.snapshot(), at=time.monotonic()))

        self._list_watch.run(update, self._watch_stop, resumed)
        with self._lock:
            if not refused or self._stop.is_set():
                return
            assert self.query.resource is not None
            said = f"{refused[0].verb} {self.query.resource.qualified} {self.query.namespace}"
            if said not in self._told:
                self._told.add(said)
                log.info("Cannot %s %s (%s); polling it every %gs instead.",
                         refused[0].verb, describe(self.query), refused[0].label, self._interval)
            self._poller = Poller(self.query, fetcher(self._client), self._emit, self._interval,
                                  held_interval=self._held_interval)
            self._poller.hold(self._held)
            self._poller.start()


def opener(client: Reader, interval: float, watch: bool = True,
           watchable: Callable[[Query], bool] = lambda query: True,
           held_interval: float = math.inf) -> Callable[[Query, Emit], Poller | Watcher]:
    """Sources for the engine: watch where possible (`watchable`: what the RBAC preflight
    found granted); discovery documents are polled. `held_interval`: see Poller."""

    told: set[str] = set()

    def open_source(query: Query, emit: Emit) -> Poller | Watcher:
        if watch and query.discovery is None and watchable(query):
            return Watcher(query, client, emit, interval, told=told, held_interval=held_interval)
        return Poller(query, fetcher(client), emit, interval, held_interval=held_interval)

    return open_source
