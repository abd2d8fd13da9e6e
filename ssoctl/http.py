"""The one HTTP layer: sessions, timeouts, retries, redirects, TLS and redaction.

Every client (metadata download, SP targets, Okta) goes through :func:`make_session`,
:func:`request` and :func:`fetch`. Nothing above this module (and ``sp/``, ``okta.py``)
sees a requests exception: they are translated into :class:`NetworkError` (exit 6),
:class:`ApiRefusedError` (exit 5) or :class:`InputError` (exit 3).

Rules (security.md E35-E39):

- connect and read timeouts always (requests has no default), plus an overall deadline;
- retries with backoff only for GET and PUT (PUT here is always a full replacement),
  on connection errors and 429/502/503/504, honouring ``Retry-After`` up to a cap;
- redirects are never followed for API calls (a 3xx is an error naming the host);
  :func:`fetch` follows a few, to https only;
- TLS verification always on (``ca_bundle`` for corporate proxies); plain http only to
  loopback unless explicitly allowed;
- secrets are redacted from every message; headers are never logged.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

from ssoctl import __version__
from ssoctl.errors import ApiRefusedError, InputError, NetworkError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import requests


def _log():
    """The ``ssoctl.http`` logger (``--debug``). ``logging`` is imported on first use:
    most runs (a local file, no network) never need it."""
    import logging

    return logging.getLogger("ssoctl.http")


USER_AGENT = f"ssoctl/{__version__}"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
REDACTED = "<hidden>"


@dataclass(frozen=True)
class HttpSettings:
    """Network policy for one command run. Time functions are injectable for tests."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0
    deadline: float = 120.0
    ca_bundle: str | None = None
    allow_http: bool = False
    """Allow plain http:// to hosts other than loopback (always warned)."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret (token, password) in ``text`` with ``<hidden>``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_http: bool = False) -> str:
    """Validate a URL before use: https, or http to loopback (or with ``allow_http``).

    Returns a warning text when plain http is allowed to a non-loopback host, else "".
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1/
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url}", hint="give a full https:// URL",
                         code="BAD_URL")
    if parts.username or parts.password:
        raise UsageError("credentials inside the URL are not accepted",
                         hint="pass tokens through the environment or a token file",
                         code="BAD_URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        if not allow_http:
            raise UsageError(f"refusing plain http:// to {parts.hostname}",
                             hint="use https://, or pass --allow-http if you really must",
                             code="INSECURE_URL")
        return f"warning: plain http to {parts.hostname}: the response can be altered in transit"
    return ""


def make_session(settings: HttpSettings | None = None) -> "requests.Session":
    """A requests session with ssoctl's User-Agent and TLS policy. No adapters retry on
    their own: :func:`request` owns the retry loop so it can honour the deadline."""
    import requests

    settings = settings or HttpSettings()
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.verify = settings.ca_bundle or True
    session.trust_env = True  # HTTPS_PROXY from the environment (corporate proxies)
    return session


def request(session: "requests.Session", method: str, url: str, *,
            settings: HttpSettings | None = None, secrets: Iterable[str | None] = (),
            headers: Mapping[str, str] | None = None, json: Any = None,
            data: bytes | None = None, stream: bool = False,
            return_redirects: bool = False) -> "requests.Response":
    """One HTTP call with timeouts, retries (idempotent methods only) and no redirects.

    Returns the final response for any status < 300 or a non-retryable 4xx/5xx (the
    caller decides what a status means; :func:`raise_for_status` is the common mapping).
    A 3xx raises :class:`NetworkError` naming the redirect target (unless
    ``return_redirects``, used by :func:`fetch`, which checks each hop itself).
    """
    import requests

    settings = settings or HttpSettings()
    secrets = tuple(secrets)
    method = method.upper()
    check_url(url, allow_http=settings.allow_http)
    started = settings.clock()
    attempts = settings.retries + 1 if method in IDEMPOTENT else 1
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            _log().debug("%s %s (attempt %d)", method, redact(url, secrets), attempt)
            resp = session.request(method, url, headers=headers, json=json, data=data,
                                   timeout=settings.timeout, allow_redirects=False,
                                   stream=stream, verify=settings.ca_bundle or session.verify)
        except requests.exceptions.SSLError as exc:
            raise _tls_error(url, exc, secrets) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            if last or not _may_retry(settings, started, _backoff(settings, attempt)):
                raise _network_error(url, exc, secrets) from None
            settings.sleep(_backoff(settings, attempt))
            continue
        except (requests.exceptions.RequestException, ValueError) as exc:
            # ValueError: requests parses a redirect's Location even without following it,
            # and an unparsable one (``https://[::1/``) must not become a traceback.
            raise NetworkError(redact(f"request to {_host(url)} failed: {exc}", secrets),
                               hint="check the URL", code="HTTP_FAILED") from None
        _log().debug("-> %s %s", resp.status_code, resp.reason)
        if 300 <= resp.status_code < 400 and not return_redirects:
            target = urljoin(url, resp.headers.get("Location", ""))
            raise NetworkError(f"unexpected redirect ({resp.status_code}) to {_host(target)}",
                               hint="check the base URL: API calls never follow redirects",
                               code="HTTP_REDIRECT")
        if resp.status_code in RETRY_STATUSES and not last:
            wait = _retry_after(resp, settings, attempt)
            if _may_retry(settings, started, wait):
                resp.close()
                settings.sleep(wait)
                continue
        return resp
    raise AssertionError("unreachable")  # pragma: no cover


def raise_for_status(resp: "requests.Response", *, what: str, secrets: Iterable[str | None] = (),
                     auth_hint: str = "check the token and its permissions") -> None:
    """Map an error status to ssoctl's errors: 4xx -> exit 5, 5xx/429 -> exit 6."""
    status = resp.status_code
    if status < 400:
        return
    reason = redact(_server_reason(resp), secrets)
    detail = f": {reason}" if reason else ""
    if status in (401, 403):
        raise ApiRefusedError(f"{what}: access refused (HTTP {status}){detail}", hint=auth_hint,
                              code="HTTP_UNAUTHORIZED" if status == 401 else "HTTP_FORBIDDEN",
                              status=status)
    if status == 404:
        raise ApiRefusedError(f"{what}: not found (HTTP 404) at {_host(resp.url)}",
                              hint="check the base URL and path", code="HTTP_NOT_FOUND",
                              status=status)
    if status in (409, 412):
        raise ApiRefusedError(f"{what}: changed by someone else (HTTP {status}){detail}",
                              hint="run the command again to re-plan against the current state",
                              code="HTTP_CONFLICT", status=status)
    if status == 429 or status >= 500:
        raise NetworkError(f"{what}: server busy or failing (HTTP {status}) after retries{detail}",
                           hint="try again later", code="HTTP_SERVER_ERROR")
    raise ApiRefusedError(f"{what}: request refused (HTTP {status}){detail}",
                          hint="the server's reason is shown above", code="HTTP_REFUSED",
                          status=status)


@dataclass(frozen=True)
class Fetched:
    """A document downloaded by :func:`fetch`."""

    url: str
    final_url: str
    data: bytes
    content_type: str
    redirects: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def fetch(url: str, *, settings: HttpSettings | None = None, max_bytes: int,
          max_redirects: int = 3, what: str = "document", accept: str = "*/*") -> Fetched:
    """GET a document (e.g. IdP metadata), following at most ``max_redirects`` redirects,
    each to https (or loopback http), reading at most ``max_bytes``."""
    settings = settings or HttpSettings()
    session = make_session(settings)
    warnings = [w for w in (check_url(url, allow_http=settings.allow_http),) if w]
    current, hops = url, []
    try:
        for _ in range(max_redirects + 1):
            resp = request(session, "GET", current, settings=settings, stream=True,
                           headers={"Accept": accept}, return_redirects=True)
            if 300 <= resp.status_code < 400 and resp.headers.get("Location"):
                target = urljoin(current, resp.headers["Location"])
                resp.close()
                if urlsplit(target).scheme != "https" and not is_loopback(urlsplit(target).hostname):
                    raise NetworkError(f"{what}: redirect to non-https URL {target} refused",
                                       hint="use the https:// URL the IdP publishes",
                                       code="HTTP_REDIRECT")
                warnings += [w for w in (check_url(target, allow_http=settings.allow_http),) if w]
                hops.append(target)
                current = target
                continue
            raise_for_status(resp, what=f"downloading {what}")
            body = _read_limited(resp, max_bytes, what)
            return Fetched(url=url, final_url=current, data=body,
                           content_type=resp.headers.get("Content-Type", ""),
                           redirects=tuple(hops), warnings=tuple(warnings))
        raise NetworkError(f"{what}: more than {max_redirects} redirects",
                           hint="use the final URL directly", code="HTTP_TOO_MANY_REDIRECTS")
    finally:
        session.close()


def _read_limited(resp: "requests.Response", max_bytes: int, what: str) -> bytes:
    import requests

    declared = resp.headers.get("Content-Length")
    if declared and declared.isdecimal() and int(declared) > max_bytes:
        resp.close()
        raise InputError(f"{what} exceeds {max_bytes} bytes ({declared} announced)",
                         hint="check the URL: metadata is normally a few kilobytes",
                         code="INPUT_TOO_LARGE")
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > max_bytes:
                raise InputError(f"{what} exceeds {max_bytes} bytes",
                                 hint="check the URL: metadata is normally a few kilobytes",
                                 code="INPUT_TOO_LARGE")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        raise _network_error(resp.url, exc, ()) from None
    finally:
        resp.close()
    return b"".join(chunks)


def _may_retry(settings: HttpSettings, started: float, wait: float) -> bool:
    return settings.clock() - started + wait <= settings.deadline


def _backoff(settings: HttpSettings, attempt: int) -> float:
    return settings.backoff * (2 ** (attempt - 1))


def _retry_after(resp: "requests.Response", settings: HttpSettings, attempt: int) -> float:
    value = resp.headers.get("Retry-After", "").strip()
    if value.isdecimal():  # not isdigit(): a latin-1 '²' passes that but not float()
        return min(float(value), settings.max_retry_after)
    if value:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value).timestamp()
            return max(0.0, min(when - time.time(), settings.max_retry_after))
        except (TypeError, ValueError, OverflowError):
            pass
    return _backoff(settings, attempt)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or url


def _server_reason(resp: "requests.Response") -> str:
    """A short reason from an error body: sipgate/JSON:API ``errors[].detail|title``,
    Okta ``errorSummary``, or a ``message``/``error`` field. Never the raw body."""
    try:
        body = resp.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("detail") or first.get("title") or "")[:300]
        for key in ("errorSummary", "message", "error_description", "error", "detail"):
            if isinstance(body.get(key), str):
                return body[key][:300]
    return ""


def _tls_error(url: str, exc: Exception, secrets: Iterable[str | None]) -> NetworkError:
    text = str(exc)
    reason = "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else "TLS handshake failed"
    lowered = text.lower()
    if "hostname" in lowered or "doesn't match" in lowered or "mismatch" in lowered:
        reason = "certificate does not match the host name"
    elif "expired" in lowered:
        reason = "certificate has expired"
    return NetworkError(redact(f"TLS error talking to {_host(url)}: {reason}", secrets),
                        hint="behind a corporate proxy? pass its CA with --ca-bundle; "
                             "TLS verification cannot be turned off",
                        code="TLS_ERROR")


def _network_error(url: str, exc: Exception, secrets: Iterable[str | None]) -> NetworkError:
    import requests

    if isinstance(exc, requests.exceptions.Timeout):
        return NetworkError(f"timed out talking to {_host(url)}",
                            hint="check the host and your network, or raise the timeout",
                            code="HTTP_TIMEOUT")
    return NetworkError(redact(f"cannot connect to {_host(url)}", secrets),
                        hint="check the URL, DNS, proxy settings (HTTPS_PROXY) and firewall",
                        code="HTTP_CONNECT")
