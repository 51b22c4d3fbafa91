"""The address of a network interface that the reference would take: no subprocess, no package.

The reference (airshipit/kubernetes-entrypoint util.GetIp) takes the first of Go's
`net.InterfaceByName(name).Addrs()`, IPv6 included. On Linux, Go reads those with one
NETLINK_ROUTE RTM_GETADDR dump for AF_UNSPEC (go: src/net/interface_linux.go,
`interfaceAddrTable`), in which the kernel sends every IPv4 address before any IPv6 one
(`rtnl_dump_all` walks the families in order), and a device's IPv6 addresses in its list
order: by scope, global before link-local, the newest first within a scope (linux:
net/ipv6/addrconf.c, `ipv6_link_dev_addr`). So:

- an interface with an IPv4 address gives it, read with ioctl(SIOCGIFADDR) (its primary
  address, the first one the dump lists, unless that one carries an alias label);
- without one, the same dump as Go's over a plain netlink socket gives the interface's first
  address. A link-local-only interface gives its fe80:: address, as the reference does.

An IPv4-mapped IPv6 address comes back as IPv4, as Go's `net.IP.String` prints it.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import socket
import struct
from collections.abc import Iterator

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_SIOCGIFADDR = 0x8915
_IFNAMSIZ = 16

# linux: include/uapi/linux/netlink.h, rtnetlink.h, if_addr.h
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_RTM_NEWADDR, _RTM_GETADDR = 20, 22
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_IFA_ADDRESS, _IFA_LOCAL = 1, 2
_NLMSGHDR = struct.Struct("=IHHII")  # length, type, flags, sequence, port
_IFADDRMSG = struct.Struct("=BBBBI")  # family, prefix length, flags, scope, interface index
_RTATTR = struct.Struct("=HH")  # length, type
_ERRNO = struct.Struct("=i")


class InterfaceError(Exception):
    """The interface is missing or has no address (yet); str() says which."""


def address(name: str) -> Address:
    """The reference's address of interface `name`; raises InterfaceError while there is none."""
    if not name or len(name.encode()) >= _IFNAMSIZ or "/" in name:
        raise InterfaceError(f"interface {name!r} is not a valid interface name")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            return _ipv4_address(sock, name)
        except OSError as exc:
            if exc.errno == errno.ENODEV:
                raise InterfaceError(f"interface {name} does not exist") from None
            if exc.errno != errno.EADDRNOTAVAIL:
                raise InterfaceError(f"interface {name}: {exc.strerror}") from None
    try:
        index = socket.if_nametoindex(name)
    except OSError:
        raise InterfaceError(f"interface {name} does not exist") from None
    try:
        found = _first_dumped(index)
    except OSError as exc:
        raise InterfaceError(f"interface {name}: cannot list its addresses: {exc.strerror}") from None
    if found is None:
        raise InterfaceError(f"interface {name} has no address")
    return found


def _ipv4_address(sock: socket.socket, name: str) -> ipaddress.IPv4Address:
    answer = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()))
    # struct ifreq: 16-byte name, then sockaddr_in (family, port, 4-byte address).
    return ipaddress.IPv4Address(answer[20:24])


def _first_dumped(index: int) -> Address | None:
    """The first address of interface `index` in an RTM_GETADDR dump, read as Go's `newAddr`
    does: the first attribute, skipping IFA_ADDRESS (the peer) where there is an IFA_LOCAL."""
    request = _IFADDRMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
    header = _NLMSGHDR.pack(_NLMSGHDR.size + len(request), _RTM_GETADDR, _NLM_F_REQUEST | _NLM_F_DUMP, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as sock:
        sock.sendall(header + request)
        while True:
            # The kernel sends at most 32 KiB per datagram (net/netlink/af_netlink.c, netlink_dump).
            for kind, body in _messages(sock.recv(65536)):
                if kind == _NLMSG_DONE:
                    return None
                if kind == _NLMSG_ERROR:
                    code = -_ERRNO.unpack_from(body)[0]
                    raise OSError(code, errno.errorcode.get(code, str(code)))
                if kind != _RTM_NEWADDR:
                    continue
                family, _, _, _, owner = _IFADDRMSG.unpack_from(body)
                if owner != index or family not in (socket.AF_INET, socket.AF_INET6):
                    continue
                attributes = list(_attributes(body[_IFADDRMSG.size:]))
                has_local = any(attribute == _IFA_LOCAL for attribute, _ in attributes)
                for attribute, value in attributes:
                    if not (has_local and attribute == _IFA_ADDRESS):
                        return _go_address(family, value)


def _go_address(family: int, value: bytes) -> Address:
    if family == socket.AF_INET:
        return ipaddress.IPv4Address(value[:4])
    found = ipaddress.IPv6Address(value[:16])
    return found.ipv4_mapped or found


def _messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    offset = 0
    while offset + _NLMSGHDR.size <= len(data):
        length, kind, _, _, _ = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size:
            return
        yield kind, data[offset + _NLMSGHDR.size:offset + length]
        offset += _align(length)


def _attributes(data: bytes) -> Iterator[tuple[int, bytes]]:
    offset = 0
    while offset + _RTATTR.size <= len(data):
        length, kind = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size:
            return
        yield kind, data[offset + _RTATTR.size:offset + length]
        offset += _align(length)


def _align(length: int) -> int:
    return (length + 3) & ~3
