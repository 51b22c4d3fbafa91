"""Read kep's environment into a Plan: pure, complete and strict.

The reference logs a malformed dependency and DROPS it, so the application
starts without waiting for it. kep parses everything once, up front, and raises
one ConfigError that lists every problem (one line each: the variable, then
the bad part). This module does no I/O: cli reads os.environ and the
service-account namespace file and passes them in.

Rules where kep differs from the reference, or where the reference is silent:

- List variables (DEPENDENCY_SERVICE, _DAEMONSET, _JOBS, _CONTAINER, _SOCKET,
  _CONFIG): items are split on ",", trimmed, and empty items are ignored
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
- Knobs (KEP_*) that are unset or blank take their default. Durations are
  seconds (`2`, `0.5`) or Go-style with units (`500ms`, `1m30s`, `1h`).
- NAMESPACE and POD_NAME are validated only when an API dependency uses them,
  because the application's own environment may use those names too.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from kep.errors import ConfigError
from kep.specs import (
    ConditionCheck,
    Config,
    Container,
    CustomResource,
    DaemonSet,
    FieldCheck,
    Job,
    Labels,
    PathPart,
    Plan,
    Pod,
    Service,
    Settings,
    Socket,
    Spec,
)

# Environment variable names (they appear only here, in cli and in the docs).
DEPENDENCY_PREFIX = "DEPENDENCY_"
DEPENDENCY_SERVICE = "DEPENDENCY_SERVICE"
DEPENDENCY_CONTAINER = "DEPENDENCY_CONTAINER"
DEPENDENCY_DAEMONSET = "DEPENDENCY_DAEMONSET"
DEPENDENCY_JOBS = "DEPENDENCY_JOBS"
DEPENDENCY_JOBS_JSON = "DEPENDENCY_JOBS_JSON"
DEPENDENCY_POD_JSON = "DEPENDENCY_POD_JSON"
DEPENDENCY_CUSTOM_RESOURCE = "DEPENDENCY_CUSTOM_RESOURCE"
DEPENDENCY_SOCKET = "DEPENDENCY_SOCKET"
DEPENDENCY_CONFIG = "DEPENDENCY_CONFIG"
DEPENDENCY_VARIABLES = (
    DEPENDENCY_SERVICE,
    DEPENDENCY_CONTAINER,
    DEPENDENCY_DAEMONSET,
    DEPENDENCY_JOBS,
    DEPENDENCY_JOBS_JSON,
    DEPENDENCY_POD_JSON,
    DEPENDENCY_CUSTOM_RESOURCE,
    DEPENDENCY_SOCKET,
    DEPENDENCY_CONFIG,
)
"""Every dependency variable, in the order their specs appear in a Plan."""

NAMESPACE = "NAMESPACE"
POD_NAME = "POD_NAME"
INTERFACE_NAME = "INTERFACE_NAME"
COMMAND = "COMMAND"
KEP_INTERVAL = "KEP_INTERVAL"
KEP_TIMEOUT = "KEP_TIMEOUT"
KEP_PROGRESS_INTERVAL = "KEP_PROGRESS_INTERVAL"
KEP_FAIL_ON_JOB_FAILURE = "KEP_FAIL_ON_JOB_FAILURE"
KEP_CONFIGMAPS_DIR = "KEP_CONFIGMAPS_DIR"
KEP_WATCH = "KEP_WATCH"
KEP_DEBUG = "KEP_DEBUG"
KEP_STRICT_RBAC = "KEP_STRICT_RBAC"
KEP_LOG_FORMAT = "KEP_LOG_FORMAT"
LOG_FORMATS = ("text", "json")

NEEDS_POD_NAME = (DEPENDENCY_CONTAINER, DEPENDENCY_DAEMONSET, DEPENDENCY_POD_JSON)
"""Variables whose kinds read kep's own pod (POD_NAME in NAMESPACE)."""
LOCAL_VARIABLES = (DEPENDENCY_SOCKET, DEPENDENCY_CONFIG)
"""Variables whose kinds need no API (and so no namespace)."""

MAX_SECONDS = 10 * 365 * 24 * 3600
"""Longest accepted duration (10 years), far below what thread waits accept."""

# Kubernetes name rules, as k8s.io/apimachinery/pkg/util/validation checks them.
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_PART = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_KIND = re.compile(r"[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?")
_LABEL_RULE = (
    'a DNS-1123 label (at most 63 characters: lowercase letters, digits and "-", '
    "starting and ending with a letter or digit)"
)
_SUBDOMAIN_RULE = (
    'a DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, "-" and ".", '
    'each "."-separated part starting and ending with a letter or digit)'
)
_LABEL_KEY_RULE = (
    'valid (an optional DNS-1123 subdomain and "/", then at most 63 characters: '
    'letters, digits, "-", "_" and ".", starting and ending with a letter or digit)'
)
_LABEL_VALUE_RULE = (
    'valid (empty, or at most 63 characters: letters, digits, "-", "_" and ".", '
    "starting and ending with a letter or digit)"
)
_API_VERSION_RULE = "of the form version or group/version (e.g. v1, apps/v1, argoproj.io/v1alpha1)"
_KIND_RULE = 'valid (letters, digits and "-", starting with a letter, e.g. Workflow)'
_OBJECT_NAME_RULE = 'valid (not "." or "..", and no "/" or "%")'

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DURATION = re.compile(r"(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9.]+)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_RULE = "seconds, e.g. 2 or 0.5, or with a unit: 500ms, 1m30s, 1h"
_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

_T = TypeVar("_T")


def parse(env: Mapping[str, str], default_namespace: str = "default") -> Plan:
    """Turn the environment into a Plan, or raise ConfigError listing every problem.

    `default_namespace` is used when NAMESPACE is unset or blank; cli passes the
    service-account namespace file's content, or "default".
    """
    return _Parser(env, default_namespace).plan()


def is_dns_label(text: str) -> bool:
    """RFC 1123 label as Kubernetes checks it: namespaces, container names."""
    return len(text) <= 63 and _DNS_LABEL.fullmatch(text) is not None


def is_dns_subdomain(text: str) -> bool:
    """RFC 1123 subdomain as Kubernetes checks it: most object names."""
    return 0 < len(text) <= 253 and all(_DNS_LABEL.fullmatch(p) for p in text.split("."))


def is_label_key(text: str) -> bool:
    """Label key: [prefix/]name, where the prefix is a DNS-1123 subdomain."""
    prefix, slash, name = text.rpartition("/")
    if slash and not is_dns_subdomain(prefix):
        return False
    return len(name) <= 63 and _QUALIFIED_PART.fullmatch(name) is not None


def is_label_value(text: str) -> bool:
    return text == "" or (len(text) <= 63 and _QUALIFIED_PART.fullmatch(text) is not None)


def parse_field_key(key: str) -> tuple[PathPart, ...]:
    """Parse a custom-resource field key into path parts; ValueError says what is wrong.

    Accepts dotted keys (`spec.a-b.c`), list indexes (`status.conditions[0].type`,
    `[-1]` for the last), quoted keys (`metadata.labels['app.kubernetes.io/name']`)
    and the JSONPath spellings other forks accept: `$.a.b`, `{.a.b}`, `{$.a.b}`, `.a.b`.
    """
    text = key.strip()
    if text.startswith("{"):
        if not text.endswith("}"):
            raise ValueError('has an unclosed "{"')
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
        if text and text[0] not in ".[":
            raise ValueError('must go on with "." or "[" after "$"')
    if text.startswith("."):
        text = text[1:]
    if not text:
        raise ValueError("names no field")
    parts: list[PathPart] = []
    pos = 0
    while True:
        if text[pos] == "[":
            part, pos = _bracket(text, pos)
        else:
            end = pos
            while end < len(text) and text[end] not in ".[]":
                end += 1
            if end < len(text) and text[end] == "]":
                raise ValueError('has a "]" without "["')
            if end == pos:
                raise ValueError("has an empty part")
            part, pos = text[pos:end], end
        parts.append(part)
        if pos == len(text):
            return tuple(parts)
        if text[pos] == ".":
            pos += 1
            if pos == len(text) or text[pos] in ".[":
                raise ValueError("has an empty part")
        elif text[pos] != "[":
            raise ValueError('has text right after "]" (expected "." or "[")')


def _bracket(text: str, pos: int) -> tuple[PathPart, int]:
    """One `[n]`, `['key']` or `["key"]` at text[pos]; returns the part and the next pos."""
    quote = text[pos + 1 : pos + 2]
    if quote in ("'", '"'):
        close = text.find(quote + "]", pos + 2)
        if close < 0:
            raise ValueError('has an unclosed "["')
        if close == pos + 2:
            raise ValueError("has an empty part")
        return text[pos + 2 : close], close + 2
    close = text.find("]", pos)
    if close < 0:
        raise ValueError('has an unclosed "["')
    inner = text[pos + 1 : close].strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", inner):
        raise ValueError(f"has a bad index {_q('[' + inner + ']')} (expected a number or a quoted key)")
    return int(inner), close + 1


def _json_text(value: str | int | float | bool) -> str:
    """A JSON scalar as the text it is compared by: a string as is, others as JSON.

    Integral numbers print without a fraction (3.0 -> "3") so that `3` and `3.0`
    expect the same thing.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return json.dumps(value)


def close_name(name: str, known: tuple[str, ...] = DEPENDENCY_VARIABLES) -> str | None:
    """The known variable that `name` probably meant, or None.

    Names are compared after the prefix, with "_" and "-" dropped and case
    ignored. Close means: a prefix of a known name (DEPENDENCY_POD, _JOB), a
    known name plus "JSON" (DEPENDENCY_SERVICE_JSON), a plural (DEPENDENCY_PODS),
    or a small edit distance (DEPENDENCY_SERVICES, _JOB_JSON, _CUSTOMRESOURCE).
    Unrelated names (DEPENDENCY_FOO_URL, DEPENDENCY_MODE) are not close.
    """
    tail = _squash(name)
    if len(tail) < 3:
        return None
    forms = [tail, tail[:-1]] if tail.endswith("S") and len(tail) > 3 else [tail]
    matches = [
        (_distance(tail, _squash(candidate)), candidate)
        for candidate in known
        if any(_is_close(form, _squash(candidate)) for form in forms)
    ]
    return min(matches)[1] if matches else None


def _is_close(form: str, target: str) -> bool:
    if target.startswith(form) or form == target + "JSON":
        return True
    return _distance(form, target) <= (2 if len(target) >= 6 else 1)


def _squash(name: str) -> str:
    upper = name.upper()
    if upper.startswith(DEPENDENCY_PREFIX):
        upper = upper[len(DEPENDENCY_PREFIX) :]
    return upper.replace("_", "").replace("-", "")


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (the names are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _q(text: str, limit: int = 80) -> str:
    """Quote a user's value for a one-line message: JSON-escaped, shortened, printable."""
    if len(text) > limit:
        text = text[:limit] + "..."
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)


class _Object(list[tuple[str, Any]]):
    """A decoded JSON object: its (key, value) pairs in document order."""

    def folded(self) -> dict[str, Any]:
        """Keys case-folded, as Go matches struct fields; the last duplicate wins."""
        return {key.casefold(): value for key, value in self}


def _is_array(value: Any) -> bool:
    return isinstance(value, list) and not isinstance(value, _Object)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    if isinstance(value, _Object):
        return "an object"
    return "an array"


def _load_json(text: str) -> tuple[Any, str | None]:
    """The decoded document and None, or None and why the text is not JSON (as Go sees it)."""
    try:
        document = json.loads(
            text,
            object_pairs_hook=_Object,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
        return document, None
    except json.JSONDecodeError as error:
        return None, f"{error.msg} at line {error.lineno} column {error.colno}"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as error:  # NaN, Infinity, 1e999, an int of 5000 digits
        return None, str(error)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    """Go decodes numbers as float64: more than 308 digits is out of its range."""
    if len(text.lstrip("-")) > 308:
        raise ValueError(f"number {text[:20]}... is out of range")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


class _Parser:
    """One parse: the environment in; problems and warnings collected on the way."""

    def __init__(self, env: Mapping[str, str], default_namespace: str) -> None:
        self.env = env
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.declared: list[str] = []
        """Dependency variables holding at least one item, good or bad."""
        self.namespace_set = env.get(NAMESPACE, "").strip()
        self.namespace = self.namespace_set or default_namespace.strip() or "default"

    def plan(self) -> Plan:
        specs: list[Spec] = [
            *self.services(),
            *self.containers(),
            *self.daemonsets(),
            *self.jobs(),
            *self.pods(),
            *self.custom_resources(),
            *self.sockets(),
            *self.configs(),
        ]
        settings = self.settings()
        self.warn_close_names()
        if self.problems:
            raise ConfigError(self.problems, self.warnings)
        return Plan(specs=tuple(dict.fromkeys(specs)), settings=settings, warnings=tuple(self.warnings))

    def check(self, where: str, what: str, value: str, is_valid: Callable[[str], bool], rule: str) -> bool:
        """Report `value` unless it is valid; says whether it was."""
        if is_valid(value):
            return True
        self.problems.append(f"{where}: {what} {_q(value)} is not {rule}")
        return False

    # --- list variables -------------------------------------------------

    def items(self, var: str) -> list[str]:
        items = [item.strip() for item in self.env.get(var, "").split(",")]
        items = [item for item in items if item]
        if items:
            self.declared.append(var)
        return items

    def namespaced(self, var: str, noun: str, is_valid: Callable[[str], bool], rule: str) -> list[tuple[str, str]]:
        """`name` or `namespace:name` items, as (namespace, name) pairs."""
        pairs = []
        shape = "(expected name or namespace:name)"
        for item in self.items(var):
            where = f"{var}: item {_q(item)}"
            namespace, colon, name = (part.strip() for part in item.rpartition(":"))
            if item.count(":") > 1:
                self.problems.append(f'{where} has more than one ":" {shape}')
            elif colon and not namespace:
                self.problems.append(f"{where} has an empty namespace {shape}")
            elif not name:
                self.problems.append(f"{where} has an empty name {shape}")
            else:
                good_namespace = not colon or self.check(where, "namespace", namespace, is_dns_label, _LABEL_RULE)
                if self.check(where, noun, name, is_valid, rule) and good_namespace:
                    pairs.append((namespace or self.namespace, name))
        return pairs

    def services(self) -> list[Service]:
        pairs = self.namespaced(DEPENDENCY_SERVICE, "service name", is_dns_label, _LABEL_RULE)
        return [Service(namespace, name) for namespace, name in pairs]

    def daemonsets(self) -> list[DaemonSet]:
        pairs = self.namespaced(DEPENDENCY_DAEMONSET, "daemonset name", is_dns_subdomain, _SUBDOMAIN_RULE)
        return [DaemonSet(namespace, name) for namespace, name in pairs]

    def containers(self) -> list[Container]:
        containers = []
        for item in self.items(DEPENDENCY_CONTAINER):
            where = f"{DEPENDENCY_CONTAINER}: item {_q(item)}"
            if ":" in item:
                self.problems.append(f'{where} has a ":" (containers take no namespace: give the name only)')
            elif self.check(where, "container name", item, is_dns_label, _LABEL_RULE):
                containers.append(Container(item))
        return containers

    def sockets(self) -> list[Socket]:
        return [Socket(path) for path in self.items(DEPENDENCY_SOCKET)]

    def configs(self) -> list[Config]:
        configs = []
        for path in self.items(DEPENDENCY_CONFIG):
            where = f"{DEPENDENCY_CONFIG}: item {_q(path)}"
            if not path.startswith("/"):
                self.problems.append(f"{where} is not an absolute path")
            elif posixpath.basename(path) in ("", ".", ".."):
                self.problems.append(f"{where} does not end in a file name (its basename names the template)")
            else:
                configs.append(Config(path))
        return configs

    # --- JSON variables ---------------------------------------------------

    def jobs(self) -> list[Job]:
        if not self.env.get(DEPENDENCY_JOBS_JSON, "").strip():
            pairs = self.namespaced(DEPENDENCY_JOBS, "job name", is_dns_subdomain, _SUBDOMAIN_RULE)
            return [Job(namespace, name) for namespace, name in pairs]
        if any(item.strip() for item in self.env.get(DEPENDENCY_JOBS, "").split(",")):
            self.warnings.append(f"{DEPENDENCY_JOBS} is ignored because {DEPENDENCY_JOBS_JSON} is set")
        jobs = []
        for where, item in self.json_items(DEPENDENCY_JOBS_JSON):
            namespace = self.json_namespace(where, item)
            labels = self.json_labels(where, item)
            has_name = item.get("name") not in (None, "")
            if has_name and labels is not None:
                self.problems.append(f'{where}: has both "name" and "labels" (give one)')
            elif not has_name and labels is None:
                self.problems.append(f'{where}: needs "name" or "labels"')
            elif has_name:
                name = self.json_string(where, item, "name", is_dns_subdomain, _SUBDOMAIN_RULE)
                if name and namespace:
                    jobs.append(Job(namespace, name=name))
            elif labels and namespace:
                jobs.append(Job(namespace, labels=labels))
        return jobs

    def pods(self) -> list[Pod]:
        pods = []
        for where, item in self.json_items(DEPENDENCY_POD_JSON):
            namespace = self.json_namespace(where, item)
            labels = self.json_labels(where, item)
            if labels is None:
                self.problems.append(f'{where}: needs "labels"')
            same_node = item.get("requiresamenode")
            if same_node is not None and not isinstance(same_node, bool):
                self.problems.append(f'{where}: "requireSameNode" must be a bool, not {_type_name(same_node)}')
            elif labels and namespace:
                pods.append(Pod(namespace, labels, require_same_node=bool(same_node)))
        return pods

    def custom_resources(self) -> list[CustomResource]:
        resources = []
        for where, item in self.json_items(DEPENDENCY_CUSTOM_RESOURCE):
            namespace = self.json_namespace(where, item)
            api_version = self.json_string(where, item, "apiVersion", _is_api_version, _API_VERSION_RULE)
            kind = self.json_string(where, item, "kind", _is_kind, _KIND_RULE)
            name = self.json_string(where, item, "name", _is_object_name, _OBJECT_NAME_RULE)
            fields = self.json_members(where, item, "fields", self.field_check)
            conditions = self.json_members(where, item, "conditions", self.condition_check)
            if namespace and api_version and kind and name and fields is not None and conditions is not None:
                resources.append(CustomResource(api_version, kind, namespace, name, fields, conditions))
        return resources

    def field_check(self, where: str, item: dict[str, Any]) -> FieldCheck | None:
        key = self.json_string(where, item, "key", _is_any, "")
        path: tuple[PathPart, ...] = ()
        if key:
            try:
                path = parse_field_key(key)
            except ValueError as error:
                self.problems.append(f"{where}: key {_q(key)} {error}")
                key = ""
        value = item.get("value")
        if "value" not in item:
            self.problems.append(f'{where}: needs "value"')
        elif value is None or not isinstance(value, (str, int, float)):
            self.problems.append(f'{where}: "value" must be a string, number or bool, not {_type_name(value)}')
        elif key:
            return FieldCheck(key=key, path=path, value=_json_text(value))
        return None

    def condition_check(self, where: str, item: dict[str, Any]) -> ConditionCheck | None:
        type_ = self.json_string(where, item, "type", _is_any, "")
        status = item.get("status")
        if status is not None and not isinstance(status, str):
            self.problems.append(f'{where}: "status" must be a string, not {_type_name(status)}')
        elif type_:
            return ConditionCheck(type=type_, status=status or "True")
        return None

    # --- JSON helpers -------------------------------------------------------

    def json_items(self, var: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The objects of a JSON array variable, case-folded, each with its message prefix.

        A generator, so that problems come out in item order.
        """
        raw = self.env.get(var, "").strip()
        if not raw:
            return
        document, error = _load_json(raw)
        if error is None and (document is None or document == "" or (_is_array(document) and not document)):
            return
        self.declared.append(var)
        if error is not None:
            self.problems.append(f"{var}: invalid JSON: {error}")
        elif not _is_array(document):
            self.problems.append(f"{var}: must be a JSON array of objects, not {_type_name(document)}")
        else:
            for index, item in enumerate(document):
                where = f"{var}: item {index}"
                if isinstance(item, _Object):
                    yield where, item.folded()
                else:
                    self.problems.append(f"{where}: must be an object, not {_type_name(item)}")

    def json_string(
        self, where: str, item: dict[str, Any], key: str, is_valid: Callable[[str], bool], rule: str
    ) -> str:
        """A required string member; "" when missing, empty or bad (reported)."""
        value = item.get(key.casefold())
        if value is None or value == "":
            self.problems.append(f'{where}: needs "{key}"')
            return ""
        if not isinstance(value, str):
            self.problems.append(f'{where}: "{key}" must be a string, not {_type_name(value)}')
            return ""
        return value if self.check(where, key, value, is_valid, rule) else ""

    def json_namespace(self, where: str, item: dict[str, Any]) -> str:
        """The item's namespace, the default one when absent, "" when bad (reported)."""
        value = item.get("namespace")
        if value is None or value == "":
            return self.namespace
        return self.json_string(where, item, "namespace", is_dns_label, _LABEL_RULE)

    def json_labels(self, where: str, item: dict[str, Any]) -> Labels | None:
        """Sorted label pairs; None when absent; () when bad or empty (reported)."""
        labels = item.get("labels")
        if labels is None:
            return None
        if not isinstance(labels, _Object) or not all(isinstance(value, str) for _, value in labels):
            self.problems.append(f'{where}: "labels" must be an object of strings')
            return ()
        if not labels:
            self.problems.append(f'{where}: "labels" must not be empty')
            return ()
        pairs = dict(labels)
        checks = [self.check(where, "label key", key, is_label_key, _LABEL_KEY_RULE) for key in pairs]
        checks += [
            self.check(where, f"label {_q(key)} value", value, is_label_value, _LABEL_VALUE_RULE)
            for key, value in pairs.items()
        ]
        return tuple(sorted(pairs.items())) if all(checks) else ()

    def json_members(
        self, where: str, item: dict[str, Any], key: str, parse_one: Callable[[str, dict[str, Any]], _T | None]
    ) -> tuple[_T, ...] | None:
        """An optional array of objects, each parsed; None when any is bad (reported)."""
        members = item.get(key)
        if members is None:
            return ()
        if not _is_array(members):
            self.problems.append(f'{where}: "{key}" must be an array of objects, not {_type_name(members)}')
            return None
        parsed: list[_T | None] = []
        for index, member in enumerate(members):
            inner = f"{where}: {key}[{index}]"
            if isinstance(member, _Object):
                parsed.append(parse_one(inner, member.folded()))
            else:
                self.problems.append(f"{inner}: must be an object, not {_type_name(member)}")
                parsed.append(None)
        good = [one for one in parsed if one is not None]
        return tuple(good) if len(good) == len(parsed) else None

    # --- common environment and knobs ----------------------------------------

    def settings(self) -> Settings:
        pod_name = self.env.get(POD_NAME, "").strip()
        interface = self.env.get(INTERFACE_NAME, "").strip()
        if any(var not in LOCAL_VARIABLES for var in self.declared):
            what = "namespace" if self.namespace_set else "unset, and the default namespace"
            self.check(NAMESPACE, what, self.namespace, is_dns_label, _LABEL_RULE)
        needing = [var for var in NEEDS_POD_NAME if var in self.declared]
        if needing and not pod_name:
            self.problems.append(
                f"{POD_NAME}: required by {', '.join(needing)} (set it from the downward API: fieldRef metadata.name)"
            )
        elif needing:
            self.check(POD_NAME, "pod name", pod_name, is_dns_subdomain, _SUBDOMAIN_RULE)
        if DEPENDENCY_CONFIG in self.declared and not interface:
            self.problems.append(
                f"{INTERFACE_NAME}: required by {DEPENDENCY_CONFIG} "
                "(the network interface whose address fills {{ .IP }}, e.g. eth0)"
            )
        elif DEPENDENCY_CONFIG in self.declared:
            rule = 'a network interface name (at most 15 characters, no "/", ":" or whitespace)'
            self.check(INTERFACE_NAME, "interface", interface, _is_interface, rule)
        return Settings(
            namespace=self.namespace,
            pod_name=pod_name,
            interface_name=interface,
            interval=self.duration(KEP_INTERVAL, 2.0, allow_zero=False),
            timeout=self.duration(KEP_TIMEOUT, 0.0, allow_zero=True),
            progress_interval=self.duration(KEP_PROGRESS_INTERVAL, 30.0, allow_zero=False),
            fail_on_job_failure=self.boolean(KEP_FAIL_ON_JOB_FAILURE, False),
            watch=self.boolean(KEP_WATCH, True),
            strict_rbac=self.boolean(KEP_STRICT_RBAC, False),
            debug=self.boolean(KEP_DEBUG, False),
            log_format=self.choice(KEP_LOG_FORMAT, LOG_FORMATS),
            configmaps_dir=self.env.get(KEP_CONFIGMAPS_DIR, "").strip() or "/configmaps",
            command=tuple(self.env.get(COMMAND, "").split()),
        )

    def duration(self, var: str, default: float, allow_zero: bool) -> float:
        text = self.env.get(var, "").strip()
        if not text:
            return default
        seconds = _seconds(text.removeprefix("-"))
        if seconds is None:
            self.problems.append(f"{var}: {_q(text)} is not a duration ({_DURATION_RULE})")
        elif text.startswith("-") and seconds:
            self.problems.append(f"{var}: {_q(text)} must not be negative")
        elif seconds > MAX_SECONDS:
            self.problems.append(f"{var}: {_q(text)} is too long (at most {MAX_SECONDS} seconds, 10 years)")
        elif seconds == 0 and not allow_zero:
            self.problems.append(f"{var}: {_q(text)} must be greater than 0")
        else:
            return seconds
        return default

    def choice(self, var: str, choices: tuple[str, ...]) -> str:
        """One of `choices` (case-insensitive); blank is the first."""
        text = self.env.get(var, "").strip()
        if not text:
            return choices[0]
        if text.lower() not in choices:
            self.problems.append(f"{var}: {_q(text)} is not one of {', '.join(choices)}")
            return choices[0]
        return text.lower()

    def boolean(self, var: str, default: bool) -> bool:
        text = self.env.get(var, "").strip()
        if not text:
            return default
        if text.lower() not in _BOOLEANS:
            self.problems.append(f"{var}: {_q(text)} is not a boolean (use true/false, yes/no or 1/0)")
            return default
        return _BOOLEANS[text.lower()]

    def warn_close_names(self) -> None:
        for name in sorted(self.env):
            if name in DEPENDENCY_VARIABLES or not name.upper().startswith(DEPENDENCY_PREFIX):
                continue
            meant = close_name(name)
            if meant:
                shown = name if name.isprintable() else _q(name)
                self.warnings.append(f"{shown} is not a kep variable; did you mean {meant}? (ignored)")


def _seconds(text: str) -> float | None:
    """Seconds in `text` (`2`, `0.5`, `500ms`, `1m30s`; may be inf), or None if it is no duration."""
    if _NUMBER.fullmatch(text):
        return float(text)
    if _DURATION.fullmatch(text):
        return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(text))
    return None


def _is_any(text: str) -> bool:
    return True


def _is_api_version(text: str) -> bool:
    group, slash, version = text.rpartition("/")
    return is_dns_label(version) and (not slash or is_dns_subdomain(group))


def _is_kind(text: str) -> bool:
    return len(text) <= 63 and _KIND.fullmatch(text) is not None


def _is_object_name(text: str) -> bool:
    """Path-segment rule: what any object name must meet to appear in a URL."""
    return text not in (".", "..") and not any(c in text for c in "/%")


def _is_interface(text: str) -> bool:
    """Linux dev_valid_name: shorter than IFNAMSIZ (16), no "/", ":" or whitespace."""
    return len(text) < 16 and text not in (".", "..") and not any(c in "/:" or c.isspace() for c in text)
