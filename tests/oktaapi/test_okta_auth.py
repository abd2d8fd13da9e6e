"""Okta credentials: the API token only from the environment or a 0600 file; private keys as
PEM or JWK from a 0600 file; OAuth 2.0 client credentials with private_key_jwt against the
local Okta stand-in, with and without DPoP (the use_dpop_nonce retry, DPoP-bound calls)."""

from __future__ import annotations

import json
import os

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from ssoctl.rehearsal import pki
from ssoctl.errors import ApiRefusedError, ConfigError, InputError
from ssoctl.okta import api
from ssoctl.okta.auth import OAuthAuth, load_private_key, make_auth, token_auth
from ssoctl.okta.client import OktaClient

CLIENT_ID = "0oaServiceApp1234567"


def private_file(tmp_path, name, data, mode=0o600):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
    return str(path)


# ---------------------------------------------------------------- API token

def test_token_from_the_environment_first():
    auth = token_auth(environ={"SSOCTL_OKTA_TOKEN": " 00abc-token \n"})
    assert auth.token == "00abc-token" and "SSOCTL_OKTA_TOKEN" in auth.source
    assert auth.headers("GET", "https://o/x", None) == {"Authorization": "SSWS 00abc-token"}
    assert "00abc" not in repr(auth)


def test_token_from_a_0600_file(tmp_path):
    path = private_file(tmp_path, "okta.token", "00file-token\n")
    assert token_auth(token_file=path, environ={}).token == "00file-token"


def test_a_token_file_others_can_read_is_refused(tmp_path):
    path = private_file(tmp_path, "okta.token", "00file-token\n", mode=0o644)
    with pytest.raises(ConfigError) as info:
        token_auth(token_file=path, environ={})
    assert info.value.code == "OKTA_SECRET_FILE_INSECURE"
    assert f"chmod 600 {path}" in info.value.hint
    assert "00file-token" not in info.value.message


def test_a_token_file_with_two_lines_is_refused(tmp_path):
    path = private_file(tmp_path, "okta.token", "a\nb\n")
    with pytest.raises(ConfigError) as info:
        token_auth(token_file=path, environ={})
    assert info.value.code == "OKTA_SECRET_FILE"


def test_no_token_anywhere_says_where_to_put_one():
    with pytest.raises(ConfigError) as info:
        token_auth(environ={})
    assert info.value.code == "OKTA_NO_CREDENTIALS"
    assert "never accepted on the command line" in info.value.hint


# ---------------------------------------------------------------- private keys

def test_private_key_pem_and_jwk_both_load_with_their_kid(tmp_path):
    key = pki.cached_rsa_key("okta-auth-test")
    pem = private_file(tmp_path, "k.pem", pki.key_pem(key))
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk["kid"] = "kid-from-jwk"
    jwk_path = private_file(tmp_path, "k.json", json.dumps(jwk))
    from_pem = load_private_key(pem, kid="given")
    from_jwk = load_private_key(jwk_path)
    assert from_pem.algorithm == from_jwk.algorithm == "RS256"
    assert from_pem.kid == "given" and from_jwk.kid == "kid-from-jwk"
    assert from_jwk.key.private_numbers() == key.private_numbers()


def test_an_ec_key_signs_with_es256(tmp_path):
    path = private_file(tmp_path, "ec.pem", pki.key_pem(pki.ec_key()))
    assert load_private_key(path).algorithm == "ES256"


def test_an_encrypted_key_is_refused_without_showing_it(tmp_path):
    key = pki.cached_rsa_key("okta-auth-test")
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(b"pw"))
    path = private_file(tmp_path, "enc.pem", data)
    with pytest.raises(InputError) as info:
        load_private_key(path)
    assert info.value.code == "OKTA_KEY_UNREADABLE" and "encrypted" in info.value.message
    assert "BEGIN" not in info.value.message


def test_a_public_jwk_is_not_a_private_key(tmp_path, okta_service_key):
    _, public = okta_service_key
    path = private_file(tmp_path, "pub.json", json.dumps(public))
    with pytest.raises(InputError) as info:
        load_private_key(path)
    assert info.value.code == "OKTA_KEY_UNREADABLE"


def test_a_readable_private_key_file_is_refused(tmp_path):
    path = private_file(tmp_path, "k.pem", pki.key_pem(pki.cached_rsa_key("x")), mode=0o640)
    with pytest.raises(ConfigError) as info:
        load_private_key(path)
    assert info.value.code == "OKTA_SECRET_FILE_INSECURE"


def test_a_client_id_without_a_key_is_a_usage_problem():
    with pytest.raises(ConfigError) as info:
        make_auth("https://acme.okta.com", scopes=("okta.apps.read",), client_id="0oa1",
                  environ={})
    assert "--private-key" in info.value.hint


# ---------------------------------------------------------------- OAuth 2.0 on the stand-in

@pytest.fixture
def key_file(tmp_path, okta_service_key):
    key, _ = okta_service_key
    return private_file(tmp_path, "service.pem", pki.key_pem(key))


def oauth_client(okta_org, okta_clock, key_file, scopes=("okta.apps.read",), kid="test-key-1"):
    auth = OAuthAuth(okta_org.url, CLIENT_ID, load_private_key(key_file, kid=kid), scopes,
                     wall=lambda: okta_clock().timestamp())
    return OktaClient(okta_org.url, auth, wall=lambda: okta_clock().timestamp())


@pytest.mark.parametrize("dpop", [False, True])
def test_client_credentials_with_and_without_dpop(okta_org, okta_clock, okta_service_key,
                                                  key_file, dpop):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=dpop)
    okta_org.add_app("sipgate")
    with oauth_client(okta_org, okta_clock, key_file) as client:
        apps = api.saml_apps(client)
        assert [a.label for a in apps] == ["sipgate"]
        token_requests = [r for r in okta_org.requests if r.path == "/oauth2/v1/token"]
        api_calls = [r for r in okta_org.requests if r.path.startswith("/api/")]
        if dpop:  # missing proof or nonce first, then the token
            assert len(token_requests) >= 2 and token_requests[-1].status == 200
            assert all(r.status == 200 for r in api_calls)
        else:
            assert len(token_requests) == 1
        assert client.auth.describe().count("DPoP") == (1 if dpop else 0)


def test_a_dpop_bound_token_is_used_for_many_calls_and_refetched_when_expired(
        okta_org, okta_clock, okta_service_key, key_file):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=True)
    app_id = okta_org.add_app("sipgate")
    with oauth_client(okta_org, okta_clock, key_file) as client:
        for _ in range(3):
            api.get_app(client, app_id)
        first = len([r for r in okta_org.requests if r.path == "/oauth2/v1/token"])
        okta_clock.advance(3700)  # the access token's hour is over
        api.get_app(client, app_id)
        assert len([r for r in okta_org.requests if r.path == "/oauth2/v1/token"]) > first


def test_a_new_dpop_nonce_on_the_way_is_picked_up(okta_org, okta_clock, okta_service_key,
                                                  key_file):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=True)
    app_id = okta_org.add_app("sipgate")
    with oauth_client(okta_org, okta_clock, key_file) as client:
        api.get_app(client, app_id)
        okta_org.rotate_dpop_nonce()
        okta_org.expire_tokens()
        assert api.get_app(client, app_id).id == app_id


def test_a_scope_not_granted_names_the_scope(okta_org, okta_clock, okta_service_key, key_file):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=False)
    with oauth_client(okta_org, okta_clock, key_file, scopes=("okta.apps.manage",)) as client:
        with pytest.raises(ApiRefusedError) as info:
            api.saml_apps(client)
    assert info.value.code == "OKTA_OAUTH_REFUSED"
    assert "okta.apps.manage" in info.value.hint and "Okta API Scopes" in info.value.hint


def test_a_wrong_key_is_invalid_client(okta_org, okta_clock, okta_service_key, tmp_path):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=False)
    other = private_file(tmp_path, "other.pem", pki.key_pem(pki.cached_rsa_key("not-it")))
    with oauth_client(okta_org, okta_clock, other) as client:
        with pytest.raises(ApiRefusedError) as info:
            api.saml_apps(client)
    assert info.value.code == "OKTA_OAUTH_REFUSED" and "client ID" in info.value.hint


def test_access_tokens_and_assertions_are_listed_as_secrets(okta_org, okta_clock,
                                                            okta_service_key, key_file):
    _, public = okta_service_key
    okta_org.register_service_app(CLIENT_ID, public, ["okta.apps.read"], require_dpop=False)
    okta_org.add_app("sipgate")
    with oauth_client(okta_org, okta_clock, key_file) as client:
        api.saml_apps(client)
        secrets = client.secrets
    assert len(secrets) >= 2 and all(len(s) > 20 for s in secrets)


# ---------------------------------------------------------------- DPoP details (local server)

def test_dpop_proofs_carry_htm_htu_ath_and_the_resource_nonce(httpserver, tmp_path):
    """The API answers the first DPoP call with a nonce challenge (RFC 9449 section 9):
    the call is repeated once with the nonce; every proof is bound to the token (ath)."""
    import base64
    import hashlib

    from werkzeug import Response

    from ssoctl.okta.client import OktaClient

    key = pki.cached_rsa_key("okta-auth-test")
    path = private_file(tmp_path, "k.pem", pki.key_pem(key))
    org = httpserver.url_for("/").rstrip("/")
    httpserver.expect_ordered_request("/oauth2/v1/token", method="POST").respond_with_json(
        {"error": "invalid_dpop_proof", "error_description": "The DPoP proof JWT header is "
                                                             "missing."}, status=400)
    httpserver.expect_ordered_request("/oauth2/v1/token", method="POST").respond_with_json(
        {"token_type": "DPoP", "access_token": "at-123456789", "expires_in": 3600})
    httpserver.expect_ordered_request("/api/v1/apps/0oa1").respond_with_response(Response(
        "", status=401, headers={"DPoP-Nonce": "server-nonce-1",
                                 "WWW-Authenticate": 'DPoP error="use_dpop_nonce"'}))
    httpserver.expect_ordered_request("/api/v1/apps/0oa1").respond_with_json({"id": "0oa1"})
    auth = OAuthAuth(org, "0oaClient", load_private_key(path, kid="k1"), ("okta.apps.read",))
    with OktaClient(org, auth) as client:
        assert client.get("/api/v1/apps/0oa1?x=1", what="reading") == {"id": "0oa1"}
    token_call, token_ok, first, second = [entry[0] for entry in httpserver.log]
    assert "DPoP" not in token_call.headers and "DPoP" in token_ok.headers
    form = token_ok.form
    assert form["grant_type"] == "client_credentials" and form["scope"] == "okta.apps.read"
    assertion = jwt.decode(form["client_assertion"], key.public_key(), algorithms=["RS256"],
                           audience=f"{org}/oauth2/v1/token")
    assert assertion["iss"] == assertion["sub"] == "0oaClient" and assertion["jti"]
    assert assertion["exp"] - assertion["iat"] <= 3600
    assert jwt.get_unverified_header(form["client_assertion"])["kid"] == "k1"
    ath = base64.urlsafe_b64encode(hashlib.sha256(b"at-123456789").digest()).rstrip(b"=").decode()
    for request, nonce in ((first, None), (second, "server-nonce-1")):
        assert request.headers["Authorization"] == "DPoP at-123456789"
        proof = request.headers["DPoP"]
        header = jwt.get_unverified_header(proof)
        claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["RS256"])
        assert header["typ"] == "dpop+jwt" and "d" not in header["jwk"]
        assert claims["htm"] == "GET" and claims["htu"] == f"{org}/api/v1/apps/0oa1"
        assert claims["ath"] == ath and claims.get("nonce") == nonce
