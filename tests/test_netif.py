import subprocess
import sys
from ipaddress import IPv4Address

import pytest

from kep import netif
from tests.namespaces import needs_root, network_namespace
from tests.run import ROOT


def test_loopback_address_is_read_with_ioctl():
    assert netif.address("lo") == IPv4Address("127.0.0.1")


def test_missing_interface_says_it_does_not_exist():
    with pytest.raises(netif.InterfaceError, match="interface nosuch0 does not exist"):
        netif.address("nosuch0")


@pytest.mark.parametrize("name", ["", "a" * 16, "a/b"])
def test_invalid_interface_name_is_rejected(name):
    with pytest.raises(netif.InterfaceError, match="not a valid interface name"):
        netif.address(name)


def _address_in(namespace, interface):
    """netif.address(interface) as kep sees it inside the namespace: the address, or the error."""
    code = ("import sys; from kep import netif\n"
            "try: print(netif.address(sys.argv[1]))\n"
            "except netif.InterfaceError as exc: print('error:', exc)")
    done = subprocess.run(namespace.command(sys.executable, "-c", code, interface),
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@needs_root
@pytest.mark.parametrize(("addresses", "expected"), [
    (["10.20.30.40/24", "fd00::1/64"], "10.20.30.40"),
    (["fd00::1/64"], "fd00::1"),
    (["fd00::1/64", "2001:db8::1:0:0:1/64"], "2001:db8::1:0:0:1"),
    ([], "fe80::ff:fe00:1"),
    (["10.9.9.9/24 label veth0:1"], "10.9.9.9"),
], ids=["ipv4-before-ipv6", "ipv6-only", "newest-global-ipv6-first", "link-local-only", "ipv4-with-alias-label"])
def test_first_address_in_go_order(addresses, expected):
    """Go's Addrs() order (kernel dump): IPv4 first; IPv6 by scope, global before link-local, newest first."""
    with network_namespace() as namespace:
        namespace.veth("veth0", *addresses)
        assert _address_in(namespace, "veth0") == expected


@needs_root
def test_an_ipv6_address_with_a_peer_gives_the_local_end_on_any_link():
    """Go's newAddr skips IFA_ADDRESS (the peer) where there is an IFA_LOCAL."""
    with network_namespace() as namespace:
        namespace.ip("tuntap", "add", "mode", "tun", "tun0")
        namespace.add_addresses("tun0", "fd00::1 peer fd00::2")
        namespace.veth("veth0", "fd00::3 peer fd00::4")
        assert (_address_in(namespace, "tun0"), _address_in(namespace, "veth0")) == ("fd00::1", "fd00::3")


@needs_root
def test_interface_without_any_address_says_so():
    with network_namespace() as namespace:
        namespace.ip("tuntap", "add", "mode", "tun", "tun0")
        assert _address_in(namespace, "tun0") == "error: interface tun0 has no address"
