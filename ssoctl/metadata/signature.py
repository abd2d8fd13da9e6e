"""Verifying signed IdP metadata (``import-metadata --verify-signature``).

The signature must sit directly under the root and cover the root; the element signxml
reports as signed must be the root itself.

Two engines check the cryptography, behind the same structural checks and the same
algorithm policy (:mod:`ssoctl.xmlsig`): signxml, always, for one IdP's metadata; and for
a whole federation aggregate (tens of megabytes), the optional ``xmlsec`` binding when it
is installed and usable (:func:`ssoctl.xmlsig.xmlsec_binding`). signxml parses the
document again and then parses its canonical form once more to hand back what was
signed: on a 97 MB aggregate that is about four times the time and memory of
``xmlsec1 --verify``. The binding verifies the tree already parsed, as xmlsec1 does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ssoctl import xmlsafe
from ssoctl.errors import InputError, first_line
from ssoctl.findings import Finding, Severity, finding
from ssoctl.metadata import checks

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from lxml import etree


ENGINES = ("signxml", "xmlsec")


def engine_for_aggregate() -> str:
    """The engine that verifies a whole aggregate: ``xmlsec`` when the extra can serve,
    else ``signxml``."""
    from ssoctl import xmlsig

    return "xmlsec" if xmlsig.xmlsec_binding()[0] is not None else "signxml"


def verify_signature(data: bytes | None, root: "etree._Element", *, signed: bool,
                     cert_data: bytes | None, now: dt.datetime, engine: str = "signxml",
                     ) -> tuple[bool | None, list[Finding]]:
    """(verified, findings) for the signature on the root element.

    ``None`` when no certificate was given (a note if the document is signed). The
    signature must sit directly under the root and cover the root (``location="./"``,
    one reference, SHA-2 algorithms only, allowlisted transforms), and the element
    signxml reports as signed must be the root itself. ``engine`` is ``signxml`` (which
    reads ``data``, the document's bytes; ``None``: serialized from ``root``) or
    ``xmlsec`` (which verifies ``root`` itself).
    """
    if cert_data is None:
        return None, ([finding("METADATA_SIGNATURE_NOT_VERIFIED")] if signed else [])
    from ssoctl.certs import facts

    cert = trust_certificate(cert_data)
    # The signer's own certificate problems are worth knowing, but they do not make a
    # good signature bad: warnings, never errors.
    notes = [item._replace(severity=Severity.WARNING,
                                 message=f"--verify-signature certificate: {item.message}")
             if item.severity is Severity.ERROR else item
             for item in facts.check_info(facts.describe(cert, now=now), now=now,
                                          field="--verify-signature")]
    if not signed:
        return False, [finding("METADATA_UNSIGNED", "--verify-signature was given but the "
                               "metadata's root element is not signed")]
    problem = checks.signature_structure_problem(root)
    if problem is None and engine == "xmlsec":
        problem = _xmlsec_verify(root, cert)
    elif problem is None:
        if data is None:
            from lxml import etree

            data = etree.tostring(root)
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



_DS = "http://www.w3.org/2000/09/xmldsig#"


def _xmlsec_verify(root: "etree._Element", cert: "x509.Certificate") -> str | None:
    """The xmlsec binding on the parsed tree; the reason for failure, or None.

    :func:`checks.signature_structure_problem` has already passed: one signature under
    the root, one reference to the root, allowlisted transforms. Here the signature and
    digest methods are held to the policy (no SHA-1 for metadata) before xmlsec runs,
    and xmlsec itself is given only the policy's transforms and same-document references
    (it never reads a file or the network), and the pinned certificate's key (KeyInfo in
    the document is never used).
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from ssoctl import xmlsig
    from ssoctl.xmlsafe import children, first_child, local_name, qname

    xmlsec, why = xmlsig.xmlsec_binding()
    if xmlsec is None:  # pragma: no cover - the caller chose the engine from the same check
        return why
    allowed = xmlsig.policy()
    signature = first_child(root, qname("ds", "Signature"))
    info = first_child(signature, qname("ds", "SignedInfo")) if signature is not None else None
    if info is None or len(children(signature, qname("ds", "SignedInfo"))) != 1:
        return "the signature needs exactly one SignedInfo"
    expected = {qname("ds", n) for n in ("CanonicalizationMethod", "SignatureMethod", "Reference")}
    odd = [local_name(child) for child in info if isinstance(child.tag, str)
           and child.tag not in expected]
    if odd:
        return f"unexpected element in SignedInfo: {odd[0]}"
    method = first_child(info, qname("ds", "SignatureMethod"))
    method_uri = method.get("Algorithm") if method is not None else None
    if method_uri not in allowed.signature_methods:
        return f"signature method not allowed: {method_uri or '(missing)'}"
    reference = first_child(info, qname("ds", "Reference"))
    digest = first_child(reference, qname("ds", "DigestMethod")) if reference is not None else None
    digest_uri = digest.get("Algorithm") if digest is not None else None
    if digest_uri not in allowed.digests:
        return f"digest method not allowed: {digest_uri or '(missing)'}"
    context = xmlsec.SignatureContext()
    uri = reference.get("URI", "") if reference is not None else ""
    if uri:
        # The reference is "#<root ID>" (checked before). Another element with the same
        # ID makes it ambiguous: which one did the signer mean?
        same = int(root.xpath("count(//*[@ID=$id])", id=uri[1:]))
        if same != 1:
            return f"Ambiguous reference: {same} elements carry the ID {uri[1:]!r}"
        context.register_id(root, "ID")
    signature_transforms, reference_transforms = xmlsig.xmlsec_transforms()
    for transform in signature_transforms:
        context.enable_signature_transform(transform)
    for transform in reference_transforms:
        context.enable_reference_transform(transform)
    context.enabled_reference_uris = (xmlsec.constants.TransformUriTypeEmpty
                                      | xmlsec.constants.TransformUriTypeSameDocument)
    try:
        context.key = xmlsec.Key.from_memory(cert.public_bytes(Encoding.PEM),
                                             xmlsec.constants.KeyDataFormatCertPem)
        context.verify(signature)
    except xmlsec.VerificationError:
        return ("the signature does not match this certificate (wrong certificate, or "
                "the document was changed after signing)")
    except xmlsec.Error as exc:
        # The binding's errors are (code, text) pairs: "failed to verify", "failed to load key".
        detail = exc.args[-1] if exc.args and isinstance(exc.args[-1], str) else first_line(exc)
        return f"xmlsec could not check it: {detail}"
    return None
