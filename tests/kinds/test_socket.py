import os
import socket as pysocket

from kep.kinds import socket
from kep.specs import Settings, Socket
from kep.verdict import State


def test_socket_met_when_path_exists(tmp_path):
    path = tmp_path / "ovs.sock"
    server = pysocket.socket(pysocket.AF_UNIX)
    server.bind(str(path))
    try:
        assert socket.check(Socket(str(path)), Settings()).state is State.MET
    finally:
        server.close()


def test_socket_pending_with_reason_when_missing(tmp_path):
    verdict = socket.check(Socket(str(tmp_path / "nope.sock")), Settings())
    assert verdict.state is State.PENDING
    assert verdict.reason == f"socket {tmp_path}/nope.sock does not exist"


def test_socket_only_needs_stat_not_read_permission(tmp_path):
    path = tmp_path / "plain-file"
    path.write_text("")
    os.chmod(path, 0)
    assert socket.check(Socket(str(path)), Settings()).state is State.MET
