import pytest

from kep import netif


def test_loopback_address_is_read_with_ioctl():
    assert netif.ipv4_address("lo") == "127.0.0.1"


def test_missing_interface_says_it_does_not_exist():
    with pytest.raises(netif.InterfaceError, match="interface nosuch0 does not exist"):
        netif.ipv4_address("nosuch0")


@pytest.mark.parametrize("name", ["", "a" * 16, "a/b"])
def test_invalid_interface_name_is_rejected(name):
    with pytest.raises(netif.InterfaceError, match="not a valid interface name"):
        netif.ipv4_address(name)
