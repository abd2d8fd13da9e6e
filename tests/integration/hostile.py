"""A hostile HTTP(S) server on 127.0.0.1 for the network items of docs/threat-model.md.

pytest-httpserver (werkzeug) is too well-behaved for these tests: it will not trickle a
body a byte at a time, send a reason phrase with an escape sequence, announce one length
and send another, or keep a connection open forever. This server speaks HTTP/1.1 over a
raw socket, so a test scripts every byte: a route is a function that gets the parsed
request and a :class:`Wire` to write to.

Every connection is tracked and closed when the server stops, so a client thread that
was abandoned at its deadline is released too.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Wire:
    """The client connection, for a route to answer on."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.stopping = stopping
        self.sent = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sent += len(data)

    def head(self, status: int, reason: str = "OK", headers: dict[str, str] | None = None,
             *, length: int | None = None) -> None:
        """Status line and headers, sent as latin-1 exactly as given (no checks)."""
        lines = [f"HTTP/1.1 {status} {reason}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if length is not None:
            lines.append(f"Content-Length: {length}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def answer(self, status: int, body: bytes = b"", reason: str = "OK",
               headers: dict[str, str] | None = None) -> None:
        self.head(status, reason, headers, length=len(body))
        self.send(body)

    def trickle(self, data: bytes, *, every: float) -> None:
        """Send ``data`` one byte at a time, ``every`` seconds apart, until the server
        stops or the client leaves."""
        for index in range(len(data)):
            if self.stopping.wait(every):
                return
            self.send(data[index:index + 1])


Route = Callable[[Request, Wire], None]


@dataclass
class HostileServer:
    """Start with :meth:`start`; ``routes`` maps a path (without query) to a :data:`Route`."""

    tls: ssl.SSLContext | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self.port = self._listener.getsockname()[1]

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str) -> Callable[[Route], Route]:
        def add(func: Route) -> Route:
            self.routes[path] = func
            return func
        return add

    def start(self) -> "HostileServer":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def hits(self, path: str) -> int:
        return sum(1 for r in self.log if r.path.split("?", 1)[0] == path)

    # -- server side
    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._open.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
                with self._lock:
                    self._open.append(sock)
            reader = sock.makefile("rb")
            while not self._stopping.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                self.log.append(request)
                route = self.routes.get(request.path.split("?", 1)[0])
                wire = Wire(sock, self._stopping)
                if route is None:
                    wire.answer(404, b"", "Not Found", {"Connection": "close"})
                    return
                route(request, wire)
                if request.headers.get("connection", "").lower() == "close":
                    return
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                sock.close()
            except OSError:
                pass


def _read_request(reader) -> Request | None:
    line = reader.readline(65536)
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65536)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = reader.read(length) if length else b""
    return Request(method, path, headers, body)


# ---------------------------------------------------------------- ready-made answers

def json_body(doc) -> bytes:
    return json.dumps(doc).encode()


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of the size)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def wait_until(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
