"""Sign and encrypt SAML messages the way Okta does, with throw-away test keys.

The signing and encryption half of :mod:`ssoctl.rehearsal.samlgen` (which builds the
messages and re-exports everything here): exclusive c14n with ``InclusiveNamespaces
PrefixList="xs"`` on the reference, rsa-sha256 + sha256 by default, the certificate in
``KeyInfo`` as one unbroken base64 line, the signature right after the ``Issuer``.

Nothing here is secure or secret: it exists to exercise ssoctl.
"""

from __future__ import annotations

import base64
import os
import secrets

from lxml import etree

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

#: Short names accepted for ``digest=`` and ``signature=``.
DIGESTS = {
    "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
    "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "sha512": "http://www.w3.org/2001/04/xmlenc#sha512",
}
SIGNATURES = {
    "rsa-sha1": "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "rsa-sha384": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "rsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
}


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def serialize(root: etree._Element) -> bytes:
    """``root`` as bytes with an XML declaration written the way Okta writes it."""
    # Okta's declaration uses double quotes; lxml writes single ones.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8",
                                                                      xml_declaration=False)


def _parse(xml: bytes) -> etree._Element:
    from ssoctl import xmlsafe

    return xmlsafe.parse(xml, what="test message")


# --------------------------------------------------------------------------- signing


def _signer(digest: str, signature: str):
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod

    class _TestSigner(XMLSigner):
        # signxml refuses SHA-1 when signing; tests need SHA-1 messages to check that
        # ssoctl reports them, so this test-only signer opts in.
        def check_deprecated_methods(self) -> None:
            return None

    signer = _TestSigner(signature_algorithm=SIGNATURES.get(signature, signature),
                         digest_algorithm=DIGESTS.get(digest, digest),
                         c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signer.namespaces = {"ds": DS}

    def _okta_prefix_list(sig_root, **_kwargs) -> None:
        # signxml computes the reference digest with PrefixList="xs" but, for enveloped
        # signatures, does not write InclusiveNamespaces into the Transform. Okta does;
        # add it before SignedInfo is canonicalized and signed.
        for transform in sig_root.iter(_q(DS, "Transform")):
            if transform.get("Algorithm") == EXC_C14N and not len(transform):
                etree.SubElement(transform, _q(EXC_C14N, "InclusiveNamespaces"),
                                 nsmap={"ec": EXC_C14N}, PrefixList="xs")
        # Okta writes the certificate as one unbroken base64 line.
        for cert_el in sig_root.iter(_q(DS, "X509Certificate")):
            cert_el.text = "".join((cert_el.text or "").split())

    signer.signature_annotators.append(_okta_prefix_list)
    return signer


def _find_target(root: etree._Element, target: str) -> etree._Element:
    if target == "response":
        return root
    if target == "assertion":
        found = root if root.tag == _q(SAML, "Assertion") else root.find(_q(SAML, "Assertion"))
    else:
        wanted = target.lstrip("#")
        found = next((el for el in root.iter() if el.get("ID") == wanted), None)
    if found is None:
        raise ValueError(f"no element to sign for target {target!r}")
    return found


def sign_element(xml: bytes, *, key, cert, target: str, digest: str = "sha256",
                 signature: str = "rsa-sha256") -> bytes:
    """Sign one element of ``xml`` the way Okta does and return the whole document.

    ``target`` is ``"response"`` (the root), ``"assertion"`` (the first direct
    ``saml2:Assertion`` child, or the root if it is one) or ``"#<ID>"``. The signature is
    placed right after that element's ``Issuer``. ``digest``/``signature`` take short
    names (``sha256``, ``rsa-sha256``, ``sha1``, ``rsa-sha1``...) or algorithm URIs.
    """
    root = _parse(xml)
    element = _find_target(root, target)
    placeholder = etree.Element(_q(DS, "Signature"), nsmap={"ds": DS}, Id="placeholder")
    issuer = element.find(_q(SAML, "Issuer"))
    if issuer is not None:
        issuer.addnext(placeholder)
    else:
        element.insert(0, placeholder)
    from signxml.signer import SignatureReference

    # PrefixList="xs" on the reference only; Okta's CanonicalizationMethod has none.
    reference = SignatureReference(URI=f"#{element.get('ID')}", inclusive_ns_prefixes=["xs"])
    signed = _signer(digest, signature).sign(root, key=key, cert=[cert],
                                             reference_uri=[reference], id_attribute="ID")
    return serialize(signed)


# --------------------------------------------------------------------------- encryption


def encrypt_assertion(xml: bytes, *, sp_cert, content: str = "aes256-cbc",
                      key_transport: str = "rsa-oaep") -> bytes:
    """Replace the ``saml2:Assertion`` of a Response with an ``EncryptedAssertion``.

    ``content``: ``aes128-cbc``, ``aes256-cbc``, ``aes128-gcm`` or ``aes256-gcm``;
    ``key_transport``: ``rsa-oaep`` (rsa-oaep-mgf1p, SHA-1 MGF as usual) or ``rsa-1_5``.
    """
    from cryptography.hazmat.primitives import hashes, padding as sympad
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    root = _parse(xml)
    assertion = root.find(_q(SAML, "Assertion"))
    if assertion is None:
        raise ValueError("no saml2:Assertion to encrypt")
    plain = etree.tostring(assertion)
    bits = 128 if "128" in content else 256
    cek = os.urandom(bits // 8)
    if content.endswith("gcm"):
        iv = os.urandom(12)
        cipher_bytes = iv + AESGCM(cek).encrypt(iv, plain, None)
        method = f"{XENC11}aes{bits}-gcm"
    else:
        iv = os.urandom(16)
        padder = sympad.PKCS7(128).padder()
        padded = padder.update(plain) + padder.finalize()
        enc = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
        cipher_bytes = iv + enc.update(padded) + enc.finalize()
        method = f"{XENC}aes{bits}-cbc"
    public = sp_cert.public_key()
    if key_transport == "rsa-1_5":
        wrapped = public.encrypt(cek, padding.PKCS1v15())
        transport = f"{XENC}rsa-1_5"
    else:
        wrapped = public.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()),
                                                   algorithm=hashes.SHA1(), label=None))
        transport = f"{XENC}rsa-oaep-mgf1p"

    encrypted = etree.Element(_q(SAML, "EncryptedAssertion"), nsmap={"saml2": SAML})
    data = etree.SubElement(encrypted, _q(XENC, "EncryptedData"), nsmap={"xenc": XENC},
                            Id="_" + secrets.token_hex(16), Type=f"{XENC}Element")
    etree.SubElement(data, _q(XENC, "EncryptionMethod"), Algorithm=method)
    key_info = etree.SubElement(data, _q(DS, "KeyInfo"), nsmap={"ds": DS})
    ek = etree.SubElement(key_info, _q(XENC, "EncryptedKey"), Id="_" + secrets.token_hex(16))
    ek_method = etree.SubElement(ek, _q(XENC, "EncryptionMethod"), Algorithm=transport)
    if key_transport != "rsa-1_5":
        etree.SubElement(ek_method, _q(DS, "DigestMethod"), Algorithm=DIGESTS["sha1"])
    ek_cd = etree.SubElement(ek, _q(XENC, "CipherData"))
    etree.SubElement(ek_cd, _q(XENC, "CipherValue")).text = base64.b64encode(wrapped).decode()
    cd = etree.SubElement(data, _q(XENC, "CipherData"))
    etree.SubElement(cd, _q(XENC, "CipherValue")).text = base64.b64encode(cipher_bytes).decode()
    assertion.addprevious(encrypted)
    root.remove(assertion)
    return serialize(root)


__all__ = ["DIGESTS", "SIGNATURES", "encrypt_assertion", "serialize", "sign_element"]
