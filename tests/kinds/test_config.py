import os
import stat
import sys
from ipaddress import IPv4Address, IPv6Address

import pytest

from kep.errors import ConfigError
from kep.kinds import config
from kep.specs import Config, Settings
from kep.verdict import State
from tests.namespaces import needs_root, run_with_mounts
from tests.run import ROOT


def _settings(tmp_path, interface="lo"):
    return Settings(configmaps_dir=str(tmp_path / "configmaps"), interface_name=interface)


def _template(tmp_path, name, text, mode=0o644):
    path = tmp_path / "configmaps" / name / name
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    os.chmod(path, mode)
    return path


def test_config_renders_template_named_by_basename(tmp_path):
    _template(tmp_path, "nova.conf", "my_ip = {{ .IP }}\nerl = {{.IP_ERLANG}}\n", 0o600)
    target = tmp_path / "etc" / "nova" / "nova.conf"
    verdict = config.check(Config(str(target)), _settings(tmp_path))
    assert verdict.state is State.MET
    assert verdict.reason == f"rendered from {tmp_path}/configmaps/nova.conf/nova.conf"
    assert target.read_text() == "my_ip = 127.0.0.1\nerl = 127,0,0,1\n"


def test_config_file_mode_is_the_references_not_the_templates(tmp_path):
    """os.Create: a new file is 0666 less the umask, whatever the template's mode (kep.template.write)."""
    _template(tmp_path, "secret.conf", "x", 0o600)
    target = tmp_path / "secret.conf"
    old = os.umask(0o022)
    try:
        config.check(Config(str(target)), _settings(tmp_path))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_config_template_that_is_not_utf8_is_rendered_byte_for_byte(tmp_path):
    """Go strings are bytes: the reference copies Latin-1 text, CRLF and all, and so does kep."""
    _template(tmp_path, "latin1.conf", b"caf\xe9 = {{ .IP }}\r\n\xff\x00")
    target = tmp_path / "latin1.conf"
    assert config.check(Config(str(target)), _settings(tmp_path)).state is State.MET
    assert target.read_bytes() == b"caf\xe9 = 127.0.0.1\r\n\xff\x00"


@pytest.mark.parametrize(("address", "expected"), [
    (IPv4Address("10.0.0.1"), "10,0,0,1"),
    (IPv6Address("fd00::1"), "64768,0,0,0,0,0,0,1"),
    (IPv6Address("2001:db8::ff:1"), "8193,3512,0,0,0,0,255,1"),
])
def test_ip_erlang_is_the_inside_of_an_erlang_address_tuple(address, expected):
    assert config.erlang(address) == expected


def test_config_fills_hostname(tmp_path):
    _template(tmp_path, "h.conf", "{{ .HOSTNAME }}")
    target = tmp_path / "h.conf"
    config.check(Config(str(target)), _settings(tmp_path))
    assert target.read_text() == os.uname().nodename


@needs_root
def test_config_onto_a_mount_point_is_written_in_place_and_says_so(tmp_path):
    """A subPath volume cannot be renamed over (EBUSY); the reference truncates it, so kep does too."""
    _template(tmp_path, "app.conf", "listen {{ .IP }}\n")
    volume = tmp_path / "volume-file"
    volume.write_text("old\n")
    target = tmp_path / "etc" / "app.conf"
    target.parent.mkdir()
    target.write_text("")
    code = ("import sys; from kep.kinds import config; from kep.specs import Config, Settings\n"
            "print(config.check(Config(sys.argv[1]), Settings(configmaps_dir=sys.argv[2], interface_name='lo')))")
    done = run_with_mounts([["--bind", str(volume), str(target)]],
                           [sys.executable, "-c", code, str(target), str(tmp_path / "configmaps")],
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    source = tmp_path / "configmaps" / "app.conf" / "app.conf"
    expected = f"rendered from {source} (written in place: {target} is a mount point)"
    assert done.stdout.strip() == f"Verdict(state=<State.MET: 'met'>, reason={expected!r})"
    assert volume.read_text() == "listen 127.0.0.1\n"


def test_config_waits_and_says_so_while_template_is_missing(tmp_path):
    target = tmp_path / "out.conf"
    verdict = config.check(Config(str(target)), _settings(tmp_path))
    assert verdict.state is State.PENDING
    assert "template" in verdict.reason and "does not exist yet" in verdict.reason
    assert not target.exists()


def test_config_unknown_field_is_a_configuration_error_naming_it(tmp_path):
    _template(tmp_path, "x.conf", "{{ .NOPE }}")
    target = tmp_path / "x.conf"
    with pytest.raises(ConfigError, match=r"DEPENDENCY_CONFIG: template .*x.conf: unknown field \.NOPE"):
        config.check(Config(str(target)), _settings(tmp_path))
    assert not target.exists()


def test_config_waits_while_interface_is_missing_when_ip_is_used(tmp_path):
    _template(tmp_path, "ip.conf", "{{ .IP }}")
    verdict = config.check(Config(str(tmp_path / "ip.conf")), _settings(tmp_path, "nosuch0"))
    assert verdict.state is State.PENDING
    assert "interface nosuch0 does not exist" in verdict.reason


def test_config_without_ip_fields_does_not_need_the_interface(tmp_path):
    _template(tmp_path, "plain.conf", "static\n")
    verdict = config.check(Config(str(tmp_path / "plain.conf")), _settings(tmp_path, "nosuch0"))
    assert verdict.state is State.MET
