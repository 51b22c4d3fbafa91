"""Sources that keep one query fresh for the engine: list+watch, or polling; and the rule
that chooses between them (`polled_because`), in one place.

A Watcher runs the reflector (kep.engine.reflector.ListWatch) on a daemon thread and
falls back to a Poller (kep.engine.poller) for good once the API server refuses the
watch, saying so once. `fresh` is True while the watch stream is healthy
(ListWatch.live): the engine then needs no read before an exec. `refresh()` reads at
once when polling; a watch that was reconnecting emits its objects again once it is
live. `hold()` passes on to the polling fallback.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from kep.api.errors import ApiError, Forbidden
from kep.engine.reflector import ListWatch
from kep.engine.poller import Emit, Poller
from kep.engine.read import Reader, fetcher
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
            if isinstance(value, ApiError) and polled_because(self.query, True, refused=value):
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


def polled_because(query: Query, watch: bool, watchable: Callable[[Query], bool] = lambda query: True,
                   refused: ApiError | None = None) -> str:
    """Why `query` is polled, or "" when it is kept fresh with list+watch. The rule, in order:

    1. `KEP_WATCH=0` (`watch` False): every query is polled.
    2. A discovery document is polled (it has no watch).
    3. The RBAC preflight found `watch` (or `list`) not granted for its resource in its
       namespace (`watchable(query)` False: kep.preflight.Preflight.watchable): polled from the
       start, instead of spending a list and a refused watch.
    4. The API server refused it (`refused`): a 403 on the watch, or on the list of a get
       query (a chart may grant `get` without `list`): polled from then on.
    Otherwise: list, then watch from its resourceVersion (kep.engine.reflector).
    """
    if not watch:
        return "KEP_WATCH=0"
    if query.discovery is not None:
        return "a discovery document"
    if not watchable(query):
        return "RBAC does not grant watch"
    if isinstance(refused, Forbidden) and (refused.verb == "watch" or query.is_get):
        return refused.label
    return ""


def opener(client: Reader, interval: float, watch: bool = True,
           watchable: Callable[[Query], bool] = lambda query: True,
           held_interval: float = math.inf) -> Callable[[Query, Emit], Poller | Watcher]:
    """Sources for the engine, as `polled_because` decides (`watchable`: what the RBAC
    preflight found granted). `held_interval`: see Poller."""

    told: set[str] = set()

    def open_source(query: Query, emit: Emit) -> Poller | Watcher:
        if polled_because(query, watch, watchable):
            return Poller(query, fetcher(client), emit, interval, held_interval=held_interval)
        return Watcher(query, client, emit, interval, told=told, held_interval=held_interval)

    return open_source
