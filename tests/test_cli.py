"""The command line, in-process: help, version, usage errors, config errors."""

import pytest

from kep import __version__
from kep.cli import Invocation, main, parse_args
from tests.run import kep_env, run_kep


def test_help_documents_every_variable_knob_and_exit_code(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"], {})
    assert done.value.code == 0
    text = capsys.readouterr().out
    for name in ["DEPENDENCY_SERVICE", "DEPENDENCY_CONTAINER", "DEPENDENCY_DAEMONSET", "DEPENDENCY_JOBS",
                 "DEPENDENCY_JOBS_JSON", "DEPENDENCY_POD_JSON", "DEPENDENCY_CUSTOM_RESOURCE",
                 "DEPENDENCY_SOCKET", "DEPENDENCY_CONFIG", "DEPENDENCY_TCP", "DEPENDENCY_HTTP", "DEPENDENCY_HTTP_JSON",
                 "COMMAND", "NAMESPACE", "POD_NAME",
                 "INTERFACE_NAME", "KUBECONFIG", "KEP_SERVICE_ACCOUNT_DIR", "KEP_INTERVAL", "KEP_TIMEOUT",
                 "KEP_PROGRESS_INTERVAL", "KEP_FAIL_ON_JOB_FAILURE", "KEP_CONFIGMAPS_DIR", "KEP_WATCH", "KEP_DEBUG", "KEP_LOG_FORMAT"]:
        assert name in text, name
    for code in ["0 ", "1 ", "2 ", "3 ", "124", "126", "127", "128+n"]:
        assert f"\n  {code}" in text, code


def test_version_from_source_says_so_instead_of_a_commit(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"], {})
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"kep {__version__} (from source)"


def test_unknown_option_is_a_usage_error_with_exit_2_and_one_line(capsys):
    assert main(["--frobnicate"], {}) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "--frobnicate" in lines[0] and "kep --help" in lines[0]


@pytest.mark.parametrize("argv, command", [
    ([], ()),
    (["--", "sleep", "1"], ("sleep", "1")),
    (["sleep", "1"], ("sleep", "1")),
    (["--", "ls", "--color", "--"], ("ls", "--color", "--")),
    # From the first word that is not kep's option on, everything is the command's.
    (["sh", "-c", "echo hi"], ("sh", "-c", "echo hi")),
    (["myapp", "--version"], ("myapp", "--version")),
    (["myapp", "--help", "--", "x"], ("myapp", "--help", "--", "x")),
    (["--", "--weird-name"], ("--weird-name",)),
])
def test_command_comes_from_arguments(argv, command):
    assert parse_args(argv) == Invocation("run", command)


@pytest.mark.parametrize("argv, invocation", [
    (["check"], Invocation("check")),
    (["check", "-o", "json"], Invocation("check", output="json")),
    (["rbac", "--service-account", "nova", "--no-watch"], Invocation("rbac", service_account="nova", watch=False)),
    (["--explain"], Invocation("explain")),
    (["--explain", "--", "nova-api"], Invocation("explain", ("nova-api",))),
    (["--explain", "nova-api", "--config-file", "/etc/nova/nova.conf"],
     Invocation("explain", ("nova-api", "--config-file", "/etc/nova/nova.conf"))),
    (["--", "check"], Invocation("run", ("check",))),
])
def test_subcommands_and_explain(argv, invocation):
    assert parse_args(argv) == invocation


@pytest.mark.parametrize("argv, needle", [
    (["check", "-o", "yaml"], "invalid choice: 'yaml'"),
    (["rbac", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["check", "--", "echo"], "kep check takes no command"),
    (["chek"], "unknown subcommand 'chek': did you mean kep check?"),
    (["rbac", "--service-account", "Nova_API"], "'Nova_API' is not a service account name"),
    (["rbac", "--service-account", ""], "'' is not a service account name"),
])
def test_bad_subcommand_use_is_a_one_line_usage_error(argv, needle, capsys):
    assert main(argv, {}) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and needle in lines[0], lines


def test_config_errors_are_all_reported_one_line_each_with_exit_2(capsys):
    env = {"DEPENDENCY_SERVICE": "a:b:c", "DEPENDENCY_JOBS_JSON": "[{", "KEP_INTERVAL": "-1"}
    assert main([], env) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert any("DEPENDENCY_SERVICE" in line and "a:b:c" in line for line in lines)
    assert any("DEPENDENCY_JOBS_JSON" in line for line in lines)
    assert any("KEP_INTERVAL" in line and "-1" in line for line in lines)
    assert all("Traceback" not in line for line in lines)


def test_warnings_are_shown_with_the_errors(capsys):
    assert main([], {"DEPENDENCY_SERVICES": "", "DEPENDENCY_CONTAINER": "a"}) == 2
    captured = capsys.readouterr()
    assert "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE? (empty" in captured.out
    assert "POD_NAME: required by DEPENDENCY_CONTAINER" in captured.err


MISSPELT = "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE?"


@pytest.mark.parametrize("name, value, meant", [
    ("DEPENDENCY_SERVICES", "mariadb", "DEPENDENCY_SERVICE"),
    ("DEPENDANCY_SERVICE", "mariadb", "DEPENDENCY_SERVICE"),
    ("DEPENDENCY_JOB", "nova-db-sync", "DEPENDENCY_JOBS"),
    ("KEP_TIMOUT", "5", "KEP_TIMEOUT"),
])
def test_a_misspelt_name_stops_kep_before_the_command_runs(name, value, meant, tmp_path):
    """Read as written, kep would drop the dependency or the knob and exec at once (or wait forever)."""
    marker = tmp_path / "ran"
    done = run_kep("touch", str(marker), env=kep_env(**{name: value}))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.endswith(f" {name}: not a variable kep reads; did you mean {meant}?"), line
    assert "Traceback" not in done.stderr and "executing" not in done.stdout
    assert not marker.exists()


@pytest.mark.parametrize("argv", [["check"], ["check", "-o", "json"], ["rbac"], ["--explain"]])
def test_every_tool_on_the_same_environment_refuses_a_misspelt_name(argv, capsys):
    assert main(argv, {"DEPENDENCY_SERVICES": "mariadb", "DEPENDENCY_SERVICE": "keystone"}) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.endswith(MISSPELT), line


def test_a_blank_misspelt_name_and_an_unknown_kep_name_are_warned_of_and_the_command_runs(tmp_path):
    marker = tmp_path / "ran"
    done = run_kep("touch", str(marker), env=kep_env(DEPENDENCY_SERVICES="", KEP_LOG_LEVEL="debug"))
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    assert f"{MISSPELT} (empty, so ignored)" in done.stdout
    assert "KEP_LOG_LEVEL: not a variable kep reads (ignored; kep --help lists kep's)" in done.stdout


def test_explain_shows_the_words_of_the_command_and_warns_of_quotes_in_command(capsys):
    assert main(["--explain"], {"COMMAND": "sh -c 'echo hi'", "DEPENDENCY_SOCKET": "/run/x.sock"}) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 dependency:\n")
    assert 'command (COMMAND): ["sh", "-c", "\'echo", "hi\'"]\nwarning: COMMAND is split on whitespace' in out
    assert main(["--explain", "sh", "-c", "echo hi"], {"COMMAND": "ignored 'x'"}) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith('command (arguments): ["sh", "-c", "echo hi"]')


@pytest.mark.parametrize("argv", [["check"], ["rbac"]])
def test_check_and_rbac_print_only_their_output_on_stdout_and_log_lines_on_stderr(argv, tmp_path):
    """Their stdout is a table, JSON or YAML for a reader or a pipe (`kep rbac | kubectl apply
    -f -`): a warning goes to stderr, as kubectl's do."""
    done = run_kep(*argv, env=kep_env(DEPENDENCY_SOCKET=str(tmp_path), KEP_FROBNICATE="1"))
    assert "KEP_FROBNICATE" not in done.stdout
    assert "KEP_FROBNICATE" in done.stderr and "WARNING" in done.stderr


def test_the_kubeconfig_is_parsed_once_per_run(tmp_path, monkeypatch) -> None:
    """The default namespace, the client and --explain share one load (kep.cli.ApiAccess)."""
    from kep import cli
    from kep.api import kubeconfig

    kc = tmp_path / "config"
    kc.write_text("apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                  "contexts: [{name: c, context: {cluster: c, namespace: nova}}]\n"
                  "clusters: [{name: c, cluster: {server: 'https://h:1'}}]\n")
    reads = []
    real = kubeconfig.Kubeconfig.read
    monkeypatch.setattr(kubeconfig.Kubeconfig, "read", staticmethod(lambda paths: reads.append(paths) or real(paths)))
    assert cli.main(["--explain"], {"KUBECONFIG": str(kc), "DEPENDENCY_SERVICE": "db"}) == 0
    assert len(reads) == 1


def test_a_broken_kubeconfig_gives_the_default_namespace_and_its_error_only_when_the_api_is_needed(tmp_path) -> None:
    from kep import cli

    kc = tmp_path / "config"
    kc.write_text("clusters: [\n")
    api = cli.ApiAccess({"KUBECONFIG": str(kc), "DEPENDENCY_SERVICE": "db"})
    assert api.default_namespace() == "default"
    with pytest.raises(cli.ConfigError, match=f"^kubeconfig {kc}: line "):
        api.client()


@pytest.mark.parametrize("args", [["--help"], ["rbac"]])
def test_a_reader_that_goes_away_ends_kep_quietly(args: list[str]) -> None:
    """`kep rbac | head -1`: no "internal error", no traceback; 141 as a pipeline member
    killed by SIGPIPE."""
    import subprocess

    from tests.run import KEP

    env = kep_env(DEPENDENCY_SERVICE="db", NAMESPACE="openstack", KUBECONFIG="/nonexistent")
    proc = subprocess.Popen([*KEP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before kep writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=20) == 141, err
    assert "internal error" not in err and "Traceback" not in err
