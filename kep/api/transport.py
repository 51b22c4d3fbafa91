"""The connection to the API server: TLS verified against the configured CA only, the
client certificate kept in memory, one connection pool, proxies as client-go takes them;
and, when the connection fails, one short line saying why.

Nothing here knows a Kubernetes request: kep.api.client sends through `adapter()`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import ssl
import tempfile
from collections.abc import Iterator
from typing import Any

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from kep import neterrors
from kep.api.clusterconfig import ClusterConfig
from kep.errors import ConfigError

log = logging.getLogger(__name__)

POOL_SIZE = 128
"""Connections kept per host: each open watch holds one, so keep room for many sources."""


def adapter(config: ClusterConfig) -> requests.adapters.HTTPAdapter:
    """The pool every request goes through: TLS as `ssl_context` sets it up for https://
    servers (with one warning when verification is off), plain for http://."""
    if not config.server.startswith("https://"):
        return requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=0)
    if config.insecure_skip_tls_verify:
        log.warning("%s: insecure-skip-tls-verify is set: the API server's certificate is NOT verified", config.source)
        import warnings

        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    return TLSAdapter(ssl_context(config), config.tls_server_name)


def proxies(config: ClusterConfig) -> dict[str, str]:
    """The kubeconfig's proxy-url, else HTTPS_PROXY/NO_PROXY from the environment, as client-go."""
    if config.proxy_url:
        return {"https": config.proxy_url, "http": config.proxy_url}
    return dict(requests.utils.get_environ_proxies(config.server.rstrip("/")))


def ssl_context(config: ClusterConfig) -> ssl.SSLContext:
    """Verification against the configured CA only; the client certificate in memory."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    what = "certificate authority"
    try:
        if config.insecure_skip_tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif config.ca_data:
            ctx.load_verify_locations(cadata=config.ca_data.decode("ascii", "replace"))
        elif config.ca_file:
            ctx.load_verify_locations(cafile=config.ca_file)
        else:
            ctx.load_default_certs()
        what = "client certificate"
        if config.client_cert_data or config.client_key_data:
            _load_cert_data(ctx, config)
        elif config.client_cert_file:
            ctx.load_cert_chain(config.client_cert_file, config.client_key_file)
    except (ssl.SSLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or str(e)
        raise ConfigError([f"{config.source}: cannot load the {what}: {reason}"]) from None
    return ctx


def _load_cert_data(ctx: ssl.SSLContext, config: ClusterConfig) -> None:
    """`load_cert_chain` wants paths: write private temporary files, load, delete at once."""
    tmp = tempfile.mkdtemp(prefix="kep-")
    try:
        paths = []
        for name, data, path in (
            ("cert.pem", config.client_cert_data, config.client_cert_file),
            ("key.pem", config.client_key_data, config.client_key_file),
        ):
            if data is None:
                paths.append(path)
                continue
            full = os.path.join(tmp, name)
            fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            paths.append(full)
        ctx.load_cert_chain(paths[0] or "", paths[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class TLSAdapter(requests.adapters.HTTPAdapter):
    """Uses our SSLContext for every connection and never requests' CA bundle."""

    def __init__(self, ctx: ssl.SSLContext, server_hostname: str | None) -> None:
        self._ctx = ctx
        self._server_hostname = server_hostname
        self._cert_reqs = "CERT_NONE" if ctx.verify_mode == ssl.CERT_NONE else "CERT_REQUIRED"
        super().__init__(pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=0)

    def build_connection_pool_key_attributes(  # type: ignore[override]
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[Any, dict[str, Any]]:
        host_params, _ = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs: dict[str, Any] = {"ssl_context": self._ctx, "cert_reqs": self._cert_reqs}
        if self._server_hostname:
            pool_kwargs["server_hostname"] = self._server_hostname
            pool_kwargs["assert_hostname"] = self._server_hostname
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        if url.lower().startswith("https"):
            conn.cert_reqs = self._cert_reqs
            conn.ca_certs = None
            conn.ca_cert_dir = None
            conn.cert_file = None
            conn.key_file = None


def describe(exc: BaseException, server: str, timeout: tuple[float, float]) -> str:
    """One short line for a transport failure (no URL query, no headers)."""
    if isinstance(exc, requests.exceptions.SSLError):
        for e in neterrors.chain(exc):
            if isinstance(e, ssl.SSLCertVerificationError):
                return f"TLS verification of {server} against the configured CA failed: {e.verify_message}"
            if type(e).__name__ == "CertificateError":  # urllib3's own host name check
                return f"TLS verification of {server} failed: {e}"
        for e in neterrors.chain(exc):
            if isinstance(e, ssl.SSLError):
                return f"TLS handshake with {server} failed: {neterrors.why(e)}"
        return f"TLS handshake with {server} failed"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"{server}: no connection within {timeout[0]:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"{server}: no answer within {timeout[1]:g} s"
    for e in neterrors.chain(exc):
        if isinstance(e, socket.gaierror):
            return f"{server}: cannot resolve the host name ({e.strerror})"
        if isinstance(e, ConnectionRefusedError):
            return f"{server}: connection refused"
        if isinstance(e, OSError) and e.strerror:
            return f"{server}: {e.strerror}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{server}: the answer was cut off"
    return f"{server}: {type(exc).__name__}"


def lines(resp: requests.Response) -> Iterator[bytes]:
    """Lines of a streamed body as they arrive (chunk by chunk, never waiting to fill a buffer)."""
    raw = resp.raw
    chunks: Iterator[bytes]
    if getattr(raw, "chunked", False) and raw.supports_chunked_reads():
        chunks = raw.stream(None, decode_content=True)
    else:
        chunks = iter(lambda: raw.read1(65536, decode_content=True), b"")
    pending = b""
    for chunk in chunks:
        pending += chunk
        while (nl := pending.find(b"\n")) >= 0:
            line, pending = pending[:nl].strip(), pending[nl + 1 :]
            if line:
                yield line
    if pending.strip():
        yield pending.strip()
