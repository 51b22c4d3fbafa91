"""Config dependency: render /configmaps/<basename>/<basename> into the path, atomically.

Waits (with a reason) while the template or the interface address is missing;
a template kep cannot fill is a configuration error, never a half-written file.
"""

from __future__ import annotations

import os
import socket

from kep import netif, template
from kep.errors import ConfigError
from kep.specs import Config, Settings
from kep.verdict import Verdict, met, pending


def template_path(spec: Config, settings: Settings) -> str:
    name = os.path.basename(spec.path)
    return os.path.join(settings.configmaps_dir, name, name)


def check(spec: Config, settings: Settings) -> Verdict:
    source = template_path(spec, settings)
    try:
        with open(source) as handle:
            text = handle.read()
        mode = os.stat(source).st_mode & 0o7777
    except FileNotFoundError:
        return pending(f"template {source} does not exist yet")
    except (OSError, UnicodeDecodeError) as exc:
        return pending(f"template {source}: {getattr(exc, 'strerror', None) or exc}")
    try:
        used = template.fields_used(text)
    except template.TemplateError as exc:
        raise ConfigError([f"DEPENDENCY_CONFIG: template {source}: {exc}"]) from None
    values: dict[str, str] = {}
    if used & {"IP", "IP_ERLANG"}:
        try:
            values["IP"] = netif.ipv4_address(settings.interface_name)
        except netif.InterfaceError as exc:
            return pending(f"{exc} (INTERFACE_NAME)")
        values["IP_ERLANG"] = values["IP"].replace(".", ",")
    if "HOSTNAME" in used:
        values["HOSTNAME"] = socket.gethostname()
    try:
        template.write_atomic(spec.path, template.render(text, values), mode)
    except OSError as exc:
        return pending(f"cannot write {spec.path}: {exc.strerror}")
    return met(f"rendered from {source}")
