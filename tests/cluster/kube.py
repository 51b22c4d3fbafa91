"""The real single-node cluster (../shared/cluster/kube-cluster), driven from tests and bench.

`kube-cluster` is the only way in: it starts and stops the cluster and loads images;
kubectl (with the admin kubeconfig it names) reads and writes objects. Each method
says what it waits for, and waits on an event (kubectl wait, a watch), never a sleep.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KUBE_CLUSTER = Path(os.environ.get("KEP_KUBE_CLUSTER", ROOT.parent / "shared" / "cluster" / "kube-cluster"))


class ClusterError(AssertionError):
    """A cluster command failed: its command line and output say why."""


RACES = 5
"""How often `apply` runs again after losing a race with a controller."""


def run_script(*args: str, env: Mapping[str, str] | None = None, timeout: float = 300) -> str:
    """`kube-cluster ARGS`: its stdout; ClusterError with the output on failure.

    `env`: the KEP_CLUSTER_* settings taken when the cluster came up (tests blank KEP_* later).
    """
    done = subprocess.run([str(KUBE_CLUSTER), *args], capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise ClusterError(f"kube-cluster {' '.join(args)}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def parse_env(text: str) -> dict[str, str]:
    """The `export NAME=VALUE` lines of `kube-cluster env`."""
    env = {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


def parse_time(stamp: str) -> datetime:
    """An RFC 3339 time from the API server, kubectl or containerd (nanoseconds cut to microseconds)."""
    stamp = stamp.replace("Z", "+00:00")
    head, dot, tail = stamp.partition(".")
    if dot:
        zone = tail.lstrip("0123456789")
        digits = tail[:len(tail) - len(zone)]
        stamp = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.fromisoformat(stamp)


@dataclass(frozen=True)
class Kube:
    """A running cluster: where kubectl, the API server and the audit log are."""

    env: Mapping[str, str]
    host_env: Mapping[str, str]
    """The environment `up` ran with, for every later `kube-cluster` command."""
    full_problem: str | None
    """Why only the API server runs (`up --api-only`), or None for the full cluster."""
    audit_start: int
    """Where this cluster's requests begin in the audit log, which earlier clusters appended to."""
    started: float
    """When this cluster came up (time.time()): a rotated audit log written since is this cluster's."""

    @classmethod
    def running(cls, host_env: Mapping[str, str], full_problem: str | None) -> "Kube":
        env = parse_env(run_script("env", env=host_env))
        audit_log = Path(env["KEP_CLUSTER_AUDIT_LOG"])
        return cls(env, host_env, full_problem, audit_log.stat().st_size if audit_log.exists() else 0, time.time())

    def script(self, *args: str, timeout: float = 300) -> str:
        return run_script(*args, env=self.host_env, timeout=timeout)

    @property
    def server(self) -> str:
        return self.env["KEP_CLUSTER_SERVER"]

    @property
    def ca_file(self) -> str:
        return self.env["KEP_CLUSTER_CA"]

    @property
    def node(self) -> str:
        return self.env["KEP_CLUSTER_NODE"]

    @property
    def audit_log(self) -> Path:
        return Path(self.env["KEP_CLUSTER_AUDIT_LOG"])

    def kubectl(self, *args: str, stdin: str | None = None, timeout: float = 120, check: bool = True) -> str:
        """kubectl with the admin kubeconfig: its stdout."""
        done = subprocess.run([self.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.env["KUBECONFIG"], *args],
                              input=stdin, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise ClusterError(f"kubectl {' '.join(args)}: exit {done.returncode}\n{done.stderr[-3000:]}")
        return done.stdout

    def apply(self, objects: Iterable[Mapping[str, Any]]) -> None:
        """Create or update the objects, in order (server-side apply would hide conflicts we want to see).

        kubectl reads each object, then creates or patches it: a controller that creates or
        updates it in between (the `default` service account, an Endpoints, a lease) makes
        that step fail with AlreadyExists or Conflict. Applied again, kubectl reads it anew.
        """
        document = json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)})
        for attempt in range(1, RACES + 1):
            try:
                self.kubectl("apply", "-f", "-", stdin=document)
                return
            except ClusterError as e:
                if attempt == RACES or not any(race in str(e) for race in ("(AlreadyExists)", "(Conflict)")):
                    raise

    def ensure(self, objects: Iterable[Mapping[str, Any]]) -> None:
        """Create the objects that do not exist; one that does (made meanwhile by a controller,
        or earlier) is left as it is. For what a real controller may make too, such as a
        namespace's `default` service account (`up --api-only` runs no controllers)."""
        document = json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)})
        done = subprocess.run([self.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.env["KUBECONFIG"], "create",
                               "-f", "-"], input=document, capture_output=True, text=True, timeout=120)
        errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
        if done.returncode != 0 and (not errors or not all("(AlreadyExists)" in line for line in errors)):
            raise ClusterError(f"kubectl create: exit {done.returncode}\n{done.stderr[-3000:]}")

    @contextmanager
    def namespace(self, name: str) -> Iterator[str]:
        """A namespace for one test or module, deleted afterwards without waiting (`down` wipes the rest).

        Ready once the service-account controller has made its `default` account: pods need one.
        """
        self.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}])
        self.wait(name, "create", "serviceaccount/default")
        try:
            yield name
        finally:
            self.kubectl("delete", "namespace", name, "--wait=false", check=False)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        ns = ("-n", namespace) if namespace else ()
        return dict(json.loads(self.kubectl("get", kind, name, *ns, "-o", "json")))

    def wait(self, namespace: str, condition: str, *target: str, timeout: float = 90) -> None:
        """`kubectl wait --for=CONDITION TARGET...` (a watch); ClusterError with the namespace's state on timeout."""
        done = subprocess.run([self.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.env["KUBECONFIG"], "-n", namespace,
                               "wait", f"--for={condition}", *target, f"--timeout={int(timeout)}s"],
                              capture_output=True, text=True, timeout=timeout + 30)
        if done.returncode != 0:
            state = self.kubectl("-n", namespace, "get", "pods,jobs", "-o", "wide", check=False)
            events = self.kubectl("-n", namespace, "get", "events", "--sort-by=.lastTimestamp", check=False)
            raise ClusterError(f"{' '.join(target)} never reached {condition}: {done.stderr.strip()}\n{state}\n{events[-3000:]}")

    def watch_pod(self, namespace: str, pod: str, jsonpath: str, timeout: float = 90) -> str:
        """Follow the pod (`kubectl get --watch`) until JSONPATH gives something: that value."""
        cmd = [self.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.env["KUBECONFIG"], "-n", namespace, "get", "pod",
               pod, "--watch", f"--request-timeout={int(timeout)}s", "-o", f'jsonpath={jsonpath}{{"\\n"}}']
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
            assert proc.stdout is not None
            try:
                for line in proc.stdout:
                    if line.strip():
                        return line.strip()
            finally:
                proc.kill()
        raise ClusterError(f"{namespace}/{pod}: {jsonpath} still empty after {timeout} s\n"
                           + self.kubectl("-n", namespace, "get", "pod", pod, "-o", "yaml", check=False))

    def init_exit_code(self, namespace: str, pod: str, timeout: float = 90) -> int:
        """Wait until the pod's last init container (kep) has ended: its exit code."""
        return int(self.watch_pod(namespace, pod, "{.status.initContainerStatuses[-1:].state.terminated.exitCode}", timeout))

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        return list(json.loads(self.kubectl("-n", namespace, "get", "pods", "-l", selector, "-o", "json"))["items"])

    def logs(self, namespace: str, pod: str, container: str) -> list[tuple[datetime, str]]:
        """The container's log lines with the times the runtime took them (nanoseconds, cut to microseconds)."""
        out = self.kubectl("-n", namespace, "logs", pod, "-c", container, "--timestamps")
        lines = []
        for line in out.splitlines():
            stamp, _, text = line.partition(" ")
            lines.append((parse_time(stamp), text))
        return lines

    def audit(self, username: str) -> list[dict[str, Any]]:
        """The audit events (one per request, at its last stage) of one user, e.g. a service account."""
        events = []
        for path, start in self._audit_files():
            with path.open() as f:
                f.seek(start)
                for line in f:
                    if f'"{username}"' not in line:
                        continue
                    event = json.loads(line)
                    if event["user"]["username"] == username:
                        events.append(event)
        return events

    def _audit_files(self) -> list[tuple[Path, int]]:
        """(file, offset) holding this cluster's requests, oldest first. The API server
        rotates its audit log at 200 MB (keeping one backup, `audit-<time>.log`), and the
        log outlives clusters: a backup written since this cluster started begins with it."""
        rotated = sorted(p for p in self.audit_log.parent.glob(f"{self.audit_log.stem}-*{self.audit_log.suffix}")
                         if p.stat().st_mtime >= self.started)
        if not rotated:
            return [(self.audit_log, self.audit_start)]
        return [(rotated[0], self.audit_start), *((p, 0) for p in rotated[1:]), (self.audit_log, 0)]

    def follow(self, namespace: str, pod: str, *needles: str, timeout: float = 120) -> None:
        """Return once the pod's init container `init` (kep, the last one) has logged a line with each needle.

        `kubectl logs -f`: no polling; it ends by itself when the container does.
        """
        self.watch_pod(namespace, pod, "{.status.initContainerStatuses[-1:].state.running}"
                                       "{.status.initContainerStatuses[-1:].state.terminated}", timeout)
        cmd = [self.env["KEP_CLUSTER_KUBECTL"], "--kubeconfig", self.env["KUBECONFIG"], "-n", namespace, "logs", "-f",
               pod, "-c", "init", f"--request-timeout={int(timeout)}s"]
        missing, seen = set(needles), []
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
            assert proc.stdout is not None
            try:
                for line in proc.stdout:
                    seen.append(line)
                    missing = {needle for needle in missing if needle not in line}
                    if not missing:
                        return
            finally:
                proc.kill()
        raise ClusterError(f"{namespace}/{pod} init never logged {sorted(missing)}:\n{''.join(seen[-20:])}")


def container_status(pod: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The status of one container (init, sidecar or main) of a pod object."""
    status = pod["status"]
    for item in [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]:
        if item["name"] == name:
            return dict(item)
    raise KeyError(f"pod {pod['metadata']['name']} has no status for container {name}")


def condition_time(obj: Mapping[str, Any], kind: str) -> datetime:
    """When a True condition of an object (pod, job, deployment) last changed."""
    for cond in obj["status"].get("conditions", []):
        if cond["type"] == kind and cond["status"] == "True":
            return parse_time(cond["lastTransitionTime"])
    raise KeyError(f"{obj['metadata']['name']} has no {kind}=True condition: {obj['status'].get('conditions')}")
