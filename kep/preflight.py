"""RBAC preflight: before the first read, learn which reads RBAC allows, one
SelfSubjectRulesReview per namespace involved (every authenticated user may create
one: the system:basic-user ClusterRole).

- A read RBAC does not allow is one log line naming the rule to add (verbs, API
  group, resource, namespace). kep still waits, since a Role may be granted later:
  the reviews are repeated every progress interval while anything is missing, and
  the log says when it was granted. With KEP_STRICT_RBAC=1 the cli exits 4 instead.
- `watch` is optional: where it is not granted, those collections are polled from
  the start (`watchable`), said once, instead of spending a list and a refused watch.
- A refused or failed review (or an incomplete one: another authorizer may allow more
  than RBAC says) changes nothing: kep carries on as without a preflight.

- Events on the own pod (kep.podevents): with `events_namespace`, the pod's namespace
  is reviewed too, and `events` says whether create and patch of events are allowed
  there (None: no review answered).

Cluster-scoped reads (a cluster-scoped custom resource) have no namespace to review:
one SelfSubjectAccessReview each asks whether `watch` is allowed, so they too are
polled from the start where it is not; whether they can be read at all is left to
the reads themselves.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from kep.api.errors import ApiError
from kep.api.resources import SELF_SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_RULES_REVIEWS
from kep.rbac import EVENT_VERBS, Need, needs
from kep.reads import Query, Read

log = logging.getLogger(__name__)


class Reviewer(Protocol):
    def create(self, resource: Any, namespace: str | None, obj: dict[str, Any]) -> dict[str, Any]: ...


Rules = tuple[dict[str, Any], ...]


def review(client: Reviewer, namespace: str) -> Rules | None:
    """The resource rules that apply to kep in `namespace`, or None when the review
    is refused, fails or is incomplete (then nothing can be concluded)."""
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
            "spec": {"namespace": namespace}}
    try:
        answer = client.create(SELF_SUBJECT_RULES_REVIEWS, None, body)
    except ApiError as exc:
        log.debug("RBAC preflight in namespace %s not possible: %s", namespace, exc)
        return None
    found = answer.get("status")
    status: dict[str, Any] = found if isinstance(found, dict) else {}
    if status.get("incomplete") is True:
        log.debug("RBAC preflight in namespace %s: the review is incomplete (%s)", namespace,
                  status.get("evaluationError", ""))
        return None
    rules = status.get("resourceRules")
    return tuple(r for r in rules if isinstance(r, dict)) if isinstance(rules, list) else None


def access_allowed(client: Reviewer, verb: str, group: str, resource: str) -> bool | None:
    """A SelfSubjectAccessReview of a cluster-scoped verb: allowed, or None when unknown."""
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": verb, "group": group, "resource": resource}}}
    try:
        status = client.create(SELF_SUBJECT_ACCESS_REVIEWS, None, body).get("status")
    except ApiError as exc:
        log.debug("RBAC preflight of %s %s not possible: %s", verb, resource, exc)
        return None
    return status.get("allowed") is True if isinstance(status, dict) else None


def allows(rules: Rules, verb: str, group: str, resource: str) -> bool:
    """RBAC's matching (plugin/pkg/auth/authorizer/rbac: VerbMatches, APIGroupMatches,
    ResourceMatches). A rule limited to resourceNames is taken as allowing: kep reads
    by name, and the read itself says if that name is not among them."""
    def has(values: Any, wanted: str) -> bool:
        return isinstance(values, list) and ("*" in values or wanted in values)

    return any(has(r.get("verbs"), verb) and has(r.get("apiGroups"), group) and has(r.get("resources"), resource)
               for r in rules)


def missing_line(need: Need, verbs: tuple[str, ...]) -> str:
    """A read RBAC does not allow, and the rule to add: `kep may not get jobs in namespace ns:
    add to a Role there {...}` (the log's line, and the termination message's)."""
    rule = {"apiGroups": [need.api_group], "resources": [need.resource], "verbs": list(verbs)}
    return (f"kep may not {'/'.join(verbs)} {need.resource} in namespace {need.namespace}: "
            f"add to a Role there {json.dumps(rule)}")


@dataclass
class Preflight:
    """What the reviews said; `missing` are reads RBAC does not allow (watch aside)."""

    client: Reviewer
    reads: list[Read]
    interval: float
    """Between re-checks while something is missing (KEP_PROGRESS_INTERVAL)."""
    poll_interval: float
    watch: bool = True
    """False (KEP_WATCH=0): every collection is polled, so get/list are what is needed."""
    missing: list[tuple[Need, tuple[str, ...]]] = field(default_factory=list)
    unwatchable: set[tuple[str, str, str]] = field(default_factory=set)
    """(namespace, group, resource) where list+watch is not granted: polled from the start."""
    events_namespace: str | None = None
    """The own pod's namespace, where kep records Events (None: it records none)."""
    events: bool | None = None
    """Whether RBAC allows those Events (create and patch of events); None: unknown."""

    def run(self) -> bool:
        """Review each namespace once; log what is missing. False when no review answered."""
        rules = self._review_all()
        if rules is None:
            return False
        found_there = rules.get(self.events_namespace or "")
        if found_there is not None:
            self.events = all(allows(found_there, verb, "", "events") for verb in EVENT_VERBS)
        for need in needs(self.reads, watch=True):
            if need.namespace is None:
                watch_ok = not self.watch or access_allowed(self.client, "watch", need.api_group, need.resource)
                refused = watch_ok is False or not self.watch
            else:
                found = rules.get(need.namespace)
                refused = not self.watch or (found is not None and not all(
                    allows(found, v, need.api_group, need.resource) for v in need.verbs))
            if refused:
                self.unwatchable.add((need.namespace or "", need.api_group, need.resource))
        if self.unwatchable and self.watch:
            polled = ", ".join(sorted(f"{r}{'.' + g if g else ''} in {ns}" for ns, g, r in self.unwatchable))
            log.info("RBAC: watch is not granted on %s; polling every %gs from the start.", polled, self.poll_interval)
        self.missing = self._missing(rules)
        for need, verbs in self.missing:
            log.warning("RBAC: %s", missing_line(need, verbs))
        return True

    def watchable(self, query: Query) -> bool:
        assert query.resource is not None
        return (query.namespace or "", query.resource.group, query.resource.plural) not in self.unwatchable

    def recheck_in_background(self) -> None:
        """Review again every interval while reads are missing; say when they are granted."""
        if self.missing:
            threading.Thread(target=self._recheck, name="rbac preflight", daemon=True).start()

    def _recheck(self) -> None:
        while self.missing:
            time.sleep(self.interval)
            rules = self._review_all()
            if rules is None:
                continue
            still = self._missing(rules)
            for need, verbs in self.missing:
                if (need, verbs) not in still:
                    log.info("RBAC: %s %s is allowed now.", "/".join(verbs), need.what)
            self.missing = still

    def _review_all(self) -> dict[str, Rules] | None:
        read = {r.namespace for r in self.reads if r.namespace and r.resource.namespaced}
        namespaces = sorted(read | ({self.events_namespace} if self.events_namespace else set()))
        found = {ns: rules for ns in namespaces if (rules := review(self.client, ns)) is not None}
        return found or None

    def _missing(self, rules: dict[str, Rules]) -> list[tuple[Need, tuple[str, ...]]]:
        """Reads not allowed, as kep will make them (polled where watch is not granted)."""
        missing = []
        for need in needs(self.reads, watch=False):
            found = rules.get(need.namespace or "")
            if found is None:
                continue
            verbs = tuple(v for v in need.verbs if not allows(found, v, need.api_group, need.resource))
            if verbs and (need.namespace or "", need.api_group, need.resource) in self.unwatchable:
                missing.append((need, verbs))
        return missing

