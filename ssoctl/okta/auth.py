"""Credentials for the Okta management API: an API token (SSWS) or OAuth 2.0 for Okta.

API token
    ``Authorization: SSWS <token>``. The token comes from ``SSOCTL_OKTA_TOKEN`` or a file
    only its owner can read (mode 0600: ``--token-file`` or the profile's
    ``okta_token_file``), never from the command line. It acts with the admin role of the
    person who created it.

OAuth 2.0 (an *API Services* app, client authentication *Public key / Private key*)
    The client-credentials grant at ``{org}/oauth2/v1/token`` with a ``private_key_jwt``
    client assertion (``iss`` = ``sub`` = client id, ``aud`` = the token URL, a unique
    ``jti``, five minutes of life, the key's ``kid`` in the header), asking only for the
    scopes the command needs. When the app requires DPoP (Okta's default for new apps)
    the token endpoint says so (``invalid_dpop_proof`` or ``use_dpop_nonce`` with a
    ``DPoP-Nonce`` header): ssoctl then makes a throw-away key for this run and sends a
    DPoP proof with every request (``htm``, ``htu``, ``iat``, ``jti``, the server's
    ``nonce`` when it gave one, and ``ath`` on API calls), with
    ``Authorization: DPoP <token>``.

JWTs are made with PyJWT (imported when first needed). Neither the token, the private key
nor an access token is ever part of a message: :attr:`secrets` lists what to redact.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ssoctl.links import OKTA_DOCS
from ssoctl.errors import ApiRefusedError, ConfigError, InputError, NetworkError
from ssoctl.okta.client import Reply

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.okta.client import Exchange

ENV_TOKEN = "SSOCTL_OKTA_TOKEN"
ENV_CLIENT_ID = "SSOCTL_OKTA_CLIENT_ID"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_KEY_BYTES = 64 * 1024

#: OAuth scopes per kind of work (least privilege; docs/okta.md lists them per command).
READ_SCOPES = ("okta.apps.read",)
WRITE_SCOPES = ("okta.apps.manage",)
GROUP_SCOPES = ("okta.groups.read",)


# ---------------------------------------------------------------- API token

@dataclass(frozen=True)
class TokenAuth:
    """``Authorization: SSWS <token>``."""

    token: str = field(repr=False)
    source: str = ""
    kind: str = "ssws"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    def headers(self, method: str, url: str, exchange: "Exchange") -> dict[str, str]:
        return {"Authorization": f"SSWS {self.token}"}

    def retry_after_challenge(self, reply: Reply) -> bool:
        return False

    def observe(self, reply: Reply) -> None:
        return None

    def describe(self) -> str:
        return f"API token ({self.source})"


def read_private_file(path: str, *, what: str, max_bytes: int = MAX_KEY_BYTES) -> bytes:
    """Read a secret file (token, private key), refusing one others can read (not 0600)."""
    from ssoctl.files import SecretCodes, read_secret_file

    return read_secret_file(path, what=what, max_bytes=max_bytes, codes=SecretCodes(
        "OKTA_SECRET_FILE", "OKTA_SECRET_FILE", "OKTA_SECRET_FILE_INSECURE"))


def token_auth(*, token_file: str | None = None,
               environ: Mapping[str, str] | None = None) -> TokenAuth:
    """The API token from ``SSOCTL_OKTA_TOKEN`` or ``token_file`` (0600)."""
    env = os.environ if environ is None else environ
    value = (env.get(ENV_TOKEN) or "").strip()
    if value:
        return TokenAuth(value, source=f"environment variable {ENV_TOKEN}")
    if token_file:
        raw = read_private_file(token_file, what="token file", max_bytes=4096)
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            text = ""
        if not text or "\n" in text or " " in text:
            raise ConfigError(f"token file {token_file} should hold the API token on one line",
                              hint="write only the token into the file",
                              code="OKTA_SECRET_FILE")
        if text.lower().startswith("ssws "):
            text = text[5:].strip()
        return TokenAuth(text, source=f"token file {token_file}")
    raise ConfigError("no Okta credentials",
                      hint=f"set {ENV_TOKEN} or give --token-file (mode 0600), or use an API "
                           f"Services app with --client-id and --private-key ({OKTA_DOCS}); "
                           "tokens are never accepted on the command line",
                      code="OKTA_NO_CREDENTIALS")


# ---------------------------------------------------------------- private keys

@dataclass(frozen=True)
class SigningKey:
    """A private key loaded for ``private_key_jwt``; never printed."""

    key: Any = field(repr=False)
    algorithm: str
    kid: str | None


def load_private_key(path: str, *, kid: str | None = None) -> SigningKey:
    """A PEM (PKCS#8, PKCS#1, SEC1) or JWK (JSON, as Okta's Admin Console offers it) private
    key from a 0600 file. The key's text never appears in an error."""
    data = read_private_file(path, what="private key file")
    text = data.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        key, jwk_kid = _from_jwk(text, path)
    else:
        key, jwk_kid = _from_pem(data, path), None
    return SigningKey(key=key, algorithm=_algorithm(key, path), kid=kid or jwk_kid)


def _from_jwk(text: str, path: str) -> tuple[Any, str | None]:
    import jwt

    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("keys"), list) and len(doc["keys"]) == 1:
            doc = doc["keys"][0]
        if not isinstance(doc, dict) or "d" not in doc:
            raise ValueError("not a private JWK")
        key = jwt.PyJWK(doc).key
    except (ValueError, TypeError, KeyError, jwt.exceptions.PyJWKError):
        raise InputError(f"{path} is not a usable private JWK",
                         hint="give the private key Okta generated (JSON with \"d\"), or a "
                              "PEM private key", code="OKTA_KEY_UNREADABLE") from None
    return key, doc.get("kid") if isinstance(doc.get("kid"), str) else None


def _from_pem(data: bytes, path: str) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise InputError(f"{path} is an encrypted private key",
                         hint="decrypt it into a 0600 file: `openssl pkey -in KEY -out plain.pem`",
                         code="OKTA_KEY_UNREADABLE") from None
    except (ValueError, Exception):  # noqa: BLE001 - cryptography's loaders raise several kinds
        raise InputError(f"{path} is not a PEM or JWK private key",
                         hint="give the private key of the API Services app's public key "
                              "(PEM or the JWK Okta generated)",
                         code="OKTA_KEY_UNREADABLE") from None


def _algorithm(key: Any, path: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise InputError(f"{path}: the RSA key has {key.key_size} bits; Okta needs 2048+",
                             hint="generate a new key pair for the API Services app",
                             code="OKTA_KEY_UNREADABLE")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
        if key.curve.name in by_curve:
            return by_curve[key.curve.name]
    raise InputError(f"{path}: Okta accepts RSA or EC (P-256/384/521) keys for "
                     "private_key_jwt", hint="generate an RSA key pair in the API Services app",
                     code="OKTA_KEY_UNREADABLE")


# ---------------------------------------------------------------- OAuth 2.0

@dataclass
class _Token:
    value: str
    kind: str
    expires: float


class OAuthAuth:
    """Client credentials with ``private_key_jwt``, DPoP when the server asks for it."""

    kind = "oauth"

    def __init__(self, org: str, client_id: str, key: SigningKey, scopes: tuple[str, ...], *,
                 wall: Callable[[], float] = time.time, dpop: bool | None = None) -> None:
        self.org = org
        self.client_id = client_id
        self.key = key
        self.scopes = tuple(dict.fromkeys(scopes))
        self.token_url = f"{org}/oauth2/v1/token"
        self._wall = wall
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._dpop = dpop  # None: find out from the token endpoint
        self._dpop_key: Any = None
        self._nonce: str | None = None
        self._seen: list[str] = []
        self._refetched = False

    def describe(self) -> str:
        return (f"OAuth 2.0 client {self.client_id} (private_key_jwt"
                f"{', DPoP' if self._dpop else ''}; scopes {' '.join(self.scopes)})")

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._seen)

    # -- the Protocol used by OktaClient

    def headers(self, method: str, url: str, exchange: "Exchange") -> dict[str, str]:
        token = self._access_token(exchange)
        if token.kind.lower() == "dpop":
            ath = _b64(hashlib.sha256(token.value.encode("ascii")).digest())
            return {"Authorization": f"DPoP {token.value}",
                    "DPoP": self._proof(method, url, ath=ath)}
        return {"Authorization": f"Bearer {token.value}"}

    def retry_after_challenge(self, reply: Reply) -> bool:
        """A resource-server nonce challenge (``use_dpop_nonce``): retry with the nonce."""
        if reply.header("dpop-nonce") and "use_dpop_nonce" in (
                reply.header("www-authenticate") + str(_error_of(reply))):
            self._nonce = reply.header("dpop-nonce")
            return True
        if reply.status == 401 and self._token is not None and not self._refetched:
            with self._lock:  # expired early or revoked: one fresh token, once
                self._token = None
                self._refetched = True
            return True
        return False

    def observe(self, reply: Reply) -> None:
        nonce = reply.header("dpop-nonce")
        if nonce:
            self._nonce = nonce
        if reply.status < 400 and not reply.url.startswith(self.token_url):
            self._refetched = False  # the token works: a later 401 may refetch again

    # -- token endpoint

    def _access_token(self, exchange: "Exchange") -> _Token:
        with self._lock:
            if self._token is None or self._wall() > self._token.expires - 60:
                self._token = self._fetch(exchange)
            return self._token

    def _fetch(self, exchange: "Exchange") -> _Token:
        for _ in range(3):
            headers = {"Accept": "application/json",
                       "Content-Type": "application/x-www-form-urlencoded"}
            if self._dpop:
                headers["DPoP"] = self._proof("POST", self.token_url)
            reply = exchange("POST", self.token_url, headers=headers, data=self._form(),
                             what="getting an Okta access token")
            self.observe(reply)
            error = _error_of(reply)
            if reply.status == 400 and error == "use_dpop_nonce" and reply.header("dpop-nonce"):
                self._dpop = True
                continue
            if reply.status == 400 and error == "invalid_dpop_proof" and not self._dpop:
                self._dpop = True  # the app requires DPoP: start proving
                continue
            if reply.status >= 400:
                raise self._token_error(reply, error)
            return self._accept(reply)
        raise ApiRefusedError("Okta's token endpoint kept asking for a new DPoP nonce",
                              hint="run again; if it persists, check the API Services app's "
                                   "DPoP setting", code="OKTA_OAUTH_REFUSED")

    def _form(self) -> bytes:
        from urllib.parse import urlencode

        assertion = self._assertion()
        return urlencode({"grant_type": "client_credentials", "scope": " ".join(self.scopes),
                          "client_assertion_type": ASSERTION_TYPE,
                          "client_assertion": assertion}).encode("ascii")

    def _assertion(self) -> str:
        import jwt

        now = int(self._wall())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
                  "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}
        headers = {"kid": self.key.kid} if self.key.kid else None
        token = jwt.encode(claims, self.key.key, algorithm=self.key.algorithm, headers=headers)
        self._seen.append(token)
        return token

    def _accept(self, reply: Reply) -> _Token:
        body = reply.json()
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise NetworkError("Okta's token endpoint answered without an access token",
                               hint="check --org: it must be the Okta org itself",
                               code="OKTA_BAD_ANSWER")
        value = body["access_token"]
        self._seen.append(value)
        kind = str(body.get("token_type") or "Bearer")
        if kind.lower() == "dpop":
            self._dpop = True
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return _Token(value, kind, self._wall() + lifetime)

    def _token_error(self, reply: Reply, error: str) -> ApiRefusedError:
        from ssoctl import http

        body = reply.json() if isinstance(reply.json(), dict) else {}
        text = http.redact(str(body.get("error_description") or error or
                               f"HTTP {reply.status}"), self.secrets)[:300]
        if error == "invalid_scope":
            hint = (f"grant {' and '.join(self.scopes)} in the API Services app's Okta API "
                    f"Scopes tab ({OKTA_DOCS} lists the scopes per command)")
        elif error == "invalid_client":
            hint = ("check the client ID, that the app uses 'Public key / Private key' and "
                    "holds the public half of --private-key (and --key-id if it has several "
                    "keys)")
        elif error in ("invalid_dpop_proof", "use_dpop_nonce"):
            hint = f"the app's DPoP setting and ssoctl disagree; run again or see {OKTA_DOCS}"
        else:
            hint = f"see {OKTA_DOCS} for setting up the API Services app"
        return ApiRefusedError(f"Okta refused the access token request ({error or reply.status}): "
                               f"{text}", hint=hint, code="OKTA_OAUTH_REFUSED",
                               status=reply.status)

    # -- DPoP

    def _proof(self, method: str, url: str, *, ath: str | None = None) -> str:
        import jwt
        from jwt.algorithms import RSAAlgorithm

        if self._dpop_key is None:
            from cryptography.hazmat.primitives.asymmetric import rsa

            self._dpop_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = RSAAlgorithm.to_jwk(self._dpop_key.public_key(), as_dict=True)
        claims: dict[str, Any] = {"htm": method.upper(), "htu": _htu(url),
                                  "iat": int(self._wall()), "jti": uuid.uuid4().hex}
        if self._nonce:
            claims["nonce"] = self._nonce
        if ath:
            claims["ath"] = ath
        return jwt.encode(claims, self._dpop_key, algorithm="RS256",
                          headers={"typ": "dpop+jwt", "jwk": public})


def _error_of(reply: Reply) -> str:
    body = reply.json()
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    challenge = reply.header("www-authenticate")
    if 'error="' in challenge:
        return challenge.split('error="', 1)[1].split('"', 1)[0]
    return ""


def _htu(url: str) -> str:
    """The proof's ``htu``: the URL without query and fragment (RFC 9449)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# ---------------------------------------------------------------- choosing

def make_auth(org: str, *, scopes: tuple[str, ...], client_id: str | None = None,
              private_key: str | None = None, key_id: str | None = None,
              token_file: str | None = None, environ: Mapping[str, str] | None = None,
              wall: Callable[[], float] = time.time) -> TokenAuth | OAuthAuth:
    """OAuth when a client id is given (flag, profile or ``SSOCTL_OKTA_CLIENT_ID``), else
    the API token."""
    env = os.environ if environ is None else environ
    client_id = client_id or (env.get(ENV_CLIENT_ID) or "").strip() or None
    if client_id:
        if not private_key:
            raise ConfigError("an OAuth client id needs its private key",
                              hint="give --private-key FILE (PEM or JWK, mode 0600) and "
                                   "--key-id KID", code="OKTA_NO_CREDENTIALS")
        return OAuthAuth(org, client_id, load_private_key(private_key, kid=key_id), scopes,
                         wall=wall)
    return token_auth(token_file=token_file, environ=env)
