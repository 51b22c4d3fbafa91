"""Jobs as the real v1.32 Job controller moves them (issue 18): status from the controller, never a patch,
except where the test checks what the API server lets a status writer do.

Times come from the container runtime's stamps on the log lines (`kubectl logs --timestamps`), the
Job's statuses from a watch (`kubectl get --watch`), in the order the server sent them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import manifests as m
from tests.cluster.kube import ClusterError, Kube


@contextmanager
def job_statuses(kube: Kube, ns: str, name: str) -> Iterator[list[dict[str, Any]]]:
    """Every status of the job the server sends to a watch while the block runs, in order."""
    seen: list[dict[str, Any]] = []
    cmd = [kube.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", kube.env["KUBECONFIG"], "-n", ns, "get", "job", name,
           "--watch", "-o", "json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def read() -> None:
        assert proc.stdout is not None
        text = ""
        for line in proc.stdout:  # one pretty-printed object after the other
            text += line
            try:
                seen.append(json.loads(text)["status"])
            except ValueError:
                continue
            text = ""

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield seen
    finally:
        proc.kill()
        reader.join(timeout=10)


def counted(status: dict[str, Any], field: str) -> int:
    """A count as the Job controller reckons it: the counter plus uncountedTerminatedPods."""
    return int(status.get(field, 0)) + len(status.get("uncountedTerminatedPods", {}).get(field, []))


def test_a_work_queue_job_is_met_only_after_all_its_pods_have_ended(kube: Kube, kep_image: str, ns: str) -> None:
    """kubernetes#43456: parallelism 3, no completions; each pod ends when the test says so (the first to
    make its directory on the node waits for go1, the second for go2, the third for go3): the first at
    once, the others once kep has said it saw one success and the reference has started its app. The
    controller completes the job only when none is active; the reference, which counts one success,
    starts its app in between. The order is the test's, however slowly the containers start here."""
    shared = f"/tmp/kep-{ns}"
    os.makedirs(shared, exist_ok=True)
    job = m.job(ns, "db-sync", "if mkdir /shared/first 2>/dev/null; then n=1; elif mkdir /shared/second 2>/dev/null; "
                               "then n=2; else n=3; fi; until test -e /shared/go$n; do sleep 0.2; done; echo done")
    pod_spec = job["spec"]["template"]["spec"]
    pod_spec["volumes"] = [{"name": "shared", "hostPath": {"path": shared, "type": "DirectoryOrCreate"}}]
    pod_spec["containers"][0]["volumeMounts"] = [{"name": "shared", "mountPath": "/shared"}]
    job["spec"]["parallelism"] = 3
    wanted = {"DEPENDENCY_JOBS": "db-sync"}
    kube.apply([*m.entrypoint_rbac(ns), m.app_pod(ns, "app", m.entrypoint_container(kep_image, wanted)),
                m.app_pod(ns, "reference", m.entrypoint_container(m.REFERENCE_IMAGE, wanted))])
    kube.follow(ns, "app", "Waiting for Job db-sync")
    kube.follow(ns, "reference", "Resolving dependency Job db-sync")
    try:
        kube.apply([job])
        with job_statuses(kube, ns, "db-sync") as statuses:
            Path(shared, "go1").touch()
            kube.follow(ns, "app", f"job {ns}/db-sync: not completed yet (1 succeeded, 2 active)")
            kube.watch_pod(ns, "reference", "{.status.containerStatuses[0].state.running}")
            Path(shared, "go2").touch()
            Path(shared, "go3").touch()
            kube.wait(ns, "condition=Ready", "pod/app")
        pods = kube.pods(ns, "batch.kubernetes.io/job-name=db-sync")
        ended = sorted(stamp for pod in pods for stamp, text in kube.logs(ns, pod["metadata"]["name"], "db-sync")
                       if text == "done")
    finally:
        shutil.rmtree(shared, ignore_errors=True)  # the node is this machine

    assert len(ended) == 3, pods
    assert any(counted(s, "succeeded") >= 1 and s.get("active", 0) >= 1 for s in statuses), statuses
    assert any(c["type"] == "Complete" and c["status"] == "True" for c in statuses[-1].get("conditions", [])), statuses
    kep_said = [text for _, text in kube.logs(ns, "app", "init")]
    assert any(f"job {ns}/db-sync: not completed yet (1 succeeded, 2 active)" in text for text in kep_said), kep_said
    [(main_started, _)] = kube.logs(ns, "app", "main")
    assert main_started > ended[-1], (main_started, ended)
    [(reference_started, _)] = kube.logs(ns, "reference", "main")
    assert ended[0] < reference_started < ended[-1], (reference_started, ended)


def test_success_criteria_met_is_never_followed_by_failed(kube: Kube, ns: str) -> None:
    """Why kep is met at SuccessCriteriaMet=True before Complete: the API server refuses a
    FailureTarget or Failed beside it, and its removal (pkg/apis/batch/validation, JobManagedBy on).
    The job is managed by "the test" (spec.managedBy), which writes its status as the controller would."""
    job = m.job(ns, "db-init", "true")
    job["spec"]["managedBy"] = "kep.example.com/tests"
    kube.apply([job])
    started = {"startTime": "2026-01-01T00:00:00Z", "ready": 0, "terminating": 0}
    met = {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
           "message": "Reached expected number of succeeded pods", "lastTransitionTime": "2026-01-01T00:00:01Z"}

    def write(status: dict[str, Any]) -> None:
        kube.kubectl("-n", ns, "patch", "job", "db-init", "--subresource=status", "--type=json",
                     "-p", json.dumps([{"op": "add", "path": "/status", "value": status}]))

    write({**started, "active": 1, "uncountedTerminatedPods": {}})
    write({**started, "uncountedTerminatedPods": {"succeeded": ["62e941e6-8aac-476c-a8b5-d4e2dda9ca93"]},
           "conditions": [met]})
    for failure in ("FailureTarget", "Failed"):
        condition = {**met, "type": failure, "reason": "BackoffLimitExceeded", "message": "the test"}
        with pytest.raises(ClusterError, match=f"cannot set SuccessCriteriaMet=True and {failure}=true conditions"):
            write({**started, "uncountedTerminatedPods": {}, "conditions": [met, condition]})
    with pytest.raises(ClusterError, match="cannot disable the SuccessCriteriaMet=True condition"):
        write({**started, "uncountedTerminatedPods": {}})
