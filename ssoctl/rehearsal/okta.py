"""A local Okta org for tests and rehearsals: the management API ssoctl uses, OAuth 2.0 for
Okta (``private_key_jwt`` client credentials, DPoP), real keys, real IdP metadata and real
signed SAML logins. It listens on 127.0.0.1 only and keeps everything in memory.

It follows Okta's documented behaviour for the endpoints ``ssoctl okta`` calls; it is not
Okta and protects nothing. Start it from code or with ``ssoctl rehearse okta``. The OAuth
2.0 checks (client assertions, DPoP) live in :mod:`ssoctl.rehearsal.oktaauth`, the XML
(metadata, signed Responses) in :mod:`ssoctl.rehearsal.oktaxml`.

Public API
==========

``OktaStandIn(*, org="rehearsal", port=0, ssl_context=None, now=None, rate_limit=600,
max_concurrent=None, validator=None, log=None, seed=None)``
    ``org`` names the org (app names ``{org}_{label}_1``, certificate CN). ``port=0`` picks a
    free port. ``ssl_context`` (a server-side :class:`ssl.SSLContext`, e.g. from trustme)
    serves https. ``now`` is the clock (``Callable[[], datetime]``, aware, UTC): every
    timestamp, certificate date, rate-limit window, token lifetime and JWT time check
    (``exp``/``iat`` of client assertions and DPoP proofs) uses it. ``rate_limit`` is the
    per-minute budget of each rate-limit bucket (``/api/v1/apps``, ``/api/v1/groups``,
    ``/api/v1/users``, ``/oauth2/v1/token``). ``max_concurrent``: more API requests in
    flight at once than this are answered 429 E0000047, as Okta's concurrency limit does;
    :attr:`peak_in_flight` is the most seen at once (slow faults make requests overlap).
    ``validator(method, path, body)`` is called for every JSON body sent to ``/api/``
    (path without the query) before anything else answers (a fault, a 401); if it raises,
    the request is answered 400 E0000001 naming the problem and the exception is kept in
    :attr:`validation_failures`. ``log`` (a text stream) gets one line per request (the
    request line and status, never a header). ``seed`` (an int) makes every generated id,
    key id, certificate serial number and RSA key follow from it: with the same seed and a
    fixed clock the same requests give the same org, byte for byte (the documentation's
    transcripts are made that way). Such keys are predictable: never for anything real. By
    default all of them come from the system's secure random source.

Running: ``start()`` (returns self; serves in a daemon thread), ``stop()``, or use it as a
context manager; ``bind()`` then ``serve_forever()`` serve in the calling thread (the CLI).
``url`` is the org URL (``http://127.0.0.1:PORT``, https with TLS); ``token_url`` is
``{url}/oauth2/v1/token``. ``handle(method, target, headers, body)`` answers one request
without HTTP. Every API answer carries ``X-Rate-Limit-Limit/-Remaining/-Reset`` and a
``Date`` from the clock.

Credentials:
    ``add_token(token, scopes=None)``: an API token for ``Authorization: SSWS {token}``;
    ``scopes=None`` is a super admin, an iterable of ``okta.*`` scopes limits it.
    ``register_service_app(client_id, public_jwk, scopes, require_dpop=True)``: an API
    Services app for ``POST /oauth2/v1/token`` (client credentials, ``private_key_jwt``).
    ``public_jwk`` is a JWK dict (its ``kid``, when present, must be in the assertion's
    header) or a public key object. Tokens are ``Bearer``, or ``DPoP`` when required.
    ``rotate_dpop_nonce()`` retires the current nonce; ``expire_tokens()`` makes every
    issued access token invalid (the next call answers 401 E0000011).

Seeding (each returns the new object's Okta id):
    ``add_user(email, first_name="", last_name="")``; ``add_group(name, description="",
    members=())``; ``add_app(label, *, sign_on_mode="SAML_2_0", status="ACTIVE",
    acs_url=..., audience=..., recipient=None, destination=None, name_id_format=EMAIL,
    name_id_template="${user.userName}", user_name_template="${source.login}",
    signature_algorithm="RSA_SHA256", digest_algorithm="SHA256", response_signed=True,
    assertion_signed=True, attribute_statements=(), cert_not_before=None, cert_days=3650,
    cert_sha1=False, key=None, users=(), groups=())`` (``sign_on_mode`` also ``BOOKMARK``,
    ``OPENID_CONNECT``, ``AUTO_LOGIN``: apps that are not SAML, with their own settings);
    ``add_apps(count, *, label="App {i}", **add_app_options)`` seeds many apps sharing one
    generated key (2,000 in about a second);
    ``add_key(app_id, *, not_before=None, days=3650, activate=False)`` adds a signing key
    (returns its kid); ``assign_user(app_id, user_id)``,
    ``assign_group(app_id, group_id)``, ``add_member(group_id, user_id)``.

``seed_demo(standin, *, users=("alice@example.com", "bob@example.com"), group="sipgate
users", demo_apps=True) -> DemoOrg`` seeds the rehearsal org ``ssoctl rehearse okta``
serves: the users, a group holding them, and non-sipgate apps with something to audit
(SHA-1, a certificate expiring in 20 days, inactive but assigned, an unsigned assertion,
a bookmark app).

Looking at the org: ``app(app_id)`` (the app's JSON as the API returns it),
``app_ids()``, ``app_certificate(app_id, kid=None)`` (the active or given key's
:class:`cryptography.x509.Certificate`), ``metadata_xml(app_id, kid=None)``,
``sso_url(app_id)``, ``peak_in_flight``,
``requests`` (a list of :class:`LoggedRequest`: method, path, query, headers without
secrets, parsed body), ``validation_failures``.

Simulated login: ``login(app_id, email, *, in_response_to=None, relay_state=None)``
returns a :class:`Login` (``saml_response`` base64, ``xml``, ``acs_url``,
``relay_state``): a SAML Response signed with the app's active key as the app's settings
say. Over HTTP: ``GET /app/{name}/{exk}/sso/saml?user=EMAIL`` (optionally with an SP's
``SAMLRequest`` and ``RelayState``; or POSTed as a form, the HTTP-POST binding) answers
the auto-submitting form Okta would, ``InResponseTo`` set from the request's ``ID``.
Rehearsal-only pages (not Okta's): ``GET /`` lists the SAML apps with sign-in links, and
``GET /rehearsal/login?app=LABEL|NAME|ID&user=EMAIL`` answers the base64 SAMLResponse as
plain text (``curl … | ssoctl decode-response - --cert …``).
The user must exist and be assigned (directly or by a group); the app must be ACTIVE.

Faults: ``inject(path, *, method=None, status=500, error_code=None, times=1, delay=0.0,
reset_in=60.0, headers=None)`` -> :class:`Fault` (``path`` is a regular expression
searched in the request path; ``times=None`` is forever; ``status=None`` with ``delay``
is only a slow answer; ``status=429`` answers E0000047 with ``X-Rate-Limit-Remaining: 0``
and ``X-Rate-Limit-Reset`` = now + ``reset_in``). ``slow(path, seconds, times=None)``;
``clear_faults()``. Error codes default by status: 400 E0000001, 401 E0000011,
403 E0000006, 404 E0000007, 405 E0000022, 429 E0000047, 500 E0000009, 503 E0000010.

Endpoints: ``GET/POST /api/v1/apps`` (``q``, ``filter``, ``limit``, ``after``, ``activate``),
``GET/PUT/DELETE /api/v1/apps/{id}``, ``POST /api/v1/apps/{id}/lifecycle/activate|deactivate``,
``GET /api/v1/apps/{id}/sso/saml/metadata[?kid=]``,
``GET /api/v1/apps/{id}/credentials/keys[/{kid}]``,
``POST /api/v1/apps/{id}/credentials/keys/generate?validityYears=2..10``,
``GET/POST /api/v1/apps/{id}/users``, ``GET/DELETE /api/v1/apps/{id}/users/{userId}``,
``GET /api/v1/apps/{id}/groups``, ``GET/PUT/DELETE /api/v1/apps/{id}/groups/{groupId}``,
``GET /api/v1/groups[/{id}]``, ``GET /api/v1/users[/{id}]``, ``POST /oauth2/v1/token``,
``GET /app/{exk}/sso/saml/metadata`` (public), ``GET|POST /app/{name}/{exk}/sso/saml``
(login), and the rehearsal pages ``/`` and ``/rehearsal/login``.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import hashlib
import json
import math
import random
import re
import secrets
import string
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from ssoctl.rehearsal.oktaauth import Grant, Headers, OAuthRefusal, OAuthServer

EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
NAME_ID_FORMATS = (
    EMAIL, UNSPECIFIED,
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName",
)
AUTHN_CONTEXTS = (
    "urn:federation:authentication:windows",
    "oasis:names:tc:SAML:2.0:ac:classes:Kerberos",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
    PASSWORD_PROTECTED,
    "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
)
SIGN_ON_MODES = ("SAML_2_0", "BOOKMARK", "OPENID_CONNECT", "AUTO_LOGIN", "BASIC_AUTH",
                 "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE", "WS_FEDERATION", "SAML_1_1")
#: Sign-on modes :meth:`OktaStandIn.add_app` seeds (the API creates SAML_2_0 and BOOKMARK).
SEEDED_MODES = ("SAML_2_0", "BOOKMARK", "OPENID_CONNECT", "AUTO_LOGIN")
_MODES_WITH_APP_SETTINGS = ("BOOKMARK", "BASIC_AUTH", "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE",
                            "WS_FEDERATION")
SCOPES = ("okta.apps.read", "okta.apps.manage", "okta.groups.read", "okta.groups.manage",
          "okta.users.read", "okta.users.manage")
MAX_BODY = 1024 * 1024

ERROR_SUMMARIES = {
    "E0000001": "Api validation failed: {what}",
    "E0000003": "The request body was not well-formed.",
    "E0000006": "You do not have permission to perform the requested action",
    "E0000007": "Not found: Resource not found: {what}",
    "E0000009": "Internal Server Error",
    "E0000010": "Service is in read only mode",
    "E0000011": "Invalid token provided",
    "E0000022": "The endpoint does not support the provided HTTP method",
    "E0000031": "Invalid search criteria.",
    "E0000047": "API call exceeded rate limit due to too many requests.",
    "E0000056": "Delete application forbidden.",
}
STATUS_CODES = {400: "E0000001", 401: "E0000011", 403: "E0000006", 404: "E0000007",
                405: "E0000022", 429: "E0000047", 500: "E0000009", 503: "E0000010"}

Answer = tuple[int, dict[str, str], bytes]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(when: dt.datetime) -> str:
    """Okta's timestamps: ``2026-06-01T12:00:00.000Z``."""
    when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


_ALNUM = string.ascii_letters + string.digits


_SECURE = secrets.SystemRandom()


def okta_id(prefix: str, rng: random.Random | None = None) -> str:
    """A 20-character Okta-looking id: ``0oa`` apps, ``00u`` users, ``00g`` groups, ``exk``.
    ``rng``: where the characters come from (default: the system's secure source)."""
    return prefix + "".join((rng or _SECURE).choice(_ALNUM) for _ in range(20 - len(prefix)))


@functools.cache
def _small_primes_product(limit: int = 50_000) -> int:
    """The product of the odd primes below ``limit`` (one gcd rules out most candidates)."""
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for n in range(2, int(limit ** 0.5) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    return math.prod(n for n in range(3, limit) if sieve[n])


def _seeded_prime(rng: random.Random, bits: int) -> int:
    """A probable prime of exactly ``bits`` bits (the top two set), drawn from ``rng``."""
    small = _small_primes_product()
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if math.gcd(candidate, small) != 1:
            continue
        d, r = candidate - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(6):  # Miller-Rabin, 6 random bases: ample for random candidates
            x = pow(rng.randrange(2, candidate - 1), d, candidate)
            if x in (1, candidate - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, candidate)
                if x == candidate - 1:
                    break
            else:
                break
        else:
            return candidate


#: Keys made from a generator state, with the state after: every stand-in seeded alike (one
#: per documentation page) makes the same keys, and each is computed once per process.
_SEEDED_KEYS: dict[tuple[Any, int], tuple[Any, Any]] = {}


def seeded_rsa_key(rng: random.Random, bits: int = 2048) -> Any:
    """An RSA key (exponent 65537) that follows from ``rng``: the same state gives the same
    key. Predictable by design, for reproducible rehearsals only."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    state = rng.getstate()
    known = _SEEDED_KEYS.get((state, bits))
    if known is not None:
        rng.setstate(known[1])
        return known[0]
    e = 65537
    while True:
        p, q = _seeded_prime(rng, bits // 2), _seeded_prime(rng, bits // 2)
        lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
        if p == q or math.gcd(e, lam) != 1:
            continue
        p, q = max(p, q), min(p, q)
        d = pow(e, -1, lam)
        key = rsa.RSAPrivateNumbers(
            p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
            rsa.RSAPublicNumbers(e, p * q)).private_key()
        if len(_SEEDED_KEYS) < 64:
            _SEEDED_KEYS[(state, bits)] = (key, rng.getstate())
        return key


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class StandInError(Exception):
    """A seeding or login request the stand-in cannot honour (unknown app, user not
    assigned, app inactive ...). The message says which."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the stand-in saw it. Secrets (the token in ``Authorization``, DPoP
    proofs, client assertions, cookies) are replaced by ``[redacted]``."""

    method: str
    path: str
    query: Mapping[str, tuple[str, ...]]
    headers: Headers
    body: Any
    status: int = 0


@dataclass(frozen=True, slots=True)
class Login:
    """A simulated login's result: what Okta would POST to the SP's ACS URL."""

    saml_response: str
    """The ``SAMLResponse`` form value: base64 of :attr:`xml`."""
    xml: bytes
    acs_url: str
    relay_state: str | None
    app_id: str
    email: str


@dataclass(slots=True)
class Fault:
    """An injected misbehaviour; :attr:`hits` counts the requests it answered."""

    pattern: re.Pattern[str]
    method: str | None
    status: int | None
    error_code: str | None
    times: int | None
    delay: float
    reset_in: float
    headers: dict[str, str]
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return ((self.method is None or self.method == method)
                and self.pattern.search(path) is not None)


@dataclass(slots=True)
class _Key:
    kid: str
    private_key: Any
    cert: Any
    created: dt.datetime
    expires_at: dt.datetime
    _der: bytes | None = None

    @property
    def der(self) -> bytes:
        if self._der is None:
            from cryptography.hazmat.primitives.serialization import Encoding

            self._der = self.cert.public_bytes(Encoding.DER)
        return self._der

    def jwk(self) -> dict[str, Any]:
        numbers = self.cert.public_key().public_numbers()
        return {
            "created": _iso(self.created), "lastUpdated": _iso(self.created),
            "expiresAt": _iso(self.expires_at),
            "x5c": [base64.b64encode(self.der).decode("ascii")],
            "e": _b64url_int(numbers.e), "n": _b64url_int(numbers.n),
            "kid": self.kid, "kty": "RSA", "use": "sig",
            "x5t#S256": _b64url(hashlib.sha256(self.der).digest()),
        }


@dataclass(slots=True)
class _App:
    doc: dict[str, Any]
    exk: str
    keys: list[_Key] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    link_id: str = ""

    @property
    def id(self) -> str:
        return self.doc["id"]

    @property
    def saml(self) -> bool:
        return self.doc.get("signOnMode") == "SAML_2_0"

    def key(self, kid: str | None = None) -> _Key | None:
        wanted = kid or (self.doc.get("credentials", {}).get("signing") or {}).get("kid")
        return next((k for k in self.keys if k.kid == wanted), None)


class _Refusal(Exception):
    """An API error answer, raised inside a handler."""

    def __init__(self, status: int, code: str, what: str = "", causes: Iterable[str] = (),
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.what = status, code, what
        self.causes, self.headers = list(causes), dict(headers or {})


def _invalid(what: str, *causes: str) -> _Refusal:
    return _Refusal(400, "E0000001", what, causes)


def _not_found(what: str) -> _Refusal:
    return _Refusal(404, "E0000007", what)


# --------------------------------------------------------------------------- the org


class OktaStandIn:
    """A local Okta org. See the module docstring for the whole public API."""

    def __init__(self, *, org: str = "rehearsal", host: str = "127.0.0.1", port: int = 0,
                 ssl_context: Any = None, now: Callable[[], dt.datetime] | None = None,
                 rate_limit: int = 600, max_concurrent: int | None = None,
                 validator: Callable[[str, str, Any], None] | None = None,
                 log: Any = None, seed: int | None = None) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError("the Okta stand-in listens on 127.0.0.1 only")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", org):
            raise ValueError("org: lower-case letters, digits and '-' only")
        self.org = org
        self.now = now or _utc_now
        self._random = random.Random(seed) if seed is not None else None
        self.rate_limit = rate_limit
        self.max_concurrent = max_concurrent
        self.peak_in_flight = 0
        self._in_flight = 0
        self.validator = validator
        self.requests: list[LoggedRequest] = []
        self.validation_failures: list[tuple[str, str, BaseException]] = []
        self._log = log
        self._ssl_context = ssl_context
        self._host, self._port = "127.0.0.1", port
        self._lock = threading.RLock()
        self._apps: dict[str, _App] = {}
        self._by_exk: dict[str, str] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._groups: dict[str, dict[str, Any]] = {}
        self._members: dict[str, set[str]] = {}
        self._tokens: dict[str, Grant] = {}
        self._oauth = OAuthServer(now=lambda: self.now(), url=lambda: self.url)
        self._faults: list[Fault] = []
        self._buckets: dict[tuple[str, int], int] = {}
        self._name_counts: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ running

    @property
    def url(self) -> str:
        """The org URL, e.g. ``http://127.0.0.1:54321`` (``https`` with TLS)."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self._host}:{self._port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/v1/token"

    def bind(self) -> OktaStandIn:
        """Open the listening socket without serving yet (so :attr:`url` is known)."""
        if self._server is None:
            server = _Server((self._host, self._port), _handler(self))
            server.log = self._log
            if self._ssl_context is not None:
                # The TLS handshake happens in each connection's own thread, on its first
                # read: a client that never finishes one cannot stall the others.
                server.socket = self._ssl_context.wrap_socket(
                    server.socket, server_side=True, do_handshake_on_connect=False)
            self._server = server
            self._port = server.server_address[1]
        return self

    def start(self) -> OktaStandIn:
        """Listen and serve in a daemon thread."""
        if self._thread is not None:
            return self
        server = self.bind()._server
        assert server is not None
        # a short poll interval: stop() returns quickly (tests start and stop many orgs)
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                        name="okta-stand-in", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Listen and serve in this thread until :meth:`stop` or Ctrl-C (for the CLI)."""
        server = self.bind()._server
        assert server is not None
        server.serve_forever()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self._thread is not None:
            server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ credentials

    def add_token(self, token: str, scopes: Iterable[str] | None = None) -> None:
        """Accept ``Authorization: SSWS {token}``; ``scopes=None`` is a super admin."""
        if not token:
            raise ValueError("empty token")
        with self._lock:
            self._tokens[token] = Grant(None if scopes is None else frozenset(scopes), "SSWS")

    def register_service_app(self, client_id: str, public_jwk: Any, scopes: Iterable[str],
                             require_dpop: bool = True) -> None:
        """An API Services app (client credentials, ``private_key_jwt``) granted ``scopes``."""
        with self._lock:
            self._oauth.register(client_id, public_jwk, scopes, require_dpop)

    def rotate_dpop_nonce(self) -> str:
        """Retire every DPoP nonce: the next token request is answered ``use_dpop_nonce``."""
        with self._lock:
            return self._oauth.rotate_nonce()

    def expire_tokens(self) -> None:
        """Make every access token from ``/oauth2/v1/token`` invalid (401 E0000011)."""
        with self._lock:
            for token in [t for t, g in self._tokens.items() if g.kind != "SSWS"]:
                del self._tokens[token]

    # ------------------------------------------------------------------ seeding

    def add_user(self, email: str, first_name: str = "", last_name: str = "") -> str:
        now = _iso(self.now())
        uid = self._id("00u")
        first = first_name or email.split("@")[0].split(".")[0].capitalize()
        last = last_name or "Example"
        with self._lock:
            self._users[uid] = {
                "id": uid, "status": "ACTIVE", "created": now, "activated": now,
                "statusChanged": now, "lastLogin": None, "lastUpdated": now,
                "passwordChanged": now, "type": {"id": "oty" + self._id("")[:17]},
                "profile": {"firstName": first, "lastName": last, "mobilePhone": None,
                            "secondEmail": None, "login": email, "email": email},
                "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
            }
        return uid

    def add_group(self, name: str, description: str = "", members: Iterable[str] = ()) -> str:
        now = _iso(self.now())
        gid = self._id("00g")
        with self._lock:
            self._groups[gid] = {
                "id": gid, "created": now, "lastUpdated": now, "lastMembershipUpdated": now,
                "objectClass": ["okta:user_group"], "type": "OKTA_GROUP",
                "profile": {"name": name, "description": description or None},
            }
            self._members[gid] = set()
        for uid in members:
            self.add_member(gid, uid)
        return gid

    def add_member(self, group_id: str, user_id: str) -> None:
        with self._lock:
            if group_id not in self._groups or user_id not in self._users:
                raise StandInError(f"no group {group_id} or no user {user_id}")
            self._members[group_id].add(user_id)

    def add_app(self, label: str = "sipgate", *, sign_on_mode: str = "SAML_2_0",
                status: str = "ACTIVE", acs_url: str = "https://sipgate.example/saml/acs",
                audience: str = "https://sipgate.example/saml/metadata",
                recipient: str | None = None, destination: str | None = None,
                name_id_format: str = EMAIL, name_id_template: str = "${user.userName}",
                user_name_template: str = "${source.login}",
                signature_algorithm: str = "RSA_SHA256", digest_algorithm: str = "SHA256",
                response_signed: bool = True, assertion_signed: bool = True,
                attribute_statements: Iterable[Mapping[str, Any]] = (),
                cert_not_before: dt.datetime | None = None, cert_days: int = 3650,
                cert_sha1: bool = False, key: Any = None, users: Iterable[str] = (),
                groups: Iterable[str] = (), _shared: tuple[Any, Any] | None = None) -> str:
        """Seed one app (any sign-on mode) as if an admin had made it; returns its id."""
        if sign_on_mode not in SEEDED_MODES:
            raise ValueError(f"sign_on_mode must be one of {', '.join(SEEDED_MODES)}")
        if status not in ("ACTIVE", "INACTIVE"):
            raise ValueError("status must be ACTIVE or INACTIVE")
        doc: dict[str, Any] = {"label": label, "signOnMode": sign_on_mode}
        if sign_on_mode == "SAML_2_0":
            doc["settings"] = {"signOn": {
                "ssoAcsUrl": acs_url, "audience": audience,
                "recipient": recipient or acs_url, "destination": destination or acs_url,
                "subjectNameIdTemplate": name_id_template,
                "subjectNameIdFormat": name_id_format, "responseSigned": response_signed,
                "assertionSigned": assertion_signed,
                "signatureAlgorithm": signature_algorithm, "digestAlgorithm": digest_algorithm,
                "attributeStatements": [dict(a) for a in attribute_statements],
            }}
            doc["credentials"] = {"userNameTemplate": {"template": user_name_template,
                                                       "type": "BUILT_IN"}}
        else:
            site = f"https://{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.example"
            doc["settings"] = {
                "BOOKMARK": {"app": {"requestIntegration": False, "url": site + "/"}},
                "AUTO_LOGIN": {"signOn": {"loginUrl": site + "/login",
                                          "redirectUrl": site + "/"}},
                "OPENID_CONNECT": {"oauthClient": {
                    "application_type": "web", "grant_types": ["authorization_code"],
                    "response_types": ["code"], "redirect_uris": [site + "/callback"],
                    "consent_method": "REQUIRED", "issuer_mode": "DYNAMIC"}},
            }[sign_on_mode]
            if sign_on_mode == "OPENID_CONNECT":
                doc["credentials"] = {"oauthClient": {
                    "client_id": self._id("0oa"), "autoKeyRotation": True,
                    "token_endpoint_auth_method": "client_secret_basic"}}
        with self._lock:
            app = self._create(doc, active=status == "ACTIVE")
            if app.saml:
                if _shared is not None:
                    shared_key, shared_cert = _shared
                    self._attach_key(app, shared_key, shared_cert, activate=True)
                else:
                    self._new_key(app, not_before=cert_not_before, days=cert_days,
                                  sha1=cert_sha1, key=key, activate=True)
        for uid in users:
            self.assign_user(app.id, uid)
        for gid in groups:
            self.assign_group(app.id, gid)
        return app.id

    def add_apps(self, count: int, *, label: str = "App {i}", **options: Any) -> list[str]:
        """Seed ``count`` apps quickly: SAML apps share one generated key and certificate
        (each still has its own kid). ``label`` is formatted with ``i`` (1-based)."""
        shared = None
        if options.get("sign_on_mode", "SAML_2_0") == "SAML_2_0":
            shared = self._make_cert(options.pop("key", None),
                                     options.pop("cert_not_before", None),
                                     options.pop("cert_days", 3650),
                                     options.pop("cert_sha1", False))
        return [self.add_app(label.format(i=i), _shared=shared, **options)
                for i in range(1, count + 1)]

    def add_key(self, app_id: str, *, not_before: dt.datetime | None = None, days: int = 3650,
                activate: bool = False, sha1: bool = False) -> str:
        """Add a signing key to a SAML app (an earlier or later certificate); returns its kid."""
        with self._lock:
            app = self._app(app_id)
            return self._new_key(app, not_before=not_before, days=days, sha1=sha1,
                                 activate=activate).kid

    def assign_user(self, app_id: str, user_id: str) -> None:
        with self._lock:
            app = self._app(app_id)
            if user_id not in self._users:
                raise StandInError(f"no user {user_id}")
            app.users[user_id] = self._app_user(app, user_id, "USER")

    def assign_group(self, app_id: str, group_id: str) -> None:
        with self._lock:
            app = self._app(app_id)
            if group_id not in self._groups:
                raise StandInError(f"no group {group_id}")
            app.groups[group_id] = self._group_assignment(group_id, {})

    # ------------------------------------------------------------------ looking

    def app_ids(self) -> list[str]:
        with self._lock:
            return list(self._apps)

    def app(self, app_id: str) -> dict[str, Any]:
        """The app's JSON exactly as ``GET /api/v1/apps/{id}`` returns it."""
        with self._lock:
            return self._render_app(self._app(app_id))

    def app_certificate(self, app_id: str, kid: str | None = None) -> Any:
        """The active (or ``kid``'s) signing certificate of a SAML app."""
        with self._lock:
            key = self._app(app_id).key(kid)
            if key is None:
                raise StandInError(f"app {app_id} has no signing key {kid or ''}".strip())
            return key.cert

    def metadata_xml(self, app_id: str, kid: str | None = None) -> bytes:
        with self._lock:
            return self._metadata(self._app(app_id), kid)

    def sso_url(self, app_id: str) -> str:
        with self._lock:
            app = self._app(app_id)
            return f"{self.url}/app/{app.doc['name']}/{app.exk}/sso/saml"

    # ------------------------------------------------------------------ login

    def login(self, app_id: str, email: str, *, in_response_to: str | None = None,
              relay_state: str | None = None) -> Login:
        """A signed SAML Response for ``email`` signing in to the app, as Okta would POST it."""
        from ssoctl.rehearsal import oktaxml

        with self._lock:
            app = self._app(app_id)
            if not app.saml:
                raise StandInError(f"app {app_id} is not a SAML 2.0 app "
                                   f"({app.doc.get('signOnMode')})")
            if app.doc["status"] != "ACTIVE":
                raise StandInError(f"app {app.doc['label']!r} is not active; activate it first")
            user_id = self._user_by_email(email)
            if user_id is None:
                raise StandInError(f"no user {email} in this org")
            if not self._assigned(app, user_id):
                raise StandInError(f"{email} is not assigned to {app.doc['label']!r}")
            key = app.key()
            if key is None:
                raise StandInError(f"app {app_id} has no active signing key")
            sign_on = app.doc["settings"]["signOn"]
            user = self._users[user_id]
            # the app username Okta stored at assignment, else the app's username template
            assigned = (app.users.get(user_id) or {}).get("credentials") or {}
            app_user_name = assigned.get("userName") or _template(
                app.doc["credentials"]["userNameTemplate"]["template"], user, None)
            name_id = _template(sign_on.get("subjectNameIdTemplate") or "${user.userName}",
                                user, app_user_name)
            attributes = {a.get("name", ""): [_template("${" + v + "}", user, app_user_name)
                                              if re.fullmatch(r"user\.\w+", v) else v
                                              for v in a.get("values", [])]
                          for a in sign_on.get("attributeStatements") or []
                          if a.get("name")}
            sha1 = sign_on.get("signatureAlgorithm") == "RSA_SHA1"
            xml = oktaxml.saml_response(
                now=self.now(), key=key.private_key, cert=key.cert,
                issuer=self._entity_id(app), destination=sign_on["destination"],
                recipient=sign_on["recipient"], audience=sign_on["audience"],
                name_id=name_id, name_id_format=sign_on.get("subjectNameIdFormat"),
                response_signed=bool(sign_on.get("responseSigned")),
                assertion_signed=bool(sign_on.get("assertionSigned")),
                digest="sha1" if sign_on.get("digestAlgorithm") == "SHA1" else "sha256",
                signature="rsa-sha1" if sha1 else "rsa-sha256",
                in_response_to=in_response_to, attributes=attributes,
                response_id=self._saml_id(), assertion_id=self._saml_id())
            return Login(base64.b64encode(xml).decode("ascii"), xml, sign_on["ssoAcsUrl"],
                         relay_state or sign_on.get("defaultRelayState"), app_id, email)

    # ------------------------------------------------------------------ faults

    def inject(self, path: str, *, method: str | None = None, status: int | None = 500,
               error_code: str | None = None, times: int | None = 1, delay: float = 0.0,
               reset_in: float = 60.0, headers: Mapping[str, str] | None = None) -> Fault:
        """Misbehave on requests whose path matches ``path`` (a regular expression)."""
        if status is None and not delay:
            raise ValueError("a fault needs a status or a delay")
        fault = Fault(re.compile(path), method.upper() if method else None, status,
                      error_code or (STATUS_CODES.get(status) if status else None), times,
                      float(delay), float(reset_in), dict(headers or {}))
        with self._lock:
            self._faults.append(fault)
        return fault

    def slow(self, path: str, seconds: float, *, times: int | None = None) -> Fault:
        """Answer normally, but only after ``seconds``."""
        return self.inject(path, status=None, delay=seconds, times=times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ------------------------------------------------------------------ HTTP entry

    def handle(self, method: str, target: str, headers: Headers,
               body: bytes) -> Answer:
        """Answer one request (the HTTP server calls this; tests may too)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        parsed, bad_body = _parse_body(headers, body)
        record = LoggedRequest(method, path, {k: tuple(v) for k, v in query.items()},
                               _safe_headers(headers), _safe_body(parsed))
        delay, answer = 0.0, None
        with self._lock:
            index = len(self.requests)
            self.requests.append(record)
        refused = self._validate(method, path, headers, parsed)
        api = path.startswith("/api/")
        with self._lock:
            if api:
                self._in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            fault = None if refused else next(
                (f for f in self._faults if f.matches(method, path)), None)
            if refused:
                answer = self._error(400, "E0000001", "request body", [refused],
                                     self._rate_headers(path, count=False))
            elif api and self.max_concurrent and self._in_flight > self.max_concurrent:
                answer = self._error(429, "E0000047", path, (), {
                    **self._rate_headers(path, count=False),
                    "X-Rate-Limit-Remaining": "0",
                    "X-Rate-Limit-Reset": str(int(self.now().timestamp()) + 1)})
            elif fault is not None:
                fault.hits += 1
                delay = fault.delay
                if fault.status is not None:
                    answer = self._fault_answer(fault, path)
        try:
            answer = self._answer(method, path, query, headers, parsed, bad_body, answer, delay)
        finally:
            if api:
                with self._lock:
                    self._in_flight -= 1
        with self._lock:
            self.requests[index] = LoggedRequest(record.method, record.path, record.query,
                                                 record.headers, record.body, answer[0])
        return answer

    def _answer(self, method: str, path: str, query: dict[str, list[str]],
                headers: Headers, parsed: Any, bad_body: bool,
                answer: Answer | None, delay: float) -> Answer:
        if delay:
            time.sleep(delay)
        if answer is None:
            try:
                with self._lock:
                    answer = self._dispatch(method, path, query, headers, parsed, bad_body)
            except _Refusal as refusal:
                answer = self._error(refusal.status, refusal.code, refusal.what,
                                     refusal.causes, refusal.headers)
            except OAuthRefusal as refusal:
                answer = (refusal.status, {**refusal.headers, "Content-Type": "application/json"},
                          json.dumps({"error": refusal.error,
                                      "error_description": refusal.description}).encode())
            if path.startswith(("/api/", "/oauth2/")) and "X-Rate-Limit-Limit" not in answer[1]:
                answer[1].update(self._rate_headers(path, count=False))
        return answer

    def _validate(self, method: str, path: str, headers: Headers,
                  body: Any) -> str | None:
        """Run :attr:`validator` on a JSON body sent to the API, whatever answer the request
        gets afterwards (a fault, a 401): what was refused, or ``None``."""
        if self.validator is None or body is None or not path.startswith("/api/") \
                or _content_type(headers) == "application/x-www-form-urlencoded":
            return None
        try:
            self.validator(method, path, body)
        except Exception as exc:  # noqa: BLE001 - any validator failure is a 400
            with self._lock:
                self.validation_failures.append((method, path, exc))
            return f"{type(exc).__name__}: {exc}"
        return None

    # ------------------------------------------------------------------ internals: errors

    def _error(self, status: int, code: str, what: str = "", causes: Iterable[str] = (),
               headers: Mapping[str, str] | None = None) -> Answer:
        summary = ERROR_SUMMARIES.get(code, "Error").format(what=what or "request")
        doc = {"errorCode": code, "errorSummary": summary, "errorLink": code,
               "errorId": "oae" + okta_id("")[:19],
               "errorCauses": [{"errorSummary": c} for c in causes]}
        return (status, {**dict(headers or {}), "Content-Type": "application/json"},
                json.dumps(doc).encode())

    def _fault_answer(self, fault: Fault, path: str) -> Answer:
        code = fault.error_code or STATUS_CODES.get(fault.status or 500, "E0000009")
        headers = dict(fault.headers)
        if path.startswith(("/api/", "/oauth2/")):
            headers.update(self._rate_headers(path, count=False))
        if fault.status == 429:
            reset = int(self.now().timestamp() + fault.reset_in)
            headers.update({"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(reset)})
        if fault.status == 401:
            headers.setdefault("WWW-Authenticate", 'SSWS realm="Okta"')
        if path.startswith("/oauth2/") and fault.status in (400, 401):
            error = "invalid_client" if fault.status == 401 else "invalid_request"
            return (fault.status, {**headers, "Content-Type": "application/json"},
                    json.dumps({"error": error,
                                "error_description": "injected by the stand-in"}).encode())
        return self._error(fault.status or 500, code, path, (), headers)

    # ------------------------------------------------------------------ rate limits

    @staticmethod
    def _bucket(path: str) -> str:
        for prefix in ("/api/v1/apps", "/api/v1/groups", "/api/v1/users", "/oauth2/v1/token"):
            if path.startswith(prefix):
                return prefix
        return "/api/v1"

    def _rate_headers(self, path: str, *, count: bool) -> dict[str, str]:
        now = self.now().timestamp()
        window = int(now // 60)
        bucket = (self._bucket(path), window)
        if count:
            self._buckets[bucket] = self._buckets.get(bucket, 0) + 1
        used = self._buckets.get(bucket, 0)
        return {"X-Rate-Limit-Limit": str(self.rate_limit),
                "X-Rate-Limit-Remaining": str(max(self.rate_limit - used, 0)),
                "X-Rate-Limit-Reset": str((window + 1) * 60)}

    def _spend(self, path: str) -> dict[str, str]:
        """Count one request against its bucket; 429 E0000047 when the minute is spent."""
        window = int(self.now().timestamp() // 60)
        used = self._buckets.get((self._bucket(path), window), 0)
        if used >= self.rate_limit:
            headers = self._rate_headers(path, count=False)
            raise _Refusal(429, "E0000047", path, (), headers)
        return self._rate_headers(path, count=True)

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, method: str, path: str, query: dict[str, list[str]],
                  headers: Headers, body: Any, bad_body: bool) -> Answer:
        if path == "/oauth2/v1/token":
            rate = self._spend(path)
            if method != "POST":
                raise _Refusal(405, "E0000022", path, (), rate)
            token, grant, doc = self._oauth.token(headers, body)
            self._tokens[token] = grant
            status, out_headers, payload = 200, {
                "Content-Type": "application/json", "Cache-Control": "no-store",
                "Pragma": "no-cache"}, json.dumps(doc).encode()
            return status, {**out_headers, **rate}, payload
        if path.startswith("/app/"):
            if method == "POST" and isinstance(body, dict):  # HTTP-POST binding: a form
                query = {**query, **{k: [str(v)] for k, v in body.items()}}
            return self._public(method, path, query)
        if path in ("/", "/rehearsal/login"):
            return self._rehearsal_page(method, path, query)
        if not path.startswith("/api/v1/"):
            raise _not_found(path)
        rate = self._spend(path)
        try:
            grant = self._authenticate(method, path, headers)
            route, scope, params = _route(method, path)
            self._authorize(grant, scope, path)
            if bad_body:
                raise _Refusal(400, "E0000003")
            status, out, payload = route(self, query, body, *params)
        except _Refusal as refusal:
            refusal.headers = {**rate, **refusal.headers}
            raise
        return status, {**out, **rate}, payload

    # ------------------------------------------------------------------ auth

    def _authenticate(self, method: str, path: str, headers: Headers) -> Grant:
        header = headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        grant = self._tokens.get(token) if token else None
        unauthorized = _Refusal(401, "E0000011", headers={
            "WWW-Authenticate": f'{scheme or "SSWS"} realm="Okta"'})
        if grant is None or scheme not in ("SSWS", "Bearer", "DPoP"):
            raise unauthorized
        if (grant.kind == "SSWS") != (scheme == "SSWS"):
            raise unauthorized
        if grant.expires_at is not None and self.now() >= grant.expires_at:
            raise unauthorized
        if grant.kind == "DPoP":
            if scheme != "DPoP":
                raise unauthorized
            try:
                jkt = self._oauth.check_proof(headers.get("DPoP", ""), method, path,
                                        access_token=token, want_nonce=False)
            except ValueError as exc:
                raise _Refusal(401, "E0000011", headers={
                    "WWW-Authenticate": f'DPoP error="invalid_dpop_proof", '
                                        f'error_description="{exc}"'}) from None
            if jkt != grant.jkt:
                raise _Refusal(401, "E0000011", headers={
                    "WWW-Authenticate": 'DPoP error="invalid_dpop_proof", error_description='
                                        '"the proof key is not the key the token is bound to"'})
        elif grant.kind == "Bearer" and scheme != "Bearer":
            raise unauthorized
        return grant

    def _authorize(self, grant: Grant, scope: str | None, path: str) -> None:
        if scope is None or grant.scopes is None:
            return
        if scope in grant.scopes or scope.replace(".read", ".manage") in grant.scopes:
            return
        raise _Refusal(403, "E0000006", headers={
            "WWW-Authenticate": f'Bearer realm="Okta", error="insufficient_scope", '
                                f'error_description="The access token provided does not '
                                f'contain the required scopes.", resource="{path}"'})

    # ------------------------------------------------------------------ public pages

    def _public(self, method: str, path: str, query: dict[str, list[str]]) -> Answer:
        if method != "GET" and not path.endswith("/sso/saml"):
            raise _Refusal(405, "E0000022", path)
        match = re.fullmatch(r"/app/([A-Za-z0-9]+)/sso/saml/metadata", path)
        if match:
            app = self._apps.get(self._by_exk.get(match.group(1), ""))
            if app is None:
                raise _not_found(path)
            return 200, {"Content-Type": "application/xml"}, self._metadata(app, None)
        match = re.fullmatch(r"/app/([^/]+)/([A-Za-z0-9]+)/sso/saml", path)
        if not match:
            raise _not_found(path)
        app = self._apps.get(self._by_exk.get(match.group(2), ""))
        if app is None or app.doc.get("name") != match.group(1):
            raise _not_found(path)
        email = (query.get("user") or [""])[0]
        if not email:
            return _html(400, "Add ?user=EMAIL: this rehearsal stand-in signs in the user you "
                              "name (there is no password page).")
        request_id = None
        if query.get("SAMLRequest"):
            from ssoctl.rehearsal import oktaxml

            request_id = oktaxml.authn_request_id(query["SAMLRequest"][0],
                                                  deflated=method == "GET")
        relay = _first(query, "RelayState")
        try:
            login = self.login(app.id, email, in_response_to=request_id, relay_state=relay)
        except StandInError as exc:
            return _html(403, str(exc))
        from ssoctl.rehearsal import oktaxml

        return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, \
            oktaxml.post_form(acs_url=login.acs_url, saml_response_b64=login.saml_response,
                              relay_state=login.relay_state)

    def _rehearsal_page(self, method: str, path: str, query: dict[str, list[str]]) -> Answer:
        """Rehearsal-only pages (not Okta's): ``/`` lists the SAML apps with sign-in links;
        ``/rehearsal/login?app=LABEL|NAME|ID&user=EMAIL`` answers the base64 SAMLResponse
        as text, ready to pipe into ``ssoctl decode-response -``."""
        if method != "GET":
            return _html(405, "GET only.")
        if path == "/":
            return self._index()
        wanted = (query.get("app") or [""])[0]
        email = (query.get("user") or [""])[0]
        matches = [a for a in self._apps.values() if a.saml and wanted in (
            a.id, a.doc["name"], a.doc["label"])]
        if not wanted or not email:
            return _text(400, "give ?app=LABEL&user=EMAIL\n")
        if len(matches) != 1:
            return _text(404 if not matches else 409,
                         f"{len(matches)} SAML apps are called {wanted!r}; use the app id\n")
        relay = _first(query, "RelayState")
        try:
            login = self.login(matches[0].id, email, relay_state=relay)
        except StandInError as exc:
            return _text(403, f"{exc}\n")
        return _text(200, login.saml_response + "\n")

    def _index(self) -> Answer:
        from html import escape

        rows = []
        users = sorted(u["profile"]["login"] for u in self._users.values())
        for app in self._apps.values():
            if not app.saml:
                continue
            sso = f"/app/{app.doc['name']}/{app.exk}/sso/saml"
            links = " ".join(
                f'<a href="{escape(sso)}?user={escape(u)}">{escape(u)}</a>' for u in users
                if self._assigned(app, self._user_by_email(u) or ""))
            rows.append(f"<tr><td>{escape(app.doc['label'])}</td><td>{app.id}</td>"
                        f"<td>{app.doc['status']}</td><td>{links or 'nobody assigned'}</td>"
                        "</tr>")
        page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>ssoctl "
                "rehearsal org</title></head><body><h1>ssoctl rehearsal: a local Okta "
                "stand-in</h1><p>Not Okta. Everything here lives in memory and protects "
                "nothing real.</p><table><tr><th>SAML app</th><th>id</th><th>status</th>"
                "<th>sign in as</th></tr>" + "".join(rows) + "</table></body></html>\n")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    # ------------------------------------------------------------------ apps: helpers

    def _app(self, app_id: str) -> _App:
        app = self._apps.get(app_id)
        if app is None:
            raise StandInError(f"no app {app_id}")
        return app

    def _api_app(self, app_id: str) -> _App:
        app = self._apps.get(app_id)
        if app is None:
            raise _not_found(f"{app_id} (AppInstance)")
        return app

    def _entity_id(self, app: _App) -> str:
        return f"http://www.okta.com/{app.exk}"

    def _id(self, prefix: str) -> str:
        return okta_id(prefix, self._random)

    def _saml_id(self) -> str:
        """An ``ID`` for a Response or Assertion, shaped like Okta's (``id`` and 25 digits)."""
        digits = (self._random or _SECURE).choices(string.digits, k=25)
        return "id" + "".join(digits)

    def _make_cert(self, key: Any, not_before: dt.datetime | None, days: int,
                   sha1: bool) -> tuple[Any, Any]:
        from ssoctl.rehearsal import pki

        serial = None
        if self._random is None:
            key = key or pki.rsa_key(2048)
        else:
            key = key or seeded_rsa_key(self._random)
            serial = self._random.getrandbits(150) | 1 << 150
        start = (not_before or self.now()).replace(microsecond=0)
        cert = pki.certificate(key, pki.okta_name(self.org), not_before=start, days=days,
                               serial=serial)
        if sha1:  # cryptography no longer signs with SHA-1; old Okta certificates were
            from ssoctl.rehearsal import certforge

            cert = certforge.resign(cert, key, hash_name="sha1")
        return key, cert

    def _new_key(self, app: _App, *, not_before: dt.datetime | None = None, days: int = 3650,
                 sha1: bool = False, key: Any = None, activate: bool) -> _Key:
        private_key, cert = self._make_cert(key, not_before, days, sha1)
        return self._attach_key(app, private_key, cert, activate=activate)

    def _attach_key(self, app: _App, private_key: Any, cert: Any, *, activate: bool) -> _Key:
        expires = cert.not_valid_after_utc
        kid = self._random.randbytes(32) if self._random else secrets.token_bytes(32)
        entry = _Key(_b64url(kid), private_key, cert, self.now(), expires)
        app.keys.append(entry)
        if activate:
            app.doc.setdefault("credentials", {})["signing"] = {"kid": entry.kid}
        return entry

    def _create(self, doc: dict[str, Any], *, active: bool) -> _App:
        now = _iso(self.now())
        app_id = self._id("0oa")
        slug = re.sub(r"[^a-z0-9]+", "", doc["label"].lower()) or "app"
        if doc["signOnMode"] != "SAML_2_0" and doc.get("name"):
            name = doc["name"]
        else:
            base = f"{self.org.replace('-', '')}_{slug}"
            self._name_counts[base] = self._name_counts.get(base, 0) + 1
            name = f"{base}_{self._name_counts[base]}"
        full: dict[str, Any] = {
            "id": app_id, "orgId": None, "name": name, "label": doc["label"],
            "status": "ACTIVE" if active else "INACTIVE", "lastUpdated": now, "created": now,
            "accessibility": {"selfService": False, "errorRedirectUrl": None,
                              "loginRedirectUrl": None},
            "visibility": {"autoLaunch": False, "autoSubmitToolbar": False,
                           "hide": {"iOS": False, "web": False},
                           "appLinks": {f"{name}_link": True}},
            "features": [], "signOnMode": doc["signOnMode"],
            "credentials": {"userNameTemplate": {"template": "${source.login}",
                                                 "type": "BUILT_IN"}},
            "settings": {"notifications": {"vpn": {
                "network": {"connection": "DISABLED"}, "message": None, "helpUrl": None}},
                "implicitAssignment": False, "notes": {"admin": None, "enduser": None}},
        }
        if doc["signOnMode"] in _MODES_WITH_APP_SETTINGS:
            full["settings"]["app"] = {}
        del full["orgId"]
        full["credentials"].update(copy.deepcopy(doc.get("credentials") or {}))
        given_settings = copy.deepcopy(doc.get("settings") or {})
        if doc["signOnMode"] == "SAML_2_0":
            full["settings"]["signOn"] = _sign_on(given_settings.pop("signOn", {}))
        for key in ("app", "notes"):
            if isinstance(given_settings.get(key), dict) and key in full["settings"]:
                full["settings"][key].update(given_settings.pop(key))
        keep = ("implicitAssignment",) if doc["signOnMode"] == "SAML_2_0" else (
            "implicitAssignment", "signOn", "oauthClient")
        full["settings"].update({k: v for k, v in given_settings.items() if k in keep})
        for key in ("accessibility", "visibility"):
            if isinstance(doc.get(key), dict):
                _merge(full[key], doc[key])
        exk = self._id("exk")
        app = _App(full, exk, link_id=self._id("aln"))
        self._apps[app_id] = app
        self._by_exk[exk] = app_id
        return app

    def _render_app(self, app: _App) -> dict[str, Any]:
        doc = copy.deepcopy(app.doc)
        base, app_id, name = self.url, app.id, doc["name"]
        lifecycle = "deactivate" if doc["status"] == "ACTIVE" else "activate"
        links: dict[str, Any] = {
            "help": {"href": f"{base}/app/{name}/{app_id}/setup/help/{doc['signOnMode']}"
                             f"/external-doc", "type": "text/html"},
            "appLinks": [{"name": f"{name}_link", "href": f"{base}/home/{name}/{app_id}/"
                                                          f"{app.link_id}",
                          "type": "text/html"}],
            "groups": {"href": f"{base}/api/v1/apps/{app_id}/groups"},
            "logo": [{"name": "medium", "href": f"{base}/assets/img/logos/default.png",
                      "type": "image/png"}],
            "users": {"href": f"{base}/api/v1/apps/{app_id}/users"},
            lifecycle: {"href": f"{base}/api/v1/apps/{app_id}/lifecycle/{lifecycle}"},
        }
        if app.saml:
            links["metadata"] = {"href": f"{base}/api/v1/apps/{app_id}/sso/saml/metadata",
                                 "type": "application/xml"}
        doc["_links"] = links
        return doc

    def _metadata(self, app: _App, kid: str | None) -> bytes:
        from ssoctl.rehearsal import oktaxml

        if not app.saml:
            raise _not_found(f"{app.id} (AppInstance)")
        key = app.key(kid)
        if key is None:
            raise _not_found(f"{kid} (Key)")
        sign_on = app.doc["settings"]["signOn"]
        formats = [sign_on.get("subjectNameIdFormat") or UNSPECIFIED]
        return oktaxml.metadata(entity_id=self._entity_id(app), cert_der=key.der,
                                sso_url=f"{self.url}/app/{app.doc['name']}/{app.exk}/sso/saml",
                                name_id_formats=formats)

    def _user_by_email(self, email: str) -> str | None:
        wanted = email.strip().lower()
        return next((uid for uid, u in self._users.items()
                     if u["profile"]["email"].lower() == wanted
                     or u["profile"]["login"].lower() == wanted), None)

    def _assigned(self, app: _App, user_id: str) -> bool:
        return user_id in app.users or any(user_id in self._members.get(gid, ())
                                           for gid in app.groups)

    def _app_user(self, app: _App, user_id: str, scope: str) -> dict[str, Any]:
        user = self._users[user_id]
        now = _iso(self.now())
        template = (app.doc.get("credentials", {}).get("userNameTemplate") or {}).get(
            "template", "${source.login}")
        return {
            "id": user_id, "externalId": None, "created": now, "lastUpdated": now,
            "scope": scope, "status": "ACTIVE", "statusChanged": now, "passwordChanged": None,
            "syncState": "DISABLED", "credentials": {"userName": _template(template, user,
                                                                           None)},
            "profile": {}, "_links": {
                "app": {"href": f"{self.url}/api/v1/apps/{app.id}"},
                "user": {"href": f"{self.url}/api/v1/users/{user_id}"}},
        }

    def _group_assignment(self, group_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": group_id, "lastUpdated": _iso(self.now()),
                "priority": body.get("priority", 0), "profile": dict(body.get("profile") or {}),
                "_links": {"group": {"href": f"{self.url}/api/v1/groups/{group_id}"}}}

    def _page(self, items: list[Any], path: str, query: dict[str, list[str]], *,
              default: int, maximum: int,
              render: Callable[[Any], dict[str, Any]] | None = None,
              key: Callable[[Any], str] = lambda item: item["id"]) -> Answer:
        """One page of ``items`` with Okta's ``Link`` headers (``after`` is the last id of
        the previous page). ``render`` turns the page's items into JSON (only those)."""
        raw_limit = (query.get("limit") or [str(default)])[0]
        try:
            limit = int(raw_limit)
        except ValueError:
            raise _invalid("limit", "limit: must be a number") from None
        if limit < 1:
            limit = default
        limit = min(limit, maximum)
        after = _first(query, "after")
        start = 0
        if after:
            ids = [key(item) for item in items]
            start = ids.index(after) + 1 if after in ids else len(items)
        page = items[start:start + limit]
        keep = [(k, v) for k, values in query.items() if k not in ("after", "limit")
                for v in values]
        self_query = urlencode(list(query_items(query)))
        links = [f'<{self.url}{path}{"?" + self_query if self_query else ""}>; rel="self"']
        if start + limit < len(items):
            next_query = urlencode(keep + [("after", key(page[-1])), ("limit", str(limit))])
            links.append(f'<{self.url}{path}?{next_query}>; rel="next"')
        return 200, {"Content-Type": "application/json", "Link": ", ".join(links)}, \
            json.dumps([render(item) for item in page] if render else page).encode()

    # ------------------------------------------------------------------ apps: routes

    def _list_apps(self, query: dict[str, list[str]], body: Any) -> Answer:
        apps = list(self._apps.values())
        q = (query.get("q") or [""])[0].lower()
        if q:
            apps = [a for a in apps if a.doc["label"].lower().startswith(q)
                    or a.doc["name"].lower().startswith(q)]
        flt = (query.get("filter") or [""])[0]
        if flt:
            apps = [a for a in apps if self._app_filter(flt)(a)]
        return self._page(apps, "/api/v1/apps", query, default=20, maximum=200,
                          render=self._render_app, key=lambda app: app.id)

    def _app_filter(self, text: str) -> Callable[[_App], bool]:
        tests: list[Callable[[_App], bool]] = []
        for part in re.split(r"\s+and\s+", text.strip()):
            match = re.fullmatch(r'([\w.]+)\s+eq\s+"([^"]*)"', part.strip())
            if not match:
                raise _Refusal(400, "E0000031", causes=[f"filter: cannot use {part!r}"])
            attr, value = match.groups()
            if attr == "user.id":
                getter: Callable[[_App], Any] = functools.partial(self._assigned_id, user=True)
            elif attr == "group.id":
                getter = functools.partial(self._assigned_id, user=False)
            elif attr in _APP_FILTER_FIELDS:
                getter = functools.partial(_doc_field, path=_APP_FILTER_FIELDS[attr])
            else:
                raise _Refusal(400, "E0000031", causes=[f"filter: {attr} is not searchable"])
            tests.append(functools.partial(_equals, getter, value))
        return lambda app: all(test(app) for test in tests)

    def _assigned_id(self, app: _App, *, user: bool) -> _Members:
        """What ``user.id eq``/``group.id eq`` compare against: the app's assignees."""
        if user:
            return _Members(set(app.users) | {u for g in app.groups
                                               for u in self._members.get(g, ())})
        return _Members(set(app.groups))

    def _post_app(self, query: dict[str, list[str]], body: Any) -> Answer:
        doc = _validate_app(body, creating=True)
        activate = (query.get("activate") or ["true"])[0].lower() != "false"
        app = self._create(doc, active=activate)
        if app.saml:
            self._new_key(app, activate=True)
        return 200, {"Content-Type": "application/json"}, \
            json.dumps(self._render_app(app)).encode()

    def _get_app(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        return _json(200, self._render_app(self._api_app(app_id)))

    def _put_app(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        doc = _validate_app(body, creating=False)
        if doc["signOnMode"] != app.doc["signOnMode"]:
            raise _invalid("signOnMode", "signOnMode: cannot be changed")
        if doc.get("name") not in (None, app.doc["name"]):
            raise _invalid("name", "name: cannot be changed")
        signing = (doc.get("credentials") or {}).get("signing") or {}
        if signing.get("kid") and app.key(signing["kid"]) is None:
            raise _invalid("credentials", f"credentials.signing.kid: {signing['kid']} is not "
                                          f"a key of this app")
        app.doc["label"] = doc["label"]
        credentials = copy.deepcopy(doc.get("credentials") or {})
        if "userNameTemplate" in credentials:
            app.doc["credentials"]["userNameTemplate"] = credentials["userNameTemplate"]
        if signing.get("kid"):
            app.doc["credentials"]["signing"] = {"kid": signing["kid"]}
        settings = copy.deepcopy(doc.get("settings") or {})
        if app.saml and "signOn" in settings:
            app.doc["settings"]["signOn"] = _sign_on(settings.pop("signOn"))
        for key in ("app", "notes"):
            if isinstance(settings.get(key), dict) and key in app.doc["settings"]:
                app.doc["settings"][key] = settings[key]
        for key in ("accessibility", "visibility"):
            if isinstance(doc.get(key), dict):
                _merge(app.doc[key], doc[key])
        app.doc["lastUpdated"] = _iso(self.now())
        return _json(200, self._render_app(app))

    def _delete_app(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        if app.doc["status"] == "ACTIVE":
            raise _Refusal(403, "E0000056", causes=["Deactivate the app before deleting it."])
        del self._apps[app_id]
        self._by_exk.pop(app.exk, None)
        return 204, {}, b""

    def _lifecycle(self, query: dict[str, list[str]], body: Any, app_id: str,
                   action: str) -> Answer:
        app = self._api_app(app_id)
        app.doc["status"] = "ACTIVE" if action == "activate" else "INACTIVE"
        app.doc["lastUpdated"] = _iso(self.now())
        return _json(200, {})

    def _get_metadata(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        kid = _first(query, "kid")
        return 200, {"Content-Type": "application/xml"}, self._metadata(app, kid)

    def _list_keys(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        return _json(200, [k.jwk() for k in app.keys])

    def _get_key(self, query: dict[str, list[str]], body: Any, app_id: str, kid: str) -> Answer:
        key = self._api_app(app_id).key(kid)
        if key is None:
            raise _not_found(f"{kid} (Key)")
        return _json(200, key.jwk())

    def _generate_key(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        raw = (query.get("validityYears") or [""])[0]
        if not raw.isdigit() or not 2 <= int(raw) <= 10:
            raise _invalid("generateKey", "validityYears: Validity years out of range. It "
                                          "should be 2 - 10 years")
        if not app.saml:
            raise _invalid("generateKey", "signOnMode: only SAML apps have signing keys here")
        start = self.now().replace(microsecond=0)
        try:
            end = start.replace(year=start.year + int(raw))
        except ValueError:  # 29 February
            end = start.replace(year=start.year + int(raw), day=28)
        key = self._new_key(app, not_before=start, days=(end - start).days, activate=False)
        return _json(201, key.jwk(), {"Location": f"{self.url}/api/v1/apps/{app_id}/"
                                                  f"credentials/keys/{key.kid}"})

    def _list_app_users(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        users = dict(app.users)
        for gid in app.groups:
            for uid in sorted(self._members.get(gid, ())):
                users.setdefault(uid, self._app_user(app, uid, "GROUP"))
        q = (query.get("q") or [""])[0].lower()
        items = [copy.deepcopy(u) for u in users.values()
                 if not q or u["credentials"]["userName"].lower().startswith(q)]
        return self._page(items, f"/api/v1/apps/{app_id}/users", query, default=50,
                          maximum=500)

    def _assign_app_user(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise _invalid("appUser", "id: The field cannot be left blank")
        if body["id"] not in self._users:
            raise _not_found(f"{body['id']} (User)")
        entry = self._app_user(app, body["id"], "USER")
        name = ((body.get("credentials") or {}).get("userName"))
        if name:
            entry["credentials"]["userName"] = name
        app.users[body["id"]] = entry
        return _json(200, entry)

    def _get_app_user(self, query: dict[str, list[str]], body: Any, app_id: str,
                      user_id: str) -> Answer:
        app = self._api_app(app_id)
        if user_id in app.users:
            return _json(200, app.users[user_id])
        if self._assigned(app, user_id):
            return _json(200, self._app_user(app, user_id, "GROUP"))
        raise _not_found(f"{user_id} (AppUser)")

    def _delete_app_user(self, query: dict[str, list[str]], body: Any, app_id: str,
                         user_id: str) -> Answer:
        app = self._api_app(app_id)
        if app.users.pop(user_id, None) is None:
            raise _not_found(f"{user_id} (AppUser)")
        return 204, {}, b""

    def _list_app_groups(self, query: dict[str, list[str]], body: Any, app_id: str) -> Answer:
        app = self._api_app(app_id)
        return self._page([copy.deepcopy(g) for g in app.groups.values()],
                          f"/api/v1/apps/{app_id}/groups", query, default=20, maximum=200)

    def _get_app_group(self, query: dict[str, list[str]], body: Any, app_id: str,
                       group_id: str) -> Answer:
        app = self._api_app(app_id)
        if group_id not in app.groups:
            raise _not_found(f"{group_id} (ApplicationGroupAssignment)")
        return _json(200, app.groups[group_id])

    def _put_app_group(self, query: dict[str, list[str]], body: Any, app_id: str,
                       group_id: str) -> Answer:
        app = self._api_app(app_id)
        if group_id not in self._groups:
            raise _not_found(f"{group_id} (UserGroup)")
        if body is not None and not isinstance(body, dict):
            raise _invalid("applicationGroupAssignment", "body: must be an object")
        app.groups[group_id] = self._group_assignment(group_id, body or {})
        return _json(200, app.groups[group_id])

    def _delete_app_group(self, query: dict[str, list[str]], body: Any, app_id: str,
                          group_id: str) -> Answer:
        app = self._api_app(app_id)
        if app.groups.pop(group_id, None) is None:
            raise _not_found(f"{group_id} (ApplicationGroupAssignment)")
        return 204, {}, b""

    def _list_groups(self, query: dict[str, list[str]], body: Any) -> Answer:
        q = (query.get("q") or [""])[0].lower()
        items = [self._render_group(g) for g in self._groups.values()
                 if g["profile"]["name"].lower().startswith(q)]
        return self._page(items, "/api/v1/groups", query, default=10000, maximum=10000)

    def _get_group(self, query: dict[str, list[str]], body: Any, group_id: str) -> Answer:
        if group_id not in self._groups:
            raise _not_found(f"{group_id} (UserGroup)")
        return _json(200, self._render_group(self._groups[group_id]))

    def _render_group(self, group: dict[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(group)
        doc["_links"] = {"users": {"href": f"{self.url}/api/v1/groups/{group['id']}/users"},
                         "apps": {"href": f"{self.url}/api/v1/groups/{group['id']}/apps"}}
        return doc

    def _list_users(self, query: dict[str, list[str]], body: Any) -> Answer:
        q = (query.get("q") or [""])[0].lower()
        items = [copy.deepcopy(u) for u in self._users.values()
                 if not q or any(str(u["profile"].get(f) or "").lower().startswith(q)
                                 for f in ("login", "email", "firstName", "lastName"))]
        return self._page(items, "/api/v1/users", query, default=200, maximum=200)

    def _get_user(self, query: dict[str, list[str]], body: Any, user_id: str) -> Answer:
        user = self._users.get(user_id) or self._users.get(self._user_by_email(user_id) or "")
        if user is None:
            raise _not_found(f"{user_id} (User)")
        return _json(200, user)


@dataclass(frozen=True, slots=True)
class DemoOrg:
    """What :func:`seed_demo` created."""

    users: tuple[str, ...]
    group: str
    group_id: str
    apps: tuple[tuple[str, str], ...]
    """(label, what it rehearses) of each app seeded."""


def seed_demo(standin: OktaStandIn, *, users: Iterable[str] = ("alice@example.com",
                                                               "bob@example.com"),
              group: str = "sipgate users", demo_apps: bool = True) -> DemoOrg:
    """Seed a small org to rehearse against: users, one group holding them (to assign to
    the sipgate app), and a few apps that are not sipgate, each with something an audit
    should report."""
    emails = tuple(dict.fromkeys(u.strip() for u in users if u.strip()))
    user_ids = [standin.add_user(email) for email in emails]
    group_id = standin.add_group(group, "Everyone who signs in to sipgate", members=user_ids)
    seeded: list[tuple[str, str]] = []
    if demo_apps:
        now = standin.now()
        standin.add_app("Intranet", sign_on_mode="BOOKMARK", groups=[group_id])
        seeded.append(("Intranet", "a bookmark app: not SAML, skipped by audits"))
        standin.add_app("Legacy HR", acs_url="https://hr.example/saml/acs",
                        audience="https://hr.example", signature_algorithm="RSA_SHA1",
                        digest_algorithm="SHA1", groups=[group_id])
        seeded.append(("Legacy HR", "signs with SHA-1"))
        standin.add_app("Expenses", acs_url="https://expenses.example/sso/acs",
                        audience="https://expenses.example",
                        cert_not_before=now - dt.timedelta(days=3650 - 20), cert_days=3650,
                        groups=[group_id])
        seeded.append(("Expenses", "signing certificate expires in 20 days"))
        standin.add_app("Old wiki", status="INACTIVE", acs_url="https://wiki.example/acs",
                        audience="https://wiki.example", users=user_ids[:1])
        seeded.append(("Old wiki", "inactive but still assigned"))
        standin.add_app("Support portal", acs_url="https://support.example/saml",
                        audience="https://support.example", assertion_signed=False,
                        groups=[group_id])
        seeded.append(("Support portal", "assertion not signed (only the response)"))
    return DemoOrg(emails, group, group_id, tuple(seeded))


# --------------------------------------------------------------------------- routing

_ID = r"([A-Za-z0-9]{20})"
_KID = r"([A-Za-z0-9_-]{1,100})"
# (method, path regex, handler name, scope)
_ROUTES: tuple[tuple[str, re.Pattern[str], str, str | None], ...] = tuple(
    (m, re.compile(p), h, s) for m, p, h, s in (
        ("GET", r"/api/v1/apps", "_list_apps", "okta.apps.read"),
        ("POST", r"/api/v1/apps", "_post_app", "okta.apps.manage"),
        ("GET", rf"/api/v1/apps/{_ID}", "_get_app", "okta.apps.read"),
        ("PUT", rf"/api/v1/apps/{_ID}", "_put_app", "okta.apps.manage"),
        ("DELETE", rf"/api/v1/apps/{_ID}", "_delete_app", "okta.apps.manage"),
        ("POST", rf"/api/v1/apps/{_ID}/lifecycle/(activate|deactivate)", "_lifecycle",
         "okta.apps.manage"),
        ("GET", rf"/api/v1/apps/{_ID}/sso/saml/metadata", "_get_metadata", "okta.apps.read"),
        ("GET", rf"/api/v1/apps/{_ID}/credentials/keys", "_list_keys", "okta.apps.read"),
        ("POST", rf"/api/v1/apps/{_ID}/credentials/keys/generate", "_generate_key",
         "okta.apps.manage"),
        ("GET", rf"/api/v1/apps/{_ID}/credentials/keys/{_KID}", "_get_key", "okta.apps.read"),
        ("GET", rf"/api/v1/apps/{_ID}/users", "_list_app_users", "okta.apps.read"),
        ("POST", rf"/api/v1/apps/{_ID}/users", "_assign_app_user", "okta.apps.manage"),
        ("GET", rf"/api/v1/apps/{_ID}/users/{_ID}", "_get_app_user", "okta.apps.read"),
        ("DELETE", rf"/api/v1/apps/{_ID}/users/{_ID}", "_delete_app_user", "okta.apps.manage"),
        ("GET", rf"/api/v1/apps/{_ID}/groups", "_list_app_groups", "okta.apps.read"),
        ("GET", rf"/api/v1/apps/{_ID}/groups/{_ID}", "_get_app_group", "okta.apps.read"),
        ("PUT", rf"/api/v1/apps/{_ID}/groups/{_ID}", "_put_app_group", "okta.apps.manage"),
        ("DELETE", rf"/api/v1/apps/{_ID}/groups/{_ID}", "_delete_app_group",
         "okta.apps.manage"),
        ("GET", r"/api/v1/groups", "_list_groups", "okta.groups.read"),
        ("GET", rf"/api/v1/groups/{_ID}", "_get_group", "okta.groups.read"),
        ("GET", r"/api/v1/users", "_list_users", "okta.users.read"),
        ("GET", r"/api/v1/users/([^/]+)", "_get_user", "okta.users.read"),
    ))


def _route(method: str, path: str) -> tuple[Callable[..., Answer], str | None, tuple[str, ...]]:
    known_path = False
    for verb, pattern, name, scope in _ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        known_path = True
        if verb == method:
            return getattr(OktaStandIn, name), scope, match.groups()
    if known_path:
        raise _Refusal(405, "E0000022", path)
    raise _not_found(path)


# --------------------------------------------------------------------------- validation


_SIGN_ON_DEFAULTS: dict[str, Any] = {
    "defaultRelayState": None, "ssoAcsUrl": None,
    "idpIssuer": "http://www.okta.com/${org.externalKey}", "audience": None,
    "recipient": None, "destination": None, "subjectNameIdTemplate": "${user.userName}",
    "subjectNameIdFormat": UNSPECIFIED, "responseSigned": True, "assertionSigned": True,
    "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256", "honorForceAuthn": True,
    "authnContextClassRef": PASSWORD_PROTECTED, "spIssuer": None, "requestCompressed": False,
    "attributeStatements": [], "inlineHooks": [], "allowMultipleAcsEndpoints": False,
    "acsEndpoints": [], "ssoAcsUrlOverride": None, "audienceOverride": None,
    "recipientOverride": None, "destinationOverride": None,
    "assertionEncryption": {"enabled": False}, "slo": {"enabled": False},
    "participateSlo": {"enabled": False}, "spCertificate": None,
    "samlAssertionLifetimeSeconds": None,
}
_BOOLEANS = ("responseSigned", "assertionSigned", "honorForceAuthn", "requestCompressed",
             "allowMultipleAcsEndpoints")
_URLS = ("ssoAcsUrl", "recipient", "destination")
_ENUMS = {"signatureAlgorithm": ("RSA_SHA256", "RSA_SHA1"),
          "digestAlgorithm": ("SHA256", "SHA1"),
          "subjectNameIdFormat": NAME_ID_FORMATS,
          "authnContextClassRef": AUTHN_CONTEXTS}


def _sign_on(given: Mapping[str, Any]) -> dict[str, Any]:
    """The stored ``settings.signOn``: what was given on top of Okta's defaults (fields
    Okta does not know are dropped)."""
    out = copy.deepcopy(_SIGN_ON_DEFAULTS)
    out.update({k: copy.deepcopy(v) for k, v in given.items() if k in _SIGN_ON_DEFAULTS})
    return out


def _validate_app(body: Any, *, creating: bool) -> dict[str, Any]:
    """Okta's checks of an app body; raises E0000001 with one cause per problem."""
    if not isinstance(body, dict):
        raise _Refusal(400, "E0000003")
    causes: list[str] = []
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        causes.append("label: The field cannot be left blank")
    elif len(label) > 100:
        causes.append("label: The field is too long")
    mode = body.get("signOnMode")
    if mode not in SIGN_ON_MODES:
        causes.append("signOnMode: The field cannot be left blank" if mode is None else
                      f"signOnMode: {mode!r} is not a valid sign-on mode")
    elif mode not in ("SAML_2_0", "BOOKMARK"):
        causes.append(f"signOnMode: this stand-in creates SAML_2_0 and BOOKMARK apps, "
                      f"not {mode}")
    if creating and mode == "SAML_2_0" and body.get("name"):
        causes.append("name: Custom SAML 2.0 apps are named by Okta; leave name out")
    credentials = body.get("credentials") or {}
    template = credentials.get("userNameTemplate") if isinstance(credentials, dict) else None
    if template is not None:
        if not isinstance(template, dict):
            causes.append("credentials.userNameTemplate: must be an object")
        elif template.get("type", "BUILT_IN") not in ("BUILT_IN", "CUSTOM", "NONE"):
            causes.append("credentials.userNameTemplate.type: must be BUILT_IN, CUSTOM or NONE")
    settings = body.get("settings")
    if mode == "SAML_2_0":
        sign_on = settings.get("signOn") if isinstance(settings, dict) else None
        if not isinstance(sign_on, dict):
            causes.append("settings.signOn: The field cannot be left blank")
        else:
            for name in ("ssoAcsUrl", "audience", "recipient", "destination"):
                value = sign_on.get(name)
                if not isinstance(value, str) or not value.strip():
                    causes.append(f"{name}: The field cannot be left blank")
                elif name in _URLS and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
                    causes.append(f"{name}: Must be a valid URL")
            for name in _BOOLEANS:
                if name in sign_on and not isinstance(sign_on[name], bool):
                    causes.append(f"{name}: must be true or false")
            for name, allowed in _ENUMS.items():
                if sign_on.get(name) is not None and sign_on[name] not in allowed:
                    causes.append(f"{name}: {sign_on[name]!r} is not one of "
                                  + ", ".join(allowed))
    elif mode == "BOOKMARK":
        url = ((settings or {}).get("app") or {}).get("url") if isinstance(settings,
                                                                             dict) else None
        if not isinstance(url, str) or not url:
            causes.append("settings.app.url: The field cannot be left blank")
    if causes:
        what = causes[0].split(":", 1)[0]
        raise _invalid(what, *causes)
    return body


# --------------------------------------------------------------------------- helpers


def _template(template: str, user: Mapping[str, Any], app_user_name: str | None) -> str:
    """Okta's expression templates as far as the stand-in needs them."""
    profile = user["profile"]

    def value(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if expr == "user.userName":
            return app_user_name or profile["login"]
        source, _, attr = expr.partition(".")
        if source in ("source", "user") and attr in profile:
            return str(profile[attr] or "")
        return ""

    return re.sub(r"\$\{([^}]*)\}", value, template)


def _merge(into: dict[str, Any], given: Mapping[str, Any]) -> None:
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def query_items(query: Mapping[str, list[str]]) -> Iterable[tuple[str, str]]:
    for key, values in query.items():
        for value in values:
            yield key, value


def _json(status: int, doc: Any, headers: Mapping[str, str] | None = None) -> Answer:
    return status, {**dict(headers or {}), "Content-Type": "application/json"}, \
        json.dumps(doc).encode()


def _text(status: int, text: str) -> Answer:
    return status, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, \
        text.encode()


def _html(status: int, text: str) -> Answer:
    from html import escape

    page = f"<!DOCTYPE html>\n<html><body><p>{escape(text)}</p></body></html>\n"
    return status, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def _equals(getter: Callable[[Any], Any], value: str, item: Any) -> bool:
    return getter(item) == value


class _Members(set):
    """A set of ids that a filter's ``eq`` matches by membership."""

    def __eq__(self, other: object) -> bool:
        return other in self if isinstance(other, str) else set.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


_APP_FILTER_FIELDS = {"status": ("status",), "name": ("name",),
                      "signOnMode": ("signOnMode",),
                      "credentials.signing.kid": ("credentials", "signing", "kid")}


def _doc_field(app: Any, path: tuple[str, ...]) -> Any:
    value = app.doc
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    """The first value of a query parameter, or ``None``."""
    values = query.get(name)
    return values[0] if values else None


def _content_type(headers: Headers) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _parse_body(headers: Headers, body: bytes) -> tuple[Any, bool]:
    """(parsed body or ``None``, whether it was unreadable)."""
    if not body:
        return None, False
    kind = _content_type(headers)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, True
    if kind == "application/x-www-form-urlencoded":
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}, False
    try:
        return json.loads(text), False
    except ValueError:
        return None, True


_SECRET_HEADERS = ("authorization", "dpop", "cookie", "proxy-authorization")
_SECRET_FORM = ("client_assertion", "client_secret")


def _safe_headers(headers: Headers) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0] if value else ""
            out[name] = f"{scheme} [redacted]".strip()
        elif name.lower() in _SECRET_HEADERS:
            out[name] = "[redacted]"
        else:
            out[name] = value
    return out


def _safe_body(body: Any) -> Any:
    if isinstance(body, dict) and any(k in body for k in _SECRET_FORM):
        return {k: ("[redacted]" if k in _SECRET_FORM else v) for k, v in body.items()}
    return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    log: Any = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that broke (a plain-http client on the TLS port, a reset): one
        line in the request log, not a traceback."""
        error = sys.exc_info()[1]
        if self.log is not None:
            self.log.write(f"okta-stand-in: connection from {client_address[0]} failed: "
                           f"{type(error).__name__}: {error}\n")
            self.log.flush()


def _handler(standin: OktaStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ssoctl-okta-stand-in"
        protocol_version = "HTTP/1.1"
        # One write per answer and no Nagle: headers and body written apart meet the
        # client's delayed ACK (40 ms per request on keep-alive connections).
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def _answer(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                status, headers, payload = standin._error(400, "E0000003")
            else:
                body = self.rfile.read(length)
                try:
                    status, headers, payload = standin.handle(self.command, self.path,
                                                              self.headers, body)
                except Exception:  # noqa: BLE001 - a stand-in bug is a 500, not a hang
                    import traceback

                    traceback.print_exc(file=sys.stderr)
                    status, headers, payload = standin._error(500, "E0000009")
            try:
                self.send_response(status)
                headers.setdefault("X-Okta-Request-Id", okta_id("")[:20])
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _answer

        def date_time_string(self, timestamp: float | None = None) -> str:
            # Okta's clients measure X-Rate-Limit-Reset against the Date header, so Date
            # comes from the stand-in's clock too.
            from email.utils import format_datetime

            when = (dt.datetime.fromtimestamp(timestamp, dt.UTC)
                    if timestamp is not None else standin.now())
            return format_datetime(when.astimezone(dt.UTC), usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:
            # The request line and status only: headers (tokens, proofs) are never logged.
            if standin._log is not None:
                standin._log.write(f"okta-stand-in: {format % args}\n")
                standin._log.flush()

    return Handler


__all__ = ["DemoOrg", "Fault", "LoggedRequest", "Login", "OktaStandIn", "StandInError",
           "okta_id", "seed_demo"]
