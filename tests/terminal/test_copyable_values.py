"""Values a user copies survive copying: run in a real pseudo-terminal at 60, 80 and 200
columns, every URL, entity ID, fingerprint, file path, PEM line and command line that
ssoctl prints appears whole on one line (issue 11). A long value goes on a line of its
own and runs past the edge; the terminal folds it on screen, but no newline is written
into it, so a copy of it is the value.
"""

from __future__ import annotations

import datetime as dt
import shlex
import threading

import pytest

from ssoctl.certs.diagnose import diagnose
from ssoctl.config.tomlwrite import dump_toml
from ssoctl.metadata.reader import load
from ssoctl.rehearsal import fakesp

from .screen import ROOT, run, run_widths

NOW = "2026-06-01T12:00:00Z"
WHEN = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
OKTA = ROOT / "fixtures" / "metadata" / "okta.xml"
ENTRA = ROOT / "fixtures" / "metadata" / "entra.xml"
CERT = ROOT / "fixtures" / "certs" / "okta.cert"
TOKEN_ID, TOKEN = "token-TERM01", "0b9e7c55-terminal-test-token-Q7"
#: An Entra-style sign-on URL longer than the widest terminal tested.
LONG_URL = ("https://login.microsoftonline.com/0f3e7c1a-5b2d-4e8f-9a6c-1d2b3c4d5e6f/saml2"
            "?appid=4f1c9e2a-7b3d-4c5e-8f6a-0b1c2d3e4f5a&tenantHint=contoso.onmicrosoft.com"
            "&domain_hint=contoso.example&whr=contoso.example&login_hint=someone%40contoso.example")


def _pem_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line]


def _assert_whole(screen, *values: str) -> None:
    for value in values:
        assert screen.has_whole(value), (
            f"{value!r} is broken at {screen.columns} columns:\n{screen.text}")


def test_import_metadata_okta():
    for screen in run_widths(["import-metadata", "fixtures/metadata/okta.xml", "--now", NOW]):
        _okta_values_whole(screen)


def _okta_values_whole(screen):
    settings = load(OKTA.read_bytes(), now=WHEN)
    columns = screen.columns
    assert screen.exit_code == 0, screen.text
    cert = settings.certificate
    _assert_whole(screen, settings.sso_url, settings.entity_id, cert.sha256,
                  "fixtures/metadata/okta.xml", *_pem_lines(cert.pem))
    # the value sipgate asks for is on the label's line when it fits, else right below it
    lines = screen.lines
    label = next(i for i, line in enumerate(lines) if line.lstrip().startswith("SSO URL:"))
    assert settings.sso_url in lines[label] + lines[label + 1]
    if columns == 200:
        assert settings.sso_url in lines[label]


def test_import_metadata_long_entra_url_in_a_folder_with_spaces(tmp_path):
    folder = tmp_path / "Application Support" / "ssoctl metadata"
    folder.mkdir(parents=True)
    source = folder / "entra federation metadata.xml"
    text = ENTRA.read_text(encoding="utf-8")
    text = text.replace("https://login.microsoftonline.com/0f3e7c1a-5b2d-4e8f-9a6c-1d2b3c4d5e6f"
                        "/saml2", LONG_URL.replace("&", "&amp;"))
    source.write_text(text, encoding="utf-8")
    settings = load(source.read_bytes(), now=WHEN)
    assert settings.sso_url == LONG_URL and len(LONG_URL) > 200
    for screen in run_widths(["import-metadata", str(source), "--now", NOW]):
        assert screen.exit_code in (0, 1), screen.text
        _assert_whole(screen, LONG_URL, settings.entity_id, str(source),
                      settings.certificate.sha256)
        url_line = screen.line_with(LONG_URL)
        assert url_line.strip() == LONG_URL  # too long for any width: a line of its own


def test_check_cert_fingerprints():
    info = diagnose(CERT.read_bytes(), now=WHEN).certificates[0]
    for screen in run_widths(["check-cert", "fixtures/certs/okta.cert", "--now", NOW]):
        assert screen.exit_code == 0, screen.text
        _assert_whole(screen, info.sha256, info.sha1, info.serial)


def test_check_cert_several_certificates_table():
    infos = diagnose((ROOT / "fixtures/certs/several.pem").read_bytes(), now=WHEN).certificates
    for screen in run_widths(["check-cert", "fixtures/certs/several.pem", "--now", NOW]):
        _assert_whole(screen, *(info.sha256 for info in infos))


# ---------------------------------------------------------------- push, rollback, sp status

class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture(scope="module")
def fake_sp():
    sp = fakesp.ContractSp(token=TOKEN, token_id=TOKEN_ID)
    server = fakesp.serve(sp, port=0, log=_Quiet())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield sp, f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()


def _config(tmp_path, base_url: str):
    """A profile whose backups go to a long folder with spaces (as on macOS)."""
    backups = tmp_path / "Library" / "Application Support" / "ssoctl" / "backups for acme"
    config = tmp_path / "config.toml"
    config.write_text(dump_toml({"profiles": {"acme": {
        "base_url": base_url, "token_id": TOKEN_ID, "backup_dir": str(backups)}}}))
    return str(config), {"SSOCTL_TOKEN": TOKEN}


def test_push_rollback_and_status(tmp_path, fake_sp):
    sp, base_url = fake_sp
    config, env = _config(tmp_path, base_url)
    settings = load(OKTA.read_bytes(), now=WHEN)
    common = ["--profile", "acme", "--config", config, "--now", NOW]
    for dry in run_widths(["push", "--metadata", "fixtures/metadata/okta.xml", "--dry-run",
                           *common], env=env):
        assert dry.exit_code in (0, 10), dry.text
        _assert_whole(dry, base_url + "/sso/settings", settings.entity_id)

    pushed = run(["push", "--metadata", "fixtures/metadata/okta.xml", "--yes", *common],
                 columns=60, env=env)
    assert pushed.exit_code == 0, pushed.text
    backup = str(next((tmp_path / "Library").rglob("acme-*.json")))
    undo = f"ssoctl rollback {shlex.quote(backup)} --profile acme"  # shell-quoted
    for status in run_widths(["sp", "status", *common], env=env):
        assert status.exit_code == 0, status.text
        _assert_whole(status, settings.sso_url, settings.entity_id,
                      settings.certificate.sha256, base_url + "/sso/settings")
    _assert_whole(pushed, backup, undo)
    back = run(["rollback", backup, "--yes", *common], columns=80, env=env)
    assert back.exit_code == 0, back.text
    _assert_whole(back, backup, base_url + "/sso/settings")
    assert sp.settings["sso_url"] is None


# ---------------------------------------------------------------- hints and fixes

def test_error_hint_keeps_commands_whole():
    for screen in run_widths(["check-cert"]):
        _hint_commands_whole(screen)


def _hint_commands_whole(screen):
    columns = screen.columns
    assert screen.exit_code == 2
    hint = next(line for line in screen.lines if line.startswith("hint:"))
    assert hint.startswith("hint: ")
    for command in ("ssoctl check-cert okta.cert", "pbpaste | ssoctl check-cert -"):
        if command.startswith("pbpaste") and columns < 80:
            command = "ssoctl check-cert -"
        _assert_whole(screen, command)


def test_missing_profile_hint(tmp_path):
    config = tmp_path / "a folder with a long name" / "config.toml"
    config.parent.mkdir()
    config.write_text("")
    for screen in run_widths(["sp", "status", "--config", str(config)]):
        assert screen.exit_code == 2, screen.text
        assert screen.has_whole("error: ") and screen.has_whole("hint: ")
        _assert_whole(screen, "ssoctl config set --profile acme base_url "
                              "https://sso-adapter.example/v2")
        _assert_whole(screen, str(config))


def test_finding_fix_keeps_its_command_and_indent():
    for screen in run_widths(["check-cert", "fixtures/certs/no-armor.txt", "--now", NOW]):
        _fix_whole(screen)


def _fix_whole(screen):
    assert screen.exit_code == 1
    at = next(i for i, line in enumerate(screen.lines) if "fix:" in line)
    assert screen.lines[at].startswith("      fix:")
    # the command beside the label, or (too long for it) on a line of its own below
    fix = " ".join(screen.lines[at:at + 2])
    command = fix.split("`")[1] if "`" in fix else None
    assert command and command.startswith("ssoctl check-cert"), fix
    assert any(f"`{command}`" in line for line in screen.lines[at:at + 2])  # whole
    start = screen.lines.index(next(line for line in screen.lines if line == "Findings"))
    for line in screen.lines[start + 1:]:
        if line.strip():
            assert line.startswith("  "), line  # findings keep their indent when wrapped
