"""DEPENDENCY_CONFIG, kep against the real Go reference: the same bytes, mode and owner.

The reference (airshipit/kubernetes-entrypoint, ../shared/cluster/bin, unpacked once per
session) reads its templates from /configmaps/<name>/<name>, fixed, and will not start without
an in-cluster configuration, so it runs chrooted into a directory holding itself, the
templates and a service-account token (it never calls the API for config dependencies). Both
run in one network namespace, whose interface has the addresses a case chooses, with the same
hostname (`unshare -u`), and render the same templates; kep reads them from that directory
with KEP_CONFIGMAPS_DIR. The reference sleeps 2 s after each check, so each case runs it
once for every template at the same time.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import stat
from pathlib import Path

import pytest

from tests.namespaces import NetworkNamespace, needs_root, network_namespace, run_with_mounts
from tests.run import KEP

pytestmark = needs_root

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "cluster" / "bin"
HOSTNAME = "kep-ref-host"
INTERFACE = "veth0"

TEMPLATES = {
    "crlf.conf": b"[DEFAULT]\r\nmy_ip = {{ .IP }}\r\nhost = {{ .HOSTNAME }}\r\n",
    "latin1.conf": "# café {{ .HOSTNAME }}\nété = {{ .IP }}\n".encode("latin-1") + b"\xff\xfe\x00 bytes\n",
    "no-newline.conf": b"listen = {{ .IP }}:5672",
    "empty.conf": b"",
    "trim.conf": (b"a \t\r\n{{- .IP -}} \r\n b|{{ .IP }}  {{- .HOSTNAME }}|{{ .IP -}}\n\n|x\x0c{{- .IP -}}\x0b|"
                  b"{{.IP}}{{\t.IP\n}}{{-\t.HOSTNAME\t-}}  end\n"),
    "large.conf": b"".join(b"line %d: {{ .IP }} caf\xe9 {{- .HOSTNAME -}} \r\n" % n for n in range(100_000)),
}
ERLANG = {"erlang.conf": b"[{kernel, [{inet_dist_use_interface, { {{ .IP_ERLANG }} }}]}].\n"}
ERLANG_CONF = b"[{kernel, [{inet_dist_use_interface, { %s }}]}].\n"


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference binary, unpacked and checked against SHA256SUMS."""
    binary = tmp_path_factory.mktemp("reference") / "kubernetes-entrypoint"
    binary.write_bytes(lzma.decompress((REFERENCE / "kubernetes-entrypoint-ref.xz").read_bytes()))
    expected = (REFERENCE / "SHA256SUMS").read_text().split("kubernetes-entrypoint-ref\n")[0].split()[-1]
    assert hashlib.sha256(binary.read_bytes()).hexdigest() == expected
    binary.chmod(0o755)
    return binary


def _root(reference: Path, tmp_path: Path, templates: dict[str, bytes]) -> Path:
    """The reference's filesystem: itself, /configmaps/<name>/<name>, a token, /out."""
    root = tmp_path / "root"
    account = root / "var" / "run" / "secrets" / "kubernetes.io" / "serviceaccount"
    account.mkdir(parents=True)
    (account / "token").write_text("unused\n")
    os.link(reference, root / "kubernetes-entrypoint")
    for name, text in templates.items():
        (root / "configmaps" / name).mkdir(parents=True)
        (root / "configmaps" / name / name).write_bytes(text)
    (root / "out").mkdir()
    (tmp_path / "kep-out").mkdir()
    return root


def _as_host(argv: list[str]) -> list[str]:
    return ["unshare", "-u", "sh", "-c", 'hostname "$0" && exec "$@"', HOSTNAME, *argv]


def _run_both(namespace: NetworkNamespace, root: Path, names: list[str], interface: str = INTERFACE,
              mounts: list[list[str]] | None = None) -> str:
    """Render every template with the reference (into root/out) and kep (into ../kep-out),
    each after `mounts` in a private mount namespace; returns kep's stdout."""
    base = {"PATH": os.environ["PATH"], "INTERFACE_NAME": interface}
    ref_env = {**base, "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "1",
               "DEPENDENCY_CONFIG": ",".join(f"/out/{name}" for name in names)}
    kep_env = {**base, "KEP_CONFIGMAPS_DIR": str(root / "configmaps"),
               "DEPENDENCY_CONFIG": ",".join(str(root.parent / "kep-out" / name) for name in names)}
    ref = run_with_mounts(mounts or [], namespace.command(*_as_host(["chroot", str(root), "/kubernetes-entrypoint"])),
                          env=ref_env)
    assert ref.returncode == 0, ref.stdout + ref.stderr
    kep = run_with_mounts(mounts or [], namespace.command(*_as_host(KEP)), env=kep_env)
    assert kep.returncode == 0, kep.stdout + kep.stderr
    return kep.stdout


def _written(root: Path, name: str) -> tuple[bytes, bytes]:
    """(the reference's file, kep's file) for one template."""
    return (root / "out" / name).read_bytes(), (root.parent / "kep-out" / name).read_bytes()


@pytest.mark.parametrize(("addresses", "ip"), [
    (["10.20.30.40/24", "fd00::1/64"], "10.20.30.40"),
    (["10.9.9.9/24 label veth0:1"], "10.9.9.9"),
])
def test_ipv4_renders_the_references_bytes(reference, tmp_path, addresses, ip):
    root = _root(reference, tmp_path, {**TEMPLATES, **ERLANG})
    with network_namespace() as namespace:
        namespace.veth(INTERFACE, *addresses)
        _run_both(namespace, root, [*TEMPLATES, *ERLANG])
    for name in [*TEMPLATES, *ERLANG]:
        ref, kep = _written(root, name)
        assert kep == ref, name
    assert _written(root, "no-newline.conf")[1] == f"listen = {ip}:5672".encode()
    assert _written(root, "erlang.conf")[1] == ERLANG_CONF % ip.replace(".", ",").encode()


@pytest.mark.parametrize(("setup", "ip", "erlang"), [
    (["fd00::1/64"], "fd00::1", "64768,0,0,0,0,0,0,1"),
    (["fd00::1/64", "2001:db8::1:0:0:1/64"], "2001:db8::1:0:0:1", "8193,3512,0,0,1,0,0,1"),
    ([], "fe80::ff:fe00:1", "65152,0,0,0,0,255,65024,1"),
    (["fd00::1 peer fd00::2"], "fd00::1", "64768,0,0,0,0,0,0,1"),
    ("tun", "fd00::1", "64768,0,0,0,0,0,0,1"),
], ids=["ipv6-only", "newest-global-first", "link-local-only", "peer-on-veth", "peer-on-point-to-point"])
def test_ipv6_renders_the_references_bytes_but_an_erlang_tuple(reference, tmp_path, setup, ip, erlang):
    """The first address in Go's order, IPv6 included (a link-local-only interface gives fe80::);
    IP_ERLANG is where kep differs: the reference writes the IPv6 text, no Erlang term."""
    root = _root(reference, tmp_path, {**TEMPLATES, **ERLANG})
    with network_namespace() as namespace:
        if setup == "tun":
            namespace.ip("tuntap", "add", "mode", "tun", "tun0")
            namespace.add_addresses("tun0", "fd00::1 peer fd00::2")
            _run_both(namespace, root, [*TEMPLATES, *ERLANG], interface="tun0")
        else:
            namespace.veth(INTERFACE, *setup)
            _run_both(namespace, root, [*TEMPLATES, *ERLANG])
    for name in TEMPLATES:
        ref, kep = _written(root, name)
        assert kep == ref, name
    assert _written(root, "no-newline.conf")[1] == f"listen = {ip}:5672".encode()
    ref_erlang, kep_erlang = _written(root, "erlang.conf")
    assert ref_erlang == ERLANG_CONF % ip.encode()
    assert kep_erlang == ERLANG_CONF % erlang.encode()


def test_existing_and_new_files_get_the_references_mode_owner_and_group(reference, tmp_path):
    """os.Create: an existing file keeps its mode, owner and group; a new one is 0666 less the umask."""
    root = _root(reference, tmp_path, {"new.conf": b"{{ .IP }}\n", "existing.conf": b"{{ .IP }}\n"})
    for existing in (root / "out" / "existing.conf", tmp_path / "kep-out" / "existing.conf"):
        existing.write_text("old content, longer than the new\n")
        os.chown(existing, 1234, 5678)
        existing.chmod(0o604)
    with network_namespace() as namespace:
        namespace.veth(INTERFACE, "10.20.30.40/24")
        _run_both(namespace, root, ["new.conf", "existing.conf"])
    for name, expected in [("new.conf", (0o644, 0, 0)), ("existing.conf", (0o604, 1234, 5678))]:
        ref, kep = (root / "out" / name).stat(), (tmp_path / "kep-out" / name).stat()
        assert (stat.S_IMODE(kep.st_mode), kep.st_uid, kep.st_gid) == expected, name
        assert (stat.S_IMODE(ref.st_mode), ref.st_uid, ref.st_gid) == expected, name
        assert _written(root, name) == (b"10.20.30.40\n", b"10.20.30.40\n")


def test_a_mount_point_destination_is_written_in_place_by_both_and_kep_says_so(reference, tmp_path):
    """A subPath volume: kep cannot rename onto it (EBUSY), so it truncates it as the reference does."""
    root = _root(reference, tmp_path, {"app.conf": TEMPLATES["crlf.conf"]})
    volumes = {}
    for side, target in [("ref", root / "out" / "app.conf"), ("kep", tmp_path / "kep-out" / "app.conf")]:
        volumes[side] = tmp_path / f"{side}-volume"
        volumes[side].write_text("old content, longer than the new\n")
        target.write_text("")
    mounts = [["--bind", str(volumes["ref"]), str(root / "out" / "app.conf")],
              ["--bind", str(volumes["kep"]), str(tmp_path / "kep-out" / "app.conf")]]
    with network_namespace() as namespace:
        namespace.veth(INTERFACE, "10.20.30.40/24")
        said = _run_both(namespace, root, ["app.conf"], mounts=mounts)
    target = tmp_path / "kep-out" / "app.conf"
    assert f"(written in place: {target} is a mount point)" in said
    assert volumes["kep"].read_bytes() == volumes["ref"].read_bytes()
    assert volumes["kep"].read_bytes() == b"[DEFAULT]\r\nmy_ip = 10.20.30.40\r\nhost = kep-ref-host\r\n"
