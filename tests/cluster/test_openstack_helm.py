"""kep as OpenStack-Helm's init container, in a real pod, waiting for what real controllers do.

The sequence (tests/cluster/sequence.py) runs twice: under helm-toolkit's get/list Role
(kep polls) and with watch granted. The main container must start only after all four
dependencies are met; kep reads them with the pod's own projected token.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.cluster.kube import Kube, container_status, parse_time
from tests.cluster.sequence import POD, Sequence, run_sequence

NS_POLLED, NS_WATCHED = "osh-polled", "osh-watched"

@pytest.fixture(scope="module")
def polled(kube: Kube, kep_image: str) -> Iterator[Sequence]:
    """The sequence under helm-toolkit's Role: get and list, no watch."""
    with kube.namespace(NS_POLLED) as ns:
        yield run_sequence(kube, ns, kep_image, watch=False)


@pytest.fixture(scope="module")
def watched(kube: Kube, kep_image: str) -> Iterator[Sequence]:
    """The sequence with watch granted too."""
    with kube.namespace(NS_WATCHED) as ns:
        yield run_sequence(kube, ns, kep_image, watch=True)


def resolved_lines(seq: Sequence) -> list[tuple[datetime, str]]:
    return [(t, text) for t, text in seq.logs if " is resolved." in text]


@pytest.mark.parametrize("run", ["polled", "watched"])
def test_main_starts_only_after_every_dependency_is_met(run: str, request: pytest.FixtureRequest) -> None:
    """Real timestamps: job completion, pods' Ready, the operator's patch <= kep's exit 0 <= main's start."""
    seq: Sequence = request.getfixturevalue(run)
    assert "running" in container_status(seq.before, "init")["state"], "kep ended before the custom resource was met"
    assert "waiting" in container_status(seq.before, "main")["state"], "main started before the custom resource was met"
    init = container_status(seq.pod, "init")["state"]["terminated"]
    assert (init["exitCode"], init["reason"]) == (0, "Completed"), init
    main_started = parse_time(container_status(seq.pod, "main")["state"]["running"]["startedAt"])
    finished = parse_time(init["finishedAt"])
    for dependency, when in seq.met.items():  # the pod's timestamps have one-second resolution
        assert main_started >= finished >= when.replace(microsecond=0), f"{dependency} met at {when}, init ended {finished}"
    texts = [text for _, text in seq.logs]
    for dependency in ("Service mariadb", "Job db-init", "Daemonset ovs-agent", "Database keystone-db"):
        assert any(f"Dependency {dependency} " in t for _, t in resolved_lines(seq)), (dependency, texts)
    assert texts[-1].endswith("All dependencies are resolved; no command given, exiting."), texts
    resolved_cr = next(t for t, text in resolved_lines(seq) if "Database keystone-db" in text)
    patch_received = parse_time(seq.patched["requestReceivedTimestamp"])
    assert resolved_cr >= patch_received, "kep said the custom resource was met before it was"


@pytest.mark.parametrize("run", ["polled", "watched"])
def test_kep_reads_with_the_token_projected_into_its_pod(run: str, request: pytest.FixtureRequest) -> None:
    """No test-only credential: every request carries the kubelet's token bound to this very pod."""
    seq: Sequence = request.getfixturevalue(run)
    pod_names = {tuple(e["user"].get("extra", {}).get("authentication.kubernetes.io/pod-name", [])) for e in seq.requests}
    assert pod_names == {(POD,)}, pod_names
    assert {e["userAgent"].split("/")[0] for e in seq.requests} == {"kep"}


def collection(event: dict[str, Any]) -> tuple[str, ...]:
    """A request's collection: path and selectors, without the watch's own parameters; a get is its name's."""
    url = urlsplit(event["requestURI"])
    keep = sorted(f"{k}={v}" for k, v in parse_qsl(url.query) if k in ("labelSelector", "fieldSelector"))
    if event["verb"] == "get":
        return (url.path.rsplit("/", 1)[0], f"fieldSelector=metadata.name={event['objectRef']['name']}")
    return (url.path, *keep)


def object_requests(seq: Sequence) -> list[dict[str, Any]]:
    """kep's requests for objects (discovery requests have no resource)."""
    return [e for e in seq.requests if e.get("objectRef", {}).get("resource")]


def reads(seq: Sequence) -> dict[tuple[str, ...], list[datetime]]:
    """When kep read each collection (successful get and list), in order."""
    times: dict[tuple[str, ...], list[datetime]] = {}
    for e in object_requests(seq):
        if e["verb"] in ("get", "list") and e["responseStatus"]["code"] == 200:
            times.setdefault(collection(e), []).append(parse_time(e["requestReceivedTimestamp"]))
    return {key: sorted(when) for key, when in times.items()}


def test_without_watch_kep_polls_each_collection_once_per_interval(polled: Sequence) -> None:
    """Watch not granted: after the first check, one read per collection per KEP_INTERVAL (2 s), and once
    the last dependency is met, at most one poll and one confirming re-read of each (issue 10: all met
    at the same moment)."""
    texts = [text for _, text in polled.logs]
    assert any("polling" in t and "every 2s" in t for t in texts), texts
    assert not [e for e in object_requests(polled) if e["verb"] == "watch" and e["responseStatus"]["code"] == 200]
    polls = reads(polled)
    assert len(polls) >= 6, polls  # endpoints, endpointslices, job, daemonset + its pods, custom resource (+ own pod)
    patched = polled.met["custom resource"]
    for key, when in polls.items():
        before = [t for t in when if t < patched]
        gaps = [(b - a).total_seconds() for a, b in zip(before[1:], before[2:])]
        assert all(gap >= 1.5 for gap in gaps), (key, before)
        assert len(when) - len(before) <= 2, (key, when[len(before):])
    assert max(len(when) for when in polls.values()) >= 3, "the test never saw kep poll"


def test_without_watch_kep_reads_its_own_pod_once(polled: Sequence) -> None:
    own = (f"/api/v1/namespaces/{NS_POLLED}/pods", f"fieldSelector=metadata.name={POD}")
    assert len(reads(polled)[own]) == 1, reads(polled)[own]


def test_with_watch_kep_execs_on_the_write_that_met_the_last_dependency(watched: Sequence) -> None:
    """stageTimestamp of the operator's status patch (audit log) vs kep's last line (container runtime).

    The watch event can reach kep a little before the API server stamps the response complete, never
    before it received the write. That the event, not a read, told kep is the next test's (one list
    per collection); the bound here leaves a loaded machine room (4 ms measured on an idle one,
    bench/cluster.py).
    """
    done = next(t for t, text in watched.logs if "All dependencies are resolved" in text)
    assert done >= parse_time(watched.patched["requestReceivedTimestamp"]), (watched.patched, done)
    assert done - watched.met["custom resource"] < timedelta(seconds=1), (watched.patched["stageTimestamp"], done)


def test_with_watch_kep_makes_one_list_and_one_watch_per_collection(watched: Sequence) -> None:
    """Besides its RBAC preflight (one SelfSubjectRulesReview), kep only lists and watches; its own pod
    (read for its node, which never changes) may be listed once and not watched."""
    requests = object_requests(watched)
    reads = [e for e in requests if e["verb"] in ("get", "list", "watch")]
    assert all(e["responseStatus"]["code"] == 200 for e in reads), [e["requestURI"] for e in reads]
    lists = Counter(collection(e) for e in reads if e["verb"] == "list")
    watches = Counter(collection(e) for e in reads if e["verb"] == "watch" and e["stage"] == "ResponseStarted")
    own_pod = (f"/api/v1/namespaces/{NS_WATCHED}/pods", f"fieldSelector=metadata.name={POD}")
    assert len(lists) >= 6 and set(lists.values()) == {1}, lists
    assert set(watches.values()) == {1} and set(lists) - set(watches) <= {own_pod}, (watches, lists)
    assert not [e["requestURI"] for e in reads if e["verb"] == "get"]
    others = Counter((e["verb"], e["objectRef"]["resource"]) for e in requests if e not in reads)
    assert set(others) <= {("create", "selfsubjectrulesreviews")} and max(others.values(), default=0) <= 1, others


@pytest.mark.parametrize("run", ["polled", "watched"])
def test_each_dependency_is_announced_resolved_once(run: str, request: pytest.FixtureRequest) -> None:
    """Even when the reason changes while it stays met (a Service read from Endpoints, then EndpointSlices)."""
    seq: Sequence = request.getfixturevalue(run)
    resolved = Counter(text.split("Dependency ", 1)[1].split(" is resolved.")[0] for _, text in resolved_lines(seq))
    assert len(resolved) == 4 and set(resolved.values()) == {1}, resolved
