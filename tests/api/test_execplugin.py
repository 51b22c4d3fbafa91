"""Exec credential plugins as client-go runs them: small scripts as plugins, alone and
against the fake API server over HTTPS (token and client-certificate credentials)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kep.api.client import Client
from kep.api.clusterconfig import ClusterConfig, ExecConfig
from kep.api.config import load_config
from kep.api.errors import ApiError, NoCredentials, PluginFailed
from kep.api.execplugin import Credential, ExecPlugin
from kep.api.resources import PODS
from kep.errors import ConfigError
from tests.fakeapi import FakeApiServer
from tests.fakeapi.fixtures import fake_api  # noqa: F401  (the fixture)

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"
SECRET = "plugin-token-5c1e7a-do-not-show"

PLUGIN = """\
#!{python}
# A credential plugin for the tests: records how it was run, then answers from answers.json.
import json, os, sys
state = {state!r}
runs = len([n for n in os.listdir(state) if n.startswith("call")])
devnull = os.stat(os.devnull)
stdin = os.fstat(0) if not sys.stdin.closed else None
json.dump({{
    "argv": sys.argv[1:],
    "exec_info": os.environ.get("KUBERNETES_EXEC_INFO"),
    "env": {{k: os.environ.get(k) for k in ("PLUGIN_REGION", "HOME_OF_TEST", "LD_LIBRARY_PATH")}},
    "stdin_is_devnull": stdin is not None and (stdin.st_rdev, stdin.st_ino) == (devnull.st_rdev, devnull.st_ino),
}}, open(os.path.join(state, "call%d.json" % runs), "w"))
answers = json.load(open(os.path.join(state, "answers.json")))
answer = answers[min(runs, len(answers) - 1)]
sys.stderr.write(answer.get("stderr", ""))
sys.stdout.write(answer["stdout"] if "stdout" in answer else json.dumps(answer["credential"]))
sys.exit(answer.get("exit", 0))
"""


class Plugin:
    """A plugin script in a directory that also holds its answers and a record of each run."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = directory / "kubectl-test-auth"
        self.path.write_text(PLUGIN.format(python=sys.executable, state=str(directory)))
        self.path.chmod(0o755)
        self.answer()

    def answer(self, *answers: dict[str, Any]) -> None:
        (self.dir / "answers.json").write_text(json.dumps(list(answers) or [{"stdout": ""}]))

    @property
    def calls(self) -> list[dict[str, Any]]:
        names = sorted(self.dir.glob("call*.json"), key=lambda p: int(p.stem[4:]))
        return [json.loads(p.read_text()) for p in names]


def credential(api_version: str = V1, **status: Any) -> dict[str, Any]:
    return {"credential": {"kind": "ExecCredential", "apiVersion": api_version, "status": status}}


def exec_cluster(plugin: Plugin, api_version: str = V1, *, server: str = "https://h:6443", mode: str = "Never",
                 provide: bool = False, ca_file: str | None = None) -> ClusterConfig:
    return ClusterConfig(
        server=server,
        source="test",
        ca_file=ca_file,
        exec=ExecConfig(
            command=str(plugin.path), args=("token", "--cluster", "prod"), env=(("PLUGIN_REGION", "eu-1"),),
            api_version=api_version, interactive_mode=mode, provide_cluster_info=provide, install_hint=None,
            cluster_config=None, user="deployer",
        ),
    )


@pytest.fixture
def plugin(tmp_path: Path) -> Plugin:
    return Plugin(tmp_path / "plugin")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- the plugin alone ---------------------------------------------------------------------


def test_the_plugin_runs_with_its_args_env_exec_info_and_no_stdin(plugin: Plugin) -> None:
    plugin.answer(credential(token=SECRET))
    run = ExecPlugin(exec_cluster(plugin), environ={"HOME_OF_TEST": "/home/t", "PATH": os.defpath})
    assert run.credential().token == SECRET
    (call,) = plugin.calls
    assert call["argv"] == ["token", "--cluster", "prod"]
    assert call["env"] == {"PLUGIN_REGION": "eu-1", "HOME_OF_TEST": "/home/t", "LD_LIBRARY_PATH": None}
    assert json.loads(call["exec_info"]) == {"kind": "ExecCredential", "apiVersion": V1, "spec": {"interactive": False}}
    assert call["stdin_is_devnull"]


def test_exec_info_is_compact_json_as_client_go_encodes_it(plugin: Plugin) -> None:
    plugin.answer(credential(V1BETA1, token=SECRET))
    ExecPlugin(exec_cluster(plugin, V1BETA1), environ={}, is_terminal=lambda: False).credential()
    assert plugin.calls[0]["exec_info"] == (
        '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}\n'
    )


def test_provide_cluster_info_describes_the_cluster(plugin: Plugin, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"CA-PEM")
    plugin.answer(credential(token=SECRET))
    config = exec_cluster(plugin, provide=True, ca_file=str(ca))
    assert config.exec is not None
    config = dataclasses.replace(config, tls_server_name="api.internal",
                                 exec=dataclasses.replace(config.exec, cluster_config='{"audience": "prod"}'))
    ExecPlugin(config, environ={}).credential()
    info = json.loads(plugin.calls[0]["exec_info"])
    assert info["spec"] == {
        "cluster": {"server": "https://h:6443", "tls-server-name": "api.internal",
                    "certificate-authority-data": "Q0EtUEVN", "config": {"audience": "prod"}},
        "interactive": False,
    }


def test_if_available_is_interactive_only_on_a_terminal(plugin: Plugin) -> None:
    plugin.answer(credential(V1BETA1, token=SECRET))
    ExecPlugin(exec_cluster(plugin, V1BETA1, mode="IfAvailable"), environ={}, is_terminal=lambda: True).credential()
    assert json.loads(plugin.calls[0]["exec_info"])["spec"] == {"interactive": True}


def test_always_interactive_without_a_terminal_is_a_config_error(plugin: Plugin) -> None:
    with pytest.raises(ConfigError) as info:
        ExecPlugin(exec_cluster(plugin, mode="Always"), environ={}, is_terminal=lambda: False)
    assert info.value.problems == [
        f'exec plugin {plugin.path} (user "deployer"): interactiveMode is Always, but kep\'s standard input is not a terminal'
    ]


def test_the_frozen_runtimes_additions_are_not_passed_on(plugin: Plugin, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-file binary sets LD_LIBRARY_PATH to its bundle; the plugin gets the user's value."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    plugin.answer(credential(token=SECRET))
    environ = {"LD_LIBRARY_PATH": "/tmp/kep-x/_internal", "_KEP_SAVED": "1", "_KEP_SAVED_LD_LIBRARY_PATH": "/opt/lib"}
    ExecPlugin(exec_cluster(plugin), environ=environ).credential()
    assert plugin.calls[0]["env"]["LD_LIBRARY_PATH"] == "/opt/lib"


def test_the_credential_is_kept_until_it_expires(plugin: Plugin) -> None:
    expiry = dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.timezone.utc).timestamp()
    clock = Clock(expiry - 3600)
    plugin.answer(credential(token=SECRET, expirationTimestamp="2027-01-15T08:00:00Z"))
    run = ExecPlugin(exec_cluster(plugin), environ={}, now=clock)
    first = run.credential()
    assert first.expires == expiry
    clock.now = expiry
    assert run.credential() is first
    clock.now = expiry + 1
    assert run.credential() is not first
    assert len(plugin.calls) == 2


def test_without_an_expiry_it_is_kept_until_rejected(plugin: Plugin) -> None:
    plugin.answer(credential(token=SECRET))
    run = ExecPlugin(exec_cluster(plugin), environ={})
    first = run.credential()
    assert run.credential() is first
    run.reject(Credential(token="some other"))  # an older credential: nothing to do
    assert run.credential() is first and len(plugin.calls) == 1
    run.reject(first)
    assert run.credential() is not first and len(plugin.calls) == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"exit": 3, "stdout": "", "stderr": "aws: token expired, run aws sso login\n"}, "failed with exit code 3"),
        ({"stdout": f"token: {SECRET}"}, "printed no JSON ExecCredential"),
        ({"stdout": json.dumps({"kind": "Pod", "apiVersion": "v1"})}, "printed something other than an ExecCredential"),
        (credential(V1BETA1, token=SECRET), f"is configured for {V1} and answered {V1BETA1}"),
        ({"stdout": json.dumps({"kind": "ExecCredential", "apiVersion": V1})}, "returned no status"),
        (credential(), "returned neither a token nor a client certificate and key"),
        (credential(clientCertificateData="CERT"), "returned a client certificate or a key, not both"),
        (credential(token=SECRET, expirationTimestamp="tomorrow"), "returned an expirationTimestamp that is not an RFC 3339 time"),
    ],
)
def test_a_plugin_that_gives_no_credential_is_one_line_without_its_output(
    plugin: Plugin, answer: dict[str, Any], message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    plugin.answer(answer)
    with pytest.raises(PluginFailed) as info:
        ExecPlugin(exec_cluster(plugin), environ={}).credential()
    assert str(info.value) == f'exec plugin {plugin.path} (user "deployer") {message}'
    assert SECRET not in str(info.value)
    assert capfd.readouterr().err == answer.get("stderr", "")  # its stderr passes through


def test_a_plugin_that_disappeared_is_one_line(plugin: Plugin) -> None:
    plugin.path.unlink()
    with pytest.raises(PluginFailed, match=r'\(user "deployer"\) cannot be run: No such file or directory$'):
        ExecPlugin(exec_cluster(plugin), environ={}).credential()


def test_the_credential_never_shows(plugin: Plugin) -> None:
    plugin.answer(credential(token=SECRET, clientCertificateData="CERT-PEM", clientKeyData="KEY-PEM"))
    run = ExecPlugin(exec_cluster(plugin), environ={})
    got = run.credential()
    for text in (repr(got), repr(run), repr(run.config)):
        assert SECRET not in text and "KEY-PEM" not in text and "eu-1" not in text


# -- against the fake API server -----------------------------------------------------------


def kubeconfig(api: FakeApiServer, directory: Path, exec_lines: str) -> str:
    path = directory / "kubeconfig"
    path.write_text(textwrap.dedent(f"""\
        apiVersion: v1
        kind: Config
        current-context: cloud
        clusters:
        - name: cloud
          cluster:
            server: {api.url}
            certificate-authority: {api.ca_file}
        contexts:
        - name: cloud
          context: {{cluster: cloud, user: cloud-user, namespace: apps}}
        users:
        - name: cloud-user
          user:
            exec:
        """) + textwrap.indent(textwrap.dedent(exec_lines), " " * 6))
    return str(path)


def test_a_token_plugin_as_cloud_clis_write_it(fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path) -> None:
    """The shape `aws eks update-kubeconfig` writes (v1beta1, args, env, no interactiveMode)."""
    token = fake_api.add_token(user="arn:aws:iam::1:role/deployer")
    plugin.answer(credential(V1BETA1, token=token))
    path = kubeconfig(fake_api, tmp_path, f"""\
        apiVersion: {V1BETA1}
        command: {plugin.path.name}
        args: [--region, eu-west-1, eks, get-token, --cluster-name, prod]
        env:
        - {{name: PLUGIN_REGION, value: eu-west-1}}
        """)
    config = load_config({"KUBECONFIG": path, "PATH": str(plugin.dir)})
    assert config.namespace == "apps"
    with Client(config) as client:
        client.list(PODS, "apps")
        client.list(PODS, "apps")
    assert fake_api.requests[-1].user == "arn:aws:iam::1:role/deployer"
    (call,) = plugin.calls  # one run: no expiry given
    assert call["argv"][-1] == "prod" and call["env"]["PLUGIN_REGION"] == "eu-west-1"


def test_a_client_certificate_plugin(fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path) -> None:
    cert, key = fake_api.issue_client_cert("cert-from-plugin", directory=tmp_path / "issued")
    plugin.answer(credential(clientCertificateData=Path(cert).read_text(), clientKeyData=Path(key).read_text()))
    path = kubeconfig(fake_api, tmp_path, f"""\
        apiVersion: {V1}
        command: {plugin.path}
        interactiveMode: Never
        """)
    with Client(load_config({"KUBECONFIG": path})) as client:
        client.list(PODS, "apps")
    assert fake_api.requests[-1].user == "cert-from-plugin"


def test_an_expired_credential_is_fetched_again(fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path) -> None:
    token = fake_api.add_token(user="short-lived")
    plugin.answer(credential(token=token, expirationTimestamp="2000-01-01T00:00:00Z"))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    with Client(load_config({"KUBECONFIG": path})) as client:
        client.list(PODS, "apps")
        client.list(PODS, "apps")
    assert len(plugin.calls) == 2


def test_a_401_runs_the_plugin_again_and_retries_once(fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path) -> None:
    old, new = fake_api.add_token(user="rotated"), fake_api.add_token(user="rotated")
    fake_api.revoke_token(old)
    plugin.answer(credential(token=old), credential(token=new))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    with Client(load_config({"KUBECONFIG": path})) as client:
        assert client.list(PODS, "apps")["kind"] == "PodList"
    assert len(plugin.calls) == 2
    assert fake_api.requests[-1].user == "rotated"


def test_a_failing_plugin_is_retried_like_a_failed_request_and_never_shows_a_token(
    fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = fake_api.add_token(user="late")
    plugin.answer({"exit": 1, "stdout": "", "stderr": "sso session expired\n"}, credential(token=token))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    sleeps: list[float] = []
    heard: list[str] = []
    with caplog.at_level(logging.DEBUG), Client(load_config({"KUBECONFIG": path}), sleep=sleeps.append) as client:
        client.list(PODS, "apps", on_retry=lambda e: heard.append(str(e)))
    assert len(sleeps) == 1 and len(plugin.calls) == 2
    assert heard == [
        f'no credentials to list pods in namespace "apps": exec plugin {plugin.path} (user "cloud-user") '
        "failed with exit code 1"
    ]
    assert token not in caplog.text


def test_a_plugin_that_keeps_failing_ends_in_no_credentials(fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path) -> None:
    plugin.answer({"stdout": f"{SECRET} is not JSON"})
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    with Client(load_config({"KUBECONFIG": path}), sleep=lambda s: None, max_retries=2) as client:
        with pytest.raises(NoCredentials) as info:
            client.list(PODS, "apps")
    assert str(info.value) == (
        f'no credentials to list pods in namespace "apps": exec plugin {plugin.path} (user "cloud-user") '
        "printed no JSON ExecCredential"
    )
    assert len(plugin.calls) == 3
    assert fake_api.requests == []  # nothing was sent without a credential


def test_a_certificate_kep_cannot_load_is_a_plugin_failure_and_run_again(
    fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path
) -> None:
    plugin.answer(credential(clientCertificateData="not a PEM", clientKeyData="KEY-PEM-SECRET"))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    with Client(load_config({"KUBECONFIG": path}), sleep=lambda s: None, max_retries=1) as client:
        with pytest.raises(NoCredentials) as info:
            client.list(PODS, "apps")
    assert str(info.value).startswith(
        f'no credentials to list pods in namespace "apps": exec plugin {plugin.path} (user "cloud-user") '
        "returned a client certificate kep cannot use: "
    )
    assert "KEY-PEM-SECRET" not in str(info.value)
    assert len(plugin.calls) == 2  # rejected, so fetched again on the retry


def test_a_plugin_token_never_appears_in_logs_errors_or_reprs(
    fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = fake_api.add_token(user="revoked-soon")
    fake_api.revoke_token(token)
    plugin.answer(credential(token=token))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG), Client(load_config({"KUBECONFIG": path})) as client:
        texts += [repr(client), repr(client.config), repr(client._auth.plugin)]
        with pytest.raises(ApiError) as info:
            client.list(PODS, "apps")
        texts += [str(info.value), repr(info.value), json.dumps(info.value.status)]
        assert client._auth.plugin is not None
        texts.append(repr(client._auth.plugin.credential()))
    texts.append(caplog.text)
    assert any("running the exec plugin again" in t for t in texts)
    assert len(plugin.calls) == 2
    for text in texts:
        assert token not in text


def test_a_rotated_client_certificate_is_used_for_the_next_request(
    fake_api: FakeApiServer, plugin: Plugin, tmp_path: Path
) -> None:
    """client-go closes its connections when the plugin's certificate changes; kep replaces its pool."""
    first = [Path(p).read_text() for p in fake_api.issue_client_cert("first", directory=tmp_path / "a")]
    second = [Path(p).read_text() for p in fake_api.issue_client_cert("second", directory=tmp_path / "b")]
    past = "2000-01-01T00:00:00Z"
    plugin.answer(credential(clientCertificateData=first[0], clientKeyData=first[1], expirationTimestamp=past),
                  credential(clientCertificateData=second[0], clientKeyData=second[1]))
    path = kubeconfig(fake_api, tmp_path, f"apiVersion: {V1}\ncommand: {plugin.path}\ninteractiveMode: Never\n")
    with Client(load_config({"KUBECONFIG": path})) as client:
        client.list(PODS, "apps")
        assert fake_api.requests[-1].user == "first"
        client.list(PODS, "apps")
        assert fake_api.requests[-1].user == "second"
