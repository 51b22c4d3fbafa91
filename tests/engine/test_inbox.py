import queue
import signal
import threading
import time

import pytest

from kep.engine.inbox import Inbox


class Alarm(Exception):
    pass


def test_item_put_by_another_thread_wakes_the_waiting_get():
    inbox: Inbox[str] = Inbox()
    threading.Timer(0.05, inbox.put, args=("item",)).start()
    assert inbox.get(timeout=10) == "item"


def test_get_times_out_with_queue_empty():
    inbox: Inbox[str] = Inbox()
    with pytest.raises(queue.Empty):
        inbox.get(timeout=0.01)


def test_signal_that_lands_before_the_wait_still_ends_it():
    """The race a lock-based queue loses: the signal arrives just before the wait starts."""
    inbox: Inbox[str] = Inbox()

    def raise_alarm(signum, frame):
        raise Alarm

    old_handler = signal.signal(signal.SIGALRM, raise_alarm)
    old_fd = signal.set_wakeup_fd(inbox.wakeup_fd)
    try:
        # Block the signal, send it, then unblock it right before waiting: the C handler
        # runs at once, but the Python handler only when bytecode runs again.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        signal.raise_signal(signal.SIGALRM)
        started = time.monotonic()
        with pytest.raises(Alarm):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
            inbox.get(timeout=30)
        assert time.monotonic() - started < 10  # not the 30 s timeout
    finally:
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGALRM, old_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
