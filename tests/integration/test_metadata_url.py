"""import-metadata from a URL, against real local HTTPS servers (trustme CA)."""

from __future__ import annotations

import time

import pytest
from werkzeug.wrappers import Response

from conftest import FIXTURES, NOW
from ssoctl.metadata import reader
from ssoctl.errors import ExitCode, InputError, NetworkError, SsoctlError, UsageError
from ssoctl.http import HttpSettings

OKTA = (FIXTURES / "metadata" / "okta.xml").read_bytes()
OKTA_ENTITY = "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
PATH = "/app/exk1fcx7ab2CDEf3G4h8/sso/saml/metadata"
NOW_ARG = "2026-06-01T12:00:00Z"


def fast(ca_bundle: str | None, **kwargs) -> HttpSettings:
    """No real back-off sleeps, short timeouts."""
    kwargs.setdefault("retries", 0)
    return HttpSettings(ca_bundle=ca_bundle, sleep=lambda s: None, connect_timeout=2,
                        read_timeout=kwargs.pop("read_timeout", 5), **kwargs)


def serve_okta(server, path: str = PATH) -> str:
    server.expect_request(path).respond_with_data(
        OKTA, content_type="application/samlmetadata+xml")
    return server.url_for(path)


def test_download_okta_metadata(https_server, ca_bundle):
    url = serve_okta(https_server)
    assert url.startswith("https://")
    s = reader.load_source(url, http_settings=fast(ca_bundle), now=NOW)
    assert s.entity_id == OKTA_ENTITY and s.source == url and s.final_url == url
    assert s.findings == ()


def test_cli_with_ca_bundle_human_and_json(cli, https_server, ca_bundle):
    url = serve_okta(https_server)
    r = cli("import-metadata", url, "--ca-bundle", ca_bundle, "--now", NOW_ARG)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("sipgate → Account → Single Sign-on\n  SSO URL:")
    assert "Source:" in r.stdout and url in r.stdout
    r = cli("import-metadata", url, "--ca-bundle", ca_bundle, "--now", NOW_ARG, "--json")
    assert r.json()["data"]["final_url"] == url


def test_untrusted_certificate_exits_6(cli, https_server):
    url = serve_okta(https_server)
    r = cli("import-metadata", url, "--json")
    assert r.exit_code == ExitCode.NETWORK
    err = r.json()["error"]
    assert err["code"] == "TLS_ERROR" and "--ca-bundle" in err["hint"]


def test_wrong_host_certificate_fails(wrong_host_server, ca_bundle):
    url = serve_okta(wrong_host_server)
    with pytest.raises(NetworkError) as err:
        reader.load_source(url, http_settings=fast(ca_bundle), now=NOW)
    assert err.value.code == "TLS_ERROR" and err.value.exit_code == ExitCode.NETWORK


def test_404_is_reported(cli, https_server, ca_bundle):
    https_server.expect_request("/missing").respond_with_data("no", status=404)
    r = cli("import-metadata", https_server.url_for("/missing"), "--ca-bundle", ca_bundle)
    assert r.exit_code == ExitCode.API_REFUSED
    assert "not found (HTTP 404)" in r.stderr


def test_server_error_after_retries_exits_6(https_server, ca_bundle):
    https_server.expect_request("/busy").respond_with_data("busy", status=503)
    with pytest.raises(NetworkError) as err:
        reader.load_source(https_server.url_for("/busy"),
                             http_settings=fast(ca_bundle, retries=2), now=NOW)
    assert err.value.code == "HTTP_SERVER_ERROR"


def test_timeout_is_fast_and_clear(https_server, ca_bundle):
    def slow(request):
        time.sleep(1.0)
        return Response(OKTA)

    https_server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(NetworkError) as err:
        reader.load_source(https_server.url_for("/slow"),
                             http_settings=fast(ca_bundle, read_timeout=0.3), now=NOW)
    assert err.value.code == "HTTP_TIMEOUT" and err.value.exit_code == ExitCode.NETWORK
    assert time.monotonic() - started < 1.0


def test_redirects_to_https_are_followed(https_server, ca_bundle):
    final = serve_okta(https_server)
    https_server.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": PATH})
    s = reader.load_source(https_server.url_for("/old"), http_settings=fast(ca_bundle), now=NOW)
    assert s.entity_id == OKTA_ENTITY and s.final_url == final
    assert s.source == https_server.url_for("/old")


def test_redirect_to_plain_http_elsewhere_is_refused(https_server, ca_bundle):
    https_server.expect_request("/downgrade").respond_with_data(
        "", status=301, headers={"Location": "http://idp.example.com/metadata"})
    with pytest.raises(NetworkError) as err:
        reader.load_source(https_server.url_for("/downgrade"), http_settings=fast(ca_bundle),
                             now=NOW)
    assert err.value.code == "HTTP_REDIRECT" and "non-https" in err.value.message


def test_redirect_loop_stops_after_a_few_hops(https_server, ca_bundle):
    for hop in range(6):
        https_server.expect_request(f"/hop{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop{hop + 1}"})
    with pytest.raises(NetworkError) as err:
        reader.load_source(https_server.url_for("/hop0"), http_settings=fast(ca_bundle),
                             now=NOW)
    assert err.value.code == "HTTP_TOO_MANY_REDIRECTS"


def test_redirect_from_https_to_loopback_http_is_refused(https_server, httpserver, ca_bundle):
    """Once followed with a warning; an https URL redirecting to plain http on this machine
    is a way into local services (docs/threat-model.md, "Network"): refused now."""
    target = serve_okta(httpserver)
    https_server.expect_request("/to-http").respond_with_data(
        "", status=302, headers={"Location": target})
    with pytest.raises(NetworkError) as err:
        reader.load_source(https_server.url_for("/to-http"), http_settings=fast(ca_bundle),
                             now=NOW)
    assert err.value.code == "HTTP_REDIRECT"
    assert httpserver.log == []  # the plain-http server never saw a request


def test_plain_http_loopback_url_is_warned_in_cli(cli, httpserver):
    url = serve_okta(httpserver)
    r = cli("import-metadata", url, "--now", NOW_ARG, "--json")
    assert r.exit_code == 0
    assert [f["code"] for f in r.json()["findings"]] == ["METADATA_INSECURE_SOURCE"]
    assert cli("import-metadata", url, "--now", NOW_ARG, "--strict").exit_code == 1


def test_plain_http_to_other_hosts_needs_allow_http():
    with pytest.raises(UsageError) as err:
        reader.load_source("http://idp.example.com/metadata", http_settings=fast(None))
    assert err.value.code == "INSECURE_URL" and "--allow-http" in err.value.hint


def test_oversized_body_is_refused(https_server, ca_bundle):
    https_server.expect_request("/big").respond_with_data(b"<a>" + b"x" * 5000 + b"</a>")
    with pytest.raises(InputError) as err:
        reader.load_source(https_server.url_for("/big"), http_settings=fast(ca_bundle),
                             max_bytes=4096, now=NOW)
    assert err.value.code == "INPUT_TOO_LARGE" and err.value.exit_code == ExitCode.INPUT


def test_oversized_chunked_body_without_length_is_cut_off(https_server, ca_bundle):
    sent = []

    def endless(request):
        def body():
            for _ in range(200):
                sent.append(1)
                yield b"x" * 16384
        return Response(body(), content_type="application/xml")

    https_server.expect_request("/stream").respond_with_handler(endless)
    with pytest.raises(InputError) as err:
        reader.load_source(https_server.url_for("/stream"), http_settings=fast(ca_bundle),
                             max_bytes=65536, now=NOW)
    assert err.value.code == "INPUT_TOO_LARGE"


def test_html_login_page_is_not_metadata(https_server, ca_bundle):
    https_server.expect_request("/login").respond_with_data(
        "<html><body><form/></body></html>", content_type="text/html")
    with pytest.raises(SsoctlError) as err:
        reader.load_source(https_server.url_for("/login"), http_settings=fast(ca_bundle),
                             now=NOW)
    assert err.value.code == "METADATA_IS_WEB_PAGE"
    assert "this is a web page, not SAML metadata" in err.value.message


def test_hostile_download_exits_3(https_server, ca_bundle):
    https_server.expect_request("/xxe").respond_with_data(
        (FIXTURES / "metadata" / "hostile-xxe.xml").read_bytes())
    with pytest.raises(InputError) as err:
        reader.load_source(https_server.url_for("/xxe"), http_settings=fast(ca_bundle), now=NOW)
    assert err.value.code == "XML_DOCTYPE"


def test_connection_refused_exits_6(ca_bundle):
    with pytest.raises(NetworkError) as err:
        reader.load_source("https://127.0.0.1:9/metadata", http_settings=fast(ca_bundle))
    assert err.value.code == "HTTP_CONNECT"
