"""A local SP that implements ssoctl's SSO-settings contract (docs/sp-api.md), for rehearsals.

sipgate publishes no SSO settings API, so an admin cannot try ``ssoctl push`` against
sipgate itself. This small server keeps one account's settings in memory and answers
exactly as the contract says: GET and PUT on ``/v2/sso/settings``, an ``ETag`` on every
read, ``If-Match`` honoured (412), 401 for a wrong token, 422 for a body it cannot store,
errors in sipgate's ``{"errors": [...]}`` shape, never a redirect. ::

    export SSOCTL_TOKEN_ID=token-DEMO01 SSOCTL_TOKEN=any-long-random-text
    ssoctl rehearse sp            # http://127.0.0.1:8088/v2/sso/settings

It accepts ``Basic base64(SSOCTL_TOKEN_ID:SSOCTL_TOKEN)`` or ``Bearer SSOCTL_TOKEN`` — the
same variables ``ssoctl push`` reads — and makes up a token (printed once, it protects
nothing real) when they are not set. ``--fault`` rehearses what ssoctl does when an SP
misbehaves: ``drop-writes`` (accepts a PUT but keeps nothing: push rolls back, exit 7),
``reject-writes`` (422 with a reason: exit 5), ``busy`` (the first answer is 503 with
``Retry-After: 1``: retried), ``concurrent-edit`` (a colleague saves other settings just
before ssoctl's first PUT arrives: the PUT's If-Match fails with 412, and ssoctl stops with
exit 5 without writing over the colleague's change). Request lines go to stderr, never a
header.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import os
import secrets
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Mapping, NamedTuple, Sequence

from ssoctl.files import load_json

FIELDS = ("sso_url", "idp_entity_id", "certificate", "enabled")
DEFAULT_PATH = "/v2/sso/settings"
DEFAULT_TOKEN_ID = "token-DEMO01"
FAULTS = ("drop-writes", "reject-writes", "busy", "concurrent-edit")
COLLEAGUE_SSO_URL = "https://colleague.example.test/sso/saml"
MAX_BODY = 1024 * 1024

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class ContractSp:
    """One account's SSO settings and the contract's rules, independent of any server.

    :meth:`handle` turns (method, path, headers, body) into (status, headers, body), so the
    same logic runs behind the stdlib server here and behind test servers.
    """

    token: str
    token_id: str = DEFAULT_TOKEN_ID
    path: str = DEFAULT_PATH
    faults: frozenset[str] = frozenset()
    settings: dict[str, Any] = field(default_factory=lambda: {
        "sso_url": None, "idp_entity_id": None, "certificate": None, "enabled": False})
    version: int = 1
    _busy_sent: bool = False
    _edited: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    def authorized(self, header: str) -> bool:
        """Basic ``token_id:token`` or Bearer ``token``, compared in constant time."""
        pair = base64.b64encode(f"{self.token_id}:{self.token}".encode()).decode()
        return any(hmac.compare_digest(header.encode(), ok.encode())
                   for ok in (f"Basic {pair}", f"Bearer {self.token}"))

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request as the contract says."""
        if path.split("?", 1)[0] != self.path:
            return error(404, "Not Found", f"no resource at {path}; the contract is at {self.path}")
        if not self.authorized(headers.get("Authorization", "")):
            return error(401, "Unauthorized", "invalid credentials")
        with self._lock:
            if "busy" in self.faults and not self._busy_sent:
                self._busy_sent = True
                return error(503, "Service Unavailable", "busy, try again",
                             headers={"Retry-After": "1"})
            if method == "GET":
                return 200, {"ETag": self.etag}, json.dumps(self.settings).encode()
            if method == "PUT":
                return self._put(headers, body)
        return error(405, "Method Not Allowed", f"{method} is not part of the contract",
                     headers={"Allow": "GET, PUT"})

    def _put(self, headers: Mapping[str, str], body: bytes) -> Answer:
        if "concurrent-edit" in self.faults and not self._edited:
            self._edited = True  # someone else saves first, once
            self.settings = {**self.settings, "sso_url": COLLEAGUE_SSO_URL}
            self.version += 1
        match = headers.get("If-Match")
        if match and match != self.etag:
            return error(412, "Precondition Failed",
                         "the settings changed since they were read; read them again")
        try:
            doc = load_json(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):  # TooDeep is a ValueError
            return error(400, "Bad Request", "the body is not JSON")
        problem, pointer = invalid(doc)
        if not problem and "reject-writes" in self.faults:
            problem, pointer = "this account may not use SSO (rehearsal fault)", "/enabled"
        if problem:
            return error(422, "Unprocessable Entity", problem, pointer=pointer)
        if "drop-writes" not in self.faults:
            self.settings = {name: doc[name] for name in FIELDS}  # type: ignore[index]
            self.version += 1
        return 204, {}, b""


def invalid(doc: Any) -> tuple[str, str]:
    """Why a PUT body cannot be stored (and the JSON pointer of the field), or ``("", "")``."""
    if not isinstance(doc, dict) or set(doc) != set(FIELDS):
        return "the body must be an object with exactly " + ", ".join(FIELDS), ""
    for name in FIELDS[:3]:
        if doc[name] is not None and not isinstance(doc[name], str):
            return f"{name} must be a string or null", f"/{name}"
    if not isinstance(doc["enabled"], bool):
        return "enabled must be true or false", "/enabled"
    url = doc["sso_url"]
    if url and not url.startswith("https://"):
        return "sso_url must be an https:// URL", "/sso_url"
    cert = doc["certificate"]
    if cert and "-----BEGIN CERTIFICATE-----" not in cert:
        return "certificate is not a PEM certificate", "/certificate"
    if doc["enabled"] and not all(doc[name] for name in FIELDS[:3]):
        return "SSO cannot be enabled with empty settings", "/enabled"
    return "", ""


def error(status: int, title: str, detail: str, *, pointer: str = "",
          headers: dict[str, str] | None = None) -> Answer:
    """An error answer in sipgate's REST error shape."""
    item: dict[str, Any] = {"status": str(status), "title": title, "detail": detail}
    if pointer:
        item["source"] = {"pointer": pointer}
    return status, dict(headers or {}), json.dumps({"errors": [item]}).encode()


def _handler(sp: ContractSp, log: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ssoctl-fakesp"
        protocol_version = "HTTP/1.1"  # keep-alive, as a real API; every answer has a length

        def _answer(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                status, headers, payload = error(413, "Content Too Large", "body too large")
            else:
                body = self.rfile.read(length)
                status, headers, payload = sp.handle(self.command, self.path,
                                                     dict(self.headers.items()), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            # Only the request line and status; headers (with the token) are never logged.
            log.write(f"fakesp: {self.address_string()} {format % args}\n")
            log.flush()

    return Handler


def serve(sp: ContractSp, *, host: str = "127.0.0.1", port: int = 8088,
          log: Any = None) -> ThreadingHTTPServer:
    """A started-on-demand server (call ``serve_forever`` or run it in a thread)."""
    server = ThreadingHTTPServer((host, port), _handler(sp, log or sys.stderr))
    server.daemon_threads = True
    return server


class Started(NamedTuple):
    """A fake SP listening, not yet serving: where it is and how to reach it."""

    server: ThreadingHTTPServer
    sp: ContractSp
    base_url: str
    """What a profile's ``base_url`` must be."""
    path: str
    """What a profile's ``path`` must be."""
    token_id: str
    made_up_token: str | None
    """The token when none was given (``SSOCTL_TOKEN`` unset): shown once to the user."""


def start(*, port: int = 8088, path: str = DEFAULT_PATH, faults: Sequence[str] = (),
          token: str | None = None, token_id: str | None = None) -> Started:
    """Listen on 127.0.0.1:``port`` (0: any free port). Raises ``OSError`` when the port
    cannot be used. Without ``token`` a random one is made up (and returned once)."""
    path = "/" + path.lstrip("/")  # where a profile's path (joined with one slash) leads
    made_up = None if token else secrets.token_hex(16)
    sp = ContractSp(token=token or made_up or "", token_id=token_id or DEFAULT_TOKEN_ID,
                    path=path, faults=frozenset(faults))
    server = serve(sp, host="127.0.0.1", port=port)
    host, bound = str(server.server_address[0]), server.server_address[1]
    base, where = f"http://{host}:{bound}", path
    if path == DEFAULT_PATH:  # the sipgate target's default path, under /v2
        base, where = base + "/v2", "/sso/settings"
    return Started(server, sp, base, where, sp.token_id, made_up)


def describe(started: Started) -> str:
    """What to tell the user once the fake SP listens (for stderr)."""
    lines = []
    if started.made_up_token:
        lines += ["SSOCTL_TOKEN is not set; this fake SP accepts a made-up token:",
                  f"  export SSOCTL_TOKEN_ID={started.token_id} "
                  f"SSOCTL_TOKEN={started.made_up_token}"]
    lines += [f"fake SP (ssoctl's SSO-settings contract) on {started.base_url}{started.path}",
              f"  profile: base_url = {started.base_url}  path = {started.path}  "
              f"token id = {started.token_id}"]
    if started.sp.faults:
        lines.append(f"  faults: {', '.join(sorted(started.sp.faults))}")
    lines.append("  Ctrl-C stops it; the settings live in memory only.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ssoctl.rehearsal.fakesp`` (the same as ``ssoctl rehearse sp``)."""
    parser = argparse.ArgumentParser(
        prog="python -m ssoctl.rehearsal.fakesp",
        description="A local SP implementing ssoctl's SSO-settings contract, to rehearse "
                    "`ssoctl push` and `ssoctl rollback` (the same as `ssoctl rehearse sp`). "
                    "Not sipgate: sipgate publishes no SSO settings API.")
    parser.add_argument("--port", type=int, default=8088, help="port (default 8088; 0 = any)")
    parser.add_argument("--path", default=DEFAULT_PATH, help=f"resource path (default "
                                                             f"{DEFAULT_PATH})")
    parser.add_argument("--fault", action="append", choices=FAULTS, default=[],
                        help="misbehave to rehearse failures (repeatable)")
    args = parser.parse_args(argv)
    if any(char in args.path for char in "?#"):
        parser.error(f"--path {args.path!r} is a path only: no '?' query or '#' fragment")
    try:
        started = start(port=args.port, path=args.path, faults=args.fault,
                        token=os.environ.get("SSOCTL_TOKEN", "").strip() or None,
                        token_id=os.environ.get("SSOCTL_TOKEN_ID", "").strip() or None)
    except OSError as exc:
        print(f"fakesp: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    print(describe(started), end="", file=sys.stderr, flush=True)
    try:
        started.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        started.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
