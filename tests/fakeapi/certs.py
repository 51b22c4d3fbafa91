"""A throw-away certificate authority for the fake API server (test code only).

One CA per process is enough (and keeps tests fast): `default_authority()` makes it once.
Keys are EC P-256: quick to generate, understood by OpenSSL, Go and Python.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class KeyPair:
    cert_pem: bytes
    key_pem: bytes

    def write(self, cert_path: str | Path, key_path: str | Path) -> tuple[str, str]:
        Path(cert_path).write_bytes(self.cert_pem)
        kp = Path(key_path)
        kp.write_bytes(self.key_pem)
        kp.chmod(0o600)
        return str(cert_path), str(key_path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class CertAuthority:
    """A self-signed CA that issues server and client certificates."""

    def __init__(self, common_name: str = "fake-kube-apiserver-ca") -> None:
        now = _dt.datetime.now(_dt.timezone.utc)
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        self._name = name
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(hours=1))
            .not_valid_after(now + _dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_pem: bytes = self._cert.public_bytes(serialization.Encoding.PEM)
        self.key_pem: bytes = _key_pem(self._key)

    def _issue(self, subject: x509.Name, eku: list, sans: list | None) -> KeyPair:
        now = _dt.datetime.now(_dt.timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(hours=1))
            .not_valid_after(now + _dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(self._key, hashes.SHA256())
        return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))

    def issue_server(self, hosts: tuple[str, ...] = SERVER_HOSTS) -> KeyPair:
        sans: list[x509.GeneralName] = []
        for h in hosts:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(h)))
            except ValueError:
                sans.append(x509.DNSName(h))
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")])
        return self._issue(subject, [ExtendedKeyUsageOID.SERVER_AUTH], sans)

    def issue_client(self, cn: str, groups: tuple[str, ...] | list[str] = ()) -> KeyPair:
        """A client certificate as kube-apiserver reads it: user = CN, groups = O (one per group)."""
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
        return self._issue(x509.Name(attrs), [ExtendedKeyUsageOID.CLIENT_AUTH], None)


_default: CertAuthority | None = None
_default_server: KeyPair | None = None
_lock = threading.Lock()


def default_authority() -> tuple[CertAuthority, KeyPair]:
    """The process-wide CA and its 127.0.0.1/::1/localhost serving certificate (made once)."""
    global _default, _default_server
    with _lock:
        if _default is None:
            _default = CertAuthority()
            _default_server = _default.issue_server()
        assert _default_server is not None
        return _default, _default_server
