"""fixtures/captures: one committed file per input form, each detected as that form."""

from __future__ import annotations

import importlib.util

import pytest

from ssoctl.errors import InputError
from ssoctl.saml.binding import FORMS, decode_input

from conftest import FIXTURES

CAPTURES = FIXTURES / "captures"

EXPECTED = {
    "response.xml": ("xml", ["SAMLResponse"]),
    "logout-response.xml": ("xml", ["SAMLResponse"]),
    "response.b64": ("base64", ["SAMLResponse"]),
    "response-wrapped.b64": ("base64", ["SAMLResponse"]),
    "response-plus-as-space.b64": ("base64", ["SAMLResponse"]),
    "response-urlsafe.b64": ("base64", ["SAMLResponse"]),
    "response.urlencoded": ("urlencoded", ["SAMLResponse"]),
    "authn-request.deflated": ("deflated", ["SAMLRequest"]),
    "authn-request-url.txt": ("url", ["SAMLRequest"]),
    "logout-request-url.txt": ("url", ["SAMLRequest"]),
    "post-body.txt": ("form-body", ["SAMLResponse"]),
    "okta-post-form.html": ("html-form", ["SAMLResponse"]),
    "login.har": ("har", ["SAMLRequest", "SAMLResponse", "SAMLRequest"]),
    "saml-tracer.json": ("saml-tracer", ["SAMLRequest", "SAMLResponse"]),
}


def _make_module():
    spec = importlib.util.spec_from_file_location("captures_make", CAPTURES / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_fixture_is_detected_as_its_form(name):
    form, parameters = EXPECTED[name]
    decoded = decode_input((CAPTURES / name).read_bytes(), label=name)
    assert decoded.form == form
    assert [m.parameter for m in decoded.messages] == parameters
    for msg in decoded.messages:
        assert msg.xml.lstrip().startswith(b"<")


def test_every_form_has_a_fixture():
    assert {form for form, _ in EXPECTED.values()} == set(FORMS)


def test_the_response_is_the_same_in_every_single_message_form():
    xml = (CAPTURES / "response.xml").read_bytes()
    for name in ("response.b64", "response-wrapped.b64", "response-plus-as-space.b64",
                 "response-urlsafe.b64", "response.urlencoded", "post-body.txt",
                 "okta-post-form.html"):
        assert decode_input((CAPTURES / name).read_bytes()).messages[0].xml == xml, name


def test_make_writes_the_committed_file_set(tmp_path):
    _make_module().main(tmp_path)
    made = {p.name for p in tmp_path.iterdir()}
    committed = {p.name for p in CAPTURES.iterdir() if p.name != "make.py"}
    assert made == committed == set(EXPECTED) | {"inflate-bomb.deflated", "okta-idp.pem"}
    with pytest.raises(InputError):
        decode_input((tmp_path / "inflate-bomb.deflated").read_bytes())


def test_the_committed_captures_verify_with_the_committed_certificate():
    """A user can try --cert on every capture: the certificate is the one that signed them."""
    from ssoctl.saml.anchors import load_anchors
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import decode_source
    import datetime as dt

    now = dt.datetime(2026, 6, 1, 12, 1, tzinfo=dt.timezone.utc)
    anchors = load_anchors(cert_files=[str(CAPTURES / "okta-idp.pem")], now=now)
    for name in ("response.xml", "response.b64", "login.har", "saml-tracer.json"):
        result = decode_source(str(CAPTURES / name), DecodeOptions(
            expect=Expectations(now=now), anchors=anchors, all_entries=True))
        statuses = {m.signature.status for m in result.messages if m.signature}
        assert statuses == {"verified"}, name
