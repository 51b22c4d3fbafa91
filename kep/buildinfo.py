"""What `kep --version` says: the version, and for a built binary the commit and build date.

A release build (build/binary.mk) freezes a module `_kep_build` next to kep, written by
build/buildinfo.py, so a binary found in an image or a download can be traced to its
source. The build date is the commit's date (SOURCE_DATE_EPOCH), which keeps two builds
of one commit byte-identical. Run from source, kep has no such module and says so.
"""

from __future__ import annotations

from kep import __version__


def describe() -> str:
    """`kep 0.1.0 (commit 0123abcd..., built 2026-11-30T07:08:35Z)`, or `... (from source)`."""
    try:
        import _kep_build  # type: ignore[import-not-found]
    except ImportError:
        return f"kep {__version__} (from source)"
    return f"kep {__version__} (commit {_kep_build.COMMIT}, built {_kep_build.DATE})"
