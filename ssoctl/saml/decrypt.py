"""Decrypt a SAML ``EncryptedAssertion`` with the SP's private key.

Supported, as Okta and the usual IdPs send it: key transport RSA-OAEP
(``xmlenc#rsa-oaep-mgf1p`` and ``xmlenc11#rsa-oaep`` with its MGF) and RSA 1.5; content
AES-128/192/256 in CBC (XML Encryption padding) or GCM mode. The plaintext is parsed
with the one hardened parser. Failures raise :class:`DecryptError` with a one-line
reason that never contains key material.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from ssoctl.xmlsafe import qname

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
_X = "{" + XENC + "}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"

_CBC = {f"{XENC}aes128-cbc": 16, f"{XENC}aes192-cbc": 24, f"{XENC}aes256-cbc": 32}
_GCM = {f"{XENC11}aes128-gcm": 16, f"{XENC11}aes192-gcm": 24, f"{XENC11}aes256-gcm": 32}
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "SHA1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "SHA256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "SHA384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "SHA512",
}
_MGFS = {
    f"{XENC11}mgf1sha1": "SHA1", f"{XENC11}mgf1sha224": "SHA224",
    f"{XENC11}mgf1sha256": "SHA256", f"{XENC11}mgf1sha384": "SHA384",
    f"{XENC11}mgf1sha512": "SHA512",
}


class DecryptError(Exception):
    """The EncryptedAssertion cannot be decrypted; ``str()`` is a one-line reason."""


def load_private_key(pem: bytes):
    """Load an unencrypted PEM private key; :class:`DecryptError` if it is not one."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem, password=None)
    except TypeError:
        raise DecryptError("the SP key file is password-protected; give an unencrypted PEM key") \
            from None
    except (ValueError, Exception):  # cryptography raises several types for junk input
        raise DecryptError("the SP key file is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DecryptError("the SP key is not an RSA key (RSA key transport needs one)")
    return key


def decrypt_assertion(encrypted: "etree._Element", private_key) -> "etree._Element":
    """The ``saml:Assertion`` inside ``saml:EncryptedAssertion``, parsed with the hardened parser."""
    from ssoctl import xmlsafe
    from ssoctl.errors import InputError

    data = encrypted.find(_X + "EncryptedData")
    if data is None:
        raise DecryptError("EncryptedAssertion has no xenc:EncryptedData")
    method = _algorithm(data)
    enc_key = data.find(f"{_DS}KeyInfo/{_X}EncryptedKey")
    if enc_key is None:  # some IdPs put EncryptedKey next to EncryptedData
        enc_key = encrypted.find(_X + "EncryptedKey")
    if enc_key is None:
        raise DecryptError("no xenc:EncryptedKey found (only RSA key transport is supported)")
    cek = _unwrap_key(enc_key, private_key)
    plain = _decrypt_content(method, cek, _cipher_value(data))
    try:
        assertion = xmlsafe.parse(plain, what="decrypted Assertion")
    except InputError as exc:
        raise DecryptError(f"decrypted data is not usable XML: {exc.message}") from None
    if assertion.tag != qname("saml", "Assertion"):
        raise DecryptError("decrypted data is not a saml:Assertion")
    return assertion


def _algorithm(node: "etree._Element") -> str:
    method = node.find(_X + "EncryptionMethod")
    if method is None or not method.get("Algorithm"):
        raise DecryptError("xenc:EncryptionMethod is missing")
    return method.get("Algorithm")


def _cipher_value(node: "etree._Element") -> bytes:
    value = node.find(f"{_X}CipherData/{_X}CipherValue")
    if value is None:
        raise DecryptError("xenc:CipherValue is missing (CipherReference is not supported)")
    try:
        return base64.b64decode("".join("".join(value.itertext()).split()), validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError("xenc:CipherValue is not valid base64") from None


def _unwrap_key(enc_key: "etree._Element", private_key) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    transport = _algorithm(enc_key)
    wrapped = _cipher_value(enc_key)
    if transport == f"{XENC}rsa-1_5":
        pad: padding.AsymmetricPadding = padding.PKCS1v15()
    elif transport in (f"{XENC}rsa-oaep-mgf1p", f"{XENC11}rsa-oaep"):
        method = enc_key.find(_X + "EncryptionMethod")
        dm = method.find(_DS + "DigestMethod")
        digest = _DIGESTS.get(dm.get("Algorithm") if dm is not None else
                              "http://www.w3.org/2000/09/xmldsig#sha1")
        mgf_el = method.find("{" + XENC11 + "}MGF")
        mgf = "SHA1" if mgf_el is None else _MGFS.get(mgf_el.get("Algorithm") or "")
        if digest is None or mgf is None or transport.endswith("mgf1p") and mgf_el is not None:
            raise DecryptError("unsupported RSA-OAEP digest or MGF")
        pad = padding.OAEP(mgf=padding.MGF1(getattr(hashes, mgf)()),
                           algorithm=getattr(hashes, digest)(), label=None)
    else:
        raise DecryptError(f"unsupported key transport {transport}")
    try:
        return private_key.decrypt(wrapped, pad)
    except ValueError:
        raise DecryptError("the SP key does not open this message (wrong key, or the IdP "
                           "encrypts for another certificate)") from None


def _decrypt_content(method: str, cek: bytes, blob: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if method in _GCM:
        if len(cek) != _GCM[method] or len(blob) < 12 + 16:
            raise DecryptError("AES-GCM key or ciphertext has the wrong length")
        try:
            return AESGCM(cek).decrypt(blob[:12], blob[12:], None)
        except InvalidTag:
            raise DecryptError("AES-GCM authentication failed: the ciphertext was changed") \
                from None
    if method in _CBC:
        if len(cek) != _CBC[method] or len(blob) < 32 or len(blob) % 16:
            raise DecryptError("AES-CBC key or ciphertext has the wrong length")
        dec = Cipher(algorithms.AES(cek), modes.CBC(blob[:16])).decryptor()
        padded = dec.update(blob[16:]) + dec.finalize()
        # XML Encryption padding: only the last byte (the pad length) is defined.
        pad = padded[-1]
        if not 1 <= pad <= 16:
            raise DecryptError("AES-CBC padding is invalid (wrong key?)")
        return padded[:-pad]
    raise DecryptError(f"unsupported content encryption {method}")
