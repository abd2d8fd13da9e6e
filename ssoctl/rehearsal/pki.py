"""Generate throw-away keys and certificates for tests and fixtures.

Nothing here is secret: every key is generated on the spot (or by ``fixtures/make_fixtures.py``)
and exists only to exercise ssoctl. Dates are explicit so fixtures and tests never rot.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

#: A fixed "now" for fixtures: certificates made with it are valid 2026-01-01 .. 2036-01-01.
FIXTURE_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key (65537 exponent)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@lru_cache(maxsize=8)
def cached_rsa_key(label: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per ``label`` per process: keeps test suites fast."""
    return rsa_key(bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def okta_name(org: str = "dev-12345678") -> x509.Name:
    """A subject shaped like the one on Okta's app signing certificates."""
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okta"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "SSOProvider"),
        x509.NameAttribute(NameOID.COMMON_NAME, org),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "info@okta.com"),
    ])


def simple_name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate(key, subject: x509.Name, *, not_before: dt.datetime = FIXTURE_EPOCH,
                days: int = 3650, issuer: x509.Name | None = None, issuer_key=None,
                serial: int | None = None, hash_alg: hashes.HashAlgorithm | None = None,
                ca: bool = False) -> x509.Certificate:
    """Build a certificate for ``key``; self-signed unless ``issuer_key`` is given.

    ``hash_alg`` defaults to SHA-256 (pass ``hashes.SHA1()`` to make a weak one).
    """
    signer = issuer_key or key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signer, hash_alg or hashes.SHA256())  # type: ignore[arg-type]


def okta_certificate(key=None, *, org: str = "dev-12345678",
                     not_before: dt.datetime = FIXTURE_EPOCH, days: int = 3650):
    """An Okta-shaped IdP signing certificate: self-signed RSA 2048, 10 years.

    Returns ``(key, certificate)``.
    """
    key = key or rsa_key(2048)
    return key, certificate(key, okta_name(org), not_before=not_before, days=days)


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_pem(key) -> str:
    """Unencrypted PKCS#8 PEM of a *test* key."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")
