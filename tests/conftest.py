"""Every test starts from an environment without kep's or Kubernetes' variables.

Session fixtures shared across directories (the image, the real cluster) are registered here,
and the tests on the real cluster are moved to the end of the run.

Markers, set here from what a test uses (`make check` runs neither):
- `real`: needs a real part: the real cluster or kube-apiserver, the one-file binary or its
  image, qemu;
- `slow`: waits in real time or runs other programs: kep as a process for seconds of its
  intervals, the reference programs (the Go entrypoint, kubectl), pip, or half a second or
  more of a timeout (SLOW).

The run ends with one line saying which real parts ran (RealParts), counted from the tests
that passed, never from what was configured: a part whose tests were all skipped reads "no",
with the skip's reason. Where the full cluster is required (KEP_REQUIRE_CLUSTER=1 or CI=true,
tests/cluster/session.py), a run that selected its tests and passed none fails.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cluster.session import HOST_ENV, cluster_required, real_api  # noqa: F401  (the session's real cluster)
from tests.kepimage import kep_image  # noqa: F401  (the session's image, for tests/binary and tests/cluster)
from tests.run import kill_started

TESTS = Path(__file__).resolve().parent
CLUSTER_TESTS = TESTS / "cluster"
BINARY_TESTS = TESTS / "binary"
_PREFIXES = ("DEPENDENCY_", "KUBE", "KEP_")
_NAMES = {"NAMESPACE", "POD_NAME", "INTERFACE_NAME", "COMMAND"}

ALL = None
SLOW_SECONDS = 1.0
"""A test that takes this long and is not marked is named at the end of the run."""
SLOW: dict[str, set[str] | None] = {
    # kep as a process against servers: each test waits seconds of kep's intervals
    "test_waiting_on_api.py": ALL,
    "test_waiting_on_status.py": ALL,
    "test_waiting_on_network.py": ALL,
    "test_never_early.py": ALL,
    "test_process.py": ALL,
    "test_job_states.py": ALL,
    # the reference programs: the Go entrypoint in network namespaces (it sleeps 2 s after each
    # check), kubectl on each kubeconfig case
    "test_config_reference.py": ALL,
    "api/test_kubeconfig_kubectl.py": ALL,
    # pip builds a wheel of the tree
    "test_source_tree.py": ALL,
    # half a second or more of a timeout, a bookmark, a relist or a slow answer
    "fakeapi/test_watch.py": {"test_bookmarks", "test_compacted_resource_version_is_410_error_event",
                              "test_timeout_seconds_ends_stream_cleanly"},
    "fakeapi/test_faults.py": {"test_counts_and_requests", "test_slow"},
    "fakeapi/test_auth.py": {"test_rules"},
    "api/test_client_fake.py": {"test_listwatch_relists_after_compaction",
                                "test_listwatch_relists_on_a_410_error_event",
                                "test_listwatch_reports_a_forbidden_list_and_recovers_when_granted"},
    "kinds/test_http.py": {"test_no_reason_ever_holds_a_credential", "test_server_that_never_answers_times_out"},
    "kinds/test_tcp.py": {"test_connection_that_neither_opens_nor_is_refused_times_out"},
    "test_log.py": {"test_json_timeout_and_failure_lines_name_their_dependency"},
    "test_kubeconfig_outside_a_cluster.py": {"test_a_merged_list_with_the_contexts_namespace_and_an_exec_plugin"},
    "test_preflight.py": {"test_a_read_rbac_does_not_allow_is_named_with_the_rule_to_add_and_kep_keeps_waiting"},
    "test_rbac.py": {"test_kep_runs_with_exactly_the_printed_rbac_and_nothing_is_forbidden"},
    "test_podevents.py": {"test_kep_records_its_wait_on_its_pod_in_order_with_the_role_kep_rbac_events_prints",
                          "test_without_the_right_kep_waits_as_before_and_says_so_once"},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real: needs a real part (cluster, kube-apiserver, binary, image, qemu)")
    config.addinivalue_line("markers", "slow: waits in real time or runs other programs (SLOW in tests/conftest.py)")
    config.addinivalue_line("markers", "reproducibility: the reproducibility build (a real part)")
    host_env: dict[str, str] = dict(os.environ)
    config.stash[HOST_ENV] = host_env  # before tests blank KEP_*: session fixtures may start later
    config.pluginmanager.register(RealParts(cluster_required(host_env)), "kep-real-parts")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)
    yield
    kill_started()  # a kep the test left running (it failed before finish)


def _param(item: pytest.Item, name: str) -> object:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec is not None else None


def _fixtures(item: pytest.Item) -> set[str]:
    return set(getattr(item, "fixturenames", ()))


def _uses_real_cluster(item: pytest.Item) -> bool:
    return item.path.is_relative_to(CLUSTER_TESTS) or _param(item, "api_server") == "real"


def _is_real(item: pytest.Item) -> bool:
    return (_uses_real_cluster(item) or item.path.is_relative_to(BINARY_TESTS)
            or bool(_fixtures(item) & {"real_api", "real_api_server", "kep_image"}))


def _is_slow(item: pytest.Item) -> bool:
    """Named in SLOW; a name there that its module no longer defines is warned of."""
    module = item.path.relative_to(TESTS).as_posix() if item.path.is_relative_to(TESTS) else ""
    if module not in SLOW:
        return False
    names = SLOW[module]
    if names is ALL:
        return True
    stale = {name for name in names if not hasattr(getattr(item, "module", None), name)}
    if stale:
        warnings.warn(f"SLOW in tests/conftest.py names what tests/{module} does not define: {sorted(stale)}",
                      stacklevel=1)
    return getattr(item, "originalname", item.name) in names


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers before -m selects; the tests on the real cluster run last, together: it is up
    only for them, never under the timing tests."""
    for item in items:
        if _is_real(item):
            item.add_marker(pytest.mark.real)
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_uses_real_cluster)


@dataclass(frozen=True)
class Part:
    """A real part: which tests exercise it. It ran when one of them passed."""

    name: str
    has: Callable[[pytest.Item], bool]


FULL_CLUSTER = Part("full cluster", lambda item: "kube" in _fixtures(item))
API_SERVER = Part("real API server", lambda item: _uses_real_cluster(item) or "real_api" in _fixtures(item))
def _runs_the_image_in_a_pod(item: pytest.Item) -> bool:
    """On the full cluster, and kep_image asked for by the test or a fixture of its own (`kube`
    loads the image for every test, also those that run no pod of it)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or "kube" not in _fixtures(item):
        return False
    return "kep_image" in info.argnames or any(
        "kep_image" in defs[-1].argnames for name, defs in info.name2fixturedefs.items() if name != "kube" and defs)


REPORTED = (
    Part("kep's image in a real pod", _runs_the_image_in_a_pod),
    Part("arm64 under qemu", lambda item: _param(item, "arch") == "arm64"),
    Part("reproducibility build", lambda item: item.get_closest_marker("reproducibility") is not None),
)


def _short(reason: str, limit: int = 200) -> str:
    reason = " ".join(reason.split()).removeprefix("Skipped: ")
    return reason if len(reason) <= limit else reason[:limit - 1] + "…"


class RealParts:
    """A plugin: the outcome of each selected test of a real part, and the run's last line."""

    def __init__(self, cluster_required: bool) -> None:
        self.cluster_required = cluster_required
        self.parts: dict[str, list[Part]] = {}
        self.reports: dict[str, list[pytest.TestReport]] = {}
        self.failure: str | None = None
        self.unmarked_slow: list[str] = []

    def outcome(self, nodeid: str) -> tuple[str, str]:
        """(passed | failed | skipped | not run, the skip's reason): passed only when the test's
        setup, call and teardown all passed."""
        reports = self.reports.get(nodeid, [])
        if any(r.failed for r in reports):
            return "failed", ""
        for r in reports:
            if r.skipped:
                return "skipped", _short(str(r.longrepr[2] if isinstance(r.longrepr, tuple) else r.longrepr))
        if any(r.when == "call" and r.passed for r in reports):
            return "passed", ""
        return "not run", ""

    def tally(self, part: Part) -> tuple[dict[str, int], list[str]]:
        """How many of the part's tests had each outcome, and the skips' reasons."""
        counts: dict[str, int] = {}
        reasons: list[str] = []
        for nodeid, parts in self.parts.items():
            if part in parts:
                outcome, reason = self.outcome(nodeid)
                counts[outcome] = counts.get(outcome, 0) + 1
                if reason and reason not in reasons:
                    reasons.append(reason)
        return counts, reasons

    def says(self, part: Part) -> tuple[bool, str]:
        """(ran, "12 passed, 1 skipped" or why not: the first skip's reason)."""
        counts, reasons = self.tally(part)
        listed = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        if not counts:
            return False, "not selected"
        return bool(counts.get("passed")), listed + (f": {reasons[0]}" if reasons and not counts.get("passed") else "")

    def line(self) -> str:
        full, full_why = self.says(FULL_CLUSTER)
        api, api_why = self.says(API_SERVER)
        if full:
            cluster = f"full ({full_why})"
        elif api:
            cluster = f"API server only (full cluster: {full_why})"
        else:
            cluster = f"none ({api_why})"
        parts = [f"cluster: {cluster}"]
        for part in REPORTED:
            ran, why = self.says(part)
            parts.append(f"{part.name}: {'yes' if ran else 'NO'} ({why})")
        return "Real parts: " + "; ".join(parts)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            parts = [part for part in (FULL_CLUSTER, API_SERVER, *REPORTED) if part.has(item)]
            if parts:
                self.parts[item.nodeid] = parts

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid in self.parts:
            self.reports.setdefault(report.nodeid, []).append(report)
        if report.when == "call" and report.duration >= SLOW_SECONDS and not {"slow", "real"} & set(report.keywords):
            self.unmarked_slow.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.unmarked_slow:
            terminalreporter.write_line(f"took {SLOW_SECONDS:g} s or more and not marked slow (make check runs them; "
                                        f"SLOW in tests/conftest.py): {', '.join(self.unmarked_slow)}", yellow=True)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Where the full cluster is required, a run that selected its tests and passed none
        fails, whatever skipped them."""
        counts, reasons = self.tally(FULL_CLUSTER)
        if self.cluster_required and counts and not counts.get("passed"):
            why = "; ".join(reasons) or ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
            self.failure = ("the full cluster is required here (KEP_REQUIRE_CLUSTER=1 or CI=true) and none of "
                            f"its tests passed: {why}")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The run's last line (after pytest's own summary): which real parts ran."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None or config.option.collectonly:
            return
        if self.failure:
            reporter.write_line(f"FAILED: {self.failure}", red=True, bold=True)
        reporter.write_line(self.line(), bold=True)
