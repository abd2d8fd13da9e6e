"""Rate limits and injected faults on the Okta stand-in: ``X-Rate-Limit-*`` on every API
answer, 429 E0000047 until the window resets (the injected clock moves it), and every fault
ssoctl must survive: 429 with a reset time, 401, 403, 404, 500, slow answers, only some
methods, only N times. Also the request log and the body-validator hook."""

from __future__ import annotations

import time

import pytest
import requests

from conftest import NOW


@pytest.fixture
def get(okta_org, okta_token):
    def call(path, method="GET", **kwargs):
        return requests.request(method, okta_org.url + path, timeout=30,
                                headers={"Authorization": f"SSWS {okta_token}"}, **kwargs)

    return call


def test_every_api_answer_has_rate_limit_headers(okta_org, get):
    window_end = (int(NOW.timestamp()) // 60 + 1) * 60
    for path in ("/api/v1/apps", "/api/v1/apps/0oaNOSUCHAPP00000000", "/api/v1/groups"):
        answer = get(path)
        assert answer.headers["X-Rate-Limit-Limit"] == "600"
        assert answer.headers["X-Rate-Limit-Reset"] == str(window_end)
    # Date comes from the stand-in's clock: clients measure the reset against it
    assert answer.headers["Date"] == "Mon, 01 Jun 2026 12:00:00 GMT"
    # buckets are per endpoint family: the apps bucket has spent two
    assert get("/api/v1/apps").headers["X-Rate-Limit-Remaining"] == "597"
    assert get("/api/v1/groups").headers["X-Rate-Limit-Remaining"] == "598"


def test_budget_exhausted_is_429_until_the_window_resets(okta_org, okta_clock, get):
    okta_org.rate_limit = 3
    remaining = [get("/api/v1/apps").headers["X-Rate-Limit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    limited = get("/api/v1/apps")
    assert limited.status_code == 429
    assert limited.json()["errorCode"] == "E0000047"
    assert limited.json()["errorSummary"] == \
        "API call exceeded rate limit due to too many requests."
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    reset = int(limited.headers["X-Rate-Limit-Reset"])
    assert get("/api/v1/groups").status_code == 200  # another bucket
    okta_clock.set(NOW.fromtimestamp(reset, NOW.tzinfo))
    again = get("/api/v1/apps")
    assert again.status_code == 200
    assert again.headers["X-Rate-Limit-Remaining"] == "2"


def test_injected_429_tells_when_to_retry(okta_org, get):
    fault = okta_org.inject(r"^/api/v1/apps$", status=429, reset_in=7, times=2)
    first = get("/api/v1/apps")
    assert first.status_code == 429 and first.json()["errorCode"] == "E0000047"
    assert int(first.headers["X-Rate-Limit-Reset"]) == int(NOW.timestamp()) + 7
    assert first.headers["X-Rate-Limit-Remaining"] == "0"
    assert get("/api/v1/apps").status_code == 429
    assert get("/api/v1/apps").status_code == 200
    assert fault.hits == 2


@pytest.mark.parametrize("status, code", [(401, "E0000011"), (403, "E0000006"),
                                          (404, "E0000007"), (500, "E0000009"),
                                          (503, "E0000010"), (400, "E0000001")])
def test_injected_errors_have_okta_bodies(okta_org, get, status, code):
    okta_org.inject(r"/api/v1/apps", status=status)
    answer = get("/api/v1/apps")
    assert answer.status_code == status
    doc = answer.json()
    assert doc["errorCode"] == code and doc["errorSummary"]
    assert get("/api/v1/apps").status_code == 200  # once by default


def test_fault_can_pick_a_method_and_a_code_and_last_forever(okta_org, get):
    app_id = okta_org.add_app("sipgate")
    okta_org.inject(rf"/api/v1/apps/{app_id}$", method="PUT", status=403,
                    error_code="E0000006", times=None)
    assert get(f"/api/v1/apps/{app_id}").status_code == 200
    for _ in range(3):
        assert get(f"/api/v1/apps/{app_id}", method="PUT").status_code == 403
    okta_org.clear_faults()
    answer = get(f"/api/v1/apps/{app_id}", method="PUT")
    assert answer.status_code == 400 and answer.json()["errorCode"] == "E0000003"


def test_slow_answers_arrive_late_and_can_time_a_client_out(okta_org, get):
    okta_org.slow(r"/api/v1/apps", 0.4, times=1)
    started = time.monotonic()
    assert get("/api/v1/apps").status_code == 200
    assert time.monotonic() - started >= 0.4
    okta_org.slow(r"/api/v1/apps", 1.0, times=1)
    with pytest.raises(requests.Timeout):
        requests.get(okta_org.url + "/api/v1/apps", timeout=0.2)


def test_a_slow_error(okta_org, get):
    okta_org.inject(r"/api/v1/groups", status=500, delay=0.2)
    started = time.monotonic()
    assert get("/api/v1/groups").status_code == 500
    assert time.monotonic() - started >= 0.2


def test_token_endpoint_faults_speak_oauth(okta_org):
    okta_org.inject(r"^/oauth2/v1/token$", status=401)
    answer = requests.post(okta_org.token_url, data={"grant_type": "client_credentials"},
                           timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    okta_org.inject(r"^/oauth2/v1/token$", status=429, reset_in=3)
    answer = requests.post(okta_org.token_url, data={}, timeout=10)
    assert answer.status_code == 429 and answer.json()["errorCode"] == "E0000047"


def test_a_fault_needs_a_status_or_a_delay(okta_org):
    with pytest.raises(ValueError):
        okta_org.inject("/x", status=None)


def test_request_log_has_what_tests_need_and_no_secret(okta_org, okta_token, get):
    get("/api/v1/apps", params={"q": "sip", "limit": "5"})
    get("/api/v1/apps", method="POST", json={"label": ""})
    first, second = okta_org.requests
    assert (first.method, first.path, first.status) == ("GET", "/api/v1/apps", 200)
    assert first.query == {"q": ("sip",), "limit": ("5",)}
    assert first.headers["Authorization"] == "SSWS [redacted]"
    assert second.body == {"label": ""} and second.status == 400
    assert okta_token not in repr(okta_org.requests)
    okta_org.validation_failures.clear()  # the SDK oracle refused {"label": ""}, as it should


def test_validator_sees_every_json_body_and_can_refuse_it(okta_org, okta_token):
    seen = []

    def validator(method, path, body):
        seen.append((method, path, body))
        if body.get("label") == "bad":
            raise ValueError("label may not be bad")

    okta_org.validator = validator
    headers = {"Authorization": f"SSWS {okta_token}"}
    requests.get(okta_org.url + "/api/v1/apps", headers=headers, timeout=10)
    answer = requests.post(okta_org.url + "/api/v1/apps", json={"label": "bad"},
                           headers=headers, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["errorCauses"] == [
        {"errorSummary": "ValueError: label may not be bad"}]
    assert seen == [("POST", "/api/v1/apps", {"label": "bad"})]
    assert len(okta_org.validation_failures) == 1
    okta_org.validation_failures.clear()  # the fixture would fail this test otherwise


def test_stand_in_listens_on_loopback_only():
    from ssoctl.rehearsal.okta import OktaStandIn

    with pytest.raises(ValueError, match="127.0.0.1"):
        OktaStandIn(host="0.0.0.0")
    with OktaStandIn() as standin:
        assert standin.url.startswith("http://127.0.0.1:")


def test_bodies_are_validated_even_when_the_answer_is_a_fault_or_a_401(okta_org):
    okta_org.inject(r"^/api/v1/apps$", status=500)
    answer = requests.post(okta_org.url + "/api/v1/apps", json={"labl": "x"}, timeout=10)
    assert answer.status_code == 400  # no token, a fault waiting: the body is still judged
    assert answer.json()["errorCode"] == "E0000001"
    assert "X-Rate-Limit-Limit" in answer.headers
    assert [(m, p) for m, p, _ in okta_org.validation_failures] == [("POST", "/api/v1/apps")]
    okta_org.validation_failures.clear()
    assert requests.get(okta_org.url + "/api/v1/apps", timeout=10).status_code == 500


def test_a_plain_http_client_on_the_tls_port_is_one_log_line(ca):
    import io
    import ssl

    from ssoctl.rehearsal.okta import OktaStandIn

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    log = io.StringIO()
    with OktaStandIn(ssl_context=context, log=log) as standin:
        plain = standin.url.replace("https://", "http://")
        with pytest.raises(requests.ConnectionError):
            requests.get(plain + "/api/v1/apps", timeout=5)
        time.sleep(0.1)
    assert "connection from 127.0.0.1 failed" in log.getvalue()
    assert "Traceback" not in log.getvalue()


def test_concurrency_limit_and_the_peak_seen(okta_org, okta_token):
    from concurrent.futures import ThreadPoolExecutor

    okta_org.max_concurrent = 2
    okta_org.slow(r"^/api/v1/apps$", 0.3)
    headers = {"Authorization": f"SSWS {okta_token}"}
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda _: requests.get(
            okta_org.url + "/api/v1/apps", headers=headers, timeout=10).status_code, range(4)))
    assert okta_org.peak_in_flight >= 3  # two slow answers held, the others came and went
    assert statuses == [200, 200, 429, 429]
    limited = [r for r in okta_org.requests if r.status == 429]
    assert len(limited) == 2
