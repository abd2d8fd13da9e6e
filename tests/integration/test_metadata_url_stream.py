"""import-metadata on a federation aggregate at a URL: downloaded as a stream.

A body over ``reader.STREAM_ABOVE`` is parsed as it arrives (ssoctl.http.fetch_stream into
ssoctl.metadata.stream), under the download's one deadline and the aggregate size bound,
with the hostile-input rules of docs/threat-model.md ("XML parsing", "Network") applied to
every byte. Real local servers on 127.0.0.1: pytest-httpserver for well-formed large
bodies (generated as they are sent, never held whole), the scriptable hostile server for
bodies that break off or trickle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.wrappers import Response

from conftest import ROOT
from ssoctl.errors import ExitCode, InputError, NetworkError
from ssoctl.http import HttpSettings
from ssoctl.metadata import reader, stream
from ssoctl.rehearsal import pki
from support import aggregate

from .hostile import wait_until

NOW = __import__("datetime").datetime(2026, 6, 1, tzinfo=__import__("datetime").timezone.utc)
#: 1,000 members (about 1.6 MB): repeated to make an aggregate of any size cheaply.
BLOCK_MEMBERS = 1000
WANTED = "https://idp-wanted.uni.example.edu/idp/shibboleth"


@pytest.fixture(scope="module")
def block() -> bytes:
    bodies = aggregate._bodies(1)
    return "".join(aggregate.entity(n, bodies[0], idp=n % 10 == 0)
                   for n in range(BLOCK_MEMBERS)).encode()


def wanted_entity() -> bytes:
    text = aggregate.entity(7, aggregate._bodies(1)[0], idp=True)
    return text.replace(aggregate.idp_id(7), WANTED).encode()


def body(block: bytes, megabytes: float, *, middle: bytes = b"", end: bytes | None = None,
         tail: bytes = aggregate.TAIL.encode()):
    """HEAD, ``block`` repeated to about ``megabytes``, ``middle`` halfway, then ``end``
    (the wanted IdP by default) and ``tail``: generated while it is sent."""
    def pieces():
        yield aggregate.HEAD.encode()
        repeats = max(1, int(megabytes * 1e6 / len(block)))
        for n in range(repeats):
            if n == repeats // 2:
                yield middle
            yield block
        yield wanted_entity() if end is None else end
        yield tail
    return pieces()


def serve(httpserver, pieces, path="/aggregate.xml") -> str:
    httpserver.expect_request(path).respond_with_handler(
        lambda request: Response(pieces, content_type="application/samlmetadata+xml"))
    return httpserver.url_for(path)


def settings(**kw) -> HttpSettings:
    values = dict(connect_timeout=2.0, read_timeout=5.0, retries=0, deadline=60.0,
                  sleep=lambda s: None)
    values.update(kw)
    return HttpSettings(**values)


def stream_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "ssoctl-http-stream")


# ---------------------------------------------------------------- well-formed aggregates

def test_the_entity_at_the_very_end_of_a_large_download(httpserver, block):
    url = serve(httpserver, body(block, 24))
    s = reader.load_source(url, entity_id=WANTED, http_settings=settings(), now=NOW)
    assert s.entity_id == WANTED and s.final_url == url
    assert s.sso_url == "https://idp7.uni.example.edu/idp/profile/SAML2/Redirect/SSO"
    assert len(s.entity_ids_found) > 1000  # every IdP on the way was seen
    assert any(f.code == "METADATA_INSECURE_SOURCE" for f in s.findings)  # plain http
    assert wait_until(lambda: stream_threads() == 0)


def test_the_download_stops_at_the_entity(httpserver, block):
    """The wanted IdP comes early in an endless aggregate: the read stops there, the
    connection is closed and no reading thread stays behind."""
    def endless():
        yield aggregate.HEAD.encode()
        yield wanted_entity()
        while True:
            yield block

    url = serve(httpserver, endless())
    s = reader.load_source(url, entity_id=WANTED, http_settings=settings(), now=NOW)
    assert s.entity_id == WANTED and s.entity_ids_found == (WANTED,)
    assert wait_until(lambda: stream_threads() == 0)


def test_a_malformed_tail_after_the_entity_is_never_read(httpserver, block):
    url = serve(httpserver, body(block, 4, tail=b"\n<md:EntityDescriptor <<< not XML"))
    assert reader.load_source(url, entity_id=WANTED, http_settings=settings(),
                              now=NOW).entity_id == WANTED
    # Asked for an entity that is not there, the reader reaches the damage: not XML.
    url = serve(httpserver, body(block, 4, tail=b"\n<md:EntityDescriptor <<< not XML"), "/again")
    with pytest.raises(InputError) as err:
        reader.load_source(url, entity_id="https://nobody.example/", http_settings=settings())
    assert err.value.code == "XML_MALFORMED"


@pytest.mark.parametrize("hostile_part", [b'<!DOCTYPE md [<!ENTITY x "y">]>',
                                          b'<!ENTITY lol "lol">'])
def test_a_doctype_deep_in_a_huge_download_is_refused(httpserver, block, hostile_part):
    url = serve(httpserver, body(block, 24, middle=hostile_part))
    with pytest.raises(InputError) as err:
        reader.load_source(url, entity_id=WANTED, http_settings=settings(), now=NOW)
    assert err.value.code == "XML_DOCTYPE" and err.value.exit_code == ExitCode.INPUT


def test_a_huge_text_node_in_a_download_is_refused(httpserver, block):
    text = b"<md:Extensions>" + b"A" * (11 * 1024 * 1024) + b"</md:Extensions>"
    evil = wanted_entity().replace(b"<md:Extensions>", text, 1)
    url = serve(httpserver, body(block, 2, end=evil))
    with pytest.raises(InputError) as err:
        reader.load_source(url, entity_id=WANTED, http_settings=settings(), now=NOW)
    assert err.value.code == "XML_TOO_LARGE"


def test_the_aggregate_size_bound_applies_to_downloads(httpserver, block, monkeypatch):
    monkeypatch.setattr(stream, "MAX_AGGREGATE_BYTES", 3 * 1024 * 1024)
    url = serve(httpserver, body(block, 8))
    with pytest.raises(InputError) as err:
        reader.load_source(url, entity_id=WANTED, http_settings=settings(), now=NOW)
    assert err.value.code == "INPUT_TOO_LARGE" and str(3 * 1024 * 1024) in err.value.message


def test_list_streams_a_download(httpserver, block):
    url = serve(httpserver, body(block, 4))
    ids = reader.list_sources_idps(url, http_settings=settings())
    assert ids[-1] == WANTED and len(ids) == ids.count(aggregate.idp_id(0)) * 100 + 1


def test_small_metadata_is_still_read_whole(httpserver):
    """One IdP's metadata (under STREAM_ABOVE) takes the in-memory reader, as before."""
    data = (ROOT / "fixtures" / "metadata" / "okta.xml").read_bytes()
    httpserver.expect_request("/okta").respond_with_data(data)
    s = reader.load_source(httpserver.url_for("/okta"), http_settings=settings(), now=NOW)
    assert s.entity_id == "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"


# ---------------------------------------------------------------- broken transfers

@pytest.mark.parametrize("shape", ["length", "chunked"])
def test_a_body_cut_off_mid_stream_is_a_network_error(hostile, block, shape):
    """The server announces more than it sends (or never ends its chunked body) and
    closes the connection: exit 6 with the byte count, not a traceback nor "malformed"."""
    data = b"".join(body(block, 4))

    @hostile.route("/cut")
    def cut(request, wire):
        half = data[:len(data) // 2]
        if shape == "length":
            wire.head(200, headers={"Connection": "close"}, length=len(data))
            wire.send(half)
        else:
            wire.head(200, headers={"Transfer-Encoding": "chunked", "Connection": "close"})
            wire.send(b"%x\r\n" % len(half) + half + b"\r\n")
        wire.sock.shutdown(__import__("socket").SHUT_RDWR)

    with pytest.raises(NetworkError) as err:
        reader.load_source(hostile.url("/cut"), entity_id=WANTED, http_settings=settings())
    assert err.value.code == "HTTP_CONNECT" and err.value.exit_code == ExitCode.NETWORK
    assert "broke off after" in err.value.message


def test_a_body_that_just_ends_early_is_malformed_xml(hostile, block):
    """No length, no chunks: the end of the connection is the end of the body, and the
    document is cut mid-element."""
    data = b"".join(body(block, 4))

    @hostile.route("/short")
    def short(request, wire):
        wire.head(200, headers={"Connection": "close"})
        wire.send(data[:len(data) // 2])
        wire.sock.shutdown(__import__("socket").SHUT_RDWR)

    with pytest.raises(InputError) as err:
        reader.load_source(hostile.url("/short"), entity_id=WANTED, http_settings=settings())
    assert err.value.code == "XML_MALFORMED"


def test_a_trickle_past_the_deadline_stops_the_download(hostile, block, cli):
    """2 MB arrive at once (so the stream path is taken), then a byte every 0.1 s: no
    read timeout ever trips, the one deadline does, and the hint says how to give a large
    aggregate more time."""
    data = b"".join(body(block, 2))

    @hostile.route("/slow")
    def slow(request, wire):
        wire.head(200, length=len(data))
        wire.send(data[:-4000])
        wire.trickle(data[-4000:], every=0.1)

    started = time.monotonic()
    with pytest.raises(NetworkError) as err:
        reader.load_source(hostile.url("/slow"), entity_id=WANTED,
                           http_settings=settings(deadline=1.0, read_timeout=2.0))
    assert err.value.code == "HTTP_TIMEOUT" and "within 1 s" in err.value.message
    assert "--timeout" in err.value.hint
    assert time.monotonic() - started < 10  # a guard against hanging, not a measurement
    r = cli("import-metadata", hostile.url("/slow"), "--entity-id", WANTED, "--timeout", "1")
    assert r.exit_code == ExitCode.NETWORK and "Traceback" not in r.stderr
    assert "HTTP_TIMEOUT" in r.stderr or "within 1 s" in r.stderr


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_stalled_download_leaves_no_reading_thread_behind_at_the_deadline(
        request, block, tls):
    """The server sends 2 MB and then nothing, on an open connection: the reader stops at
    the one deadline (1 s) and the thread reading the socket stops with it, not when its
    read timeout (20 s here) would have ended the wait."""
    hostile = request.getfixturevalue("hostile_tls" if tls else "hostile")
    extra = {"ca_bundle": request.getfixturevalue("ca_bundle")} if tls else {}
    data = b"".join(body(block, 2))

    @hostile.route("/stalled")
    def stalled(request, wire):
        wire.head(200, length=len(data))
        wire.send(data[:-4000])  # all but the last entities: the wanted one is not there yet
        wire.stopping.wait(30)  # the rest never comes

    with pytest.raises(NetworkError) as err:
        reader.load_source(hostile.url("/stalled"), entity_id=WANTED,
                           http_settings=settings(deadline=1.0, read_timeout=20.0, **extra))
    assert err.value.code == "HTTP_TIMEOUT"
    assert wait_until(lambda: stream_threads() == 0, seconds=5)


# ---------------------------------------------------------------- signed aggregates

@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed")
    key = pki.cached_rsa_key("aggregate-signer")
    cert = pki.certificate(key, pki.simple_name("federation signer"))
    plain = aggregate.write(folder / "plain.xml", 900)
    return aggregate.sign(plain, folder / "signed.xml", key, cert), pki.cert_pem(cert).encode()


def test_a_signed_aggregate_download_is_verified_whole(httpserver, signed):
    path, pem = signed
    data = path.read_bytes()
    assert len(data) > reader.STREAM_ABOVE
    httpserver.expect_request("/signed").respond_with_data(data)
    wanted = aggregate.idp_id(899)
    s = reader.load_source(httpserver.url_for("/signed"), entity_id=wanted,
                           verify_cert_pem=pem, http_settings=settings(), now=NOW)
    assert s.entity_id == wanted and s.signed and s.signature_verified is True
    evil = data.replace(b"https://sp3.example.org/", b"https://sp3.evil.example/", 1)
    httpserver.expect_request("/evil").respond_with_data(evil)
    s = reader.load_source(httpserver.url_for("/evil"), entity_id=wanted,
                           verify_cert_pem=pem, http_settings=settings(), now=NOW)
    assert s.signature_verified is False
    assert any(f.code == "METADATA_SIGNATURE_INVALID" for f in s.findings)


# ---------------------------------------------------------------- memory

# VmHWM, the process's own peak: getrusage's ru_maxrss survives exec, so a child of the
# test process would report the test process's size.
PEAK = """
import sys
from ssoctl.cli import main
try:
    sys.argv = ["ssoctl", *sys.argv[1:]]
    main()
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write("PEAK_KIB %s\\n" % peak)
"""


def peak_mib(url: str) -> float:
    done = subprocess.run([sys.executable, "-c", PEAK, "import-metadata", url, "--entity-id",
                           WANTED, "--now", "2026-06-01", "--json"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert json.loads(done.stdout)["data"]["entity_id"] == WANTED
    return int(done.stderr.rsplit("PEAK_KIB ", 1)[1].split()[0]) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_memory_does_not_grow_with_the_download(httpserver, block):
    """Peak RSS of the whole command on a 4 MB and a 96 MB aggregate at a URL: the
    larger one adds a few MiB at most (what a tree of it would cost: about 5x its size),
    and both stay within issue 14's 64 MiB plus room for a busier interpreter."""
    small = peak_mib(serve(httpserver, body(block, 4), "/small"))
    large = peak_mib(serve(httpserver, body(block, 96), "/large"))
    assert large - small < 12, (small, large)
    assert large < 80, large
