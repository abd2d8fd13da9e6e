"""OAuth 2.0 for Okta on the stand-in: client credentials with a ``private_key_jwt``
client assertion, scopes per service app, and DPoP (RFC 9449) with the ``use_dpop_nonce``
dance, ``Authorization: DPoP`` and ``ath``-bound proofs on API calls."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import jwt
import pytest
import requests

CLIENT_ID = "0oaServiceApp0000001"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(okta_org, key, *, kid="test-key-1", aud=None, lifetime=300, iss=CLIENT_ID,
              sub=CLIENT_ID, jti=None, now=None):
    now = int((now or okta_org.now()).timestamp())
    claims = {"iss": iss, "sub": sub, "aud": aud or okta_org.token_url, "iat": now,
              "exp": now + lifetime, "jti": jti or str(uuid.uuid4())}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


class DpopKey:
    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ec

        self.key = ec.generate_private_key(ec.SECP256R1())
        self.jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))

    def proof(self, okta_org, method, url, *, nonce=None, token=None, iat=None, typ="dpop+jwt",
              jti=None):
        claims = {"htm": method, "htu": url, "iat": int(iat or okta_org.now().timestamp()),
                  "jti": jti or str(uuid.uuid4())}
        if nonce:
            claims["nonce"] = nonce
        if token:
            claims["ath"] = base64.urlsafe_b64encode(
                hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
        return jwt.encode(claims, self.key, algorithm="ES256",
                          headers={"typ": typ, "jwk": self.jwk})


def token_request(okta_org, client_assertion, *, scope="okta.apps.read", dpop=None):
    headers = {"DPoP": dpop} if dpop else {}
    return requests.post(okta_org.token_url, data={
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": client_assertion},
        headers=headers, timeout=10)


@pytest.fixture
def bearer_app(okta_org, okta_service_key):
    key, jwk = okta_service_key
    okta_org.register_service_app(CLIENT_ID, jwk, ["okta.apps.read", "okta.groups.read"],
                                  require_dpop=False)
    return key


@pytest.fixture
def dpop_app(okta_org, okta_service_key):
    key, jwk = okta_service_key
    okta_org.register_service_app(CLIENT_ID, jwk, ["okta.apps.read", "okta.apps.manage"])
    return key


def _oauth_error(answer, status, error):
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error, answer.text
    return answer.json()


# --------------------------------------------------------------------------- private_key_jwt


def test_client_credentials_with_private_key_jwt_gives_a_bearer_token(okta_org, bearer_app):
    answer = token_request(okta_org, assertion(okta_org, bearer_app))
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["token_type"] == "Bearer" and doc["expires_in"] == 3600
    assert doc["scope"] == "okta.apps.read"
    assert answer.headers["Cache-Control"] == "no-store"
    api = requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                       headers={"Authorization": f"Bearer {doc['access_token']}"})
    assert api.status_code == 200
    # the scope asked for is the scope granted: groups were not asked for
    groups = requests.get(okta_org.url + "/api/v1/groups", timeout=10,
                          headers={"Authorization": f"Bearer {doc['access_token']}"})
    assert groups.status_code == 403 and groups.json()["errorCode"] == "E0000006"
    assert 'error="insufficient_scope"' in groups.headers["WWW-Authenticate"]
    # the token is not an API token
    as_ssws = requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                           headers={"Authorization": f"SSWS {doc['access_token']}"})
    assert as_ssws.status_code == 401


@pytest.mark.parametrize("change, error", [
    ({"aud": "https://elsewhere.example/oauth2/v1/token"}, "invalid_client"),
    ({"lifetime": 2 * 3600}, "invalid_client"),
    ({"lifetime": -120}, "invalid_client"),
    ({"iss": "someone-else"}, "invalid_client"),
    ({"kid": "unknown-kid"}, "invalid_client"),
    ({"sub": "0oaUnknownClient0000", "iss": "0oaUnknownClient0000"}, "invalid_client"),
])
def test_bad_client_assertions_are_refused(okta_org, bearer_app, change, error):
    _oauth_error(token_request(okta_org, assertion(okta_org, bearer_app, **change)), 401, error)


def test_assertion_signed_by_another_key_is_refused(okta_org, bearer_app):
    from ssoctl.rehearsal import pki

    other = pki.cached_rsa_key("not-the-registered-one")
    doc = _oauth_error(token_request(okta_org, assertion(okta_org, other)), 401,
                       "invalid_client")
    assert "invalid" in doc["error_description"]


def test_assertion_jti_is_single_use(okta_org, bearer_app):
    signed = assertion(okta_org, bearer_app, jti="once")
    assert token_request(okta_org, signed).status_code == 200
    _oauth_error(token_request(okta_org, signed), 401, "invalid_client")


def test_scopes_not_granted_are_refused(okta_org, bearer_app):
    doc = _oauth_error(token_request(okta_org, assertion(okta_org, bearer_app),
                                     scope="okta.apps.read okta.apps.manage"), 400,
                       "invalid_scope")
    assert "okta.apps.manage" in doc["error_description"]
    _oauth_error(token_request(okta_org, assertion(okta_org, bearer_app), scope=""), 400,
                 "invalid_scope")


def test_token_endpoint_wants_the_jwt_bearer_form(okta_org, bearer_app):
    answer = requests.post(okta_org.token_url, json={"grant_type": "client_credentials"},
                           timeout=10)
    _oauth_error(answer, 400, "invalid_request")
    answer = requests.post(okta_org.token_url, data={"grant_type": "password"}, timeout=10)
    _oauth_error(answer, 400, "unsupported_grant_type")


def test_expired_access_tokens_are_401(okta_org, okta_clock, bearer_app):
    token = token_request(okta_org, assertion(okta_org, bearer_app)).json()["access_token"]
    okta_clock.advance(3601)
    answer = requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json()["errorCode"] == "E0000011"


def test_expire_tokens_revokes_every_access_token(okta_org, bearer_app):
    token = token_request(okta_org, assertion(okta_org, bearer_app)).json()["access_token"]
    okta_org.expire_tokens()
    answer = requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_the_secret_parts_never_reach_the_request_log(okta_org, bearer_app):
    signed = assertion(okta_org, bearer_app)
    token = token_request(okta_org, signed).json()["access_token"]
    requests.get(okta_org.url + "/api/v1/apps", timeout=10,
                 headers={"Authorization": f"Bearer {token}"})
    logged = repr(okta_org.requests)
    assert signed not in logged and token not in logged
    assert okta_org.requests[0].body["client_assertion"] == "[redacted]"
    assert okta_org.requests[1].headers["Authorization"] == "Bearer [redacted]"


# --------------------------------------------------------------------------- DPoP


def dpop_token(okta_org, key, dpop, scope="okta.apps.read"):
    """The whole dance: proof without nonce -> use_dpop_nonce -> proof with nonce."""
    first = token_request(okta_org, assertion(okta_org, key), scope=scope,
                          dpop=dpop.proof(okta_org, "POST", okta_org.token_url))
    _oauth_error(first, 400, "use_dpop_nonce")
    nonce = first.headers["DPoP-Nonce"]
    second = token_request(okta_org, assertion(okta_org, key), scope=scope,
                           dpop=dpop.proof(okta_org, "POST", okta_org.token_url, nonce=nonce))
    assert second.status_code == 200, second.text
    return second.json()


def test_dpop_nonce_dance_then_dpop_bound_calls(okta_org, dpop_app):
    dpop = DpopKey()
    doc = dpop_token(okta_org, dpop_app, dpop)
    assert doc["token_type"] == "DPoP"
    token, url = doc["access_token"], okta_org.url + "/api/v1/apps"
    answer = requests.get(url, timeout=10, headers={
        "Authorization": f"DPoP {token}", "DPoP": dpop.proof(okta_org, "GET", url, token=token)})
    assert answer.status_code == 200, answer.text
    # query strings are not part of htu
    answer = requests.get(url + "?limit=5", timeout=10, headers={
        "Authorization": f"DPoP {token}", "DPoP": dpop.proof(okta_org, "GET", url, token=token)})
    assert answer.status_code == 200, answer.text


def test_dpop_required_means_no_proof_no_token(okta_org, dpop_app):
    answer = token_request(okta_org, assertion(okta_org, dpop_app))
    _oauth_error(answer, 400, "invalid_dpop_proof")


@pytest.mark.parametrize("mistake", ["bearer", "no-proof", "no-ath", "wrong-htm", "wrong-htu",
                                     "old-iat", "other-key", "reused-jti", "wrong-typ"])
def test_dpop_bound_calls_refuse_bad_proofs(okta_org, dpop_app, mistake):
    dpop = DpopKey()
    token = dpop_token(okta_org, dpop_app, dpop)["access_token"]
    url = okta_org.url + "/api/v1/apps"
    headers = {"Authorization": f"DPoP {token}"}
    if mistake == "bearer":
        headers = {"Authorization": f"Bearer {token}"}
    elif mistake == "no-ath":
        headers["DPoP"] = dpop.proof(okta_org, "GET", url)
    elif mistake == "wrong-htm":
        headers["DPoP"] = dpop.proof(okta_org, "POST", url, token=token)
    elif mistake == "wrong-htu":
        headers["DPoP"] = dpop.proof(okta_org, "GET", okta_org.url + "/api/v1/groups",
                                     token=token)
    elif mistake == "old-iat":
        headers["DPoP"] = dpop.proof(okta_org, "GET", url, token=token,
                                     iat=okta_org.now().timestamp() - 3600)
    elif mistake == "other-key":
        headers["DPoP"] = DpopKey().proof(okta_org, "GET", url, token=token)
    elif mistake == "reused-jti":
        headers["DPoP"] = dpop.proof(okta_org, "GET", url, token=token, jti="same")
        assert requests.get(url, headers=headers, timeout=10).status_code == 200
    elif mistake == "wrong-typ":
        headers["DPoP"] = dpop.proof(okta_org, "GET", url, token=token, typ="JWT")
    answer = requests.get(url, headers=headers, timeout=10)
    assert answer.status_code == 401, answer.text
    assert answer.json()["errorCode"] == "E0000011"


def test_a_rotated_nonce_starts_the_dance_again(okta_org, dpop_app):
    dpop = DpopKey()
    first = token_request(okta_org, assertion(okta_org, dpop_app),
                          dpop=dpop.proof(okta_org, "POST", okta_org.token_url))
    nonce = first.headers["DPoP-Nonce"]
    okta_org.rotate_dpop_nonce()
    again = token_request(okta_org, assertion(okta_org, dpop_app),
                          dpop=dpop.proof(okta_org, "POST", okta_org.token_url, nonce=nonce))
    _oauth_error(again, 400, "use_dpop_nonce")
    assert again.headers["DPoP-Nonce"] != nonce


def test_dpop_scope_enforcement_names_the_missing_scope_by_403(okta_org, dpop_app):
    dpop = DpopKey()
    token = dpop_token(okta_org, dpop_app, dpop)["access_token"]
    url = okta_org.url + "/api/v1/apps"
    answer = requests.post(url, json={"label": "x", "signOnMode": "SAML_2_0"}, timeout=10,
                           headers={"Authorization": f"DPoP {token}",
                                    "DPoP": dpop.proof(okta_org, "POST", url, token=token)})
    assert answer.status_code == 403 and answer.json()["errorCode"] == "E0000006"


def test_register_refuses_a_private_jwk(okta_org, okta_service_key):
    key, _ = okta_service_key
    private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    with pytest.raises(ValueError, match="PUBLIC"):
        okta_org.register_service_app("x", private, ["okta.apps.read"])
