"""What the one-file binary adds to kep's process, and how to take it back.

dist/kep is a static launcher (build/launcher.c) that unpacks a PyInstaller
onedir build into `$TMPDIR/kep-XXXXXX` and execs its bootloader, which sets
LD_LIBRARY_PATH and restarts itself once before Python starts. The command kep
execs must see none of that:

| variable | set by | given back as |
|---|---|---|
| `LD_LIBRARY_PATH` | PyInstaller: the bundle, before the user's value | the user's value, or unset |
| `LD_LIBRARY_PATH_ORIG` | PyInstaller: the user's `LD_LIBRARY_PATH` | the user's own, or unset |
| `_PYI_*` | PyInstaller: archive, process level | the user's own, or unset |
| `PYINSTALLER_RESET_ENVIRONMENT` | read and removed by PyInstaller | the user's own, or unset |
| `_KEP_BUNDLE` | the launcher: unpack dir | unset |
| `_KEP_SAVED`, `_KEP_SAVED_<name>` | the launcher: the user's values of the names above | unset |

The launcher records the user's values before anything changes them, so the
hand-back is exact. Without the launcher's record (a bare PyInstaller build),
PyInstaller's own convention is used: `LD_LIBRARY_PATH_ORIG`, else unset.
Outside a frozen build nothing is changed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

BUNDLE = "_KEP_BUNDLE"
SAVED = "_KEP_SAVED"
SAVED_PREFIX = "_KEP_SAVED_"
LIBRARY_PATH = "LD_LIBRARY_PATH"
LIBRARY_PATH_ORIG = "LD_LIBRARY_PATH_ORIG"
_RUNTIME_NAMES = (LIBRARY_PATH, LIBRARY_PATH_ORIG, "PYINSTALLER_RESET_ENVIRONMENT")
_RUNTIME_PREFIXES = ("_PYI_", "_KEP_")


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def _is_runtime_name(name: str) -> bool:
    return name in _RUNTIME_NAMES or name.startswith(_RUNTIME_PREFIXES)


def original_environ(env: Mapping[str, str], *, frozen: bool | None = None) -> dict[str, str]:
    """The environment as the user gave it to kep, without the frozen runtime's additions."""
    if not (is_frozen() if frozen is None else frozen):
        return dict(env)
    given = {name: value for name, value in env.items() if not _is_runtime_name(name)}
    if SAVED in env:
        for name, value in env.items():
            if name.startswith(SAVED_PREFIX):
                given[name[len(SAVED_PREFIX):]] = value
    elif LIBRARY_PATH_ORIG in env:
        given[LIBRARY_PATH] = env[LIBRARY_PATH_ORIG]
    return given


def bundle_dir(env: Mapping[str, str] | None = None) -> str | None:
    """The directory the launcher unpacked this process's runtime into, if this process runs from it."""
    env = os.environ if env is None else env
    bundle = env.get(BUNDLE, "")
    if not is_frozen() or not bundle:
        return None
    bundle = os.path.realpath(bundle)
    if os.path.dirname(os.path.realpath(sys.executable)) != bundle:
        return None
    return bundle


def discard_bundle(env: Mapping[str, str] | None = None) -> None:
    """Remove the unpacked runtime (~20 MB in $TMPDIR). Call only when no more modules will be
    imported: at exit, or right before exec (the running process keeps what it has mapped)."""
    bundle = bundle_dir(env)
    if bundle is None:
        return
    import shutil

    shutil.rmtree(bundle, ignore_errors=True)
