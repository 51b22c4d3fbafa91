"""`kep check`: every dependency read once, as a table or one JSON document; never an exec.

For an operator asking "what is this pod waiting for?": the same environment as a
normal run (`kubectl exec POD -c init -- kep check`), or a laptop with a kubeconfig.
Each API dependency's queries are read one round after another until the kind asks
for nothing new (a DaemonSet's pods need the DaemonSet first), with no watch and no
retry beyond the client's own; local kinds are checked once.

The client's retries of an API server that does not answer last seconds per read, so the
first failed attempt of each is logged at once (a warning: on stderr, as `kep check`'s
log lines go), saying why, rather than a silence that ends in the table.

Exit codes (its own, documented in `kep --help`): 0 all met, 1 some not, 2 bad
configuration, or a dependency that can never be met as the pod is configured.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from kep.kinds import API_KINDS, LOCAL_KINDS
from kep.reads import Observation, Query
from kep.specs import Plan, Spec, identity
from kep.verdict import Verdict

if TYPE_CHECKING:
    from kep.api.errors import ApiError
    from kep.engine.read import Fetch

log = logging.getLogger(__name__)

ROUNDS = 10
"""At most this many rounds of derived reads per dependency (kinds need two or three)."""


def check(plan: Plan, fetch: Fetch | None) -> dict[Spec, Verdict]:
    """One verdict per spec; `fetch` answers API queries (None when no API dependency)."""
    said: set[str] = set()

    def retrying(error: ApiError) -> None:
        if str(error) not in said:
            said.add(str(error))
            log.warning("%s; retrying", error)

    seen: dict[Query, Observation] = {}
    verdicts: dict[Spec, Verdict] = {}
    for spec in plan.specs:
        local = LOCAL_KINDS.get(type(spec))
        if local is not None:
            verdicts[spec] = local.check(spec, plan.settings)
            continue
        kind = API_KINDS[type(spec)]
        assert fetch is not None
        for _ in range(ROUNDS):
            new = [q for q in kind.queries(spec, plan.settings, seen) if q not in seen]
            if not new:
                break
            for query in new:
                seen[query] = fetch(query, retrying)
        verdicts[spec] = kind.evaluate(spec, plan.settings, seen)
    return verdicts


def as_table(plan: Plan, verdicts: dict[Spec, Verdict]) -> str:
    rows = [("KIND", "NAMESPACE/NAME", "MET", "REASON")]
    for spec, verdict in verdicts.items():
        who = identity(spec, plan.settings)
        rows.append((who.kind, f"{who.namespace}/{who.name}" if who.namespace else who.name,
                     "yes" if verdict.is_met else "no", verdict.reason or verdict.state.value))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows
    )


def as_json(plan: Plan, verdicts: dict[Spec, Verdict]) -> str:
    dependencies = []
    for spec, verdict in verdicts.items():
        who = identity(spec, plan.settings)
        dependencies.append({"kind": who.kind, "namespace": who.namespace, "name": who.name,
                             "dependency": str(spec), "met": verdict.is_met, "state": verdict.state.value,
                             "reason": verdict.reason})
    return json.dumps({"met": all(v.is_met for v in verdicts.values()), "dependencies": dependencies}, indent=2)
