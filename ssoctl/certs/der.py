"""What a blob of DER is: a certificate, a PKCS#7 bundle, a key, a CSR, cut off or damaged.

Decided from the outer ASN.1 structure first (:mod:`ssoctl.certs.asn1`), so that a private key
is recognised without ever being loaded, and a cut-off certificate is measured rather
than handed to a parser.
"""

from enum import StrEnum
from typing import NamedTuple

from ssoctl.certs import asn1
from ssoctl.certs import facts

_PKCS7_OID = bytes.fromhex("2a864886f70d010702")  # 1.2.840.113549.1.7.2 signedData


class DerKind(StrEnum):
    """What a DER blob turned out to be."""

    CERT = "cert"
    PKCS7 = "pkcs7"
    PRIVATE_KEY = "private-key"
    PUBLIC_KEY = "public-key"
    CSR = "csr"
    TRUNCATED = "truncated"
    DAMAGED = "damaged"
    GARBAGE = "garbage"


class Parsed(NamedTuple):
    """What a DER blob is."""

    kind: DerKind
    """cert, pkcs7, truncated, damaged, private-key, public-key, csr, garbage."""
    certs: tuple = ()
    ders: tuple = ()
    """The DER bytes of each of ``certs`` when known (a single certificate), else empty."""
    declared: int = 0
    present: int = 0
    extra: int = 0
    detail: str = ""


def looks_der(data: bytes) -> bool:
    """A SEQUENCE with a long-form length: DER, never text."""
    return len(data) > 4 and data[0] == asn1.SEQUENCE and 0x81 <= data[1] <= 0x84


def classify(der: bytes) -> Parsed:
    """Tell what a DER blob is without trusting its lengths."""
    try:
        outer = asn1.read_tlv(der)
    except ValueError:
        return Parsed(DerKind.GARBAGE)
    if outer.tag != asn1.SEQUENCE or outer.length == 0:
        return Parsed(DerKind.GARBAGE)
    start = outer.offset + outer.header_len
    first_tag = der[start] if start < len(der) else None
    if first_tag == asn1.INTEGER:  # PKCS#1, PKCS#8 and SEC1 keys start with a version INTEGER
        return Parsed(DerKind.PRIVATE_KEY)
    if outer.end > len(der):
        return Parsed(DerKind.TRUNCATED, declared=outer.end, present=len(der))
    body, extra = der[:outer.end], len(der) - outer.end
    try:
        kids = asn1.children(body, outer)
    except ValueError:
        return Parsed(DerKind.GARBAGE)
    if first_tag == asn1.OID:
        found = _load_pkcs7(body) if asn1.content(body, kids[0]) == _PKCS7_OID else None
        return Parsed(DerKind.PKCS7, certs=found, extra=extra) if found else Parsed(DerKind.GARBAGE)
    tags = [k.tag for k in kids]
    if tags == [asn1.SEQUENCE, asn1.OCTET_STRING]:
        return Parsed(DerKind.PRIVATE_KEY)  # EncryptedPrivateKeyInfo
    if tags == [asn1.SEQUENCE, asn1.BIT_STRING]:
        return Parsed(DerKind.PUBLIC_KEY)
    return _load_cert_or_csr(body, extra)


def _load_cert_or_csr(body: bytes, extra: int) -> Parsed:
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(body)
    except Exception:  # noqa: BLE001 - ValueError, InvalidVersion...: not a certificate
        pass
    else:
        problem = facts.damage(cert)
        return Parsed(DerKind.DAMAGED, detail=problem) if problem else \
            Parsed(DerKind.CERT, certs=(cert,), ders=(body,), extra=extra)
    try:
        x509.load_der_x509_csr(body)
        return Parsed(DerKind.CSR)
    except Exception:  # noqa: BLE001
        return Parsed(DerKind.GARBAGE)


def _load_pkcs7(body: bytes) -> tuple:
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        found = tuple(pkcs7.load_der_pkcs7_certificates(body))
    except Exception:  # noqa: BLE001 - malformed or empty PKCS#7
        return ()
    return found if not any(facts.damage(c) for c in found) else ()
