"""`kep status`: which pods of a namespace (or of all, `-A`) have not started because a
wait-for entrypoint in them is waiting, on what, why, and what is at the root of it.

From a laptop (kubeconfig) or a pod, read-only: one list per collection for the whole
scope (kep.status.cache), whatever the number of pods. The modules, one job each:
`waiting` (which container of a pod may be waiting, from its status), `podenv` (its
environment as the kubelet gives it), `survey` (each one judged by kep check's code and
the kinds), `chains` (the waiting pods behind each dependency, root causes, cycles),
`owners` (the workload a pod belongs to), `labels` (selectors matched as the API server
does), `render` (table, JSON) and `graph` (DOT, Mermaid).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kep.api.resources import PODS
from kep.status.cache import Reads
from kep.status.chains import Chains, follow
from kep.status.labels import Selector
from kep.status.survey import Waiter, survey

if TYPE_CHECKING:
    from kep.api.errors import OnRetry
    from kep.engine.read import Fetch


@dataclass(frozen=True, slots=True)
class Report:
    waiters: tuple[Waiter, ...]
    chains: Chains
    requests: int
    """How many reads were sent to the API server."""


def status(fetch: Fetch, scope: str | None, selector: Selector, on_retry: OnRetry | None = None) -> Report:
    """The waiting pods of `scope` (a namespace, None for all) that `selector` selects.
    Raises the pods list's ApiError: without the pods there is nothing to say."""
    reads = Reads(fetch, scope, on_retry)
    pods = reads.scoped(PODS)
    if pods.error is not None:
        raise pods.error
    waiters = tuple(survey(reads, pods.objects, selector))
    return Report(waiters, follow(reads, waiters), reads.requests)
