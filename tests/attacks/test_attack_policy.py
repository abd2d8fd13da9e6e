"""One signature policy (ssoctl/xmlsig.py) for SAML responses and IdP metadata: the same
SignedInfo changes, each validly re-signed, are refused on both paths (docs/verification.md,
"One policy for every signature"; docs/threat-model.md, C27/C28)."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import FIXTURES
from support import attacks, metadata_engines
from ssoctl.rehearsal import pki, samlgen
from ssoctl.errors import ExitCode
from ssoctl.findings import exit_code_for

from .conftest import NOW, assert_refused

MD_DIR = FIXTURES / "metadata"
CODES = {"transform": "SIG_TRANSFORM_NOT_ALLOWED", "algorithm": "SIG_ALGORITHM_NOT_ALLOWED"}


@pytest.fixture(scope="module")
def signed_metadata():
    """(signed Okta-shaped metadata, its signer's key, the signer's certificate PEM)."""
    spec = importlib.util.spec_from_file_location("metadata_make", MD_DIR / "make.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    key = pki.cached_rsa_key("test-md-signer")
    cert = pki.certificate(key, pki.simple_name("metadata signer"))
    _, idp_cert = pki.okta_certificate(pki.cached_rsa_key("fx-okta"))
    xml = make.okta(idp_cert).replace("entityID=", 'ID="_md" entityID=').replace(
        "<md:IDPSSODescriptor", make.PLACEHOLDER + "<md:IDPSSODescriptor", 1)
    return make.sign(xml, key, cert), key, pki.cert_pem(cert)


def _root_signature(root):
    return root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")


@pytest.fixture(params=metadata_engines.ENGINES)
def load_metadata(request, tmp_path, monkeypatch):
    """Metadata verification on each path: in memory, and the signed-aggregate path with
    signxml and with the xmlsec extra (tests/support/metadata_engines.py)."""
    run = metadata_engines.verifier(request.param, tmp_path, monkeypatch)
    return lambda data, pem: run(data, pem.encode(), now=NOW)


def test_the_untouched_documents_verify(verify, signed_metadata, load_metadata):
    """Control: re-signing without a change keeps both documents valid."""
    response = attacks.resign(samlgen.response(now=NOW), lambda info: None)
    assert verify(response).status == "verified"
    data, key, pem = signed_metadata
    same = attacks.resign(data, lambda info: None, key=key, signature=_root_signature)
    assert load_metadata(same, pem).signature_verified is True


@pytest.mark.parametrize("name", sorted(attacks.POLICY_ATTACKS))
def test_a_saml_response_using_it_is_refused(verify, name):
    xml = attacks.policy_attack(name, samlgen.response(now=NOW))
    result = verify(xml)
    assert_refused(result, CODES[attacks.POLICY_ATTACKS[name][2]], evil="no-evil-here")
    assert result.signed_assertion is None


@pytest.mark.parametrize("name", sorted(attacks.POLICY_ATTACKS))
def test_signed_metadata_using_it_is_refused(signed_metadata, load_metadata, name):
    data, key, pem = signed_metadata
    evil = attacks.policy_attack(name, data, key=key, signature=_root_signature)
    settings = load_metadata(evil, pem)
    assert settings.signature_verified is False
    assert exit_code_for(settings.findings) == ExitCode.TRUST
    assert any(f.code == "METADATA_SIGNATURE_INVALID" for f in settings.findings)


def test_both_paths_read_the_same_policy():
    """The allowlists come from one place, made of signxml's own enums."""
    from signxml.algorithms import CanonicalizationMethod as CM

    from ssoctl import xmlsig

    allowed = xmlsig.policy()
    assert CM.EXCLUSIVE_XML_CANONICALIZATION_1_0.value in allowed.transforms
    assert not any(uri.endswith("#WithComments") for uri in allowed.transforms)
    assert xmlsig.signxml_config(location="./").location == "./"
