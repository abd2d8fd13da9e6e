"""Real local servers on 127.0.0.1: plain HTTP (pytest-httpserver) and HTTPS (trustme)."""

from __future__ import annotations

import ssl

import pytest
from pytest_httpserver import HTTPServer


def _tls_server(ca, *hostnames):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*hostnames).configure_cert(ctx)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=ctx)
    server.start()
    return server


@pytest.fixture
def https_server(ca):
    """An HTTPS server on 127.0.0.1 whose certificate the ``ca_bundle`` trusts."""
    server = _tls_server(ca, "127.0.0.1", "localhost")
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def wrong_host_server(ca):
    """HTTPS on 127.0.0.1 with a certificate for another host name."""
    server = _tls_server(ca, "idp.example.test")
    yield server
    server.stop()


@pytest.fixture
def hostile():
    """A scriptable, misbehaving plain-HTTP server on 127.0.0.1 (tests/integration/hostile.py)."""
    from .hostile import HostileServer

    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def hostile_tls(ca):
    """The same over TLS, with a certificate for 127.0.0.1 that ``ca_bundle`` trusts."""
    from .hostile import HostileServer

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    server = HostileServer(tls=ctx).start()
    yield server
    server.stop()
