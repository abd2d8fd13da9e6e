"""Signed federation aggregates against signature attacks, on every verification path.

The signature-level attacks of docs/threat-model.md ("Signatures", C20-C28) rebuilt for a
signed ``EntitiesDescriptor`` (tests/support/aggregate.py signs it like a federation
does): each must end in ``METADATA_SIGNATURE_INVALID`` (or ``METADATA_UNSIGNED``) and exit
4 in memory with signxml and on the signed-aggregate path with signxml and with the
xmlsec extra (tests/support/metadata_engines.py), and a control must verify on each.
"""

from __future__ import annotations

import base64
import copy

import pytest
from lxml import etree

from ssoctl import xmlsafe
from ssoctl.errors import ExitCode
from ssoctl.findings import exit_code_for
from ssoctl.rehearsal import pki
from support import aggregate, attacks, metadata_engines

from .conftest import NOW

DS = "{http://www.w3.org/2000/09/xmldsig#}"
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
WANTED = aggregate.idp_id(59)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """(a signed aggregate of 60 members, the signer's key, its certificate PEM)."""
    folder = tmp_path_factory.mktemp("md-attacks")
    key = pki.cached_rsa_key("aggregate-signer")
    cert = pki.certificate(key, pki.simple_name("federation signer"))
    plain = aggregate.write(folder / "plain.xml", 60)
    data = aggregate.sign(plain, folder / "signed.xml", key, cert).read_bytes()
    return data, key, pki.cert_pem(cert).encode()


@pytest.fixture(params=metadata_engines.ENGINES)
def load(request, tmp_path, monkeypatch):
    run = metadata_engines.verifier(request.param, tmp_path, monkeypatch)
    return lambda data, pem: run(data, pem, now=NOW, entity_id=WANTED)


def _root_signature(root):
    return root.find(DS + "Signature")


def _edit(data: bytes, change) -> bytes:
    root = xmlsafe.parse(data)
    change(root)
    return etree.tostring(root)


def _evil(root) -> None:
    """The wanted IdP's SSO URL pointed elsewhere (what an attacker is after)."""
    for sso in root.iter(MD + "SingleSignOnService"):
        if "idp59." in sso.get("Location", ""):
            sso.set("Location", "https://evil.example/sso")


def refused(settings, code: str = "METADATA_SIGNATURE_INVALID") -> None:
    assert settings.signature_verified is False
    assert exit_code_for(settings.findings) == ExitCode.TRUST
    assert any(f.code == code for f in settings.findings), settings.findings


def test_control_the_untouched_aggregate_verifies(signed, load):
    data, _key, pem = signed
    settings = load(data, pem)
    assert settings.signature_verified is True and settings.entity_id == WANTED
    assert len(settings.entity_ids_found) == 7


def test_a_changed_entity_fails(signed, load):
    data, _key, pem = signed
    refused(load(_edit(data, _evil), pem))


def test_an_entity_added_after_signing_fails(signed, load):
    data, _key, pem = signed

    def add(root):
        extra = copy.deepcopy(root[-1])
        extra.set("entityID", "https://idp.evil.example/idp")
        root.append(extra)
    refused(load(_edit(data, add), pem))


def test_a_processing_instruction_added_after_signing_fails(signed, load):
    data, _key, pem = signed
    refused(load(_edit(data, lambda root: root[3].addprevious(
        etree.ProcessingInstruction("evil", "x"))), pem))


def test_the_signature_removed_is_unsigned(signed, load):
    data, _key, pem = signed
    refused(load(_edit(data, lambda root: root.remove(_root_signature(root))), pem),
            "METADATA_UNSIGNED")


def test_an_empty_signature_value_fails(signed, load):
    data, _key, pem = signed

    def empty(root):
        _root_signature(root).find(DS + "SignatureValue").text = ""
    refused(load(_edit(data, empty), pem))


def test_another_key_with_its_certificate_in_keyinfo_fails(signed, load):
    """Re-signed by an attacker who puts their own certificate in KeyInfo: the pinned
    certificate decides, never the document's KeyInfo."""
    data, _key, pem = signed
    evil_key, evil_cert = attacks.attacker()

    def swap(root):
        _root_signature(root).find(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate").text = \
            base64.b64encode(pki.cert_der(evil_cert)).decode()
    evil = attacks.resign(_edit(data, swap), lambda info: None, key=evil_key,
                          signature=_root_signature)
    refused(load(evil, pem))


def test_hmac_keyed_with_the_certificate_fails(signed, load):
    data, _key, pem = signed
    evil = attacks.resign(data, lambda info: None, hmac_key=pem, signature=_root_signature,
                          signature_method="http://www.w3.org/2000/09/xmldsig#hmac-sha256")
    refused(load(evil, pem))


def test_a_comment_in_the_digest_value_fails(signed, load):
    data, _key, pem = signed

    def comment(root):
        _evil(root)
        value = _root_signature(root).find(f".//{DS}DigestValue")
        value.append(etree.Comment("x"))
    refused(load(_edit(data, comment), pem))


@pytest.mark.parametrize("shape", ["two", "wrapped"])
def test_a_second_or_wrapped_signed_info_fails(signed, load, shape):
    data, _key, pem = signed

    def double(root):
        _evil(root)
        info = _root_signature(root).find(DS + "SignedInfo")
        twin = copy.deepcopy(info)
        if shape == "two":
            info.addnext(twin)
        else:
            info.addprevious(twin)
            twin.append(info)
    refused(load(_edit(data, double), pem))


def test_a_reference_to_a_remote_uri_is_refused_before_anything_is_fetched(signed, load):
    data, key, pem = signed
    evil = attacks.resign(data, lambda info: info.find(DS + "Reference").set(
        "URI", "http://127.0.0.1:9/aggregate.xml"), key=key, signature=_root_signature)
    refused(load(evil, pem))


def test_the_signed_aggregate_wrapped_in_an_unsigned_one_is_unsigned(signed, load):
    """XSW: the genuine signed aggregate inside an evil unsigned root."""
    data, _key, pem = signed
    inner = xmlsafe.parse(data)
    outer = etree.Element(inner.tag, nsmap=inner.nsmap)
    evil = copy.deepcopy(inner[-1])
    _evil(outer)
    outer.append(evil)
    for sso in evil.iter(MD + "SingleSignOnService"):
        sso.set("Location", "https://evil.example/sso")
    extensions = etree.SubElement(outer, MD + "Extensions")
    extensions.append(inner)
    refused(load(etree.tostring(outer), pem), "METADATA_UNSIGNED")


def test_the_root_id_copied_onto_an_evil_element_is_ambiguous(signed, load):
    data, key, pem = signed

    def with_id(root):
        root.set("ID", "_federation")
    signed_with_id = _edit(data, with_id)
    # re-sign with the reference pointing at the root's ID (digest of the same content)
    import hashlib

    root = xmlsafe.parse(signed_with_id)
    probe = copy.deepcopy(root)
    probe.remove(_root_signature(probe))
    digest = base64.b64encode(hashlib.sha256(
        etree.tostring(probe, method="c14n", exclusive=True)).digest()).decode()

    def point(info):
        info.find(DS + "Reference").set("URI", "#_federation")
        info.find(f"{DS}Reference/{DS}DigestValue").text = digest
    good = attacks.resign(signed_with_id, point, key=key, signature=_root_signature)
    assert load(good, pem).signature_verified is True  # the control for this shape

    def decoy(root):
        copy_ = copy.deepcopy(root[-1])
        copy_.set("ID", "_federation")
        root[-1].append(copy_)
    refused(load(_edit(good, decoy), pem))
