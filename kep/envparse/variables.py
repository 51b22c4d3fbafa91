"""The names of the variables kep reads, and which one a misspelt name probably meant.

Variable names appear only here, in cli and in the docs.
"""

from __future__ import annotations

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
DEPENDENCY_TCP = "DEPENDENCY_TCP"
DEPENDENCY_HTTP = "DEPENDENCY_HTTP"
DEPENDENCY_HTTP_JSON = "DEPENDENCY_HTTP_JSON"
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
    DEPENDENCY_TCP,
    DEPENDENCY_HTTP,
    DEPENDENCY_HTTP_JSON,
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
LOCAL_VARIABLES = (DEPENDENCY_SOCKET, DEPENDENCY_CONFIG, DEPENDENCY_TCP, DEPENDENCY_HTTP, DEPENDENCY_HTTP_JSON)
"""Variables whose kinds need no API (and so no namespace)."""


def close_name(name: str, known: tuple[str, ...] = DEPENDENCY_VARIABLES) -> str | None:
    """The known variable that `name` probably meant, or None.

    Names are compared after the prefix (DEPENDENCY_, or a misspelling of it such
    as DEPENDANCY_), with "_" and "-" dropped and case ignored. Close means: a prefix of a known name (DEPENDENCY_POD, _JOB), a
    known name plus "JSON" (DEPENDENCY_SERVICE_JSON), a plural (DEPENDENCY_PODS),
    or a small edit distance (DEPENDENCY_SERVICES, _JOB_JSON, _CUSTOMRESOURCE).
    Unrelated names (DEPENDENCY_FOO_URL, DEPENDENCY_MODE) are not close.
    """
    tail = _tail(name)
    if tail is None or len(tail) < 3:
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


def _tail(name: str) -> str | None:
    """What follows DEPENDENCY_, or a misspelling of it (DEPENDANCY_, DEPENDECY_), squashed;
    None for a name with another prefix."""
    prefix, underscore, _ = name.upper().partition("_")
    if not underscore or _distance(prefix, DEPENDENCY_PREFIX[:-1]) > 2:
        return None
    return _squash(name[len(prefix) + 1:])


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

