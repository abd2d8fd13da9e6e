"""Build certificates cryptography refuses to build: X.509 v1 and SHA-1/MD5 signed ones.

cryptography always writes version 3 and (with current OpenSSL) will not sign a
certificate with SHA-1. The checks for "not v3" and "weak signature hash" need such
certificates, so this module edits the DER of a normal certificate and signs the edited
to-be-signed part again with the test key. Test-only: nothing in ssoctl's commands uses it.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ssoctl.certs import asn1

#: DER OIDs (content bytes) of RSA PKCS#1 v1.5 signature algorithms.
_RSA_SIG_OIDS = {
    "sha256": bytes.fromhex("2a864886f70d01010b"),
    "sha1": bytes.fromhex("2a864886f70d010105"),
    "md5": bytes.fromhex("2a864886f70d010104"),
}
_HASHES = {"sha256": hashes.SHA256, "sha1": hashes.SHA1, "md5": hashes.MD5}


def _algorithm_identifier(hash_name: str) -> bytes:
    oid = asn1.encode(asn1.OID, _RSA_SIG_OIDS[hash_name])
    return asn1.encode(asn1.SEQUENCE, oid + b"\x05\x00")


def resign(cert: x509.Certificate, key: rsa.RSAPrivateKey, *, version: int = 3,
           hash_name: str = "sha256") -> x509.Certificate:
    """A copy of ``cert`` re-signed by ``key`` (RSA).

    ``version=1`` drops the version field and every extension (a v1 certificate has
    neither); ``hash_name`` is ``sha256``, ``sha1`` or ``md5``.
    """
    der = cert.public_bytes(_der())
    outer = asn1.read_tlv(der)
    tbs_tlv = asn1.children(der, outer)[0]
    fields = asn1.children(der, tbs_tlv)
    parts: list[bytes] = []
    for item in fields:
        if item.tag == 0xA0 and version == 1:      # [0] EXPLICIT version
            continue
        if item.tag in (0xA1, 0xA2, 0xA3) and version == 1:  # unique ids, extensions
            continue
        parts.append(asn1.raw(der, item))
    # The signature AlgorithmIdentifier inside the TBS is the first SEQUENCE after the serial.
    serial_index = 1 if fields[0].tag == 0xA0 and version != 1 else 0
    parts[serial_index + 1] = _algorithm_identifier(hash_name)
    tbs = asn1.encode(asn1.SEQUENCE, b"".join(parts))
    signature = key.sign(tbs, padding.PKCS1v15(), _HASHES[hash_name]())  # type: ignore[abstract]
    body = tbs + _algorithm_identifier(hash_name) + asn1.encode(asn1.BIT_STRING, b"\x00" + signature)
    return x509.load_der_x509_certificate(asn1.encode(asn1.SEQUENCE, body))


def _der():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.DER
