import os
import stat
from ipaddress import IPv4Address, IPv6Address

import pytest

from kep.errors import ConfigError
from kep.kinds import config
from kep.specs import Config, Settings
from kep.verdict import State


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
    assert target.read_text() == "my_ip = 127.0.0.1\nerl = 127,0,0,1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


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
