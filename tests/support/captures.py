"""Builders of SAML captures for tests: HAR files and SAML-tracer exports of many messages
(signed with the test IdP of :mod:`ssoctl.rehearsal.samlgen`), and a look at child processes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from pathlib import Path
from urllib.parse import quote

from ssoctl.rehearsal import samlgen

#: The clock of the captures (the same as the tests' NOW).
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def deflate(data: bytes, level: int = 9) -> bytes:
    """Raw DEFLATE, as the HTTP-Redirect binding carries a message."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _har(entries: list[dict]) -> bytes:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                               "entries": entries}}).encode()


def har(messages: list[bytes]) -> bytes:
    """A browser-style HAR: one POST of a SAMLResponse to the ACS per message."""
    entries = []
    for i, xml in enumerate(messages):
        value = quote(base64.b64encode(xml).decode("ascii"), safe="")
        when = (NOW + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
        entries.append({
            "startedDateTime": when, "time": 40,
            "request": {"method": "POST", "url": samlgen.ACS_URL, "headers": [],
                        "queryString": [], "cookies": [],
                        "postData": {"mimeType": "application/x-www-form-urlencoded",
                                     "text": f"SAMLResponse={value}",
                                     "params": [{"name": "SAMLResponse", "value": value}]}},
            "response": {"status": 302, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}})
    return _har(entries)


def mixed_messages(count: int) -> list[bytes]:
    """Good (assertion- and response-signed), tampered (exit 4), expired (exit 1) and
    wrong-audience responses, interleaved, each for another user."""
    out = []
    for i in range(count):
        user = f"user{i}@example.com"
        kind = i % 5
        if kind == 0:
            out.append(samlgen.response(now=NOW, name_id=user))
        elif kind == 1:
            out.append(samlgen.response(now=NOW, name_id=user, sign="response"))
        elif kind == 2:  # changed after signing
            out.append(samlgen.response(now=NOW, name_id=user).replace(
                user.encode(), b"admin@example.com"))
        elif kind == 3:  # issued an hour before --now: expired
            out.append(samlgen.response(now=NOW - dt.timedelta(hours=1), name_id=user))
        else:
            out.append(samlgen.response(now=NOW, name_id=user, audience="https://wrong.example"))
    return out


def login_capture(count: int, *, bad: int | None = None) -> bytes:
    """A browser session of ``count`` logins: the SP's redirect with a deflated
    AuthnRequest and a RelayState, then Okta's POST of the Response answering it (every
    third one IdP-initiated). ``bad``: the Response of that login is cut off (its base64
    cannot be decoded)."""
    entries = []
    for i in range(count):
        when = NOW + dt.timedelta(seconds=2 * i)
        stamp = when.isoformat().replace("+00:00", "Z")
        request_id = f"_req{i:04d}"
        raw = zlib.compressobj(wbits=-15)
        deflated = raw.compress(samlgen.authn_request(now=NOW, id=request_id)) + raw.flush()
        query = (f"SAMLRequest={quote(base64.b64encode(deflated).decode(), safe='')}"
                 f"&RelayState=state{i}")
        entries.append({
            "startedDateTime": stamp, "time": 10,
            "request": {"method": "GET", "url": f"{samlgen.SSO_URL}?{query}", "headers": [],
                        "queryString": [], "cookies": []},
            "response": {"status": 200, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/html"}}})
        answer = None if i % 3 == 2 else request_id
        xml = samlgen.response(now=NOW, name_id=f"user{i}@example.com", in_response_to=answer)
        value = quote(base64.b64encode(xml).decode("ascii"), safe="")
        if i == bad:
            value = value[:-9]
        entries.append({
            "startedDateTime": stamp.replace("Z", ".5Z") if "." not in stamp else stamp,
            "time": 40,
            "request": {"method": "POST", "url": samlgen.ACS_URL, "headers": [],
                        "queryString": [], "cookies": [],
                        "postData": {"mimeType": "application/x-www-form-urlencoded",
                                     "text": f"SAMLResponse={value}&RelayState=state{i}",
                                     "params": [{"name": "SAMLResponse", "value": value},
                                                {"name": "RelayState",
                                                 "value": f"state{i}"}]}},
            "response": {"status": 302, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}})
    return _har(entries)


def redirect_requests_har(count: int) -> bytes:
    """``count`` SP-initiated logins that never got an answer: GET redirects carrying an
    AuthnRequest that is base64 but *not deflated* (a warning,
    BINDING_REDIRECT_NOT_DEFLATED), with a RelayState. No SAMLResponse at all."""
    entries = []
    for i in range(count):
        value = quote(base64.b64encode(samlgen.authn_request(now=NOW, id=f"_r{i}")).decode(),
                      safe="")
        entries.append({
            "startedDateTime": f"2026-06-01T12:00:{i % 60:02d}Z", "time": 5,
            "request": {"method": "GET", "headers": [], "queryString": [], "cookies": [],
                        "url": f"{samlgen.SSO_URL}?SAMLRequest={value}&RelayState=s{i}"},
            "response": {"status": 200, "headers": [], "cookies": [],
                         "content": {"size": 0, "mimeType": "text/plain"}}})
    return _har(entries)


def tracer_export(count: int) -> bytes:
    """A SAML-tracer export as the add-on writes it: every request carries its decoded
    message in ``saml`` and a RelayState."""
    requests = []
    for i in range(count):
        xml = samlgen.response(now=NOW, name_id=f"t{i}@example.com")
        requests.append({
            "method": "POST", "url": samlgen.ACS_URL, "requestId": f"r{i}",
            "post": [["SAMLResponse", base64.b64encode(xml).decode()], ["RelayState", f"s{i}"]],
            "saml": xml.decode(), "requestHeaders": [], "responseHeaders": []})
    return json.dumps({"requests": requests, "timestamp": 1}).encode()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux: read from /proc), zombies included."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def live_in_group(group: int) -> list[int]:
    """Processes of process group ``group`` that are still running (not zombies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry.name))
    return found
