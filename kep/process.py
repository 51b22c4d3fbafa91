"""Signals while waiting, and the hand-off: kep replaces itself with the command, or
leaves at once.

Like tini and dumb-init: a terminating signal while waiting ends kep with
128+n and starts nothing; before exec, signal state is given back to the
defaults the command expects (Python ignores SIGPIPE and SIGXFSZ, and
ignored signals survive exec).
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import NoReturn

from kep import frozen
from kep.errors import CommandError, Terminated
from kep.exitcodes import ExitCode

TERMINATING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def trap_terminating_signals(wakeup_fd: int) -> None:
    """Turn SIGTERM/SIGINT/SIGHUP into Terminated in the main thread (also as PID 1,
    where the kernel gives a process no default action for them). `wakeup_fd` is
    written on each signal so a wait in select() ends at once."""
    signal.set_wakeup_fd(wakeup_fd)
    for signum in TERMINATING:
        signal.signal(signum, _terminate)


def restore_signals() -> None:
    signal.set_wakeup_fd(-1)
    for signum in (*TERMINATING, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def exec_command(argv: Sequence[str], env: Mapping[str, str]) -> None:
    """Never returns on success (same PID, the environment kep was given, without what a
    frozen build added); raises CommandError."""
    command_env = frozen.original_environ(env)
    frozen.discard_bundle(env)  # the one-file binary's unpacked runtime: nothing more is imported
    restore_signals()
    try:
        os.execvpe(argv[0], list(argv), command_env)
    except FileNotFoundError:
        raise CommandError(f"command not found: {argv[0]}", ExitCode.NOT_FOUND) from None
    except PermissionError:
        raise CommandError(f"command not executable: {argv[0]}: permission denied", ExitCode.NOT_EXECUTABLE) from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise CommandError(f"command not found: {argv[0]}", ExitCode.NOT_FOUND) from None
        raise CommandError(f"cannot execute {argv[0]}: {exc.strerror}", ExitCode.NOT_EXECUTABLE) from None


def leave(code: int) -> NoReturn:
    """Exit with `code` as soon as kep has decided: the log lines flushed, the unpacked
    runtime of the one-file binary removed (what atexit would do), then `os._exit`. The
    interpreter's own finalization (tearing down modules and threads) is skipped: it took
    12-14 ms of a 14 ms exit here (strace, script and binary alike), while a pod waits for
    the init container's exit."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    frozen.discard_bundle()
    os._exit(code)
