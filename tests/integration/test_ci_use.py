"""CI use: drift has its own exit status, outputs do not mix, files are not clobbered by a
second run, backups can be listed and the newest restored, exit statuses are explained."""

from __future__ import annotations

from .fake_sp import fake_sp, sp_server  # noqa: F401  (fixtures)
from .push_helpers import (ENTITY_ID, ENV, ROOT_FIXTURES, SSO_URL, backups, cert_pem,
                           contract_profile, push_args, write_cert, write_config)

OKTA_MD = ROOT_FIXTURES / "metadata" / "okta.xml"


def _setup(tmp_path, sp, **extra):
    return write_config(tmp_path, {"acme": contract_profile(sp, **extra)})


def test_dry_run_exit_status_tells_drift_from_no_drift(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    cert = write_cert(tmp_path)
    drift = cli(*push_args(config, tmp_path, "--dry-run", "--json", cert=cert), env=ENV)
    assert drift.exit_code == 10
    assert drift.json()["data"]["outcome"] == "dry_run" and "error" not in drift.json()
    assert cli(*push_args(config, tmp_path, "--yes", cert=cert), env=ENV).exit_code == 0
    same = cli(*push_args(config, tmp_path, "--dry-run", cert=cert), env=ENV)
    assert same.exit_code == 0 and "no changes" in same.stdout
    expired = write_cert(tmp_path, "okta-idp", expired=True)
    refused = cli(*push_args(config, tmp_path, "--dry-run", cert=expired), env=ENV)
    assert refused.exit_code == 1  # error findings stay exit 1, not "pending"


def test_bulk_dry_run_with_changes_exits_10(cli, tmp_path, fake_sp):
    config = write_config(tmp_path, {"a": contract_profile(fake_sp),
                                     "b": contract_profile(fake_sp)})
    result = cli("push", "--config", config, "--profiles", "a", "--dry-run",
                 "--backup-dir", str(tmp_path / "backups"), "--now", "2026-06-01T12:00:00Z",
                 "--sso-url", SSO_URL, "--entity-id", ENTITY_ID, "--cert",
                 write_cert(tmp_path), env=ENV)
    assert result.exit_code == 10, result.stdout + result.stderr


def test_format_env_with_json_is_a_usage_error(cli):
    for args in (["import-metadata", OKTA_MD, "--format", "env", "--json"],
                 ["--json", "import-metadata", OKTA_MD, "--format", "env"]):
        result = cli(*args)
        assert result.exit_code == 2
        assert result.json()["error"]["code"] == "USAGE"
        assert "SSOCTL_" not in result.stdout


def test_readme_ci_line_works_twice(cli, tmp_path, monkeypatch):
    """`--format env --cert-out idp.pem --force > idp.env`, as the README has it, run twice;
    without --force the second run says the file exists and suggests --force."""
    monkeypatch.chdir(tmp_path)
    args = ["import-metadata", OKTA_MD, "--now", "2026-06-01", "--format", "env",
            "--cert-out", "idp.pem"]
    first = cli(*args, "--force")
    second = cli(*args, "--force")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout and "SSOCTL_CERT_PEM_FILE=idp.pem" in second.stdout
    third = cli(*args)
    assert third.exit_code == 2 and third.stdout == ""
    assert "idp.pem already exists" in third.stderr and "--force" in third.stderr
    readme = (ROOT_FIXTURES.parent / "README.md").read_text()
    assert "--format env --cert-out idp.pem --force" in readme


def test_rollback_list_and_latest(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    folder = tmp_path / "backups"
    first = write_cert(tmp_path, "first")
    second = write_cert(tmp_path, "second")
    for cert, when in ((first, "2026-06-01T12:00:00Z"), (second, "2026-06-02T12:00:00Z")):
        args = push_args(config, tmp_path, "--yes", cert=cert)
        args[args.index("--now") + 1] = when
        assert cli(*args, env=ENV).exit_code == 0
    listed = cli("rollback", "--list", "--config", config, "--profile", "acme",
                 "--backup-dir", folder, "--json", env=ENV)
    assert listed.exit_code == 0, listed.stderr
    rows = listed.json()["data"]["backups"]
    assert [r["path"].rsplit("/", 1)[-1] for r in rows] == [
        "acme-20260602T120000Z.json", "acme-20260601T120000Z.json"]  # newest first
    human = cli("rollback", "--list", "--config", config, "--backup-dir", folder, env=ENV)
    assert "acme-20260602T120000Z.json" in human.stdout
    assert "ssoctl rollback --latest --profile acme" in human.stdout
    # --latest: the settings before the last push (the first certificate)
    done = cli("rollback", "--latest", "--config", config, "--profile", "acme",
               "--backup-dir", folder, "--yes", "--now", "2026-06-03T12:00:00Z", "--json",
               env=ENV)
    assert done.exit_code == 0, done.stdout + done.stderr
    assert done.json()["data"]["source"].endswith("acme-20260602T120000Z.json")
    assert fake_sp.state["certificate"].strip() == cert_pem("first").strip()
    assert len(backups(tmp_path)) == 3  # the rollback backed up the present settings first


def test_rollback_latest_skips_a_file_whose_time_has_no_utc_offset(cli, tmp_path, fake_sp):
    import json

    config = _setup(tmp_path, fake_sp)
    folder = tmp_path / "backups"
    pushed = cli(*push_args(config, tmp_path, "--yes", "--json", cert=write_cert(tmp_path)),
                 env=ENV)
    assert pushed.exit_code == 0, pushed.stdout
    doc = json.loads(open(pushed.json()["data"]["backup"]).read())
    doc["taken_at"] = "2099-01-01T00:00:00"  # edited: "newer", but no offset
    (folder / "acme-20990101T000000Z.json").write_text(json.dumps(doc))
    done = cli("rollback", "--latest", "--config", config, "--profile", "acme",
               "--backup-dir", folder, "--dry-run", "--json", env=ENV)
    assert done.exit_code == 0, done.stdout + done.stderr
    assert done.json()["data"]["source"] == f"backup {pushed.json()['data']['backup']}"


def test_rollback_needs_a_backup_or_latest(cli, tmp_path, fake_sp):
    config = _setup(tmp_path, fake_sp)
    neither = cli("rollback", "--config", config, "--json", env=ENV)
    assert neither.exit_code == 2 and "--latest" in neither.json()["error"]["hint"]
    none = cli("rollback", "--latest", "--config", config, "--profile", "acme",
               "--backup-dir", tmp_path / "empty", "--json", env=ENV)
    assert none.exit_code == 2 and none.json()["error"]["code"] == "BACKUP_NONE"
    empty = cli("rollback", "--list", "--config", config, "--backup-dir", tmp_path / "empty",
                env=ENV)
    assert empty.exit_code == 0 and "No backups" in empty.stdout


def test_explain_exit_statuses(cli):
    result = cli("explain", "7")
    assert result.exit_code == 0
    assert "ROLLED_BACK" in result.stdout and "previous settings were restored" in result.stdout
    assert "CHANGES_PENDING" in cli("explain", "10").stdout
    doc = cli("explain", "exit 4", "--json").json()
    [match] = doc["data"]["matches"]
    assert match["kind"] == "exit_status" and "SIG_INVALID" in match["related_codes"]
    unknown = cli("explain", "9")
    assert unknown.exit_code == 1 and "0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 130" in unknown.stdout


def test_every_exit_status_is_documented_and_explained(cli):
    from ssoctl.errors import ExitCode

    doc = (ROOT_FIXTURES.parent / "docs" / "exit-codes.md").read_text()
    for code in ExitCode:
        assert f"| {int(code)} | {code.name} |" in doc
        data = cli("explain", str(int(code)), "--json").json()["data"]
        assert data["matches"][0]["title"] == code.name
        assert data["matches"][0]["explanation"]
