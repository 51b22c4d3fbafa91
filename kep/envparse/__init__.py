"""Read kep's environment into a Plan: pure, complete and strict.

The reference logs a malformed dependency and DROPS it, so the application
starts without waiting for it. kep parses everything once, up front, and raises
one ConfigError that lists every problem (one line each: the variable, then
the bad part). This module does no I/O: cli reads os.environ and the
service-account namespace file and passes them in.

Rules where kep differs from the reference, or where the reference is silent:

- List variables (DEPENDENCY_SERVICE, _DAEMONSET, _JOBS, _CONTAINER, _SOCKET,
  _CONFIG, _TCP, _HTTP): items are split on ",", trimmed, and empty items are ignored
  (helm-toolkit renders "no dependencies" as ""). An item is `name` or
  `namespace:name`; `a:b:c`, `:name` and `ns:` are errors. Names are checked
  as the API server checks them: namespaces and container names are DNS-1123
  labels; service names too (the RFC 1035 rule, no leading digit, is relaxed
  by RelaxedServiceNameValidation, so kep does not enforce it); daemonset and
  job names are DNS-1123 subdomains.
- DEPENDENCY_CONTAINER takes names only: a ":" is an error.
- DEPENDENCY_SOCKET and DEPENDENCY_CONFIG items are paths, never split on ":".
  A socket path is anything non-empty (stat() decides; a relative path is
  relative to the working directory). A config path must be absolute and end
  in a file name, because its basename names the template
  <KEP_CONFIGMAPS_DIR>/<basename>/<basename>.
- JSON variables follow Go encoding/json where harmless: object keys match
  case-insensitively (the last duplicate wins), unknown keys are ignored and
  `null` means absent. `null`, `[]` and an empty or blank value mean "no
  dependencies". A missing, null or "" namespace means the default one; a
  missing, null or "" condition status means "True". NaN, Infinity and
  out-of-range numbers are invalid JSON, as in Go. Item indexes in messages
  count from 0, like JSON paths.
- DEPENDENCY_TCP items are host:port ([IPv6]:port); DEPENDENCY_HTTP items and
  DEPENDENCY_HTTP_JSON "url"s are http(s) URLs, shown masked in every message
  (kep.redact); both HTTP variables count (see envparse.network).
- Knobs (KEP_*) that are unset or blank take their default. Durations are
  seconds (`2`, `0.5`) or Go-style with units (`500ms`, `1m30s`, `1h`).
  KEP_TERMINATION_LOG is an absolute path, or a false boolean (0, false, no) for
  none; blank or a true one is /dev/termination-log.
- NAMESPACE and POD_NAME are validated only when an API dependency uses them,
  because the application's own environment may use those names too.
- A name that can only be a misspelling of one kep reads (DEPENDENCY_SERVICES,
  DEPENDANCY_JOBS, KEP_TIMOUT) is an error naming the one it resembles: the
  reference ignores it, and so drops what it declares. Blank, it declares
  nothing: a warning. Other DEPENDENCY_* names are the application's to use
  (silent); a KEP_* name far from every knob gets a warning (see envparse.typos).

The package's modules, one job each: `variables` (the names), `typos` (which
one a misspelt name meant), `parser` (one parse), `names` (Kubernetes name
rules), `jsonvalue` (JSON as Go reads it), `fieldkey` (custom-resource field
keys), `knobs` (durations, booleans), `quote` (a value in a message),
`network` (TCP and HTTP endpoints).
"""

from __future__ import annotations

from collections.abc import Mapping

from kep.envparse import knobs
from kep.envparse.fieldkey import parse_field_key
from kep.envparse.names import is_dns_label, is_dns_subdomain
from kep.envparse.parser import Parser
from kep.envparse.typos import closest
from kep.envparse.variables import DEPENDENCY_VARIABLES, KEP_TERMINATION_LOG, LOCAL_VARIABLES
from kep.specs import Plan

__all__ = [
    "parse",
    "termination_log",
    "parse_field_key",
    "is_dns_label",
    "is_dns_subdomain",
    "DEPENDENCY_VARIABLES",
    "LOCAL_VARIABLES",
    "closest",
]
"""What the rest of kep uses; the variable names themselves live in `variables`."""


def parse(env: Mapping[str, str], default_namespace: str = "default") -> Plan:
    """Turn the environment into a Plan, or raise ConfigError listing every problem.

    `default_namespace` is used when NAMESPACE is unset or blank; cli passes the
    service-account namespace file's content, or "default".
    """
    return Parser(env, default_namespace).plan()


def termination_log(env: Mapping[str, str]) -> str:
    """The termination message file ("" for none), read apart from `parse`: kep writes it on
    a configuration error too, to say what is wrong. A value that is no path gives the
    default here (and a problem in `parse`)."""
    found = knobs.termination_log(env.get(KEP_TERMINATION_LOG, "").strip())
    return knobs.DEFAULT_TERMINATION_LOG if found is None else found
