import os
import stat

import pytest

from kep import template


@pytest.mark.parametrize("text", [b"{{ .IP }}", b"{{.IP}}", b"{{   .IP\t}}", b"{{\n.IP\r\n}}"])
def test_field_is_filled_with_any_spacing_inside_braces(text):
    assert template.render(b"a=" + text + b";", {"IP": b"10.0.0.1"}) == b"a=10.0.0.1;"


def test_all_reference_fields_render():
    values = {"IP": b"10.1.2.3", "IP_ERLANG": b"10,1,2,3", "HOSTNAME": b"node-1"}
    text = b"ip {{ .IP }} erl {{ .IP_ERLANG }} host {{ .HOSTNAME }}"
    assert template.render(text, values) == b"ip 10.1.2.3 erl 10,1,2,3 host node-1"


def test_go_trim_markers_remove_surrounding_whitespace_like_text_template():
    assert template.render(b"a  {{- .IP -}}  b", {"IP": b"x"}) == b"axb"
    assert template.render(b"a  {{ .IP }}  b", {"IP": b"x"}) == b"a  x  b"


def test_trim_markers_remove_only_space_tab_cr_lf_as_go_does():
    text = b"a \t\r\n{{- .IP -}}\r\n b|\x0c{{- .IP -}}\x0b|\xa0{{- .IP }}"
    assert template.render(text, {"IP": b"x"}) == b"axb|\x0cx\x0b|\xa0x"


def test_a_trim_marker_reaches_back_past_the_previous_action():
    assert template.render(b"{{ .IP }}  {{- .IP }}", {"IP": b"x"}) == b"xx"
    assert template.render(b"{{ .IP -}}  \n  {{- .IP -}}  ", {"IP": b"x"}) == b"xx"


def test_a_dash_without_a_space_is_no_trim_marker_and_is_rejected():
    with pytest.raises(template.TemplateError, match="unsupported template action"):
        template.fields_used(b"a {{-.IP}}")


def test_text_without_actions_is_unchanged_byte_for_byte():
    text = b"plain { text } here}}\r\ncaf\xe9 \xff\x00 no newline at the end"
    assert template.render(text, {}) == text


def test_unknown_field_names_the_field():
    with pytest.raises(template.TemplateError, match=r"unknown field \.PORT"):
        template.fields_used(b"x {{ .PORT }}")


def test_other_actions_are_rejected_not_half_rendered():
    with pytest.raises(template.TemplateError, match="unsupported template action"):
        template.fields_used(b"{{ if .IP }}x{{ end }}")


def test_an_action_never_closed_is_rejected_as_go_rejects_it():
    with pytest.raises(template.TemplateError, match=r"unclosed action \{\{ at byte 14"):
        template.fields_used(b"{{ .IP }} and {{ .IP }")


def test_fields_used_lists_only_what_the_template_needs():
    assert template.fields_used(b"{{ .HOSTNAME }} {{.HOSTNAME}}") == {"HOSTNAME"}


def test_write_atomic_creates_directory_0755_and_keeps_mode(tmp_path):
    target = tmp_path / "etc" / "nova" / "nova.conf"
    old = os.umask(0o077)
    try:
        template.write_atomic(str(target), b"hello\n", 0o640)
    finally:
        os.umask(old)
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o755


def test_write_atomic_replaces_the_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "app.conf"
    target.write_text("old content that is longer\n")
    before = target.stat().st_ino
    template.write_atomic(str(target), b"new\n", 0o644)
    assert target.read_text() == "new\n"
    assert target.stat().st_ino != before, "written in place instead of renamed over"
    assert os.listdir(tmp_path) == ["app.conf"]
