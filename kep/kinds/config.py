"""Config dependency: render /configmaps/<basename>/<basename> into the path.

Waits (with a reason) while the template or the interface address is missing;
a template kep cannot fill is a configuration error, never a half-written file.
The bytes written are the reference's (Go text/template over the template's bytes),
except IP_ERLANG of an IPv6 address (see `erlang`). How the file is written, and which
mode it gets: kep.template.write.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct

from kep import netif, template
from kep.errors import ConfigError
from kep.specs import Config, Settings
from kep.verdict import Verdict, met, pending


RECHECK_WHEN_MET = False
"""A rendered file stays rendered."""


def explain(spec: Config, settings: Settings) -> str:
    return f"render {spec.path} once from {settings.configmaps_dir}/<name>/<name>"


def template_path(spec: Config, settings: Settings) -> str:
    name = os.path.basename(spec.path)
    return os.path.join(settings.configmaps_dir, name, name)


def erlang(address: netif.Address) -> str:
    """The address as the inside of an Erlang tuple: `10,0,0,1`, `64768,0,0,0,0,0,0,1` (fd00::1).

    For IPv4 this is the reference's `strings.ReplaceAll(ip, ".", ",")`. For IPv6 the
    reference writes the address text unchanged (`fd00::1`), which is no Erlang term;
    kep writes its 8 16-bit groups in decimal, as Erlang's inet takes an IPv6 address.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return ",".join(str(part) for part in address.packed)
    return ",".join(str(group) for group in struct.unpack("!8H", address.packed))


def check(spec: Config, settings: Settings) -> Verdict:
    source = template_path(spec, settings)
    try:
        with open(source, "rb") as handle:
            text = handle.read()
    except FileNotFoundError:
        return pending(f"template {source} does not exist yet")
    except OSError as exc:
        return pending(f"template {source}: {exc.strerror}")
    try:
        used = template.fields_used(text)
    except template.TemplateError as exc:
        raise ConfigError([f"DEPENDENCY_CONFIG: template {source}: {exc}"]) from None
    values: dict[str, bytes] = {}
    if used & {"IP", "IP_ERLANG"}:
        try:
            address = netif.address(settings.interface_name)
        except netif.InterfaceError as exc:
            return pending(f"{exc} (INTERFACE_NAME)")
        values["IP"] = str(address).encode()
        values["IP_ERLANG"] = erlang(address).encode()
    if "HOSTNAME" in used:
        values["HOSTNAME"] = os.fsencode(socket.gethostname())
    try:
        in_place = template.write(spec.path, template.render(text, values))
    except OSError as exc:
        return pending(f"cannot write {spec.path}: {exc.strerror}")
    return met(f"rendered from {source} (written in place: {in_place})" if in_place else f"rendered from {source}")
