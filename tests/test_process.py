"""kep as a real process: waiting, exec hand-off, exit codes and signals."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.run import kep_env, run_kep, start_kep, wait_for_line


def test_no_command_exits_0_after_logging_all_met():
    done = run_kep(env=kep_env())
    assert done.returncode == 0, done.stderr
    assert "All dependencies are resolved" in done.stdout


def test_exec_keeps_the_pid(tmp_path):
    proc = start_kep("--", "sh", "-c", "echo $$")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == str(proc.pid)


def test_exec_keeps_the_environment():
    done = run_kep(env=kep_env(COMMAND="env", KEP_TEST_MARKER="kept value"))
    assert done.returncode == 0, done.stderr
    assert "KEP_TEST_MARKER=kept value" in done.stdout.splitlines()


def test_command_is_split_on_runs_of_whitespace():
    done = run_kep(env=kep_env(COMMAND="  printf  [%s]\ta   b  "))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[a][b]"


def test_arguments_after_double_dash_win_over_command():
    done = run_kep("--", "printf", "%s", "from-args", env=kep_env(COMMAND="printf from-env"))
    assert done.stdout.splitlines()[-1] == "from-args"


def test_command_not_found_exits_127_with_one_line():
    done = run_kep("--", "no-such-command-kep")
    assert done.returncode == 127
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert "command not found: no-such-command-kep" in done.stderr


def test_command_not_executable_exits_126(tmp_path):
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    os.chmod(script, 0o644)
    done = run_kep("--", str(script))
    assert done.returncode == 126
    assert "not executable" in done.stderr and len(done.stderr.splitlines()) == 1


def test_command_exit_code_comes_back_unchanged():
    assert run_kep("--", "sh", "-c", "exit 7").returncode == 7


def test_config_error_starts_nothing(tmp_path):
    marker = tmp_path / "started"
    done = run_kep("--", "touch", str(marker), env=kep_env(DEPENDENCY_SERVICE="a:b:c"))
    assert done.returncode == 2
    assert not marker.exists()
    assert "DEPENDENCY_SERVICE" in done.stderr and "Traceback" not in done.stderr


def test_socket_dependency_execs_only_after_the_socket_appears(tmp_path):
    path = tmp_path / "app.sock"
    env = kep_env(DEPENDENCY_SOCKET=str(path), KEP_INTERVAL="0.2")
    proc = start_kep("--", "sh", "-c", f"test -S {path} && echo socket-was-there", env=env)
    wait_for_line(proc, "Waiting for Socket")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        server.close()
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == "socket-was-there"
    assert f"Dependency Socket {path} is resolved." in out


def test_config_dependency_renders_before_exec(tmp_path):
    template = tmp_path / "configmaps" / "app.conf" / "app.conf"
    target = tmp_path / "etc" / "app.conf"
    env = kep_env(DEPENDENCY_CONFIG=str(target), INTERFACE_NAME="lo", KEP_INTERVAL="0.2",
                  KEP_CONFIGMAPS_DIR=str(tmp_path / "configmaps"))
    proc = start_kep("--", "cat", str(target), env=env)
    wait_for_line(proc, "does not exist yet")
    template.parent.mkdir(parents=True)
    template.write_text("listen = {{ .IP }}:5000\n")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == "listen = 127.0.0.1:5000"


def test_timeout_exits_124_with_one_line_per_unmet_dependency(tmp_path):
    marker = tmp_path / "started"
    env = kep_env(DEPENDENCY_SOCKET=f"{tmp_path}/a.sock,{tmp_path}/b.sock", KEP_TIMEOUT="0.5", KEP_INTERVAL="0.1")
    done = run_kep("--", "touch", str(marker), env=env)
    assert done.returncode == 124
    lines = done.stderr.splitlines()
    assert len(lines) == 2
    assert "a.sock does not exist" in lines[0] and "b.sock does not exist" in lines[1]
    assert not marker.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_while_waiting_exits_128_plus_n_quickly_starting_nothing(tmp_path, signum):
    marker = tmp_path / "started"
    env = kep_env(DEPENDENCY_SOCKET=str(tmp_path / "never.sock"), KEP_INTERVAL="30")
    proc = start_kep("--", "touch", str(marker), env=env)
    wait_for_line(proc, "Waiting for Socket")
    sent = time.monotonic()
    proc.send_signal(signum)
    proc.wait(timeout=20)
    elapsed = time.monotonic() - sent
    assert proc.returncode == 128 + signum
    # far below the next check 30 s away; the 100 ms target is measured in bench/signals.py
    assert elapsed < 10, f"took {elapsed:.3f}s"
    assert not marker.exists()


def test_sigterm_right_after_waiting_starts_is_never_missed(tmp_path):
    """A signal landing just before kep blocks must still end the wait (seen: 1 in 5 missed)."""
    env = kep_env(DEPENDENCY_SOCKET=str(tmp_path / "never.sock"), KEP_INTERVAL="30")
    for _ in range(15):
        proc = start_kep("--", "true", env=env)
        wait_for_line(proc, "Waiting for Socket")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 143


def test_console_script_runs_the_same_code():
    script = shutil.which("kep", path=os.path.dirname(sys.executable))
    assert script, "console script kep is not installed in the venv"
    by_script = subprocess.run([script, "--", "printf", "same"], capture_output=True, text=True, env=kep_env())
    by_file = run_kep("--", "printf", "same")
    assert by_script.returncode == by_file.returncode == 0
    assert by_script.stdout.splitlines()[-1] == by_file.stdout.splitlines()[-1] == "same"


def test_still_pending_dependencies_are_summarized_every_progress_interval(tmp_path):
    env = kep_env(DEPENDENCY_SOCKET=str(tmp_path / "never.sock"), KEP_INTERVAL="0.1",
                  KEP_PROGRESS_INTERVAL="0.4", KEP_TIMEOUT="1.4")
    done = run_kep(env=env)
    assert done.returncode == 124
    summaries = [line for line in done.stdout.splitlines() if "Still waiting" in line]
    assert len(summaries) == 3, done.stdout
    assert "1 of 1 dependencies" in summaries[0] and "never.sock does not exist" in summaries[0]
    assert sum("Waiting for Socket" in line for line in done.stdout.splitlines()) == 1, "reason logged once"
