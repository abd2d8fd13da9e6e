"""The Okta stand-in's management API: API-token auth and scopes, apps (create, read,
replace, lifecycle, delete), validation errors in Okta's shape, pagination by ``Link``,
``q`` and ``filter``, signing keys, users and groups. Every JSON the stand-in serves stays
within the official SDK's models, so ssoctl can read, change and send it back."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from conftest import NOW

ACS = "https://sipgate.example/saml/acs"
SP_ENTITY = "https://sipgate.example/saml/metadata"


def sipgate_body(**sign_on):
    """A create body with the guide's settings, as `ssoctl okta configure` would send it."""
    values = {
        "ssoAcsUrl": ACS, "recipient": ACS, "destination": ACS, "audience": SP_ENTITY,
        "subjectNameIdTemplate": "${user.userName}",
        "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "responseSigned": True, "assertionSigned": True, "signatureAlgorithm": "RSA_SHA256",
        "digestAlgorithm": "SHA256", "honorForceAuthn": True,
        "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    }
    values.update(sign_on)
    return {"label": "sipgate", "signOnMode": "SAML_2_0",
            "credentials": {"userNameTemplate": {"template": "${source.email}",
                                                 "type": "BUILT_IN"}},
            "settings": {"signOn": values}}


class Api:
    def __init__(self, org, token, scheme="SSWS"):
        self.org, self.headers = org, {"Authorization": f"{scheme} {token}",
                                       "Accept": "application/json"}

    def __call__(self, method, path, **kwargs):
        url = path if path.startswith("http") else self.org.url + path
        return requests.request(method, url, headers=self.headers, timeout=30, **kwargs)


@pytest.fixture
def api(okta_org, okta_token):
    return Api(okta_org, okta_token)


def _error(answer, status, code):
    assert answer.status_code == status, answer.text
    doc = answer.json()
    assert doc["errorCode"] == code
    assert set(doc) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert doc["errorId"].startswith("oae")
    return doc


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize("header", ["", "SSWS wrong-token", "Bearer 00rehearsal-test-token-"
                                    "0123456789abcdef", "SSWS"])
def test_bad_or_missing_token_is_401_E0000011(okta_org, header):
    answer = requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                          headers={"Authorization": header} if header else {})
    doc = _error(answer, 401, "E0000011")
    assert doc["errorSummary"] == "Invalid token provided"
    assert "X-Rate-Limit-Remaining" in answer.headers


def test_a_token_limited_to_read_cannot_write(okta_org):
    okta_org.add_token("read-only", scopes=["okta.apps.read"])
    api = Api(okta_org, "read-only")
    assert api("GET", "/api/v1/apps").status_code == 200
    doc = _error(api("POST", "/api/v1/apps", json=sipgate_body()), 403, "E0000006")
    assert doc["errorSummary"] == "You do not have permission to perform the requested action"
    _error(api("GET", "/api/v1/groups"), 403, "E0000006")


def test_manage_scope_includes_read(okta_org):
    okta_org.add_token("manager", scopes=["okta.apps.manage"])
    assert Api(okta_org, "manager")("GET", "/api/v1/apps").status_code == 200


# --------------------------------------------------------------------------- apps


def test_create_saml_app_returns_okta_generated_fields(okta_org, api):
    answer = api("POST", "/api/v1/apps", params={"activate": "true"}, json=sipgate_body())
    assert answer.status_code == 200, answer.text
    app = answer.json()
    assert app["id"].startswith("0oa") and len(app["id"]) == 20
    assert app["name"] == "dev12345678_sipgate_1"
    assert app["status"] == "ACTIVE"
    assert app["signOnMode"] == "SAML_2_0"
    assert app["settings"]["signOn"]["ssoAcsUrl"] == ACS
    assert app["settings"]["signOn"]["idpIssuer"] == "http://www.okta.com/${org.externalKey}"
    assert app["credentials"]["userNameTemplate"] == {"template": "${source.email}",
                                                      "type": "BUILT_IN"}
    kid = app["credentials"]["signing"]["kid"]
    assert len(kid) == 43
    assert app["_links"]["metadata"]["href"] == \
        f"{okta_org.url}/api/v1/apps/{app['id']}/sso/saml/metadata"
    assert app["_links"]["appLinks"][0]["name"] == "dev12345678_sipgate_1_link"
    assert app["_links"]["deactivate"]["href"].endswith("/lifecycle/deactivate")
    assert app["created"] == NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    second = api("POST", "/api/v1/apps", params={"activate": "false"}, json=sipgate_body())
    assert second.json()["name"] == "dev12345678_sipgate_2"
    assert second.json()["status"] == "INACTIVE"


def test_create_with_name_is_refused_for_custom_saml_apps(api):
    body = sipgate_body()
    body["name"] = "sipgate"
    doc = _error(api("POST", "/api/v1/apps", json=body), 400, "E0000001")
    assert any(c["errorSummary"].startswith("name:") for c in doc["errorCauses"])


def test_create_validation_names_every_missing_or_invalid_field(okta_org, api):
    body = sipgate_body(ssoAcsUrl="not a url", audience="")
    del body["settings"]["signOn"]["recipient"]
    body["label"] = ""
    doc = _error(api("POST", "/api/v1/apps", json=body), 400, "E0000001")
    causes = [c["errorSummary"] for c in doc["errorCauses"]]
    assert "label: The field cannot be left blank" in causes
    assert "ssoAcsUrl: Must be a valid URL" in causes
    assert "audience: The field cannot be left blank" in causes
    assert "recipient: The field cannot be left blank" in causes
    assert doc["errorSummary"] == "Api validation failed: label"
    assert okta_org.app_ids() == []


def test_unreadable_json_is_E0000003(okta_org, okta_token):
    answer = requests.post(okta_org.url + "/api/v1/apps", data=b"{not json",
                           headers={"Authorization": f"SSWS {okta_token}",
                                    "Content-Type": "application/json"}, timeout=10)
    _error(answer, 400, "E0000003")


def test_unknown_app_is_404_E0000007_and_unknown_route_too(api):
    doc = _error(api("GET", "/api/v1/apps/0oaNOSUCHAPP00000000"), 404, "E0000007")
    assert "0oaNOSUCHAPP00000000" in doc["errorSummary"]
    _error(api("GET", "/api/v1/nothing-here"), 404, "E0000007")
    _error(api("PATCH", "/api/v1/apps"), 405, "E0000022")


def test_put_replaces_settings_and_keeps_server_fields(okta_org, api):
    created = api("POST", "/api/v1/apps", json=sipgate_body()).json()
    body = sipgate_body(audience="https://other.example/sp")
    body["label"] = "sipgate (renamed)"
    answer = api("PUT", f"/api/v1/apps/{created['id']}", json=body)
    assert answer.status_code == 200, answer.text
    app = answer.json()
    assert app["label"] == "sipgate (renamed)"
    assert app["settings"]["signOn"]["audience"] == "https://other.example/sp"
    assert app["name"] == created["name"] and app["id"] == created["id"]
    assert app["credentials"]["signing"]["kid"] == created["credentials"]["signing"]["kid"]
    changed_mode = dict(body, signOnMode="BOOKMARK", settings={"app": {"url": "https://x"}})
    _error(api("PUT", f"/api/v1/apps/{created['id']}", json=changed_mode), 400, "E0000001")
    wrong_kid = sipgate_body()
    wrong_kid["credentials"]["signing"] = {"kid": "no-such-key"}
    doc = _error(api("PUT", f"/api/v1/apps/{created['id']}", json=wrong_kid), 400, "E0000001")
    assert "credentials.signing.kid" in doc["errorCauses"][0]["errorSummary"]


def test_lifecycle_and_delete(api):
    app = api("POST", "/api/v1/apps", json=sipgate_body()).json()
    path = f"/api/v1/apps/{app['id']}"
    _error(api("DELETE", path), 403, "E0000056")
    answer = api("POST", path + "/lifecycle/deactivate")
    assert (answer.status_code, answer.json()) == (200, {})
    assert api("GET", path).json()["status"] == "INACTIVE"
    assert api("GET", path).json()["_links"]["activate"]["href"].endswith("/activate")
    assert api("POST", path + "/lifecycle/activate").status_code == 200
    assert api("GET", path).json()["status"] == "ACTIVE"
    api("POST", path + "/lifecycle/deactivate")
    assert api("DELETE", path).status_code == 204
    _error(api("GET", path), 404, "E0000007")


# --------------------------------------------------------------------------- listing


def _links(answer):
    return {rel: link["url"] for rel, link in answer.links.items()}


def test_pagination_follows_link_next_to_the_end(okta_org, api):
    ids = okta_org.add_apps(45, label="Bulk {i}")
    seen, url, pages = [], "/api/v1/apps?limit=20", 0
    while url:
        answer = api("GET", url)
        assert answer.status_code == 200
        assert "self" in answer.links
        seen += [app["id"] for app in answer.json()]
        url = _links(answer).get("next")
        pages += 1
    assert seen == ids and pages == 3


def test_default_page_is_20_and_limit_is_capped_at_200(okta_org, api):
    okta_org.add_apps(230)
    assert len(api("GET", "/api/v1/apps").json()) == 20
    answer = api("GET", "/api/v1/apps", params={"limit": 1000})
    assert len(answer.json()) == 200
    assert "limit=200" in _links(answer)["next"]


def test_next_link_keeps_the_search(okta_org, api):
    okta_org.add_apps(5, label="sipgate {i}")
    okta_org.add_apps(5, label="Other {i}")
    first = api("GET", "/api/v1/apps", params={"q": "sip", "limit": 3})
    assert [a["label"] for a in first.json()] == ["sipgate 1", "sipgate 2", "sipgate 3"]
    second = api("GET", _links(first)["next"])
    assert [a["label"] for a in second.json()] == ["sipgate 4", "sipgate 5"]
    assert "next" not in second.links


def test_filter_by_status_and_kinds_of_apps(okta_org, api):
    okta_org.add_app("on")
    okta_org.add_app("off", status="INACTIVE")
    okta_org.add_app("Intranet", sign_on_mode="BOOKMARK")
    active = api("GET", "/api/v1/apps", params={"filter": 'status eq "ACTIVE"'}).json()
    assert sorted(a["label"] for a in active) == ["Intranet", "on"]
    saml = api("GET", "/api/v1/apps",
               params={"filter": 'status eq "ACTIVE" and signOnMode eq "SAML_2_0"'}).json()
    assert [a["label"] for a in saml] == ["on"]
    _error(api("GET", "/api/v1/apps", params={"filter": "label sw \"x\""}), 400, "E0000031")


# --------------------------------------------------------------------------- keys


def test_keys_are_jwks_with_the_certificate(okta_org, api):
    from cryptography import x509

    app_id = okta_org.add_app("sipgate")
    (key,) = api("GET", f"/api/v1/apps/{app_id}/credentials/keys").json()
    assert set(key) == {"created", "lastUpdated", "expiresAt", "x5c", "e", "n", "kid", "kty",
                        "use", "x5t#S256"}
    assert (key["kty"], key["use"], key["e"]) == ("RSA", "sig", "AQAB")
    import base64

    cert = x509.load_der_x509_certificate(base64.b64decode(key["x5c"][0]))
    assert cert == okta_org.app_certificate(app_id)
    assert "O=Okta" in cert.subject.rfc4514_string()
    assert "OU=SSOProvider" in cert.subject.rfc4514_string()
    one = api("GET", f"/api/v1/apps/{app_id}/credentials/keys/{key['kid']}")
    assert one.json() == key
    _error(api("GET", f"/api/v1/apps/{app_id}/credentials/keys/nope"), 404, "E0000007")


@pytest.mark.parametrize("years", ["1", "11", "", "two"])
def test_generate_refuses_validity_outside_2_to_10_years(okta_org, api, years):
    app_id = okta_org.add_app("sipgate")
    doc = _error(api("POST", f"/api/v1/apps/{app_id}/credentials/keys/generate",
                     params={"validityYears": years} if years else None), 400, "E0000001")
    assert "validityYears" in doc["errorCauses"][0]["errorSummary"]


def test_generate_makes_a_real_new_key_that_is_not_active_yet(okta_org, api):
    app_id = okta_org.add_app("sipgate")
    before = okta_org.app(app_id)["credentials"]["signing"]["kid"]
    answer = api("POST", f"/api/v1/apps/{app_id}/credentials/keys/generate",
                 params={"validityYears": "3"})
    assert answer.status_code == 201
    new = answer.json()
    assert new["kid"] != before
    assert new["expiresAt"].startswith("2029-06-01")
    cert = okta_org.app_certificate(app_id, new["kid"])
    assert cert.public_key().key_size == 2048
    assert cert.public_key() != okta_org.app_certificate(app_id).public_key()
    assert okta_org.app(app_id)["credentials"]["signing"]["kid"] == before
    assert len(api("GET", f"/api/v1/apps/{app_id}/credentials/keys").json()) == 2
    by_kid = api("GET", f"/api/v1/apps/{app_id}/sso/saml/metadata", params={"kid": new["kid"]})
    assert new["x5c"][0][:60] in by_kid.text.replace("\n", "")
    _error(api("GET", f"/api/v1/apps/{app_id}/sso/saml/metadata", params={"kid": "nope"}),
           404, "E0000007")


# --------------------------------------------------------------------------- users and groups


def test_groups_search_and_assignment(okta_org, api):
    staff = okta_org.add_group("Staff")
    okta_org.add_group("Sales")
    okta_org.add_group("Admins")
    found = api("GET", "/api/v1/groups", params={"q": "Sa"}).json()
    assert [g["profile"]["name"] for g in found] == ["Sales"]
    assert found[0]["type"] == "OKTA_GROUP" and found[0]["id"].startswith("00g")
    app_id = okta_org.add_app("sipgate")
    assigned = api("PUT", f"/api/v1/apps/{app_id}/groups/{staff}", json={})
    assert assigned.status_code == 200
    assert assigned.json()["id"] == staff
    listed = api("GET", f"/api/v1/apps/{app_id}/groups").json()
    assert [g["id"] for g in listed] == [staff]
    _error(api("PUT", f"/api/v1/apps/{app_id}/groups/00gNOSUCHGROUP000000", json={}), 404,
           "E0000007")
    assert api("DELETE", f"/api/v1/apps/{app_id}/groups/{staff}").status_code == 204
    assert api("GET", f"/api/v1/apps/{app_id}/groups").json() == []


def test_app_users_include_group_members(okta_org, api):
    alice = okta_org.add_user("alice@example.com")
    bob = okta_org.add_user("bob@example.com")
    staff = okta_org.add_group("Staff", members=[bob])
    app_id = okta_org.add_app("sipgate", user_name_template="${source.email}", users=[alice],
                              groups=[staff])
    users = api("GET", f"/api/v1/apps/{app_id}/users").json()
    assert {(u["id"], u["scope"], u["credentials"]["userName"]) for u in users} == {
        (alice, "USER", "alice@example.com"), (bob, "GROUP", "bob@example.com")}
    carol = okta_org.add_user("carol@example.com")
    answer = api("POST", f"/api/v1/apps/{app_id}/users",
                 json={"id": carol, "scope": "USER",
                       "credentials": {"userName": "carol@example.com"}})
    assert answer.status_code == 200, answer.text
    assert len(api("GET", f"/api/v1/apps/{app_id}/users").json()) == 3


def test_users_search(okta_org, api):
    okta_org.add_user("alice@example.com")
    okta_org.add_user("bob@example.com")
    found = api("GET", "/api/v1/users", params={"q": "bob"}).json()
    assert [u["profile"]["email"] for u in found] == ["bob@example.com"]


# --------------------------------------------------------------------------- SDK shape


def test_everything_served_fits_the_sdk_models(okta_org, api):
    from support import okta_sdk

    alice = okta_org.add_user("alice@example.com")
    staff = okta_org.add_group("Staff", members=[alice])
    saml = okta_org.add_app("sipgate", users=[alice], groups=[staff])
    okta_org.add_app("Intranet", sign_on_mode="BOOKMARK")
    okta_org.add_app("Portal", sign_on_mode="OPENID_CONNECT")
    okta_org.add_app("Timesheets", sign_on_mode="AUTO_LOGIN")
    okta_org.add_app("Old", status="INACTIVE", signature_algorithm="RSA_SHA1",
                     digest_algorithm="SHA1", cert_sha1=True,
                     cert_not_before=NOW - dt.timedelta(days=4000))
    models = {"Application": okta_sdk._load("okta.models.application:Application")}
    apps = api("GET", "/api/v1/apps").json()
    assert sorted(a["signOnMode"] for a in apps) == ["AUTO_LOGIN", "BOOKMARK", "OPENID_CONNECT",
                                                     "SAML_2_0", "SAML_2_0"]
    for app in apps:
        model = okta_sdk.model_for("POST", "/api/v1/apps", app)
        assert okta_sdk.problems(model, app) == [], app["label"]
        assert ("metadata" in app["_links"]) == (app["signOnMode"] == "SAML_2_0")
    checks = [
        ("okta.models.json_web_key:JsonWebKey", f"/api/v1/apps/{saml}/credentials/keys"),
        ("okta.models.app_user:AppUser", f"/api/v1/apps/{saml}/users"),
        ("okta.models.application_group_assignment:ApplicationGroupAssignment",
         f"/api/v1/apps/{saml}/groups"),
        ("okta.models.group:Group", "/api/v1/groups"),
        ("okta.models.user:User", "/api/v1/users"),
    ]
    for spec, path in checks:
        model = okta_sdk._load(spec)
        items = api("GET", path).json()
        assert items, path
        for item in items:
            assert okta_sdk.problems(model, item) == [], (path, item)
    assert models["Application"] is not None


def test_seeding_2000_apps_is_fast_enough_for_an_audit_test(okta_org, api):
    ids = okta_org.add_apps(2000, label="App {i}")
    assert len(set(ids)) == 2000
    apps = api("GET", "/api/v1/apps", params={"limit": 200}).json()
    kids = {a["credentials"]["signing"]["kid"] for a in apps}
    assert len(kids) == 200  # one kid each, one shared key underneath
    assert okta_org.app_certificate(ids[0]) == okta_org.app_certificate(ids[-1])


def test_filter_by_assigned_user_group_and_key(okta_org, api):
    alice = okta_org.add_user("alice@example.com")
    bob = okta_org.add_user("bob@example.com")
    staff = okta_org.add_group("Staff", members=[bob])
    direct = okta_org.add_app("direct", users=[alice])
    by_group = okta_org.add_app("by group", groups=[staff])
    okta_org.add_app("nobody")

    def labels(expression):
        answer = api("GET", "/api/v1/apps", params={"filter": expression})
        assert answer.status_code == 200, answer.text
        return sorted(a["label"] for a in answer.json())

    assert labels(f'user.id eq "{alice}"') == ["direct"]
    assert labels(f'user.id eq "{bob}"') == ["by group"]
    assert labels(f'group.id eq "{staff}"') == ["by group"]
    kid = okta_org.app(direct)["credentials"]["signing"]["kid"]
    assert labels(f'credentials.signing.kid eq "{kid}"') == ["direct"]
    assert labels(f'name eq "{okta_org.app(by_group)["name"]}" and status eq "ACTIVE"') == [
        "by group"]
