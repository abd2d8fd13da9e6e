"""Many certificates in one run: ``check-cert FILE... | DIR | --each BUNDLE`` (certs/batch.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from conftest import FIXTURES
from ssoctl.certs import batch
from ssoctl.errors import ExitCode, InputError, UsageError
from ssoctl.rehearsal import pki

CERTS = FIXTURES / "certs"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def folder(tmp_path):
    """A CI job's folder: two good certificates, an expired one, a private key, a note."""
    for name in ("okta.cert", "expired.pem", "private-key.pem", "okta.cer"):
        shutil.copy(CERTS / name, tmp_path / name)
    (tmp_path / "README.txt").write_text("not a certificate, not looked at")
    (tmp_path / ".hidden.pem").write_text("skipped")
    return tmp_path


def test_a_directory_gives_one_result_per_certificate_and_the_worst_exit(folder):
    summary = batch.check_files([str(folder)], now=NOW)
    by_name = {r.source.rsplit("/", 1)[-1]: r for r in summary.results}
    assert sorted(by_name) == ["expired.pem", "okta.cer", "okta.cert", "private-key.pem"]
    assert by_name["okta.cert"].outcome is batch.Outcome.READY
    # DER is a good certificate but not text to paste: the same verdict as check-cert FILE
    assert by_name["okta.cer"].outcome is batch.Outcome.ERROR
    assert [f.code for f in by_name["okta.cer"].findings] == ["CERT_DER"]
    assert by_name["expired.pem"].outcome is batch.Outcome.ERROR
    assert by_name["private-key.pem"].outcome is batch.Outcome.UNREADABLE
    assert summary.exit_code is ExitCode.INPUT  # the worst: an unreadable file
    assert summary.line() == "4 certificates: 1 ready to paste, 2 with errors, 1 unreadable"


def test_a_bundle_is_split_and_several_certificates_is_no_defect_there():
    results = batch.check_one(CERTS / "several.pem", now=NOW)
    assert [r.source.rsplit("/", 1)[-1] for r in results] == ["several.pem #1", "several.pem #2"]
    assert all(r.outcome is batch.Outcome.READY for r in results)
    assert not any(f.code == "CERT_SEVERAL" for r in results for f in r.findings)


def test_each_certificate_of_a_bundle_gets_its_own_dates(tmp_path):
    good = pki.certificate(pki.cached_rsa_key("batch"), pki.simple_name("good"))
    old = pki.certificate(pki.cached_rsa_key("batch"), pki.simple_name("old"),
                          not_before=NOW - dt.timedelta(days=800), days=365)
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(pki.cert_pem(good) + pki.cert_pem(old))
    results = batch.check_one(bundle, now=NOW)
    assert [r.outcome for r in results] == [batch.Outcome.READY, batch.Outcome.ERROR]
    assert [f.code for f in results[1].findings] == ["CERT_EXPIRED"]


def test_a_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        batch.check_files([str(tmp_path / "nope.pem")], now=NOW)


def test_an_empty_directory_says_what_it_looked_for(tmp_path):
    with pytest.raises(UsageError) as err:
        batch.check_files([str(tmp_path)], now=NOW)
    assert ".pem" in err.value.hint


def test_command_table_summary_and_exit_code(cli, folder):
    r = cli("check-cert", folder, "--now", "2026-06-01")
    assert r.exit_code == 3
    assert "4 certificates: 1 ready to paste" in r.stdout
    assert "private-key.pem: error: this is a private key" in r.stdout
    assert "BEGIN PRIVATE KEY" not in r.stdout + r.stderr  # never echoed


def test_command_json_is_an_array_of_results(cli):
    r = cli("check-cert", CERTS / "okta.cert", CERTS / "expired.pem", "--now", "2026-06-01",
            "--json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and isinstance(doc["data"], list) and len(doc["data"]) == 2
    assert [item["outcome"] for item in doc["data"]] == ["ready", "error"]
    assert doc["data"][1]["findings"][0]["code"] == "CERT_EXPIRED"


def test_each_checks_a_single_bundle_per_certificate(cli):
    r = cli("check-cert", "--each", CERTS / "several.pem", "--now", "2026-06-01")
    assert r.exit_code == 0 and "2 certificates: 2 ready to paste" in r.stdout


@pytest.mark.parametrize("option", [["--fix"], ["--text", "x"], ["--expect-fingerprint", "AA"],
                                    ["--metadata", str(CERTS / "okta-metadata.xml")]])
def test_single_certificate_options_are_refused_in_a_batch(cli, option):
    r = cli("check-cert", CERTS / "okta.cert", CERTS / "okta.cer", *option)
    assert r.exit_code == 2 and "several certificates" in r.stderr


def test_one_file_keeps_the_paste_doctor(cli):
    """A single bundle without --each is text someone means to paste: two certificates
    pasted together is the defect it reports."""
    r = cli("check-cert", CERTS / "several.pem", "--now", "2026-06-01", "--json")
    assert r.exit_code == 1
    assert any(f["code"] == "CERT_SEVERAL" for f in json.loads(r.stdout)["findings"])
