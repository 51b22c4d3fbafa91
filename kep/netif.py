"""IPv4 address of a network interface, with ioctl(SIOCGIFADDR): no subprocess, no package."""

from __future__ import annotations

import errno
import fcntl
import socket
import struct

_SIOCGIFADDR = 0x8915
_IFNAMSIZ = 16


class InterfaceError(Exception):
    """The interface is missing or has no IPv4 address (yet); str() says which."""


def ipv4_address(name: str) -> str:
    if not name or len(name.encode()) >= _IFNAMSIZ or "/" in name:
        raise InterfaceError(f"interface {name!r} is not a valid interface name")
    request = struct.pack("256s", name.encode())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            answer = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
        except OSError as exc:
            if exc.errno == errno.ENODEV:
                raise InterfaceError(f"interface {name} does not exist") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InterfaceError(f"interface {name} has no IPv4 address") from None
            raise InterfaceError(f"interface {name}: {exc.strerror}") from None
    # struct ifreq: 16-byte name, then sockaddr_in (family, port, 4-byte address).
    return socket.inet_ntoa(answer[20:24])
