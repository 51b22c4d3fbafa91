"""`kep status` from the host (the admin kubeconfig) on a real cluster: the OpenStack-Helm
sequence with its db-init Job deliberately never created. Real controllers make the
chain: mariadb's Deployment pod and ovs-agent's DaemonSet pod wait on db-init, the
keystone-db-sync Job's pod waits on Service mariadb, keystone-api waits on all three.
`kep status` must name Job db-init as the root cause of every waiting pod, whether the
init containers are kep or the Go reference (found by their environment, not their image).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import manifests as m
from tests.cluster.kube import Kube
from tests.run import kep_env, run_kep

WAITERS = ("keystone-api", "keystone-db-sync-", "mariadb-", "ovs-agent-")


def waiting_on(workload: dict[str, Any], image: str, dependencies: dict[str, str]) -> dict[str, Any]:
    """The workload's pods, with an entrypoint init container as helm-toolkit renders it."""
    spec = workload["spec"]["template"]["spec"]
    spec["serviceAccountName"] = "entrypoint"
    spec["initContainers"] = [m.entrypoint_container(image, dependencies)]
    return workload


def chart(ns: str, image: str) -> list[dict[str, Any]]:
    deployment, service = m.served(ns, "mariadb", ready_after=1)
    db_init = {"DEPENDENCY_JOBS": "db-init"}
    return [*m.entrypoint_rbac(ns), service, waiting_on(deployment, image, db_init),
            waiting_on(m.daemonset(ns, "ovs-agent"), image, db_init),
            waiting_on(m.job(ns, "keystone-db-sync", "true"), image, {"DEPENDENCY_SERVICE": "mariadb"}),
            m.app_pod(ns, "keystone-api", m.entrypoint_container(image, {
                "DEPENDENCY_SERVICE": "mariadb", "DEPENDENCY_JOBS": "keystone-db-sync",
                "DEPENDENCY_DAEMONSET": "ovs-agent"}))]


def status(kube: Kube, *args: str) -> tuple[int, str]:
    done = run_kep("status", *args, env=kep_env(KUBECONFIG=kube.env["KUBECONFIG"]), timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, done.stdout


def settled(kube: Kube, ns: str, timeout: float = 120) -> dict[str, Any]:
    """kep status's JSON once every pod of the chain is waiting in its init container."""
    deadline = time.monotonic() + timeout
    while True:
        report = json.loads(status(kube, "-n", ns, "-o", "json")[1])
        names = sorted(p["name"] for p in report["pods"])
        if len(names) == len(WAITERS) and all(n.startswith(w) for n, w in zip(names, WAITERS)):
            return report
        assert time.monotonic() < deadline, f"waiting pods: {names}"
        time.sleep(2)


@pytest.mark.parametrize("entrypoint", ["kep", "reference"])
def test_root_cause_is_the_job_never_created(kube: Kube, kep_image: str, ns: str,
                                               entrypoint: str, tmp_path: Path) -> None:
    kube.apply(chart(ns, kep_image if entrypoint == "kep" else m.REFERENCE_IMAGE))
    report = settled(kube, ns)
    db_init = {"kind": "Job", "namespace": ns, "name": "db-init"}
    for pod in report["pods"]:
        assert pod["rootCauses"] == [db_init], pod
        assert pod["container"] == "init" and pod["init"] is True
    [root] = report["rootCauses"]
    assert (root["reason"], len(root["pods"])) == (f"job {ns}/db-init: not found", 4)
    owners = {p["owner"]["kind"]: p["owner"]["name"] for p in report["pods"]}
    assert owners == {"Pod": "keystone-api", "Job": "keystone-db-sync", "Deployment": "mariadb",
                      "DaemonSet": "ovs-agent"}
    api = next(p for p in report["pods"] if p["name"] == "keystone-api")
    behind = {d["kind"]: d["waitingPods"] for d in api["dependencies"] if not d["met"]}
    assert behind.keys() == {"Service", "Job", "DaemonSet"}
    for kind, prefix in (("Service", "mariadb-"), ("Job", "keystone-db-sync-"), ("DaemonSet", "ovs-agent-")):
        [pod] = behind[kind]
        assert pod.startswith(f"{ns}/{prefix}"), behind
    code, table = status(kube, "-n", ns)
    assert code == 1 and f"Job {ns}/db-init  pending  job {ns}/db-init: not found" in table
    assert table.splitlines()[-1] == "4 pods waiting, 1 root cause, 0 cycles"
    (tmp_path / f"{entrypoint}.dot").write_text(status(kube, "-n", ns, "-o", "dot")[1])  # docs/status.md's picture
