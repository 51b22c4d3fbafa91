"""Linux namespaces for tests that need a real interface or a real mount (root only).

`network_namespace()` gives a fresh network namespace, removed afterwards, in which a test
adds interfaces with the addresses it wants (`ip -n NAME ...`) and runs programs
(`ip netns exec NAME ...`). `run_with_mounts()` runs a program in a private mount namespace
(`unshare -m`, private propagation) after the mounts it lists, so nothing leaks out.
"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="network and mount namespaces need root")

_serial = itertools.count()


@dataclass(frozen=True)
class NetworkNamespace:
    name: str

    def ip(self, *args: str) -> None:
        subprocess.run(["ip", "-n", self.name, *args], check=True, capture_output=True)

    def veth(self, interface: str, *addresses: str, mac: str = "02:00:00:00:00:01") -> None:
        """A veth pair, both ends up, `interface` holding `addresses` in this order (IPv6 without DAD)."""
        self.ip("link", "add", interface, "address", mac, "type", "veth", "peer", "name", interface + "p")
        self.add_addresses(interface, *addresses)
        self.ip("link", "set", interface + "p", "up")
        self.ip("link", "set", interface, "up")

    def add_addresses(self, interface: str, *addresses: str) -> None:
        """Each address is `ip addr add` words: "10.0.0.1/24", "fd00::1 peer fd00::2"."""
        for address in addresses:
            words = address.split()
            nodad = ["nodad"] if ":" in words[0] else []
            self.ip("addr", "add", *words, "dev", interface, *nodad)

    def command(self, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]


@contextmanager
def network_namespace() -> Iterator[NetworkNamespace]:
    name = f"kep-test-{os.getpid()}-{next(_serial)}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        yield NetworkNamespace(name)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True, capture_output=True)


def run_with_mounts(mounts: Sequence[Sequence[str]], argv: Sequence[str],
                    env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `argv` after `mount <words>` for each item of `mounts`, in a private mount namespace."""
    script = " && ".join([*(shlex.join(["mount", *words]) for words in mounts), 'exec "$@"'])
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *argv],
                          env=env, capture_output=True, text=True, timeout=60)
