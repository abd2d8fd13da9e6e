"""ssoctl.certs: the certificate API other modules build on."""

from __future__ import annotations

import base64
import datetime as dt
import sys
import textwrap

import pytest
from cryptography.hazmat.primitives import hashes

from ssoctl.certs import facts
from ssoctl.rehearsal import certforge, pki
from ssoctl.errors import InputError

from conftest import NOW


def _b64(cert, width: int | None = 76) -> str:
    body = base64.b64encode(pki.cert_der(cert)).decode()
    return "\n".join(textwrap.wrap(body, width)) if width else body


def test_cert_from_base64_okta_wrapping_and_whitespace(okta_pair):
    _, cert = okta_pair
    text = "\n\t  " + _b64(cert).replace("\n", "\r\n   ") + "  \n"
    assert facts.cert_from_base64(text) == cert
    assert facts.cert_from_base64(pki.cert_pem(cert)) == cert


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-12],            # cut off
    lambda t: t + "\u201d",       # smart quote
    lambda t: "",                 # empty
    lambda t: base64.b64encode(b"hello world!").decode(),  # base64, not a certificate
])
def test_cert_from_base64_rejects_non_certificates(okta_pair, mangle):
    with pytest.raises(InputError) as err:
        facts.cert_from_base64(mangle(_b64(okta_pair[1])))
    assert err.value.code == "CERT_UNREADABLE"


def test_describe_okta_certificate(okta_pair):
    _, cert = okta_pair
    info = facts.describe(cert, now=NOW)
    assert info.subject.startswith("C=US, ST=California")
    assert "CN=dev-12345678" in info.subject and "emailAddress=info@okta.com" in info.subject
    assert info.issuer == info.subject and info.self_signed
    assert info.key_type == "RSA" and info.key_size == 2048
    assert info.signature_algorithm == "sha256WithRSAEncryption"
    assert info.version == 3
    assert info.not_before == pki.FIXTURE_EPOCH and info.not_before.tzinfo is not None
    assert info.days_left == (info.not_after - NOW).days
    assert info.sha256 == ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))
    assert len(info.sha1.split(":")) == 20
    assert int(info.serial.replace(":", ""), 16) == cert.serial_number
    lines = info.pem.splitlines()
    assert lines[0] == "-----BEGIN CERTIFICATE-----" and lines[-1] == "-----END CERTIFICATE-----"
    assert all(len(line) == 64 for line in lines[1:-2]) and "\r" not in info.pem
    assert info.pem.endswith("\n")


def test_describe_issued_and_ec_certificates():
    ca_key = pki.cached_rsa_key("ca")
    ca_name = pki.simple_name("Test CA")
    leaf_key = pki.ec_key()
    leaf = pki.certificate(leaf_key, pki.simple_name("leaf"), issuer=ca_name, issuer_key=ca_key)
    info = facts.describe(leaf, now=NOW)
    assert not info.self_signed
    assert (info.key_type, info.key_size) == ("EC", 256)
    assert info.issuer == "CN=Test CA"


def _codes(found):
    return [f.code for f in found]


def test_check_info_clean(okta_pair):
    info = facts.describe(okta_pair[1], now=NOW)
    assert facts.check_info(info, now=NOW) == ()


@pytest.mark.parametrize("when, code", [
    (dt.datetime(2036, 2, 1, tzinfo=dt.timezone.utc), "CERT_EXPIRED"),
    (dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc), "CERT_NOT_YET_VALID"),
    (dt.datetime(2035, 12, 20, tzinfo=dt.timezone.utc), "CERT_EXPIRING_SOON"),
])
def test_check_info_validity(okta_pair, when, code):
    info = facts.describe(okta_pair[1], now=NOW)
    found = facts.check_info(info, now=when)
    assert _codes(found) == [code]
    assert found[0].field == "Certificate"


def test_check_info_warn_days(okta_pair):
    info = facts.describe(okta_pair[1], now=NOW)
    when = info.not_after - dt.timedelta(days=45)
    assert facts.check_info(info, now=when) == ()
    assert _codes(facts.check_info(info, now=when, warn_days=60)) == ["CERT_EXPIRING_SOON"]


def test_check_info_weak_key_and_sha1():
    key = pki.cached_rsa_key("weak", 1024)
    cert = certforge.resign(pki.certificate(key, pki.simple_name("weak")), key, hash_name="sha1")
    found = facts.check_info(facts.describe(cert, now=NOW), now=NOW, field="sipgate Certificate")
    assert _codes(found) == ["CERT_WEAK_KEY", "CERT_SHA1_SIGNATURE"]
    assert found[0].received == "1024" and found[0].field == "sipgate Certificate"


def test_fingerprint_and_normalize(okta_pair):
    cert = okta_pair[1]
    sha1 = facts.fingerprint(cert, "sha1")
    assert sha1 == sha1.upper() and len(sha1) == 59
    assert facts.normalize_fingerprint(sha1.lower().replace(":", "")) == sha1.replace(":", "")
    assert facts.normalize_fingerprint("SHA256:" + facts.fingerprint(cert)) == \
        facts.fingerprint(cert).replace(":", "")
    with pytest.raises(ValueError):
        facts.fingerprint(cert, "md4")
    assert facts.fingerprint(cert, "sha1") == \
        ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA1()))


def test_colon_hex_spells_each_byte_as_two_upper_case_digits():
    assert facts.colon_hex(b"\x00\xab\x0f") == "00:AB:0F"
    assert facts.colon_hex(b"") == ""


def test_import_is_light():
    code = ("import sys, ssoctl.certs; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('lxml', 'signxml', 'requests', 'rich', 'cryptography')]; print(bad)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_v1_and_md5_certificates(okta_pair):
    key, cert = okta_pair
    old = certforge.resign(cert, key, version=1, hash_name="md5")
    info = facts.describe(old, now=NOW)
    assert (info.version, info.signature_algorithm, info.self_signed) == (1, "md5WithRSAEncryption", True)
    assert _codes(facts.check_info(info, now=NOW)) == ["CERT_MD5_SIGNATURE", "CERT_NOT_V3"]


@pytest.mark.parametrize("make", [
    lambda: pki.okta_certificate(pki.cached_rsa_key("okta"))[1],
    lambda: pki.certificate(pki.cached_rsa_key("r4096", 4096), pki.simple_name("x" * 40)),
    lambda: pki.certificate(pki.ec_key(), pki.simple_name("ec")),
    lambda: pki.certificate(pki.ec_key(), pki.simple_name("e" * 17)),
], ids=["okta-rsa2048", "rsa4096", "ec", "ec-other-length"])
def test_pem_written_from_der_is_the_pem_cryptography_writes(make):
    """describe() writes the clean PEM from the DER it was given; it must be the very text
    cryptography would write (any length: a full last line, a short one)."""
    cert = make()
    der = pki.cert_der(cert)
    assert facts.pem_of_der(der) == facts.clean_pem(cert)
    from_der = facts.describe(cert, now=NOW, der=der)
    assert from_der == facts.describe(cert, now=NOW)
    assert facts.describe_base64(_b64(cert), now=NOW) == from_der


def test_pem_of_der_line_lengths():
    for size in range(40, 100):  # base64 lengths on both sides of a multiple of 64
        text = facts.pem_of_der(bytes(range(256))[:size])
        lines = text.splitlines()
        assert lines[0] == "-----BEGIN CERTIFICATE-----" and lines[-1] == "-----END CERTIFICATE-----"
        assert all(len(line) == 64 for line in lines[1:-2]) and 0 < len(lines[-2]) <= 64
        assert text.endswith("\n") and "\r" not in text
        assert base64.b64decode("".join(lines[1:-1])) == bytes(range(256))[:size]
