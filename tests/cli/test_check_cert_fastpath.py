"""The Typer-free start of ``check-cert`` (ssoctl.cli.fastpath) behaves exactly like the
Typer command, and hands everything unusual to Typer."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

from ssoctl.cli import fastpath
from ssoctl.cli.app import app

from conftest import FIXTURES, ROOT

CERTS = FIXTURES / "certs"
NOW = "2026-06-01T12:00:00Z"


def _command():
    return typer.main.get_command(app).commands["check-cert"]


def test_option_table_matches_the_typer_command():
    params = [p for p in _command().params if p.name != "help" and not _global(p)]
    options = {opt: p.name for p in params for opt in p.opts if opt.startswith("-")}
    assert options == {**fastpath.FLAGS, **fastpath.VALUES}
    flags = {opt for p in params if getattr(p, "is_flag", False) for opt in p.opts}
    assert flags == set(fastpath.FLAGS)
    defaults = {p.name: p.default for p in params}
    assert defaults == fastpath.Plain().params


@pytest.mark.parametrize("argv", [
    ["check-cert", "--help"], ["check-cert", "-h"], ["--help"], ["--version"], [],
    ["--debug", "check-cert", "x.pem"], ["explain", "CERT_EXPIRED"],
    ["check-cert", "--unknown"], ["check-cert", "--now=2026-01-01", "x"],
    ["check-cert", "--text", "-----BEGIN CERTIFICATE-----"], ["check-cert", "a", "b"],
    ["check-cert", "--warn-days", "x", "a"], ["check-cert", "--warn-days", "-1", "a"],
    ["check-cert", "--warn-days", "²", "a"],
    ["check-cert", "a", "--metadata"], ["check-cert", "-oFILE", "a"],
])
def test_unusual_command_lines_go_to_typer(argv):
    assert fastpath.parse(argv) is None


def test_plain_command_line_is_parsed():
    plain = fastpath.parse(["--json", "--no-color", "check-cert", "--fix", "-o", "out.pem",
                            "--warn-days", "7", "--", "-"])
    assert plain.json_output and plain.no_color
    assert plain.params["fix"] is True and plain.params["output"] == "out.pem"
    assert plain.params["warn_days"] == 7 and plain.params["file"] == "-"


CASES = [
    [CERTS / "okta.cert", "--now", NOW],
    ["--json", CERTS / "okta.cert", "--now", NOW],
    [CERTS / "no-armor.txt", "--fix", "--now", NOW],
    [CERTS / "truncated.pem", "--fix"],
    [CERTS / "several.pem", "--json"],
    [CERTS / "private-key.pem"],
    [CERTS / "empty.pem", "--json"],
    [CERTS / "missing.pem"],
    ["--text", "MIIB", "--now", NOW],
    [CERTS / "okta.cert", "--now", "yesterday"],
    [],
    [CERTS / "okta.cert", "--now", "2035-12-10", "--warn-days", "30", "--strict"],
    [CERTS / "okta.cert", "--expect-fingerprint", "AB" * 32, "--now", NOW],
    [CERTS / "width-76.pem", "--now", NOW, "--strict", "--json"],
    [CERTS / "expired.pem", "--fix", "--now", NOW],
    [CERTS / "sha1.pem", "--fix", "--strict", "--now", NOW],
    [CERTS / "no-armor.txt", "--now", NOW],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(str(x) for x in a)[-60:] or "none")
def test_fast_start_prints_what_typer_prints(cli, capsys, args):
    args = [str(a) for a in args]
    via_typer = cli("check-cert", *args)
    plain = fastpath.parse(["check-cert", *args])
    assert plain is not None
    status = fastpath.run(plain)
    captured = capsys.readouterr()
    assert (status, captured.out, captured.err) == \
        (via_typer.exit_code, via_typer.stdout, via_typer.stderr)


def test_output_file_through_both_routes(cli, capsys, tmp_path):
    target = tmp_path / "clean.pem"
    assert fastpath.run(fastpath.parse(["check-cert", str(CERTS / "no-armor.txt"), "-o",
                                        str(target)])) == 0
    capsys.readouterr()
    again_fast = fastpath.run(fastpath.parse(["check-cert", str(CERTS / "no-armor.txt"), "-o",
                                              str(target)]))
    err = capsys.readouterr().err
    again_typer = cli("check-cert", CERTS / "no-armor.txt", "-o", target)
    assert again_fast == again_typer.exit_code == 2 and err == again_typer.stderr


def test_entry_points_in_a_subprocess():
    okta = (CERTS / "okta.cert").read_bytes()
    stdin = subprocess.run([sys.executable, "-m", "ssoctl", "check-cert", "-"], input=okta,
                           capture_output=True, timeout=60, cwd=ROOT)
    assert stdin.returncode == 0 and stdin.stdout.startswith(b"Ready to paste")
    helped = subprocess.run([sys.executable, "-m", "ssoctl", "check-cert", "--help"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "120"})
    assert helped.returncode == 0 and "--expect-fingerprint" in helped.stdout


def test_global_option_table_matches_the_root_command():
    # Every global option is either read by the fast start (same parameter name as the
    # root callback's) or sends the command line to Typer.
    root = typer.main.get_command(app)
    options = {opt: p.name for p in root.params for opt in p.opts if opt.startswith("-")}
    assert {opt: options[opt] for opt in fastpath.GLOBALS} == fastpath.GLOBALS
    others = set(options) - set(fastpath.GLOBALS) | {"--help", "-h"}
    assert others >= {"--debug", "--version"}
    for opt in others:
        assert fastpath.parse([opt, "check-cert", "x.pem"]) is None, opt


@pytest.mark.parametrize("globals_", [["--json"], ["--no-color"], ["--no-color", "--json"]])
@pytest.mark.parametrize("args", [[CERTS / "okta.cert", "--now", NOW],
                                  [CERTS / "expired.pem", "--fix", "--now", NOW],
                                  [CERTS / "empty.pem"]])
def test_global_options_print_the_same_on_both_routes(cli, capsys, globals_, args):
    args = [str(a) for a in args]
    via_typer = cli(*globals_, "check-cert", *args)
    status = fastpath.run(fastpath.parse([*globals_, "check-cert", *args]))
    captured = capsys.readouterr()
    assert (status, captured.out, captured.err) == \
        (via_typer.exit_code, via_typer.stdout, via_typer.stderr)


def test_debug_goes_through_typer_and_changes_only_stderr(cli):
    plain = cli("check-cert", CERTS / "empty.pem")
    debug = cli("--debug", "check-cert", CERTS / "empty.pem")
    assert debug.exit_code == plain.exit_code == 3
    assert debug.stdout == plain.stdout and plain.stderr in debug.stderr


def _global(param) -> bool:
    """--debug/--no-color given after the command name (cli/helptext.py): Typer reads those."""
    from ssoctl.cli.helptext import GLOBAL_PANEL

    return getattr(param, "rich_help_panel", None) == GLOBAL_PANEL
