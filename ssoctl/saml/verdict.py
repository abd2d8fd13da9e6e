"""The signature verdict for one message: verify when there is something to verify,
then decide what the model may read identity from.

Split from :mod:`ssoctl.saml.decode` (the pipeline); this is the trust half. signxml is
imported (through :mod:`ssoctl.saml.verify`) only when a trust anchor is given or the
message carries a signature or an encrypted assertion: the no-signature, no-anchor fast
path never loads it. Trust comes only from the anchors; the certificate inside the
message is compared and used for an integrity check, never trusted.
"""

from typing import TYPE_CHECKING, Any, NamedTuple

from ssoctl import xmlsafe
from ssoctl.findings import Finding
from ssoctl.saml.anchors import TrustAnchors, pick_trusted
from ssoctl.saml.checks import CertSummary, TrustFacts
from ssoctl.saml.response import UNVERIFIED, IdentitySource, IdentityState, SignatureStatus
from ssoctl.xmlsafe import qname

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

    from ssoctl.saml.options import DecodeOptions


class SignatureReport(NamedTuple):
    """What the signature check found, JSON-ready."""

    status: SignatureStatus
    """``verified``, ``not_verified`` (no trust anchor) or ``failed``."""
    response_signed: bool
    assertion_signed: bool
    response_verified: bool = False
    assertion_verified: bool = False
    signature_algorithm: str | None = None
    digest_algorithm: str | None = None
    embedded_certificates: tuple[CertSummary, ...] = ()
    trusted_certificates: tuple[CertSummary, ...] = ()
    trust_source: str | None = None
    integrity: str | None = None
    """Without a trust anchor: ``intact`` when the signature matches the certificate inside
    the message (which proves nothing about the signer), ``broken`` when it does not (the
    message was changed after signing)."""


def _has(root: "etree._Element", prefix: str, local: str) -> bool:
    return root.find(f".//{qname(prefix, local)}") is not None


def judge(xml: bytes, root: "etree._Element", options: "DecodeOptions"):
    """Verify when there is something to verify; return the signature report, the
    identity source, the element to model, the element to show (``--xml``) and the
    verifier's findings."""
    anchors = options.anchors
    if not (anchors.given or _has(root, "ds", "Signature")
            or _has(root, "saml", "EncryptedAssertion") or root.tag != qname("samlp", "Response")):
        return _unsigned(root)
    from ssoctl.saml import verify

    key = options.sp_key_pem.encode() if options.sp_key_pem else None
    common = dict(now=options.expect.now, allow_sha1=options.allow_sha1, sp_key_pem=key,
                  allow_expired_cert=options.allow_expired_cert, root=root)
    trusted: tuple[str, ...] | None = anchors.pems or None
    if anchors.fingerprints:
        # A certificate in the message whose fingerprint was pinned becomes trusted for the
        # pass that verifies. Inside an EncryptedAssertion the certificates are only known
        # after a first, key-less pass (which decrypts).
        embedded = verify.embedded_certificates(root, options.expect.now)
        if embedded is None:
            embedded = verify.verify_response(xml, trusted_pems=None,
                                              **common).embedded_certificates
        trusted = pick_trusted(anchors, embedded) or None
    result = verify.verify_response(xml, trusted_pems=trusted, **common)
    findings = list(result.findings)
    status = result.status
    integrity = None
    if anchors.given and trusted is None and status != SignatureStatus.FAILED:
        # Only fingerprints were given and none matches the message's certificate.
        status = SignatureStatus.FAILED
        findings = [f for f in findings if f.code != "SIG_NOT_VERIFIED"]
    elif status == SignatureStatus.NOT_VERIFIED and result.embedded_certificates:
        integrity, broken = _integrity(xml, result, verify, common)
        if broken:
            status = SignatureStatus.FAILED
            findings += broken
    if _trust_failure(findings):
        status = SignatureStatus.FAILED  # e.g. unsigned: never show an unsigned user as if it could be real
    report = _report(result, status, anchors, integrity)
    plain = root
    if result.decrypted_xml is not None:
        plain = xmlsafe.parse(result.decrypted_xml, what="decrypted SAML response")
    source, model_root = _identity(result, status, plain)
    return report, source, model_root, plain, findings


def _unsigned(root: "etree._Element"):
    """Nothing signed and nothing to check against: say what the verifier would say,
    without loading signxml (the fast path)."""
    from ssoctl.saml import policy

    # With an Assertion, no certificate could help (so no "pass --cert" advice).
    out = [policy.unsigned() if root.find(policy.ASSERTION) is not None
           else policy.nothing_to_verify()]
    status = SignatureStatus.FAILED if _trust_failure(out) else SignatureStatus.NOT_VERIFIED
    report = SignatureReport(status=status, response_signed=False, assertion_signed=False)
    return report, _identity(None, status, root)[0], root, root, out


def _report(result: Any, status: SignatureStatus, anchors: TrustAnchors,
            integrity: str | None) -> SignatureReport:
    return SignatureReport(
        status=status, response_signed=result.response_signed,
        assertion_signed=result.assertion_signed, response_verified=result.response_verified,
        assertion_verified=result.assertion_verified,
        signature_algorithm=result.signature_algorithm, digest_algorithm=result.digest_algorithm,
        embedded_certificates=tuple(CertSummary.of(c) for c in result.embedded_certificates),
        trusted_certificates=anchors.certs, trust_source=anchors.source or None,
        integrity=integrity)


def _trust_failure(findings: list[Finding]) -> bool:
    return any(f.is_error and f.exit_code == 4 for f in findings)


#: Findings of the integrity pass that say nothing about tampering.
_NOT_TAMPERING = frozenset({"SIG_CERT_EXPIRED", "SIG_CERT_NOT_YET_VALID", "SIG_CERT_MISMATCH",
                            "SIG_NOT_VERIFIED"})


def _integrity(xml: bytes, first: Any, verify: Any,
               common: dict) -> tuple[str | None, list[Finding]]:
    """Without a trust anchor, check the signature against the certificate the message
    carries. That proves nothing about who signed (anyone can embed a certificate), but a
    failure proves the message was changed after signing: then identity is withheld."""
    pems = [c.pem for c in first.embedded_certificates]
    check = verify.verify_response(xml, trusted_pems=pems, **common)
    known = {f.code for f in first.findings}
    broken = [f._replace(message=f"{f.message} (checked with the certificate inside "
                                             "the message)")
              for f in check.findings
              if f.is_error and f.exit_code == 4 and f.code not in _NOT_TAMPERING
              and f.code not in known]
    if broken:
        return "broken", broken
    return ("intact" if check.status == SignatureStatus.VERIFIED else None), []


def _identity(result: Any, status: SignatureStatus,
              plain: "etree._Element") -> tuple[IdentitySource, "etree._Element"]:
    """Where the model may read identity from, and which element to model. ``plain`` is
    the document as received (decrypted, if it was encrypted)."""
    if status == SignatureStatus.VERIFIED:
        assertions = (result.signed_assertion,) if result.signed_assertion is not None else ()
        model_root = result.signed_response if result.signed_response is not None else plain
        signed = (result.response_signed, result.assertion_signed)
        return IdentitySource(IdentityState.VERIFIED, assertions, signed=signed), model_root
    if status == SignatureStatus.FAILED:
        return IdentitySource(IdentityState.WITHHELD, note="withheld because the signature check failed "
                                               "(see the findings)"), plain
    return UNVERIFIED, plain


def trust_facts(report: SignatureReport, anchors: TrustAnchors) -> TrustFacts:
    """What :func:`ssoctl.saml.checks.check_trust` needs from the verdict."""
    return TrustFacts(status=report.status, response_signed=report.response_signed,
                      assertion_signed=report.assertion_signed,
                      embedded=report.embedded_certificates, anchors=anchors.certs,
                      anchor_source=anchors.source)


__all__ = ["SignatureReport", "judge", "trust_facts"]
