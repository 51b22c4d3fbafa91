"""http: met on the expected status, redirects followed, TLS verified; no credential in any
reason. Against real local servers (tests/netservers.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kep.kinds import http
from kep.specs import Http, Settings
from kep.verdict import State, met, pending
from tests.fakeapi.certs import CertAuthority, default_authority
from tests.kinds.test_tcp import needs_ipv6
from tests.netservers import free_port, http_server, silent, write_ca

FAST = Settings(interval=1.0)
SECRETS = ("s3cret", "tok3n")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests reads proxies from the environment: these tests talk to local servers directly."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[CertAuthority, Path]:
    ca, _ = default_authority()
    return ca, Path(write_ca(ca, tmp_path_factory.mktemp("ca") / "ca.pem"))


@pytest.fixture
def https() -> Iterator[str]:
    _, server = default_authority()
    with http_server({"/health": [200]}, tls=server) as (base, _):
        yield base


def check(spec: Http) -> tuple[State, str]:
    verdict = http.check(spec, FAST)
    return verdict.state, verdict.reason


def test_503_then_200() -> None:
    with http_server({"/health": [503, 200]}) as (base, script):
        assert check(Http(f"{base}/health")) == (State.PENDING, "answered 503 Service Unavailable (expected 2xx)")
        assert check(Http(f"{base}/health")) == (State.MET, "answered 200 OK")
        assert [seen.method for seen in script.seen] == ["GET", "GET"]


def test_any_2xx_is_met_by_default_and_other_codes_are_not() -> None:
    with http_server({"/a": [204], "/b": [299], "/c": [404], "/d": [301]}) as (base, _):
        assert check(Http(f"{base}/a"))[0] is State.MET
        assert check(Http(f"{base}/b")) == (State.MET, "answered 299")
        assert check(Http(f"{base}/c")) == (State.PENDING, "answered 404 Not Found (expected 2xx)")
        assert check(Http(f"{base}/d")) == (State.PENDING, "answered 301 Moved Permanently (expected 2xx)")


def test_statuses_replace_the_2xx_rule() -> None:
    with http_server({"/a": [200], "/b": [503]}) as (base, _):
        assert check(Http(f"{base}/a", statuses=frozenset({204}))) == (
            State.PENDING, "answered 200 OK (expected 204)")
        assert check(Http(f"{base}/b", statuses=frozenset({503, 200}))) == (
            State.MET, "answered 503 Service Unavailable")


def _chain(hops: int) -> dict[str, list]:
    routes: dict[str, list] = {f"/r{n}": [(302, {"Location": f"/r{n - 1}"})] for n in range(1, hops + 1)}
    routes["/r0"] = [200]
    return routes


def test_redirect_chain_is_followed_up_to_five() -> None:
    with http_server(_chain(5)) as (base, script):
        assert check(Http(f"{base}/r5")) == (State.MET, f"answered 200 OK at {base}/r0 after 5 redirects")
        assert [seen.path for seen in script.seen] == ["/r5", "/r4", "/r3", "/r2", "/r1", "/r0"]


def test_more_than_five_redirects_is_not_met() -> None:
    with http_server(_chain(6)) as (base, _):
        assert check(Http(f"{base}/r6")) == (State.PENDING, "more than 5 redirects")


def test_redirect_target_is_shown_masked() -> None:
    with http_server({"/": [(307, {"Location": "/next?token=tok3n"})], "/next": [503]}) as (base, _):
        assert check(Http(f"{base}/")) == (
            State.PENDING, f"answered 503 Service Unavailable at {base}/next?*** after 1 redirect (expected 2xx)")


def test_headers_are_sent_and_never_shown() -> None:
    required = {"Authorization": "Bearer s3cret"}
    with http_server({"/": [200]}, required_headers=required) as (base, script):
        assert check(Http(f"{base}/")) == (State.PENDING, "answered 401 Unauthorized (expected 2xx)")
        assert check(Http(f"{base}/", headers=(("Authorization", "Bearer s3cret"),))) == (State.MET, "answered 200 OK")
        assert script.seen[-1].headers["User-Agent"].startswith("kep/")


def test_method_is_sent() -> None:
    with http_server({"/": [200]}) as (base, script):
        assert check(Http(f"{base}/", method="HEAD"))[0] is State.MET
        assert script.seen[-1].method == "HEAD"


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_shown() -> None:
    port = free_port()
    spec = Http(f"http://user:s3cret@127.0.0.1:{port}/x?token=tok3n")
    assert check(spec) == (State.PENDING, "connection refused")
    with http_server({"/x": [200]}, required_headers={"Authorization": "Basic dXNlcjpzM2NyZXQ="}) as (base, _):
        assert check(Http(base.replace("//", "//user:s3cret@") + "/x?token=tok3n")) == (State.MET, "answered 200 OK")


@needs_ipv6
def test_ipv6_loopback() -> None:
    with http_server({"/": [200]}, host="::1") as (base, _):
        assert base.startswith("http://[::1]:")
        assert check(Http(f"{base}/")) == (State.MET, "answered 200 OK")


def test_https_with_the_right_ca_is_met(https: str, authority: tuple[CertAuthority, Path]) -> None:
    assert check(Http(f"{https}/health", ca_file=str(authority[1]))) == (State.MET, "answered 200 OK")


def test_https_with_a_wrong_ca_is_never_met(https: str, tmp_path: Path) -> None:
    wrong = write_ca(CertAuthority("another-ca"), tmp_path / "other.pem")
    assert check(Http(f"{https}/health", ca_file=wrong)) == (
        State.PENDING, "TLS: certificate verify failed: unable to get local issuer certificate")


def test_https_with_the_bundled_cas_does_not_trust_a_private_ca(https: str) -> None:
    assert check(Http(f"{https}/health")) == (
        State.PENDING, "TLS: certificate verify failed: unable to get local issuer certificate")


def test_https_insecure_skips_verification(https: str, recwarn: pytest.WarningsRecorder) -> None:
    assert check(Http(f"{https}/health", insecure=True)) == (State.MET, "answered 200 OK")
    assert not [w for w in recwarn if "Unverified" in str(w.message)]


def test_https_to_a_plain_http_server_says_so_in_words() -> None:
    """OpenSSL's WRONG_VERSION_NUMBER is the answer of a plain-HTTP port: said as such."""
    with http_server({"/": [200]}) as (base, _):
        host_port = base.removeprefix("http://")
        assert check(Http(f"https://u:s3cret@{host_port}/?token=tok3n")) == (
            State.PENDING, f"TLS handshake with {host_port} failed: the server answered without TLS "
                           "(a plain-HTTP port? is the URL's scheme right?)")


def test_a_server_that_closes_during_the_handshake_says_so() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        closer = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
        closer.start()
        assert check(Http(f"https://127.0.0.1:{port}/")) == (
            State.PENDING, f"TLS handshake with 127.0.0.1:{port} failed: the server closed the connection")
        closer.join()


def test_missing_ca_file_is_waited_for(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    assert check(Http("https://127.0.0.1:1/", ca_file=str(missing))) == (
        State.PENDING, f"caFile {missing} does not exist (or is not a file)")


def test_server_that_never_answers_times_out() -> None:
    with silent() as port:
        assert check(Http(f"http://127.0.0.1:{port}/")) == (State.PENDING, "no answer within 1s")


def test_name_that_does_not_resolve_says_so() -> None:
    state, reason = check(Http("http://nonexistent.invalid/?token=tok3n"))
    assert state is State.PENDING and reason.startswith("cannot resolve nonexistent.invalid: ")


def test_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with http_server({"*": [200]}) as (proxy, script):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        assert check(Http("http://only-via-proxy.invalid/health")) == (State.MET, "answered 200 OK")
        assert script.seen[-1].path == "http://only-via-proxy.invalid/health"
        monkeypatch.setenv("NO_PROXY", "only-via-proxy.invalid")
        assert check(Http("http://only-via-proxy.invalid/health"))[1].startswith("cannot resolve")


def test_no_reason_ever_holds_a_credential() -> None:
    port = free_port()
    with silent() as quiet, http_server({"/": [(302, {"Location": "http://u:s3cret@127.0.0.1:1/?tok3n"})]}) as (base, _):
        urls = [f"http://u:s3cret@127.0.0.1:{port}/?token=tok3n", f"http://u:s3cret@127.0.0.1:{quiet}/?tok3n",
                f"http://u:s3cret@nonexistent.invalid/?tok3n", f"{base}/?token=tok3n"]
        for url in urls:
            verdict = http.check(Http(url, headers=(("X-Key", "s3cret"),)), FAST)
            assert verdict.state is State.PENDING
            assert not any(secret in verdict.reason for secret in SECRETS), verdict.reason
