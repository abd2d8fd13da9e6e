"""Decide whether a SAML Response can be trusted (docs/verification.md).

:func:`verify_response` follows the safe signxml call (docs/threat-model.md, "Signatures"):
structural checks first (they run even without a trust anchor), then signxml with the trusted certificate
pinned, the signature location pinned, one reference, an algorithm allowlist,
``id_attribute="ID"``, the hardened parser and schema validation; every trusted
certificate is tried (key rollover); the element signxml says was signed must be the
element whose claims are read. Every signxml/lxml/cryptography exception becomes a
finding: hostile input never produces a traceback.

Claims may be read only from :attr:`Verification.signed_response` and
:attr:`Verification.signed_assertion` (copies of exactly what a verified signature covers).
"""

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from ssoctl import xmlsafe, xmlsig
from ssoctl.errors import ExitCode, InputError
from ssoctl.findings import Finding, Severity, finding
from ssoctl.saml import policy
from ssoctl.saml.response import SignatureStatus
from ssoctl.saml.sigerrors import translate

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from lxml import etree

    from ssoctl.certs.facts import CertInfo

ASSERTION_LOCATION = "./{urn:oasis:names:tc:SAML:2.0:assertion}Assertion/"
RESPONSE_LOCATION = "./"


class Verification(NamedTuple):
    """The outcome of :func:`verify_response`."""

    status: SignatureStatus
    """``verified``, ``not_verified`` (no trust anchor given) or ``failed``."""
    response_signed: bool
    """A ``ds:Signature`` sits directly under the Response."""
    assertion_signed: bool
    """A ``ds:Signature`` sits directly under an Assertion (after decryption, if any)."""
    response_verified: bool
    assertion_verified: bool
    """The Assertion's own signature verified (a Response signature also covers it:
    see :attr:`signed_assertion`)."""
    signed_response: "etree._Element | None"
    """What the Response signature covers, as signxml returned it; ``None`` unless verified."""
    signed_assertion: "etree._Element | None"
    """The Assertion as covered by a verified signature (its own, or the Response's);
    ``None`` unless verified. Read NameID and attributes only from here."""
    trusted_sha256: str | None
    """SHA-256 fingerprint (colon hex) of the trusted certificate that verified."""
    embedded_certificates: tuple["CertInfo", ...]
    """Certificates found in KeyInfo: shown and compared, never trusted."""
    signature_algorithm: str | None
    """Short name, e.g. ``rsa-sha256`` (the Assertion's signature if it has one)."""
    digest_algorithm: str | None
    """Short name, e.g. ``sha256``."""
    findings: tuple[Finding, ...]
    """Trust failures carry ``exit_code=ExitCode.TRUST``."""
    decrypted_xml: bytes | None = None
    """The Response with its EncryptedAssertion replaced by the decrypted Assertion."""


class _Trusted(NamedTuple):
    cert: "x509.Certificate"
    sha256: str


class _Outcome(NamedTuple):
    signed: "etree._Element | None"
    trusted: _Trusted | None
    findings: tuple[Finding, ...]


def verify_response(xml: bytes, *, trusted_pems: Sequence[str] | None, now: dt.datetime,
                    allow_sha1: bool = False, sp_key_pem: bytes | None = None,
                    allow_expired_cert: bool = False,
                    root: "etree._Element | None" = None) -> Verification:
    """Verify the signatures of a SAML Response against the trusted certificates.

    ``trusted_pems``: PEM certificates from ``--cert``/``--metadata`` (every one is tried);
    ``None`` or empty means no trust anchor (status ``not_verified`` unless a structural
    check already failed). ``now`` is the time certificates are checked at.
    ``allow_sha1``/``allow_expired_cert`` turn those error findings into warnings and verify
    anyway. ``sp_key_pem`` decrypts an EncryptedAssertion. ``root``: ``xml`` already
    parsed with :func:`ssoctl.xmlsafe.parse` (saves a second parse; signxml still verifies
    the raw bytes).

    Raises :class:`InputError` (exit 3) for XML that cannot be parsed, an unreadable
    trusted certificate or SP key; everything wrong with the message is a finding.
    """
    if root is None:
        root = xmlsafe.parse(xml, what="SAML response")
    trusted = _load_trusted(trusted_pems or ())
    out: list[Finding] = list(policy.check_structure(root)) + list(policy.check_assertion_count(root))

    doc_xml, doc_root, decrypted = xml, root, None
    encrypted = (xmlsafe.first_child(root, policy.ENCRYPTED_ASSERTION)
                 if root.tag == policy.RESPONSE else None)
    if encrypted is not None:
        doc_xml, doc_root, decrypted, enc_findings = _decrypt(root, encrypted, sp_key_pem)
        doc_xml = doc_xml or xml
        out += enc_findings
        if decrypted is not None:  # the plaintext may hide its own wrapping tricks
            out += [f for f in (*policy.check_structure(doc_root),
                                *policy.check_assertion_count(doc_root)) if f not in out]

    resp_sig, asrt_sig, facts = _signatures(root, doc_root)
    consumed = policy.consumed_assertion(doc_root)
    for item in facts:
        out += policy.check_signature(item, allow_sha1=allow_sha1)
        if item.reference_uri and item.reference_uri.startswith("#"):
            out += policy.check_duplicate_ids(doc_root if item.element is asrt_sig else root,
                                              item.reference_uri[1:])
    out += policy.check_nameid_comments(consumed)
    has_assertion = consumed is not None or encrypted is not None
    if not facts and has_assertion and not (encrypted is not None and decrypted is None):
        out.append(policy.unsigned(stray=next(doc_root.iter(policy.SIGNATURE), None)
                                   is not None))
    embedded = _embedded(facts, now)
    main = facts[0] if facts else None
    base: dict[str, Any] = dict(response_signed=resp_sig is not None, assertion_signed=asrt_sig is not None,
                embedded_certificates=embedded,
                signature_algorithm=xmlsig.short_name(main.signature_method) if main else None,
                digest_algorithm=xmlsig.short_name(main.digest_method) if main else None,
                decrypted_xml=doc_xml if decrypted is not None else None)

    if not trusted or _trust_failed(out) or not facts:
        unreadable = encrypted is not None and decrypted is None  # already explained
        if not facts and not _trust_failed(out) and not unreadable:
            out.append(policy.nothing_to_verify())
        elif not trusted and facts:
            out.append(finding("SIG_NOT_VERIFIED"))
        status = (SignatureStatus.FAILED if _trust_failed(out)
                  else SignatureStatus.NOT_VERIFIED)
        return Verification(status=status, response_verified=False, assertion_verified=False,
                            signed_response=None, signed_assertion=None, trusted_sha256=None,
                            findings=tuple(out), **base)

    ordered = _order(trusted, embedded)
    config = _config(allow_sha1)
    resp = asrt = None
    if resp_sig is not None:
        resp = _verify_one(xml, RESPONSE_LOCATION, root, ordered, config, now, embedded, "Response")
        out += resp.findings
    if asrt_sig is not None and consumed is not None:
        asrt = _verify_one(doc_xml, ASSERTION_LOCATION, consumed, ordered, config, now, embedded,
                           "Assertion")
        out += asrt.findings
    used = asrt.trusted if asrt and asrt.trusted else (resp.trusted if resp else None)
    # Each verified signature is checked with the trusted certificate that verified it:
    # when the Response and the Assertion are signed with different ones, both must be
    # within their validity period (docs/threat-model.md, "Signatures").
    seen_sha256: set[str] = set()
    for outcome in (asrt, resp):
        if outcome is not None and outcome.trusted is not None \
                and outcome.trusted.sha256 not in seen_sha256:
            seen_sha256.add(outcome.trusted.sha256)
            out += _validity(outcome.trusted.cert, now, allow_expired_cert)

    signed_response = resp.signed if resp else None
    signed_assertion = asrt.signed if asrt else None
    if signed_assertion is None and signed_response is not None and asrt_sig is None:
        # Only the Response is signed: its signature covers the Assertion (or, when
        # encrypted, the ciphertext the Assertion was decrypted from).
        signed_assertion = (signed_response.find(policy.ASSERTION) if decrypted is None
                            else decrypted)
    failed = _trust_failed(out) or (has_assertion and signed_assertion is None
                                    and not (encrypted is not None and decrypted is None))
    if failed:
        signed_response = signed_assertion = None
    return Verification(
        status=SignatureStatus.FAILED if failed else SignatureStatus.VERIFIED,
        response_verified=bool(resp and resp.signed is not None),
        assertion_verified=bool(asrt and asrt.signed is not None),
        signed_response=signed_response, signed_assertion=signed_assertion,
        trusted_sha256=used.sha256 if used and not failed else None,
        findings=tuple(out), **base)


def _trust_failed(findings: Sequence[Finding]) -> bool:
    return any(f.severity is Severity.ERROR and f.exit_code == ExitCode.TRUST for f in findings)


def _load_trusted(pems: Sequence[str]) -> list[_Trusted]:
    # Cached: a HAR with 1,000 responses is checked against the same anchors each time.
    return list(_load_trusted_cached(tuple(pems)))


@lru_cache(maxsize=32)
def _load_trusted_cached(pems: tuple[str, ...]) -> tuple[_Trusted, ...]:
    from cryptography import x509

    from ssoctl.certs.facts import fingerprint

    out: list[_Trusted] = []
    for index, pem in enumerate(pems, 1):
        text = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
        try:
            certs = x509.load_pem_x509_certificates(text)
        except ValueError:
            raise InputError(f"trusted certificate {index} is not a readable PEM certificate",
                             hint="run `ssoctl check-cert` on the file given with --cert",
                             code="TRUSTED_CERT_UNREADABLE") from None
        for cert in certs:
            sha = fingerprint(cert)
            if all(t.sha256 != sha for t in out):
                out.append(_Trusted(cert, sha))
    return tuple(out)


def _signatures(root: "etree._Element", doc_root: "etree._Element"):
    """The Response's own signature, the assertion signature signxml will verify, and the
    facts of both (assertion first). ``doc_root``: the document holding the assertion
    (``root``, or the decrypted plaintext of an EncryptedAssertion)."""
    resp_sig = policy.signature_of(root) if root.tag == policy.RESPONSE else None
    # The signature signxml will pick with the pinned location: the first one under a
    # direct Assertion child, which need not be the Assertion a reader consumes (C31).
    asrt_sig = next(xmlsafe.grandchildren(doc_root, policy.ASSERTION, policy.SIGNATURE), None)
    facts = [policy.read_signature(s) for s in (asrt_sig, resp_sig) if s is not None]
    return resp_sig, asrt_sig, facts


def embedded_certificates(root: "etree._Element",
                          now: dt.datetime) -> "tuple[CertInfo, ...] | None":
    """The certificates the message's signatures carry, as :func:`verify_response`
    reports them, read without a verification pass; None when an EncryptedAssertion may
    hide more (then only a pass that decrypts can tell)."""
    if root.tag == policy.RESPONSE and \
            xmlsafe.first_child(root, policy.ENCRYPTED_ASSERTION) is not None:
        return None
    return _embedded(_signatures(root, root)[2], now)


def _embedded(facts: Sequence[policy.SignatureFacts], now: dt.datetime) -> tuple["CertInfo", ...]:
    seen: dict[str, "CertInfo"] = {}
    for item in facts:
        for node in item.element.iterfind(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate"):
            info = _describe_b64("".join((xmlsafe.text_of(node) or "").split()), now)
            if info is not None:
                seen.setdefault(info.sha256, info)
    return tuple(seen.values())


@lru_cache(maxsize=64)
def _describe_b64(body: str, now: dt.datetime) -> "CertInfo | None":
    """CertInfo of a KeyInfo certificate; cached because every message of one IdP carries
    the same one. ``None`` when unreadable (signxml ignores KeyInfo when a cert is pinned)."""
    from ssoctl.certs import facts

    try:
        return facts.describe_base64(body, now=now)
    except (InputError, ValueError):
        return None


def _order(trusted: list[_Trusted], embedded: Sequence["CertInfo"]) -> list[_Trusted]:
    """Try the trusted certificate that matches KeyInfo first: saves failed attempts."""
    hints = {c.sha256 for c in embedded}
    return sorted(trusted, key=lambda t: t.sha256 not in hints)


def _config(allow_sha1: bool):
    return xmlsig.signxml_config(allow_sha1=allow_sha1)


@lru_cache(maxsize=64)
def _pinned(config, location: str, when: dt.datetime):
    """``config`` pinned to ``location`` and ``when``: built once per run, not per message."""
    from dataclasses import replace

    return replace(config, location=location, verification_time=when)


def _verifier_class():
    from signxml import XMLVerifier

    return XMLVerifier


def _verify_one(data: bytes, location: str, consumed: "etree._Element", ordered: list[_Trusted],
                config, now: dt.datetime, embedded: Sequence["CertInfo"], what: str) -> _Outcome:
    """Verify one signature with each trusted certificate until one succeeds."""
    verifier = _verifier_class()
    errors: list[tuple[_Trusted, Exception]] = []
    for candidate in ordered:
        # ssoctl checks certificate validity itself (D32, with an override), so signxml is
        # asked to check at a moment inside the certificate's validity period.
        cfg = _pinned(config, location, xmlsig.within_validity(now, candidate.cert))
        try:
            result = verifier().verify(data, x509_cert=candidate.cert, id_attribute="ID",
                                       parser=xmlsafe.make_parser(), validate_schema=True,
                                       expect_config=cfg)
        except Exception as exc:  # noqa: BLE001 -- translation boundary: any failure is a finding
            errors.append((candidate, exc))
            continue
        signed = result.signed_xml
        if (signed is None or signed.tag != consumed.tag
                or signed.get("ID") != consumed.get("ID")):
            return _Outcome(None, None, (finding(
                "SIG_WRONG_ELEMENT", f"the {what} signature is valid but covers another element, "
                "not the one that would be read", expected=f"#{consumed.get('ID')}",
                received=f"#{signed.get('ID')}" if signed is not None else "(unparseable)"),))
        return _Outcome(signed, candidate, ())
    failure = translate(errors, embedded, what)
    _forget_tracebacks(exc for _, exc in errors)
    return _Outcome(None, None, (failure,))


def _forget_tracebacks(errors) -> None:  # noqa: ANN001 -- an iterable of exceptions
    """Drop the tracebacks of signxml's exceptions and of those they were raised from:
    their frames refer back to the exceptions (reference cycles holding the parsed
    documents) that only the cycle collector frees, and only when it next runs. Breaking
    them here frees each document at once: a capture of 1,000 failing responses would
    otherwise hold many of them until a collection."""
    pending, seen = list(errors), set()
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = None
        pending += [exc.__cause__, exc.__context__]


def _validity(cert: "x509.Certificate", now: dt.datetime, allow: bool) -> list[Finding]:
    """D32: the trusted certificate must be valid at ``now`` (override: warning)."""
    now = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    severity = Severity.WARNING if allow else None
    note = " (checked anyway: --allow-expired-cert)" if allow else ""
    if now > cert.not_valid_after_utc:
        day = cert.not_valid_after_utc.strftime("%Y-%m-%d")
        return [finding("SIG_CERT_EXPIRED", f"certificate expired {day}{note}",
                        field="Certificate", received=cert.not_valid_after_utc.isoformat(),
                        severity=severity)]
    if now < cert.not_valid_before_utc:
        day = cert.not_valid_before_utc.strftime("%Y-%m-%d")
        return [finding("SIG_CERT_NOT_YET_VALID", f"certificate is valid only from {day}{note}",
                        field="Certificate", received=cert.not_valid_before_utc.isoformat(),
                        severity=severity)]
    return []


def _decrypt(root: "etree._Element", encrypted: "etree._Element", sp_key_pem: bytes | None):
    """``(doc_xml, doc_root, decrypted_assertion | None, findings)``."""
    from lxml import etree

    from ssoctl.saml import decrypt

    if sp_key_pem is None:
        return b"", root, None, [finding("SIG_ENCRYPTED_NO_KEY", "the Assertion is encrypted; "
                                          "pass the SP private key with --sp-key to read it")]
    try:
        key = decrypt.load_private_key(sp_key_pem)
    except decrypt.DecryptError as exc:
        raise InputError(str(exc), hint="give the SP's unencrypted PEM private key with --sp-key",
                         code="SP_KEY_INVALID") from None
    try:
        assertion = decrypt.decrypt_assertion(encrypted, key)
    except decrypt.DecryptError as exc:
        return b"", root, None, [finding("SIG_DECRYPT_FAILED", str(exc))]
    # Rebuild the document with the plaintext Assertion in place, from bytes, so what is
    # verified and what is read are the same parse.
    copy = xmlsafe.parse(etree.tostring(root), what="SAML response")
    target = copy.find(policy.ENCRYPTED_ASSERTION)
    target.addprevious(assertion)
    copy.remove(target)
    doc_xml = etree.tostring(copy)
    doc_root = xmlsafe.parse(doc_xml, what="decrypted SAML response")
    return doc_xml, doc_root, doc_root.find(policy.ASSERTION), []


__all__ = ["Verification", "embedded_certificates", "verify_response"]
