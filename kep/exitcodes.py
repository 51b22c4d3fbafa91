"""Every exit code kep can return, in one place (shell conventions, as tini)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    NOT_MET = 1
    """`kep check` only: some dependency is not met."""
    CONFIG = 2
    DEPENDENCY_FAILED = 3
    RBAC_MISSING = 4
    """KEP_STRICT_RBAC=1 and the preflight found reads RBAC does not allow."""
    TIMEOUT = 124
    NOT_EXECUTABLE = 126
    NOT_FOUND = 127
    SIGNAL_BASE = 128
