"""The HTTP layer against real local servers: timeouts, retries, redirects, TLS, limits."""

import time

import pytest
from werkzeug import Response

from ssoctl import http
from ssoctl.errors import ApiRefusedError, InputError, NetworkError, UsageError


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def _settings(clock=None, **kw):
    clock = clock or FakeClock()
    return http.HttpSettings(sleep=clock.sleep, clock=clock.clock, **kw)


def test_fetch_plain_http_on_loopback(httpserver):
    httpserver.expect_request("/md").respond_with_data("<x/>", content_type="application/xml")
    got = http.fetch(httpserver.url_for("/md"), max_bytes=100, settings=_settings())
    assert got.data == b"<x/>" and got.content_type == "application/xml"


def test_user_agent_names_ssoctl(httpserver):
    httpserver.expect_request("/md", headers={"User-Agent": http.USER_AGENT}).respond_with_data("ok")
    assert http.fetch(httpserver.url_for("/md"), max_bytes=100).data == b"ok"


def test_plain_http_to_other_hosts_refused():
    with pytest.raises(UsageError) as info:
        http.check_url("http://idp.example.test/metadata")
    assert info.value.code == "INSECURE_URL"
    assert "warning" in http.check_url("http://idp.example.test/m", allow_http=True)


@pytest.mark.parametrize("url", ["https://[::1/metadata", "https://127.0.0.1:99999/m",
                                 "https://idp.example:abc/m", "https://idp.example:-1/m",
                                 "https://idp.example:0/m", "htps://idp.example/m",
                                 "ftp://idp.example/m"])
def test_unparsable_url_is_a_usage_error_not_a_traceback(url):
    with pytest.raises(UsageError) as info:
        http.check_url(url)
    assert info.value.code == "BAD_URL"


@pytest.mark.parametrize("url", ["htps://bucket.example/md.xml?X-Amz-Signature=SECRET",
                                 "https://[::1/md.xml?X-Amz-Signature=SECRET",
                                 "ftp://user:SECRET@idp.example/md",
                                 "https://idp.example:99999/md?sig=SECRET#SECRET",
                                 "https://idp.example:0/md#SECRET"])
def test_a_refused_url_is_quoted_without_what_it_may_carry(url):
    """A pre-signed link's signature (its query), a password, a fragment: never in the
    message, whatever is wrong with the URL (docs/threat-model.md, "Secrets")."""
    with pytest.raises(UsageError) as info:
        http.check_url(url)
    assert "SECRET" not in info.value.message + info.value.hint
    assert "idp.example" in info.value.message or "bucket.example" in info.value.message \
        or "[::1" in info.value.message


def test_credentials_in_url_refused():
    with pytest.raises(UsageError):
        http.check_url("https://user:secret@idp.example.test/")


def test_https_with_ca_bundle(https_server, ca_bundle):
    https_server.expect_request("/md").respond_with_data("secure")
    got = http.fetch(https_server.url_for("/md"), max_bytes=100,
                     settings=_settings(ca_bundle=ca_bundle))
    assert got.data == b"secure"


def test_https_untrusted_certificate_fails(https_server):
    https_server.expect_request("/md").respond_with_data("x")
    with pytest.raises(NetworkError) as info:
        http.fetch(https_server.url_for("/md"), max_bytes=100, settings=_settings())
    assert info.value.code == "TLS_ERROR" and "--ca-bundle" in info.value.hint


def test_https_wrong_host_fails(wrong_host_server, ca_bundle):
    wrong_host_server.expect_request("/md").respond_with_data("x")
    with pytest.raises(NetworkError) as info:
        http.fetch(wrong_host_server.url_for("/md"), max_bytes=100,
                   settings=_settings(ca_bundle=ca_bundle))
    assert info.value.code == "TLS_ERROR"
    assert "does not match the host name" in info.value.message


def test_timeout_is_network_error(httpserver):
    def slow(_request):
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    start = time.monotonic()
    with pytest.raises(NetworkError) as info:
        http.fetch(httpserver.url_for("/slow"), max_bytes=100,
                   settings=_settings(read_timeout=0.3, retries=0))
    assert info.value.code == "HTTP_TIMEOUT"
    assert time.monotonic() - start < 1.4


def test_connection_refused_is_network_error():
    with pytest.raises(NetworkError) as info:
        http.fetch("http://127.0.0.1:9/x", max_bytes=10, settings=_settings(retries=1))
    assert info.value.code == "HTTP_CONNECT"


def test_retry_after_is_honoured_then_succeeds(httpserver):
    clock = FakeClock()
    httpserver.expect_ordered_request("/r").respond_with_data("busy", status=429,
                                                              headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/r").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/r").respond_with_data("done")
    got = http.fetch(httpserver.url_for("/r"), max_bytes=100, settings=_settings(clock))
    assert got.data == b"done"
    assert clock.sleeps == [7.0, 1.0]


def test_retry_after_is_capped(httpserver):
    clock = FakeClock()
    httpserver.expect_ordered_request("/r").respond_with_data("", status=429,
                                                              headers={"Retry-After": "86400"})
    httpserver.expect_ordered_request("/r").respond_with_data("ok")
    http.fetch(httpserver.url_for("/r"), max_bytes=100, settings=_settings(clock))
    assert clock.sleeps == [30.0]


def test_retry_after_that_is_not_a_number(httpserver):
    """Headers arrive as latin-1: '²' passes str.isdigit() but not float()."""
    clock = FakeClock()
    httpserver.expect_ordered_request("/r").respond_with_data("", status=503,
                                                              headers={"Retry-After": "²"})
    httpserver.expect_ordered_request("/r").respond_with_data("ok")
    got = http.fetch(httpserver.url_for("/r"), max_bytes=100, settings=_settings(clock))
    assert clock.sleeps == [0.5] and got.data == b"ok"  # the ordinary backoff


def test_post_is_never_retried(httpserver):
    httpserver.expect_request("/p", method="POST").respond_with_data("", status=503)
    session = http.make_session()
    resp = http.request(session, "POST", httpserver.url_for("/p"), settings=_settings())
    assert resp.status_code == 503
    assert len(httpserver.log) == 1


def test_5xx_after_retries_is_network_error(httpserver):
    httpserver.expect_request("/r").respond_with_data("", status=502)
    with pytest.raises(NetworkError) as info:
        http.fetch(httpserver.url_for("/r"), max_bytes=100, settings=_settings(retries=2))
    assert info.value.code == "HTTP_SERVER_ERROR"
    assert len(httpserver.log) == 3


def test_api_calls_never_follow_redirects(httpserver):
    httpserver.expect_request("/a", method="PUT").respond_with_data(
        "", status=307, headers={"Location": "http://127.0.0.1:9/b"})
    with pytest.raises(NetworkError) as info:
        http.request(http.make_session(), "PUT", httpserver.url_for("/a"), json={"x": 1},
                     settings=_settings())
    assert info.value.code == "HTTP_REDIRECT" and "127.0.0.1:9" in info.value.message


def test_fetch_follows_a_few_redirects(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("final")
    got = http.fetch(httpserver.url_for("/a"), max_bytes=100, settings=_settings())
    assert got.data == b"final" and got.redirects[0].endswith("/b")


def test_fetch_redirect_loop_stops(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(NetworkError) as info:
        http.fetch(httpserver.url_for("/a"), max_bytes=100, settings=_settings())
    assert info.value.code == "HTTP_TOO_MANY_REDIRECTS"


def test_fetch_refuses_redirect_to_plain_http(https_server, ca_bundle):
    https_server.expect_request("/a").respond_with_data(
        "", status=301, headers={"Location": "http://idp.example.test/md"})
    with pytest.raises(NetworkError) as info:
        http.fetch(https_server.url_for("/a"), max_bytes=100, settings=_settings(ca_bundle=ca_bundle))
    assert info.value.code == "HTTP_REDIRECT"


@pytest.fixture
def raw_server():
    """Start a server that sends exactly the status and headers given (werkzeug refuses or
    rewrites odd ones: an unparsable Location, a Content-Length that is not a number)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    servers = []

    def start(status, headers, body=b""):
        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = _answer

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/a"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_redirect_to_unparsable_location_refused(raw_server, method):
    url = raw_server(302, {"Location": "https://[::1/md", "Content-Length": "0"})
    with pytest.raises(NetworkError) as info:
        if method == "GET":
            http.fetch(url, max_bytes=100, settings=_settings())
        else:
            http.request(http.make_session(), "PUT", url, settings=_settings())
    assert info.value.code == "HTTP_FAILED" and "127.0.0.1" in info.value.message


@pytest.mark.parametrize("streamed", [False, True], ids=["fetch", "fetch_stream"])
def test_a_library_error_never_shows_a_urls_query(raw_server, streamed):
    """requests quotes the whole URL in some errors ("Failed to parse: ..."): what a URL
    carries besides scheme, host and path (a pre-signed link's signature, a password)
    is cut from the message (docs/threat-model.md, "Secrets")."""
    # a port out of range: requests quotes the whole Location in its message
    url = raw_server(302, {"Location": "https://idp.example:99999/md?X-Amz-Signature=c0ffee",
                           "Content-Length": "0"})
    with pytest.raises(NetworkError) as info:
        if streamed:
            with http.fetch_stream(url, max_bytes=100, settings=_settings()) as got:
                b"".join(got.chunks)
        else:
            http.fetch(url, max_bytes=100, settings=_settings())
    message = info.value.message
    # (refused as a redirect to a URL that is not valid, before requests sees it)
    assert info.value.code in ("HTTP_FAILED", "HTTP_REDIRECT"), info.value.code
    assert "c0ffee" not in message and "idp.example:99999" in message


def test_exception_text_keeps_scheme_host_and_path_only():
    cut = http._exception_text(ValueError(
        "Invalid URL 'https://bob:pw@idp.example/app/md?sig=S#f' and url: /x/y?token=T end"))
    assert cut == "Invalid URL 'https://idp.example/app/md?…' and url: /x/y?… end"
    assert http._exception_text(ValueError("https://idp.example/md fine")) == \
        "https://idp.example/md fine"


def test_content_length_that_is_not_a_number(raw_server):
    """Headers arrive as latin-1: '²' passes str.isdigit() but not int()."""
    url = raw_server(200, {"Content-Length": "²"}, b"ok")
    assert http.fetch(url, max_bytes=100, settings=_settings()).data == b"ok"


def test_fetch_size_limit(httpserver):
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    with pytest.raises(InputError) as info:
        http.fetch(httpserver.url_for("/big"), max_bytes=1000, settings=_settings())
    assert info.value.code == "INPUT_TOO_LARGE"


@pytest.mark.parametrize("status,code", [(401, "HTTP_UNAUTHORIZED"), (403, "HTTP_FORBIDDEN"),
                                         (404, "HTTP_NOT_FOUND"), (409, "HTTP_CONFLICT"),
                                         (422, "HTTP_REFUSED")])
def test_4xx_mapping(httpserver, status, code):
    httpserver.expect_request("/x").respond_with_json(
        {"errors": [{"status": str(status), "title": "nope", "detail": "token tok-SECRET bad"}]},
        status=status)
    with pytest.raises(ApiRefusedError) as info:
        http.fetch(httpserver.url_for("/x"), max_bytes=1000, settings=_settings())
    assert info.value.code == code


def test_redaction():
    assert http.redact("Basic tok-SECRET failed", ["tok-SECRET", None, ""]) == "Basic <hidden> failed"
