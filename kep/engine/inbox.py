"""The queue the main thread waits on, woken by select() on a pipe.

A lock-based queue.get(timeout) misses a signal that lands just before the
wait starts (the handler then runs only when the timeout ends). Here the
pipe doubles as the signal wakeup fd, so SIGTERM always ends the wait at once.
"""

from __future__ import annotations

import os
import queue
import select
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    @property
    def wakeup_fd(self) -> int:
        """For signal.set_wakeup_fd: a signal makes get() return at once."""
        return self._write

    def put(self, item: T) -> None:
        """Thread-safe; called by source threads."""
        self._items.append(item)
        try:
            os.write(self._write, b"\0")
        except BlockingIOError:
            pass  # the pipe is full of wake-ups already

    def get(self, timeout: float) -> T:
        if not self._items:
            select.select([self._read], [], [], timeout)
            self._drain()
        return self.get_nowait()

    def get_nowait(self) -> T:
        try:
            return self._items.popleft()
        except IndexError:
            raise queue.Empty from None

    def _drain(self) -> None:
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass
