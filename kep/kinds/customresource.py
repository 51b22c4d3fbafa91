"""Custom resource (any API object, built-ins too): fields and conditions have the wanted values.

Reads: the discovery document of `apiVersion` (`/apis/<group>/<version>`, or
`/api/v1` for core); the first resource whose `kind` matches - skipping
subresources such as `foos/status` - gives the plural and whether it is
namespaced; then, derived from that, GET the object (charts grant only `get`
on the plural: never list or watch it).

Checks, all of which must hold (the first that does not is the reason):
- the object is not being deleted (`metadata.deletionTimestamp`: it is going
  away, as kstatus reads it: Terminating, not Current);
- when a check reads status (any condition, or a field under `status`), the
  status is not older than the object: `status.observedGeneration`, where the
  writer sets it, is at least `metadata.generation`. That is how kubectl reads
  its own kinds (kubectl rollout_status.go: `Generation <=
  Status.ObservedGeneration` before it trusts any other field) and how kstatus
  reads any kind (sigs.k8s.io/cli-utils pkg/kstatus/status/generic.go
  `checkGeneration`: InProgress, "LatestGenerationNotObserved"). After a spec
  change (a Helm upgrade) an operator's old `Ready=True` stands until it has
  reconciled the new generation;
- each field: its pre-parsed path, looked up in nested maps (and lists by
  index); missing is pending. Compared as JSON text: a string as is, anything
  else as its JSON encoding, so `true` matches "true" and `3` matches "3"
  (the reference compares Go values, so a bool or number never matches);
- each condition: the entry of `status.conditions` with that `type`; its
  `status` must equal the wanted one ("True" unless given); absent is pending.
  A condition that carries `observedGeneration` below `metadata.generation` is
  out of date, as k8s.io/apimachinery meta/v1 `Condition.ObservedGeneration`
  defines it ("if .metadata.generation is currently 12, but the
  .status.conditions[x].observedGeneration is 9, the condition is out of date
  with respect to the current state of the instance"): pending.
No fields and no conditions: met as soon as the object can be read (and is not
being deleted). Objects without these generation fields are read as before, and
so are kinds served without a `status` subresource: there every status write
bumps `metadata.generation` too (apiextensions-apiserver's customResourceStrategy
PrepareForUpdate), so `observedGeneration` can never catch up.
"""

from __future__ import annotations

import json
from typing import Any

from kep.api.resources import Resource, served_resource
from kep.kinds.reading import the_object
from kep.reads import Query, Read, Seen, dig
from kep.specs import ConditionCheck, CustomResource, FieldCheck, Settings, json_text
from kep.verdict import Verdict, met, pending

_MISSING = object()
_SHOWN = 80
"""Longest value shown in a reason, in characters."""


def discovery_query(spec: CustomResource) -> Query:
    return Query(discovery=spec.api_version)


def resource_of(spec: CustomResource, seen: Seen) -> Resource | Verdict:
    """The served resource of the spec's kind, or a pending verdict saying why it is not known."""
    document = the_object(seen, discovery_query(spec), f"discovery of {spec.api_version}",
                          missing=f"apiVersion {spec.api_version} is not served (yet)")
    if isinstance(document, Verdict):
        return document
    served = served_resource(document, spec.group, spec.version, spec.kind)
    return served or pending(f"kind {spec.kind} is not served by {spec.api_version} (yet)")


def object_query(spec: CustomResource, resource: Resource) -> Query:
    return Query(resource, spec.namespace if resource.namespaced else None, name=spec.name)


def reads(spec: CustomResource, settings: Settings) -> tuple[Read, ...]:
    """The object (discovery itself is open to every authenticated user: system:discovery).
    Its plural is guessed as kubectl's RESTMapper does before discovery answers."""
    guess = Resource(spec.group, spec.version, guess_plural(spec.kind), True, spec.kind)
    return (Read(guess, spec.namespace, spec.name, discovered=False),)


def guess_plural(kind: str) -> str:
    """As k8s.io/apimachinery meta.UnsafeGuessKindToResource: lower-case; -s gets -es, -y
    becomes -ies, anything else gets -s."""
    lower = kind.lower()
    if lower.endswith("s"):
        return lower + "es"
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + "s"


def queries(spec: CustomResource, settings: Settings, seen: Seen) -> tuple[Query, ...]:
    """Discovery until it serves the kind (the CRD may come later); then the object alone:
    the discovery answer is kept for the run (the engine keeps observations no longer asked)."""
    resource = resource_of(spec, seen)
    if isinstance(resource, Verdict):
        return (discovery_query(spec),)
    return (object_query(spec, resource),)


def evaluate(spec: CustomResource, settings: Settings, seen: Seen) -> Verdict:
    resource = resource_of(spec, seen)
    if isinstance(resource, Verdict):
        return resource
    subject = f"{spec.kind} {spec.namespace}/{spec.name}" if resource.namespaced else f"{spec.kind} {spec.name}"
    obj = the_object(seen, object_query(spec, resource), subject)
    if isinstance(obj, Verdict):
        return obj
    deleted = dig(obj, "metadata", "deletionTimestamp", default=None)
    if deleted:
        return pending(f"{subject}: being deleted (since {deleted})")
    # Without a status subresource every status write bumps the generation too, so a writer's
    # observedGeneration can never catch up: there the generations say nothing.
    generation = _generation(dig(obj, "metadata", "generation", default=None)) if _has_status(spec, seen, resource) else None
    if spec.conditions or any(check.path[:1] == ("status",) for check in spec.fields):
        observed = _generation(dig(obj, "status", "observedGeneration", default=None))
        if generation is not None and observed is not None and observed < generation:
            return pending(f"{subject}: its controller has not yet acted on generation {generation} "
                           f"(status.observedGeneration {observed})")
    for check in spec.fields:
        why = _field_mismatch(obj, check)
        if why:
            return pending(f"{subject}: {why}")
    for condition in spec.conditions:
        why = _condition_mismatch(obj, condition, generation)
        if why:
            return pending(f"{subject}: {why}")
    return met(f"{subject}: {'matches' if spec.fields or spec.conditions else 'exists'}")


def _field_mismatch(obj: dict[str, Any], check: FieldCheck) -> str:
    value = dig(obj, *check.path, default=_MISSING)
    if value is _MISSING:
        return f"{check.key} is missing"
    if json_text(value) == check.value:
        return ""
    return f"{check.key} is {_shown(value)}, want {_shown(check.value)}"


def _has_status(spec: CustomResource, seen: Seen, resource: Resource) -> bool:
    """Whether discovery serves `<plural>/status`: status is then written apart from the spec
    and does not move `metadata.generation` (apiextensions-apiserver's strategy)."""
    document = the_object(seen, discovery_query(spec), f"discovery of {spec.api_version}")
    if isinstance(document, Verdict):
        return False
    return any(dig(entry, "name") == f"{resource.plural}/status" for entry in dig(document, "resources", default=None) or ())


def _generation(value: Any) -> int | None:
    """A generation as the API server writes it (an integer), else None: not checked."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _condition_mismatch(obj: dict[str, Any], check: ConditionCheck, generation: int | None) -> str:
    conditions = dig(obj, "status", "conditions", default=None)
    entry = next(
        (c for c in conditions if dig(c, "type") == check.type),
        None,
    ) if isinstance(conditions, list) else None
    if entry is None:
        return f"condition {check.type} is missing"
    status = dig(entry, "status", default=_MISSING)
    if status is _MISSING:
        return f"condition {check.type} has no status"
    if json_text(status) == check.status:
        observed = _generation(dig(entry, "observedGeneration", default=None))
        if generation is not None and observed is not None and observed < generation:
            return (f"condition {check.type} is {_shown(status)} for generation {observed}, "
                    f"but the object is at generation {generation} (out of date)")
        return ""
    reason = dig(entry, "reason", default="")
    because = f" ({reason})" if isinstance(reason, str) and reason else ""
    return f"condition {check.type} is {_shown(status)}{because}, want {_shown(check.status)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
