"""The root command: version, help, global options, error boundary."""

import subprocess
import sys

from ssoctl import __version__
from ssoctl.errors import ExitCode


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ssoctl {__version__}"


def test_help_lists_exit_codes(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "Exit codes" in result.stdout


def test_unknown_command_is_usage_error(cli):
    result = cli("no-such-command")
    assert result.exit_code == ExitCode.USAGE


def test_python_dash_m_runs():
    proc = subprocess.run([sys.executable, "-m", "ssoctl", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ssoctl {__version__}"


def test_help_does_not_import_heavy_modules():
    code = ("import sys\nfrom ssoctl.cli.app import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('lxml', 'signxml', 'requests') if m in sys.modules]\n"
            "sys.stderr.write(repr(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip().endswith("[]"), proc.stderr


# ---------------------------------------------------------------- usage errors


USAGE_MISTAKES = [
    ["check-cert", "--json", "--bogus", "x.pem"],
    ["--json", "check-cert", "a.pem", "--no-such-option"],
    ["check-cert", "--json", "--warn-days", "soon", "a.pem"],
    ["check-cert", "a.pem", "--json", "--now"],
    ["--json", "no-such-command"],
    ["import-metadata", "--json", "--bogus"],
    ["decode-response", "--json", "--bogus"],
    ["explain", "--json", "--bogus"],
    # A wait the standard library cannot represent (it overflowed into a traceback), and nan,
    # which every range check lets through.
    *[[*command, "--json", "--timeout", value]
      for command in (["import-metadata", "http://127.0.0.1:9/m.xml"], ["okta", "list"],
                      ["doctor"], ["setup"])
      for value in ("1e10", "inf", "nan", "601", "0.5")],
]


def test_usage_errors_with_json_are_one_json_document(cli):
    import json

    for argv in USAGE_MISTAKES:
        result = cli(*argv)
        assert result.exit_code == ExitCode.USAGE, argv
        doc = json.loads(result.stdout)
        assert doc["ok"] is False and doc["error"]["code"] == "USAGE", argv
        assert doc["error"]["message"] and "--help" in doc["error"]["hint"]
        assert result.stderr == "", argv


def test_usage_error_in_a_pipe_is_plain_text(cli):
    result = cli("check-cert", "--bogus", "x.pem")
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""
    assert "Error: No such option: --bogus" in result.stderr
    assert "╭" not in result.stderr and "\x1b[" not in result.stderr


def test_usage_error_through_the_installed_entry_point():
    import json

    proc = subprocess.run([sys.executable, "-m", "ssoctl", "check-cert", "--json", "--bogus"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr == ""
    assert json.loads(proc.stdout)["error"]["code"] == "USAGE"


def _all_commands():
    import typer.main

    from ssoctl.cli.app import app

    def walk(group, path):
        for name, command in group.commands.items():
            yield [*path, name]
            if hasattr(command, "commands"):
                yield from walk(command, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_every_command_help_points_to_the_exit_codes(cli):
    commands = _all_commands()
    assert ["check-cert"] in commands and len(commands) >= 6
    for path in commands:
        result = cli(*path, "--help", env={"COLUMNS": "200"})
        assert result.exit_code == 0, path
        assert "ssoctl explain N" in " ".join(result.stdout.split()), path


def test_every_command_takes_json_after_its_name():
    import typer.main

    from ssoctl.cli.app import app

    def leaves(group):
        for command in group.commands.values():
            if hasattr(command, "commands"):
                yield from leaves(command)
            else:
                yield command

    commands = list(leaves(typer.main.get_command(app)))
    assert len(commands) >= 6
    for command in commands:
        assert "--json" in {opt for param in command.params for opt in param.opts}, command.name


def test_help_paragraphs_are_reflowed_but_examples_kept():
    from ssoctl.cli.app import reflow

    text = "First line\ncontinues here.\n\nExamples:\n\n  ssoctl a\n  ssoctl b\n"
    # "\b" is Click's mark for a paragraph to print as typed
    assert reflow(text) == "First line continues here.\n\nExamples:\n\n\b\n  ssoctl a\n  ssoctl b"


def test_command_help_has_no_hard_wrapped_paragraphs():
    # A real process: Typer's test runner pins the help width to 80 columns.
    proc = subprocess.run([sys.executable, "-m", "ssoctl", "import-metadata", "--help"],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1"})
    assert "print the three values sipgate asks for" in proc.stdout
