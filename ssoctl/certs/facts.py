"""Certificates: facts about one certificate, checks on it, clean PEM.

This module is the stable API other code uses (metadata, SAML verification):
:class:`CertInfo`, :func:`cert_from_base64`, :func:`describe`, :func:`check_info`,
:func:`fingerprint` and :func:`clean_pem`. Diagnosing arbitrary user input (PEM with
defects, DER, PKCS#7, pasted text) lives in :mod:`ssoctl.certs.diagnose`.

cryptography is imported inside the functions so that importing this module is cheap.
"""

import base64
import binascii
import datetime as dt
import re
from typing import TYPE_CHECKING, NamedTuple

from ssoctl.errors import InputError, first_line
from ssoctl.findings import Finding, finding

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

#: Base64 alphabet of a PEM body; everything else is whitespace or a defect.
_NOT_B64 = r"[^A-Za-z0-9+/=]"
_ARMOR_LINE = r"(?m)^-----(BEGIN|END) [A-Z0-9 ]+-----$"

#: Signature algorithms whose hash is broken or weak, by OpenSSL-style name fragment.
_SHA1_SIGS = ("sha1", "sha-1")
_MD5_SIGS = ("md5", "md2")


class CertInfo(NamedTuple):
    """JSON-ready facts about one certificate, as Okta and sipgate show them."""

    subject: str
    issuer: str
    serial: str
    """Serial number as upper-case colon hex (``0A:1B:...``)."""
    not_before: dt.datetime
    not_after: dt.datetime
    """Validity window, aware UTC."""
    days_left: int
    """Whole days from ``now`` until ``not_after`` (negative once expired)."""
    key_type: str
    """``RSA``, ``EC``, ``Ed25519``, ``Ed448``, ``DSA`` or ``unknown``."""
    key_size: int | None
    signature_algorithm: str
    """OpenSSL-style name, e.g. ``sha256WithRSAEncryption``."""
    sha256: str
    sha1: str
    """Fingerprints in upper-case colon hex, as Okta and sipgate display them."""
    self_signed: bool
    version: int
    """X.509 version: 1 or 3."""
    pem: str
    """Clean PEM: 64 columns, LF line endings, exactly one certificate."""


# ---------------------------------------------------------------- loading


def cert_from_base64(text: str) -> "x509.Certificate":
    """Load a certificate from a metadata ``<ds:X509Certificate>`` body (see
    :func:`der_from_base64` for what is accepted; :class:`InputError` otherwise)."""
    return cert_from_der(der_from_base64(text))


def der_from_base64(text: str) -> bytes:
    """The DER bytes of a metadata ``<ds:X509Certificate>`` body (not yet loaded).

    Accepts any wrapping (Okta's 76 columns, one line) and whitespace anywhere; BEGIN/END
    lines, if present, are ignored. Raises :class:`InputError` (``CERT_UNREADABLE``) when
    the text is not a complete base64 DER certificate.
    """
    body = "".join(re.sub(_ARMOR_LINE, "", text).split())
    if not body:
        raise InputError("the certificate element is empty",
                         hint="the IdP metadata must carry the signing certificate's base64 text",
                         code="CERT_UNREADABLE")
    bad = re.search(_NOT_B64, body)
    if bad:
        raise InputError(f"certificate text holds a character that is not base64: {bad.group()!r}",
                         hint="download the IdP metadata again rather than copying it",
                         code="CERT_UNREADABLE")
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("certificate text is not valid base64 (wrong length or padding)",
                         hint="the text is probably cut off; download it again from the IdP",
                         code="CERT_UNREADABLE") from None
    return der


def cert_from_der(der: bytes) -> "x509.Certificate":
    """Load a DER certificate; :class:`InputError` (``CERT_UNREADABLE``) if it is not one."""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
    except Exception:  # noqa: BLE001 - ValueError, InvalidVersion: not a certificate
        cert = None
    if cert is None or damage(cert):
        raise InputError("the data is not a readable X.509 certificate",
                         hint="run `ssoctl check-cert` on it to see what is wrong",
                         code="CERT_UNREADABLE")
    return cert


# ---------------------------------------------------------------- facts


def fingerprint(cert: "x509.Certificate", algorithm: str = "sha256") -> str:
    """Fingerprint of the DER certificate in upper-case colon hex (``AB:CD:...``)."""
    from cryptography.hazmat.primitives import hashes

    algorithms: dict[str, type[hashes.SHA256 | hashes.SHA1 | hashes.SHA384 | hashes.SHA512]] = {
        "sha256": hashes.SHA256, "sha1": hashes.SHA1, "sha384": hashes.SHA384,
        "sha512": hashes.SHA512}
    try:
        algo = algorithms[algorithm.lower().replace("-", "")]
    except KeyError:
        raise ValueError(f"unsupported fingerprint algorithm {algorithm!r}") from None
    return colon_hex(cert.fingerprint(algo()))


def colon_hex(data: bytes) -> str:
    """``b'\\xab\\xcd'`` → ``'AB:CD'``."""
    return data.hex(":").upper()


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as users type it (any case, colons, spaces, ``SHA256:`` prefix)
    reduced to bare upper-case hex, for comparison."""
    value = text.strip()
    if ":" in value and value.split(":", 1)[0].lower().replace("-", "") in ("sha1", "sha256"):
        value = value.split(":", 1)[1]
    return re.sub(r"[^0-9A-Fa-f]", "", value).upper()


def clean_pem(cert: "x509.Certificate") -> str:
    """One certificate as PEM: 64-column body, LF line endings, trailing newline."""
    return cert.public_bytes(_encoding().PEM).decode("ascii")


def pem_of_der(der: bytes) -> str:
    """The DER bytes a certificate was loaded from as the same PEM :func:`clean_pem` gives
    (RFC 7468: base64 in lines of 64, LF, trailing newline), without loading cryptography's
    serialization package (and its SSH key code) only to print text."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def describe_base64(text: str, *, now: dt.datetime) -> CertInfo:
    """:func:`describe` of a metadata ``<ds:X509Certificate>`` body (see
    :func:`cert_from_base64` for what is accepted and refused)."""
    der = der_from_base64(text)
    return describe(cert_from_der(der), now=now, der=der)


def _encoding():
    """cryptography's ``Encoding`` enum (imported on first use: most runs never need it)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding


def _serial_hex(serial: int) -> str:
    if serial < 0:  # invalid per RFC 5280 but seen in the wild; show it, don't crash
        return "-" + _serial_hex(-serial)
    raw = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    return colon_hex(raw)


def _key_facts(cert: "x509.Certificate") -> tuple[str, int | None]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    try:
        key = cert.public_key()
    except Exception:  # noqa: BLE001 - UnsupportedAlgorithm, ValueError: a key we cannot read
        return "unknown", None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 448
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    return type(key).__name__, None


def name_text(name: "x509.Name") -> str:
    """A distinguished name in OpenSSL's display order (``C=US, ..., CN=dev-123``)."""
    from cryptography.x509.oid import NameOID

    overrides = {NameOID.EMAIL_ADDRESS: "emailAddress"}
    return ", ".join("+".join(attr.rfc4514_string(overrides) for attr in rdn)
                     for rdn in name.rdns)


def short_name(subject: str) -> str:
    """The CN of a subject (the last one), for lists; the whole subject without a CN."""
    for part in reversed(subject.split(", ")):
        if part.startswith("CN="):
            return part
    return subject or "(empty subject)"


#: Signature algorithms by OID, in the names OpenSSL prints (``openssl x509 -text``);
#: any other is shown as its dotted OID.
SIGNATURE_NAMES = {
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.113549.1.1.10": "rsassaPss",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
    "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
    "1.2.840.10040.4.3": "dsa-with-sha1",
    "2.16.840.1.101.3.4.3.1": "dsa-with-sha224",
    "2.16.840.1.101.3.4.3.2": "dsa-with-sha256",
    "1.3.101.112": "ed25519",
    "1.3.101.113": "ed448",
}


def _signature_name(cert: "x509.Certificate") -> str:
    dotted = cert.signature_algorithm_oid.dotted_string
    return SIGNATURE_NAMES.get(dotted, dotted)


def _is_self_signed(cert: "x509.Certificate") -> bool:
    """Subject equals issuer and the certificate's own key verifies its signature.

    Verified by hand for RSA and EC because ``verify_directly_issued_by`` refuses SHA-1
    and MD5 signatures, which are exactly the old certificates worth describing."""
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    if cert.subject != cert.issuer:
        return False
    try:
        key, algo = cert.public_key(), cert.signature_hash_algorithm
        if isinstance(key, rsa.RSAPublicKey) and algo is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), algo)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algo is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algo))
        else:
            cert.verify_directly_issued_by(cert)
    except Exception:  # noqa: BLE001 - InvalidSignature, ValueError, UnsupportedAlgorithm: "no"
        return False
    return True


def damage(cert: "x509.Certificate") -> str | None:
    """Why ``cert`` cannot be described, or None when every field parses.

    cryptography parses names and dates lazily, so a certificate with a damaged field
    loads fine and fails later; this touches every field :func:`describe` reads."""
    try:
        cert.subject.rdns, cert.issuer.rdns, cert.serial_number, cert.version
        cert.not_valid_before_utc, cert.not_valid_after_utc, cert.signature_algorithm_oid
        for name in (cert.subject, cert.issuer):
            name_text(name)
    except Exception as exc:  # noqa: BLE001 - ValueError, InvalidVersion...: all "damaged"
        return first_line(exc, 120)
    return None


def describe(cert: "x509.Certificate", *, now: dt.datetime, der: bytes | None = None) -> CertInfo:
    """The facts about ``cert`` that Okta and sipgate show, relative to ``now``.
    ``der``: the bytes ``cert`` was loaded from, when the caller has them (its PEM is then
    written from them rather than asked of cryptography).

    Raises :class:`InputError` (``CERT_UNREADABLE``) when a field of the certificate is
    damaged (see :func:`damage`)."""
    from cryptography.x509 import Version

    problem = damage(cert)
    if problem:
        raise InputError(f"the certificate is damaged: {problem}",
                         hint="download the certificate again from the IdP",
                         code="CERT_UNREADABLE")
    not_before = cert.not_valid_before_utc
    not_after = cert.not_valid_after_utc
    key_type, key_size = _key_facts(cert)
    return CertInfo(
        subject=name_text(cert.subject),
        issuer=name_text(cert.issuer),
        serial=_serial_hex(cert.serial_number),
        not_before=not_before,
        not_after=not_after,
        days_left=(not_after - _utc(now)).days,
        key_type=key_type,
        key_size=key_size,
        signature_algorithm=_signature_name(cert),
        sha256=fingerprint(cert, "sha256"),
        sha1=fingerprint(cert, "sha1"),
        self_signed=_is_self_signed(cert),
        version=1 if cert.version == Version.v1 else 3,
        pem=clean_pem(cert) if der is None else pem_of_der(der),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


# ---------------------------------------------------------------- checks


def check_info(info: CertInfo, *, now: dt.datetime, warn_days: int = 30,
               field: str = "Certificate") -> tuple[Finding, ...]:
    """Findings about the certificate itself: validity window, key size, signature hash,
    X.509 version. ``field`` names the screen field the certificate goes into."""
    now = _utc(now)
    days_left = (info.not_after - now).days
    out: list[Finding] = []
    if now > info.not_after:
        out.append(finding("CERT_EXPIRED", f"certificate expired on {_day(info.not_after)} "
                           f"({_days(-days_left)} ago)", field=field,
                           received=_iso(info.not_after)))
    elif now < info.not_before:
        out.append(finding("CERT_NOT_YET_VALID", f"certificate is valid only from "
                           f"{_iso(info.not_before)}", field=field, received=_iso(info.not_before)))
    elif days_left < warn_days:
        out.append(finding("CERT_EXPIRING_SOON", f"certificate expires on {_day(info.not_after)}, "
                           f"in {_days(days_left)} (warning threshold {warn_days})",
                           field=field, received=_iso(info.not_after)))
    if info.key_type == "RSA" and info.key_size is not None and info.key_size < 2048:
        out.append(finding("CERT_WEAK_KEY", f"RSA key is {info.key_size} bits; at least 2048 "
                           "are needed", field=field, expected="2048", received=str(info.key_size)))
    sig = info.signature_algorithm.lower()
    if any(name in sig for name in _MD5_SIGS):
        out.append(finding("CERT_MD5_SIGNATURE", f"certificate is signed with "
                           f"{info.signature_algorithm}", field=field,
                           received=info.signature_algorithm))
    elif any(name in sig for name in _SHA1_SIGS):
        out.append(finding("CERT_SHA1_SIGNATURE", f"certificate is signed with "
                           f"{info.signature_algorithm}", field=field,
                           received=info.signature_algorithm))
    if info.version != 3:
        out.append(finding("CERT_NOT_V3", f"X.509 version {info.version} certificate (v3 "
                           "expected)", field=field, expected="3", received=str(info.version)))
    return tuple(out)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _day(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _iso(value: dt.datetime) -> str:
    return _utc(value).isoformat().replace("+00:00", "Z")


__all__ = ["CertInfo", "cert_from_base64", "cert_from_der", "check_info", "clean_pem",
           "der_from_base64", "describe_base64", "pem_of_der",
           "colon_hex", "damage", "describe", "fingerprint", "normalize_fingerprint",
           "short_name"]
