"""Synthetic federation aggregates (EntitiesDescriptor) of any size, for tests and benchmarks.

Shaped like a research and education federation's published file: one
``md:EntitiesDescriptor`` with ``validUntil``, thousands of ``md:EntityDescriptor``s, most
of them SPs, about one in ten an IdP, each with a real 2048-bit certificate (a few keys
are reused: making 60,000 keys would take longer than the benchmark).
"""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path
from typing import Iterator

from ssoctl.rehearsal import pki

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        'xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" '
        'Name="urn:example:federation" validUntil="2036-01-01T00:00:00Z">\n')
TAIL = "</md:EntitiesDescriptor>\n"
B = "urn:oasis:names:tc:SAML:2.0:bindings:"


def _bodies(count: int = 4) -> list[str]:
    out = []
    for n in range(count):
        cert = pki.certificate(pki.cached_rsa_key(f"aggregate-{n}"), pki.simple_name(f"idp {n}"))
        body = base64.b64encode(pki.cert_der(cert)).decode("ascii")
        out.append("\n".join(textwrap.wrap(body, 64)))
    return out


def idp_id(n: int) -> str:
    return f"https://idp{n}.uni.example.edu/idp/shibboleth"


def entity(n: int, cert_body: str, *, idp: bool) -> str:
    """One member's EntityDescriptor (an IdP when ``idp``)."""
    name = f"<mdui:UIInfo><mdui:DisplayName xml:lang=\"en\">Member {n}</mdui:DisplayName></mdui:UIInfo>"
    key = (f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n'
           f"{cert_body}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>")
    if idp:
        eid = idp_id(n)
        return (f'<md:EntityDescriptor entityID="{eid}"><md:IDPSSODescriptor '
                f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
                f"<md:Extensions>{name}</md:Extensions>{key}"
                "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
                "</md:NameIDFormat>"
                f'<md:SingleSignOnService Binding="{B}HTTP-Redirect" '
                f'Location="https://idp{n}.uni.example.edu/idp/profile/SAML2/Redirect/SSO"/>'
                f'<md:SingleSignOnService Binding="{B}HTTP-POST" '
                f'Location="https://idp{n}.uni.example.edu/idp/profile/SAML2/POST/SSO"/>'
                "</md:IDPSSODescriptor></md:EntityDescriptor>\n")
    eid = f"https://sp{n}.example.org/shibboleth"
    return (f'<md:EntityDescriptor entityID="{eid}"><md:SPSSODescriptor '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f"<md:Extensions>{name}</md:Extensions>{key}"
            f'<md:AssertionConsumerService Binding="{B}HTTP-POST" '
            f'Location="https://sp{n}.example.org/Shibboleth.sso/SAML2/POST" index="1"/>'
            "</md:SPSSODescriptor></md:EntityDescriptor>\n")


def pieces(entities: int, *, idp_every: int = 10, last_idp: bool = True) -> Iterator[str]:
    """The document in pieces: entity ``n`` is an IdP when ``n % idp_every == 0``; with
    ``last_idp`` the very last entity is an IdP too (the worst case for a streamed search)."""
    bodies = _bodies()
    yield HEAD
    for n in range(entities):
        is_idp = n % idp_every == 0 or (last_idp and n == entities - 1)
        yield entity(n, bodies[n % len(bodies)], idp=is_idp)
    yield TAIL


def write(path: Path, entities: int, **kwargs) -> Path:
    """Write an aggregate of ``entities`` members to ``path`` (about 1.6 KB per member)."""
    with open(path, "w", encoding="utf-8") as out:
        for piece in pieces(entities, **kwargs):
            out.write(piece)
    return path


def sign(source: Path, target: Path, key, cert) -> Path:
    """Write ``source`` to ``target`` with an enveloped RSA-SHA256 signature over the root
    (exclusive canonicalization, ``Reference URI=""``, the signer's certificate in
    KeyInfo), placed as the root's first child as federations publish it.

    Built with lxml and cryptography directly, not signxml: signing a 100 MB document
    with signxml holds several copies of it; this holds the tree and one canonical form.
    The signature is what any XML-DSig verifier (xmlsec1, signxml) checks.
    """
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from lxml import etree

    ds = "http://www.w3.org/2000/09/xmldsig#"
    exc = "http://www.w3.org/2001/10/xml-exc-c14n#"
    tree = etree.parse(str(source), etree.XMLParser(huge_tree=False, resolve_entities=False))
    root = tree.getroot()
    # The enveloped-signature transform removes the Signature element again, so the digest
    # is that of the document as it is now (the signature goes in with no tail text).
    digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True)).digest()

    def el(parent, name, **attrib):
        return etree.SubElement(parent, f"{{{ds}}}{name}", attrib) if parent is not None \
            else etree.Element(f"{{{ds}}}{name}", attrib, nsmap={"ds": ds})

    signature = el(None, "Signature")
    info = el(signature, "SignedInfo")
    el(info, "CanonicalizationMethod", Algorithm=exc)
    el(info, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    ref = el(info, "Reference", URI="")
    transforms = el(ref, "Transforms")
    el(transforms, "Transform", Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    el(transforms, "Transform", Algorithm=exc)
    el(ref, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    el(ref, "DigestValue").text = base64.b64encode(digest).decode("ascii")
    value = el(signature, "SignatureValue")
    x509_cert = el(el(el(signature, "KeyInfo"), "X509Data"), "X509Certificate")
    x509_cert.text = base64.b64encode(pki.cert_der(cert)).decode("ascii")
    root.insert(0, signature)
    signed_info = etree.tostring(info, method="c14n", exclusive=True)
    value.text = base64.b64encode(key.sign(signed_info, padding.PKCS1v15(),
                                           hashes.SHA256())).decode("ascii")
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target
