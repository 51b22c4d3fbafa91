"""Which container of which pod kep runs in, from the kubelet's termination-log mount.

Kubernetes gives a container no variable with its own name (the downward API
has none), but the kubelet bind-mounts a file of its own onto every
container's `terminationMessagePath` (default /dev/termination-log), from
`<kubelet root>/pods/<pod uid>/containers/<container name>/<8 hex digits>`
(kubernetes v1.32 pkg/kubelet/kuberuntime/kuberuntime_container.go
`makeMounts`: `filepath.Join(opts.PodContainerDir, cid)` with `cid :=
makeUID()`, `PodContainerDir` from kubelet_getters.go `getPodContainerDir`).
/proc/self/mountinfo shows that source path as the mount's root (relative to
the filesystem it is on, so the kubelet root itself may be cut off), which
names both the pod's uid and the container.

Not found (outside Kubernetes, `terminationMessagePath: ""`, another
runtime's layout): None, and kep decides nothing from it. The pod uid is
returned so a caller can check the mount is its own pod's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MOUNTINFO = "/proc/self/mountinfo"
_SOURCE = re.compile(
    r"/pods/(?P<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/containers/(?P<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)/[0-9a-f]{8}$"
)


@dataclass(frozen=True, slots=True)
class OwnContainer:
    pod_uid: str
    name: str


def parse(mountinfo: str) -> OwnContainer | None:
    """The container named by a termination-log mount in mountinfo text (proc(5): the 4th
    field is the mount's root), or None."""
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        found = _SOURCE.search(fields[3]) if len(fields) > 4 else None
        if found:
            return OwnContainer(found.group("uid"), found.group("name"))
    return None


def detect(path: str = MOUNTINFO) -> OwnContainer | None:
    """parse() of this process's mountinfo; None where it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse(handle.read())
    except OSError:
        return None
