"""A total budget for inflated bytes per run (docs/threat-model.md, "Resource exhaustion").

Each Redirect-binding message is limited to 256 KiB once inflated; the outside test fed a
HAR of thousands of such messages, each just under the limit, which added up to
gigabytes. The run's budget stops that early with one line and exit 3.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from urllib.parse import quote

import pytest

from ssoctl.saml import codec
from support.captures import redirect_requests_har


def _bomb_entry(i: int) -> dict:
    """A GET carrying a deflated "AuthnRequest" that inflates to just under 256 KiB."""
    body = b"<samlp:AuthnRequest " + b"A" * (250 * 1024) + b"/>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(body) + compressor.flush()
    value = quote(base64.b64encode(raw).decode(), safe="")
    return {"startedDateTime": "2026-06-01T12:00:00Z", "time": 1,
            "request": {"method": "GET", "headers": [], "queryString": [], "cookies": [],
                        "url": f"https://idp.example/sso?SAMLRequest={value}"},
            "response": {"status": 302, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}}


def test_inflate_counts_against_the_budget():
    small = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = small.compress(b"x" * 1000) + small.flush()
    with codec.inflate_budget(2500):
        codec.inflate(raw)
        codec.inflate(raw)
        with pytest.raises(codec.InflateBudgetError) as err:
            codec.inflate(raw)
    assert err.value.code == "SAML_INFLATE_BUDGET"
    codec.inflate(raw)  # outside a run: the per-message limit alone


def test_many_small_bombs_in_a_har_stop_early(cli, tmp_path):
    entry = _bomb_entry(0)
    har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                   "entries": [entry] * 400}}  # 400 x 250 KiB = 100 MiB inflated
    path = tmp_path / "bombs.har"
    path.write_text(json.dumps(har))
    for args in (["--list"], ["--all"], []):
        started = time.monotonic()
        r = cli("decode-response", path, *args, "--json")
        assert r.exit_code == 3, r.stdout
        assert json.loads(r.stdout)["error"]["code"] == "SAML_INFLATE_BUDGET"
        assert time.monotonic() - started < 60  # generous: it stops after about 260


def test_a_normal_capture_is_far_below_the_budget(cli, tmp_path):
    path = tmp_path / "requests.har"
    path.write_bytes(redirect_requests_har(50))
    r = cli("decode-response", path, "--list", "--json")
    assert r.exit_code == 0, r.stdout
