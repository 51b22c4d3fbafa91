"""One parse of the environment: specs per variable, then the common settings and knobs.

Problems and warnings are collected on the way; `plan()` raises one ConfigError
listing them all.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from kep.envparse.fieldkey import parse_field_key
from kep.envparse.jsonvalue import GoObject, is_array, load_json, type_name
from kep.envparse.knobs import (
    BOOLEANS, DEFAULT_TERMINATION_LOG, DURATION_RULE, MAX_SECONDS, TERMINATION_LOG_RULE, termination_log, to_seconds,
)
from kep.envparse import network
from kep.envparse.names import (
    API_VERSION_RULE,
    KIND_RULE,
    LABEL_KEY_RULE,
    LABEL_RULE,
    LABEL_VALUE_RULE,
    OBJECT_NAME_RULE,
    SUBDOMAIN_RULE,
    is_any,
    is_api_version,
    is_dns_label,
    is_dns_subdomain,
    is_interface,
    is_kind,
    is_label_key,
    is_label_value,
    is_object_name,
)
from kep.envparse.quote import quote
from kep.envparse.variables import (
    COMMAND,
    DEPENDENCY_CONFIG,
    DEPENDENCY_CONTAINER,
    DEPENDENCY_CUSTOM_RESOURCE,
    DEPENDENCY_DAEMONSET,
    DEPENDENCY_HTTP,
    DEPENDENCY_HTTP_JSON,
    DEPENDENCY_JOBS,
    DEPENDENCY_JOBS_JSON,
    DEPENDENCY_POD_JSON,
    DEPENDENCY_SERVICE,
    DEPENDENCY_SOCKET,
    DEPENDENCY_TCP,
    INTERFACE_NAME,
    KEP_CONFIGMAPS_DIR,
    KEP_DEBUG,
    KEP_STRICT_RBAC,
    KEP_FAIL_ON_JOB_FAILURE,
    KEP_INTERVAL,
    KEP_LOG_FORMAT,
    KEP_PROGRESS_INTERVAL,
    KEP_TERMINATION_LOG,
    KEP_TIMEOUT,
    KEP_WATCH,
    LOCAL_VARIABLES,
    LOG_FORMATS,
    NAMESPACE,
    NEEDS_POD_NAME,
    POD_NAME,
)
from kep.envparse.typos import close_name, is_unknown_knob
from kep.errors import ConfigError
from kep.specs import (
    ConditionCheck,
    Config,
    Container,
    CustomResource,
    DaemonSet,
    FieldCheck,
    Http,
    Job,
    Labels,
    PathPart,
    Plan,
    Pod,
    Service,
    Settings,
    Socket,
    Spec,
    Tcp,
    json_text,
)

_T = TypeVar("_T")


class Parser:
    """The environment in; problems and warnings collected on the way."""

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
            *self.tcps(),
            *self.https(),
        ]
        settings = self.settings()
        self.check_names()
        if self.problems:
            raise ConfigError(self.problems, self.warnings)
        return Plan(specs=tuple(dict.fromkeys(specs)), settings=settings, warnings=tuple(self.warnings))

    def check(self, where: str, what: str, value: str, is_valid: Callable[[str], bool], rule: str) -> bool:
        """Report `value` unless it is valid; says whether it was."""
        if is_valid(value):
            return True
        self.problems.append(f"{where}: {what} {quote(value)} is not {rule}")
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
            where = f"{var}: item {quote(item)}"
            namespace, colon, name = (part.strip() for part in item.rpartition(":"))
            if item.count(":") > 1:
                self.problems.append(f'{where} has more than one ":" {shape}')
            elif "/" in item and not colon:
                self.problems.append(f'{where} has a "/" {shape}: the namespace goes before a ":"')
            elif colon and not namespace:
                self.problems.append(f"{where} has an empty namespace {shape}")
            elif not name:
                self.problems.append(f"{where} has an empty name {shape}")
            else:
                good_namespace = not colon or self.check(where, "namespace", namespace, is_dns_label, LABEL_RULE)
                if self.check(where, noun, name, is_valid, rule) and good_namespace:
                    pairs.append((namespace or self.namespace, name))
        return pairs

    def services(self) -> list[Service]:
        pairs = self.namespaced(DEPENDENCY_SERVICE, "service name", is_dns_label, LABEL_RULE)
        return [Service(namespace, name) for namespace, name in pairs]

    def daemonsets(self) -> list[DaemonSet]:
        pairs = self.namespaced(DEPENDENCY_DAEMONSET, "daemonset name", is_dns_subdomain, SUBDOMAIN_RULE)
        return [DaemonSet(namespace, name) for namespace, name in pairs]

    def containers(self) -> list[Container]:
        containers = []
        for item in self.items(DEPENDENCY_CONTAINER):
            where = f"{DEPENDENCY_CONTAINER}: item {quote(item)}"
            if ":" in item:
                self.problems.append(f'{where} has a ":" (containers take no namespace: give the name only)')
            elif self.check(where, "container name", item, is_dns_label, LABEL_RULE):
                containers.append(Container(item))
        return containers

    def sockets(self) -> list[Socket]:
        return [Socket(path) for path in self.items(DEPENDENCY_SOCKET)]

    def configs(self) -> list[Config]:
        configs = []
        for path in self.items(DEPENDENCY_CONFIG):
            where = f"{DEPENDENCY_CONFIG}: item {quote(path)}"
            if not path.startswith("/"):
                self.problems.append(f"{where} is not an absolute path")
            elif posixpath.basename(path) in ("", ".", ".."):
                self.problems.append(f"{where} does not end in a file name (its basename names the template)")
            else:
                configs.append(Config(path))
        return configs

    def tcps(self) -> list[Tcp]:
        tcps = []
        for item in self.items(DEPENDENCY_TCP):
            spec = network.tcp(item)
            if isinstance(spec, str):
                self.problems.append(f"{DEPENDENCY_TCP}: item {quote(item)} {spec}")
            else:
                tcps.append(spec)
        return tcps

    def https(self) -> list[Http]:
        """DEPENDENCY_HTTP's URLs, then DEPENDENCY_HTTP_JSON's objects: both count."""
        https = []
        cut = "@" in self.env.get(DEPENDENCY_HTTP, "")  # a comma in credentials may have cut an item
        for url in self.items(DEPENDENCY_HTTP):
            spec = network.http_url(url)
            if isinstance(spec, str):
                self.problems.append(f"{DEPENDENCY_HTTP}: item {network.bad_item(url, spec, cut)}")
            else:
                https.append(spec)
        for where, item in self.json_items(DEPENDENCY_HTTP_JSON):
            json_spec = network.http_json(where, item, self.problems.append, self.warnings.append)
            if json_spec is not None:
                https.append(json_spec)
        return https

    # --- JSON variables ---------------------------------------------------

    def jobs(self) -> list[Job]:
        if not self.env.get(DEPENDENCY_JOBS_JSON, "").strip():
            pairs = self.namespaced(DEPENDENCY_JOBS, "job name", is_dns_subdomain, SUBDOMAIN_RULE)
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
                name = self.json_string(where, item, "name", is_dns_subdomain, SUBDOMAIN_RULE)
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
                self.problems.append(f'{where}: "requireSameNode" must be a bool, not {type_name(same_node)}')
            elif labels and namespace:
                pods.append(Pod(namespace, labels, require_same_node=bool(same_node)))
        return pods

    def custom_resources(self) -> list[CustomResource]:
        resources = []
        for where, item in self.json_items(DEPENDENCY_CUSTOM_RESOURCE):
            namespace = self.json_namespace(where, item)
            api_version = self.json_string(where, item, "apiVersion", is_api_version, API_VERSION_RULE)
            kind = self.json_string(where, item, "kind", is_kind, KIND_RULE)
            name = self.json_string(where, item, "name", is_object_name, OBJECT_NAME_RULE)
            fields = self.json_members(where, item, "fields", self.field_check)
            conditions = self.json_members(where, item, "conditions", self.condition_check)
            if namespace and api_version and kind and name and fields is not None and conditions is not None:
                resources.append(CustomResource(api_version, kind, namespace, name, fields, conditions))
        return resources

    def field_check(self, where: str, item: dict[str, Any]) -> FieldCheck | None:
        key = self.json_string(where, item, "key", is_any, "")
        path: tuple[PathPart, ...] = ()
        if key:
            try:
                path = parse_field_key(key)
            except ValueError as error:
                self.problems.append(f"{where}: key {quote(key)} {error}")
                key = ""
        value = item.get("value")
        if "value" not in item:
            self.problems.append(f'{where}: needs "value"')
        elif value is None or not isinstance(value, (str, int, float)):
            self.problems.append(f'{where}: "value" must be a string, number or bool, not {type_name(value)}')
        elif key:
            return FieldCheck(key=key, path=path, value=json_text(value))
        return None

    def condition_check(self, where: str, item: dict[str, Any]) -> ConditionCheck | None:
        type_ = self.json_string(where, item, "type", is_any, "")
        status = item.get("status")
        if status is not None and not isinstance(status, str):
            self.problems.append(f'{where}: "status" must be a string, not {type_name(status)}')
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
        document, error = load_json(raw)
        if error is None and (document is None or document == "" or (is_array(document) and not document)):
            return
        self.declared.append(var)
        if error is not None:
            self.problems.append(f"{var}: invalid JSON: {error}")
        elif not is_array(document):
            self.problems.append(f"{var}: must be a JSON array of objects, not {type_name(document)}")
        else:
            for index, item in enumerate(document):
                where = f"{var}: item {index}"
                if isinstance(item, GoObject):
                    yield where, item.folded()
                else:
                    self.problems.append(f"{where}: must be an object, not {type_name(item)}")

    def json_string(
        self, where: str, item: dict[str, Any], key: str, is_valid: Callable[[str], bool], rule: str
    ) -> str:
        """A required string member; "" when missing, empty or bad (reported)."""
        value = item.get(key.casefold())
        if value is None or value == "":
            self.problems.append(f'{where}: needs "{key}"')
            return ""
        if not isinstance(value, str):
            self.problems.append(f'{where}: "{key}" must be a string, not {type_name(value)}')
            return ""
        return value if self.check(where, key, value, is_valid, rule) else ""

    def json_namespace(self, where: str, item: dict[str, Any]) -> str:
        """The item's namespace, the default one when absent, "" when bad (reported)."""
        value = item.get("namespace")
        if value is None or value == "":
            return self.namespace
        return self.json_string(where, item, "namespace", is_dns_label, LABEL_RULE)

    def json_labels(self, where: str, item: dict[str, Any]) -> Labels | None:
        """Sorted label pairs; None when absent; () when bad or empty (reported)."""
        labels = item.get("labels")
        if labels is None:
            return None
        if not isinstance(labels, GoObject) or not all(isinstance(value, str) for _, value in labels):
            self.problems.append(f'{where}: "labels" must be an object of strings')
            return ()
        if not labels:
            self.problems.append(f'{where}: "labels" must not be empty')
            return ()
        pairs = dict(labels)
        checks = [self.check(where, "label key", key, is_label_key, LABEL_KEY_RULE) for key in pairs]
        checks += [
            self.check(where, f"label {quote(key)} value", value, is_label_value, LABEL_VALUE_RULE)
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
        if not is_array(members):
            self.problems.append(f'{where}: "{key}" must be an array of objects, not {type_name(members)}')
            return None
        parsed: list[_T | None] = []
        for index, member in enumerate(members):
            inner = f"{where}: {key}[{index}]"
            if isinstance(member, GoObject):
                parsed.append(parse_one(inner, member.folded()))
            else:
                self.problems.append(f"{inner}: must be an object, not {type_name(member)}")
                parsed.append(None)
        good = [one for one in parsed if one is not None]
        return tuple(good) if len(good) == len(parsed) else None

    # --- common environment and knobs ----------------------------------------

    def settings(self) -> Settings:
        pod_name = self.env.get(POD_NAME, "").strip()
        interface = self.env.get(INTERFACE_NAME, "").strip()
        if any(var not in LOCAL_VARIABLES for var in self.declared):
            what = "namespace" if self.namespace_set else "unset, and the default namespace"
            self.check(NAMESPACE, what, self.namespace, is_dns_label, LABEL_RULE)
        needing = [var for var in NEEDS_POD_NAME if var in self.declared]
        if needing and not pod_name:
            self.problems.append(
                f"{POD_NAME}: required by {', '.join(needing)} (set it from the downward API: fieldRef metadata.name)"
            )
        elif needing:
            self.check(POD_NAME, "pod name", pod_name, is_dns_subdomain, SUBDOMAIN_RULE)
        if DEPENDENCY_CONFIG in self.declared and not interface:
            self.problems.append(
                f"{INTERFACE_NAME}: required by {DEPENDENCY_CONFIG} "
                "(the network interface whose address fills {{ .IP }}, e.g. eth0)"
            )
        elif DEPENDENCY_CONFIG in self.declared:
            rule = 'a network interface name (at most 15 characters, no "/", ":" or whitespace)'
            self.check(INTERFACE_NAME, "interface", interface, is_interface, rule)
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
            termination_log=self.termination_log(),
            command=tuple(self.env.get(COMMAND, "").split()),
        )

    def duration(self, var: str, default: float, allow_zero: bool) -> float:
        text = self.env.get(var, "").strip()
        if not text:
            return default
        seconds = to_seconds(text.removeprefix("-"))
        if seconds is None:
            self.problems.append(f"{var}: {quote(text)} is not a duration ({DURATION_RULE})")
        elif text.startswith("-") and seconds:
            self.problems.append(f"{var}: {quote(text)} must not be negative")
        elif seconds > MAX_SECONDS:
            self.problems.append(f"{var}: {quote(text)} is too long (at most {MAX_SECONDS} seconds, 10 years)")
        elif seconds == 0 and not allow_zero:
            self.problems.append(f"{var}: {quote(text)} must be greater than 0")
        else:
            return seconds
        return default

    def choice(self, var: str, choices: tuple[str, ...]) -> str:
        """One of `choices` (case-insensitive); blank is the first."""
        text = self.env.get(var, "").strip()
        if not text:
            return choices[0]
        if text.lower() not in choices:
            self.problems.append(f"{var}: {quote(text)} is not one of {', '.join(choices)}")
            return choices[0]
        return text.lower()

    def termination_log(self) -> str:
        text = self.env.get(KEP_TERMINATION_LOG, "").strip()
        path = termination_log(text)
        if path is None:
            self.problems.append(f"{KEP_TERMINATION_LOG}: {quote(text)} is not {TERMINATION_LOG_RULE}")
            return DEFAULT_TERMINATION_LOG
        return path

    def boolean(self, var: str, default: bool) -> bool:
        text = self.env.get(var, "").strip()
        if not text:
            return default
        if text.lower() not in BOOLEANS:
            self.problems.append(f"{var}: {quote(text)} is not a boolean (use true/false, yes/no or 1/0)")
            return default
        return BOOLEANS[text.lower()]

    def check_names(self) -> None:
        """A name that can only be a misspelling of one kep reads is an error: read as written,
        kep would drop what it declares. A blank one declares nothing (a warning), and so does a
        KEP_ name far from every knob, which may be a newer kep's or the application's own."""
        for name in sorted(self.env):
            shown = name if name.isprintable() else quote(name)
            meant = close_name(name)
            if meant and self.env[name].strip():
                self.problems.append(f"{shown}: not a variable kep reads; did you mean {meant}?")
            elif meant:
                self.warnings.append(f"{shown}: not a variable kep reads; did you mean {meant}? (empty, so ignored)")
            elif is_unknown_knob(name):
                self.warnings.append(f"{shown}: not a variable kep reads (ignored; kep --help lists kep's)")
