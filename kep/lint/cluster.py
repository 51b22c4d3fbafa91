"""`kep lint --cluster`: whether a target the input does not define exists in the cluster of
the current kubeconfig (another release, or the platform, made it). Read-only: one get
(or, for a label-matched Job or Pod, one list) per target, built by the target kind's own
query (kep.kinds: `job_query`, `service_query`, `daemonset_query`, `pods_query`; a custom
resource through discovery, as the kind resolves it at run time), and read once
(kep.engine.read). What the cluster cannot tell (a 403, an unreachable server) keeps the
finding and says why in its hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kep import specs
from kep.api.resources import served_resource
from kep.engine.read import Reader, read
from kep.kinds import customresource, daemonset, job, pod, service
from kep.reads import Query


@dataclass
class Cluster:
    """Answers `has(spec)`: True (it exists), False (it does not), or why it cannot tell."""

    client: Reader
    _answers: dict[Query, bool | str] = field(default_factory=dict)

    def has(self, spec: specs.Spec) -> bool | str:
        query = self._query(spec)
        if not isinstance(query, Query):
            return query
        if query not in self._answers:
            observation = read(self.client, query)
            if observation.error is not None and not observation.error.code == 404:
                self._answers[query] = f"the cluster could not tell: {observation.error}"
            else:
                self._answers[query] = bool(observation.objects)
        return self._answers[query]

    def _query(self, spec: specs.Spec) -> Query | bool | str:
        if isinstance(spec, specs.Job):
            return job.job_query(spec)
        if isinstance(spec, specs.Service):
            return service.service_query(spec)
        if isinstance(spec, specs.DaemonSet):
            return daemonset.daemonset_query(spec)
        if isinstance(spec, specs.Pod):
            return pod.pods_query(spec)
        if isinstance(spec, specs.CustomResource):
            found = read(self.client, customresource.discovery_query(spec))
            document = found.objects[0] if found.objects else None
            if found.error is not None and found.error.code != 404:
                return f"the cluster could not tell: {found.error}"
            resource = served_resource(document, spec.group, spec.version, spec.kind) if document else None
            if resource is None:
                return False  # not served: no such object either
            return customresource.object_query(spec, resource)
        return f"kep lint --cluster does not look up {type(spec).__name__}"
