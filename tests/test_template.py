import os
import stat

import pytest

from kep import template


@pytest.mark.parametrize("text", ["{{ .IP }}", "{{.IP}}", "{{   .IP\t}}", "{{\n.IP\n}}"])
def test_field_is_filled_with_any_spacing_inside_braces(text):
    assert template.render(f"a={text};", {"IP": "10.0.0.1"}) == "a=10.0.0.1;"


def test_all_reference_fields_render():
    values = {"IP": "10.1.2.3", "IP_ERLANG": "10,1,2,3", "HOSTNAME": "node-1"}
    text = "ip {{ .IP }} erl {{ .IP_ERLANG }} host {{ .HOSTNAME }}"
    assert template.render(text, values) == "ip 10.1.2.3 erl 10,1,2,3 host node-1"


def test_go_trim_markers_remove_surrounding_whitespace_like_text_template():
    assert template.render("a  {{- .IP -}}  b", {"IP": "x"}) == "axb"
    assert template.render("a  {{ .IP }}  b", {"IP": "x"}) == "a  x  b"


def test_text_without_actions_is_unchanged():
    assert template.render("plain { text } here\n", {}) == "plain { text } here\n"


def test_unknown_field_names_the_field():
    with pytest.raises(template.TemplateError, match=r"unknown field \.PORT"):
        template.fields_used("x {{ .PORT }}")


def test_other_actions_are_rejected_not_half_rendered():
    with pytest.raises(template.TemplateError, match="unsupported template action"):
        template.fields_used("{{ if .IP }}x{{ end }}")


def test_fields_used_lists_only_what_the_template_needs():
    assert template.fields_used("{{ .HOSTNAME }} {{.HOSTNAME}}") == {"HOSTNAME"}


def test_write_atomic_creates_directory_0755_and_keeps_mode(tmp_path):
    target = tmp_path / "etc" / "nova" / "nova.conf"
    old = os.umask(0o077)
    try:
        template.write_atomic(str(target), "hello\n", 0o640)
    finally:
        os.umask(old)
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o755


def test_write_atomic_replaces_the_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "app.conf"
    target.write_text("old content that is longer\n")
    before = target.stat().st_ino
    template.write_atomic(str(target), "new\n", 0o644)
    assert target.read_text() == "new\n"
    assert target.stat().st_ino != before, "written in place instead of renamed over"
    assert os.listdir(tmp_path) == ["app.conf"]
