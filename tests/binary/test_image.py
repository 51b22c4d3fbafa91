"""dist/kep in its FROM scratch image, run as OpenStack-Helm runs kubernetes-entrypoint:
user 65534, read-only root, no volume but the image's own VOLUME /tmp.

The rules (the README's binary section): kep unpacks into /tmp and execs, so the command keeps
kep's PID (1 in a container) with the user's environment and its own exit code;
a SIGTERM while kep waits ends it with 143 at once; without a writable /tmp it
says so in one line.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

import kep
from tests.binary.conftest import AS_OPENSTACK_HELM, HOST_ARCH, Podman, binary_path, podman_env

NOT_MET = (*AS_OPENSTACK_HELM, "-e", "DEPENDENCY_SOCKET=/run/never-there")
ALL_TMP_OFF = (*AS_OPENSTACK_HELM, "--image-volume=ignore")


def image_files(image: str) -> dict[str, tarfile.TarInfo]:
    """Every path in the image's layers (FROM scratch: its only contents)."""
    saved = subprocess.run(["podman", "image", "save", "--format", "docker-archive", image],
                           capture_output=True, timeout=120, env=podman_env())
    assert saved.returncode == 0, saved.stderr
    outer = tarfile.open(fileobj=io.BytesIO(saved.stdout))
    manifest = json.load(outer.extractfile("manifest.json"))  # type: ignore[arg-type]
    files: dict[str, tarfile.TarInfo] = {}
    for layer in manifest[0]["Layers"]:
        with tarfile.open(fileobj=outer.extractfile(layer)) as inner:  # type: ignore[arg-type]
            for member in inner.getmembers():
                files[member.name.rstrip("/")] = member
    return files


def command_output(stdout: str) -> list[str]:
    """The command's lines: kep's own log lines dropped."""
    return [line for line in stdout.splitlines() if not line.startswith("Entrypoint ")]


def test_the_image_holds_the_binary_its_name_kep_its_sbom_and_tmp_only(podman: Podman) -> None:
    files = image_files(podman.kep_image)
    assert sorted(files) == ["tmp", "usr", "usr/local", "usr/local/bin", "usr/local/bin/kep",
                             "usr/local/bin/kubernetes-entrypoint", "usr/local/share", "usr/local/share/kep",
                             "usr/local/share/kep/kep.cdx.json"]
    assert files["usr/local/share/kep/kep.cdx.json"].size == binary_path(podman.arch).with_name("kep.cdx.json").stat().st_size
    assert files["tmp"].isdir() and files["tmp"].mode & 0o7777 == 0o1777
    assert files["usr/local/bin/kep"].issym() and files["usr/local/bin/kep"].linkname == "kubernetes-entrypoint"
    assert files["usr/local/bin/kubernetes-entrypoint"].mode & 0o7777 == 0o755
    assert files["usr/local/bin/kubernetes-entrypoint"].size == binary_path(podman.arch).stat().st_size
    config = json.loads(podman("image", "inspect", podman.kep_image, check=True).stdout)[0]["Config"]
    assert config["User"] == "65534"
    assert config["Entrypoint"] == ["/usr/local/bin/kubernetes-entrypoint"]
    assert "/tmp" in config["Volumes"]


def test_the_image_says_what_it_is_in_labels_and_annotations(podman: Podman) -> None:
    """org.opencontainers.image.*: what scanners and registries show, the same as `kep --version`."""
    (inspected,) = json.loads(podman("image", "inspect", podman.kep_image, check=True).stdout)
    version = podman.run("--version", image=podman.kep_image).stdout
    commit, built = re.search(r"commit (\S+), built (\S+)\)", version).groups()  # type: ignore[union-attr]
    expected = {"version": kep.__version__, "revision": commit, "created": built, "licenses": "Apache-2.0"}
    for where in ("Labels", "Annotations"):
        found = {k.removeprefix("org.opencontainers.image."): v for k, v in inspected[where].items()}
        assert {k: found.get(k) for k in expected} == expected, where
        assert "source" in found, where
    assert inspected["Architecture"] == podman.arch


@pytest.mark.parametrize("name", ["kubernetes-entrypoint", "kep"])
def test_it_answers_to_both_names_on_path(podman: Podman, name: str) -> None:
    done = podman.run("--version", image=podman.kep_image, options=(*AS_OPENSTACK_HELM, "--entrypoint", name))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"kep {re.escape(kep.__version__)} \(commit [0-9a-f]{{40}}(-dirty)?, built \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)",
                        done.stdout.strip()), done.stdout


def test_as_openstack_helm_runs_it_the_command_runs_as_pid_1_alone(podman: Podman) -> None:
    """No extra volume: the image's VOLUME /tmp is enough, and no wrapper process stays."""
    done = podman.run("--", "probe", "procs")
    assert done.returncode == 0, done.stderr
    assert command_output(done.stdout) == ["1 0 probe /usr/local/bin/probe"]


def test_while_waiting_kep_is_pid_1_alone_running_from_its_unpacked_bundle(podman: Podman) -> None:
    name = podman.start("--", "probe", "exit", "0", options=NOT_MET)
    podman.wait_for_output(name, "Waiting for")
    procs = podman("exec", name, "probe", "procs", check=True).stdout.splitlines()
    kep = [line for line in procs if line.startswith("1 ")]
    assert len(procs) == 2 and len(kep) == 1, procs  # kep and the probe exec'd to look
    pid, ppid, comm, exe = kep[0].split()
    unpacked = exe.startswith("/tmp/kep-") and exe.endswith("/kep")
    emulated = podman.arch != HOST_ARCH and "/qemu-" in exe  # qemu-user: the kernel names the emulator as exe
    assert (ppid, comm) == ("0", "kep") and (unpacked or emulated), kep
    assert podman("exec", name, "probe", "dir", "/tmp", check=True).stdout.split() == ["1777", "0", "rw", "exec"]


def test_kep_has_libgcc_s_loaded_before_it_removes_its_bundle(podman: Podman) -> None:
    """glibc dlopens libgcc_s.so.1 when a thread exits; at exit kep has removed the unpacked bundle,
    so it must be mapped from the start. Without it, in a real cluster 4 init containers in 24
    ended with 139 right after "All dependencies are resolved"."""
    name = podman.start("--", "probe", "exit", "0", options=NOT_MET)
    podman.wait_for_output(name, "Waiting for")
    pid = podman("inspect", "--format", "{{.State.Pid}}", name, check=True).stdout.strip()
    mapped = {line.split()[-1].rsplit("/", 1)[-1] for line in Path(f"/proc/{pid}/maps").read_text().splitlines()}
    assert "libgcc_s.so.1" in mapped, sorted(mapped)


@pytest.mark.parametrize("code", [0, 1, 7, 126, 127, 143, 255])
def test_the_commands_exit_code_comes_back_unchanged(podman: Podman, code: int) -> None:
    assert podman.run("--", "probe", "exit", str(code)).returncode == code


def test_the_command_gets_the_environment_kep_was_given(podman: Podman) -> None:
    """Compared with the same probe started directly by podman: none of the frozen runtime's
    variables (LD_LIBRARY_PATH, _PYI_*, _KEP_*), and the user's own values of those names."""
    given = ("--hostname", "probe", "-e", "LD_LIBRARY_PATH=/opt/lib", "-e", "_PYI_MINE=x",
             "-e", "DEPENDENCY_SERVICE=", "-e", "FOO=a b")
    via_kep = podman.run("--", "probe", "env", options=(*AS_OPENSTACK_HELM, *given))
    direct = podman.run("env", options=(*AS_OPENSTACK_HELM, *given, "--entrypoint", "probe"))
    assert via_kep.returncode == 0 and direct.returncode == 0, via_kep.stderr
    assert sorted(command_output(via_kep.stdout)) == sorted(direct.stdout.splitlines())


# `podman stop` sends SIGTERM, then SIGKILL (137) after GRACE: a code other than 137 is the
# signal handled. How long podman and qemu take to get there is the machine's, not kep's.
GRACE = 30


def test_stop_while_waiting_exits_143_at_once_and_starts_nothing(podman: Podman) -> None:
    """At once: long before the next check a minute away, not at it."""
    name = podman.start("--", "probe", "wait", "exit:0", options=(*NOT_MET, "-e", "KEP_INTERVAL=60"))
    podman.wait_for_output(name, "Waiting for")
    code, took = podman.stop(name, grace=GRACE)
    out, err = podman.logs(name)
    assert (code, took < 10) == (143, True), (took, out, err)
    assert "ready" not in out
    assert "Terminated by signal 15 while waiting; nothing was started." in out


def test_stop_right_after_start_is_not_lost(podman: Podman) -> None:
    """The launcher blocks SIGTERM until Python can act on it, so a stop during start-up
    gives 143, not SIGKILL after the grace period (PID 1 has no default action)."""
    name = podman.start("--", "probe", "wait", "exit:0", options=NOT_MET)
    code, took = podman.stop(name, grace=GRACE)
    assert code == 143, (took, podman.logs(name))


def test_stop_while_the_command_runs_reaches_the_command_and_its_code_comes_back(podman: Podman) -> None:
    name = podman.start("--", "probe", "wait", "exit:42")
    podman.wait_for_output(name, "ready pid=1")
    code, took = podman.stop(name, grace=GRACE)
    assert code == 42, (took, podman.logs(name))
    assert "got SIGTERM" in podman.logs(name)[0]


def test_a_command_killed_by_sigterm_gives_143(podman: Podman) -> None:
    """With an init as PID 1 (podman --init, or a pod sharing its PID namespace) the command
    is not PID 1 and SIGTERM's default action kills it: 128+15."""
    name = podman.start("--", "probe", "wait", "default", options=(*AS_OPENSTACK_HELM, "--init"))
    podman.wait_for_output(name, "ready pid=")
    procs = podman("exec", name, "probe", "procs", check=True).stdout.splitlines()
    assert any(line.split()[1:3] == ["1", "probe"] for line in procs), procs  # the init's child
    code, took = podman.stop(name, grace=GRACE)
    assert code == 143, (took, podman.logs(name))


def test_as_pid_1_a_command_that_ignores_sigterm_is_killed_after_the_grace_period(podman: Podman) -> None:
    """As with the reference: the command is PID 1, which has no default action for SIGTERM."""
    name = podman.start("--", "probe", "wait", "default")
    podman.wait_for_output(name, "ready pid=1")
    code, took = podman.stop(name, grace=1)
    assert code == 137 and took >= 1.0


def test_without_a_writable_tmp_it_fails_with_one_line_naming_what_it_needs(podman: Podman) -> None:
    done = podman.run("--", "probe", "exit", "0", options=ALL_TMP_OFF)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "kep cannot start: /tmp is read-only" in lines[0]
    assert "writable, exec-allowed directory" in lines[0] and "TMPDIR" in lines[0]


def test_with_json_logs_the_launchers_line_is_json_too(podman: Podman) -> None:
    done = podman.run("--", "probe", "exit", "0", options=(*ALL_TMP_OFF, "--env", "KEP_LOG_FORMAT=json"))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    record = json.loads(line)
    assert record["level"] == "error" and record["message"].startswith("kep cannot start: /tmp is read-only")


def test_a_noexec_tmp_is_named_as_the_problem(podman: Podman) -> None:
    done = podman.run("--", "probe", "exit", "0", options=(*ALL_TMP_OFF, "--tmpfs", "/tmp:rw,noexec,mode=1777"))
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "/tmp is mounted noexec" in done.stderr


def test_tmpdir_chooses_where_it_unpacks(podman: Podman) -> None:
    options = (*ALL_TMP_OFF, "--tmpfs", "/scratch:rw,exec,mode=1777", "-e", "TMPDIR=/scratch")
    done = podman.run("--", "probe", "env", options=options)
    assert done.returncode == 0, done.stderr
    assert "TMPDIR=/scratch" in done.stdout.splitlines()


def test_nothing_unpacked_stays_after_exit_or_exec(podman: Podman, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    options = (*AS_OPENSTACK_HELM, "-v", f"{tmp}:/tmp")
    assert podman.run(options=options).returncode == 0  # no command: kep exits 0
    assert list(tmp.iterdir()) == []
    assert podman.run("--", "probe", "exit", "0", options=options).returncode == 0
    assert list(tmp.iterdir()) == []
