"""kep and the Go kubernetes-entrypoint side by side, as the init container of a real pod.

    sudo .venv/bin/python bench/cluster.py [--image localhost/kep:latest]    (or `make bench-cluster`)

Brings the real cluster up (../shared/cluster/kube-cluster; down again at the end, always),
loads kep's image, then runs OpenStack-Helm's sequence (tests/cluster/sequence.py: Job,
Service of a Deployment, DaemonSet, custom resource patched last) once per entrypoint:
the reference (localhost/kep-ref:latest, loaded by `up`) and kep under helm-toolkit's
get/list Role, and kep with watch granted. Figures, all from one run:

- ready to exec: from the status patch that met the last dependency (the API server's
  audit stageTimestamp) to the init container's exit (containerd's /tasks/exit event),
  and to its last log line (as the runtime stamped it: the decision, before any clean-up);
- API requests: the entrypoint's service account in the audit log, start to exit, and per
  second of that time (containerd's /tasks/start and /tasks/exit events);
- memory: the init container's memory cgroup (v1) while it waits for the last dependency:
  peak usage (memory.max_usage_in_bytes: page cache included, charged to whichever
  container read a file first, so it varies from run to run) and RSS (memory.stat).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster import manifests as m  # noqa: E402
from tests.cluster.kube import Kube, container_status, parse_time, run_script  # noqa: E402
from tests.cluster.sequence import Sequence, run_sequence  # noqa: E402

MEMORY_CGROUPS = Path("/sys/fs/cgroup/memory")


@dataclass
class Figures:
    ready_to_exec_ms: float
    last_line_ms: float
    ran_s: float
    requests: Counter[str]
    peak_mib: float
    rss_mib: float


class Tasks:
    """containerd's task start and exit events (`ctr events`), by container id, as they happen."""

    def __init__(self, kube: Kube) -> None:
        socket = Path(kube.env["KUBECONFIG"]).parents[1] / "containerd" / "containerd.sock"
        self._proc = subprocess.Popen(["ctr", "--address", str(socket), "-n", "k8s.io", "events"],
                                      stdout=subprocess.PIPE, text=True)
        self._times: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            for topic in ("/tasks/start", "/tasks/exit"):
                if f" {topic} " in line:
                    stamp, payload = line.split(" +0000 UTC ", 1)[0], json.loads(line.split(f" {topic} ", 1)[1])
                    when = parse_time(payload["exited_at"]) if topic == "/tasks/exit" else parse_time(
                        stamp.replace(" ", "T") + "Z")
                    with self._lock:
                        self._times[(topic, payload["container_id"])] = when

    def time(self, topic: str, container_id: str) -> datetime:
        with self._lock:
            return self._times[(topic, container_id)]

    def stop(self) -> None:
        self._proc.kill()
        self._proc.wait()


def container_id(pod: dict[str, Any]) -> str:
    return str(container_status(pod, "init")["containerID"]).split("://", 1)[1]


def memory_while_waiting(pod: dict[str, Any], into: dict[str, float]) -> None:
    """The init container's cgroup: peak usage and current RSS, in MiB."""
    [cgroup] = MEMORY_CGROUPS.glob(f"**/{container_id(pod)}")
    stat = dict(line.split() for line in (cgroup / "memory.stat").read_text().splitlines())
    into["peak"] = int((cgroup / "memory.max_usage_in_bytes").read_text()) / 2**20
    into["rss"] = int(stat["total_rss"]) / 2**20


def measure(kube: Kube, tasks: Tasks, ns: str, image: str, watch: bool) -> Figures:
    memory: dict[str, float] = {}
    with kube.namespace(ns):
        seq: Sequence = run_sequence(kube, ns, image, watch=watch, waiting=lambda pod: memory_while_waiting(pod, memory))
    started, exited = (tasks.time(topic, container_id(seq.pod)) for topic in ("/tasks/start", "/tasks/exit"))
    ready_ms = (exited - seq.met["custom resource"]).total_seconds() * 1000
    last_line_ms = (seq.logs[-1][0] - seq.met["custom resource"]).total_seconds() * 1000
    return Figures(ready_ms, last_line_ms, (exited - started).total_seconds(),
                   Counter(e["verb"] for e in seq.requests if e["stage"] == "ResponseComplete"), memory["peak"], memory["rss"])


def rate(f: Figures) -> float:
    return sum(f.requests.values()) / f.ran_s


def report(results: dict[str, Figures]) -> None:
    base = results["reference (get/list)"]
    print(f"{'entrypoint':<22}{'ready to exec':>14}{'last line':>11}{'ran':>8}{'peak memory':>14}{'RSS waiting':>13}"
          "  API requests")
    for label, f in results.items():
        verbs = ", ".join(f"{n} {v}" for v, n in sorted(f.requests.items()))
        print(f"{label:<22}{f.ready_to_exec_ms:>11.0f} ms{f.last_line_ms:>8.0f} ms{f.ran_s:>6.1f} s{f.peak_mib:>10.1f} MiB"
              f"{f.rss_mib:>9.1f} MiB"
              f"  {sum(f.requests.values())} = {rate(f):.1f}/s ({verbs})")
    print("\nratios kep / reference (one run):")
    for label, f in results.items():
        if f is not base:
            print(f"  {label:<22} ready to exec x{f.ready_to_exec_ms / base.ready_to_exec_ms:.2f}, "
                  f"API requests/s x{rate(f) / rate(base):.2f}, "
                  f"peak memory x{f.peak_mib / base.peak_mib:.2f}, RSS x{f.rss_mib / base.rss_mib:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="localhost/kep:latest", help="kep's image, in podman (make image)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench/cluster.py: kube-cluster needs root", file=sys.stderr)
        return 2
    host_env = dict(os.environ)
    run_script("down", env=host_env)
    try:
        run_script("up", env=host_env, timeout=600)
        kube = Kube.running(host_env, None)
        kube.script("load-image", args.image)
        kube.apply([m.crd()])
        kube.kubectl("wait", "--for=condition=Established", f"crd/{m.CRD_PLURAL}.{m.CRD_GROUP}")
        tasks = Tasks(kube)
        try:
            results = {
                "reference (get/list)": measure(kube, tasks, "bench-reference", m.REFERENCE_IMAGE, watch=False),
                "kep (get/list)": measure(kube, tasks, "bench-kep", args.image, watch=False),
                "kep (watch granted)": measure(kube, tasks, "bench-kep-watch", args.image, watch=True),
            }
        finally:
            tasks.stop()
    finally:
        run_script("down", env=host_env)
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
