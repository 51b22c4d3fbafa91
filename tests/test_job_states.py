"""Jobs between their first success and Complete (issue 18, inputs 1 and 9), the whole program
against the fake kube-apiserver and then a real v1.32 one (`api_server`).

The test plays the Job controller: each status is one the real controller wrote on tests/cluster's
cluster (see tests/kinds/test_job.py), in its order. On the real server the job has
spec.managedBy (tests/cluster/realapi.py), so its Job controller leaves the status to the test
while the server still validates every write.
"""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.fakeapi.fixtures import api_server, fake_api, real_api_server  # noqa: F401  (fixtures)
from tests.run import start_kep, wait_for_line
from tests.waiting import NS, assert_still_waiting, cluster_env, finish

JOBS = ("batch/v1", "jobs")
WORK_QUEUE = {"parallelism": 3, "completions": None}
SUCCESS_POLICY = {"completionMode": "Indexed", "completions": 3, "parallelism": 3,
                  "successPolicy": {"rules": [{"succeededIndexes": "0"}]}}
PODS = ("8e7f4be3-8257-4a48-92e8-9c5acfed792b", "6dac83eb-5cd8-4736-b116-54379f6c93c2",
        "29a2ceba-7f17-419c-886f-1bf83e19829a")
"""UIDs of the job's pods, for status.uncountedTerminatedPods."""
DONE = f.condition("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods")


def write_status(api: Any, status: dict[str, Any]) -> None:
    """Replace the job's whole status, as the controller's update does (zero counts left out)."""
    api.patch(*JOBS, NS, "db-init", [{"op": "add", "path": "/status", "value": status}], subresource="status")


def test_work_queue_job_waits_while_pods_are_active(api_server, tmp_path):  # noqa: F811
    """Input 1 (kubernetes#43456): parallelism 3, no completions. The first pod succeeds while
    two are active; the controller completes the job only once none is active."""
    api_server.create(f.written_job("db-init", NS, WORK_QUEUE, f.job_status(active=3)))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api_server, tmp_path, DEPENDENCY_JOBS="db-init"))
    wait_for_line(proc, "job openstack/db-init: not completed yet (0 succeeded, 3 active)")
    write_status(api_server, f.job_status(active=2, uncounted_succeeded=PODS[:1]))
    wait_for_line(proc, "job openstack/db-init: not completed yet (1 succeeded, 2 active); without spec.completions "
                        "it is complete once a pod has succeeded and no pod is active")
    write_status(api_server, f.job_status(succeeded=1, active=2))
    assert_still_waiting(proc, 1.0)
    write_status(api_server, f.job_status(succeeded=2, active=1))
    wait_for_line(proc, "(2 succeeded, 1 active)")
    assert_still_waiting(proc, 0.5)
    write_status(api_server, f.job_status(succeeded=2, uncounted_succeeded=PODS[2:], conditions=[DONE]))
    out, _ = finish(proc)
    assert "job openstack/db-init: success criteria met (3 succeeded)" in "".join(proc.transcript) + out
    assert "app started" in out


def test_job_between_success_criteria_met_and_complete_is_met(api_server, tmp_path):  # noqa: F811
    """Input 9: SuccessCriteriaMet with the pod still in uncountedTerminatedPods. Its work is done
    and the verdict final (tests/cluster/test_job_controller.py: the server refuses Failed after
    it); only the controller's counting is left, and kep says so."""
    api_server.create(f.written_job("db-init", NS, {}, f.job_status(active=1)))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api_server, tmp_path, DEPENDENCY_JOBS="db-init"))
    wait_for_line(proc, "job openstack/db-init: not completed yet (0 of 1 completions, 1 active)")
    write_status(api_server, f.job_status(uncounted_succeeded=PODS[:1], conditions=[DONE]))
    out, _ = finish(proc)
    said = "".join(proc.transcript) + out
    assert ("job openstack/db-init: success criteria met (1 of 1 completions); "
            "Complete follows once the Job controller has finished counting its pods") in said
    assert "app started" in out


def test_success_policy_job_waits_for_its_lingering_pods(api_server, tmp_path):  # noqa: F811
    """Indexed, successPolicy "index 0": met by the policy while the other two pods are being
    deleted; Complete waits for them, and so does kep."""
    api_server.create(f.written_job("db-init", NS, SUCCESS_POLICY, f.job_status(active=3)))
    proc = start_kep("--", "echo", "app started", env=cluster_env(api_server, tmp_path, DEPENDENCY_JOBS="db-init"))
    wait_for_line(proc, "not completed yet (0 of 3 completions, 3 active)")
    policy_met = f.condition("SuccessCriteriaMet", "True", "SuccessPolicy", "Matched rules at index 0")
    write_status(api_server, f.job_status(succeeded=1, terminating=2, completedIndexes="0", conditions=[policy_met]))
    wait_for_line(proc, "job openstack/db-init: successPolicy met (1 of 3 completions, 2 terminating), "
                        "waiting for its pods to stop")
    assert_still_waiting(proc, 1.0)
    write_status(api_server, f.job_status(succeeded=1, completedIndexes="0", conditions=[policy_met]))
    out, _ = finish(proc)
    assert "app started" in out


def test_failure_target_is_failed_before_its_pods_have_stopped(api_server, tmp_path):  # noqa: F811
    """activeDeadlineSeconds passed: FailureTarget while the pod still terminates; Failed follows
    for sure, so KEP_FAIL_ON_JOB_FAILURE=1 exits 3 at once."""
    api_server.create(f.written_job("db-init", NS, {"activeDeadlineSeconds": 30}, f.job_status(active=1)))
    env = cluster_env(api_server, tmp_path, DEPENDENCY_JOBS="db-init", KEP_FAIL_ON_JOB_FAILURE="1")
    proc = start_kep("--", "echo", "app started", env=env)
    wait_for_line(proc, "not completed yet (0 of 1 completions, 1 active)")
    write_status(api_server, f.job_status(terminating=1, uncounted_failed=PODS[:1], conditions=[f.condition(
        "FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline")]))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, err
    assert ("job openstack/db-init: failed (DeadlineExceeded): 0 of 1 completions, 1 failed; "
            "Job was active longer than specified deadline") in out + err
    assert "app started" not in out
