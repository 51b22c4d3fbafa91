"""Every exit code kep can return, in one place (shell conventions, as tini)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    CONFIG = 2
    DEPENDENCY_FAILED = 3
    TIMEOUT = 124
    NOT_EXECUTABLE = 126
    NOT_FOUND = 127
    SIGNAL_BASE = 128
