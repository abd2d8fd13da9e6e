"""OAuth 2.0 for Okta, as the Okta stand-in checks it: the client-credentials grant with a
``private_key_jwt`` client assertion (signature against the registered public key, ``iss``
= ``sub`` = the client id, ``aud`` = the token URL, ``exp`` at most an hour ahead, a ``jti``
used once, scopes within the grant), and DPoP (RFC 9449): proofs with ``typ dpop+jwt``, a
public ``jwk``, ``htm``, ``htu``, a recent ``iat``, a single-use ``jti``, the server's
``nonce`` on token requests (else ``use_dpop_nonce`` with a ``DPoP-Nonce`` header) and
``ath`` on API calls. Times are checked against the stand-in's clock. JWTs are read with
PyJWT, never by hand.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

TOKEN_PATH = "/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
ACCESS_TOKEN_SECONDS = 3600


class Headers(Protocol):
    """Request headers: a mapping, or the stdlib server's case-insensitive message."""

    def get(self, name: str, default: Any = None, /) -> Any: ...

    def items(self) -> Any: ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of a public JWK."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
               "OKP": ("crv", "kty", "x")}.get(str(jwk.get("kty")))
    if members is None or any(name not in jwk for name in members):
        raise ValueError("unsupported or incomplete JWK")
    canonical = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"),
                           sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def public_jwk(data: bytes) -> dict[str, Any]:
    """A public key given as PEM or as JWK JSON, as a public JWK (RSA or EC). A private key
    is refused (ValueError), and nothing of it is repeated in the message."""
    text = data.decode("utf-8", "replace").strip()
    if "PRIVATE KEY" in text:
        raise ValueError("this is a private key; give the public key")
    if text.startswith("{"):
        try:
            jwk = json.loads(text)
        except ValueError:
            raise ValueError("neither a PEM public key nor a JWK") from None
        if not isinstance(jwk, dict) or jwk.get("kty") not in ("RSA", "EC"):
            raise ValueError("not an RSA or EC JWK")
        if "d" in jwk:
            raise ValueError("this JWK holds a private key; give the public key")
        return jwk
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(data)
    except (ValueError, TypeError):
        raise ValueError("neither a PEM public key nor a JWK") from None
    if isinstance(key, rsa.RSAPublicKey):
        return json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    if isinstance(key, ec.EllipticCurvePublicKey):
        return json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))
    raise ValueError("only RSA and EC keys can sign client assertions")


@dataclass(slots=True)
class Grant:
    """What a token allows: scopes (``None``: everything), how it is presented, the
    DPoP key it is bound to, until when, for which client."""

    scopes: frozenset[str] | None
    kind: str  # SSWS, Bearer, DPoP
    jkt: str | None = None
    expires_at: dt.datetime | None = None
    client_id: str | None = None


@dataclass(slots=True)
class ServiceApp:
    """A registered API Services app."""

    client_id: str
    jwk: dict[str, Any]
    key: Any
    scopes: frozenset[str]
    require_dpop: bool


class OAuthRefusal(Exception):
    """An OAuth 2.0 error answer of the token endpoint."""

    def __init__(self, status: int, error: str, description: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description
        self.headers = dict(headers or {})


class NonceNeeded(ValueError):
    """The DPoP proof has no current nonce: answer ``use_dpop_nonce``."""


class OAuthServer:
    """The token endpoint's state: registered service apps, DPoP nonces, used ``jti``s."""

    def __init__(self, *, now: Callable[[], dt.datetime], url: Callable[[], str]) -> None:
        self.now, self.url = now, url
        self._apps: dict[str, ServiceApp] = {}
        self._nonces: list[str] = [_b64url(secrets.token_bytes(24))]
        self._jtis: set[str] = set()

    def register(self, client_id: str, public_jwk: Any, scopes: Iterable[str],
                 require_dpop: bool) -> None:
        """Register an API Services app by its public key (a JWK dict or a key object)."""
        import jwt

        if not isinstance(public_jwk, Mapping):
            algorithm = (jwt.algorithms.RSAAlgorithm if hasattr(public_jwk, "public_numbers")
                         and hasattr(public_jwk.public_numbers(), "n")
                         else jwt.algorithms.ECAlgorithm)
            public_jwk = json.loads(algorithm.to_jwk(public_jwk))
        if "d" in public_jwk:
            raise ValueError("register the PUBLIC key (this JWK has a private part)")
        key = jwt.PyJWK(dict(public_jwk)).key
        self._apps[client_id] = ServiceApp(client_id, dict(public_jwk), key, frozenset(scopes),
                                           require_dpop)

    def rotate_nonce(self) -> str:
        """Retire every DPoP nonce and start a new one."""
        self._nonces = [_b64url(secrets.token_bytes(24))]
        return self._nonces[0]

    def token(self, headers: Headers, form: Any) -> tuple[str, Grant, dict[str, Any]]:
        """Answer a client-credentials token request: (access token, its grant, the JSON
        answer). Raises :class:`OAuthRefusal` with OAuth's error for anything wrong."""
        import jwt

        if not isinstance(form, dict) or headers.get("Content-Type", "").split(";")[0] \
                != "application/x-www-form-urlencoded":
            raise OAuthRefusal(400, "invalid_request",
                                "The request must be application/x-www-form-urlencoded.")
        if form.get("grant_type") != "client_credentials":
            raise OAuthRefusal(400, "unsupported_grant_type",
                                "The grant_type is not supported or not allowed.")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get(
                "client_assertion"):
            raise OAuthRefusal(401, "invalid_client",
                                "A client_assertion with type jwt-bearer is required.")
        assertion = form["client_assertion"]
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise OAuthRefusal(401, "invalid_client",
                                "The client_assertion is not a JWT.") from None
        client_id = unverified.get("sub") or unverified.get("iss")
        service = self._apps.get(str(client_id))
        if service is None or form.get("client_id", client_id) != client_id:
            raise OAuthRefusal(401, "invalid_client",
                                "The client_assertion token's client is not known.")
        if service.jwk.get("kid") and header.get("kid") != service.jwk["kid"]:
            raise OAuthRefusal(401, "invalid_client",
                                "The client_assertion's kid does not name a registered key.")
        try:
            claims = jwt.decode(assertion, service.key, algorithms=list(JWT_ALGORITHMS),
                                audience=self.url() + TOKEN_PATH,
                                options={"verify_exp": False, "verify_iat": False,
                                         "verify_nbf": False,
                                         "require": ["iss", "sub", "aud", "exp", "jti"]})
        except jwt.InvalidAudienceError:
            raise OAuthRefusal(401, "invalid_client", "The audience of the client_assertion "
                                                       "must be the token URL.") from None
        except jwt.PyJWTError as exc:
            raise OAuthRefusal(401, "invalid_client",
                                f"The client_assertion is invalid: {exc}") from None
        now = self.now().timestamp()
        if claims["iss"] != claims["sub"]:
            raise OAuthRefusal(401, "invalid_client", "iss and sub must both be the client id.")
        if not isinstance(claims["exp"], (int, float)) or claims["exp"] <= now - 30:
            raise OAuthRefusal(401, "invalid_client", "The client_assertion has expired.")
        if claims["exp"] > now + 3600 + 30:
            raise OAuthRefusal(401, "invalid_client", "The client_assertion exp is more than "
                                                       "one hour in the future.")
        jti = f"assertion:{claims['jti']}"
        if jti in self._jtis:
            raise OAuthRefusal(401, "invalid_client", "The client_assertion jti was used "
                                                       "before.")
        requested = str(form.get("scope") or "").split()
        if not requested:
            raise OAuthRefusal(400, "invalid_scope", "The authorization server resource does "
                                                      "not have any configured default scopes, "
                                                      "'scope' must be provided.")
        refused = [s for s in requested if s not in service.scopes]
        if refused:
            raise OAuthRefusal(400, "invalid_scope", "The following scopes are not allowed: "
                                                      + " ".join(refused))
        jkt = None
        if service.require_dpop or headers.get("DPoP"):
            if not headers.get("DPoP"):
                raise OAuthRefusal(400, "invalid_dpop_proof",
                                    "The DPoP proof JWT header is missing.")
            try:
                jkt = self.check_proof(headers.get("DPoP"), "POST", "/oauth2/v1/token",
                                        access_token=None, want_nonce=True)
            except NonceNeeded as exc:
                raise OAuthRefusal(400, "use_dpop_nonce", "Authorization server requires "
                                                           "nonce in DPoP proof.",
                                    {"DPoP-Nonce": self._nonces[-1]}) from exc
            except ValueError as exc:
                raise OAuthRefusal(400, "invalid_dpop_proof", str(exc)) from None
        self._jtis.add(jti)
        token = _b64url(secrets.token_bytes(32))
        kind = "DPoP" if jkt else "Bearer"
        grant = Grant(frozenset(requested), kind, jkt,
                      self.now() + dt.timedelta(seconds=ACCESS_TOKEN_SECONDS), service.client_id)
        doc = {"token_type": kind, "expires_in": ACCESS_TOKEN_SECONDS, "access_token": token,
               "scope": " ".join(requested)}
        return token, grant, doc

    def check_proof(self, proof: str, method: str, path: str, *, access_token: str | None,
                     want_nonce: bool) -> str:
        """Verify a DPoP proof (RFC 9449); returns the proof key's thumbprint."""
        import jwt

        if not proof:
            raise ValueError("The DPoP proof JWT header is missing.")
        try:
            header = jwt.get_unverified_header(proof)
        except jwt.PyJWTError:
            raise ValueError("The DPoP proof is not a JWT.") from None
        if header.get("typ") != "dpop+jwt":
            raise ValueError("The DPoP proof typ must be dpop+jwt.")
        jwk = header.get("jwk")
        alg = header.get("alg")
        if not isinstance(jwk, dict) or "d" in jwk or alg not in JWT_ALGORITHMS:
            raise ValueError("The DPoP proof must carry a public jwk and an asymmetric alg.")
        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
            claims = jwt.decode(proof, key, algorithms=[alg],
                                options={"verify_exp": False, "verify_iat": False,
                                         "verify_nbf": False, "verify_aud": False,
                                         "require": ["htm", "htu", "iat", "jti"]})
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise ValueError(f"The DPoP proof is invalid: {exc}") from None
        if claims["htm"] != method:
            raise ValueError("The DPoP proof htm does not match the request method.")
        htu = urlsplit(str(claims["htu"]))
        mine = urlsplit(self.url())
        if (htu.scheme, htu.hostname, htu.port, htu.path) != (mine.scheme, mine.hostname,
                                                              mine.port, path):
            raise ValueError("The DPoP proof htu does not match the request URL.")
        now = self.now().timestamp()
        if not isinstance(claims["iat"], (int, float)) or abs(claims["iat"] - now) > 300:
            raise ValueError("The DPoP proof iat is not recent.")
        if access_token is not None:
            expected = _b64url(hashlib.sha256(access_token.encode("ascii")).digest())
            if claims.get("ath") != expected:
                raise ValueError("The DPoP proof ath does not match the access token.")
        if want_nonce and claims.get("nonce") not in self._nonces:
            raise NonceNeeded()
        if claims.get("nonce") is not None and claims["nonce"] not in self._nonces:
            raise ValueError("The DPoP proof nonce is not current.")
        jti = f"dpop:{claims['jti']}"
        if jti in self._jtis:
            raise ValueError("The DPoP proof jti was used before.")
        self._jtis.add(jti)
        return jwk_thumbprint(jwk)
