"""The Reporter's listener hears what the log says, as data: the start, then per update which
dependencies joined or left the pending set or failed, and every unmet line."""

from __future__ import annotations

from collections.abc import Sequence

from kep.engine.report import Reporter
from kep.specs import Job, Service
from kep.verdict import Verdict, failed, met, pending

JOB = Job(name="db-sync", namespace="openstack")
SERVICE = Service(name="db", namespace="openstack")


class Heard:
    """What a listener was told, in order."""

    def __init__(self) -> None:
        self.said: list[tuple[str, object]] = []

    def waiting(self, dependencies: Sequence[str]) -> None:
        self.said.append(("waiting", list(dependencies)))

    def heard(self, turned: Sequence[tuple[str, Verdict]], unmet: Sequence[str]) -> None:
        self.said.append(("heard", ([(who, v.state.name) for who, v in turned], list(unmet))))


def test_the_listener_hears_turns_of_the_pending_set_and_every_unmet_line() -> None:
    heard = Heard()
    reporter = Reporter((JOB, SERVICE), 30.0, 0.0, listener=heard)
    job, service = str(JOB), str(SERVICE)
    reporter.update({JOB: pending("not complete"), SERVICE: pending("0 of 1 ready")}, 1.0)
    reporter.update({JOB: pending("1 of 3 succeeded"), SERVICE: met("1 of 1 ready")}, 2.0)
    reporter.update({JOB: failed("BackoffLimitExceeded"), SERVICE: pending("0 of 1 ready")}, 3.0)
    reporter.update({JOB: failed("BackoffLimitExceeded (again)"), SERVICE: pending("0 of 1 ready")}, 4.0)
    assert heard.said == [
        ("waiting", [job, service]),
        ("heard", ([], [f"{job}: not complete", f"{service}: 0 of 1 ready"])),
        ("heard", ([(service, "MET")], [f"{job}: 1 of 3 succeeded"])),
        ("heard", ([(job, "FAILED"), (service, "PENDING")], [f"{job}: BackoffLimitExceeded", f"{service}: 0 of 1 ready"])),
        ("heard", ([], [f"{job}: BackoffLimitExceeded (again)", f"{service}: 0 of 1 ready"])),
    ]
