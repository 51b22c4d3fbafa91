"""The termination message: within the kubelet's 4096 bytes, cut at a line or a character with
a marker, written only where it should be, and by which exits (cli in-process)."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from kep import termination
from kep.cli import main
from kep.termination import LIMIT, MARKER, clip, message, write
from tests.run import kep_env, run_kep


def test_a_message_that_fits_is_the_headline_then_a_line_each() -> None:
    assert message("kep: KEP_TIMEOUT ran out", ("Job a: not complete", "Service b: 0 of 1 ready")) == (
        "kep: KEP_TIMEOUT ran out\nJob a: not complete\nService b: 0 of 1 ready\n")


def test_a_long_message_keeps_its_head_and_whole_lines_and_says_it_was_cut() -> None:
    """The kubelet keeps the last 4096 bytes: kep cuts first, so the headline stays."""
    lines = tuple(f"Service svc-{i} in namespace openstack: 0 of 3 endpoints ready" for i in range(200))
    text = message("kep: KEP_TIMEOUT ran out after 30s, 200 of 200 not met", lines)
    assert len(text.encode()) <= LIMIT
    assert text.startswith("kep: KEP_TIMEOUT ran out") and text.endswith("\n" + MARKER)
    assert all(line in lines for line in text.splitlines()[1:-1])


@pytest.mark.parametrize("char", ["é", "€", "𝄞"])
def test_a_cut_never_splits_a_character(char: str) -> None:
    text = clip(char * 5000, LIMIT)
    data = text.encode()
    assert len(data) <= LIMIT and text.endswith(" " + MARKER)
    assert set(text.removesuffix(" " + MARKER)) == {char}
    assert len(data) > LIMIT - len(MARKER) - 1 - 4  # nothing cut but what the marker and one character need


def test_a_byte_that_was_no_utf8_in_the_environment_is_shown_escaped() -> None:
    assert clip("DEPENDENCY_SOCKET: bad \udcff", 100) == "DEPENDENCY_SOCKET: bad \\udcff"


def test_a_path_the_user_names_is_created(tmp_path: Path) -> None:
    path = tmp_path / "message"
    write(str(path), "kep: text\n")
    assert path.read_text() == "kep: text\n"


def test_the_default_path_is_written_only_where_the_kubelet_made_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    default = tmp_path / "termination-log"
    monkeypatch.setattr(termination, "DEFAULT_TERMINATION_LOG", str(default))
    write(str(default), "kep: text\n")
    assert not default.exists()
    default.write_text("")
    write(str(default), "kep: text\n")
    assert default.read_text() == "kep: text\n"


def test_a_write_that_fails_is_no_error_and_only_a_named_path_gets_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kep")
    monkeypatch.setattr(termination, "DEFAULT_TERMINATION_LOG", str(tmp_path / "termination-log"))
    write(str(tmp_path / "termination-log"), "kep: text\n")
    write(str(tmp_path / "no" / "such" / "dir"), "kep: text\n")
    assert [(r.levelname, r.getMessage().split(": ")[-1]) for r in caplog.records] == [
        ("DEBUG", "No such file or directory"), ("WARNING", "No such file or directory")]


def test_empty_path_writes_nothing(tmp_path: Path) -> None:
    write("", "kep: text\n")
    assert list(tmp_path.iterdir()) == []


# -- which exits write it (cli, in-process) -----------------------------------------------------


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_configuration_error_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "message"
    env = {"KEP_TERMINATION_LOG": str(path), "DEPENDENCY_SERVICES": "db", "KEP_INTERVAL": "0"}
    assert main(["true"], env) == 2
    assert path.read_text() == ("kep: configuration error, nothing was started\n"
                                'KEP_INTERVAL: "0" must be greater than 0\n'
                                "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE?\n")


def test_a_usage_error_says_so(tmp_path: Path) -> None:
    path = tmp_path / "message"
    assert main(["--frobnicate"], {"KEP_TERMINATION_LOG": str(path)}) == 2
    assert path.read_text().startswith("kep: usage: unrecognized arguments: --frobnicate")


def test_a_bad_termination_log_value_is_a_problem_written_to_the_default(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    default = tmp_path / "termination-log"
    default.write_text("")
    monkeypatch.setattr(termination, "DEFAULT_TERMINATION_LOG", str(default))
    monkeypatch.setattr("kep.envparse.knobs.DEFAULT_TERMINATION_LOG", str(default))
    assert main(["true"], {"KEP_TERMINATION_LOG": "relative/path"}) == 2
    assert "KEP_TERMINATION_LOG: \"relative/path\" is not an absolute path" in default.read_text()


def test_a_timeout_lists_what_is_unmet_with_its_reason_and_no_credential(tmp_path: Path) -> None:
    """kep as a process: the wait traps signals, which pytest's own process keeps."""
    path = tmp_path / "message"
    port = refused_port()
    env = kep_env(KEP_TERMINATION_LOG=str(path), KEP_TIMEOUT="0.1", KEP_INTERVAL="0.05",
                  DEPENDENCY_TCP=f"127.0.0.1:{port}",
                  DEPENDENCY_HTTP=f"http://admin:s3cret@127.0.0.1:{port}/health?token=abc")
    assert run_kep("true", env=env).returncode == 124
    lines = path.read_text().splitlines()
    assert lines[0].startswith("kep: KEP_TIMEOUT ran out after ") and lines[0].endswith(", 2 of 2 not met")
    assert lines[1:] == [f"TCP 127.0.0.1:{port}: connection refused (127.0.0.1)",
                         f"HTTP http://***@127.0.0.1:{port}/health?***: connection refused"]
    assert "s3cret" not in path.read_text() and "abc" not in path.read_text()


def test_a_command_that_is_not_found_says_so(tmp_path: Path) -> None:
    path = tmp_path / "message"
    assert run_kep("no-such-command-kep", env=kep_env(KEP_TERMINATION_LOG=str(path))).returncode == 127
    assert path.read_text() == "kep: command not found: no-such-command-kep\n"


def test_disabled_or_a_subcommand_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "message"
    assert main(["true"], {"KEP_TERMINATION_LOG": "0", "DEPENDENCY_SERVICES": "db"}) == 2
    assert main(["check"], {"KEP_TERMINATION_LOG": str(path), "DEPENDENCY_SERVICES": "db"}) == 2
    assert not path.exists()


def test_explain_shows_where_it_would_be_written(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--explain"], {"KEP_TERMINATION_LOG": "no"}) == 0
    assert "KEP_TERMINATION_LOG 0 (none)" in capsys.readouterr().out
