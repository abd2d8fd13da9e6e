"""ssoctl.http against a hostile server (docs/threat-model.md, "Network"): trickled answers
meet the deadline, huge and compressed answers meet the size limit, redirects cannot lead
to plain http or into internal networks, and nothing a server sends reaches a message raw."""

from __future__ import annotations

import json
import time

import pytest

from ssoctl import http
from ssoctl.errors import InputError, NetworkError, UsageError

from .hostile import gzip_bomb, json_body, wait_until

BODY = b"<md>" + b"x" * 200 + b"</md>"


def _settings(**kw):
    values = dict(connect_timeout=2.0, read_timeout=2.0, retries=0, deadline=1.0)
    values.update(kw)
    return http.HttpSettings(**values)


PUBLIC = "93.184.216.34"


def _get(url, **kw):
    return http.request(http.make_session(), "GET", url, settings=_settings(**kw))


# ---------------------------------------------------------------- 1. the deadline

@pytest.mark.parametrize("shape", ["length", "chunked", "headers"])
def test_a_trickled_answer_stops_at_the_deadline(hostile, shape):
    """One byte every 0.2 s never trips the 2 s read timeout; the 1 s deadline stops it."""
    @hostile.route("/slow")
    def slow(request, wire):
        if shape == "headers":
            wire.trickle(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"p" * 200 + b"\r\n\r\n", every=0.2)
        elif shape == "chunked":
            wire.head(200, headers={"Transfer-Encoding": "chunked"})
            for _ in range(200):
                wire.trickle(b"1\r\nx\r\n", every=0.04)
        else:
            wire.head(200, length=len(BODY))
            wire.trickle(BODY, every=0.2)

    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        _get(hostile.url("/slow"))
    assert info.value.code == "HTTP_TIMEOUT"
    assert "within 1 s" in info.value.message
    assert time.monotonic() - started < 6  # a guard against hanging, not a measurement


def test_the_deadline_covers_a_whole_download_with_redirects(hostile):
    """fetch() has one deadline for all hops: each hop answering just in time does not
    reset it."""
    for hop in range(4):
        @hostile.route(f"/hop{hop}")
        def redirect(request, wire, hop=hop):
            time.sleep(0.4)
            wire.answer(302, headers={"Location": f"/hop{hop + 1}"})

    @hostile.route("/hop4")
    def final(request, wire):
        wire.answer(200, BODY)

    with pytest.raises(NetworkError) as info:
        http.fetch(hostile.url("/hop0"), max_bytes=1000, max_redirects=5,
                   settings=_settings(deadline=1.0))
    assert info.value.code == "HTTP_TIMEOUT"
    assert hostile.hits("/hop4") == 0


def test_the_deadline_uses_the_injected_clock(hostile):
    """A deadline already used up (on the injected clock) sends nothing at all."""
    ticks = iter([0.0])  # the request starts at 0; every later look at the clock says 100
    hostile.route("/x")(lambda request, wire: wire.answer(200, b"ok"))
    settings = _settings(deadline=10.0, clock=lambda: next(ticks, 100.0))
    with pytest.raises(NetworkError) as info:
        http.request(http.make_session(), "GET", hostile.url("/x"), settings=settings)
    assert info.value.code == "HTTP_TIMEOUT" and hostile.hits("/x") == 0


def test_an_abandoned_request_stops_reading(hostile):
    """After the deadline the helper thread gives up at the next byte, it does not read on."""
    @hostile.route("/slow")
    def slow(request, wire):
        wire.head(200, length=len(BODY))
        wire.trickle(BODY, every=0.1)
        slow.sent = wire.sent

    with pytest.raises(NetworkError):
        _get(hostile.url("/slow"), deadline=0.5)
    # the server notices the client leaving: its trickle ends early (broken pipe) or
    # finishes; either way, the client no longer holds a reader
    assert wait_until(lambda: not any(t.name == "ssoctl-http" and t.is_alive()
                                      for t in __import__("threading").enumerate()), 8)


# ---------------------------------------------------------------- size and shape

def test_a_huge_announced_body_is_refused_before_reading(hostile):
    @hostile.route("/big")
    def big(request, wire):
        wire.head(200, length=50 * 1024 * 1024)
        wire.send(b"x" * 1000)

    with pytest.raises(InputError) as info:
        http.fetch(hostile.url("/big"), max_bytes=10_000, settings=_settings())
    assert info.value.code == "INPUT_TOO_LARGE" and "announced" in info.value.message


def test_a_huge_unannounced_body_is_cut_at_the_limit(hostile):
    @hostile.route("/big")
    def big(request, wire):
        wire.head(200, headers={"Connection": "close"})
        for _ in range(64):
            wire.send(b"x" * 65536)

    with pytest.raises(InputError) as info:
        _get(hostile.url("/big"), deadline=5.0)
    assert info.value.code == "INPUT_TOO_LARGE"


def test_a_compressed_bomb_is_measured_after_decompression(hostile):
    bomb = gzip_bomb(20 * 1024 * 1024)
    assert len(bomb) < 100_000

    @hostile.route("/bomb")
    def send(request, wire):
        wire.answer(200, bomb, headers={"Content-Encoding": "gzip"})

    with pytest.raises(InputError) as info:
        http.fetch(hostile.url("/bomb"), max_bytes=http.MAX_RESPONSE_BYTES,
                   settings=_settings(deadline=5.0))
    assert info.value.code == "INPUT_TOO_LARGE"


def test_json_nested_absurdly_deep_is_not_json(hostile):
    hostile.route("/deep")(lambda request, wire: wire.answer(200, b"[" * 200_000))
    with pytest.raises(ValueError):
        _get(hostile.url("/deep")).json()


def test_a_body_shorter_than_announced_is_a_network_error(hostile):
    @hostile.route("/short")
    def short(request, wire):
        wire.head(200, headers={"Connection": "close"}, length=1000)
        wire.send(b"only this")
        wire.sock.shutdown(__import__("socket").SHUT_RDWR)

    with pytest.raises(NetworkError) as info:
        _get(hostile.url("/short"))
    assert info.value.code in ("HTTP_CONNECT", "HTTP_FAILED")


# ---------------------------------------------------------------- 2. redirects

def test_https_to_plain_http_on_this_machine_is_refused(hostile_tls, hostile, ca_bundle):
    """The SSRF the outside test found: https metadata URL -> http://127.0.0.1/internal-admin."""
    hostile.route("/internal-admin")(lambda request, wire: wire.answer(200, b"secret admin"))
    hostile_tls.route("/md")(lambda request, wire: wire.answer(
        302, headers={"Location": hostile.url("/internal-admin")}))
    with pytest.raises(NetworkError) as info:
        http.fetch(hostile_tls.url("/md"), max_bytes=1000,
                   settings=_settings(ca_bundle=ca_bundle))
    assert info.value.code == "HTTP_REDIRECT" and "non-https" in info.value.message
    assert hostile.hits("/internal-admin") == 0


def test_https_to_a_link_local_address_is_refused_without_connecting(hostile_tls, ca_bundle):
    hostile_tls.route("/md")(lambda request, wire: wire.answer(
        302, headers={"Location": "https://169.254.169.254/latest/meta-data/"}))
    with pytest.raises(NetworkError) as info:
        http.fetch(hostile_tls.url("/md"), max_bytes=1000,
                   settings=_settings(ca_bundle=ca_bundle, deadline=5.0))
    assert info.value.code == "HTTP_REDIRECT_PRIVATE"
    assert "link-local" in info.value.message


def test_a_redirect_within_loopback_is_followed(hostile):
    """The original URL was on loopback already: a hop within loopback (same kind) is fine."""
    hostile.route("/a")(lambda request, wire: wire.answer(
        302, headers={"Location": f"http://localhost:{hostile.port}/b"}))
    hostile.route("/b")(lambda request, wire: wire.answer(200, b"final"))
    got = http.fetch(hostile.url("/a"), max_bytes=100, settings=_settings())
    assert got.data == b"final"


def test_a_dns_answer_that_changes_after_the_check_is_caught_at_the_socket(hostile,
                                                                            monkeypatch):
    """DNS rebinding: the redirect check resolves the target to a public address, the
    connection then reaches 127.0.0.1. The address actually connected to is checked too,
    and nothing is read from it."""
    import socket

    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):  # what the connection sees
        if host in ("idp.example.test", "rebind.example.test"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    hostile.route("/md")(lambda request, wire: wire.answer(
        302, headers={"Location": f"http://rebind.example.test:{hostile.port}/admin"}))
    hostile.route("/admin")(lambda request, wire: wire.answer(200, b"<admin-secrets/>"))
    settings = _settings(allow_http=True, resolve=_resolver({
        "idp.example.test": [PUBLIC], "rebind.example.test": [PUBLIC]}))  # what the check sees
    with pytest.raises(NetworkError) as info:
        http.fetch(f"http://idp.example.test:{hostile.port}/md", max_bytes=1000,
                   settings=settings)
    assert info.value.code == "HTTP_REDIRECT_PRIVATE" and "loopback" in info.value.message


def _resolver(table):
    return lambda name: table.get(name, [])


@pytest.mark.parametrize("target,addresses,kind", [
    ("https://evil.example.test/x", ["10.0.0.5"], "private"),
    ("https://evil.example.test/x", [PUBLIC, "127.0.0.1"], "loopback"),  # any address counts
    ("https://evil.example.test/x", ["::ffff:169.254.169.254"], "link-local"),
    ("https://evil.example.test/x", ["fd00::1"], "private"),
    ("https://evil.example.test/x", ["100.64.0.1"], "private"),
    ("https://169.254.169.254/latest/meta-data/", [], "link-local"),
    ("https://[::1]:8443/", [], "loopback"),
    ("https://0.0.0.0/", [], "loopback"),
    ("https://localhost/", [], "loopback"),
    ("https://metadata.localhost/", [], "loopback"),
    ("https://[fe80::1%25eth0]/", [], "link-local"),
])
def test_public_to_internal_redirects_are_refused(target, addresses, kind):
    settings = _settings(resolve=_resolver({"idp.example.test": [PUBLIC],
                                            "evil.example.test": addresses}))
    with pytest.raises(NetworkError) as info:
        http.check_redirect("https://idp.example.test/md", target, settings=settings)
    assert info.value.code == "HTTP_REDIRECT_PRIVATE" and kind in info.value.message


@pytest.mark.parametrize("original,target", [
    ("https://idp.example.test/md", "https://cdn.example.test/md"),       # public -> public
    ("https://10.1.1.1/md", "https://10.2.2.2/md"),                         # private -> private
    ("https://intranet.example.test/md", "https://10.2.2.2/md"),           # resolves private
    ("https://127.0.0.1:8443/md", "https://localhost:8443/md"),            # loopback -> loopback
    ("https://idp.example.test/md", "https://unresolvable.example.test/"),  # the request decides
])
def test_redirects_that_stay_in_their_kind_are_allowed(original, target):
    settings = _settings(resolve=_resolver({"idp.example.test": [PUBLIC],
                                            "cdn.example.test": ["151.101.1.1"],
                                            "intranet.example.test": ["10.0.0.9"]}))
    assert http.check_redirect(original, target, settings=settings) == ""


def test_the_system_resolver_judges_numeric_host_names():
    """``2130706433`` is 127.0.0.1 to the resolver, though not an IP literal to ipaddress."""
    settings = _settings(resolve=None)
    with pytest.raises(NetworkError) as info:
        http.check_redirect("https://93.184.216.34/md", "https://2130706433/x",
                            settings=settings)
    assert info.value.code == "HTTP_REDIRECT_PRIVATE"


@pytest.mark.parametrize("target", ["http://93.184.216.34/md", "ftp://idp.example.test/md",
                                    "file:///etc/passwd", "https://user:pw@idp.example.test/"])
def test_redirects_to_other_schemes_or_with_credentials_are_refused(target):
    settings = _settings(resolve=_resolver({"idp.example.test": [PUBLIC]}))
    with pytest.raises(NetworkError) as info:
        http.check_redirect("https://idp.example.test/md", target, settings=settings)
    assert info.value.code == "HTTP_REDIRECT"


@pytest.mark.parametrize("ip,kind", [("127.0.0.1", "loopback"), ("::1", "loopback"),
                                     ("0.0.0.0", "loopback"), ("169.254.169.254", "link-local"),
                                     ("fe80::1", "link-local"), ("10.0.0.1", "private"),
                                     ("172.16.0.1", "private"), ("192.168.1.1", "private"),
                                     ("fc00::1", "private"), ("224.0.0.1", "private"),
                                     ("::ffff:10.0.0.1", "private"), ("8.8.8.8", "public"),
                                     ("2001:4860:4860::8888", "public")])
def test_address_kinds(ip, kind):
    assert http.address_kind(ip) == kind


# ---------------------------------------------------------------- 3. text from the server

def test_a_reason_phrase_with_escapes_is_shown_escaped_in_debug_logs(hostile, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="ssoctl.http")
    hostile.route("/x")(lambda request, wire: wire.answer(
        200, b"ok", reason="OK \x1b[2J\x1b]0;owned\x07 \x9b31m"))
    _get(hostile.url("/x"))
    text = caplog.text
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\\x1b[2J" in text


def test_a_location_with_escapes_is_shown_escaped(hostile):
    hostile.route("/x")(lambda request, wire: wire.answer(
        307, headers={"Location": "https://evil.example.test\x1b[31m/x"}))
    with pytest.raises(NetworkError) as info:
        http.request(http.make_session(), "PUT", hostile.url("/x"), settings=_settings())
    assert "\x1b" not in info.value.message


def test_a_header_with_a_line_break_is_refused_before_sending(hostile):
    hostile.route("/x")(lambda request, wire: wire.answer(200, b"ok"))
    secret = "tok-Line1\r\nX-Injected: yes"
    with pytest.raises(UsageError) as info:
        http.request(http.make_session(), "GET", hostile.url("/x"), settings=_settings(),
                     secrets=[secret], headers={"Authorization": f"Bearer {secret}"})
    assert info.value.code == "BAD_HEADER"
    assert "tok-Line1" not in info.value.message + info.value.hint
    assert hostile.hits("/x") == 0


def test_wrong_content_type_and_garbage_are_not_json(hostile):
    hostile.route("/x")(lambda request, wire: wire.answer(
        200, b"<html>login</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ValueError):
        _get(hostile.url("/x")).json()
    hostile.route("/y")(lambda request, wire: wire.answer(
        200, json_body({"a": 1}), headers={"Content-Type": "application/json"}))
    assert _get(hostile.url("/y")).json() == {"a": 1}
    assert json.loads(_get(hostile.url("/y")).content) == {"a": 1}
