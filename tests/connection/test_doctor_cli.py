"""``ssoctl doctor`` against the Okta stand-in, the fake SP and a DNS server on 127.0.0.1:
each thing that breaks a live connection has its own finding, its own test, and shows up
as a failing JUnit test case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.dns_server import DnsServer

from ssoctl import xmlsafe

from .conftest import ACS_URL, NOW_TEXT, SP_ENTITY_ID

TXT = "sipgate-domain-verification=7f3a9c"


@pytest.fixture
def dns():
    with DnsServer() as server:
        server.txt["example.com"] = ["v=spf1 -all", TXT]
        yield server


@pytest.fixture
def connected(world):
    """A finished set-up: the Okta app configured and the SP profile holding its values."""
    result = world.run("setup", "--sp-profile", "acme", "--assign-group", "sipgate users",
                       "--yes", "--json")
    assert result.exit_code == 0, result.stdout
    world.app_id = result.json()["data"]["app_id"]
    return world


def _doctor(world, *args, now: str = NOW_TEXT):
    return world.cli("doctor", "--config", world.config, "--now", now, *args, env=world.env)


def _codes(result) -> set[str]:
    return {f["code"] for f in result.json()["findings"]}


def _checks(result) -> dict[str, str]:
    return {c["name"]: c["status"] for c in result.json()["data"]["checks"]}


def test_a_healthy_connection_passes_every_check(connected, dns):
    result = _doctor(connected, "--sp-profile", "acme", "--domain", "example.com",
                     "--txt-value", TXT, "--dns-server", dns.address, "--json")
    assert result.exit_code == 0, result.stdout
    assert set(_checks(result).values()) == {"pass"}
    assert list(_checks(result)) == ["okta_app", "certificates", "sp_certificate",
                                     "sp_sso_url", "sp_entity_id", "metadata_url", "dns_txt"]
    data = result.json()["data"]
    assert data["app_id"] == connected.app_id and data["sp"]["read_from_sp"] is True


def test_the_text_report_is_one_line_per_check(connected, dns):
    result = _doctor(connected, "--sp-profile", "acme", "--domain", "example.com",
                     "--dns-server", dns.address)
    assert result.exit_code == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if line[:4] in ("ok  ", "WARN",
                                                                        "FAIL", "skip")]
    assert len(lines) == 7
    assert lines[2].startswith("ok    sipgate Certificate: matches Okta (SP profile acme)")
    assert "7 checks: no failures" in result.stdout


def test_doctor_writes_nothing(connected, dns):
    since, version = len(connected.okta.requests), connected.sp.version
    _doctor(connected, "--sp-profile", "acme", "--domain", "example.com",
            "--dns-server", dns.address)
    assert [r.method for r in connected.okta.requests[since:]
            if r.method not in ("GET", "HEAD")] == []
    assert connected.sp.version == version


def test_a_key_rotated_in_okta_is_drift(connected):
    old_pem = connected.sp.settings["certificate"]
    Path("pasted.pem").write_text(old_pem)
    new_kid = connected.okta.add_key(connected.app_id, activate=True)
    for args in (("--sp-profile", "acme"), ("--sp-cert", "pasted.pem")):
        result = _doctor(connected, *args, "--json")
        assert result.exit_code == 1, result.stdout
        [drift] = [f for f in result.json()["findings"] if f["code"] == "CONN_CERT_DRIFT"]
        assert f"Okta signs with key {new_kid} now" in drift["message"]
        assert "the signing key was switched in Okta" in drift["message"]
        assert _checks(result)["sp_certificate"] == "fail"
        assert _checks(result)["okta_app"] == "pass"


def test_a_certificate_okta_never_had_is_drift(connected):
    result = _doctor(connected, "--sp-fingerprint", "AB" * 32, "--json")
    assert result.exit_code == 1
    [drift] = [f for f in result.json()["findings"] if f["code"] == "CONN_CERT_DRIFT"]
    assert "none of the Okta app's signing keys" in drift["message"]
    assert _checks(result)["sp_sso_url"] == "skipped"  # a fingerprint says nothing else


def test_sso_url_and_entity_id_drift(connected):
    connected.sp.settings.update(sso_url="https://old.example/sso",
                                 idp_entity_id="http://www.okta.com/exkOLD")
    result = _doctor(connected, "--sp-profile", "acme", "--json")
    assert result.exit_code == 1
    assert {"CONN_SSO_URL_DRIFT", "CONN_ISSUER_DRIFT"} <= _codes(result)


def test_an_expiring_certificate_warns_and_fails_under_strict(world):
    app = world.okta.add_app("sipgate", acs_url=ACS_URL, audience=SP_ENTITY_ID,
                             user_name_template="${source.email}", cert_days=20,
                             groups=[world.group_id])
    result = _doctor(world, "--app", app, "--json")
    assert result.exit_code == 0, result.stdout
    [item] = [f for f in result.json()["findings"] if f["code"] == "CONN_CERT_EXPIRING"]
    assert item["severity"] == "warning" and "in 20 days" in item["message"]
    assert _checks(result)["certificates"] == "warning"
    assert _doctor(world, "--app", app, "--json", "--strict").exit_code == 1
    later = (dt.datetime.fromisoformat(NOW_TEXT.replace("Z", "+00:00"))
             + dt.timedelta(days=30)).isoformat()
    expired = _doctor(world, "--app", app, "--json", now=later)
    assert expired.exit_code == 1 and "CONN_CERT_EXPIRED" in _codes(expired)
    assert "CERT_EXPIRED" not in _codes(expired)  # said once, in the connection's words


def test_a_next_certificate_that_expires_soon_warns(world):
    app = world.okta.add_app("sipgate", acs_url=ACS_URL, audience=SP_ENTITY_ID,
                             user_name_template="${source.email}", groups=[world.group_id])
    world.okta.add_key(app, days=10, not_before=dt.datetime.fromisoformat(
        NOW_TEXT.replace("Z", "+00:00")) + dt.timedelta(hours=1))
    result = _doctor(world, "--app", app, "--json")
    assert "CONN_NEXT_CERT_EXPIRING" in _codes(result)
    assert "CONN_CERT_EXPIRING" not in _codes(result)


def test_an_inactive_app_fails(world):
    app = world.okta.add_app("sipgate", acs_url=ACS_URL, audience=SP_ENTITY_ID,
                             user_name_template="${source.email}", status="INACTIVE",
                             groups=[world.group_id])
    result = _doctor(world, "--app", app, "--json")
    assert result.exit_code == 1
    assert "OKTA_APP_INACTIVE" in _codes(result)
    assert _checks(result)["okta_app"] == "fail"


def test_a_missing_dns_record_fails(connected, dns):
    dns.txt["example.com"] = ["v=spf1 -all"]
    result = _doctor(connected, "--domain", "example.com", "--txt-value", TXT,
                     "--dns-server", dns.address, "--json")
    assert result.exit_code == 1
    assert "CONN_DNS_TXT_MISSING" in _codes(result)
    assert _checks(result)["dns_txt"] == "fail"
    assert dns.queries == [("example.com", "TXT")]


def test_a_dead_dns_server_is_a_failed_lookup(connected, dns):
    dns.mode = "servfail"
    result = _doctor(connected, "--domain", "example.com", "--dns-server", dns.address,
                     "--json")
    assert result.exit_code == 1 and "CONN_DNS_LOOKUP_FAILED" in _codes(result)


def test_the_metadata_url_must_answer_and_match(connected):
    other = connected.okta.add_app("other", acs_url="https://other.example/acs",
                                   audience="https://other.example")
    other_meta = connected.okta.metadata_xml(other)
    exk = other_meta.split(b'entityID="http://www.okta.com/', 1)[1].split(b'"', 1)[0].decode()
    url = f"{connected.okta.url}/app/{exk}/sso/saml/metadata"
    result = _doctor(connected, "--metadata-url", url, "--json")
    assert result.exit_code == 1 and "CONN_METADATA_MISMATCH" in _codes(result)
    gone = _doctor(connected, "--metadata-url", f"{connected.okta.url}/app/exkNOPE/sso/saml/"
                   "metadata", "--json")
    assert gone.exit_code == 1 and "CONN_METADATA_UNREACHABLE" in _codes(gone)


def test_an_unreachable_sp_fails_its_check_and_the_others_still_run(connected):
    connected.sp.token = "changed-on-the-sp-side"
    result = _doctor(connected, "--sp-profile", "acme", "--json")
    assert result.exit_code == 1
    checks = _checks(result)
    assert checks["sp_certificate"] == "fail" and "CONN_CHECK_FAILED" in _codes(result)
    assert checks["okta_app"] == "pass" and checks["metadata_url"] == "pass"


def test_nothing_to_compare_is_said_not_hidden(connected):
    result = _doctor(connected, "--json")
    assert result.exit_code == 0
    assert "CONN_SP_NOT_COMPARED" in _codes(result)
    assert _checks(result)["sp_certificate"] == "skipped"


def test_junit_output_parses_and_fails_the_right_cases(connected, dns):
    connected.okta.add_key(connected.app_id, activate=True)
    dns.txt["example.com"] = []
    result = _doctor(connected, "--sp-profile", "acme", "--domain", "example.com",
                     "--dns-server", dns.address, "--format", "junit")
    assert result.exit_code == 1
    root = xmlsafe.parse(result.stdout.encode(), what="JUnit report")
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 7 == int(suite.get("tests"))
    failed = {c.get("name").split(":")[0]: c.find("failure") for c in cases
              if c.find("failure") is not None}
    assert set(failed) == {"sp_certificate", "dns_txt"}
    assert failed["sp_certificate"].get("type") == "CONN_CERT_DRIFT"
    assert failed["dns_txt"].get("type") == "CONN_DNS_TXT_MISSING"
    assert int(suite.get("failures")) == 2 == int(root.get("failures"))
    assert suite.get("timestamp") == "2026-06-01T12:00:00"
    # the human lines went to stderr, so stdout is the XML document alone
    assert "FAIL  sipgate Certificate" in result.stderr


def test_junit_marks_skipped_checks_and_strict_warnings(world):
    app = world.okta.add_app("sipgate", acs_url=ACS_URL, audience=SP_ENTITY_ID,
                             user_name_template="${source.email}", cert_days=20,
                             groups=[world.group_id])
    plain = xmlsafe.parse(_doctor(world, "--app", app, "--format", "junit").stdout.encode())
    assert int(plain.get("failures")) == 0 and int(plain.get("skipped")) == 4
    strict = _doctor(world, "--app", app, "--format", "junit", "--strict")
    assert strict.exit_code == 1
    root = xmlsafe.parse(strict.stdout.encode())
    [case] = [c for c in root.iter("testcase") if c.get("name").startswith("certificates")]
    assert case.find("failure").get("type") == "CONN_CERT_EXPIRING"


@pytest.mark.parametrize("args,words", [
    (("--format", "junit", "--json"), "--json and --format junit"),
    (("--format", "yaml"), "use text, json or junit"),
    (("--dns-server", "dns.example.com", "--domain", "example.com"), "is not an IP address"),
    (("--sp-fingerprint", "12:34"), "is not a SHA-256 fingerprint"),
    (("--sp-profile", "acme", "--sp-cert", "x.pem"), "give one of --sp-profile, --sp-cert"),
])
def test_usage_errors(world, args, words):
    result = _doctor(world, *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert words in result.stderr + result.stdout  # with --json the error is JSON on stdout


def test_an_unknown_app_is_exit_5(world):
    result = _doctor(world, "--app", "0oaDOESNOTEXIST0001", "--json")
    assert result.exit_code == 5
    assert result.json()["error"]["code"] == "OKTA_NOT_FOUND"



def test_junit_still_reports_when_okta_cannot_be_reached(world):
    world.okta.inject(r"/api/v1/apps", status=401, times=None)
    result = _doctor(world, "--format", "junit")
    assert result.exit_code == 5
    root = xmlsafe.parse(result.stdout.encode())
    [case] = root.iter("testcase")
    assert case.get("name").startswith("doctor: ") and case.find("failure") is not None
    assert "OKTA_BAD_TOKEN" in case.find("failure").text
    assert "error: " in result.stderr
