"""Metadata signature verification (--verify-signature): good, wrong, tampered, wrapped."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest

from conftest import FIXTURES, NOW
from ssoctl.metadata import reader
from ssoctl.rehearsal import pki
from ssoctl.errors import ExitCode, InputError
from ssoctl.findings import exit_code_for
from support import metadata_engines

MD_DIR = FIXTURES / "metadata"


@pytest.fixture(scope="module")
def make():
    spec = importlib.util.spec_from_file_location("metadata_make", MD_DIR / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def signer():
    key = pki.cached_rsa_key("test-md-signer")
    return key, pki.certificate(key, pki.simple_name("metadata signer"))


_ENGINE: dict[str, object] = {}


@pytest.fixture(autouse=True, params=metadata_engines.ENGINES)
def engine(request, tmp_path, monkeypatch):
    """Every test here runs on each verification path (tests/support/metadata_engines.py)."""
    _ENGINE["name"] = request.param
    _ENGINE["verify"] = metadata_engines.verifier(request.param, tmp_path, monkeypatch)
    return request.param


def verify(data: bytes, cert_pem: str | bytes, **kwargs) -> reader.IdpSettings:
    pem = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
    run = _ENGINE["verify"]
    return run(data, pem, now=kwargs.pop("now", NOW), **kwargs)  # type: ignore[operator]


def invalid(settings: reader.IdpSettings) -> str:
    """The METADATA_SIGNATURE_INVALID message; asserts exit 4."""
    assert settings.signature_verified is False
    assert exit_code_for(settings.findings) == ExitCode.TRUST
    return next(f.message for f in settings.findings if f.code == "METADATA_SIGNATURE_INVALID")


@pytest.mark.parametrize("name, pem, kwargs", [
    ("entra.xml", "entra-metadata-signing.pem", {}),
    ("adfs.xml", "adfs-signing.pem", {}),
    ("shibboleth-aggregate.xml", "federation-signing.pem",
     {"entity_id": "https://idp.uni-a.example.edu/idp/shibboleth"}),
])
def test_signed_fixtures_verify(name, pem, kwargs):
    s = verify((MD_DIR / name).read_bytes(), (MD_DIR / pem).read_bytes(), **kwargs)
    assert s.signed and s.signature_verified is True
    assert not [f for f in s.findings if f.code.startswith("METADATA_SIGNATURE")]


def test_der_certificate_file_is_accepted():
    pem = (MD_DIR / "entra-metadata-signing.pem").read_bytes()
    from cryptography import x509

    der = pki.cert_der(x509.load_pem_x509_certificate(pem))
    assert verify((MD_DIR / "entra.xml").read_bytes(), der).signature_verified is True


def test_wrong_certificate_fails_with_exit_4():
    s = verify((MD_DIR / "entra.xml").read_bytes(), (MD_DIR / "adfs-signing.pem").read_bytes())
    assert "does not match this certificate" in invalid(s)


def test_tampered_sso_url_fails():
    data = (MD_DIR / "entra.xml").read_bytes()
    evil = data.replace(b'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
                        b'Location="https://login.microsoftonline.com/',
                        b'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
                        b'Location="https://evil.example/', 1)
    assert evil != data
    message = invalid(verify(evil, (MD_DIR / "entra-metadata-signing.pem").read_bytes()))
    # signxml tells a digest mismatch apart; xmlsec's binding reports one failure for both
    assert ("Digest mismatch" if _ENGINE["name"] != "aggregate, xmlsec"
            else "changed after signing") in message


def test_unsigned_metadata_with_verify_is_a_trust_failure():
    s = verify((MD_DIR / "okta.xml").read_bytes(), (MD_DIR / "okta-signing.pem").read_bytes())
    assert s.signature_verified is False
    assert [f.code for f in s.findings] == ["METADATA_UNSIGNED"]
    assert exit_code_for(s.findings) == ExitCode.TRUST


def test_only_inner_entity_signed_is_not_a_signed_root(make, signer):
    key, cert = signer
    _, idp_cert = pki.okta_certificate(pki.cached_rsa_key("fx-okta"))
    inner = make.sign(make.okta(idp_cert).replace(
        'entityID=', 'ID="_inner" entityID=').replace(
        '<md:IDPSSODescriptor', make.PLACEHOLDER +
        '<md:IDPSSODescriptor', 1), key, cert)
    body = inner.split(b"?>", 1)[1]
    wrapper = (f'<md:EntitiesDescriptor xmlns:md="{make.MD}">'.encode() + body
               + b"</md:EntitiesDescriptor>")
    s = verify(wrapper, pki.cert_pem(cert))
    assert s.signed is True  # the chosen entity carries a signature...
    assert [f.code for f in s.findings] == ["METADATA_UNSIGNED"]  # ...but the root does not


def test_signature_wrapping_with_moved_original_fails(make):
    """XSW: an evil root with a new ID keeps the signature; the signed original is hidden
    in Extensions. The reference no longer points at the root."""
    data = (MD_DIR / "entra.xml").read_text()
    head, rest = data.split("?>", 1)
    original = rest.strip()
    sig_start = original.index("<ds:Signature")
    sig_end = original.index("</ds:Signature>") + len("</ds:Signature>")
    signature = original[sig_start:sig_end]
    evil = (original[:sig_start].replace('ID="_9c1f', 'ID="_evil') + signature
            + f'<Extensions>{original.replace(signature, "")}</Extensions>'
            + original[sig_end:]).replace("login.microsoftonline.com", "evil.example", 2)
    s = verify(evil.encode(), (MD_DIR / "entra-metadata-signing.pem").read_bytes())
    assert "not the root element" in invalid(s)


def test_same_id_copy_is_ambiguous_and_fails():
    data = (MD_DIR / "entra.xml").read_text()
    start = data.index("<IDPSSODescriptor")
    copy = data[data.index("<EntityDescriptor"):].replace(
        "login.microsoftonline.com", "evil.example")
    evil = data[:start] + f"<Extensions>{copy}</Extensions>" + data[start:]
    assert "Ambiguous reference" in invalid(
        verify(evil.encode(), (MD_DIR / "entra-metadata-signing.pem").read_bytes()))


def test_disallowed_transform_is_refused_before_cryptography():
    data = (MD_DIR / "entra.xml").read_text()
    xpath = ('<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">'
             '<ds:XPath>not(ancestor-or-self::IDPSSODescriptor)</ds:XPath></ds:Transform>')
    evil = data.replace("</ds:Transforms>", xpath + "</ds:Transforms>", 1)
    assert "transform not allowed" in invalid(
        verify(evil.encode(), (MD_DIR / "entra-metadata-signing.pem").read_bytes()))


def test_two_signatures_on_root_are_refused():
    data = (MD_DIR / "entra.xml").read_text()
    sig = data[data.index("<ds:Signature"):data.index("</ds:Signature>") + 15]
    doubled = data.replace(sig, sig + sig, 1)
    assert "2 signatures" in invalid(
        verify(doubled.encode(), (MD_DIR / "entra-metadata-signing.pem").read_bytes()))


def test_empty_signature_value_is_a_finding_not_a_traceback():
    data = (MD_DIR / "entra.xml").read_text()
    start = data.index("<ds:SignatureValue>") + len("<ds:SignatureValue>")
    end = data.index("</ds:SignatureValue>")
    assert "signature value is empty" in invalid(verify(
        (data[:start] + data[end:]).encode(), (MD_DIR / "entra-metadata-signing.pem").read_bytes()))


def test_sha1_signature_is_refused(make, signer):
    key, cert = signer
    _, idp_cert = pki.okta_certificate(pki.cached_rsa_key("fx-okta"))
    xml = make.okta(idp_cert).replace("entityID=", 'ID="_sha1" entityID=').replace(
        "<md:IDPSSODescriptor", make.PLACEHOLDER + "<md:IDPSSODescriptor", 1)
    signed = make.sign(xml, key, cert, signature_algorithm="rsa-sha1", digest_algorithm="sha1")
    assert "SHA1" in invalid(verify(signed, pki.cert_pem(cert))).upper()
    good = make.sign(xml, key, cert)
    assert verify(good, pki.cert_pem(cert)).signature_verified is True


def test_expired_signer_certificate_still_checks_the_signature(make):
    key = pki.cached_rsa_key("test-md-old-signer")
    cert = pki.certificate(key, pki.simple_name("old signer"), days=30)
    _, idp_cert = pki.okta_certificate(pki.cached_rsa_key("fx-okta"))
    xml = make.okta(idp_cert).replace("entityID=", 'ID="_old" entityID=').replace(
        "<md:IDPSSODescriptor", make.PLACEHOLDER + "<md:IDPSSODescriptor", 1)
    later = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    s = verify(make.sign(xml, key, cert), pki.cert_pem(cert), now=later)
    assert s.signature_verified is True
    expired = [f for f in s.findings if f.code == "CERT_EXPIRED"]
    assert expired and expired[0].message.startswith("--verify-signature certificate:")
    assert exit_code_for(s.findings) == ExitCode.OK  # a warning, not an error


def test_unreadable_verify_certificate_is_an_input_error():
    with pytest.raises(InputError) as err:
        verify((MD_DIR / "entra.xml").read_bytes(), b"this is no certificate")
    assert err.value.code == "METADATA_VERIFY_CERT_UNREADABLE"
    assert err.value.exit_code == ExitCode.INPUT
