"""The frozen runtime's additions are taken back exactly; nothing changes outside a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kep import frozen

USER = {"PATH": "/usr/bin:/bin", "HOME": "/", "KEP_TIMEOUT": "5", "LD_PRELOAD": "/x.so", "PYI_NOT_OURS": "1"}


@pytest.fixture
def frozen_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Pretend to be the bootloader unpacked in tmp_path/kep-XXXXXX, as dist/kep runs it."""
    bundle = tmp_path / "kep-abc123"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "kep").write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "kep"))
    return bundle


def runtime_env(bundle: str, saved: dict[str, str], **extra: str) -> dict[str, str]:
    """What PyInstaller's onedir bootloader and dist/kep's launcher leave in os.environ."""
    env = dict(USER)
    env.update({
        "_KEP_BUNDLE": bundle,
        "_KEP_PROGRAM": "/usr/local/bin/kubernetes-entrypoint",
        "_KEP_SAVED": "1",
        "_PYI_ARCHIVE_FILE": f"{bundle}/kep",
        "_PYI_PARENT_PROCESS_LEVEL": "1",
        "_PYI_LINUX_PROCESS_NAME": "kep",
        "LD_LIBRARY_PATH": f"{bundle}/_internal",
    })
    env.update({f"_KEP_SAVED_{name}": value for name, value in saved.items()})
    env.update(extra)
    return env


def test_outside_a_frozen_build_the_environment_is_returned_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    env = runtime_env("/tmp/kep-x", {}, LD_LIBRARY_PATH_ORIG="/opt/lib")
    assert frozen.original_environ(env) == env


def test_an_unset_library_path_is_unset_again(frozen_process: Path) -> None:
    env = runtime_env(str(frozen_process), {})
    assert frozen.original_environ(env) == USER


def test_the_users_library_path_comes_back(frozen_process: Path) -> None:
    env = runtime_env(str(frozen_process), {"LD_LIBRARY_PATH": "/opt/lib"},
                      LD_LIBRARY_PATH=f"{frozen_process}/_internal:/opt/lib", LD_LIBRARY_PATH_ORIG="/opt/lib")
    assert frozen.original_environ(env) == {**USER, "LD_LIBRARY_PATH": "/opt/lib"}


def test_an_empty_library_path_stays_empty(frozen_process: Path) -> None:
    """PyInstaller treats an empty value as unset; the launcher's record does not."""
    env = runtime_env(str(frozen_process), {"LD_LIBRARY_PATH": ""})
    assert frozen.original_environ(env) == {**USER, "LD_LIBRARY_PATH": ""}


def test_the_users_own_runtime_named_variables_come_back(frozen_process: Path) -> None:
    saved = {"LD_LIBRARY_PATH_ORIG": "/mine", "_PYI_ARCHIVE_FILE": "/other/app", "PYINSTALLER_RESET_ENVIRONMENT": "1"}
    env = runtime_env(str(frozen_process), saved)
    assert frozen.original_environ(env) == {**USER, **saved}


def test_without_the_launchers_record_pyinstallers_convention_is_used(frozen_process: Path) -> None:
    env = {**USER, "_PYI_ARCHIVE_FILE": "x", "LD_LIBRARY_PATH": "/b/_internal:/opt/lib", "LD_LIBRARY_PATH_ORIG": "/opt/lib"}
    assert frozen.original_environ(env) == {**USER, "LD_LIBRARY_PATH": "/opt/lib"}
    env = {**USER, "_PYI_ARCHIVE_FILE": "x", "LD_LIBRARY_PATH": "/b/_internal"}
    assert frozen.original_environ(env) == USER


def test_the_given_mapping_is_not_changed(frozen_process: Path) -> None:
    env = runtime_env(str(frozen_process), {})
    before = dict(env)
    frozen.original_environ(env)
    assert env == before


def test_discard_bundle_removes_the_directory_this_process_runs_from(frozen_process: Path) -> None:
    frozen.discard_bundle({"_KEP_BUNDLE": str(frozen_process)})
    assert not frozen_process.exists()


def test_discard_bundle_leaves_any_other_directory(frozen_process: Path, tmp_path: Path) -> None:
    other = tmp_path / "important"
    other.mkdir()
    frozen.discard_bundle({"_KEP_BUNDLE": str(other)})
    frozen.discard_bundle({})
    assert other.exists() and frozen_process.exists()


def test_discard_bundle_does_nothing_outside_a_frozen_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    frozen.discard_bundle({"_KEP_BUNDLE": str(tmp_path)})
    assert tmp_path.exists()
