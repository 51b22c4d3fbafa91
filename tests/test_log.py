import io
import json
import logging

import pytest

from kep import log as logsetup


@pytest.fixture
def streams():
    out, err = io.StringIO(), io.StringIO()
    yield out, err
    logsetup.configure()


def test_reference_line_shape_info_to_stdout_errors_to_stderr(streams):
    out, err = streams
    logsetup.configure(out, err)
    logging.getLogger("kep.test").info("Resolving Service db in namespace ns")
    logging.getLogger("kep.test").error("bad")
    assert out.getvalue().startswith("Entrypoint INFO: ")
    assert out.getvalue().rstrip().endswith(" Resolving Service db in namespace ns")
    assert err.getvalue().startswith("Entrypoint ERROR: ") and "bad" in err.getvalue()
    assert "bad" not in out.getvalue()


def test_json_format_is_one_object_per_line(streams):
    out, err = streams
    logsetup.configure(out, err, form="json")
    logging.getLogger("kep.test").warning('Waiting for "x"')
    record = json.loads(out.getvalue())
    assert record["level"] == "warning" and record["message"] == 'Waiting for "x"'
    assert record["time"].endswith("Z")


def test_debug_lines_only_when_asked(streams):
    out, err = streams
    logsetup.configure(out, err)
    logging.getLogger("kep.test").debug("hidden")
    logsetup.configure(out, err, debug=True)
    logging.getLogger("kep.test").debug("shown")
    assert "hidden" not in out.getvalue() and "shown" in out.getvalue()


# --- JSON mode as a whole program: every line of both streams is an object ---

from tests import factories as f  # noqa: E402
from tests.fakeapi.fixtures import fake_api  # noqa: E402,F401  (fixture)
from tests.run import kep_env, run_kep  # noqa: E402
from tests.waiting import NS, api, cluster_env  # noqa: E402,F401


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_dependency_lines_carry_kind_namespace_name_met_and_reason(api, tmp_path):
    api.create(f.service("mariadb", NS))
    api.create(f.endpoint_slice("mariadb", NS, f.endpoint("10.0.0.7", ready=True)))
    api.create(f.job("db-init", NS, succeeded=1))
    env = cluster_env(api, tmp_path, DEPENDENCY_SERVICE="mariadb", DEPENDENCY_JOBS="db-init", KEP_LOG_FORMAT="json")
    done = run_kep("--", "true", env=env)
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout) + json_lines(done.stderr)
    resolved = [line for line in lines if "is resolved." in line["message"]]
    assert {(r["kind"], r["namespace"], r["name"], r["met"]) for r in resolved} == {
        ("Service", NS, "mariadb", True), ("Job", NS, "db-init", True)}
    assert all(r["reason"] for r in resolved)
    assert all({"time", "level", "message"} <= line.keys() for line in lines)


def test_debug_logs_every_api_request_with_its_answer(api, tmp_path):
    api.create(f.job("db-init", NS, succeeded=1))
    done = run_kep("--", "true", env=cluster_env(api, tmp_path, DEPENDENCY_JOBS="db-init", KEP_DEBUG="1"))
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert f"GET /apis/batch/v1/namespaces/{NS}/jobs?" in said and ": 200 in " in said
    assert "Bearer" not in said and api.admin_token not in said


def test_json_timeout_and_failure_lines_name_their_dependency(api, tmp_path):
    api.create(f.job("db-init", NS, active=1))
    api.create(f.job("db-sync", NS, conditions=[f.condition("Failed", "True", "BackoffLimitExceeded")]))
    timed_out = run_kep("--", "true", env=cluster_env(
        api, tmp_path, DEPENDENCY_JOBS="db-init", KEP_TIMEOUT="0.5", KEP_LOG_FORMAT="json"))
    assert timed_out.returncode == 124, timed_out.stderr
    [last] = [line for line in json_lines(timed_out.stderr) if line["message"].startswith("timed out")]
    assert (last["kind"], last["namespace"], last["name"], last["met"]) == ("Job", NS, "db-init", False)
    failed = run_kep("--", "true", env=cluster_env(
        api, tmp_path, DEPENDENCY_JOBS="db-sync", KEP_FAIL_ON_JOB_FAILURE="1", KEP_LOG_FORMAT="json"))
    assert failed.returncode == 3, failed.stderr
    [last] = [line for line in json_lines(failed.stderr) if line["message"].startswith("dependency failed")]
    assert (last["kind"], last["name"], last["met"]) == ("Job", "db-sync", False)


@pytest.mark.parametrize("argv, env", [
    ((), {"DEPENDENCY_SERVICE": "a:b:c", "KEP_INTERVAL": "-1"}),
    (("--frobnicate",), {}),
    (("chek",), {}),
    (("--", "/nonexistent/cmd"), {}),
])
def test_json_mode_has_no_text_line_for_configuration_errors_and_early_failures(argv, env):
    done = run_kep(*argv, env=kep_env(KEP_LOG_FORMAT="json", **env))
    assert done.returncode != 0
    lines = json_lines(done.stdout) + json_lines(done.stderr)
    assert lines and all(line["level"] in ("info", "warning", "error") for line in lines)
