"""kep.owncontainer: the container kep runs in, from the kubelet's termination-log mount."""

from __future__ import annotations

import sys

import pytest

from kep.owncontainer import OwnContainer, detect, parse
from tests.namespaces import needs_root, run_with_mounts

UID = "0b5e4c1a-9f3e-4d8a-9c55-2f3a1b2c3d4e"
ROOT_FS = f"2490 2472 8:1 /var/lib/kubelet/pods/{UID}/containers/init/4f3c2a1b /dev/termination-log rw,relatime - ext4 /dev/sda1 rw"

MOUNTINFOS = [
    ("kubelet root on the root filesystem (as kuberuntime makeMounts binds it)", ROOT_FS,
     OwnContainer(UID, "init")),
    ("kubelet root on a filesystem of its own: the root field starts below it",
     f"31 22 8:17 /pods/{UID}/containers/keystone-db-init/0a1b2c3d /dev/termination-log rw - xfs /dev/sdb1 rw",
     OwnContainer(UID, "keystone-db-init")),
    ("a custom terminationMessagePath, optional fields before the separator",
     f"31 22 8:17 /pods/{UID}/containers/main/0a1b2c3d /tmp/why rw shared:7 master:1 - xfs /dev/sdb1 rw",
     OwnContainer(UID, "main")),
    ("among the container's other mounts", "\n".join([
        "1 0 0:50 / / ro - overlay overlay rw",
        f"2 1 8:1 /var/lib/kubelet/pods/{UID}/volumes/kubernetes.io~projected/kube-api-access-x "
        "/var/run/secrets/kubernetes.io/serviceaccount ro - tmpfs tmpfs rw",
        f"3 1 8:1 /var/lib/kubelet/pods/{UID}/etc-hosts /etc/hosts rw - ext4 /dev/sda1 rw",
        ROOT_FS]), OwnContainer(UID, "init")),
    ("no termination-log mount (outside Kubernetes, or terminationMessagePath \"\")",
     "1 0 0:50 / / rw - overlay overlay rw\n2 1 0:5 / /dev rw - tmpfs tmpfs rw", None),
    ("a volume of the pod is not a container", f"2 1 8:1 /var/lib/kubelet/pods/{UID}/volumes/x/0a1b2c3d /data rw - "
                                              "ext4 /dev/sda1 rw", None),
    ("an empty file", "", None),
]


@pytest.mark.parametrize(("case", "text", "found"), MOUNTINFOS, ids=[m[0] for m in MOUNTINFOS])
def test_parse(case: str, text: str, found: OwnContainer | None) -> None:
    assert parse(text) == found


def test_detect_is_none_where_mountinfo_cannot_be_read(tmp_path) -> None:
    assert detect(str(tmp_path / "missing")) is None


@needs_root
def test_detect_reads_a_real_bind_mount_as_the_kubelet_makes_it(tmp_path) -> None:
    """A file bound from <root>/pods/<uid>/containers/<name>/<cid> onto a path, in a mount
    namespace of its own: /proc/self/mountinfo names the source as the kubelet's does."""
    source = tmp_path / "pods" / UID / "containers" / "init" / "4f3c2a1b"
    source.parent.mkdir(parents=True)
    source.write_text("")
    target = tmp_path / "termination-log"
    target.write_text("")
    done = run_with_mounts([["--bind", str(source), str(target)]],
                           [sys.executable, "-c", "from kep.owncontainer import detect; print(detect())"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"OwnContainer(pod_uid='{UID}', name='init')"
