"""The pure parts of setup and doctor: drift between the two sides, certificate expiry,
JUnit rendering, the state file, SP metadata."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from conftest import NOW

from ssoctl import xmlsafe
from ssoctl.connection import drift, junit
from ssoctl.connection import state as st
from ssoctl.connection.doctor import Check, Status, public_metadata_url
from ssoctl.connection.drift import IdpView, KeyView, SpHeld
from ssoctl.connection.spmeta import sp_values_from_metadata
from ssoctl.errors import InputError
from ssoctl.findings import finding

A, B, C = ("AA:" * 32)[:-1], ("BB:" * 32)[:-1], ("CC:" * 32)[:-1]
DAY = dt.timedelta(days=1)


def _idp(*keys: KeyView) -> IdpView:
    return IdpView(sso_url="https://acme.okta.com/app/x/exk1/sso/saml",
                   issuer="http://www.okta.com/exk1", keys=keys)


def _key(kid, sha, *, active=False, start=NOW - 100 * DAY, days=3650):
    return KeyView(kid=kid, active=active, sha256=sha, not_before=start,
                   not_after=start + days * DAY)


# ---------------------------------------------------------------- drift

def test_the_same_certificate_is_no_drift():
    idp = _idp(_key("k1", A, active=True))
    assert drift.certificate(idp, SpHeld("file", cert_sha256=A)) == ()


def test_sipgate_holding_the_previous_key_names_both_keys():
    idp = _idp(_key("old", A), _key("new", B, active=True))
    [item] = drift.certificate(idp, SpHeld("file", cert_sha256=A))
    assert item.code == "CONN_CERT_DRIFT" and item.is_error
    assert "key old" in item.message and "key new now" in item.message
    assert (item.expected, item.received) == (B, A)


def test_a_certificate_okta_does_not_know():
    [item] = drift.certificate(_idp(_key("k1", A, active=True)), SpHeld("x", cert_sha256=C))
    assert "none of the Okta app's signing keys" in item.message


def test_empty_fields_on_the_sp_are_not_configured_only_when_read_from_the_sp():
    idp = _idp(_key("k1", A, active=True))
    empty = SpHeld("SP profile acme", from_sp=True)
    assert [f.code for f in drift.certificate(idp, empty) + drift.sso_url(idp, empty)
            + drift.issuer(idp, empty)] == ["CONN_SP_NOT_CONFIGURED"] * 3
    unknown = SpHeld("--sp-fingerprint", cert_sha256=A)
    assert drift.sso_url(idp, unknown) == () and drift.issuer(idp, unknown) == ()


def test_url_and_issuer_drift():
    idp = _idp(_key("k1", A, active=True))
    held = SpHeld("p", sso_url="https://other/sso", issuer="http://www.okta.com/exk2",
                  cert_sha256=A, from_sp=True)
    assert [f.code for f in drift.sso_url(idp, held)] == ["CONN_SSO_URL_DRIFT"]
    assert [f.code for f in drift.issuer(idp, held)] == ["CONN_ISSUER_DRIFT"]


@pytest.mark.parametrize("text,expected", [
    ("aa" * 32, A), (A.lower(), A), (" " + A + " ", A), ("AA" * 20, None), ("zz" * 32, None),
    ("", None),
])
def test_fingerprints_in_any_notation(text, expected):
    assert drift.normalize_sha256(text) == expected


# ---------------------------------------------------------------- expiry

def test_expiry_of_the_active_certificate():
    soon = _idp(_key("k1", A, active=True, start=NOW - 300 * DAY, days=310))
    [item] = drift.expiry(soon, now=NOW, warn_days=30)
    assert item.code == "CONN_CERT_EXPIRING" and "in 10 days" in item.message
    assert drift.expiry(soon, now=NOW, warn_days=5) == ()
    gone = _idp(_key("k1", A, active=True, start=NOW - 300 * DAY, days=200))
    assert [f.code for f in drift.expiry(gone, now=NOW, warn_days=30)] == ["CONN_CERT_EXPIRED"]


def test_only_a_newer_inactive_key_is_the_next_certificate():
    past = _key("past", C, start=NOW - 900 * DAY, days=800)  # expired, older: not "next"
    upcoming = _key("next", B, start=NOW - DAY, days=12)
    idp = _idp(past, _key("now", A, active=True), upcoming)
    assert drift.next_keys(idp) == (upcoming,)
    [item] = drift.expiry(idp, now=NOW, warn_days=30)
    assert item.code == "CONN_NEXT_CERT_EXPIRING" and "kid next" in item.message


def test_public_metadata_url_from_the_issuer():
    assert public_metadata_url("https://acme.okta.com", "http://www.okta.com/exk9abc") == \
        "https://acme.okta.com/app/exk9abc/sso/saml/metadata"
    assert public_metadata_url("https://acme.okta.com", "https://sts.windows.net/t/") is None
    assert public_metadata_url("https://acme.okta.com", None) is None


# ---------------------------------------------------------------- JUnit

def _checks():
    bad = finding("CONN_CERT_DRIFT", 'sipgate holds <another> "cert" & more\x07',
                  expected=A, received=B)
    warn = finding("CONN_CERT_EXPIRING", "expires in 3 days")
    return (Check("okta_app", "Okta app", Status.PASS, "fine"),
            Check("sp_certificate", "sipgate Certificate", Status.FAIL, bad.message, (bad,)),
            Check("certificates", "signing certificates", Status.WARNING, warn.message, (warn,)),
            Check("dns_txt", "e-mail domain TXT record", Status.SKIPPED, "not checked"))


def test_junit_document_counts_and_escapes():
    text = junit.render(_checks(), suite='doctor "acme" <org>', now=NOW,
                        properties={"org": "https://acme.okta.com"})
    root = xmlsafe.parse(text.encode())
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    assert suite.get("name") == 'doctor "acme" <org>'
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    failure = cases["sp_certificate: sipgate Certificate"].find("failure")
    assert failure.get("type") == "CONN_CERT_DRIFT"
    assert failure.get("message") == 'sipgate holds <another> "cert" & more\ufffd'
    assert f"expected: {A}" in failure.text
    assert cases["dns_txt: e-mail domain TXT record"].find("skipped") is not None
    assert "expires in 3 days" in cases["certificates: signing certificates"] \
        .find("system-out").text
    assert suite.find("properties/property").get("value") == "https://acme.okta.com"


def test_junit_strict_turns_warnings_into_failures():
    root = xmlsafe.parse(junit.render(_checks(), suite="s", now=NOW, strict=True).encode())
    assert root.get("failures") == "2"


def test_junit_escape_never_leaves_markup():
    assert junit.escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert junit.escape('"\n', attribute=True) == "&quot;&#10;"
    assert junit.escape("\x00\ud800x") == "\ufffd\ufffdx"


# ---------------------------------------------------------------- state

def test_state_round_trip_is_private_and_holds_no_secrets(tmp_path):
    path = st.path_for(tmp_path, "https://acme.okta.com", "https://sp.example/sp")
    assert path.name.startswith("acme.okta.com-") and path.suffix == ".json"
    state = st.State(org="https://acme.okta.com", sp_entity_id="https://sp.example/sp")
    state = state.done("okta", now=NOW, app_id="0oa1234567890abcdefg")
    st.save(path, state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = st.load(path, org="https://acme.okta.com", sp_entity_id="https://sp.example/sp")
    assert loaded.app_id == "0oa1234567890abcdefg"
    assert loaded.steps == {"okta": "2026-06-01T12:00:00Z"}
    assert set(json.loads(path.read_text())) == {
        "format", "org", "sp_entity_id", "acs_url", "app_id", "label", "steps", "handed_over",
        "sp_profile", "updated_at"}


def test_state_of_another_connection_is_ignored_and_junk_refused(tmp_path):
    path = tmp_path / "s.json"
    st.save(path, st.State(org="https://a.okta.com", sp_entity_id="x"))
    assert st.load(path, org="https://b.okta.com", sp_entity_id="x") is None
    assert st.load(tmp_path / "none.json", org="o", sp_entity_id="x") is None
    path.write_text("{not json")
    with pytest.raises(InputError) as info:
        st.load(path, org="https://a.okta.com", sp_entity_id="x")
    assert info.value.code == "SETUP_STATE_INVALID"


# ---------------------------------------------------------------- SP metadata

SP_META = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
           'entityID="https://sp.example/sp"><md:SPSSODescriptor protocolSupportEnumeration='
           '"urn:oasis:names:tc:SAML:2.0:protocol">{acs}</md:SPSSODescriptor>'
           '</md:EntityDescriptor>')
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def _acs(location, index, default=None, binding=POST):
    extra = f' isDefault="{default}"' if default else ""
    return (f'<md:AssertionConsumerService Binding="{binding}" Location="{location}" '
            f'index="{index}"{extra}/>')


@pytest.mark.parametrize("services,expected", [
    (_acs("https://sp/a", 1) + _acs("https://sp/b", 0), "https://sp/b"),
    (_acs("https://sp/a", 1) + _acs("https://sp/b", 0, ) + _acs("https://sp/c", 2, "true"),
     "https://sp/c"),
    (_acs("https://sp/r", 0, binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
     + _acs("https://sp/p", 1), "https://sp/p"),
])
def test_sp_metadata_gives_the_post_acs_url(tmp_path, services, expected):
    path = tmp_path / "sp.xml"
    path.write_text(SP_META.format(acs=services))
    values = sp_values_from_metadata(str(path))
    assert (values.acs_url, values.entity_id) == (expected, "https://sp.example/sp")


def test_idp_metadata_is_not_sp_metadata(tmp_path):
    path = tmp_path / "idp.xml"
    path.write_text(SP_META.replace("SPSSODescriptor", "IDPSSODescriptor").format(acs=""))
    with pytest.raises(InputError) as info:
        sp_values_from_metadata(str(path))
    assert info.value.code == "SETUP_SP_METADATA_INVALID"
