import os
import stat
import sys

import pytest

from kep import template
from tests.namespaces import needs_root, run_with_mounts
from tests.run import ROOT


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


def test_write_creates_directory_0755_and_a_new_file_0666_less_the_umask(tmp_path):
    """The reference's os.MkdirAll(dir, 0755) and os.Create (0666, the umask applies)."""
    target = tmp_path / "etc" / "nova" / "nova.conf"
    old = os.umask(0o027)
    try:
        assert template.write(str(target), b"hello\n") == ""
    finally:
        os.umask(old)
    assert target.read_bytes() == b"hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o755


def test_write_replaces_the_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "app.conf"
    target.write_text("old content that is longer\n")
    before = target.stat().st_ino
    assert template.write(str(target), b"new\n") == ""
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_ino != before, "written in place instead of renamed over"
    assert os.listdir(tmp_path) == ["app.conf"]


@needs_root
def test_write_keeps_an_existing_files_mode_owner_and_group(tmp_path):
    """What the reference's os.Create (truncate in place) keeps, kep keeps across the rename."""
    target = tmp_path / "app.conf"
    target.write_text("old\n")
    os.chown(target, 1234, 5678)
    os.chmod(target, 0o604)
    assert template.write(str(target), b"new\n") == ""
    done = target.stat()
    assert (stat.S_IMODE(done.st_mode), done.st_uid, done.st_gid) == (0o604, 1234, 5678)


def _write_in_subprocess(path, content, mounts=(), wrapper=()):
    code = "import sys; from kep import template; print(template.write(sys.argv[1], sys.argv[2].encode()))"
    done = run_with_mounts(mounts, [*wrapper, sys.executable, "-c", code, str(path), content],
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@needs_root
def test_write_onto_a_mount_point_is_in_place_and_says_so(tmp_path):
    """A subPath volume: rename onto a mount point fails with EBUSY, so kep writes as the reference does."""
    volume = tmp_path / "volume-file"
    volume.write_text("old content that is longer\n")
    target = tmp_path / "etc" / "app.conf"
    target.parent.mkdir()
    target.write_text("")
    why = _write_in_subprocess(target, "new\n", [["--bind", str(volume), str(target)]])
    assert why == f"{target} is a mount point"
    assert volume.read_bytes() == b"new\n"
    assert os.listdir(target.parent) == ["app.conf"]


@needs_root
def test_write_into_a_read_only_directory_onto_a_mount_point_is_in_place(tmp_path):
    """readOnlyRootFilesystem with a subPath volume: no temporary file can be made beside it."""
    volume = tmp_path / "volume-file"
    volume.write_text("old\n")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "app.conf").write_text("")
    mounts = [["--bind", str(etc), str(etc)], ["-o", "remount,bind,ro", str(etc)],
              ["--bind", str(volume), str(etc / "app.conf")]]
    why = _write_in_subprocess(etc / "app.conf", "new\n", mounts)
    assert why == f"cannot create a file in {etc}: Read-only file system"
    assert volume.read_bytes() == b"new\n"


@needs_root
def test_write_is_in_place_where_a_new_file_could_not_keep_the_owner(tmp_path):
    """Without CAP_CHOWN kep cannot hand a new file to the old one's owner; truncating keeps it."""
    target = tmp_path / "app.conf"
    target.write_text("old content\n")
    os.chown(target, 1234, 5678)
    before = target.stat().st_ino
    why = _write_in_subprocess(target, "new\n", wrapper=["setpriv", "--bounding-set=-chown", "--inh-caps=-chown"])
    assert why == f"kep may not give a new file the owner of {target}"
    assert target.read_bytes() == b"new\n"
    assert (target.stat().st_ino, target.stat().st_uid) == (before, 1234)
    assert os.listdir(tmp_path) == ["app.conf"]
