"""Which engine verifies a signed federation aggregate, and what happens without the
xmlsec extra (ssoctl/xmlsig.py ``xmlsec_binding``, ssoctl/metadata/signature.py).

The extra is optional: absent, or present but built on another libxml2 than lxml's (the
binding then refuses to import), ssoctl verifies with signxml and the command's output
is the same, with no word about xmlsec.
"""

from __future__ import annotations

import importlib.abc
import json
import sys

import pytest

from ssoctl import xmlsig
from ssoctl.metadata import reader, signature
from ssoctl.rehearsal import pki
from support import aggregate

WANTED = aggregate.idp_id(899)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A signed aggregate over the streaming threshold (about 1.4 MB), its signer's PEM."""
    folder = tmp_path_factory.mktemp("engines")
    key = pki.cached_rsa_key("aggregate-signer")
    cert = pki.certificate(key, pki.simple_name("federation signer"))
    plain = aggregate.write(folder / "plain.xml", 900)
    path = aggregate.sign(plain, folder / "signed.xml", key, cert)
    assert path.stat().st_size > reader.STREAM_ABOVE
    pem = folder / "signer.pem"
    pem.write_text(pki.cert_pem(cert))
    return path, pem


class _Refuse(importlib.abc.MetaPathFinder):
    """Makes ``import xmlsec`` fail the way the binding does beside another libxml2."""

    def find_spec(self, name, path=None, target=None):
        if name == "xmlsec":
            raise RuntimeError("lxml & xmlsec libxml2 library version mismatch")
        return None


@pytest.fixture
def fresh_binding():
    xmlsig.xmlsec_binding.cache_clear()
    yield
    xmlsig.xmlsec_binding.cache_clear()


def test_without_the_extra_signxml_serves(monkeypatch, fresh_binding):
    monkeypatch.setitem(sys.modules, "xmlsec", None)  # import xmlsec -> ImportError
    assert xmlsig.xmlsec_binding() == (None, "the xmlsec extra is not installed")
    assert signature.engine_for_aggregate() == "signxml"


def test_an_unusable_extra_falls_back_to_signxml(monkeypatch, fresh_binding):
    monkeypatch.delitem(sys.modules, "xmlsec", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_Refuse(), *sys.meta_path])
    module, why = xmlsig.xmlsec_binding()
    assert module is None and "library version mismatch" in why
    assert signature.engine_for_aggregate() == "signxml"


def test_the_extra_is_used_when_it_imports_beside_lxml(fresh_binding):
    module, why = xmlsig.xmlsec_binding()
    if module is None:
        pytest.skip(why)
    assert signature.engine_for_aggregate() == "xmlsec"
    sig, ref = xmlsig.xmlsec_transforms()
    hrefs = {t.href for t in sig | ref}
    allowed = xmlsig.policy()
    # exactly the policy's algorithms, as the binding names them; no SHA-1 for metadata
    assert hrefs <= allowed.signature_methods | allowed.digests | allowed.transforms
    assert not hrefs & (allowed.sha1_signature_methods | allowed.sha1_digests)
    assert allowed.signature_methods & hrefs == allowed.signature_methods


@pytest.mark.parametrize("installed", ["extra", "no extra", "unusable extra"])
def test_the_command_says_the_same_with_or_without_the_extra(
        cli, signed, monkeypatch, fresh_binding, installed):
    if installed == "extra" and xmlsig.xmlsec_binding()[0] is None:
        pytest.skip(xmlsig.xmlsec_binding()[1])
    if installed == "no extra":
        monkeypatch.setitem(sys.modules, "xmlsec", None)
    elif installed == "unusable extra":
        monkeypatch.delitem(sys.modules, "xmlsec", raising=False)
        monkeypatch.setattr(sys, "meta_path", [_Refuse(), *sys.meta_path])
    xmlsig.xmlsec_binding.cache_clear()
    path, pem = signed
    r = cli("import-metadata", str(path), "--entity-id", WANTED, "--verify-signature", str(pem),
            "--now", "2026-06-01", "--json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["data"]["signature_verified"] is True and out["data"]["entity_id"] == WANTED
    assert "xmlsec" not in r.stdout + r.stderr
    tampered = path.read_bytes().replace(b"https://sp5.example.org/", b"https://sp5.evil.example/", 1)
    evil = path.with_name(f"evil-{installed.replace(' ', '-')}.xml")
    evil.write_bytes(tampered)
    r = cli("import-metadata", str(evil), "--entity-id", WANTED, "--verify-signature", str(pem),
            "--now", "2026-06-01")
    assert r.exit_code == 4 and "METADATA_SIGNATURE_INVALID" in r.stdout + r.stderr
