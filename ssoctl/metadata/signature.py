"""Verifying signed IdP metadata (``import-metadata --verify-signature``).

The signature must sit directly under the root and cover the root; the element signxml
reports as signed must be the root itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from ssoctl import xmlsafe
from ssoctl.errors import InputError, first_line
from ssoctl.findings import Finding, Severity, finding
from ssoctl.metadata import checks

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from lxml import etree


def verify_signature(data: bytes, root: "etree._Element", *, signed: bool,
                     cert_data: bytes | None, now: dt.datetime,
                     ) -> tuple[bool | None, list[Finding]]:
    """(verified, findings) for the signature on the root element.

    ``None`` when no certificate was given (a note if the document is signed). The
    signature must sit directly under the root and cover the root (``location="./"``,
    one reference, SHA-2 algorithms only, allowlisted transforms), and the element
    signxml reports as signed must be the root itself.
    """
    if cert_data is None:
        return None, ([finding("METADATA_SIGNATURE_NOT_VERIFIED")] if signed else [])
    from ssoctl.certs import facts

    cert = trust_certificate(cert_data)
    # The signer's own certificate problems are worth knowing, but they do not make a
    # good signature bad: warnings, never errors.
    notes = [dataclasses.replace(item, severity=Severity.WARNING,
                                 message=f"--verify-signature certificate: {item.message}")
             if item.severity is Severity.ERROR else item
             for item in facts.check_info(facts.describe(cert, now=now), now=now,
                                          field="--verify-signature")]
    if not signed:
        return False, [finding("METADATA_UNSIGNED", "--verify-signature was given but the "
                               "metadata's root element is not signed")]
    problem = checks.signature_structure_problem(root)
    if problem is None:
        problem = _signxml_verify(data, root, cert, now)
    if problem is not None:
        return False, [finding("METADATA_SIGNATURE_INVALID",
                               f"metadata signature does not verify: {problem}"), *notes]
    return True, notes


def trust_certificate(data: bytes) -> "x509.Certificate":
    """The certificate given with ``--verify-signature``: PEM, bare base64 or DER."""
    from ssoctl.certs import facts
    from ssoctl.files import decode_text

    try:
        if data[:1] == b"\x30":  # DER: an ASN.1 SEQUENCE
            return facts.cert_from_der(data)
        return facts.cert_from_base64(decode_text(data, what="certificate").text)
    except InputError as exc:
        raise InputError(f"--verify-signature: {exc.message}",
                         hint="give the metadata signing certificate as a PEM file "
                              "(check it with 'ssoctl check-cert FILE')",
                         code="METADATA_VERIFY_CERT_UNREADABLE") from None


def _signxml_verify(data: bytes, root: "etree._Element", cert: "x509.Certificate",
                    now: dt.datetime) -> str | None:
    """Run signxml; return the reason for failure, or None when the root verified."""
    from dataclasses import replace

    from cryptography.exceptions import InvalidSignature
    from lxml import etree
    from signxml import XMLVerifier
    from signxml.exceptions import SignXMLException

    from ssoctl import xmlsig

    # Expiry of the given certificate is not a reason to call the signature bad: check
    # the signature at a moment the certificate was valid. No SHA-1 for metadata.
    config = replace(xmlsig.signxml_config(allow_sha1=False, location="./"),
                     verification_time=xmlsig.within_validity(now, cert))
    try:
        result = XMLVerifier().verify(data, x509_cert=cert, parser=xmlsafe.make_parser(),
                                      id_attribute="ID", expect_config=config)
    except InvalidSignature as exc:
        reason = first_line(exc).rstrip(":. ")
        if reason.lower() in ("signature verification failed", "invalidsignature"):
            return ("the signature does not match this certificate (wrong certificate, or "
                    "the document was changed after signing)")
        return reason
    except (SignXMLException, ValueError, TypeError, etree.LxmlError) as exc:
        return first_line(exc)
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None or signed.tag != root.tag or signed.get("ID") != root.get("ID"):
        return "the signed element is not the metadata's root element"
    return None

