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
