"""Issue 21, items 1 and 2, on the real kubelet and API server: why kep ended, in the init container's
termination message, and kep's Events on its pod, as `kubectl describe pod` shows them.

kep's image runs as helm-toolkit renders the init container (read-only root, user 65534); the
kubelet mounts /dev/termination-log and copies it into `state.terminated.message`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.cluster import manifests as m
from tests.cluster.kube import Kube

SHORT_TIMEOUT = {"KEP_TIMEOUT": "4s"}


def events_rbac(ns: str) -> list[dict[str, Any]]:
    """What `kep rbac --events` adds to helm-toolkit's Role: create and patch of events."""
    meta = {"name": "entrypoint-events", "namespace": ns}
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta,
         "rules": [{"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "entrypoint-events"},
         "subjects": [{"kind": "ServiceAccount", "name": "entrypoint", "namespace": ns}]},
    ]


def termination_message(kube: Kube, ns: str, pod: str) -> str:
    """What the kubelet copied from kep's /dev/termination-log: the init container's
    `state.terminated.message` (the pod has restartPolicy Never: no lastState)."""
    status = kube.get("pod", pod, ns)["status"]["initContainerStatuses"][-1]
    return str(status["state"]["terminated"].get("message", ""))


def described_events(kube: Kube, ns: str, pod: str) -> list[tuple[str, str, str]]:
    """(type, reason, message) of kep's rows in `kubectl describe pod`'s Events, in its order."""
    text = kube.kubectl("-n", ns, "describe", "pod", pod)
    rows = text[text.index("\nEvents:"):].splitlines()[3:]
    cells = [re.split(r"\s{2,}", row.strip(), maxsplit=4) for row in rows if row.strip()]
    return [(cell[0], cell[1], cell[4]) for cell in cells if len(cell) == 5 and cell[3] == "kep"]


def kep_events(kube: Kube, ns: str, pod: str) -> list[dict[str, Any]]:
    """kep's Events about the pod, as `kubectl get events --field-selector` lists them (by name:
    kep names them by the time they first happened)."""
    listed = json.loads(kube.kubectl("-n", ns, "get", "events", "-o", "json", "--field-selector",
                                     f"involvedObject.name={pod},involvedObject.kind=Pod,source=kep"))["items"]
    return sorted(listed, key=lambda e: e["metadata"]["name"])


def test_a_timeout_is_in_the_termination_message_and_the_events(kube: Kube, kep_image: str, ns: str) -> None:
    kube.apply([*m.entrypoint_rbac(ns), *events_rbac(ns), m.app_pod(ns, "app", m.entrypoint_container(
        kep_image, {"DEPENDENCY_JOBS": "db-sync"}, SHORT_TIMEOUT))])
    assert kube.init_exit_code(ns, "app") == 124
    message = termination_message(kube, ns, "app")
    lines = message.splitlines()
    assert re.fullmatch(r"kep: KEP_TIMEOUT ran out after [0-9.]+s, 1 of 1 not met", lines[0]), message
    assert lines[1:] == [f"Job db-sync in namespace {ns}: job {ns}/db-sync: not found"], message
    assert "kep: KEP_TIMEOUT ran out" in kube.kubectl("-n", ns, "describe", "pod", "app")
    uid = kube.get("pod", "app", ns)["metadata"]["uid"]
    events = kep_events(kube, ns, "app")
    assert [(e["type"], e["reason"], e["involvedObject"]["uid"]) for e in events] == [
        ("Normal", "Waiting", uid), ("Warning", "TimedOut", uid)]
    assert [reason for _, reason, _ in described_events(kube, ns, "app")] == ["Waiting", "TimedOut"]


def test_a_failed_job_is_in_the_termination_message_and_without_the_right_no_event_is_written(
        kube: Kube, kep_image: str, ns: str) -> None:
    """helm-toolkit's Role alone: no Events, said once in the log; the termination message all the same."""
    kube.apply([*m.entrypoint_rbac(ns), m.job(ns, "db-sync", "exit 1")])
    kube.wait(ns, "condition=Failed", "job/db-sync")
    kube.apply([m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_JOBS": "db-sync"},
                                                            {"KEP_FAIL_ON_JOB_FAILURE": "1"}))])
    assert kube.init_exit_code(ns, "app") == 3
    lines = termination_message(kube, ns, "app").splitlines()
    assert re.fullmatch(r"kep: a dependency failed \(KEP_FAIL_ON_JOB_FAILURE=1\) after [0-9.]+s, 1 of 1 not met",
                        lines[0]), lines
    [job] = lines[1:]
    assert job.startswith(f"Job db-sync in namespace {ns}: job {ns}/db-sync: failed (BackoffLimitExceeded)"), lines
    logged = [text for _, text in kube.logs(ns, "app", "init")]
    said = [text for text in logged if "Events: RBAC does not allow kep to create and patch events" in text]
    assert len(said) == 1, logged
    assert kep_events(kube, ns, "app") == []


def test_describe_shows_the_wait_in_order_and_a_hand_off_leaves_no_message(kube: Kube, kep_image: str, ns: str) -> None:
    """The Job's pod waits until the test lets it end, once kep has said it waits: Waiting, then the
    Job turning met, then all met, whatever the pace of the containers."""
    job = m.job(ns, "db-sync", "until test -e /tmp/go; do sleep 0.2; done")
    kube.apply([*m.entrypoint_rbac(ns), *events_rbac(ns), job,
                m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_JOBS": "db-sync"}))])
    kube.follow(ns, "app", "Waiting for Job db-sync")
    [runner] = kube.pods(ns, "batch.kubernetes.io/job-name=db-sync")
    kube.watch_pod(ns, runner["metadata"]["name"], "{.status.containerStatuses[0].state.running}")
    kube.kubectl("-n", ns, "exec", runner["metadata"]["name"], "--", "touch", "/tmp/go")
    assert kube.init_exit_code(ns, "app") == 0
    assert termination_message(kube, ns, "app") == ""
    described = described_events(kube, ns, "app")
    assert [(kind, reason) for kind, reason, _ in described] == [
        ("Normal", "Waiting"), ("Normal", "DependencyMet"), ("Normal", "DependenciesMet")], described
    assert described[0][2] == f"waiting for 1 dependency: Job db-sync in namespace {ns}"
    assert described[1][2] == f"Job db-sync in namespace {ns} is met: job {ns}/db-sync: complete (1 of 1 completions)"
    assert re.fullmatch(r"all 1 met after [0-9.]+s; exiting 0 \(no command\)", described[2][2]), described
