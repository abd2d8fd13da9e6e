"""Tampered SAML responses for tests and for users who want to see ssoctl refuse them.

Every builder starts from a *legitimately signed* response (``samlgen.response``) and
changes it the way a published attack does (docs/threat-model.md, "Signatures"; XSW variants after
SAMLRaider's ``XSWHelpers`` and Somorovsky et al., USENIX Security 2012). "Evil" means
the NameID (and e-mail attribute) changed to :data:`EVIL`. Builders take and return
bytes; :data:`ATTACKS` lists them with the signing mode each one needs. The XSW builders
and the shared helpers live in :mod:`support.xsw` and stay importable from here.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
from functools import lru_cache
from typing import Callable

from lxml import etree

from ssoctl import xmlsafe
from ssoctl.rehearsal import pki, samlgen
from support.xsw import (EVIL, NS, SIGNATURE, _DS, _assertion, _out,
                                 _parse, _strip_sig, foreign_root, hidden_in_extensions,
                                 make_evil, multiple_assertions, xsw1, xsw2, xsw3, xsw4, xsw5,
                                 xsw6, xsw6_object, xsw7, xsw8)


# ------------------------------------------------------------ signature tampering (C20-C29)


def strip_signature(xml: bytes) -> bytes:
    """C20: every ds:Signature removed, NameID changed."""
    root = _parse(xml)
    for sig in list(root.iter(SIGNATURE)):
        sig.getparent().remove(sig)
    make_evil(root)
    return _out(root)


def empty_signature_value(xml: bytes) -> bytes:
    """C20 (FusionAuth CVE-2020-12676 shape): SignatureValue emptied, NameID changed."""
    root = _parse(xml)
    for value in root.iter(_DS + "SignatureValue"):
        value.text = ""
    make_evil(root)
    return _out(root)


def fake_certificate(xml: bytes, *, now: dt.datetime | None = None) -> bytes:
    """C21: NameID changed and re-signed with an attacker key, attacker certificate in KeyInfo."""
    root = _parse(xml)
    assertion = _assertion(root)
    _strip_sig(assertion)
    make_evil(assertion)
    key, cert = attacker()
    return samlgen.sign_element(_out(root), key=key, cert=cert, target="assertion")


def keyvalue_mismatch(xml: bytes) -> bytes:
    """C22: an attacker RSAKeyValue added next to the genuine X509Data; NameID changed."""
    root = _parse(xml)
    assertion = _assertion(root)
    make_evil(assertion)
    numbers = attacker()[0].public_key().public_numbers()
    key_info = assertion.find(f"{SIGNATURE}/{_DS}KeyInfo")
    key_value = etree.SubElement(key_info, _DS + "KeyValue")
    rsa_value = etree.SubElement(key_value, _DS + "RSAKeyValue")
    etree.SubElement(rsa_value, _DS + "Modulus").text = _b64int(numbers.n)
    etree.SubElement(rsa_value, _DS + "Exponent").text = _b64int(numbers.e)
    return _out(root)


def comment_in_nameid(*, now: dt.datetime) -> bytes:
    """C23: ``admin@example.com.evil.com`` legitimately signed, then ``<!---->`` after ``.com``."""
    xml = samlgen.response(now=now, name_id="admin@example.com.evil.com")
    root = _parse(xml)
    nid = root.find("saml:Assertion/saml:Subject/saml:NameID", NS)
    nid.text = "admin@example.com"
    nid.append(etree.Comment(""))
    nid[-1].tail = ".evil.com"
    return _out(root)


def comment_in_digest(xml: bytes) -> bytes:
    """C24 (xml-crypto CVE-2025-29775): a comment inside DigestValue; NameID changed."""
    root = _parse(xml)
    make_evil(root)
    value = root.find(f".//{_DS}DigestValue")
    value.append(etree.Comment("x"))
    value[-1].tail = ""
    return _out(root)


def two_signed_infos(xml: bytes) -> bytes:
    """C24 (CVE-2025-29774): a second SignedInfo next to the first; NameID changed."""
    root = _parse(xml)
    make_evil(root)
    info = root.find(f".//{_DS}SignedInfo")
    info.addnext(copy.deepcopy(info))
    return _out(root)


def wrapped_signed_info(xml: bytes) -> bytes:
    """C24: the genuine SignedInfo wrapped inside another SignedInfo; NameID changed."""
    root = _parse(xml)
    make_evil(root)
    info = root.find(f".//{_DS}SignedInfo")
    outer = copy.deepcopy(info)
    info.addprevious(outer)
    outer.append(info)
    return _out(root)


def stray_digest(xml: bytes) -> bytes:
    """C25 (CVE-2024-45409 shape): Assertion changed, matching DigestValue put in StatusDetail."""
    root = _parse(xml)
    assertion = _assertion(root)
    make_evil(assertion)
    # Digest of the evil Assertion exactly as the signer computes it.
    probe = copy.deepcopy(assertion)
    _strip_sig(probe)
    import hashlib

    c14n = etree.tostring(probe, method="c14n", exclusive=True, inclusive_ns_prefixes=["xs"])
    status = root.find("samlp:Status", NS)
    detail = etree.SubElement(status, xmlsafe.qname("samlp", "StatusDetail"))
    etree.SubElement(detail, _DS + "DigestValue").text = \
        base64.b64encode(hashlib.sha256(c14n).digest()).decode()
    return _out(root)


def duplicate_id(xml: bytes, attribute: str = "ID") -> bytes:
    """C26: a second element carrying the signed Assertion's ID in ``attribute``
    (``ID``, ``{urn:x}ID`` or the decoy ``Id``), with evil content."""
    root = _parse(xml)
    signed = _assertion(root)
    decoy = etree.Element(xmlsafe.qname("samlp", "StatusDetail"))
    decoy.set(attribute, signed.get("ID"))
    decoy.text = EVIL
    root.find("samlp:Status", NS).append(decoy)
    return _out(root)


def resign(xml: bytes, mutate: Callable[[etree._Element], None], *, key=None,
           hmac_key: bytes | None = None, signature_method: str | None = None,
           signature: Callable[[etree._Element], etree._Element] | None = None) -> bytes:
    """Apply ``mutate`` to a signature's SignedInfo and compute a fresh SignatureValue.

    The signature is the Assertion's unless ``signature`` picks another (given the root).
    The genuine IdP key is used by default: these fixtures model an IdP (or a
    misconfigured signer) producing a signature ssoctl must still refuse.
    """
    import hmac
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    root = _parse(xml)
    sig = signature(root) if signature is not None else _assertion(root).find(SIGNATURE)
    info = sig.find(_DS + "SignedInfo")
    mutate(info)
    if signature_method:
        info.find(_DS + "SignatureMethod").set("Algorithm", signature_method)
    c14n = etree.tostring(info, method="c14n", exclusive=True)
    if hmac_key is not None:
        value = hmac.new(hmac_key, c14n, hashlib.sha256).digest()
    else:
        value = (key or samlgen.default_idp()[0]).sign(c14n, padding.PKCS1v15(), hashes.SHA256())
    sig.find(_DS + "SignatureValue").text = base64.b64encode(value).decode()
    return _out(root)


def _add_transform(algorithm: str, child: etree._Element | None = None):
    def mutate(info: etree._Element) -> None:
        transforms = info.find(f"{_DS}Reference/{_DS}Transforms")
        transform = etree.SubElement(transforms, _DS + "Transform", Algorithm=algorithm)
        if child is not None:
            transform.append(child)
    return mutate


def xslt_transform(xml: bytes) -> bytes:
    """C27: an XSLT transform whose stylesheet calls ``document('http://127.0.0.1:9/')``."""
    xsl = "http://www.w3.org/1999/XSL/Transform"
    sheet = etree.Element(f"{{{xsl}}}stylesheet", nsmap={"xsl": xsl}, version="1.0")
    tpl = etree.SubElement(sheet, f"{{{xsl}}}template", match="/")
    etree.SubElement(tpl, f"{{{xsl}}}copy-of", select="document('http://127.0.0.1:9/')")
    return resign(xml, _add_transform("http://www.w3.org/TR/1999/REC-xslt-19991116", sheet))


def xpath_transform(xml: bytes) -> bytes:
    """C27: an XPath filter transform."""
    xpath = etree.Element(_DS + "XPath")
    xpath.text = "not(ancestor-or-self::saml:NameID)"
    return resign(xml, _add_transform("http://www.w3.org/TR/1999/REC-xpath-19991116", xpath))


def with_comments_transform(xml: bytes) -> bytes:
    """C27: the reference canonicalized ``#WithComments``."""
    def mutate(info: etree._Element) -> None:
        for transform in info.iter(_DS + "Transform"):
            if transform.get("Algorithm", "").startswith("http://www.w3.org/2001/10/xml-exc-c14n#"):
                transform.set("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#WithComments")
    return resign(xml, mutate)


def hmac_with_certificate(xml: bytes) -> bytes:
    """C28 (GHSA-6vx8-pcwv-xhf4 shape): NameID changed, HMAC-SHA256 keyed with the public
    certificate's PEM, digest recomputed."""
    evil = _recompute_digest(_evil_bytes(xml))
    pem = pki.cert_pem(samlgen.default_idp()[1]).encode()
    return resign(evil, lambda info: None, hmac_key=pem,
                  signature_method="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")


def md5_signature(xml: bytes) -> bytes:
    """C28: SignatureMethod rsa-md5 and an md5 DigestMethod."""
    def mutate(info: etree._Element) -> None:
        info.find(f".//{_DS}DigestMethod").set("Algorithm",
                                               "http://www.w3.org/2001/04/xmldsig-more#md5")
    return resign(xml, mutate, signature_method="http://www.w3.org/2001/04/xmldsig-more#rsa-md5")


def unknown_algorithm(xml: bytes) -> bytes:
    """C28: a SignatureMethod URI nobody knows."""
    return resign(xml, lambda info: None, signature_method="urn:example:made-up-signature")


def relative_namespace(xml: bytes) -> bytes:
    """C29 ("void canonicalization"): ``xmlns:rel="relative/uri"`` on the Assertion; NameID changed."""
    text = _evil_bytes(xml)
    return text.replace(b"<saml2:Assertion ", b'<saml2:Assertion xmlns:rel="relative/uri" ', 1)


def prefix_rebinding(xml: bytes) -> bytes:
    """C29 (guess): the saml2 prefix rebound to another namespace around the NameID."""
    text = _evil_bytes(xml)
    return text.replace(b"<saml2:Subject>", b'<saml2:Subject xmlns:saml2="urn:example:evil">', 1)


# ------------------------------------------------------------------- helpers


def _evil_bytes(xml: bytes) -> bytes:
    root = _parse(xml)
    make_evil(_assertion(root))
    return _out(root)


def _recompute_digest(xml: bytes) -> bytes:
    import hashlib

    root = _parse(xml)
    assertion = _assertion(root)
    probe = _strip_sig(copy.deepcopy(assertion))
    c14n = etree.tostring(probe, method="c14n", exclusive=True, inclusive_ns_prefixes=["xs"])
    assertion.find(f".//{_DS}DigestValue").text = base64.b64encode(
        hashlib.sha256(c14n).digest()).decode()
    return _out(root)


def _b64int(value: int) -> str:
    return base64.b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode()


@lru_cache(maxsize=1)
def attacker():
    """The attacker's (key, self-signed Okta-looking certificate)."""
    return pki.okta_certificate(pki.cached_rsa_key("attacker"))


#: name -> (signing mode of the legitimate response, builder, attack class)
ATTACKS: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "xsw1": ("response", xsw1, "C9"),
    "xsw2": ("response", xsw2, "C10"),
    "xsw3": ("assertion", xsw3, "C11"),
    "xsw4": ("assertion", xsw4, "C12"),
    "xsw5": ("assertion", xsw5, "C13"),
    "xsw6": ("assertion", xsw6, "C14"),
    "xsw6-object": ("assertion", xsw6_object, "C14"),
    "xsw7": ("assertion", xsw7, "C15"),
    "xsw8": ("assertion", xsw8, "C16"),
    "hidden-in-extensions": ("assertion", hidden_in_extensions, "C17"),
    "multiple-assertions": ("assertion", multiple_assertions, "C18"),
    "foreign-root": ("response", foreign_root, "C19"),
    "strip-signature": ("assertion", strip_signature, "C20"),
    "strip-both-signatures": ("both", strip_signature, "C20"),
    "empty-signature-value": ("assertion", empty_signature_value, "C20"),
    "fake-certificate": ("assertion", fake_certificate, "C21"),
    "keyvalue-mismatch": ("assertion", keyvalue_mismatch, "C22"),
    "comment-in-digest": ("assertion", comment_in_digest, "C24"),
    "two-signed-infos": ("assertion", two_signed_infos, "C24"),
    "wrapped-signed-info": ("assertion", wrapped_signed_info, "C24"),
    "stray-digest": ("assertion", stray_digest, "C25"),
    "duplicate-id": ("assertion", duplicate_id, "C26"),
    "duplicate-namespaced-id": ("assertion", lambda x: duplicate_id(x, "{urn:x}ID"), "C26"),
    "decoy-Id": ("assertion", lambda x: duplicate_id(x, "Id"), "C26"),
    "xslt-transform": ("assertion", xslt_transform, "C27"),
    "xpath-transform": ("assertion", xpath_transform, "C27"),
    "with-comments-transform": ("assertion", with_comments_transform, "C27"),
    "hmac-with-certificate": ("assertion", hmac_with_certificate, "C28"),
    "md5": ("assertion", md5_signature, "C28"),
    "unknown-algorithm": ("assertion", unknown_algorithm, "C28"),
    "relative-namespace": ("assertion", relative_namespace, "C29"),
    "prefix-rebinding": ("assertion", prefix_rebinding, "C29"),
}


# ------------------------------------------------------------ the signature policy
# SignedInfo changes that a validly re-signed signature may still not use: the one policy
# (ssoctl/xmlsig.py) refuses each of them for SAML responses and IdP metadata alike.

_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"


def _c14n_with_comments(info: etree._Element) -> None:
    info.find(_DS + "CanonicalizationMethod").set("Algorithm", _WITH_COMMENTS)


def _transforms_with_comments(info: etree._Element) -> None:
    for transform in info.iter(_DS + "Transform"):
        if transform.get("Algorithm", "").startswith("http://www.w3.org/2001/10/xml-exc-c14n#"):
            transform.set("Algorithm", _WITH_COMMENTS)


def _xslt(info: etree._Element) -> None:
    xsl = "http://www.w3.org/1999/XSL/Transform"
    sheet = etree.Element(f"{{{xsl}}}stylesheet", nsmap={"xsl": xsl}, version="1.0")
    etree.SubElement(etree.SubElement(sheet, f"{{{xsl}}}template", match="/"),
                     f"{{{xsl}}}copy-of", select="document('http://127.0.0.1:9/')")
    _add_transform("http://www.w3.org/TR/1999/REC-xslt-19991116", sheet)(info)


def _xpath(info: etree._Element) -> None:
    xpath = etree.Element(_DS + "XPath")
    xpath.text = "not(ancestor-or-self::*[local-name()='NameID'])"
    _add_transform("http://www.w3.org/TR/1999/REC-xpath-19991116", xpath)(info)


def _digest(algorithm: str) -> Callable[[etree._Element], None]:
    def mutate(info: etree._Element) -> None:
        info.find(f".//{_DS}DigestMethod").set("Algorithm", algorithm)
    return mutate


#: name -> (SignedInfo change, SignatureMethod URI or None, what refuses it).
POLICY_ATTACKS: dict[str, tuple[Callable[[etree._Element], None], str | None, str]] = {
    "xslt-transform": (_xslt, None, "transform"),
    "xpath-transform": (_xpath, None, "transform"),
    "with-comments-transform": (_transforms_with_comments, None, "transform"),
    "with-comments-c14n": (_c14n_with_comments, None, "transform"),
    "md5": (_digest("http://www.w3.org/2001/04/xmldsig-more#md5"),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5", "algorithm"),
    "unknown-algorithm": (lambda info: None, "urn:example:made-up-signature", "algorithm"),
    "sha224": (_digest("http://www.w3.org/2001/04/xmldsig-more#sha224"),
               "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224", "algorithm"),
}


def policy_attack(name: str, xml: bytes, *, key=None,
                  signature: Callable[[etree._Element], etree._Element] | None = None) -> bytes:
    """``xml`` (a signed response, or signed metadata with ``signature`` picking the root's
    signature and ``key`` its signer's key) with the SignedInfo change ``name`` of
    :data:`POLICY_ATTACKS`, validly re-signed."""
    mutate, method, _refused_as = POLICY_ATTACKS[name]
    return resign(xml, mutate, key=key, signature_method=method, signature=signature)


def build(name: str, *, now: dt.datetime) -> bytes:
    """The attack ``name`` from :data:`ATTACKS`, built on a fresh legitimate response."""
    sign, builder, _item = ATTACKS[name]
    return builder(samlgen.response(now=now, sign=sign))
