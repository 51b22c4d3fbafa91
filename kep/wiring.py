"""The API side of a run, put together: the client, the RBAC preflight, the sources.

Imported only when a dependency needs the API, so a run with local dependencies
alone never loads `requests`. cli decides what to run; this module connects the
pieces (kep.api, kep.preflight, kep.engine.sources) for it.
"""

from __future__ import annotations

import functools
from typing import Any

from kep.api.client import Client
from kep.engine.engine import OpenSource
from kep.engine.read import read
from kep.engine.sources import opener
from kep.errors import RbacMissing
from kep.preflight import Preflight, missing_line
from kep.rbac import Discoverer, discovered, reads_of
from kep.reads import Observation, Query, Read
from kep.specs import Plan


def sources(plan: Plan, client: Client) -> tuple[OpenSource, dict[Query, Observation], bool | None]:
    """Watch or poll each read, as the RBAC preflight found allowed (a met one polled once
    per progress interval, so the summary stays true); the discovery documents read on
    the way, so the engine does not read them again; and whether RBAC allows the Events on
    the own pod (kep.podevents; None: unknown, or no pod name). Raises RbacMissing under
    KEP_STRICT_RBAC=1 when reads are not allowed (each logged)."""
    s = plan.settings
    discovery = Discovery(client)
    open_sources = functools.partial(opener, client, s.interval, watch=s.watch, held_interval=s.progress_interval)
    preflight = Preflight(client, reads(plan, discovery), s.progress_interval, s.interval, watch=s.watch,
                          events_namespace=s.namespace if s.pod_name else None)
    if not preflight.run():
        return open_sources(), discovery.seen, None
    if preflight.missing and s.strict_rbac:
        raise RbacMissing([missing_line(need, verbs) for need, verbs in preflight.missing])
    preflight.recheck_in_background()
    return open_sources(watchable=preflight.watchable), discovery.seen, preflight.events


def reads(plan: Plan, client: Discoverer | None) -> list[Read]:
    """Every read of every API dependency, custom resources resolved by discovery when
    the API server can be asked (as the kind itself resolves them at run time)."""
    if client is None:
        return reads_of(plan)
    return reads_of(plan, lambda one: discovered(client, one))


class Discovery:
    """Discovery documents read once and kept as the engine's first observations."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.seen: dict[Query, Observation] = {}

    def discover(self, api_version: str) -> dict[str, Any]:
        query = Query(discovery=api_version)
        if query not in self.seen:
            self.seen[query] = read(self.client, query)
        observation = self.seen[query]
        if observation.error is not None:
            raise observation.error
        return observation.objects[0] if observation.objects else {}  # not served (yet)
