"""`make demo`: kep's main job, locally.

kep waits for a socket and a config template that another process provides
a few seconds later, renders the config, then execs a command that prints it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def provide_later(work: Path, sock_path: Path, stop: threading.Event) -> None:
    """What other containers of the pod would do: ship a config template, open a socket."""
    time.sleep(2)
    template = work / "configmaps" / "app.conf" / "app.conf"
    template.parent.mkdir(parents=True)
    template.write_text("# rendered by kep\nlisten = {{ .IP }}:8080\nnode = {{ .HOSTNAME }}\n")
    say(f"config template written: {template}")
    time.sleep(2)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    server.listen()
    say(f"database socket is listening: {sock_path}")
    stop.wait()
    server.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kep-demo-") as tmp:
        work = Path(tmp)
        sock_path = work / "db.sock"
        target = work / "etc" / "app" / "app.conf"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DEPENDENCY_", "KEP_"))},
            "DEPENDENCY_SOCKET": str(sock_path),
            "DEPENDENCY_CONFIG": str(target),
            "INTERFACE_NAME": "lo",
            "KEP_CONFIGMAPS_DIR": str(work / "configmaps"),
            "KEP_INTERVAL": "0.5",
            "COMMAND": f"cat {target}",
        }
        say("starting kep: waits for a socket and a config file, then execs `cat` of the config")
        for name in ("DEPENDENCY_SOCKET", "DEPENDENCY_CONFIG", "COMMAND"):
            say(f"  {name}={env[name]}")
        stop = threading.Event()
        provider = threading.Thread(target=provide_later, args=(work, sock_path, stop), daemon=True)
        provider.start()
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(ROOT / "kep.py")], env=env)
        stop.set()
        say(f"kep (then the command, same PID) exited with {code} after {time.monotonic() - started:.1f}s")
        return code


if __name__ == "__main__":
    raise SystemExit(main())
