"""The Okta management API client: org URL, one call, pagination, rate limits, errors.

Every request goes through :func:`ssoctl.http.request` (timeouts, TLS verification, no
redirects, redaction). On top of it this module does what is particular to Okta:

- the org URL must be an origin: ``https://ORG.okta.com`` (or oktapreview.com,
  okta-emea.com, okta-gov.com, okta.mil, a custom domain); plain http only to this machine
  (the local stand-in), never a path, query or user name;
- ``X-Rate-Limit-Limit/-Remaining/-Reset``: a 429 waits until the reset (measured against
  the response's ``Date``, so a wrong local clock does not matter), bounded by
  :attr:`RateLimits.max_wait` and the deadline; when few calls remain before the reset,
  calls are spread over the time left instead of running into the 429;
- pagination follows ``Link: <...>; rel="next"``, and only to the same org;
- Okta's error bodies (``errorCode``, ``errorSummary``, ``errorCauses``, ``errorId``)
  become one line that says what to do (:func:`okta_error`).

Retries: connection failures and 5xx are retried only for GET and PUT (PUT is a full
replacement here); a 429 is retried for every method, because Okta did not process it.
"""

from __future__ import annotations

import json as _json
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Protocol
from urllib.parse import urlencode, urlsplit

from ssoctl.links import OKTA_DOCS
from ssoctl import http
from ssoctl.errors import ApiRefusedError, InputError, NetworkError, SsoctlError, UsageError

#: Okta's own domains; anything else is a custom domain (allowed).
OKTA_DOMAINS = ("okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil")
#: Largest JSON page or metadata document read from Okta (a page of 200 apps is ~1 MB).
MAX_BODY_BYTES = 16 * 1024 * 1024
RETRY_5XX = frozenset({500, 502, 503, 504})
_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.I)


# ---------------------------------------------------------------- the org URL

def check_org(url: str | None) -> str:
    """The org's origin (``https://acme.okta.com``) or :class:`UsageError` ``OKTA_BAD_ORG``.

    Refused: no scheme, http:// to anything but loopback, a path (``/admin``), a query,
    a fragment, a user name or password, and the Admin Console host (``acme-admin``).
    """
    text = (url or "").strip()
    hint = "give the org URL alone, e.g. --org https://acme.okta.com"
    if not text:
        raise UsageError("no Okta org URL", hint="pass --org https://ORG.okta.com or set "
                         "okta_org in the profile (or SSOCTL_OKTA_ORG)", code="OKTA_NO_ORG")
    if "://" not in text:
        raise UsageError(f"the Okta org URL {text!r} has no https://", hint=f"use https://{text}"
                         if "/" not in text else hint, code="OKTA_BAD_ORG")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise UsageError(f"the Okta org URL {text!r} cannot be read", hint=hint,
                         code="OKTA_BAD_ORG") from None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("https", "http") or not host:
        raise UsageError(f"the Okta org URL {text!r} is not an https:// URL", hint=hint,
                         code="OKTA_BAD_ORG")
    if parts.username or parts.password:
        raise UsageError("the Okta org URL must not hold a user name or password",
                         hint="give the API token through SSOCTL_OKTA_TOKEN or --token-file",
                         code="OKTA_BAD_ORG")
    if parts.scheme.lower() == "http" and not http.is_loopback(host):
        raise UsageError(f"refusing plain http:// to {host}: the API token would travel "
                         "unencrypted", hint=f"use https://{host}", code="OKTA_BAD_ORG")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"the Okta org URL {text!r} has a path or query; ssoctl needs the "
                         "org's address alone", hint=hint, code="OKTA_BAD_ORG")
    label = host.split(".", 1)[0]
    if label.endswith("-admin") and host.endswith(OKTA_DOMAINS):
        org = host.replace("-admin.", ".", 1)
        raise UsageError(f"{host} is the Admin Console's address, not the org's",
                         hint=f"use --org https://{org}", code="OKTA_BAD_ORG")
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" + ("" if port is None else f":{port}")
    return f"{parts.scheme.lower()}://{netloc}"


# ---------------------------------------------------------------- one exchange

@dataclass(frozen=True)
class Reply:
    """One HTTP answer from Okta, read completely (the connection is already closed)."""

    status: int
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes
    url: str

    def json(self) -> Any:
        try:
            return _json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError):
            return None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Auth(Protocol):
    """How requests are authenticated (:mod:`ssoctl.okta.auth`)."""

    @property
    def kind(self) -> str: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...

    def headers(self, method: str, url: str, exchange: "Exchange") -> dict[str, str]: ...

    def retry_after_challenge(self, reply: Reply) -> bool: ...

    def observe(self, reply: Reply) -> None: ...


Exchange = Callable[..., Reply]
"""``exchange(method, url, headers=..., data=..., what=...) -> Reply``: one unauthenticated
call (the OAuth token request uses it)."""


@dataclass(frozen=True)
class RateLimits:
    """How ssoctl stays inside Okta's rate limits."""

    max_wait: float = 60.0
    """Longest single wait for a rate-limit reset; longer resets fail with exit 6."""
    max_429: int = 5
    """How many 429 answers one call may wait out."""
    low_fraction: float = 0.1
    """Below this share of the limit left, calls are spread until the reset."""


@dataclass(frozen=True)
class CallStats:
    """What a client did, for ``--debug`` and tests."""

    calls: int
    waited_for_rate_limit: float
    rate_limited: int


class OktaClient:
    """A connection to one Okta org. Thread-safe: each thread gets its own HTTP session.

    ``scopes`` are the OAuth scopes the command needs (named in permission errors).
    """

    def __init__(self, org: str, auth: Auth, *, settings: http.HttpSettings | None = None,
                 limits: RateLimits = RateLimits(), wall: Callable[[], float] = time.time) -> None:
        self.org = check_org(org)
        self.auth = auth
        self.settings = settings or http.HttpSettings()
        self.limits = limits
        self._one = replace(self.settings, retries=0)  # the retry policy is ours (above)
        self._wall = wall
        self._local = threading.local()
        self._sessions: list[Any] = []
        self._lock = threading.Lock()
        self._pace_until = 0.0
        self._calls = 0
        self._waited = 0.0
        self._limited = 0

    # -- plumbing

    def _session(self) -> Any:
        """This thread's requests session (from :func:`ssoctl.http.make_session`)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = http.make_session(self.settings)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> "OktaClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def stats(self) -> CallStats:
        return CallStats(self._calls, round(self._waited, 3), self._limited)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self.auth.secrets)

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """An absolute URL on this org for an API path (``/api/v1/apps``)."""
        if path.startswith(("https://", "http://")):
            self.same_org(path)
            full = path
        else:
            full = self.org + "/" + path.lstrip("/")
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if query:
            full += ("&" if "?" in full else "?") + urlencode(query)
        return full

    def same_org(self, url: str) -> str:
        """``url`` if it points at this org, else :class:`NetworkError` (a link Okta gave
        that would carry the token to another host)."""
        try:
            parts = urlsplit(url)
            origin = f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"
        except ValueError:
            origin = ""
        if origin != self.org:
            raise NetworkError(f"Okta answered with a link to another host ({_host(url)})",
                               hint="ssoctl only follows links within the org given with --org",
                               code="OKTA_FOREIGN_LINK")
        return url

    def _send(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None,
              what: str) -> Reply:
        """One exchange through :func:`ssoctl.http.request` (which reads the whole answer
        within its timeouts); an answer larger than :data:`MAX_BODY_BYTES` is refused."""
        resp = http.request(self._session(), method, url, settings=self._one,
                            secrets=self.secrets, headers=headers, data=data)
        with self._lock:
            self._calls += 1
        try:
            body = resp.content or b""
        finally:
            resp.close()
        if len(body) > MAX_BODY_BYTES:
            raise InputError(f"Okta's answer ({what}) exceeds {MAX_BODY_BYTES} bytes",
                             hint="check --org: it must be the Okta org's own address",
                             code="INPUT_TOO_LARGE")
        headers_lc = {str(k).lower(): v for k, v in resp.headers.items()}
        return Reply(resp.status_code, headers_lc, body, url)

    def exchange(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                 data: bytes | None = None, what: str = "request") -> Reply:
        """One call without authentication, with the retry policy for connection errors
        (the OAuth token request; a 4xx/5xx is returned, not raised)."""
        started = self.settings.clock()
        for attempt in range(1, self.settings.retries + 2):
            try:
                return self._send(method, url, headers or {}, data, what)
            except NetworkError as exc:
                if not self._may_retry(exc, method, attempt, started):
                    raise
                self._sleep(self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the call with Okta's rules

    def call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             body: Any = None, what: str, scope: str = "",
             accept: str = "application/json") -> Reply:
        """One authenticated API call; an error status raises (see :func:`okta_error`)."""
        method = method.upper()
        url = self.url(path, params)
        data = None if body is None else _json.dumps(body).encode("utf-8")
        started = self.settings.clock()
        attempt = rate_waits = challenges = 0
        while True:
            attempt += 1
            self._pace(started)
            headers = {"Accept": accept}
            if data is not None:
                headers["Content-Type"] = "application/json"
            headers.update(self.auth.headers(method, url, self.exchange))
            try:
                reply = self._send(method, url, headers, data, what)
            except NetworkError as exc:
                if not self._may_retry(exc, method, attempt, started):
                    raise
                self._sleep(self._backoff(attempt))
                continue
            self.auth.observe(reply)
            self._note_limits(reply)
            if reply.status == 429:
                rate_waits += 1
                self._wait_for_reset(reply, rate_waits, started, what)
                continue
            if reply.status in (400, 401) and challenges < 2 \
                    and self.auth.retry_after_challenge(reply):
                challenges += 1
                continue
            if reply.status in RETRY_5XX and method in http.IDEMPOTENT \
                    and attempt <= self.settings.retries \
                    and self._within_deadline(started, self._backoff(attempt)):
                self._sleep(self._backoff(attempt))
                continue
            if reply.status >= 400:
                raise okta_error(reply, what=what, scope=scope, auth_kind=self.auth.kind,
                                 secrets=self.secrets)
            return reply

    def get(self, path: str, *, what: str, scope: str = "okta.apps.read",
            params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON document."""
        return self.call("GET", path, params=params, what=what, scope=scope).json()

    def pages(self, path: str, *, what: str, scope: str = "okta.apps.read",
              params: Mapping[str, Any] | None = None, max_pages: int = 10000) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` within the org."""
        url: str | None = self.url(path, params)
        seen: set[str] = set()
        while url and len(seen) < max_pages:
            seen.add(url)
            reply = self.call("GET", url, what=what, scope=scope)
            items = reply.json()
            if not isinstance(items, list):
                raise NetworkError(f"{what}: Okta answered with something that is not a list",
                                   hint="check --org: it must be the Okta org's own address",
                                   code="OKTA_BAD_ANSWER")
            yield from items
            url = next_link(reply.header("link"))
            if url is not None:
                self.same_org(url)
                if url in seen:  # a server that links to itself would never end
                    break

    # -- rate limits and retries

    def _note_limits(self, reply: Reply) -> None:
        """Spread the calls left over the time until the reset when few remain."""
        try:
            limit = int(reply.header("x-rate-limit-limit"))
            remaining = int(reply.header("x-rate-limit-remaining"))
        except ValueError:
            return
        if limit <= 0 or remaining > max(1, int(limit * self.limits.low_fraction)):
            return
        until_reset = self._seconds_to_reset(reply)
        if until_reset is None:
            return
        gap = min(self.limits.max_wait, until_reset / max(remaining, 1))
        with self._lock:
            self._pace_until = max(self._pace_until, self.settings.clock() + gap)

    def _pace(self, started: float) -> None:
        with self._lock:
            wait = self._pace_until - self.settings.clock()
        if wait > 0 and self._within_deadline(started, wait):
            self._sleep(wait, rate=True)

    def _wait_for_reset(self, reply: Reply, count: int, started: float, what: str) -> None:
        with self._lock:
            self._limited += 1
        reset = self._seconds_to_reset(reply)
        # one second past the reset: Okta counts in whole seconds. The cap applies to the
        # reset itself: a 429 at the start of a one-minute window resets 60 s later, and
        # that wait (61 s with the margin) is exactly what max_wait allows for.
        wait = reset + 1.0 if reset is not None else self._retry_after(reply)
        capped = reset if reset is not None else wait
        if count > self.limits.max_429 or capped > self.limits.max_wait \
                or not self._within_deadline(started, wait):
            raise okta_error(reply, what=what, scope="", auth_kind=self.auth.kind,
                             secrets=self.secrets, wait=wait)
        self._sleep(wait, rate=True)

    def _seconds_to_reset(self, reply: Reply) -> float | None:
        value = reply.header("x-rate-limit-reset").strip()
        if not value.isdecimal():
            return None
        now = self._wall()
        date = reply.header("date")
        if date:
            from email.utils import parsedate_to_datetime

            try:
                now = parsedate_to_datetime(date).timestamp()
            except (TypeError, ValueError, OverflowError):
                pass
        return max(0.0, float(value) - now)

    def _retry_after(self, reply: Reply) -> float:
        value = reply.header("retry-after").strip()
        return min(float(value), self.limits.max_wait) if value.isdecimal() else 1.0

    def _may_retry(self, exc: SsoctlError, method: str, attempt: int, started: float) -> bool:
        return (exc.code in ("HTTP_CONNECT", "HTTP_TIMEOUT") and method in http.IDEMPOTENT
                and attempt <= self.settings.retries
                and self._within_deadline(started, self._backoff(attempt)))

    def _within_deadline(self, started: float, wait: float) -> bool:
        return self.settings.clock() - started + wait <= self.settings.deadline

    def _backoff(self, attempt: int) -> float:
        return self.settings.backoff * (2 ** (attempt - 1))

    def _sleep(self, seconds: float, *, rate: bool = False) -> None:
        if rate:
            with self._lock:
                self._waited += seconds
        self.settings.sleep(seconds)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.rsplit("@", 1)[-1] or url
    except ValueError:
        return url


def next_link(header: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (several links may be comma-joined)."""
    for part in header.split(","):
        match = _NEXT.search(part)
        if match:
            return match.group(1).strip()
    return None


# ---------------------------------------------------------------- errors

#: Admin Console path of the API token page, for E0000011 hints.
TOKEN_PAGE = "Admin Console → Security → API → Tokens → Create token"


def okta_error(reply: Reply, *, what: str, scope: str, auth_kind: str,
               secrets: tuple[str, ...] = (), wait: float | None = None) -> SsoctlError:
    """Okta's error answer as one ssoctl error whose hint says what to do."""
    body = reply.json() if isinstance(reply.json(), dict) else {}
    code = str(body.get("errorCode") or "")
    summary = str(body.get("errorSummary") or body.get("error_description")
                  or body.get("error") or "").strip()
    causes = [str(c.get("errorSummary")) for c in body.get("errorCauses") or []
              if isinstance(c, dict) and c.get("errorSummary")]
    error_id = str(body.get("errorId") or "")
    ref = f" [{code}{', errorId ' + error_id if error_id else ''}]" if code else ""
    status = reply.status
    oauth = auth_kind == "oauth"
    challenge = reply.header("www-authenticate")

    def clean(text: str) -> str:
        return http.redact(text, secrets)[:500]

    if status == 429 or code == "E0000047":
        when = f"; the limit resets in {wait:.0f} s" if wait is not None else ""
        return NetworkError(clean(f"{what}: Okta's rate limit was reached (HTTP 429){when}{ref}"),
                            hint="try again later, or in Okta raise the API rate limit share "
                                 "(Security → API → Tokens/Services → rate limit) or use a "
                                 "dedicated API Services app", code="OKTA_RATE_LIMITED")
    if status == 401 or code == "E0000011":
        if oauth:
            hint = ("the access token was refused: check the API Services app is active and "
                    "DPoP matches its setting ('Require DPoP'), then run again")
        else:
            hint = (f"create a new API token ({TOKEN_PAGE}) and give it through "
                    "SSOCTL_OKTA_TOKEN or --token-file (mode 0600); tokens expire after "
                    "30 days unused")
        return ApiRefusedError(clean(f"{what}: Okta refused the credentials (HTTP {status}): "
                                     f"{summary or 'invalid token'}{ref}"), hint=hint,
                               code="OKTA_BAD_TOKEN", status=status)
    if status == 403 or code == "E0000006":
        need = scope or f"the scope of this command ({OKTA_DOCS})"
        if oauth or "insufficient_scope" in challenge:
            hint = (f"grant {need} to the API Services app (its Okta API Scopes tab) and an "
                    "admin role that covers the app (Admin roles tab: e.g. Application "
                    f"Administrator); see {OKTA_DOCS}")
        else:
            hint = (f"the token acts with the admin role of the person who created it; that "
                    f"role must allow this call ({need}: e.g. Application Administrator or "
                    f"Super Administrator); see {OKTA_DOCS}")
        return ApiRefusedError(clean(f"{what}: Okta says permission denied (HTTP {status}): "
                                     f"{summary or 'forbidden'}{ref}"), hint=hint,
                               code="OKTA_FORBIDDEN", status=status)
    if status == 404 or code == "E0000007":
        return ApiRefusedError(clean(f"{what}: not found in {_host(reply.url)} "
                                     f"(HTTP {status}){ref}"),
                               hint="check the app id (0oa…) or label with `ssoctl okta list`, "
                                    "and that --org is the right org",
                               code="OKTA_NOT_FOUND", status=status)
    if status == 400 and (code == "E0000001" or causes):
        because = "; ".join(causes) if causes else summary
        return ApiRefusedError(clean(f"{what}: Okta rejected a value: {because}{ref}"),
                               hint=f"fix the value Okta names (see {OKTA_DOCS} for the fields "
                                    "ssoctl sets)", code="OKTA_VALIDATION", status=status)
    if status >= 500:
        return NetworkError(clean(f"{what}: Okta failed (HTTP {status}) after retries"
                                  f"{': ' + summary if summary else ''}{ref}"),
                            hint="try again later; quote the errorId to Okta support if it "
                                 "persists", code="OKTA_SERVER_ERROR")
    return ApiRefusedError(clean(f"{what}: Okta refused the request (HTTP {status})"
                                 f"{': ' + summary if summary else ''}{ref}"),
                           hint="the reason Okta gave is shown above", code="OKTA_REFUSED",
                           status=status)
