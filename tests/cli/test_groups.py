"""Command groups (``sp``, ``config``) called without a subcommand."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("group", ["sp", "config"])
def test_group_without_subcommand_and_json_is_one_json_usage_error(cli, group):
    result = cli("--json", group)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)  # the whole of stdout: no help screen in front
    assert doc == {"ok": False, "error": {
        "code": "USAGE", "message": "Missing command.", "hint": doc["error"]["hint"]}}
    assert doc["error"]["hint"].startswith("see `") and f" {group} --help`" in doc["error"]["hint"]
    assert result.stderr == ""


def test_json_usage_error_looks_like_the_root_one(cli):
    root, sub = cli("--json").json(), cli("--json", "sp").json()
    assert root["error"]["message"] == sub["error"]["message"] == "Missing command."
    assert root["error"]["code"] == sub["error"]["code"] == "USAGE"


@pytest.mark.parametrize("group, sub", [("sp", "status"), ("config", "validate")])
def test_group_without_subcommand_prints_help_and_exits_2(cli, group, sub):
    result = cli(group)
    assert result.exit_code == 2
    assert "Usage:" in result.stdout and sub in result.stdout
    assert result.stderr == ""  # no stray line after the help


def test_group_through_the_entry_point():
    """The installed route: help on stdout, exit 2; with --json one JSON document."""
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100"}
    plain = subprocess.run([sys.executable, "-m", "ssoctl", "config"], capture_output=True,
                           text=True, timeout=60, cwd=ROOT, env=env)
    assert plain.returncode == 2 and "Usage:" in plain.stdout and plain.stderr == ""
    as_json = subprocess.run([sys.executable, "-m", "ssoctl", "--json", "sp"],
                             capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert as_json.returncode == 2 and as_json.stderr == ""
    assert json.loads(as_json.stdout)["error"]["code"] == "USAGE"
