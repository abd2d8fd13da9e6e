"""``okta audit`` and ``okta list`` through the library: several threads share one client and
its rate-limit pacing, so a small per-minute budget is waited out (the waits move the
stand-in's clock) instead of failing; an app whose calls fail does not stop the others."""

from __future__ import annotations

import threading

from ssoctl.okta.apps import SpValues
from ssoctl.okta.audit import audit, list_apps
from ssoctl.okta.connect import ConnectOptions, connect

from conftest import NOW


def client_for(standin, clock, token, slept):
    lock = threading.Lock()

    def sleep(seconds):  # waiting moves the stand-in's clock: its rate-limit window rolls
        with lock:
            slept.append(seconds)
            clock.advance(seconds)

    options = ConnectOptions(org=standin.url, environ={"SSOCTL_OKTA_TOKEN": token},
                             http={"sleep": sleep, "retries": 1},
                             wall=lambda: clock().timestamp())
    return connect(options, scopes=("okta.apps.read",))


def test_audit_stays_within_a_small_rate_limit(okta_clock, okta_token):
    from ssoctl.rehearsal.okta import OktaStandIn

    standin = OktaStandIn(org="small", now=okta_clock, rate_limit=25).start()
    slept: list[float] = []
    try:
        standin.add_token(okta_token)
        standin.add_apps(60, acs_url="https://app.example/acs", audience="app")
        with client_for(standin, okta_clock, okta_token, slept) as client:
            result = audit(client, sp=SpValues(), now=NOW, jobs=4)
    finally:
        standin.stop()
    assert len(result.entries) == 60
    assert all(e.error is None for e in result.entries), [e.error for e in result.entries
                                                         if e.error][:1]
    assert slept and sum(slept) >= 60  # at least one window of a minute was waited out
    assert max(slept) <= 61


def test_list_reports_an_app_whose_keys_cannot_be_read_and_goes_on(okta_org, okta_clock,
                                                                   okta_token):
    good = okta_org.add_app("good")
    bad = okta_org.add_app("bad")
    okta_org.inject(rf"^/api/v1/apps/{bad}/credentials/keys$", status=404, times=None)
    with client_for(okta_org, okta_clock, okta_token, []) as client:
        result = list_apps(client, now=NOW, jobs=2)
    rows = {r.id: r for r in result.apps}
    assert rows[good].error is None and rows[good].certificate_expires is not None
    assert rows[bad].error["code"] == "OKTA_NOT_FOUND"


def test_progress_is_reported_for_every_app(okta_org, okta_clock, okta_token):
    okta_org.add_apps(7)
    seen = []
    with client_for(okta_org, okta_clock, okta_token, []) as client:
        audit(client, sp=SpValues(), now=NOW, jobs=3,
              progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 7) and seen[-1] == (7, 7) and len(seen) == 8


def test_audit_keeps_to_jobs_requests_at_a_time(okta_clock, okta_token):
    """With slow answers the threads overlap; the stand-in's concurrency limit (a 429 beyond
    it) and its peak show that no more than ``jobs`` requests are ever in flight."""
    from ssoctl.rehearsal.okta import OktaStandIn

    standin = OktaStandIn(org="conc", now=okta_clock, rate_limit=100_000,
                          max_concurrent=3).start()
    try:
        standin.add_token(okta_token)
        standin.add_apps(24, acs_url="https://app.example/acs", audience="app")
        standin.slow(r"/credentials/keys$", 0.05)
        with client_for(standin, okta_clock, okta_token, []) as client:
            result = audit(client, sp=SpValues(), now=NOW, jobs=3)
    finally:
        standin.stop()
    assert all(e.error is None for e in result.entries)
    assert 2 <= standin.peak_in_flight <= 3
    assert not any(r.status == 429 for r in standin.requests)
