"""ssoctl.http.fetch_stream against a scriptable server on 127.0.0.1 (docs/threat-model.md,
"Network"): the same request path as fetch() (redirect rules, retries before the body,
redaction of errors, one deadline) with the body handed over as it arrives, a bounded
amount of it in memory, the size limit counted as it comes, and the connection and the
reading thread let go when the reader stops early."""

from __future__ import annotations

import threading
import time

import pytest

from ssoctl import http
from ssoctl.errors import ApiRefusedError, InputError, NetworkError

from .hostile import wait_until

MIB = 1024 * 1024


def _settings(**kw):
    values = dict(connect_timeout=2.0, read_timeout=2.0, retries=0, deadline=5.0,
                  sleep=lambda s: None)
    values.update(kw)
    return http.HttpSettings(**values)


def _readers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "ssoctl-http-stream" and t.is_alive())


def test_the_body_arrives_in_pieces_and_whole(hostile):
    body = bytes(range(256)) * (12 * 4096)  # 12 MiB

    @hostile.route("/big")
    def big(request, wire):
        wire.answer(200, body, headers={"Content-Type": "application/xml"})

    with http.fetch_stream(hostile.url("/big"), max_bytes=64 * MIB, settings=_settings()) as got:
        pieces = list(got.chunks)
    assert b"".join(pieces) == body
    assert got.final_url == hostile.url("/big") and got.content_type == "application/xml"
    # handed over in pieces of about STREAM_CHUNK, never the whole body at once
    assert len(pieces) > 12 and max(map(len, pieces)) < 2 * http.STREAM_CHUNK + http.CHUNK
    assert wait_until(lambda: _readers() == 0)


def test_stopping_early_closes_the_connection_and_the_reader(hostile):
    """An endless body: the reader takes two pieces and leaves; the server sees the
    connection close, and no reading thread stays behind."""
    sent = []

    @hostile.route("/endless")
    def endless(request, wire):
        wire.head(200, headers={"Connection": "close"})
        try:
            while True:
                wire.send(b"x" * 65536)
                sent.append(1)
        except OSError:
            sent.append("closed")

    with http.fetch_stream(hostile.url("/endless"), max_bytes=1 << 40,
                           settings=_settings()) as got:
        next(iter(got.chunks))
        next(iter(got.chunks))
    assert wait_until(lambda: "closed" in sent)
    assert wait_until(lambda: _readers() == 0)
    # what the server managed to send is bounded by the socket buffers and the small
    # queue, not by the (endless) body
    assert sent.index("closed") * 65536 < 64 * MIB


def test_redirects_are_followed_under_the_same_rules(hostile):
    @hostile.route("/old")
    def old(request, wire):
        wire.answer(302, headers={"Location": "/new"})

    @hostile.route("/new")
    def new(request, wire):
        wire.answer(200, b"<md/>")

    with http.fetch_stream(hostile.url("/old"), max_bytes=MIB, settings=_settings()) as got:
        assert b"".join(got.chunks) == b"<md/>"
    assert got.redirects == (hostile.url("/new"),) and got.final_url == hostile.url("/new")


def test_a_server_error_is_retried_before_the_body_begins(hostile):
    answers = iter([503, 200])

    @hostile.route("/flaky")
    def flaky(request, wire):
        status = next(answers)
        wire.answer(status, b"busy" if status == 503 else b"<md/>")

    with http.fetch_stream(hostile.url("/flaky"), max_bytes=MIB,
                           settings=_settings(retries=1)) as got:
        assert b"".join(got.chunks) == b"<md/>"
    assert hostile.hits("/flaky") == 2


def test_an_error_page_is_reported_not_streamed(hostile):
    """A 404 with a huge page: its status decides (exit 5), and at most 1 MiB of the page is
    read to look for a reason."""
    @hostile.route("/gone")
    def gone(request, wire):
        wire.head(404, "Not Found", headers={"Connection": "close"}, length=40 * MIB)
        try:
            for _ in range(640):
                wire.send(b"x" * 65536)
        except OSError:
            pass

    with pytest.raises(ApiRefusedError) as info:
        with http.fetch_stream(hostile.url("/gone"), max_bytes=1 << 40, settings=_settings()):
            pass
    assert info.value.code == "HTTP_NOT_FOUND"


def test_the_size_limit_is_counted_as_the_body_arrives(hostile):
    @hostile.route("/big")
    def big(request, wire):
        wire.head(200, headers={"Connection": "close"})
        try:
            for _ in range(128):
                wire.send(b"x" * 65536)
        except OSError:
            pass

    received = 0
    with pytest.raises(InputError) as info:
        with http.fetch_stream(hostile.url("/big"), max_bytes=2 * MIB,
                               settings=_settings()) as got:
            for chunk in got.chunks:
                received += len(chunk)
    assert info.value.code == "INPUT_TOO_LARGE"
    assert received <= 2 * MIB


def test_the_deadline_covers_the_body_while_it_is_read(hostile):
    @hostile.route("/slow")
    def slow(request, wire):
        wire.head(200, length=10_000)
        wire.send(b"x" * 5000)
        wire.trickle(b"x" * 5000, every=0.1)

    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        with http.fetch_stream(hostile.url("/slow"), max_bytes=MIB,
                               settings=_settings(deadline=1.0)) as got:
            for _chunk in got.chunks:
                pass
    assert info.value.code == "HTTP_TIMEOUT" and "within 1 s" in info.value.message
    assert time.monotonic() - started < 8  # a guard against hanging, not a measurement
    assert wait_until(lambda: _readers() == 0)


def test_a_slow_reader_meets_the_deadline_too(hostile):
    """The deadline is the whole download's: a reader that takes its time with each piece
    (a large aggregate parsed on a slow machine) runs out of it as well."""
    @hostile.route("/fast")
    def fast(request, wire):
        wire.answer(200, b"y" * (4 * MIB))

    with pytest.raises(NetworkError) as info:
        with http.fetch_stream(hostile.url("/fast"), max_bytes=64 * MIB,
                               settings=_settings(deadline=0.6)) as got:
            for _chunk in got.chunks:
                time.sleep(0.2)
    assert info.value.code == "HTTP_TIMEOUT"


def test_leaving_before_reading_anything_lets_go_too(hostile):
    @hostile.route("/endless")
    def endless(request, wire):
        wire.head(200, headers={"Connection": "close"})
        try:
            while True:
                wire.send(b"x" * 65536)
        except OSError:
            pass

    with http.fetch_stream(hostile.url("/endless"), max_bytes=1 << 40, settings=_settings()):
        pass
    assert wait_until(lambda: _readers() == 0)
