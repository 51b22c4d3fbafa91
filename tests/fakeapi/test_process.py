"""The fake API server as a separate process (`python -m tests.fakeapi`), driven over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fakeapi._http import Api

ROOT = Path(__file__).resolve().parents[2]


class _Remote:
    """What Api needs from a server: url and ca_file."""

    def __init__(self, state: Path) -> None:
        self.url = (state / "url").read_text().strip()
        self.ca_file = str(state / "ca.crt")
        self.admin_token = (state / "admin-token").read_text().strip()


@pytest.fixture
def remote(tmp_path: Path):
    state = tmp_path / "state"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakeapi", "--port", "0", "--state-dir", str(state),
         "--crd", "example.com/v1/Widget/widgets", "--crd", "example.com/v1/Gadget/gadgets/cluster",
         "--bookmark-interval", "0.2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 15
    while not (state / "ready").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"fake API server did not start: {proc.communicate()}")
        time.sleep(0.02)
    try:
        yield proc, state, _Remote(state)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_separate_process(remote) -> None:
    proc, state, server = remote
    assert server.url.startswith("https://127.0.0.1:")
    assert (state / "pid").read_text().strip() == str(proc.pid)
    admin = Api(server, server.admin_token)  # type: ignore[arg-type]

    # Objects over the normal REST verbs.
    r = admin.post("/api/v1/namespaces/default/pods", {"metadata": {"name": "db-0", "labels": {"app": "db"}}})
    assert r.status_code == 201
    assert admin.patch("/api/v1/namespaces/default/pods/db-0/status",
                       {"status": {"phase": "Running"}}).json()["status"]["phase"] == "Running"
    assert admin.post("/apis/example.com/v1/gadgets", {"metadata": {"name": "g"}}).status_code == 201
    # Objects with status in one step, like the Python create().
    r = admin.post("/_fake/objects", {"apiVersion": "batch/v1", "kind": "Job",
                                      "metadata": {"name": "init", "namespace": "default"},
                                      "status": {"succeeded": 1}})
    assert r.status_code == 201 and r.json()["status"] == {"succeeded": 1}

    # Tokens with rules.
    tok = admin.post("/_fake/tokens", {"user": "kep", "rules": [
        {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"], "namespaces": ["default"]}]})
    assert tok.status_code == 201
    limited = Api(server, tok.json()["token"])  # type: ignore[arg-type]
    assert limited.get("/api/v1/namespaces/default/pods/db-0").status_code == 200
    assert limited.get("/apis/batch/v1/namespaces/default/jobs/init").status_code == 403
    assert limited.get("/_fake/counts").status_code == 403  # control API: admin token only

    # Watch, faults, counts, compaction, drop.
    w = limited.watch("/api/v1/namespaces/default/pods", resourceVersion="0")
    assert w.take(1)[0]["object"]["metadata"]["name"] == "db-0"
    state_doc = admin.get("/_fake/state").json()
    assert state_doc["openWatches"] == 1
    assert admin.post("/_fake/drop-watches", {}).json() == {"dropped": 1}
    assert not isinstance(w.next(), dict)

    assert admin.post("/_fake/faults", {"verb": "get", "resource": "pods", "code": 429, "retryAfter": 2,
                                        "times": 1}).status_code == 201
    r = limited.get("/api/v1/namespaces/default/pods/db-0")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    counts = admin.get("/_fake/counts").json()
    by = {(c["verb"], c["resource"]): c["count"] for c in counts["counts"]}
    assert by[("get", "pods")] == 2 and by[("watch", "pods")] == 1 and by[("patch", "pods/status")] == 1
    assert admin.delete("/_fake/counts").status_code == 200
    assert admin.get("/_fake/counts").json()["total"] == 0  # /_fake/ requests are never counted
    reqs = admin.get("/_fake/requests").json()["requests"]
    assert reqs and {"method", "path", "query", "user_agent", "user", "verb", "resource"} <= set(reqs[0])

    old = state_doc["resourceVersion"]
    admin.post("/api/v1/namespaces/default/pods", {"metadata": {"name": "db-1"}})
    rv = admin.post("/_fake/compact", {}).json()["resourceVersion"]
    assert int(rv) > int(old)
    w = admin.watch("/api/v1/namespaces/default/pods", resourceVersion=old)
    assert w.next()["object"]["reason"] == "Expired"

    certs = admin.post("/_fake/client-certs", {"cn": "bob"}).json()
    (state / "bob.crt").write_text(certs["cert"])
    (state / "bob.key").write_text(certs["key"])
    bob = Api(server, cert=(str(state / "bob.crt"), str(state / "bob.key")))  # type: ignore[arg-type]
    assert bob.get("/api/v1/pods").status_code == 200

    # The kubeconfig it writes works.
    import yaml

    cfg = yaml.safe_load((state / "kubeconfig").read_text())
    assert cfg["users"][0]["user"]["token"] == server.admin_token

    # SIGTERM: clean exit, ready marker gone.
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not (state / "ready").exists()
    with pytest.raises(requests.exceptions.ConnectionError):
        admin.get("/api", timeout=2)


def test_bad_crd_option(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "tests.fakeapi", "--state-dir", str(tmp_path), "--crd", "nope"],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "group/version/Kind/plural" in r.stderr


def test_control_api_json_shapes(fake_api) -> None:
    admin = Api(fake_api, fake_api.admin_token)
    assert admin.post("/_fake/slow", {"verb": "list", "resource": "pods", "seconds": 0.01}).status_code == 201
    assert admin.delete("/_fake/faults").status_code == 200
    assert admin.post("/_fake/faults", {"verb": "list"}).status_code == 201  # resource defaults to "*"
    assert admin.get("/api/v1/pods").status_code == 500
    r = admin.post("/_fake/slow", {"verb": "list"})  # seconds is required
    assert r.status_code == 400 and "seconds" in r.json()["message"]
    assert admin.get("/_fake/nothing").status_code == 404
    assert json.loads(admin.put("/_fake/objects", {"apiVersion": "v1", "kind": "Endpoints",
                                                   "metadata": {"name": "e", "namespace": "default"}}).text
                      )["kind"] == "Endpoints"  # endpoints may be created by update
