"""Fuzzing the certificate diagnosis: no input produces anything but a Report or an
SsoctlError (never a traceback)."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoctl.certs.diagnose import diagnose
from ssoctl.cli.check_cert_report import build
from ssoctl.render import Report, json_document, plain_text
from ssoctl.certs.result import CertDiagnosis
from ssoctl.errors import SsoctlError

from conftest import FIXTURES, NOW

OKTA = (FIXTURES / "certs" / "okta.cert").read_bytes()
DER = base64.b64decode(b"".join(OKTA.splitlines()[1:-1]))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes) -> None:
    try:
        result = diagnose(data, now=NOW)
    except SsoctlError as exc:
        assert exc.code and exc.message
        return
    assert isinstance(result, CertDiagnosis)
    assert result.verdict
    if result.fixed_pem is not None:
        assert result.fixed_pem.startswith("-----BEGIN CERTIFICATE-----\n")
    for fix in (False, True):  # and the command's report renders, as text and as JSON
        report = build(result, fix=fix, output=None, force=False)
        assert isinstance(report, Report)
        plain_text(report.blocks, report.findings)
        json.loads(json_document(report))


@SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes(data):
    _check(data)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=- \n\r\t\u201c&#;")),
    max_size=2000))
def test_pem_like_text(text):
    _check(("-----BEGIN CERTIFICATE-----\n" + text).encode())
    _check(text.encode())


@SETTINGS
@given(st.data())
def test_mutated_okta_pem(data):
    raw = bytearray(OKTA)
    for _ in range(data.draw(st.integers(1, 4))):
        if not raw:
            break
        pos = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        if action == "cut":
            raw = raw[:pos]
        elif action == "delete":
            del raw[pos]
        else:
            byte = data.draw(st.integers(0, 255))
            raw[pos:pos + (action == "replace")] = bytes([byte])
    _check(bytes(raw))


@SETTINGS
@given(st.data())
def test_mutated_der(data):
    raw = bytearray(DER)
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    blob = bytes(raw[:cut])
    _check(blob)
    _check(base64.b64encode(blob))
    _check(b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(blob) + b"-----END CERTIFICATE-----\n")
