"""Bulk push: several tenants, bounded concurrency, one failure stops no other."""

from __future__ import annotations

from .fake_sp import TOKEN, TOKEN_ID, FakeSp, sp_server  # noqa: F401
from .push_helpers import ENV, NOW, SSO_URL, contract_profile, write_cert, write_config

BULK_ENV = dict(ENV, SSOCTL_TOKEN="", SSOCTL_TOKEN_ID=TOKEN_ID,
                SSOCTL_A_TOKEN=TOKEN, SSOCTL_B_TOKEN=TOKEN, SSOCTL_C_TOKEN=TOKEN)


def _three(sp_server, tmp_path):
    sps = {name: FakeSp(sp_server, prefix=f"/{name}") for name in "abc"}
    config = write_config(tmp_path, {name: contract_profile(sp) for name, sp in sps.items()})
    return sps, config


def _args(config, tmp_path, *extra):
    return ["push", "--config", config, "--backup-dir", str(tmp_path / "b"), "--now", NOW,
            "--sso-url", SSO_URL, "--entity-id", "http://www.okta.com/exk1",
            "--cert", write_cert(tmp_path), *extra]


def test_all_tenants_applied(cli, tmp_path, sp_server):
    sps, config = _three(sp_server, tmp_path)
    result = cli(*_args(config, tmp_path, "--profiles", "a,b,c", "--yes", "--json"), env=BULK_ENV)
    assert result.exit_code == 0, result.stdout
    doc = result.json()
    assert doc["data"]["total"] == 3 and doc["data"]["failed"] == 0
    assert [t["outcome"] for t in doc["data"]["tenants"]] == ["applied"] * 3
    assert all(sp.state["sso_url"] == SSO_URL for sp in sps.values())
    assert result.stderr == ""  # no progress bar outside a terminal
    again = cli(*_args(config, tmp_path, "--profiles", "a,b,c", "--yes", "--json"), env=BULK_ENV)
    assert [t["outcome"] for t in again.json()["data"]["tenants"]] == ["no_changes"] * 3


def test_one_failure_stops_no_other(cli, tmp_path, sp_server):
    sps, config = _three(sp_server, tmp_path)
    sps["b"].fault("GET", "status", status=403)
    sps["c"].fault("PUT", "drop", times=2)
    result = cli(*_args(config, tmp_path, "--profiles", "a,b,c", "--yes", "--json", "--jobs", "2"),
                 env=BULK_ENV)
    assert result.exit_code == 7  # the worst tenant
    tenants = {t["profile"]: t for t in result.json()["data"]["tenants"]}
    assert tenants["a"]["ok"] and tenants["a"]["outcome"] == "applied"
    assert tenants["b"]["exit_code"] == 5 and tenants["b"]["error"]["code"] == "HTTP_FORBIDDEN"
    # a rolled-back tenant still names the backup taken before its write
    assert tenants["c"]["exit_code"] == 7 and tenants["c"]["backup"].endswith(".json")
    assert tenants["c"]["error"]["backup"] == tenants["c"]["backup"]
    assert sps["a"].state["sso_url"] == SSO_URL and sps["c"].state["sso_url"] is None


def test_missing_profile_and_token_are_per_tenant(cli, tmp_path, sp_server):
    sps, config = _three(sp_server, tmp_path)
    env = dict(BULK_ENV, SSOCTL_C_TOKEN="")
    result = cli(*_args(config, tmp_path, "--profiles", "a,zz,c", "--yes", "--json"), env=env)
    assert result.exit_code == 2
    tenants = {t["profile"]: t for t in result.json()["data"]["tenants"]}
    assert tenants["a"]["ok"]
    assert tenants["zz"]["error"]["code"] == "CONFIG_NO_PROFILE"
    assert tenants["c"]["error"]["code"] == "TOKEN_MISSING"  # bulk never prompts
    assert TOKEN not in result.stdout


def test_tenants_csv_with_per_tenant_metadata(cli, tmp_path, sp_server):
    from .push_helpers import ROOT_FIXTURES

    sps, config = _three(sp_server, tmp_path)
    csv = tmp_path / "tenants.csv"
    csv.write_text(f"profile,metadata\na,{ROOT_FIXTURES / 'metadata' / 'okta.xml'}\nb,\n")
    result = cli("push", "--config", config, "--tenants", str(csv), "--sso-url", SSO_URL,
                 "--entity-id", "http://www.okta.com/exk1", "--cert", write_cert(tmp_path),
                 "--yes", "--now", NOW, "--backup-dir", str(tmp_path / "b"), env=BULK_ENV)
    # tenant a takes its own metadata; tenant b the values from the command line
    assert result.exit_code == 0, result.stdout
    assert "2 of 2 tenants succeeded" in result.stdout
    assert sps["a"].state["idp_entity_id"] == "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
    assert sps["b"].state["idp_entity_id"] == "http://www.okta.com/exk1"
    assert sps["b"].state["sso_url"] == SSO_URL and sps["c"].requests == []


def test_tenants_csv_metadata_only(cli, tmp_path, sp_server):
    from .push_helpers import ROOT_FIXTURES

    sps, config = _three(sp_server, tmp_path)
    csv = tmp_path / "tenants.csv"
    csv.write_text(f"profile,metadata\na,{ROOT_FIXTURES / 'metadata' / 'okta.xml'}\n")
    result = cli("push", "--config", config, "--tenants", str(csv), "--dry-run", "--json",
                 "--now", NOW, env=BULK_ENV)
    assert result.exit_code == 10, result.stdout  # a dry run with changes: CHANGES_PENDING
    [tenant] = result.json()["data"]["tenants"]
    assert tenant["outcome"] == "dry_run" and "certificate" in tenant["changed_fields"]


def test_csv_without_profile_column(cli, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("name\na\n")
    result = cli("push", "--tenants", str(csv), "--yes", "--json", env=BULK_ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "TENANTS_CSV_INVALID"


def test_progress_only_on_a_terminal_and_only_on_stderr(cli, tmp_path, sp_server, monkeypatch):
    from ssoctl import render

    sps, config = _three(sp_server, tmp_path)
    seen = []
    monkeypatch.setattr(render, "use_color", lambda stream, no_color=False: seen.append(stream) or True)
    result = cli(*_args(config, tmp_path, "--profiles", "a,b", "--yes"), env=BULK_ENV)
    assert result.exit_code == 0, result.stderr
    assert seen  # the progress bar asked whether stderr is a terminal
    assert "2 of 2 tenants succeeded" in result.stdout
    assert "pushing" not in result.stdout


def test_csv_metadata_paths_are_relative_to_the_csv(cli, tmp_path, sp_server):
    from .push_helpers import ROOT_FIXTURES

    sps, config = _three(sp_server, tmp_path)
    folder = tmp_path / "tenants"
    folder.mkdir()
    (folder / "a.xml").write_bytes((ROOT_FIXTURES / "metadata" / "okta.xml").read_bytes())
    (folder / "list.csv").write_text("profile,metadata\na,a.xml\n")
    result = cli("push", "--config", config, "--tenants", str(folder / "list.csv"),
                 "--dry-run", "--json", "--now", NOW, env=BULK_ENV)
    assert result.exit_code == 10, result.stdout
    assert result.json()["data"]["tenants"][0]["outcome"] == "dry_run"


def test_a_tenant_listed_twice_is_refused(cli, tmp_path, sp_server):
    sps, config = _three(sp_server, tmp_path)
    csv = tmp_path / "t.csv"
    csv.write_text("profile\nb\n")
    result = cli(*_args(config, tmp_path, "--profiles", "a,b", "--tenants", str(csv), "--yes",
                        "--json"), env=BULK_ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "TENANTS_CSV_INVALID"
    assert "'b' is listed twice" in result.json()["error"]["message"]
    assert all(sp.requests == [] for sp in sps.values())


def test_profile_and_profiles_together_is_a_usage_error(cli, tmp_path, sp_server):
    sps, config = _three(sp_server, tmp_path)
    result = cli(*_args(config, tmp_path, "--profile", "a", "--profiles", "b,c", "--yes",
                        "--json"), env=BULK_ENV)
    assert result.exit_code == 2 and result.json()["error"]["code"] == "PUSH_INPUT_CONFLICT"


def test_concurrency_is_bounded_by_jobs(cli, tmp_path, sp_server, monkeypatch):
    import threading
    import time

    from ssoctl.sp import service

    sps, config = _three(sp_server, tmp_path)
    real, lock, running, peak = service.push, threading.Lock(), [0], [0]

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.05)  # overlap the tenants, so an unbounded pool would show
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(service, "push", counted)
    result = cli(*_args(config, tmp_path, "--profiles", "a,b,c", "--yes", "--jobs", "2"),
                 env=BULK_ENV)
    assert result.exit_code == 0, result.stdout
    assert peak[0] == 2
    assert "SSO URL, Entity ID, Certificate" in result.stdout  # sipgate's labels for people


def test_ctrl_c_starts_no_further_tenant_and_lets_running_ones_finish(cli, tmp_path, sp_server,
                                                                     monkeypatch):
    from concurrent.futures import wait

    from ssoctl.cli import push_view

    sps, config = _three(sp_server, tmp_path)

    def interrupted(futures, *, quiet, no_color=False):
        wait(futures[:1])  # tenant a is done, b is running or queued, c is queued (--jobs 1)
        raise KeyboardInterrupt

    monkeypatch.setattr(push_view, "_progress", interrupted)
    result = cli(*_args(config, tmp_path, "--profiles", "a,b,c", "--yes", "--jobs", "1"),
                 env=BULK_ENV)
    assert result.exit_code == 130
    [skipped] = [line for line in result.stderr.splitlines() if "not started:" in line]
    assert "a: applied" in result.stderr and skipped.endswith("c")
    assert sps["a"].state["sso_url"] == SSO_URL and sps["c"].requests == []
    # b either finished its verified write or never started: never half-applied
    assert sps["b"].state["sso_url"] in (SSO_URL, None)
