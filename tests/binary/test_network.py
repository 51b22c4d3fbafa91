"""The network kinds in the FROM scratch image, with nothing from the host but the network.

The image holds the binary and /tmp only (test_image.py), no CA file, so whatever
verifies a server's certificate travels inside the binary (certifi's CA set) or
is mounted as caFile. The servers run on the host; the container shares its network.
"""

from __future__ import annotations

import io
import json
import socket
import ssl
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest

from tests.binary.conftest import AS_OPENSTACK_HELM, ROOT, Podman, podman_env
from tests.fakeapi.certs import CertAuthority, default_authority
from tests.kinds.test_tcp import needs_ipv6
from tests.netservers import Script, free_port, http_server, listen, write_ca

PUBLIC_HTTPS = ("pypi.org", 443)
"""A public HTTPS host whose certificate only a public CA set verifies."""


# A never-met TLS case waits for one whole attempt of up to 5 s: under qemu, kep's first attempt
# imports requests and loads the CA set, which can outlast the 1 s of KEP_INTERVAL=0.3 (then the
# reason would be "no answer within 1s"), and the thread left behind may crash qemu at exit.
ONE_WHOLE_ATTEMPT = {"KEP_INTERVAL": "5", "KEP_TIMEOUT": "5"}


def options(tmp_path: Path | None = None, /, **env: str) -> list[str]:
    mounts = ["-v", f"{tmp_path}:/ca:ro"] if tmp_path is not None else []
    flags = [*AS_OPENSTACK_HELM, "--network", "host", *mounts]
    for name, value in {"KEP_INTERVAL": "0.3", **env}.items():
        flags += ["-e", f"{name}={value}"]
    return flags


@pytest.fixture
def health() -> Iterator[tuple[str, Script]]:
    """An HTTPS /health that answers 503 once, then 200; and what it was asked."""
    _, pair = default_authority()
    with http_server({"/health": [503, 200]}, tls=pair) as (base, script):
        yield f"{base}/health", script


@pytest.fixture
def https(health: tuple[str, Script]) -> str:
    return health[0]


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    """The right CA and a wrong one, readable by user 65534."""
    write_ca(default_authority()[0], tmp_path / "right.pem")
    write_ca(CertAuthority("another-ca"), tmp_path / "wrong.pem")
    tmp_path.chmod(0o755)
    for item in tmp_path.iterdir():
        item.chmod(0o644)
    return tmp_path


def test_https_with_the_mounted_ca_is_met_then_the_command_runs(podman: Podman, health: tuple[str, Script],
                                                                ca_dir: Path) -> None:
    """The 503 is not met, the 200 after it is. Whether kep logs the 503 depends on the machine:
    under qemu the attempt that got it may have given up first ("no answer within 1s")."""
    https, script = health
    item = json.dumps([{"url": https, "caFile": "/ca/right.pem"}])
    done = podman.run("probe", "exit", "7", options=options(ca_dir, DEPENDENCY_HTTP_JSON=item))
    assert done.returncode == 7, done.stderr
    lines = done.stdout.splitlines()
    met = f"Dependency HTTP {https} is resolved. (answered 200 OK)"
    resolved = [i for i, line in enumerate(lines) if line.endswith(met)]
    assert len(resolved) == 1, done.stdout
    assert len([seen for seen in script.seen if seen.path == "/health"]) >= 2  # the 503 was answered, to kep
    assert all(i < resolved[0] for i, line in enumerate(lines) if "answered 503" in line), done.stdout


def test_https_with_a_wrong_ca_is_never_met(podman: Podman, https: str, ca_dir: Path) -> None:
    item = json.dumps([{"url": https, "caFile": "/ca/wrong.pem"}])
    done = podman.run("probe", "exit", "0", options=options(ca_dir, DEPENDENCY_HTTP_JSON=item, **ONE_WHOLE_ATTEMPT))
    assert done.returncode == 124, done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        f"HTTP {https}: TLS: certificate verify failed: unable to get local issuer certificate")


def test_the_binary_carries_and_loads_its_ca_set(podman: Podman, https: str) -> None:
    """Without caFile kep verifies against the CA set in the binary: it loads (a missing or
    empty one fails before any connection, as an internal error) and does not hold a private CA."""
    done = podman.run("probe", "exit", "0", options=options(DEPENDENCY_HTTP=https, **ONE_WHOLE_ATTEMPT))
    assert done.returncode == 124, done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        f"HTTP {https}: TLS: certificate verify failed: unable to get local issuer certificate")


def test_the_public_ca_set_travels_inside_the_binary(podman: Podman) -> None:
    """What kep verifies against without caFile is the file it unpacked from itself: certifi's
    CA set as the build installed it, in full."""
    name = podman.start("probe", "exit", "0", options=options(DEPENDENCY_TCP="127.0.0.1:1"))
    podman.wait_for_output(name, "Waiting for TCP 127.0.0.1:1")
    done = subprocess.run(["podman", "cp", f"{name}:/tmp", "-"], capture_output=True, timeout=60, env=podman_env())
    assert done.returncode == 0, done.stderr
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        (member,) = [m for m in archive.getmembers() if m.name.endswith("/_internal/certifi/cacert.pem")]
        carried = archive.extractfile(member).read()  # type: ignore[union-attr]
    (built,) = ROOT.glob(f"build/work/{podman.arch}/venv/lib/python3*/site-packages/certifi/cacert.pem")
    assert carried == built.read_bytes()
    assert carried.count(b"-----BEGIN CERTIFICATE-----") > 100


def _public_chain_problem(address: tuple[str, int]) -> str | None:
    """Why this host cannot show a public CA chain from here (unreachable, or TLS intercepted
    by a proxy whose CA only the host trusts), checked with the same certifi set; or None."""
    context = ssl.create_default_context(cafile=certifi.where())
    try:
        with socket.create_connection(address, timeout=5) as raw, context.wrap_socket(raw, server_hostname=address[0]):
            return None
    except ssl.SSLCertVerificationError as error:
        return f"its chain does not verify against certifi's CA set here ({error.verify_message}): TLS intercepted?"
    except OSError as error:
        return f"not reachable ({error})"


def test_https_to_a_public_host_verifies_with_the_binary_ca_set_alone(podman: Podman) -> None:
    problem = _public_chain_problem(PUBLIC_HTTPS)
    if problem:
        pytest.skip(f"{PUBLIC_HTTPS[0]}:{PUBLIC_HTTPS[1]}: {problem}")
    url = f"https://{PUBLIC_HTTPS[0]}/"
    done = podman.run("probe", "exit", "0", options=options(DEPENDENCY_HTTP=url, KEP_TIMEOUT="20"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Dependency HTTP {url} is resolved. (answered 200 OK" in done.stdout


@needs_ipv6
def test_tcp_on_ipv6_loopback(podman: Podman) -> None:
    port = free_port("::1")
    with listen("::1", port):
        done = podman.run("probe", "exit", "0", options=options(DEPENDENCY_TCP=f"[::1]:{port}", KEP_TIMEOUT="5"))
    assert done.returncode == 0, done.stderr
    assert f"Dependency TCP [::1]:{port} is resolved. (connected to ::1)" in done.stdout
