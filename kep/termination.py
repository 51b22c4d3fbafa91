"""The termination message: why kep ended without starting the command, where Kubernetes shows it.

The kubelet bind-mounts a file of its own at every container's `terminationMessagePath`
(default /dev/termination-log, writable even under readOnlyRootFilesystem: a mount of its
own, mode 0666) and, when the container ends, copies what it finds into
`status.initContainerStatuses[]` / `containerStatuses[]` `.state.terminated.message`
(`.lastState` after a restart), which `kubectl describe pod` shows as `Message:`. It keeps
the LAST 4096 bytes (kubernetes v1.32 pkg/kubelet/kuberuntime/kuberuntime_container.go
`getTerminationMessage`: `tail.ReadAtMost(path, MaxContainerTerminationMessageLength)`,
1024 * 4), so a longer message would lose its head: `clip` keeps within `LIMIT` itself.

- Only exits without a hand-off write it (cli decides: `kep.outcome`); a command that runs
  owns the file, and kep never writes it before the exec.
- The default path is written only where it exists: the kubelet made it. Outside Kubernetes
  it does not, and nothing is created. A path KEP_TERMINATION_LOG names is created.
- A write that fails (no such file, a read-only or full filesystem, no permission) is never
  an error: the exit code stays. It is a debug line for the default path, a warning for a
  path the user named.
- The lines are the log's own, and reasons are masked where they are made (kep.redact,
  the kinds): no credential reaches the file that the log does not show either.
"""

from __future__ import annotations

import logging
import os

from kep.envparse.knobs import DEFAULT_TERMINATION_LOG

log = logging.getLogger(__name__)

LIMIT = 4096
"""Bytes the kubelet keeps of a termination message."""
MARKER = "[cut: the container's log has the rest]"


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` bytes of UTF-8, ending with MARKER when cut: after the last
    whole line that fits (the first line is kept in part if it alone does not fit), never
    inside a character. A character UTF-8 cannot encode (a lone surrogate from a byte that
    was no UTF-8 in the environment) is shown as its escape."""
    data = text.encode("utf-8", "backslashreplace")
    if len(data) <= limit:
        return data.decode("utf-8")
    marker = MARKER.encode()
    head = data[:max(0, limit - len(marker) - 1)].decode("utf-8", "ignore")  # "ignore": a cut character goes
    line_end = head.rfind("\n")
    head = head[:line_end + 1] if line_end >= 0 else head + ("\n" if "\n" in text else " ")
    return head + MARKER


def message(headline: str, lines: tuple[str, ...] | list[str]) -> str:
    """The file's text: the headline, then one line each, within LIMIT."""
    return clip("\n".join((headline, *lines)) + "\n", LIMIT)


def write(path: str, text: str) -> None:
    """Replace the file's content with `text` (see the module for which failures are said how);
    `path` "" writes nothing."""
    if not path:
        return
    flags = os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC | (0 if path == DEFAULT_TERMINATION_LOG else os.O_CREAT)
    try:
        fd = os.open(path, flags, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        level = logging.DEBUG if path == DEFAULT_TERMINATION_LOG else logging.WARNING
        log.log(level, "Termination message not written to %s: %s", path, exc.strerror or exc)
