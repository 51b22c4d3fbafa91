"""How kep's init container ends in a real pod: a failed Job, a deleted pod, a native sidecar.

Exit codes and times come from the kubelet (the pod's container statuses) and from
kep's log as the container runtime stamped it; the API writes from the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.cluster import manifests as m
from tests.cluster.kube import Kube, condition_time, container_status, parse_time

def assert_main_never_started(kube: Kube, ns: str, pod: str) -> None:
    main = container_status(kube.get("pod", pod, ns), "main")
    assert list(main["state"]) == ["waiting"] and not main.get("lastState"), main


def test_a_job_failed_by_the_job_controller_exits_3_with_fail_on_job_failure(kube: Kube, kep_image: str, ns: str) -> None:
    """backoffLimit 0: the controller fails the Job at its first failed pod; kep names it and exits 3."""
    kube.apply([*m.entrypoint_rbac(ns), m.job(ns, "db-sync", "echo migration failed; exit 1", backoff_limit=0),
                m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_JOBS": "db-sync"},
                                                           {"KEP_FAIL_ON_JOB_FAILURE": "1"}))])
    assert kube.init_exit_code(ns, "app") == 3
    job = kube.get("job", "db-sync", ns)
    assert job["status"].get("failed") == 1 and not job["status"].get("succeeded"), job["status"]
    failed_at = condition_time(job, "Failed")
    init = container_status(kube.get("pod", "app", ns), "init")["state"]["terminated"]
    assert parse_time(init["finishedAt"]) >= failed_at
    lines = [text for _, text in kube.logs(ns, "app", "init")]
    assert any(f"job {ns}/db-sync: failed (BackoffLimitExceeded)" in text for text in lines), lines
    assert_main_never_started(kube, ns, "app")


def test_deleting_the_pod_while_kep_waits_exits_143_at_once(kube: Kube, kep_image: str, ns: str) -> None:
    """`kubectl delete pod`: the kubelet sends SIGTERM to kep (PID 1), which exits 128+15 at once, main never runs.

    At once: long before kep's next check a minute away and the SIGKILL 30 s away; how long the
    kubelet takes to send SIGTERM is the machine's. A finalizer keeps the pod object after its
    containers end, so the kubelet's final status can be read.
    """
    pod = m.app_pod(ns, "app", m.entrypoint_container(kep_image, {"DEPENDENCY_SERVICE": f"{ns}:never-there"},
                                                      {"KEP_INTERVAL": "60"}))
    pod["metadata"]["finalizers"] = ["kep.example.com/keep"]
    pod["spec"]["terminationGracePeriodSeconds"] = 30
    kube.apply([*m.entrypoint_rbac(ns), pod])
    kube.follow(ns, "app", "Waiting for Service never-there")
    try:
        kube.kubectl("-n", ns, "delete", "pod", "app", "--wait=false")
        assert kube.init_exit_code(ns, "app", timeout=40) == 143
        [delete] = [e for e in kube.audit("kep-cluster-admin") if e["verb"] == "delete"
                    and e.get("objectRef", {}).get("namespace") == ns and e["objectRef"].get("resource") == "pods"]
        deleted = parse_time(delete["stageTimestamp"])
        last_time, last_line = kube.logs(ns, "app", "init")[-1]
        assert "Terminated by signal 15 while waiting; nothing was started." in last_line
        assert timedelta(0) <= last_time - deleted < timedelta(seconds=10), (deleted, last_time)
        init = container_status(kube.get("pod", "app", ns), "init")["state"]["terminated"]
        assert parse_time(init["finishedAt"]) - deleted.replace(microsecond=0) <= timedelta(seconds=10), (deleted, init)
        assert_main_never_started(kube, ns, "app")
    finally:
        kube.kubectl("-n", ns, "patch", "pod", "app", "--type=json",
                     "-p", '[{"op": "remove", "path": "/metadata/finalizers"}]', check=False)


def test_a_native_sidecar_is_a_container_dependency(kube: Kube, kep_image: str, ns: str) -> None:
    """An init container with restartPolicy Always runs beside kep; kep waits until the kubelet says it is ready.

    The sidecar turns ready when the test says so, once kep has said it waits: however slowly the
    containers start here."""
    sidecar = m.busybox("proxy", "exec sleep 3600", restartPolicy="Always",
                        readinessProbe=m.exec_probe(["test", "-e", "/tmp/ready"]))
    kube.apply([*m.entrypoint_rbac(ns), m.app_pod(ns, "app", m.entrypoint_container(
        kep_image, {"DEPENDENCY_CONTAINER": "proxy"}), sidecars=[sidecar])])
    kube.follow(ns, "app", "Waiting for Container proxy")
    made_ready = datetime.now(timezone.utc)
    kube.kubectl("-n", ns, "exec", "app", "-c", "proxy", "--", "touch", "/tmp/ready")
    kube.wait(ns, "condition=Ready", "pod/app")
    pod = kube.get("pod", "app", ns)
    assert container_status(pod, "init")["state"]["terminated"]["exitCode"] == 0
    logs = kube.logs(ns, "app", "init")
    [resolved] = [t for t, text in logs if "Dependency Container proxy " in text and "is resolved." in text]
    assert resolved >= made_ready, (made_ready, resolved)
    main_started = parse_time(container_status(pod, "main")["state"]["running"]["startedAt"])
    assert main_started >= resolved.replace(microsecond=0)
