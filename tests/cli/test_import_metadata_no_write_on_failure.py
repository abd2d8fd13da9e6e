"""``import-metadata`` writes and prints for scripts only what passed its checks
(docs/commands/import-metadata.md, "Nothing written on a failed check"): the same rule
as ``check-cert --fix``. On exit 4 (signature) and exit 1 (an error finding such as an
expired certificate, or a warning under ``--strict``) ``--cert-out`` writes nothing and
``--format env`` prints nothing on stdout; the report says why, on stderr."""

from __future__ import annotations

import pytest

from conftest import FIXTURES

MD_DIR = FIXTURES / "metadata"
NOW = "2026-06-01T12:00:00Z"

FAILING = {
    "signature-4": (("entra.xml", "--verify-signature", MD_DIR / "adfs-signing.pem"), 4,
                    "signature does not verify"),
    "unsigned-4": (("okta.xml", "--verify-signature", MD_DIR / "okta-signing.pem"), 4,
                   "the metadata is not signed"),
    "expired-1": (("defect-expired-cert.xml",), 1, "see the errors below"),
    "strict-1": (("entra.xml", "--strict"), 1, "--strict is given"),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_nothing_written_or_printed_for_scripts_on_a_failed_check(cli, tmp_path, case):
    args, code, why = FAILING[case]
    out = tmp_path / "idp.pem"
    result = cli("import-metadata", MD_DIR / args[0], *args[1:], "--now", NOW,
                 "--cert-out", out, "--format", "env")
    assert result.exit_code == code, result.stderr
    assert not out.exists()
    assert result.stdout == ""  # `> idp.env && . idp.env` gets nothing to source
    assert "--cert-out wrote nothing" in result.stderr and "--format env printed nothing" \
        in result.stderr and why in result.stderr


@pytest.mark.parametrize("case", sorted(FAILING))
def test_json_reports_no_cert_out_on_a_failed_check(cli, tmp_path, case):
    args, code, _ = FAILING[case]
    out = tmp_path / "idp.pem"
    result = cli("--json", "import-metadata", MD_DIR / args[0], *args[1:], "--now", NOW,
                 "--cert-out", out)
    assert result.exit_code == code
    assert result.json()["data"]["cert_out"] is None and not out.exists()


def test_a_passing_check_still_writes_and_prints(cli, tmp_path):
    out = tmp_path / "idp.pem"
    result = cli("import-metadata", MD_DIR / "okta.xml", "--now", NOW, "--cert-out", out,
                 "--format", "env")
    assert result.exit_code == 0 and out.exists()
    assert "SSOCTL_SSO_URL=" in result.stdout and f"SSOCTL_CERT_PEM_FILE={out}" in result.stdout
