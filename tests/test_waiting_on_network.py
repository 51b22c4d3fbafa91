"""The whole program as a process, waiting for TCP and HTTP endpoints on real local servers:
same engine, logs, knobs and exit codes as for Kubernetes objects; no credential in any line."""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.netservers import free_port, http_server, listen, unanswered
from tests.run import kep_env, run_kep, start_kep, wait_for_line
from tests.waiting import assert_still_waiting, finish

SECRETS = ("s3cret", "tok3n")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_exec_only_once_the_listener_opens_and_the_server_answers_200() -> None:
    port = free_port()
    with http_server({"/health": [503, 503, 200]}) as (base, _):
        env = kep_env(DEPENDENCY_TCP=f"127.0.0.1:{port}", DEPENDENCY_HTTP=f"{base}/health", KEP_INTERVAL="0.2")
        proc = start_kep("--", "echo", "app started", env=env)
        wait_for_line(proc, f"Waiting for TCP 127.0.0.1:{port}: connection refused (127.0.0.1)")
        wait_for_line(proc, f"Dependency HTTP {base}/health is resolved. (answered 200 OK)")
        assert_still_waiting(proc, 0.5)
        with listen("127.0.0.1", port):
            out, _ = finish(proc)
    lines = "".join(proc.transcript) + out
    assert lines.count("Waiting for TCP") == 1, "a reason is logged once, not at every attempt"
    assert f"Dependency TCP 127.0.0.1:{port} is resolved. (connected to 127.0.0.1)" in lines
    assert out.splitlines()[-1] == "app started"


def test_no_credential_in_any_line_text_or_json() -> None:
    port = free_port()
    for form in ("text", "json"):
        env = kep_env(
            DEPENDENCY_HTTP=f"http://user:s3cret@127.0.0.1:{port}/health?token=tok3n",
            DEPENDENCY_HTTP_JSON=json.dumps([{"url": f"http://127.0.0.1:{port}/?tok3n",
                                              "headers": {"Authorization": "Bearer s3cret"}}]),
            KEP_INTERVAL="0.2", KEP_TIMEOUT="0.5", KEP_LOG_FORMAT=form)
        done = run_kep("--", "true", env=env)
        assert done.returncode == 124
        assert f"http://***@127.0.0.1:{port}/health?***" in done.stdout + done.stderr
        assert not any(secret in done.stdout + done.stderr for secret in SECRETS)


def test_timeout_names_each_unmet_endpoint_and_exits_124() -> None:
    port = free_port()
    env = kep_env(DEPENDENCY_TCP=f"127.0.0.1:{port}", KEP_INTERVAL="0.2", KEP_TIMEOUT="0.5")
    done = run_kep(env=env)
    assert done.returncode == 124
    assert done.stderr.splitlines()[-1].endswith(
        f"timed out after 0.5s: TCP 127.0.0.1:{port}: connection refused (127.0.0.1)")


def test_bad_values_are_one_line_each_exit_2_nothing_started() -> None:
    env = kep_env(DEPENDENCY_TCP="db,db:0", DEPENDENCY_HTTP="ftp://u:s3cret@h/?tok3n",
                  DEPENDENCY_HTTP_JSON="[{")
    done = run_kep("--", "echo", "started", env=env)
    assert done.returncode == 2
    assert "started" not in done.stdout
    assert [line.split(" ", 4)[-1] for line in done.stderr.splitlines()] == [
        'DEPENDENCY_TCP: item "db" has no port (expected host:port, or [address]:port for IPv6)',
        'DEPENDENCY_TCP: item "db:0" has port "0", which is not a number from 1 to 65535',
        'DEPENDENCY_HTTP: item "ftp://***@h/?***" has scheme "ftp" (expected http or https)',
        "DEPENDENCY_HTTP_JSON: invalid JSON: Expecting property name enclosed in double quotes at line 1 column 3",
    ]


def test_sigterm_during_an_attempt_exits_143_at_once() -> None:
    """An attempt may block for its whole timeout (5 s here); SIGTERM must not wait for it."""
    with unanswered() as port:
        env = kep_env(DEPENDENCY_TCP=f"127.0.0.1:{port}", KEP_INTERVAL="30")
        proc = start_kep("--", "echo", "started", env=env)
        wait_for_line(proc, "Resolving TCP")
        time.sleep(0.5)  # the first attempt is under way, and will be for 4.5 s more
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 143
        assert time.monotonic() - sent < 3  # before the attempt ends


def test_kep_timeout_bounds_the_wait_even_while_an_attempt_blocks() -> None:
    """An attempt never outlasts KEP_TIMEOUT, and the deadline is read after it, not before."""
    with unanswered() as port:
        env = kep_env(DEPENDENCY_TCP=f"127.0.0.1:{port}", KEP_INTERVAL="5", KEP_TIMEOUT="1")
        started = time.monotonic()
        done = run_kep(env=env)
        took = time.monotonic() - started
    assert done.returncode == 124
    assert done.stderr.splitlines()[-1].endswith(f"TCP 127.0.0.1:{port}: timed out after 1s (127.0.0.1)")
    assert took < 4  # not the 5 s attempt of KEP_INTERVAL; kep's start-up is the machine's


def test_unreachable_endpoints_are_checked_at_the_same_time() -> None:
    """Three attempts that each block for their whole timeout take one timeout, not three."""
    with unanswered() as a, unanswered() as b, unanswered() as c:
        env = kep_env(DEPENDENCY_TCP=f"127.0.0.1:{a},127.0.0.1:{b},127.0.0.1:{c}", KEP_INTERVAL="5", KEP_TIMEOUT="3")
        started = time.monotonic()
        done = run_kep(env=env)
        took = time.monotonic() - started
    assert done.returncode == 124
    assert len(done.stderr.splitlines()) == 3
    assert took < 7  # one 3 s attempt, not three in a row; kep's start-up is the machine's
