"""Checks on a SAML Response's shape and its signatures that need no key.

These run before any cryptography and even without a trust anchor (the safe signxml
call of docs/threat-model.md, "Signatures"): the root is ``samlp:Response``; there is
exactly one Assertion (plain or encrypted), a direct child of the root; each
``ds:Signature`` sits directly under the Response or that Assertion, at most one each;
every signature has exactly one
``SignedInfo`` and one ``Reference`` pointing at its own parent; algorithms and transforms
are on the allowlist. Each function returns findings; none raises for hostile input.
"""

from typing import TYPE_CHECKING, NamedTuple

from ssoctl.findings import Finding, Severity, finding
from ssoctl import xmlsig
from ssoctl.xmlsafe import first_child, local_name, qname, text_of

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

RESPONSE = qname("samlp", "Response")
ASSERTION = qname("saml", "Assertion")
ENCRYPTED_ASSERTION = qname("saml", "EncryptedAssertion")
SIGNATURE = qname("ds", "Signature")
_DS = "{http://www.w3.org/2000/09/xmldsig#}"

#: The algorithm and transform allowlists are :mod:`ssoctl.xmlsig`'s, shared with the
#: metadata signature check.
short_name = xmlsig.short_name


class SignatureFacts(NamedTuple):
    """What one ``ds:Signature`` claims, read without trusting it."""

    element: "etree._Element"
    parent: "etree._Element"
    reference_uri: str | None
    signature_method: str | None
    digest_method: str | None
    transforms: tuple[str, ...]
    c14n_method: str | None


def consumed_assertion(root: "etree._Element") -> "etree._Element | None":
    """The Assertion a reader would consume: the first direct ``saml:Assertion`` child."""
    return first_child(root, ASSERTION)


def check_structure(root: "etree._Element") -> tuple[Finding, ...]:
    """Root element, signature placement (C9-C19). The Assertion count is separate
    (:func:`check_assertion_count`) so the mutation test (C31) can switch it off."""
    out: list[Finding] = []
    if root.tag != RESPONSE:
        out.append(finding("SIG_WRONG_ROOT", f"root element is {_local(root)}, not samlp:Response",
                           expected="samlp:Response", received=_local(root)))
        return tuple(out)
    # The elements themselves, not their id(): lxml makes a new Python proxy for an
    # element each time one is asked for and frees it when unused, so an id() kept
    # after the proxy is gone can come back for another element (a misplaced signature
    # would then pass as well placed, now and then). Held here, the proxies stay the
    # same objects, and `is` compares elements.
    allowed = [root, *(child for child in root if child.tag == ASSERTION)]
    seen: list["etree._Element"] = []
    for sig in root.iter(SIGNATURE):
        parent = sig.getparent()
        if parent is None or not any(parent is element for element in allowed):
            where = _local(parent) if parent is not None else "document"
            out.append(finding("SIG_MISPLACED_SIGNATURE",
                               f"a ds:Signature sits inside {where}, not directly under the "
                               "Response or the Assertion"))
            continue
        if any(parent is element for element in seen):
            out.append(finding("SIG_MISPLACED_SIGNATURE",
                               f"{_local(parent)} carries more than one ds:Signature"))
        seen.append(parent)
    return tuple(out)


def check_assertion_count(root: "etree._Element") -> tuple[Finding, ...]:
    """Exactly one Assertion (plain or encrypted) anywhere, and it is a direct child."""
    if root.tag != RESPONSE:
        return ()
    anywhere = [el for el in root.iter(ASSERTION, ENCRYPTED_ASSERTION)]
    if len(anywhere) > 1:
        return (finding("SIG_MULTIPLE_ASSERTIONS",
                        f"the message holds {len(anywhere)} Assertions; Okta sends exactly one",
                        expected="1", received=str(len(anywhere))),)
    if anywhere and anywhere[0].getparent() is not root:
        return (finding("SIG_MISPLACED_ASSERTION",
                        f"the Assertion sits inside {_local(anywhere[0].getparent())}, not directly "
                        "under samlp:Response"),)
    return ()


def unsigned(*, stray: bool = False) -> Finding:
    """SIG_UNSIGNED: an Assertion no signature covers. Said the same way with or without
    a trust anchor: no certificate can make such a message acceptable."""
    if stray:
        return finding("SIG_UNSIGNED", "no signature covers the Assertion: the only "
                       "signatures sit in unexpected places")
    return finding("SIG_UNSIGNED", "neither the Response nor the Assertion is signed: sipgate "
                   "(like any SP) rejects this login, and the user in it could have been "
                   "written by anyone, so it is not shown")


def nothing_to_verify() -> Finding:
    """An unsigned message without an Assertion (e.g. an error Response): there is nothing
    a certificate could check, so this is a note, and --cert would not help."""
    return finding("SIG_NOT_VERIFIED", "the message carries no signature and no assertion: "
                   "nothing to verify", severity=Severity.INFO,
                   hint="nothing to do about the signature; the Status says why the login "
                        "failed")


def signature_of(element: "etree._Element") -> "etree._Element | None":
    """The ``ds:Signature`` directly under ``element``, if any."""
    return first_child(element, SIGNATURE)


def read_signature(sig: "etree._Element") -> SignatureFacts:
    """Read algorithms and the reference from a signature without trusting any of it."""
    info = first_child(sig, _DS + "SignedInfo")
    ref = first_child(info, _DS + "Reference") if info is not None else None
    transforms: tuple[str, ...] = ()
    digest = None
    if ref is not None:
        transforms = tuple(t.get("Algorithm") or ""
                           for group in ref.iterchildren(_DS + "Transforms")
                           for t in group.iterchildren(_DS + "Transform"))
        dm = first_child(ref, _DS + "DigestMethod")
        digest = dm.get("Algorithm") if dm is not None else None
    sm = first_child(info, _DS + "SignatureMethod") if info is not None else None
    cm = first_child(info, _DS + "CanonicalizationMethod") if info is not None else None
    return SignatureFacts(
        element=sig, parent=sig.getparent(),
        reference_uri=ref.get("URI") if ref is not None else None,
        signature_method=sm.get("Algorithm") if sm is not None else None,
        digest_method=digest, transforms=transforms,
        c14n_method=cm.get("Algorithm") if cm is not None else None)


def check_signature(facts: SignatureFacts, *, allow_sha1: bool) -> tuple[Finding, ...]:
    """Shape, reference target, algorithms and transforms of one signature (C20, C24-C28)."""
    sig, out = facts.element, []
    # iterchildren/iter match the tag in C (no path parsing); sig is a ds:Signature, so
    # sig.iter(tag) finds exactly the descendants ".//tag" would.
    signed_infos = list(sig.iterchildren(_DS + "SignedInfo"))
    if len(signed_infos) != 1:
        out.append(finding("SIG_MALFORMED", f"the signature has {len(signed_infos)} SignedInfo "
                           "elements; exactly one is allowed"))
        return tuple(out)
    if sum(1 for _ in sig.iter(_DS + "SignedInfo")) != 1:
        out.append(finding("SIG_MALFORMED", "a second SignedInfo is hidden inside the signature"))
        return tuple(out)
    references = list(signed_infos[0].iterchildren(_DS + "Reference"))
    if len(references) != 1:
        out.append(finding("SIG_MALFORMED", f"the signature has {len(references)} references; "
                           "exactly one is expected"))
    value = first_child(sig, _DS + "SignatureValue")
    if value is None or not "".join((text_of(value) or "").split()):
        out.append(finding("SIG_MALFORMED", "the SignatureValue is empty or missing"))
    for node in sig.iter(_DS + "DigestValue"):
        if any(not isinstance(child.tag, str) for child in node.iter()) or len(node):
            out.append(finding("SIG_MALFORMED", "a DigestValue contains a comment or child element"))
            break
    own_id = facts.parent.get("ID") if facts.parent is not None else None
    if facts.reference_uri is not None and own_id and facts.reference_uri != f"#{own_id}":
        out.append(finding("SIG_WRONG_ELEMENT",
                           f"the {_local(facts.parent)} signature refers to another element, not to "
                           f"the {_local(facts.parent)} it sits in",
                           expected=f"#{own_id}", received=facts.reference_uri))
    elif facts.reference_uri is not None and not facts.reference_uri.startswith("#"):
        out.append(finding("SIG_WRONG_ELEMENT", "the signature reference is not a same-document "
                           "#ID reference", received=facts.reference_uri or "(empty)"))
    out.extend(_check_algorithms(facts, allow_sha1=allow_sha1))
    allowed = xmlsig.policy()
    for algorithm in facts.transforms:
        if algorithm not in allowed.transforms:
            out.append(finding("SIG_TRANSFORM_NOT_ALLOWED",
                               f"transform {algorithm or '(none)'} is not allowed",
                               expected="enveloped-signature, exclusive c14n",
                               received=algorithm or "(empty)"))
    if facts.c14n_method not in allowed.c14n_methods:
        out.append(finding("SIG_TRANSFORM_NOT_ALLOWED",
                           f"canonicalization {facts.c14n_method or '(none)'} is not allowed",
                           expected="exclusive c14n", received=facts.c14n_method or "(missing)"))
    return tuple(out)


def _check_algorithms(facts: SignatureFacts, *, allow_sha1: bool) -> list[Finding]:
    out: list[Finding] = []
    sha1_parts = []
    sm, dm = facts.signature_method, facts.digest_method
    allowed = xmlsig.policy()
    if sm in allowed.sha1_signature_methods:
        sha1_parts.append(f"Signature Algorithm {short_name(sm)}")
    elif sm not in allowed.signature_methods:
        out.append(finding("SIG_ALGORITHM_NOT_ALLOWED",
                           f"signature algorithm {short_name(sm) or '(missing)'} is not accepted",
                           field="Signature Algorithm", expected="rsa-sha256",
                           received=sm or "(missing)"))
    if dm in allowed.sha1_digests:
        sha1_parts.append(f"Digest Algorithm {short_name(dm)}")
    elif dm not in allowed.digests:
        out.append(finding("SIG_ALGORITHM_NOT_ALLOWED",
                           f"digest algorithm {short_name(dm) or '(missing)'} is not accepted",
                           field="Digest Algorithm", expected="sha256", received=dm or "(missing)"))
    if sha1_parts:
        note = " (verified anyway: --allow-sha1)" if allow_sha1 else ""
        out.append(finding("SIG_SHA1", f"the {_local(facts.parent)} is signed with SHA-1: "
                           + ", ".join(sha1_parts) + note,
                           field="Signature Algorithm / Digest Algorithm",
                           expected="RSA_SHA256 / SHA256", received=", ".join(sha1_parts),
                           severity=Severity.WARNING if allow_sha1 else None))
    return out


def _count_ids_xpath():
    from lxml import etree

    return etree.XPath("count(//@*[.=$wanted][local-name()='ID' or local-name()='Id' or "
                       "local-name()='id'])")


class _LazyXPath:
    """Compile the XPath on first use (keeps ``import ssoctl.saml.policy`` free of lxml)."""

    def __init__(self, factory):
        self._factory, self._compiled = factory, None

    def __call__(self, root, **variables):
        if self._compiled is None:
            self._compiled = self._factory()
        return self._compiled(root, **variables)


_COUNT_IDS = _LazyXPath(_count_ids_xpath)


def check_duplicate_ids(root: "etree._Element", wanted: str) -> tuple[Finding, ...]:
    """The referenced ID must occur once, in any ``ID``/``Id``/``*:ID`` attribute (C26)."""
    # XPath runs in C: this check costs almost nothing even on large messages.
    count = int(_COUNT_IDS(root, wanted=wanted))
    if count > 1:
        return (finding("SIG_DUPLICATE_ID", f"ID {wanted} occurs {count} times in the message",
                        expected="1", received=str(count)),)
    return ()


def check_nameid_comments(assertion: "etree._Element | None") -> tuple[Finding, ...]:
    """A comment (or processing instruction) inside NameID: report it with the full
    value, as the signer saw it (docs/threat-model.md, "Signatures")."""
    if assertion is None:
        return ()
    out = []
    for nid in assertion.iter(qname("saml", "NameID")):
        if any(not isinstance(node.tag, str) for node in nid.iter()):
            out.append(finding("SIG_COMMENT_IN_NAMEID",
                               "the NameID contains an XML comment or processing "
                               "instruction; its full value is "
                               f"{text_of(nid)!r}", field="NameID", received=text_of(nid)))
    return tuple(out)


def _local(el: "etree._Element | None") -> str:
    if el is None or not isinstance(el.tag, str):
        return "(none)"
    local = local_name(el)
    prefix = {"urn:oasis:names:tc:SAML:2.0:protocol": "samlp",
              "urn:oasis:names:tc:SAML:2.0:assertion": "saml",
              "http://www.w3.org/2000/09/xmldsig#": "ds"}.get(el.tag[1:].split("}")[0] if
                                                             el.tag.startswith("{") else "")
    return f"{prefix}:{local}" if prefix else local
