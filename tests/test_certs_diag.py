"""The diagnosis engine (ssoctl.certs.diagnose, certtext, certresult) tested directly."""

from __future__ import annotations

import base64
import textwrap

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ssoctl.certs import text as certtext
from ssoctl.certs.diagnose import classify, diagnose
from ssoctl.rehearsal import certforge, pki
from ssoctl.errors import InputError, UsageError

from conftest import NOW


@pytest.fixture(scope="module")
def okta():
    key = pki.cached_rsa_key("okta-idp")
    return key, pki.okta_certificate(key)[1]


def _diag(text: str | bytes, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return diagnose(data, now=NOW, **kwargs)


def _codes(diag):
    return [f.code for f in diag.findings]


def _body(cert, width=64):
    return "\n".join(textwrap.wrap(base64.b64encode(pki.cert_der(cert)).decode(), width))


@pytest.mark.parametrize("label, category", [
    ("CERTIFICATE", "cert"), ("CERTIFCATE", "cert-misspelled"), ("CERTIFICATES", "cert-misspelled"),
    ("X509 CERTIFICATE", "cert-misspelled"), ("TRUSTED CERTIFICATE", "cert-misspelled"),
    ("CERTIFICATE REQUEST", "csr"), ("NEW CERTIFICATE REQUEST", "csr"),
    ("PUBLIC KEY", "public-key"), ("RSA PUBLIC KEY", "public-key"),
    ("RSA PRIVATE KEY", "private"), ("PKCS7", "pkcs7"), ("X509 CRL", "other"),
])
def test_label_categories(label, category):
    assert certtext.label_category(label) == category


def test_tokenize_inline_markers_and_positions():
    tokens = certtext.tokenize("x -----BEGIN CERTIFICATE-----AAAA-----END CERTIFICATE-----")
    kinds = [type(t).__name__ for t in tokens]
    assert kinds == ["Chunk", "Marker", "Chunk", "Marker"]
    assert tokens[1].col == 3 and not tokens[1].alone and tokens[2].text == "AAAA"


@pytest.mark.parametrize("armor", ["-----begin certificate-----", "----BEGIN CERTIFICATE-----",
                                   "\u2013" * 5 + "BEGIN CERTIFICATE" + "\u2013" * 5,
                                   "-----BEGIN CERTIFICATE", "-----BEGIN X509 CERTIFICATE-----",
                                   "-----BEGINCERTIFICATE-----"])
def test_misspelled_begin_lines_are_named(okta, armor):
    diag = _diag(pki.cert_pem(okta[1]).replace("-----BEGIN CERTIFICATE-----", armor))
    assert _codes(diag) == ["CERT_ARMOR_MISSPELLED"]
    assert diag.repairable and not diag.paste_ready


def test_clean_pem_is_paste_ready(okta):
    diag = _diag(pki.cert_pem(okta[1]))
    assert diag.paste_ready and diag.findings == () and diag.selected == 0
    assert diag.verdict == "Ready to paste into sipgate's Certificate field."


def test_okta_metadata_body(okta):
    diag = _diag(_body(okta[1], 76))
    assert _codes(diag) == ["CERT_NO_ARMOR", "CERT_LINE_WIDTH"]
    assert "76" in diag.findings[1].message and diag.fixed_pem == pki.cert_pem(okta[1])


def test_json_escaped_newlines(okta):
    text = pki.cert_pem(okta[1]).replace("\n", "\\n")
    diag = _diag(text)
    assert "CERT_INVALID_CHARS" in _codes(diag)
    assert "backslash escape" in next(f.message for f in diag.findings if f.code == "CERT_INVALID_CHARS")
    assert diag.repairable


def test_padding_in_the_middle_is_named(okta):
    body = _body(okta[1]).replace("\n", "")
    text = f"-----BEGIN CERTIFICATE-----\n{body[:100]}=={body[100:]}\n-----END CERTIFICATE-----\n"
    diag = _diag(text)
    assert "CERT_BAD_PADDING" in _codes(diag)


def test_missing_padding_is_named_and_repaired():
    key = pki.cached_rsa_key("okta-idp")
    for cn in ("a", "ab", "abc"):
        cert = pki.certificate(key, pki.simple_name(cn))
        if len(pki.cert_der(cert)) % 3:
            break
    pem = pki.cert_pem(cert).replace("=", "")
    diag = _diag(pem)
    assert _codes(diag) == ["CERT_BAD_PADDING"] and diag.repairable


def test_cut_off_without_end_line(okta):
    lines = pki.cert_pem(okta[1]).splitlines()
    diag = _diag("\n".join(lines[:8]))
    assert _codes(diag) == ["CERT_MISSING_END", "CERT_TRUNCATED"]
    assert not diag.repairable and diag.verdict.startswith("Not usable")


def test_one_dangling_character_is_truncation(okta):
    body = _body(okta[1]).replace("\n", "")
    diag = _diag(body[:401])
    assert "CERT_TRUNCATED" in _codes(diag)


def test_empty_block(okta):
    diag = _diag("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    assert _codes(diag) == ["CERT_TRUNCATED"]


def test_end_line_doubled(okta):
    diag = _diag(pki.cert_pem(okta[1]) + "-----END CERTIFICATE-----\n")
    assert _codes(diag) == ["CERT_DOUBLED_ARMOR"]


def test_leading_text(okta):
    diag = _diag("Bag Attributes\n    friendlyName: okta\n" + pki.cert_pem(okta[1]))
    assert _codes(diag) == ["CERT_LEADING_DATA"]
    assert "Bag Attributes" in diag.findings[0].message


def test_pkcs7_in_certificate_armor(okta):
    der = pkcs7.serialize_certificates([okta[1]], serialization.Encoding.DER)
    text = "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() + "-----END CERTIFICATE-----\n"
    diag = _diag(text)
    assert "CERT_PKCS7" in _codes(diag) and diag.repairable


def test_pem_wrapped_twice(okta):
    once = base64.b64encode(pki.cert_pem(okta[1]).encode())
    diag = _diag(base64.b64encode(once))
    assert _codes(diag).count("CERT_BASE64_WRAPPED") == 2 and diag.repairable


def test_damaged_field(okta):
    good = pki.cert_der(okta[1])
    start = good.find(b"California") - 12
    # cryptography parses names lazily: find a byte in the issuer that loads but does not parse
    for pos in range(start, start + 24):
        der = bytearray(good)
        der[pos] = 0xFC
        if classify(bytes(der)).kind == "damaged":
            break
    else:
        pytest.fail("no damaging byte found")
    diag = _diag(bytes(der))
    assert "CERT_DAMAGED" in _codes(diag) and not diag.repairable
    assert _codes(_diag(b"\x30\x82\x00\x04\x04\x02ab")) == ["CERT_WRONG_TYPE"]


def test_v1_certificate(okta):
    old = certforge.resign(okta[1], okta[0], version=1)
    diag = _diag(pki.cert_pem(old))
    assert _codes(diag) == ["CERT_NOT_V3"] and diag.certificates[0].version == 1


@pytest.mark.parametrize("data, code", [(b"", "CERT_EMPTY"), (b" \n\t", "CERT_EMPTY"),
                                        (bytes(range(1, 200)) * 3, "CERT_BINARY")])
def test_unreadable(data, code):
    with pytest.raises(InputError) as err:
        _diag(data)
    assert err.value.code == code


def test_bad_fingerprint_is_usage_error(okta):
    with pytest.raises(UsageError):
        _diag(pki.cert_pem(okta[1]), expect_fingerprint="12:34")


def test_reference_selects_one_of_several(okta):
    from ssoctl.certs import facts

    other = pki.okta_certificate(pki.cached_rsa_key("other"))[1]
    text = pki.cert_pem(other) + pki.cert_pem(okta[1])
    diag = _diag(text, reference=(facts.describe(okta[1], now=NOW),))
    assert diag.selected == 1 and diag.metadata_match is True
    assert diag.fixed_pem == pki.cert_pem(okta[1])
    repaired = diag.repaired()
    assert not [f for f in repaired.findings if f.is_error]
    assert repaired.verdict.startswith("Repaired")


@pytest.mark.parametrize("kind, der", [
    ("public-key", lambda k, c: k.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)),
    ("private-key", lambda k, c: k.private_bytes(serialization.Encoding.DER,
                                                 serialization.PrivateFormat.TraditionalOpenSSL,
                                                 serialization.NoEncryption())),
    ("private-key", lambda k, c: k.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"))),
    ("cert", lambda k, c: pki.cert_der(c)),
    ("truncated", lambda k, c: pki.cert_der(c)[:300]),
    ("garbage", lambda k, c: b"\x04\x03abc"),
])
def test_classify(okta, kind, der):
    assert classify(der(*okta)).kind == kind


def _urlsafe_cert(okta):
    """A certificate whose base64 has both '+' and '/', so base64url changes it."""
    key = okta[0]
    for cn in ("dev-1", "dev-2", "dev-3", "dev-4", "dev-5", "dev-6"):
        cert = pki.certificate(key, pki.simple_name(cn))
        text = base64.b64encode(pki.cert_der(cert)).decode()
        if "+" in text and "/" in text and text.endswith("="):
            return cert
    raise AssertionError("no suitable test certificate")


def test_urlsafe_base64_is_recognised_and_repaired(okta):
    cert = _urlsafe_cert(okta)
    url = base64.urlsafe_b64encode(pki.cert_der(cert)).decode()
    for text in (url.rstrip("="),  # JWK style: one line, no padding
                 "-----BEGIN CERTIFICATE-----\n" + "\n".join(url[i:i + 64] for i in
                                                             range(0, len(url), 64))
                 + "\n-----END CERTIFICATE-----\n"):
        diag = _diag(text)
        assert "CERT_URLSAFE_BASE64" in _codes(diag), _codes(diag)
        assert "CERT_INVALID_CHARS" not in _codes(diag) and "CERT_BAD_PADDING" not in _codes(diag)
        assert diag.repairable and diag.fixed_pem == pki.cert_pem(cert)
        assert not diag.paste_ready


def test_dash_in_a_standard_body_is_still_an_invalid_character(okta):
    cert = _urlsafe_cert(okta)
    lines = pki.cert_pem(cert).splitlines()
    lines[3] = lines[3][:10] + "-" + lines[3][10:]
    diag = _diag("\n".join(lines) + "\n")
    assert "CERT_INVALID_CHARS" in _codes(diag) and "CERT_URLSAFE_BASE64" not in _codes(diag)
    assert diag.repairable
