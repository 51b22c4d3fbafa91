"""envparse.typos: which names can only be a misspelling of one kep reads, and which are someone else's."""

from __future__ import annotations

import pytest

from kep.envparse.typos import close_name, closest, is_unknown_knob, slips
from kep.envparse.variables import DEPENDENCY_VARIABLES, KEP_VARIABLES


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("DEPENDENCY_SERVICES", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY_SERVICE_JSON", "DEPENDENCY_SERVICE"),
        ("dependency_service", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY-SERVICE", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY_SERVICE_", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY.SERVICE", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY_SERVICE\u200b", "DEPENDENCY_SERVICE"),  # pasted with a zero-width space
        ("DEPENDENCY_JOB", "DEPENDENCY_JOBS"),
        ("DEPENDENCY_JBOS", "DEPENDENCY_JOBS"),
        ("DEPENDENCY_JOB_JSON", "DEPENDENCY_JOBS_JSON"),
        ("DEPENDENCY_JOBSJSON", "DEPENDENCY_JOBS_JSON"),
        ("DEPENDENCY_POD", "DEPENDENCY_POD_JSON"),
        ("DEPENDENCY_PODS", "DEPENDENCY_POD_JSON"),
        ("DEPENDENCY_PODS_JSON", "DEPENDENCY_POD_JSON"),
        ("DEPENDENCY_DAEMONSETS", "DEPENDENCY_DAEMONSET"),
        ("DEPENDENCY_DAEMON_SET", "DEPENDENCY_DAEMONSET"),
        ("DEPENDENCY_DEAMONSET", "DEPENDENCY_DAEMONSET"),
        ("DEPENDENCY_CONTAINERS", "DEPENDENCY_CONTAINER"),
        ("DEPENDENCY_CUSTOMRESOURCE", "DEPENDENCY_CUSTOM_RESOURCE"),
        ("DEPENDENCY_CUSTOM_RESOURCES", "DEPENDENCY_CUSTOM_RESOURCE"),
        ("DEPENDENCY_CUSTOM_RESORUCES", "DEPENDENCY_CUSTOM_RESOURCE"),
        ("DEPENDENCY_CONFIGS", "DEPENDENCY_CONFIG"),
        ("DEPENDENCY_CONIFG", "DEPENDENCY_CONFIG"),
        ("DEPENDENCY_SOCKETS", "DEPENDENCY_SOCKET"),
        ("DEPENDENCY_SOCKTE", "DEPENDENCY_SOCKET"),
        ("DEPENDENCY_SERVCIE", "DEPENDENCY_SERVICE"),
        ("DEPENDENCY_TCQ", "DEPENDENCY_TCP"),
        ("DEPENDENCY_TCPS", "DEPENDENCY_TCP"),
        ("DEPENDENCY_HTTPS", "DEPENDENCY_HTTP"),
        ("DEPENDENCY_HTTPJSON", "DEPENDENCY_HTTP_JSON"),
        # The prefix misspelt: a common one, one letter left out, two swapped.
        ("DEPENDANCY_SERVICE", "DEPENDENCY_SERVICE"),
        ("DEPEDENCY_JOBS", "DEPENDENCY_JOBS"),
        ("DEPENDNECY_TCP", "DEPENDENCY_TCP"),
        ("dependancy_daemonset", "DEPENDENCY_DAEMONSET"),
        # Knobs.
        ("KEP_TIMOUT", "KEP_TIMEOUT"),
        ("KEP_TIME_OUT", "KEP_TIMEOUT"),
        ("KEP_TIMEOUTS", "KEP_TIMEOUT"),
        ("kep_timeout", "KEP_TIMEOUT"),
        ("KEP_INTERVALL", "KEP_INTERVAL"),
        ("KEP_PROGRESS", "KEP_PROGRESS_INTERVAL"),
        ("KEP_PROGRES_INTERVALL", "KEP_PROGRESS_INTERVAL"),
        ("KEP_FAIL_ON_JOBS_FAILURE", "KEP_FAIL_ON_JOB_FAILURE"),
        ("KEP_FAIL_ON_JOB_FAILURES", "KEP_FAIL_ON_JOB_FAILURE"),
        ("KEP_CONFIGMAP_DIR", "KEP_CONFIGMAPS_DIR"),
        ("KEP_WACTH", "KEP_WATCH"),
        ("KEP_DEBGU", "KEP_DEBUG"),
        ("KEP_STRICT_RABC", "KEP_STRICT_RBAC"),
        ("KEP_LOG", "KEP_LOG_FORMAT"),
        ("KEP_SERVICEACCOUNT_DIR", "KEP_SERVICE_ACCOUNT_DIR"),
        ("KEP_TERMINATION_LGO", "KEP_TERMINATION_LOG"),
        ("KEP_TERMINATION", "KEP_TERMINATION_LOG"),
        ("KEP_TERMINATIONLOG", "KEP_TERMINATION_LOG"),
    ],
)
def test_a_misspelt_name_is_close_to_the_one_it_meant(name: str, meant: str) -> None:
    assert close_name(name) == meant


@pytest.mark.parametrize(
    "name",
    [
        # Known names, and names with another prefix.
        *DEPENDENCY_VARIABLES, *KEP_VARIABLES, "SERVICES", "MY_DEPENDENCY_SERVICES", "DEP_SERVICE",
        "KUBERNETES_SERVICE_HOST", "DEPLOYMENT_NAMESPACE", "_KEP_BUNDLE", "_KEP_SAVED_LD_LIBRARY_PATH",
        "KEEP_TIMEOUT", "KEY_TIMEOUT",
        # Too short, or far from every known name.
        "DEPENDENCY_", "DEPENDENCY_X", "DEPENDENCY_DB", "DEPENDENCY_JSON", "DEPENDENCY_MODE", "DEPENDENCY_FOO_URL",
        "DEPENDANCY_FOO", "DEPENDENCY_SERVER", "DEPENDENCY_TIMEOUT", "DEPENDENCY_POD_NAME",
        # Two slips in a short name are another word, which the application may own.
        "DEPENDENCY_SECRET", "DEPENDENCY_DEVICE", "DEPENDENCY_CONFIGMAP", "DEPENDENCY_TYPE",
        # A known name followed by words of its own.
        "DEPENDENCY_SERVICE_HOST", "DEPENDENCY_SERVICE_URL", "DEPENDENCY_JOBS_TIMEOUT", "DEPENDENCY_CONFIG_DIR",
        "DEPENDENCY_CONTAINER_ID", "DEPENDENCY_HTTP_JSON_FILE", "DEPENDENT_SERVICE_URL",
        # Another word than DEPENDENCY.
        "DEPENDENT_SERVICE", "DEPENDENCIES_SERVICE",
        # What the kubelet sets for Services named dependency, kep and kep-debug.
        "DEPENDENCY_PORT", "DEPENDENCY_SERVICE_PORT", "DEPENDENCY_PORT_80_TCP_ADDR",
        "KEP_PORT", "KEP_SERVICE_HOST", "KEP_DEBUG_SERVICE_HOST", "KEP_DEBUG_PORT",
        # KEP_ names far from every knob (warned of: see below).
        "KEP_LOG_LEVEL", "KEP_TIMEOUT_SECONDS", "KEP_VERBOSE", "KEP_TEST_MARKER",
    ],
)
def test_a_name_kep_reads_or_someone_elses_is_not_close(name: str) -> None:
    assert close_name(name) is None


@pytest.mark.parametrize(
    ("name", "unknown"),
    [
        ("KEP_LOG_LEVEL", True),
        ("KEP_TIMEOUT_SECONDS", True),
        ("KEP_VERBOSE", True),
        ("kep_verbose", True),
        ("KEP_", True),
        # Close to a knob: an error instead (envparse.parser).
        ("KEP_TIMOUT", False),
        # Known.
        *((name, False) for name in KEP_VARIABLES),
        # Service links of Services named kep and kep-api: the kubelet's, not the user's.
        ("KEP_PORT", False),
        ("KEP_SERVICE_HOST", False),
        ("KEP_SERVICE_PORT", False),
        ("KEP_SERVICE_PORT_HTTP_METRICS", False),
        ("KEP_PORT_8080_TCP", False),
        ("KEP_PORT_53_UDP_ADDR", False),
        ("KEP_API_SERVICE_HOST", False),
        # Not kep's namespace: the launcher's, or another prefix.
        ("_KEP_BUNDLE", False),
        ("KEEP_ALIVE", False),
        ("DEPENDENCY_FOO", False),
    ],
)
def test_a_kep_name_far_from_every_knob_is_unknown(name: str, unknown: bool) -> None:
    assert is_unknown_knob(name) is unknown


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [("", "", 0), ("abc", "abc", 0), ("abc", "abd", 1), ("abc", "ab", 1), ("ab", "abc", 1), ("abc", "acb", 1),
     ("servcie", "service", 1), ("secret", "socket", 2), ("ca", "abc", 3), ("", "abc", 3)],
)
def test_slips_count_a_swap_of_neighbours_as_one(a: str, b: str, count: int) -> None:
    assert slips(a, b) == count
    assert slips(b, a) == count


@pytest.mark.parametrize(
    ("word", "meant"),
    [("chek", "check"), ("chekc", "check"), ("Check", "check"), ("rbca", "rbac"), ("rback", "rbac"),
     ("chuck", "check"), ("sleep", None), ("CHECK", None), ("ch", None)],
)
def test_closest_of_the_subcommands(word: str, meant: str | None) -> None:
    assert closest(word, ("check", "rbac")) == meant


def test_closest_allows_two_slips_in_a_long_word() -> None:
    assert closest("CUSTOMRESORUCES", ["CUSTOMRESOURCE"]) == "CUSTOMRESOURCE"
    assert closest("CONTIANERS", ["CONTAINER"]) is None
