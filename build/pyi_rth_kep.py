# PyInstaller runtime hook of kep's binary: runs before kep.py, in the frozen build only.
#
# 1. The launcher (build/launcher.c) blocks SIGTERM, SIGINT and SIGHUP before it
#    execs the runtime, so a `podman stop` during start-up stays pending instead
#    of being dropped (kep is often PID 1, which has no default action for them).
#    Here they get a handler that ends the process with 128+n, as kep does while
#    waiting (nothing has been started yet), and are unblocked; kep.cli installs
#    its own handlers a few milliseconds later.
# 2. At exit the unpacked runtime is removed (kep.frozen.discard_bundle); before
#    exec the hand-off does the same.


def _kep_runtime_start() -> None:
    import atexit
    import os
    import signal
    import time

    from kep import frozen  # before the handler: a signal may arrive while kep is half imported

    terminating = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def exit_at_once(signum: int, frame: object) -> None:
        try:
            stamp = time.strftime("%Y/%m/%d %H:%M:%S")
            line = f"Entrypoint WARNING: {stamp} Terminated by signal {signum} while starting; nothing was started.\n"
            os.write(1, line.encode())
            frozen.discard_bundle()
        finally:
            os._exit(128 + signum)

    for signum in terminating:
        signal.signal(signum, exit_at_once)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, terminating)
    atexit.register(frozen.discard_bundle)


_kep_runtime_start()
del _kep_runtime_start
