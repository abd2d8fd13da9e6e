"""The one HTTP layer: sessions, timeouts, retries, redirects, TLS and redaction.

Every client (metadata download, SP targets, Okta) goes through :func:`make_session`,
:func:`request` and :func:`fetch`. Nothing above this module (and ``sp/``, ``okta.py``)
sees a requests exception: they are translated into :class:`NetworkError` (exit 6),
:class:`ApiRefusedError` (exit 5) or :class:`InputError` (exit 3).

Rules (docs/threat-model.md, "Network" and "Secrets"):

- connect and read timeouts always (requests has no default), plus an overall deadline
  that covers connecting, the headers and the whole body: a server that sends one byte a
  second cannot keep a command running past it;
- answers are read in chunks up to a size limit (never all of an unbounded body); a
  large download (:func:`fetch_stream`) is handed to its reader chunk by chunk as it
  arrives, through a small queue, under the same deadline and limit;
- retries with backoff only for GET and PUT (PUT here is always a full replacement),
  on connection errors and 429/502/503/504, honouring ``Retry-After`` up to a cap;
- redirects are never followed for API calls (a 3xx is an error naming the host);
  :func:`fetch` follows a few, never from https to http, and never from a public address
  to a loopback, link-local or private one;
- TLS verification always on (``ca_bundle`` for corporate proxies); plain http only to
  loopback unless explicitly allowed;
- one :class:`Redactor` per command run, built from every secret the run knows, scrubs
  every message, log line, exception text and file written by ``sp/``; headers are never
  logged.
"""

from __future__ import annotations

import ipaddress
import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, TypeVar
from urllib.parse import urljoin, urlsplit

from ssoctl import __version__
from ssoctl.errors import ApiRefusedError, InputError, NetworkError, SsoctlError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import requests


def _log():
    """The ``ssoctl.http`` logger (``--debug``). ``logging`` is imported on first use:
    most runs (a local file, no network) never need it."""
    import logging

    _install_log_filter()
    return logging.getLogger("ssoctl.http")


USER_AGENT = f"ssoctl/{__version__}"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
REDACTED = "<hidden>"
MAX_RESPONSE_BYTES = 1024 * 1024
"""The largest API answer read (an SSO-settings document is a few kilobytes)."""
CHUNK = 65536
STREAM_CHUNK = 256 * 1024
"""A streamed body is handed over in pieces of about this size (what arrives is gathered
up to it: fewer hand-overs between the threads)."""
STREAM_QUEUE = 4
"""At most this many pieces wait between the reading thread and the reader: the memory a
streamed download holds is bounded by ``STREAM_QUEUE * STREAM_CHUNK``, whatever its size."""


@dataclass(frozen=True)
class HttpSettings:
    """Network policy for one command run. Time functions are injectable for tests."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0
    deadline: float = 120.0
    """Seconds one call may take in all: connecting, retries, headers and the whole body."""
    ca_bundle: str | None = None
    allow_http: bool = False
    """Allow plain http:// to hosts other than loopback (always warned)."""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    resolve: Callable[[str], Iterable[str]] | None = field(default=None, compare=False,
                                                           repr=False)
    """Host name -> IP addresses, for the redirect check (default: the system resolver)."""

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


# ---------------------------------------------------------------- redaction

MIN_SECRET = 4
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f"
                          "\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_UNPRINTABLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f"
                               "\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def printable(text: str, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """``text`` with control, bidi and other invisible characters shown as escapes
    (``\\x1b``, ``\\u202e``), optionally cut to ``limit`` characters."""
    pattern = _UNPRINTABLE if keep_newlines else _UNPRINTABLE_LINE
    out = pattern.sub(_escape_char, text)
    if limit is not None and len(out) > limit:
        out = out[:limit] + "…"
    return out


def _escape_char(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _forms(secret: str) -> set[str]:
    """Every way ``secret`` may show up in text: as is (matched ignoring case, so also
    lower- and upper-cased), URL-encoded, HTML-escaped, escaped the way ``repr``/JSON
    escape it, its pieces between control characters, and base64 at any alignment
    (so also inside ``Basic base64(id:token)``)."""
    import base64
    import html
    import json
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret),
             html.escape(secret), json.dumps(secret)[1:-1],
             json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped = secret.encode("unicode_escape").decode("ascii")
    forms |= {escaped, escaped.replace("'", "\\'"), escaped.replace('"', '\\"'), repr(secret)[1:-1]}
    forms |= {piece for piece in re.split(r"[\x00-\x20\x7f-\x9f]+", secret) if len(piece) >= 8}
    data = secret.encode("utf-8", "surrogatepass")
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data).decode("ascii")
        first = -(-8 * pad // 6)          # the first character made of the secret's bits only
        last = (8 * (pad + len(data))) // 6  # one past the last such character
        core = encoded[first:last]
        forms |= {core, core.replace("+", "-").replace("/", "_")}
    return {form for form in forms if len(form) >= MIN_SECRET}


class Redactor:
    """Replaces every secret it was built from, in every form :func:`_forms` knows, with
    ``<hidden>``. Immutable; :meth:`adding` returns a new one."""

    __slots__ = ("secrets", "_pattern")

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = frozenset(s for s in secrets if s and len(s) >= MIN_SECRET)
        forms: set[str] = set()
        for secret in self.secrets:
            forms |= _forms(secret)
        ordered = sorted(forms, key=lambda f: (-len(f), f))
        self._pattern = re.compile("|".join(map(re.escape, ordered)), re.I) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def adding(self, secrets: Iterable[str | None]) -> "Redactor":
        new = {s for s in secrets if s and len(s) >= MIN_SECRET} - self.secrets
        return Redactor(self.secrets | new) if new else self

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def scrub(self, value: Any) -> Any:
        """``value`` with the secrets removed from every string in it: strings, bytes,
        lists, tuples, dicts, dataclasses (rebuilt only when something changed)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            cleaned = self(value)
            return value if cleaned == value else cleaned
        if isinstance(value, bytes):
            text = value.decode("utf-8", "surrogateescape")
            cleaned = self(text)
            return value if cleaned == text else cleaned.encode("utf-8", "surrogateescape")
        if isinstance(value, (list, tuple)):
            items = [self.scrub(item) for item in value]
            if all(a is b for a, b in zip(items, value)):
                return value
            if hasattr(value, "_fields"):  # a NamedTuple keeps its type
                return type(value)(*items)
            return type(value)(items) if type(value) in (list, tuple) else tuple(items)
        if isinstance(value, dict):
            pairs = {self.scrub(k): self.scrub(v) for k, v in value.items()}
            same = len(pairs) == len(value) and all(
                k in value and value[k] is v for k, v in pairs.items())
            return value if same else pairs
        if isinstance(value, SsoctlError):
            return self.scrub_error(value)
        import dataclasses

        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for item in dataclasses.fields(value):
                if item.init:
                    old = getattr(value, item.name)
                    new = self.scrub(old)
                    if new is not old:
                        changes[item.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value

    def scrub_error(self, exc: SsoctlError) -> SsoctlError:
        """Remove the secrets from an error's message, hint and other text, in place (the
        exception's ``args`` too, so a ``--debug`` traceback shows the clean text)."""
        if self._pattern is None:
            return exc
        for name, old in list(vars(exc).items()):
            if isinstance(old, (str, dict, list, tuple)):
                setattr(exc, name, self.scrub(old))
        exc.args = tuple(self.scrub(arg) for arg in exc.args)
        return exc


_ACTIVE = Redactor()
_ACTIVE_LOCK = threading.Lock()


def redactor() -> Redactor:
    """This command run's redactor: every secret registered with :func:`protect`."""
    return _ACTIVE


def protect(secrets: Iterable[str | None]) -> Redactor:
    """Add secrets (a token, its encoded header) to this run's redactor and return it."""
    global _ACTIVE
    secrets = tuple(secrets)
    with _ACTIVE_LOCK:
        _ACTIVE = _ACTIVE.adding(secrets)
        current = _ACTIVE
    if current:
        _install_log_filter()
    return current


def start_run() -> None:
    """Forget the secrets of an earlier command run in this process (tests run many)."""
    global _ACTIVE
    with _ACTIVE_LOCK:
        _ACTIVE = Redactor()


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret of this run (and ``secrets``) hidden."""
    return protect(secrets)(text)


class _RedactingFilter:
    """A logging filter: every record's message and traceback pass the run's redactor,
    with control characters escaped (a server's reason phrase may hold ESC sequences)."""

    def filter(self, record: Any) -> bool:
        scrub = redactor()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log it as it is, but cleaned
            message = str(record.msg)
        record.msg, record.args = printable(scrub(message), limit=2000), None
        if record.exc_info and not record.exc_text:
            import logging

            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = printable(scrub(record.exc_text), keep_newlines=True)
        if record.stack_info:
            record.stack_info = printable(scrub(record.stack_info), keep_newlines=True)
        return True


_FILTER = _RedactingFilter()
_FILTERED_LOGGERS = ("ssoctl", "ssoctl.http", "ssoctl.sp", "ssoctl.okta", "urllib3",
                     "urllib3.connectionpool", "urllib3.connection", "urllib3.response",
                     "urllib3.util.retry")


_FILTER_LOCK = threading.Lock()


def _install_log_filter() -> None:
    """Attach the redacting filter to ssoctl's and urllib3's loggers (once). A logger's
    filter sees only records logged on that logger, hence the list."""
    import logging

    with _FILTER_LOCK:
        for name in _FILTERED_LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)


E = TypeVar("E", bound=SsoctlError)


def _fail(cls: type[E], message: str, *, hint: str = "", code: str, **extra: Any) -> E:
    """Every error this module raises is built here: redacted, control characters shown
    as escapes, server-supplied text kept short."""
    scrub = redactor()
    return cls(printable(scrub(message), limit=600), hint=printable(scrub(hint), limit=600),
               code=code, **extra)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")


def shown_url(url: str) -> str:
    """``url`` as a message may quote it: without user name, password, query and fragment
    (a pre-signed link's signature travels in its query), control characters escaped."""
    head = re.split(r"[?#]", url, maxsplit=1)[0]
    cut = head != url
    return printable(_USERINFO.sub(r"\1", head)) + ("?…" if cut else "")


def check_url(url: str, *, allow_http: bool = False) -> str:
    """Validate a URL before use: https, or http to loopback (or with ``allow_http``).

    Returns a warning text when plain http is allowed to a non-loopback host, else "".
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1/
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {shown_url(url)}", hint="give a full https:// URL",
                         code="BAD_URL")
    try:
        port = parts.port  # ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        port = 0
    if port == 0:
        raise UsageError(f"not a valid port in the URL: {shown_url(url)}",
                         hint="a port is a number from 1 to 65535, e.g. https://host:8443/",
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


#: Upper bound for a ``--ca-bundle`` file (the system's whole bundle is about 200 KiB).
MAX_CA_BUNDLE = 16 * 1024 * 1024


def checked_ca_bundle(path: str) -> str:
    """``path`` if it can serve as the CA file (or folder) TLS verification trusts: a
    readable file holding at least one PEM certificate, or a folder. Else a
    :class:`UsageError` (``CA_BUNDLE_UNREADABLE``) before any request: requests would
    report a missing file as a traceback and a wrong one as the server's TLS failure.
    Checked when a session is made; a file removed during a long run is this error too,
    when the request that needs it fails."""
    hint = ("give the CA certificate file in PEM form with --ca-bundle or the profile's "
            "ca_bundle, e.g. your proxy's root certificate (check it with `ssoctl check-cert FILE`)")
    target = os.path.expanduser(path)
    if os.path.isdir(target):
        return target
    try:
        with open(target, "rb") as handle:
            data = handle.read(MAX_CA_BUNDLE + 1)
    except FileNotFoundError:
        raise UsageError(f"the CA bundle {printable(path)} does not exist", hint=hint,
                         code="CA_BUNDLE_UNREADABLE") from None
    except OSError as exc:
        raise UsageError(f"cannot read the CA bundle {printable(path)}: "
                         f"{exc.strerror or exc}", hint=hint,
                         code="CA_BUNDLE_UNREADABLE") from None
    if len(data) > MAX_CA_BUNDLE or b"-----BEGIN CERTIFICATE-----" not in data:
        raise UsageError(f"the CA bundle {printable(path)} holds no PEM certificate",
                         hint=hint, code="CA_BUNDLE_UNREADABLE")
    return target


def make_session(settings: HttpSettings | None = None) -> "requests.Session":
    """A requests session with ssoctl's User-Agent and TLS policy. No adapters retry on
    their own: :func:`request` owns the retry loop so it can honour the deadline."""
    import requests

    settings = settings or HttpSettings()
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.verify = checked_ca_bundle(settings.ca_bundle) if settings.ca_bundle else True
    session.trust_env = True  # HTTPS_PROXY from the environment (corporate proxies)
    return session


@dataclass(frozen=True)
class Response:
    """An HTTP answer, read completely (up to the size limit) within the deadline."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    url: str
    content: bytes = b""
    body: "Iterator[bytes] | None" = field(default=None, compare=False, repr=False)
    """A streamed answer's body, chunk by chunk (``content`` stays empty); read it within
    the request's deadline, and close it (or :meth:`close` the response) when done."""

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not (or is nested absurdly deep)."""
        import json

        try:
            return json.loads(self.content)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None

    def close(self) -> None:
        """Stop a streamed body (the connection is closed); nothing to release otherwise:
        the connection was returned when the body was read."""
        close = getattr(self.body, "close", None)
        if close is not None:
            close()


class _DeadlinePassed(Exception):
    pass


class _PeerRefused(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _TooLarge(Exception):
    def __init__(self, declared: str | None) -> None:
        super().__init__(declared)
        self.declared = declared


class _Stopped(Exception):
    """The reader of a streamed body stopped reading (or the deadline passed)."""


def request(session: "requests.Session", method: str, url: str, *,
            settings: HttpSettings | None = None, secrets: Iterable[str | None] = (),
            headers: Mapping[str, str] | None = None, json: Any = None,
            data: bytes | None = None, max_bytes: int = MAX_RESPONSE_BYTES,
            what: str = "the answer", return_redirects: bool = False,
            until: float | None = None,
            allowed_peers: frozenset[str] | None = None, stream: bool = False) -> Response:
    """One HTTP call with timeouts, an overall deadline, retries (idempotent methods only)
    and no redirects.

    Returns the final response for any status < 300 or a non-retryable 4xx/5xx (the
    caller decides what a status means; :func:`raise_for_status` is the common mapping).
    A 3xx raises :class:`NetworkError` naming the redirect target (unless
    ``return_redirects``, used by :func:`fetch`, which checks each hop itself). ``until``
    (on ``settings.clock``) replaces the deadline, for a download over several hops.
    ``allowed_peers`` (address kinds, see :func:`address_kind`): the address actually
    connected to must be one of them, else nothing is read (a redirect hop's check
    against DNS answers that changed after :func:`check_redirect` looked).
    ``stream``: a 2xx answer comes back as soon as its headers are in, with its body in
    ``Response.body`` (read on within the same deadline, ``max_bytes`` counted as it
    arrives, errors translated like here); any other status is read whole (at most
    :data:`MAX_RESPONSE_BYTES`: it is only ever shown as a reason).
    """
    import requests

    settings = settings or HttpSettings()
    protect(secrets)
    method = method.upper()
    check_url(url, allow_http=settings.allow_http)
    _check_headers(headers)
    started = settings.clock()
    until = started + settings.deadline if until is None else until
    attempts = settings.retries + 1 if method in IDEMPOTENT else 1
    for attempt in range(1, attempts + 1):
        last = attempt == attempts
        try:
            _log().debug("%s %s (attempt %d)", method, url, attempt)
            resp = (_within_stream if stream else _within)(
                settings, until, _exchange, session, method, url, settings=settings,
                max_bytes=max_bytes, allowed_peers=allowed_peers, headers=headers, json=json,
                data=data)
        except _DeadlinePassed:
            raise _deadline_error(url, settings) from None
        except _PeerRefused as exc:
            raise _fail(NetworkError, f"{what}: the redirect to {_host(url)} reached a "
                        f"{exc.kind} address; nothing was read from it", hint="a download "
                        "never follows a redirect into a loopback, link-local or private "
                        "network; give such a URL directly",
                        code="HTTP_REDIRECT_PRIVATE") from None
        except _TooLarge as exc:
            announced = f" ({exc.declared} announced)" if exc.declared else ""
            raise _fail(InputError, f"{what} from {_host(url)} exceeds {max_bytes} bytes"
                        f"{announced}", hint="check the URL: the answer is far larger than "
                        "expected", code="INPUT_TOO_LARGE") from None
        except requests.exceptions.SSLError as exc:
            raise _tls_error(url, exc) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            if last or not _may_retry(settings, until, _backoff(settings, attempt)):
                raise _network_error(url, exc) from None
            settings.sleep(_backoff(settings, attempt))
            continue
        except (requests.exceptions.RequestException, ValueError) as exc:
            # ValueError: requests parses a redirect's Location even without following it,
            # and an unparsable one (``https://[::1/``) must not become a traceback.
            raise _fail(NetworkError, f"request to {_host(url)} failed: {_exception_text(exc)}",
                        hint="check the URL", code="HTTP_FAILED") from None
        _log().debug("-> %s %s", resp.status_code, resp.reason)  # the filter cleans it
        if 300 <= resp.status_code < 400 and not return_redirects:
            target = _location(url, resp)
            raise _fail(NetworkError, f"unexpected redirect ({resp.status_code}) to "
                        f"{_host(target)}", hint="check the base URL: API calls never follow "
                        "redirects", code="HTTP_REDIRECT")
        if resp.status_code in RETRY_STATUSES and not last:
            wait = _retry_after(resp, settings, attempt)
            if _may_retry(settings, until, wait):
                settings.sleep(wait)
                continue
        if isinstance(resp.body, _Handoff):
            import dataclasses

            return dataclasses.replace(resp, body=_TranslatedBody(
                resp.body, url, settings=settings, max_bytes=max_bytes, what=what))
        return resp
    raise AssertionError("unreachable")  # pragma: no cover


class _TranslatedBody:
    """A streamed body with the errors :func:`request` raises for a whole one. Nothing
    is retried once the body has begun (its reader has seen part of it). ``close()``
    stops the download whether or not reading began."""

    def __init__(self, body: "_Handoff", url: str, *, settings: HttpSettings, max_bytes: int,
                 what: str) -> None:
        self.body, self.url, self.settings = body, url, settings
        self.max_bytes, self.what = max_bytes, what
        self.received = 0

    def __iter__(self) -> "_TranslatedBody":
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self.body)
        except StopIteration:
            raise
        except Exception as exc:
            self.close()
            raise self._error(exc) from None
        self.received += len(chunk)
        return chunk

    def close(self) -> None:
        self.body.close()

    def _error(self, exc: Exception) -> Exception:
        import requests

        url, host = self.url, _host(self.url)
        if isinstance(exc, _DeadlinePassed):
            return _deadline_error(url, self.settings)
        if isinstance(exc, _TooLarge):
            return _fail(InputError, f"{self.what} from {host} exceeds {self.max_bytes} bytes",
                         hint="check the URL: the answer is far larger than expected",
                         code="INPUT_TOO_LARGE")
        if isinstance(exc, requests.exceptions.SSLError):
            return _tls_error(url, exc)
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            timeout = isinstance(exc, requests.exceptions.Timeout)
            why = ("no data within the read timeout" if timeout
                   else "the connection was closed or reset")
            return _fail(NetworkError, f"the download from {host} broke off after "
                         f"{self.received:,} bytes ({why})",
                         hint="try again; if it keeps breaking off, download the file with a "
                              "browser or curl and give its path",
                         code="HTTP_TIMEOUT" if timeout else "HTTP_CONNECT")
        if isinstance(exc, requests.exceptions.RequestException):
            return _fail(NetworkError, f"request to {host} failed: {_exception_text(exc)}",
                         hint="check the URL", code="HTTP_FAILED")
        return exc


def _check_headers(headers: Mapping[str, str] | None) -> None:
    """A header value with a line break (or NUL) would be refused by requests with the
    value in the message (the token!), or worse, split the request."""
    for name, value in (headers or {}).items():
        if any(char in str(value) for char in "\r\n\x00"):
            raise _fail(UsageError, f"the {name} header would contain a line break",
                        hint="check the token or value configured for it: it must be one "
                             "line of plain text", code="BAD_HEADER")


def _within(settings: HttpSettings, until: float, work: Callable[..., Any], /, *args: Any,
            **kwargs: Any) -> Any:
    """Run ``work`` in a helper thread and wait for it at most until ``until``.

    Socket timeouts bound each read, not their sum: a server that trickles one byte a
    second (or a slow DNS answer) never trips them. The helper thread is a daemon; when
    the deadline passes it is told to stop at its next chunk and left behind.
    """
    remaining = until - settings.clock()
    if remaining <= 0:
        raise _DeadlinePassed()
    box: dict[str, Any] = {}
    done = threading.Event()
    cancel = threading.Event()

    def run() -> None:
        try:
            box["value"] = work(*args, cancel=cancel, **kwargs)
        except BaseException as exc:  # handed to the waiting thread below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="ssoctl-http", daemon=True).start()
    try:
        finished = done.wait(remaining)
    finally:
        if not done.is_set():
            cancel.set()
    if not finished:
        raise _DeadlinePassed()
    if "error" in box:
        raise box["error"]
    return box["value"]


class _Handoff:
    """Between the thread reading a streamed answer and its reader: a small queue of
    ``(kind, value)`` items (``head``, ``chunk``, ``done``, ``error``), the stop signal,
    and the deadline on every wait of the reader."""

    def __init__(self, settings: HttpSettings, until: float) -> None:
        import queue

        self.items: "queue.Queue[tuple[str, Any]]" = queue.Queue(maxsize=STREAM_QUEUE)
        self.cancel = threading.Event()
        self.settings, self.until = settings, until
        self._lock = threading.Lock()
        self._interrupt: Callable[[], None] | None = None

    def on_stop(self, interrupt: Callable[[], None]) -> None:
        """What wakes the helper from a read that waits for the server (helper thread,
        once the connection is open); run at once when the reader has already stopped."""
        with self._lock:
            stopped = self.cancel.is_set()
            if not stopped:
                self._interrupt = interrupt
        if stopped:
            interrupt()

    def stop(self) -> None:
        """The reader stops: the helper gives up at once, even in the middle of a read
        that would otherwise wait until the read timeout (the reader's thread)."""
        with self._lock:
            self.cancel.set()
            interrupt, self._interrupt = self._interrupt, None
        if interrupt is not None:
            interrupt()

    def put(self, kind: str, value: Any) -> None:
        """Hand one item over, waiting while the queue is full (helper thread)."""
        import queue

        while not self.cancel.is_set():
            try:
                self.items.put((kind, value), timeout=0.05)
                return
            except queue.Full:
                continue
        raise _Stopped()

    def get(self) -> tuple[str, Any]:
        """The next item, or :class:`_DeadlinePassed` (the reader's thread)."""
        import queue

        remaining = self.until - self.settings.clock()
        try:
            if remaining <= 0:
                raise queue.Empty
            return self.items.get(timeout=remaining)
        except queue.Empty:
            self.stop()
            raise _DeadlinePassed() from None

    # The reader's side: the body as an iterator of chunks.
    def __iter__(self) -> "_Handoff":
        return self

    def __next__(self) -> bytes:
        if self.cancel.is_set():
            raise StopIteration
        kind, value = self.get()
        if kind == "chunk":
            return value
        self.close()
        if kind == "done":
            raise StopIteration
        raise value

    def close(self) -> None:
        """Stop: the helper gives up at once and closes the connection."""
        self.stop()


def _within_stream(settings: HttpSettings, until: float, work: Callable[..., Response], /,
                   *args: Any, **kwargs: Any) -> Response:
    """:func:`_within` for a streamed answer: the helper thread hands over the headers as
    soon as they are in and then the body, piece by piece, through a queue of at most
    :data:`STREAM_QUEUE` pieces; every wait of the reader is bounded by ``until``."""
    if until - settings.clock() <= 0:
        raise _DeadlinePassed()
    handoff = _Handoff(settings, until)

    def sink(item: Response | bytes) -> None:
        handoff.put("head" if isinstance(item, Response) else "chunk", item)

    def run() -> None:
        try:
            handoff.put("done", work(*args, cancel=handoff.cancel, sink=sink,
                                     on_stop=handoff.on_stop, **kwargs))
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the reader
            try:
                handoff.put("error", exc)
            except _Stopped:
                pass

    threading.Thread(target=run, name="ssoctl-http-stream", daemon=True).start()
    kind, value = handoff.get()
    if kind == "error":
        handoff.stop()
        raise value
    if kind == "done":
        return value
    import dataclasses

    return dataclasses.replace(value, body=handoff)


def _exchange(session: "requests.Session", method: str, url: str, *, settings: HttpSettings,
              max_bytes: int, cancel: threading.Event,
              allowed_peers: frozenset[str] | None = None,
              sink: Callable[[Response | bytes], None] | None = None,
              on_stop: Callable[[Callable[[], None]], None] | None = None,
              **kwargs: Any) -> Response:
    """Send one request and read its answer in chunks (stopping when told to). With
    ``sink``, a 2xx answer's headers and then its body go to ``sink`` as they arrive
    (in pieces of about :data:`STREAM_CHUNK`), and the answer returned has no content."""
    import dataclasses

    import requests
    import urllib3.exceptions as u3

    verify = session.verify  # checked when make_session built the session
    if settings.ca_bundle and verify is True:  # a session made without the settings
        verify = checked_ca_bundle(settings.ca_bundle)
    try:
        resp = session.request(method, url, timeout=settings.timeout, allow_redirects=False,
                               stream=True, verify=verify, **kwargs)
    except OSError as exc:
        # requests reports a CA bundle that went away during the run as a plain OSError
        # (its own errors are OSErrors too: those go on to the caller)
        if settings.ca_bundle and not isinstance(exc, requests.RequestException):
            checked_ca_bundle(settings.ca_bundle)  # raises CA_BUNDLE_UNREADABLE
        raise
    if on_stop is not None:
        on_stop(lambda: _interrupt(resp))
    try:
        if allowed_peers is not None:
            kind = _peer_kind(resp)
            if kind is not None and kind not in allowed_peers:
                raise _PeerRefused(kind)
        streaming = sink is not None and 200 <= resp.status_code < 300
        declared = resp.headers.get("Content-Length", "")
        if declared.isdecimal() and int(declared) > max_bytes and (streaming or sink is None):
            raise _TooLarge(declared)
        head = Response(status_code=resp.status_code, reason=resp.reason or "",
                        headers=resp.headers, url=resp.url or url)
        if streaming:
            sink(head)  # type: ignore[misc]
        # A streamed request's error page is only ever shown as a reason: read a little.
        keep = max_bytes if sink is None or streaming else MAX_RESPONSE_BYTES
        chunks: list[bytes] = []
        size = pending = 0
        if not 300 <= resp.status_code < 400:  # a redirect's body is never needed
            while not cancel.is_set():
                try:
                    chunk = resp.raw.read1(CHUNK, decode_content=True)
                except u3.ReadTimeoutError as exc:
                    raise requests.exceptions.ReadTimeout(str(exc)) from None
                except u3.SSLError as exc:
                    raise requests.exceptions.SSLError(str(exc)) from None
                except (u3.ProtocolError, OSError) as exc:
                    raise requests.exceptions.ConnectionError(str(exc)) from None
                except u3.HTTPError as exc:  # DecodeError and the like
                    raise requests.exceptions.ContentDecodingError(str(exc)) from None
                if not chunk:
                    break
                size += len(chunk)
                if size > keep:
                    if not streaming and sink is not None:
                        break
                    raise _TooLarge(None)
                chunks.append(chunk)
                pending += len(chunk)
                if streaming and pending >= STREAM_CHUNK:
                    sink(b"".join(chunks))  # type: ignore[misc]
                    chunks, pending = [], 0
            if cancel.is_set():
                raise _Stopped()
        if streaming:
            if chunks:
                sink(b"".join(chunks))  # type: ignore[misc]
            return head
        return dataclasses.replace(head, content=b"".join(chunks))
    finally:
        resp.close()


def _interrupt(resp: "requests.Response") -> None:
    """Wake a read another thread is blocked in on ``resp``'s connection: shut the socket
    down (closing a descriptor another thread reads from does not wake that read). The
    plain socket's ``shutdown`` is called on a TLS socket too: the TLS object's own would
    also drop its state while the other thread still uses it."""
    import socket

    connection = getattr(resp.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError, TypeError):  # already closed, or not a socket
        pass


def _peer_kind(resp: "requests.Response") -> str | None:
    """The kind of address the response came from, when the socket can tell."""
    connection = getattr(resp.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    try:
        return address_kind(str(sock.getpeername()[0])) if sock is not None else None
    except (OSError, ValueError, TypeError, IndexError):
        return None


def _deadline_error(url: str, settings: HttpSettings) -> NetworkError:
    return _fail(NetworkError, f"no complete answer from {_host(url)} within "
                 f"{settings.deadline:g} s (the time limit for one request)",
                 hint="the server is unreachable, very slow or sends its answer a trickle at a "
                      "time; check the host and your network", code="HTTP_TIMEOUT")


def raise_for_status(resp: Response, *, what: str, secrets: Iterable[str | None] = (),
                     auth_hint: str = "check the token and its permissions") -> None:
    """Map an error status to ssoctl's errors: 4xx -> exit 5, 5xx/429 -> exit 6."""
    protect(secrets)
    status = resp.status_code
    if status < 400:
        return
    reason = _server_reason(resp)
    detail = f": {reason}" if reason else ""
    if status in (401, 403):
        raise _fail(ApiRefusedError, f"{what}: access refused (HTTP {status}){detail}",
                    hint=auth_hint,
                    code="HTTP_UNAUTHORIZED" if status == 401 else "HTTP_FORBIDDEN",
                    status=status)
    if status == 404:
        raise _fail(ApiRefusedError, f"{what}: not found (HTTP 404) at {_host(resp.url)}",
                    hint="check the base URL and path", code="HTTP_NOT_FOUND", status=status)
    if status in (409, 412):
        raise _fail(ApiRefusedError, f"{what}: changed by someone else (HTTP {status}){detail}",
                    hint="run the command again to re-plan against the current state",
                    code="HTTP_CONFLICT", status=status)
    if status == 429 or status >= 500:
        raise _fail(NetworkError, f"{what}: server busy or failing (HTTP {status}) after "
                    f"retries{detail}", hint="try again later", code="HTTP_SERVER_ERROR")
    raise _fail(ApiRefusedError, f"{what}: request refused (HTTP {status}){detail}",
                hint="the server's reason is shown above", code="HTTP_REFUSED", status=status)


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
    """GET a document (e.g. IdP metadata), following at most ``max_redirects`` redirects
    (each checked by :func:`check_redirect`), reading at most ``max_bytes``, all within
    one ``settings.deadline``."""
    settings = settings or HttpSettings()
    session = make_session(settings)
    try:
        resp, final, hops, warnings = _follow(session, url, settings=settings,
                                              max_bytes=max_bytes, max_redirects=max_redirects,
                                              what=what, accept=accept, stream=False)
        return Fetched(url=url, final_url=final, data=resp.content,
                       content_type=resp.headers.get("Content-Type", ""),
                       redirects=hops, warnings=warnings)
    finally:
        session.close()


@dataclass(frozen=True)
class Streamed:
    """A document being downloaded by :func:`fetch_stream`: what :class:`Fetched` says,
    with the body as ``chunks`` instead of ``data``."""

    url: str
    final_url: str
    chunks: Iterator[bytes] = field(compare=False, repr=False)
    content_type: str = ""
    redirects: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@contextmanager
def fetch_stream(url: str, *, settings: HttpSettings | None = None, max_bytes: int,
                 max_redirects: int = 3, what: str = "document",
                 accept: str = "*/*") -> Iterator[Streamed]:
    """:func:`fetch` for a document too large to hold (a federation aggregate): the same
    request path (redirect checks, TLS, retries before the body begins, redaction) and
    the same single deadline over connecting, the headers and the whole body, but the
    body is handed over in chunks as it arrives, at most ``max_bytes`` in all, with a
    bounded amount of it in memory. Use as a context manager; leaving it early (the
    reader found what it wanted) stops the download and closes the connection.
    Errors while the body is read are :class:`NetworkError` (a deadline, a connection
    that broke off) or :class:`InputError` (``max_bytes`` passed), raised from ``chunks``.
    """
    settings = settings or HttpSettings()
    session = make_session(settings)
    try:
        resp, final, hops, warnings = _follow(session, url, settings=settings,
                                              max_bytes=max_bytes, max_redirects=max_redirects,
                                              what=what, accept=accept, stream=True)
        try:
            yield Streamed(url=url, final_url=final, chunks=resp.body or iter((resp.content,)),
                           content_type=resp.headers.get("Content-Type", ""),
                           redirects=hops, warnings=warnings)
        finally:
            resp.close()
    finally:
        session.close()


def _follow(session: "requests.Session", url: str, *, settings: HttpSettings, max_bytes: int,
            max_redirects: int, what: str, accept: str, stream: bool,
            ) -> tuple[Response, str, tuple[str, ...], tuple[str, ...]]:
    """GET ``url`` through at most ``max_redirects`` checked redirects: (the final answer,
    its URL, the hops, warnings). One deadline for all of it (and for a streamed body)."""
    warnings = [w for w in (check_url(url, allow_http=settings.allow_http),) if w]
    until = settings.clock() + settings.deadline
    current, hops = url, []
    peers: frozenset[str] | None = None  # the URL given: wherever it leads
    for _ in range(max_redirects + 1):
        resp = request(session, "GET", current, settings=settings, max_bytes=max_bytes,
                       what=what, headers={"Accept": accept}, return_redirects=True,
                       until=until, allowed_peers=peers, stream=stream)
        if 300 <= resp.status_code < 400 and resp.headers.get("Location"):
            target = _location(current, resp)
            warning = check_redirect(url, target, settings=settings, what=what,
                                     until=until)
            warnings += [warning] if warning else []
            hops.append(target)
            current = target
            peers = _allowed_peers(url, target, settings, until)
            continue
        try:
            raise_for_status(resp, what=f"downloading {what}")
        except SsoctlError:
            resp.close()
            raise
        return resp, current, tuple(hops), tuple(warnings)
    raise _fail(NetworkError, f"{what}: more than {max_redirects} redirects",
                hint="use the final URL directly", code="HTTP_TOO_MANY_REDIRECTS")


def _location(url: str, resp: Response) -> str:
    location = resp.headers.get("Location", "")
    try:
        return urljoin(url, location)
    except ValueError:
        raise _fail(NetworkError, f"request to {_host(url)} failed: the redirect target "
                    f"{location!r} is not a URL", hint="check the URL",
                    code="HTTP_FAILED") from None


# ---------------------------------------------------------------- redirects

ADDRESS_KINDS = ("loopback", "link-local", "private", "public")


def address_kind(ip: str) -> str:
    """``loopback`` (also ``0.0.0.0``/``::``, which reach this machine), ``link-local``
    (169.254.0.0/16 with cloud metadata services, fe80::/10), ``private`` (RFC 1918,
    unique-local, shared, reserved and every other non-global range) or ``public``.
    IPv4-mapped IPv6 addresses count as the IPv4 address they carry."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if not address.is_global or address.is_multicast:
        return "private"
    return "public"


def host_kinds(host: str | None, *, settings: HttpSettings | None = None,
               until: float | None = None) -> frozenset[str]:
    """The address kinds a host name stands for: a literal IP by itself, ``localhost``
    by name, anything else through the resolver (every address it returns). Empty when
    the name does not resolve (the request itself will then fail, or go through a proxy)."""
    settings = settings or HttpSettings()
    name = (host or "").strip("[]").rstrip(".").lower()
    if not name:
        return frozenset()
    if name == "localhost" or name.endswith(".localhost"):
        return frozenset({"loopback"})
    try:
        return frozenset({address_kind(name)})
    except ValueError:
        pass
    resolve = settings.resolve or _system_resolve
    until = settings.clock() + settings.deadline if until is None else until
    try:
        addresses = _within(settings, until, lambda cancel: list(resolve(name)))
    except _DeadlinePassed:
        raise _deadline_error(f"https://{name}/", settings) from None
    kinds = set()
    for address in addresses:
        try:
            kinds.add(address_kind(str(address)))
        except ValueError:
            continue
    return frozenset(kinds)


def _system_resolve(name: str) -> list[str]:
    import socket

    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def check_redirect(original: str, target: str, *, settings: HttpSettings | None = None,
                   what: str = "document", until: float | None = None) -> str:
    """Refuse a redirect hop that :func:`fetch` must not follow; return a warning or "".

    - never from https to plain http (a plain-http hop only when the original URL was
      plain http itself, and then under the same rules as the original);
    - never to a loopback, link-local or private address unless the original URL's host
      was already such an address of the same kind (an intranet IdP may redirect
      within the intranet; a public one may not send ssoctl to 127.0.0.1 or to a cloud
      metadata service at 169.254.169.254).
    """
    settings = settings or HttpSettings()
    source, parts = urlsplit(original), urlsplit(target)
    if parts.scheme != "https" and not (parts.scheme == "http" and source.scheme == "http"):
        raise _fail(NetworkError, f"{what}: redirect to non-https URL "
                    f"{_host(target)} refused (redirects are followed to https only)",
                    hint="use the https:// URL the IdP publishes", code="HTTP_REDIRECT")
    try:
        warning = check_url(target, allow_http=settings.allow_http)
    except UsageError as exc:
        raise _fail(NetworkError, f"{what}: redirect to {_host(target)} refused: "
                    f"{exc.message}", hint="use the URL the IdP publishes",
                    code="HTTP_REDIRECT") from None
    origin = host_kinds(source.hostname, settings=settings, until=until)
    kinds = host_kinds(parts.hostname, settings=settings, until=until)
    inside = sorted(kinds - {"public"} - origin, key=ADDRESS_KINDS.index)
    if inside:
        raise _fail(NetworkError, f"{what}: redirect from {_host(original)} to "
                    f"{_host(target)} refused: it points to a {inside[0]} address",
                    hint="a download never follows a redirect into a loopback, link-local "
                         "or private network; if that address is really the IdP, give "
                         "its URL directly", code="HTTP_REDIRECT_PRIVATE")
    return warning


def _allowed_peers(original: str, target: str, settings: HttpSettings,
                   until: float) -> frozenset[str] | None:
    """What the connection of a redirect hop may reach: public addresses and the kinds the
    original URL's host has. None (no check) when a proxy carries the request: the socket
    then leads to the proxy, not to the target."""
    from requests.utils import get_environ_proxies

    if get_environ_proxies(target):
        return None
    origin = host_kinds(urlsplit(original).hostname, settings=settings, until=until)
    return frozenset({"public"}) | origin


def _may_retry(settings: HttpSettings, until: float, wait: float) -> bool:
    return settings.clock() + wait <= until


def _backoff(settings: HttpSettings, attempt: int) -> float:
    return settings.backoff * (2 ** (attempt - 1))


def _retry_after(resp: Response, settings: HttpSettings, attempt: int) -> float:
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
    """The host (and port) of a URL, for a message; :func:`_fail` cleans and cuts it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return parts.netloc.rsplit("@", 1)[-1] or url


def _server_reason(resp: Response) -> str:
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
            return str(first.get("detail") or first.get("title") or "")
        for key in ("errorSummary", "message", "error_description", "error", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
    return ""  # (cut to length by _fail, after redaction: a cut must not split a secret)


#: A URL in a library's exception text: its user information and its query or fragment
#: are cut (a pre-signed link carries its signature there, a URL its password).
_URL_IN_TEXT = re.compile(
    r"(?i)\b([a-z][a-z0-9+.-]*://)(?:[^\s/?#@'\"]*@)?([^\s?#'\"]*)([?#][^\s'\"]*)?")


_PATH_IN_TEXT = re.compile(r"(\burl: /[^\s?#'\"]*)[?#][^\s'\"]*")


def _exception_text(exc: BaseException) -> str:
    """``str(exc)`` of a requests or urllib3 error without what a URL in it may carry
    besides scheme, host and path: requests puts the whole URL into some messages
    ("Failed to parse: https://...?X-Amz-Signature=...", "Invalid URL ...")."""
    text = _URL_IN_TEXT.sub(
        lambda m: m.group(1) + m.group(2) + ("?…" if m.group(3) else ""), str(exc))
    return _PATH_IN_TEXT.sub(r"\1?…", text)  # urllib3: "... with url: /path?query ..."


def _tls_error(url: str, exc: Exception) -> NetworkError:
    text = str(exc)
    reason = "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in text else "TLS handshake failed"
    lowered = text.lower()
    if "hostname" in lowered or "doesn't match" in lowered or "mismatch" in lowered:
        reason = "certificate does not match the host name"
    elif "expired" in lowered:
        reason = "certificate has expired"
    return _fail(NetworkError, f"TLS error talking to {_host(url)}: {reason}",
                 hint="behind a corporate proxy? pass its CA with --ca-bundle; "
                      "TLS verification cannot be turned off",
                 code="TLS_ERROR")


def _network_error(url: str, exc: Exception) -> NetworkError:
    import requests

    if isinstance(exc, requests.exceptions.Timeout):
        return _fail(NetworkError, f"timed out talking to {_host(url)}",
                     hint="check the host and your network, or raise the timeout",
                     code="HTTP_TIMEOUT")
    return _fail(NetworkError, f"cannot connect to {_host(url)}",
                 hint="check the URL, DNS, proxy settings (HTTPS_PROXY) and firewall",
                 code="HTTP_CONNECT")
