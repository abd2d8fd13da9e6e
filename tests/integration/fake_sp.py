"""A fake SP implementing ssoctl's SSO-settings contract (docs/sp-api.md), with faults.

It runs on a real local HTTP(S) server (pytest-httpserver, threaded so a slow answer does
not block the next request), keeps state between requests, checks the token, sends ETags
and honours If-Match, and can be told to misbehave: answer with a status (optionally after
applying the write), drop writes, mangle writes, hang, reset the connection, redirect, or
let another editor change the settings just before a request is answered (``race``: the
version moves on, so ssoctl's ``If-Match`` no longer matches and a PUT gets 412).

``shape="rest"`` serves the same state in another JSON layout, for the ``rest`` target.
"""

from __future__ import annotations

import atexit
import base64
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ssoctl.rehearsal import fakesp

TOKEN_ID = "token-T3ST01"
TOKEN = "5e3c1d2a-9b7f-4c61-8d0e-SECRETTOKEN42"
PATH = "/v2/sso/settings"
REST_PATH = "/api/saml-config"


@dataclass
class Fault:
    method: str
    kind: str  # status | drop | mangle | hang | reset | redirect | race
    times: int = 1
    status: int = 500
    apply: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 1.0
    values: dict[str, Any] = field(default_factory=dict)
    """race: what the other editor writes."""
    after: int = 0
    """Let this many matching requests pass before the fault fires."""


class FakeSp:
    """State plus a request handler; see the module docstring."""

    def __init__(self, server: HTTPServer, *, shape: str = "contract", etags: bool = True,
                 scheme: str = "basic", prefix: str | None = None) -> None:
        self.server = server
        self.shape = shape
        self.etags = etags
        self.scheme = scheme
        self.state: dict[str, Any] = {"sso_url": None, "idp_entity_id": None,
                                      "certificate": None, "enabled": False}
        self.version = 1
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, Any, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.prefix = prefix or ("/api" if shape == "rest" else "/v2")
        self.path = self.prefix + (REST_PATH.removeprefix("/api") if shape == "rest"
                                   else PATH.removeprefix("/v2"))
        server.expect_request(self.path).respond_with_handler(self.handle)

    # -- test API
    @property
    def url(self) -> str:
        return self.server.url_for(self.prefix)

    def set(self, **values: Any) -> None:
        self.state.update(values)
        self.version += 1

    def fault(self, method: str, kind: str, **kw: Any) -> None:
        self.faults.append(Fault(method=method, kind=kind, **kw))

    def count(self, method: str) -> int:
        return sum(1 for m, _, _ in self.requests if m == method)

    def writes(self) -> list[Any]:
        return [body for m, body, _ in self.requests if m in ("PUT", "POST", "PATCH")]

    # -- server side
    def handle(self, request: Request) -> Response:
        body = request.get_data(as_text=True)
        parsed = json.loads(body) if body else None
        with self.lock:
            self.requests.append((request.method, parsed, dict(request.headers)))
        if not self._authorized(request):
            return _errors(401, "Unauthorized", "invalid credentials")
        fault = self._take_fault(request.method)
        if fault is not None:
            answer = self._fault(fault, request, parsed)
            if answer is not None:
                return answer
        if request.method == "GET":
            return self._get()
        return self._write(request, parsed)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.scheme == "bearer":
            return header == f"Bearer {TOKEN}"
        expected = base64.b64encode(f"{TOKEN_ID}:{TOKEN}".encode()).decode()
        return header == f"Basic {expected}"

    def _take_fault(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and fault.times != 0:
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    return fault
        return None

    def _fault(self, fault: Fault, request: Request, parsed: Any) -> Response | None:
        if fault.kind == "status":
            if fault.apply and parsed is not None:
                self._store(parsed)
            return _errors(fault.status, "Error", "injected fault", headers=fault.headers)
        if fault.kind == "drop":
            return Response(status=204)
        if fault.kind == "mangle":
            self._store(parsed)
            self.state["sso_url"] = (self.state["sso_url"] or "") + "/mangled"
            return Response(status=204)
        if fault.kind == "hang":  # the client has given up by now; nothing is stored
            time.sleep(fault.seconds)
            return Response(status=503)
        if fault.kind == "reset":
            if fault.apply and parsed is not None:
                self._store(parsed)
            # Drop the connection without an answer (the client sees it as a reset).
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            return Response(status=500)
        if fault.kind == "race":  # someone else saves first; then answer as usual
            with self.lock:
                self.state.update(fault.values)
                self.version += 1
            return None
        if fault.kind == "redirect":
            return Response(status=fault.status, headers={"Location": "https://elsewhere.example.test/x"})
        raise AssertionError(fault.kind)

    def _get(self) -> Response:
        doc = self._doc()
        headers = {"ETag": f'"v{self.version}"'} if self.etags else {}
        return Response(json.dumps(doc), status=200, headers=headers,
                        content_type="application/json")

    def _write(self, request: Request, parsed: Any) -> Response:
        if request.method != ("PUT" if self.shape == "contract" else "POST"):
            return _errors(405, "Method Not Allowed", request.method)
        match = request.headers.get("If-Match")
        if self.etags and match and match != f'"v{self.version}"':
            return _errors(412, "Precondition Failed", "settings changed")
        problem = self._invalid(parsed)
        if problem:
            return _errors(422, "Unprocessable Entity", problem, pointer=f"/{problem.split()[0]}")
        self._store(parsed)
        return Response(status=204)

    def _invalid(self, parsed: Any) -> str:
        values = self._values(parsed) if isinstance(parsed, dict) else None
        if values is None or set(values) != {"sso_url", "idp_entity_id", "certificate", "enabled"}:
            return "body must carry all four fields"
        if not isinstance(values["enabled"], bool):
            return "enabled must be a boolean"
        return ""

    def _store(self, parsed: Any) -> None:
        with self.lock:
            self.state.update(self._values(parsed))
            self.version += 1

    def _values(self, parsed: dict[str, Any]) -> dict[str, Any]:
        if self.shape == "contract":
            return parsed
        saml = parsed.get("saml", {})
        return {"sso_url": saml.get("loginUrl"), "idp_entity_id": saml.get("issuer"),
                "certificate": saml.get("x509"), "enabled": parsed.get("active")}

    def _doc(self) -> dict[str, Any]:
        if self.shape == "contract":
            return dict(self.state)
        s = self.state
        return {"id": 7, "active": s["enabled"],
                "saml": {"loginUrl": s["sso_url"], "issuer": s["idp_entity_id"],
                         "x509": s["certificate"]}}


def _errors(status: int, title: str, detail: str, *, pointer: str = "",
            headers: dict[str, str] | None = None) -> Response:
    """sipgate's error shape, built by the runnable fake SP's own helper."""
    status, head, body = fakesp.error(status, title, detail, pointer=pointer, headers=headers)
    return Response(body, status=status, headers=head, content_type="application/json")


_SHARED: list[HTTPServer] = []


def _shared_server() -> HTTPServer:
    """One threaded server for the whole session: stopping one costs 0.5 s (werkzeug's
    poll interval), which per test made these tests sleep more than they worked."""
    if not _SHARED or not _SHARED[0].is_running():
        server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        server.start()
        atexit.register(server.stop)
        _SHARED[:] = [server]
    return _SHARED[0]


@pytest.fixture
def sp_server():
    server = _shared_server()
    server.clear()  # handlers of earlier tests (and their FakeSp state) are gone
    yield server
    server.clear()


@pytest.fixture
def fake_sp(sp_server):
    return FakeSp(sp_server)


@pytest.fixture
def fake_rest_sp(sp_server):
    return FakeSp(sp_server, shape="rest", scheme="bearer")
