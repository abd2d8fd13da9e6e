"""The Okta client on a real local server (pytest-httpserver): the org URL rule, rate limits
(429 until the reset, pacing when few calls remain), Link pagination within the org, retries,
and Okta's errors as one line that says what to do, with the token never in the text."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Response

from ssoctl.errors import ApiRefusedError, ExitCode, NetworkError, UsageError
from ssoctl.http import HttpSettings
from ssoctl.okta.auth import TokenAuth
from ssoctl.okta.client import OktaClient, RateLimits, check_org, next_link

TOKEN = "00okta-client-test-token-abcdefghijkl"


def epoch() -> int:
    """Now, in whole seconds. The local server stamps its own ``Date`` (real time), which
    the client prefers to the local clock for ``X-Rate-Limit-Reset``: resets are set
    relative to the real time when each test runs."""
    return int(time.time())


class Clock:
    """A fake monotonic clock and sleep: sleeping moves the clock, and is recorded."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def client(httpserver, clock):
    settings = HttpSettings(sleep=clock.sleep, clock=clock, retries=2, backoff=0.5,
                            deadline=120)
    okta = OktaClient(httpserver.url_for("/").rstrip("/"), TokenAuth(TOKEN, source="test"),
                      settings=settings, limits=RateLimits(max_wait=60), wall=time.time)
    yield okta
    okta.close()


def okta_error(code, summary, status, causes=(), headers=None):
    body = {"errorCode": code, "errorSummary": summary, "errorLink": code,
            "errorId": "oaeTEST123", "errorCauses": [{"errorSummary": c} for c in causes]}
    return Response(json.dumps(body), status=status, content_type="application/json",
                    headers=headers or {})


# ---------------------------------------------------------------- the org URL

@pytest.mark.parametrize("url, origin", [
    ("https://acme.okta.com", "https://acme.okta.com"),
    ("https://acme.okta.com/", "https://acme.okta.com"),
    ("  https://ACME.oktapreview.com ", "https://acme.oktapreview.com"),
    ("https://acme.okta-emea.com", "https://acme.okta-emea.com"),
    ("https://acme.okta-gov.com", "https://acme.okta-gov.com"),
    ("https://acme.okta.mil", "https://acme.okta.mil"),
    ("https://login.acme.example", "https://login.acme.example"),
    ("https://login.acme.example:8443", "https://login.acme.example:8443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:9", "http://localhost:9"),
])
def test_org_urls_that_are_origins_are_accepted(url, origin):
    assert check_org(url) == origin


@pytest.mark.parametrize("url, words", [
    ("http://acme.okta.com", "plain http"),
    ("acme.okta.com", "has no https"),
    ("https://acme.okta.com/admin", "path or query"),
    ("https://acme.okta.com/?x=1", "path or query"),
    ("https://acme.okta.com/#frag", "path or query"),
    ("https://user:pw@acme.okta.com", "user name or password"),
    ("https://acme-admin.okta.com", "Admin Console"),
    ("ftp://acme.okta.com", "not an https"),
    ("https://[::1", "cannot be read"),
])
def test_org_urls_that_are_not_origins_are_refused(url, words):
    with pytest.raises(UsageError) as info:
        check_org(url)
    assert info.value.code == "OKTA_BAD_ORG"
    assert words in info.value.message
    assert "pw" not in info.value.message


def test_no_org_names_the_three_places_it_can_come_from():
    with pytest.raises(UsageError) as info:
        check_org(None)
    assert info.value.code == "OKTA_NO_ORG"
    assert "--org" in info.value.hint and "okta_org" in info.value.hint


# ---------------------------------------------------------------- calls and pagination

def test_a_call_sends_the_token_as_ssws_and_json_headers(httpserver, client):
    httpserver.expect_request("/api/v1/apps/0oa1", headers={"Authorization": f"SSWS {TOKEN}",
                                                           "Accept": "application/json"}) \
        .respond_with_json({"id": "0oa1"})
    assert client.get("/api/v1/apps/0oa1", what="reading") == {"id": "0oa1"}


def test_pages_follow_link_next_to_the_end(httpserver, client):
    base = httpserver.url_for("/").rstrip("/")
    httpserver.expect_ordered_request("/api/v1/apps", query_string="limit=2").respond_with_json(
        [{"id": "a"}, {"id": "b"}],
        headers={"Link": f'<{base}/api/v1/apps?limit=2>; rel="self", '
                         f'<{base}/api/v1/apps?after=b&limit=2>; rel="next"'})
    httpserver.expect_ordered_request("/api/v1/apps", query_string="after=b&limit=2") \
        .respond_with_json([{"id": "c"}], headers={"Link": f'<{base}/api/v1/apps>; rel="self"'})
    items = list(client.pages("/api/v1/apps", params={"limit": 2}, what="listing"))
    assert [i["id"] for i in items] == ["a", "b", "c"]


def test_a_next_link_to_another_host_is_not_followed(httpserver, client):
    httpserver.expect_request("/api/v1/apps").respond_with_json(
        [{"id": "a"}], headers={"Link": '<https://evil.example/api/v1/apps?after=a>; rel="next"'})
    with pytest.raises(NetworkError) as info:
        list(client.pages("/api/v1/apps", what="listing"))
    assert info.value.code == "OKTA_FOREIGN_LINK"
    assert "evil.example" in info.value.message
    assert len(httpserver.log) == 1


def test_a_page_that_links_to_itself_ends(httpserver, client):
    base = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/api/v1/apps").respond_with_json(
        [{"id": "a"}], headers={"Link": f'<{base}/api/v1/apps>; rel="next"'})
    assert len(list(client.pages("/api/v1/apps", what="listing"))) == 1


def test_next_link_parsing():
    assert next_link('<https://o/x?a=1>; rel="self", <https://o/x?after=2>; rel="next"') \
        == "https://o/x?after=2"
    assert next_link('<https://o/x>; rel=next') == "https://o/x"
    assert next_link('<https://o/x>; rel="self"') is None
    assert next_link("") is None


# ---------------------------------------------------------------- rate limits

@pytest.mark.parametrize("reset_in", [7, 60], ids=["mid-window", "window-just-began"])
def test_429_waits_until_the_reset_measured_by_the_server_date(httpserver, client, clock,
                                                                reset_in):
    """The wait runs to the reset (by the server's Date) plus a second. A 429 just after a
    one-minute window began resets a full minute later: that wait is within the cap, not
    refused as too long."""
    limited = {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
               "X-Rate-Limit-Reset": str(epoch() + reset_in)}
    httpserver.expect_ordered_request("/api/v1/apps/0oa1").respond_with_response(
        okta_error("E0000047", "API call exceeded rate limit due to too many requests.", 429,
                   headers=limited))
    httpserver.expect_ordered_request("/api/v1/apps/0oa1").respond_with_json({"id": "0oa1"})
    assert client.get("/api/v1/apps/0oa1", what="reading")["id"] == "0oa1"
    # until the reset, plus a second (whole-second counters; Date has whole seconds too)
    assert len(clock.slept) == 1 and reset_in <= clock.slept[0] <= reset_in + 2
    assert client.stats.rate_limited == 1


def test_429_is_retried_for_a_post_too_because_okta_did_not_process_it(httpserver, client,
                                                                       clock):
    limited = {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(epoch() + 2)}
    httpserver.expect_ordered_request("/api/v1/apps", method="POST").respond_with_response(
        okta_error("E0000047", "rate limit", 429, headers=limited))
    httpserver.expect_ordered_request("/api/v1/apps", method="POST").respond_with_json(
        {"id": "0oa2"})
    reply = client.call("POST", "/api/v1/apps", body={"label": "x"}, what="creating")
    assert reply.json()["id"] == "0oa2"


def test_a_reset_further_away_than_the_cap_fails_at_once_with_exit_6(httpserver, client, clock):
    limited = {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(epoch() + 3600)}
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        okta_error("E0000047", "API call exceeded rate limit", 429, headers=limited))
    with pytest.raises(NetworkError) as info:
        client.get("/api/v1/apps", what="listing the org's apps")
    assert info.value.code == "OKTA_RATE_LIMITED"
    assert info.value.exit_code == ExitCode.NETWORK
    assert "resets in 360" in info.value.message and "E0000047" in info.value.message
    assert clock.slept == []


def test_429_again_and_again_gives_up_after_the_allowed_waits(httpserver, client, clock):
    limited = {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(epoch() + 1)}
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        okta_error("E0000047", "rate limit", 429, headers=limited))
    with pytest.raises(NetworkError) as info:
        client.get("/api/v1/apps", what="listing")
    assert info.value.code == "OKTA_RATE_LIMITED"
    assert len(clock.slept) == RateLimits().max_429


def test_few_calls_left_spread_the_next_ones_until_the_reset(httpserver, client, clock):
    low = {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "5",
           "X-Rate-Limit-Reset": str(epoch() + 30)}
    httpserver.expect_request("/api/v1/apps/0oa1").respond_with_json({"id": "0oa1"},
                                                                     headers=low)
    client.get("/api/v1/apps/0oa1", what="reading")
    assert clock.slept == []
    client.get("/api/v1/apps/0oa1", what="reading")
    # about 30 s to the reset, shared by the 5 calls left
    assert len(clock.slept) == 1 and 5.5 <= clock.slept[0] <= 6.5


def test_plenty_of_calls_left_means_no_waiting(httpserver, client, clock):
    plenty = {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "90",
              "X-Rate-Limit-Reset": str(epoch() + 30)}
    httpserver.expect_request("/api/v1/apps/0oa1").respond_with_json({}, headers=plenty)
    for _ in range(3):
        client.get("/api/v1/apps/0oa1", what="reading")
    assert clock.slept == []


# ---------------------------------------------------------------- retries and errors

def test_500_on_a_get_is_retried_then_reported_with_exit_6(httpserver, client, clock):
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        okta_error("E0000009", "Internal Server Error", 500))
    with pytest.raises(NetworkError) as info:
        client.get("/api/v1/apps", what="listing the org's apps")
    assert info.value.code == "OKTA_SERVER_ERROR"
    assert "oaeTEST123" in info.value.message
    assert len(httpserver.log) == 3 and clock.slept == [0.5, 1.0]


def test_500_on_a_post_is_not_retried(httpserver, client):
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_response(
        okta_error("E0000009", "Internal Server Error", 500))
    with pytest.raises(NetworkError):
        client.call("POST", "/api/v1/apps", body={}, what="creating")
    assert len(httpserver.log) == 1


def test_e0000011_says_how_to_get_a_new_token(httpserver, client):
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        okta_error("E0000011", "Invalid token provided", 401))
    with pytest.raises(ApiRefusedError) as info:
        client.get("/api/v1/apps", what="listing")
    assert info.value.code == "OKTA_BAD_TOKEN" and info.value.exit_code == ExitCode.API_REFUSED
    assert "Security → API → Tokens" in info.value.hint
    assert "SSOCTL_OKTA_TOKEN" in info.value.hint


def test_e0000006_names_the_scope_the_call_needs(httpserver, client):
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_response(
        okta_error("E0000006", "You do not have permission to perform the requested action",
                   403))
    with pytest.raises(ApiRefusedError) as info:
        client.call("POST", "/api/v1/apps", body={}, what="creating app", scope="okta.apps.manage")
    assert info.value.code == "OKTA_FORBIDDEN"
    assert "okta.apps.manage" in info.value.hint
    assert "Application Administrator" in info.value.hint


def test_e0000007_is_not_found_with_a_pointer_to_okta_list(httpserver, client):
    httpserver.expect_request("/api/v1/apps/0oaNOPE").respond_with_response(
        okta_error("E0000007", "Not found: Resource not found: 0oaNOPE (AppInstance)", 404))
    with pytest.raises(ApiRefusedError) as info:
        client.get("/api/v1/apps/0oaNOPE", what="reading app 0oaNOPE")
    assert info.value.code == "OKTA_NOT_FOUND" and "okta list" in info.value.hint


def test_e0000001_lists_the_causes(httpserver, client):
    httpserver.expect_request("/api/v1/apps", method="POST").respond_with_response(
        okta_error("E0000001", "Api validation failed: settings", 400,
                   causes=("ssoAcsUrl: must be a valid URL", "audience: required")))
    with pytest.raises(ApiRefusedError) as info:
        client.call("POST", "/api/v1/apps", body={}, what="creating app")
    assert info.value.code == "OKTA_VALIDATION"
    assert "ssoAcsUrl: must be a valid URL; audience: required" in info.value.message


def test_a_redirect_is_never_followed(httpserver, client):
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        Response("", status=302, headers={"Location": "https://elsewhere.example/x"}))
    with pytest.raises(NetworkError) as info:
        client.get("/api/v1/apps", what="listing")
    assert info.value.code == "HTTP_REDIRECT"
    assert len(httpserver.log) == 1


def test_the_token_echoed_by_a_server_never_reaches_the_message(httpserver, client):
    httpserver.expect_request("/api/v1/apps").respond_with_response(
        okta_error("E0000099", f"bad header SSWS {TOKEN}", 400, causes=(f"token {TOKEN}",)))
    with pytest.raises(ApiRefusedError) as info:
        client.get("/api/v1/apps", what="listing")
    text = info.value.message + info.value.hint + str(info.value)
    assert TOKEN not in text and "<hidden>" in text


def test_a_connection_refused_is_retried_for_a_get_then_exit_6(clock):
    settings = HttpSettings(sleep=clock.sleep, clock=clock, retries=2, connect_timeout=1)
    okta = OktaClient("http://127.0.0.1:9", TokenAuth(TOKEN), settings=settings)
    with pytest.raises(NetworkError) as info:
        okta.get("/api/v1/apps", what="listing")
    assert info.value.code == "HTTP_CONNECT" and clock.slept == [0.5, 1.0]
