"""The Okta stand-in's SAML side: its IdP metadata reads cleanly with import-metadata's
library code, and a simulated login verifies with decode-response's against the
certificate the SP holds (taken from that metadata), with no error findings."""

from __future__ import annotations

import base64
import datetime as dt
import zlib

import pytest
import requests

from conftest import NOW

ACS = "https://sipgate.example/saml/acs"
SP_ENTITY = "https://sipgate.example/saml/metadata"


def _metadata_settings(xml: bytes, now=NOW):
    from ssoctl.metadata import reader

    return reader.load(xml, now=now, source="okta stand-in")


def _errors(findings):
    return [f for f in findings if f.severity.value == "error"]


def _decode(saml_response_b64: str, cert_path, *, now, idp_entity_id, request_id=None):
    from ssoctl.saml.anchors import load_anchors
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import decode

    anchors = load_anchors(cert_files=[str(cert_path)], now=now)
    expect = Expectations(now=now, sp_entity_id=SP_ENTITY, acs_url=ACS,
                          idp_entity_id=idp_entity_id, request_id=request_id)
    return decode(saml_response_b64.encode(), DecodeOptions(expect=expect, anchors=anchors))


@pytest.fixture
def sipgate_app(okta_org):
    alice = okta_org.add_user("alice@example.com", "Alice", "Example")
    app_id = okta_org.add_app("sipgate", acs_url=ACS, audience=SP_ENTITY,
                              user_name_template="${source.email}", users=[alice])
    return app_id


def _api_metadata(okta_org, okta_token, app_id, **params):
    answer = requests.get(f"{okta_org.url}/api/v1/apps/{app_id}/sso/saml/metadata",
                          params=params, headers={"Authorization": f"SSWS {okta_token}",
                                                  "Accept": "application/xml"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/xml"
    return answer.content


def test_metadata_has_okta_shape_and_imports_cleanly(okta_org, okta_token, sipgate_app):
    from ssoctl import xmlsafe

    xml = _api_metadata(okta_org, okta_token, sipgate_app)
    root = xmlsafe.parse(xml)
    app = okta_org.app(sipgate_app)
    exk = app["_links"]["metadata"]["href"]  # the API link, not the public one
    assert exk.endswith(f"/api/v1/apps/{sipgate_app}/sso/saml/metadata")
    entity_id = root.get("entityID")
    assert entity_id.startswith("http://www.okta.com/exk") and len(entity_id) == 40
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    idp = root.find(f"{md}IDPSSODescriptor")
    assert idp.get("WantAuthnRequestsSigned") == "false"
    assert idp.find(f"{md}KeyDescriptor").get("use") == "signing"
    cert_text = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate").text
    lines = cert_text.split("\n")
    assert "BEGIN" not in cert_text and all(len(line) == 76 for line in lines[:-1])
    assert len(lines[-1]) <= 76
    services = idp.findall(f"{md}SingleSignOnService")
    assert [s.get("Binding").rsplit(":", 1)[1] for s in services] == ["HTTP-POST",
                                                                      "HTTP-Redirect"]
    exk_key = entity_id.rsplit("/", 1)[1]
    assert {s.get("Location") for s in services} == {
        f"{okta_org.url}/app/{app['name']}/{exk_key}/sso/saml"}

    settings = _metadata_settings(xml)
    assert settings.entity_id == entity_id
    assert settings.name_id_formats == ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",)
    # Plain http on the loopback stand-in is the only expected complaint.
    assert all("HTTP" in f.code or "URL" in f.code for f in _errors(settings.findings)), \
        settings.findings


def test_metadata_over_tls_has_no_error_findings(okta_org_tls, okta_token, ca_bundle):
    alice = okta_org_tls.add_user("alice@example.com")
    app_id = okta_org_tls.add_app("sipgate", users=[alice])
    answer = requests.get(f"{okta_org_tls.url}/api/v1/apps/{app_id}/sso/saml/metadata",
                          headers={"Authorization": f"SSWS {okta_token}"},
                          verify=ca_bundle, timeout=10)
    assert answer.status_code == 200
    settings = _metadata_settings(answer.content)
    assert not _errors(settings.findings), settings.findings
    assert settings.sso_url.startswith(okta_org_tls.url + "/app/")


def test_public_metadata_url_needs_no_token_and_matches_the_api(okta_org, okta_token,
                                                                sipgate_app):
    entity_id = _metadata_settings(_api_metadata(okta_org, okta_token, sipgate_app)).entity_id
    exk = entity_id.rsplit("/", 1)[1]
    public = requests.get(f"{okta_org.url}/app/{exk}/sso/saml/metadata", timeout=10)
    assert public.status_code == 200
    assert public.content == _api_metadata(okta_org, okta_token, sipgate_app)
    assert requests.get(f"{okta_org.url}/app/exkNOSUCHKEY000000000/sso/saml/metadata",
                        timeout=10).status_code == 404


def test_simulated_login_verifies_with_decode_response(okta_org, okta_token, sipgate_app,
                                                       tmp_path):

    settings = _metadata_settings(_api_metadata(okta_org, okta_token, sipgate_app))
    cert_file = tmp_path / "sp-holds.pem"
    cert_file.write_text(settings.certificate_pem)
    login = okta_org.login(sipgate_app, "alice@example.com")
    assert login.acs_url == ACS
    result = _decode(login.saml_response, cert_file, now=NOW,
                     idp_entity_id=settings.entity_id)
    (message,) = result.messages
    assert message.signature.status == "verified"
    assert message.signature.assertion_verified
    assert message.signature.signature_algorithm.endswith("rsa-sha256")
    assert not _errors(result.findings), result.findings
    assert b'Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alice@example.com' \
        in login.xml
    assert f'Recipient="{ACS}"'.encode() in login.xml
    assert f"<saml2:Audience>{SP_ENTITY}</saml2:Audience>".encode() in login.xml


def test_login_through_the_cli_decode_response(cli, okta_org, okta_token, sipgate_app,
                                               tmp_path):
    settings = _metadata_settings(_api_metadata(okta_org, okta_token, sipgate_app))
    cert_file = tmp_path / "okta.pem"
    cert_file.write_text(settings.certificate_pem)
    login = okta_org.login(sipgate_app, "alice@example.com")
    source = tmp_path / "response.txt"
    source.write_text(login.saml_response)
    result = cli("--json", "decode-response", str(source), "--cert", str(cert_file),
                 "--sp-entity-id", SP_ENTITY, "--acs-url", ACS,
                 "--idp-entity-id", settings.entity_id, "--now", NOW.isoformat())
    assert result.exit_code == 0, result.stdout
    doc = result.json()
    assert not [f for f in doc["findings"] if f["severity"] == "error"]


def test_login_after_rotation_signs_with_the_new_key_and_old_cert_fails(okta_org, okta_token,
                                                                       sipgate_app, tmp_path):
    auth = {"Authorization": f"SSWS {okta_token}"}
    old = _metadata_settings(_api_metadata(okta_org, okta_token, sipgate_app))
    new_key = requests.post(f"{okta_org.url}/api/v1/apps/{sipgate_app}/credentials/keys/"
                            f"generate", params={"validityYears": 2}, headers=auth,
                            timeout=30).json()
    app = requests.get(f"{okta_org.url}/api/v1/apps/{sipgate_app}", headers=auth,
                       timeout=10).json()
    body = {k: app[k] for k in ("label", "signOnMode", "settings", "credentials",
                                "accessibility", "visibility", "name")}
    body["credentials"]["signing"] = {"kid": new_key["kid"]}
    switched = requests.put(f"{okta_org.url}/api/v1/apps/{sipgate_app}", json=body,
                            headers=auth, timeout=10)
    assert switched.status_code == 200, switched.text
    assert switched.json()["credentials"]["signing"]["kid"] == new_key["kid"]
    new = _metadata_settings(_api_metadata(okta_org, okta_token, sipgate_app))
    assert new.certificate_pem != old.certificate_pem
    assert new.entity_id == old.entity_id
    login = okta_org.login(sipgate_app, "alice@example.com")
    stale, fresh = tmp_path / "old.pem", tmp_path / "new.pem"
    stale.write_text(old.certificate_pem)
    fresh.write_text(new.certificate_pem)
    good = _decode(login.saml_response, fresh, now=NOW, idp_entity_id=new.entity_id)
    assert good.messages[0].signature.status == "verified"
    bad = _decode(login.saml_response, stale, now=NOW, idp_entity_id=new.entity_id)
    assert bad.messages[0].signature.status == "failed"
    assert _errors(bad.findings)


@pytest.mark.parametrize("response_signed,assertion_signed", [(True, False), (True, True),
                                                               (False, True)])
def test_login_signs_what_the_app_says(okta_org, tmp_path, response_signed, assertion_signed):
    bob = okta_org.add_user("bob@example.com")
    app_id = okta_org.add_app("signed", acs_url=ACS, audience=SP_ENTITY, users=[bob],
                              response_signed=response_signed,
                              assertion_signed=assertion_signed)
    cert = tmp_path / "c.pem"
    from ssoctl.rehearsal import pki

    cert.write_text(pki.cert_pem(okta_org.app_certificate(app_id)))
    login = okta_org.login(app_id, "bob@example.com")
    result = _decode(login.saml_response, cert, now=NOW, idp_entity_id=None)
    signature = result.messages[0].signature
    assert (signature.response_signed, signature.assertion_signed) == (response_signed,
                                                                        assertion_signed)
    assert signature.status == "verified"
    assert not _errors(result.findings)


def test_sha1_app_logs_in_with_sha1_and_decode_response_reports_it(okta_org, tmp_path):
    bob = okta_org.add_user("bob@example.com")
    app_id = okta_org.add_app("legacy", acs_url=ACS, audience=SP_ENTITY, users=[bob],
                              signature_algorithm="RSA_SHA1", digest_algorithm="SHA1")
    from ssoctl.rehearsal import pki

    cert = tmp_path / "c.pem"
    cert.write_text(pki.cert_pem(okta_org.app_certificate(app_id)))
    login = okta_org.login(app_id, "bob@example.com")
    assert b"xmldsig#rsa-sha1" in login.xml
    result = _decode(login.saml_response, cert, now=NOW, idp_entity_id=None)
    assert any("SHA1" in f.code for f in result.findings)


def test_login_refuses_unassigned_users_and_inactive_apps(okta_org, sipgate_app):
    from ssoctl.rehearsal.okta import StandInError

    okta_org.add_user("mallory@example.com")
    with pytest.raises(StandInError, match="not assigned"):
        okta_org.login(sipgate_app, "mallory@example.com")
    with pytest.raises(StandInError, match="no user"):
        okta_org.login(sipgate_app, "nobody@example.com")
    okta_org.add_app("off", status="INACTIVE")
    off = [i for i in okta_org.app_ids() if okta_org.app(i)["label"] == "off"][0]
    with pytest.raises(StandInError, match="not active"):
        okta_org.login(off, "alice@example.com")


def test_group_assignment_lets_members_log_in(okta_org):
    carol = okta_org.add_user("carol@example.com")
    staff = okta_org.add_group("Staff", members=[carol])
    app_id = okta_org.add_app("sipgate", groups=[staff])
    assert okta_org.login(app_id, "carol@example.com").email == "carol@example.com"


def test_login_page_posts_the_response_to_the_acs_url(okta_org, sipgate_app):
    sso = okta_org.sso_url(sipgate_app)
    page = requests.get(sso, params={"user": "alice@example.com", "RelayState": "/home"},
                        timeout=10)
    assert page.status_code == 200
    assert f'action="{ACS}"' in page.text
    assert 'name="SAMLResponse"' in page.text and 'value="/home"' in page.text
    assert requests.get(sso, timeout=10).status_code == 400
    assert requests.get(sso, params={"user": "x@example.com"}, timeout=10).status_code == 403


def test_sp_initiated_login_answers_the_request(okta_org, sipgate_app, tmp_path):
    from ssoctl.rehearsal import samlgen

    request = samlgen.authn_request(now=NOW, issuer=SP_ENTITY, acs_url=ACS,
                                    destination=okta_org.sso_url(sipgate_app), id="_req42")
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    encoded = base64.b64encode(deflater.compress(request) + deflater.flush()).decode()
    page = requests.get(okta_org.sso_url(sipgate_app),
                        params={"user": "alice@example.com", "SAMLRequest": encoded},
                        timeout=10)
    assert page.status_code == 200
    import html
    import re

    value = html.unescape(re.search(r'name="SAMLResponse" value="([^"]+)"', page.text)[1])
    xml = base64.b64decode(value)
    assert b'InResponseTo="_req42"' in xml


def test_expired_and_later_certificates_are_what_the_app_holds(okta_org, okta_token):
    start = NOW - dt.timedelta(days=3640)
    app_id = okta_org.add_app("expiring", cert_not_before=start, cert_days=3650)
    keys = requests.get(f"{okta_org.url}/api/v1/apps/{app_id}/credentials/keys",
                        headers={"Authorization": f"SSWS {okta_token}"}, timeout=10).json()
    (key,) = keys
    assert key["expiresAt"] == "2026-06-11T12:00:00.000Z"
    settings = _metadata_settings(_api_metadata(okta_org, okta_token, app_id))
    assert any("EXPIR" in f.code for f in settings.findings)


def test_sp_initiated_login_by_http_post_binding(okta_org, sipgate_app):
    import html
    import re

    from ssoctl.rehearsal import samlgen

    request = samlgen.authn_request(now=NOW, issuer=SP_ENTITY, acs_url=ACS,
                                    destination=okta_org.sso_url(sipgate_app), id="_post7")
    page = requests.post(okta_org.sso_url(sipgate_app), timeout=10, data={
        "SAMLRequest": base64.b64encode(request).decode(), "RelayState": "/start",
        "user": "alice@example.com"})
    assert page.status_code == 200, page.text
    value = html.unescape(re.search(r'name="SAMLResponse" value="([^"]+)"', page.text)[1])
    assert b'InResponseTo="_post7"' in base64.b64decode(value)
    assert 'name="RelayState" value="/start"' in page.text


def test_name_id_follows_the_app_username(okta_org, okta_token):
    dana = okta_org.add_user("dana@example.com")
    by_login = okta_org.add_app("by login", user_name_template="${source.login}",
                                users=[dana])
    custom = okta_org.add_app("custom")
    answer = requests.post(f"{okta_org.url}/api/v1/apps/{custom}/users", timeout=10,
                           headers={"Authorization": f"SSWS {okta_token}"},
                           json={"id": dana, "scope": "USER",
                                 "credentials": {"userName": "d.example@corp.example"}})
    assert answer.status_code == 200, answer.text
    assert b">dana@example.com</saml2:NameID>" in okta_org.login(by_login,
                                                                 "dana@example.com").xml
    assert b">d.example@corp.example</saml2:NameID>" in okta_org.login(
        custom, "dana@example.com").xml
