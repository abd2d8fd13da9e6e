"""The ``ssoctl`` program as a user's shell runs it (a fresh process through
``python -m ssoctl``): odd command lines, closed or full streams, an endless
configuration file and a bug each give one clear outcome."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

SAML = FIXTURES / "saml"
CAPTURES = FIXTURES / "captures"
SIGNED = str(SAML / "response-assertion-signed.xml")
IDP = str(SAML / "okta-idp.pem")
HAR = str(CAPTURES / "login.har")
NOW = "2026-06-01T12:00:00Z"
PROGRAM = "import sys; from ssoctl.cli import main; sys.argv[0] = 'ssoctl'; main()"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100",
           "SSOCTL_CONFIG": str(tmp_path / "absent.toml")}
    env.update(extra)
    return env


def _run(args: list[str], tmp_path: Path, code: str = PROGRAM,
         **kwargs) -> subprocess.CompletedProcess:
    env = kwargs.pop("env", None) or _env(tmp_path)
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run([sys.executable, "-c", code, *args], timeout=120, cwd=ROOT,
                          env=env, **kwargs)


_ODD = [
    pytest.param(["decode-response", "--now", NOW, "--", "--help"], id="file-named---help"),
    pytest.param(["decode-response", "--", "-h"], id="file-named--h"),
    pytest.param(["decode-response", "--now", NOW, "--", "--json"], id="file-named---json"),
    pytest.param(["decode-response", SIGNED, "--now", ""], id="empty-now"),
    pytest.param(["decode-response", SIGNED, "--now", NOW, "--cert", ""], id="empty-cert"),
    pytest.param(["decode-response", SIGNED, "--now", NOW, "--fingerprint", ""], id="empty-fp"),
    pytest.param(["decode-response", SIGNED, "--now", NOW, "--config", ""], id="empty-config"),
    pytest.param(["decode-response", SIGNED, "--now", NOW, "--input-format", ""],
                 id="empty-input-format"),
    pytest.param(["decode-response", "", "--now", NOW], id="empty-input"),
    pytest.param(["decode-response", os.fsdecode(b"/tmp/\xff\xfe.xml"), "--now", NOW],
                 id="non-utf8-path"),
    pytest.param(["decode-response", SIGNED, "--now", NOW, "--sp-entity-id",
                  os.fsdecode(b"\xffx"), "--json"], id="non-utf8-value-json"),
    pytest.param(["decode-response", HAR, "--list", "--all"], id="list-with-all"),
    pytest.param(["decode-response", HAR, "--all", "--jobs", "999999999", "--now", NOW, "--json"],
                 id="huge-jobs"),
    pytest.param(["decode-response", HAR, "--entry", "999999999", "--now", NOW], id="huge-entry"),
    pytest.param(["--json", "decode-response", SIGNED, "--now", "9999-12-31T23:59:59Z", "--json"],
                 id="json-twice-year-9999"),
    pytest.param(["decode-response", SIGNED, "--now", "0001-01-01", "--skew", "86400",
                  "--cert", IDP], id="year-1-max-skew"),
    pytest.param(["decode-response", SIGNED, "--now", "a", "--now", NOW], id="now-twice"),
    pytest.param(["decode-response", "/proc/self/mem", "--now", NOW], id="unreadable-eio"),
    pytest.param(["check-cert", "--warn-days", "٣", str(FIXTURES / "certs" / "okta.cert")],
                 id="non-ascii-digits"),
]


@pytest.mark.parametrize("args", _ODD)
def test_odd_command_lines_get_an_answer_not_a_traceback(tmp_path, args):
    result = _run(args, tmp_path)
    assert result.stdout or result.stderr
    assert b"Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2, 3, 4)


def _close_stdin() -> None:
    os.close(0)


def test_closed_stdin_is_an_input_error_not_a_traceback(tmp_path):
    """``ssoctl decode-response - <&-`` (cron, systemd): exit 3 with one line."""
    result = _run(["decode-response", "-", "--now", NOW], tmp_path, preexec_fn=_close_stdin)
    assert b"Traceback" not in result.stderr
    assert result.returncode == 3


def test_output_that_cannot_be_written_is_not_a_traceback(tmp_path):
    """A full disk (> /dev/full) or a closed stdout: one line, a non-zero status."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as full:
        result = _run(["decode-response", SIGNED, "--now", NOW], tmp_path,
                      stdout=full, stderr=subprocess.PIPE)
    assert result.returncode != 0
    assert b"Traceback" not in result.stderr


def _limit_memory() -> None:
    import resource

    limit = 1024 * 1024 * 1024  # 1 GiB of address space: plenty for ssoctl, not for /dev/zero
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_decode_response_runs_under_the_memory_limit_used_below(tmp_path):
    """Control for the next test: the 1 GiB limit alone does not break a normal run."""
    config = tmp_path / "config.toml"
    config.write_text('default_profile = "acme"\n[profiles.acme]\n'
                      'sp_entity_id = "https://sipgate.example/saml/metadata"\n')
    result = _run(["decode-response", SIGNED, "--now", NOW, "--config", str(config)],
                  tmp_path, preexec_fn=_limit_memory)
    assert result.returncode in (0, 1), result.stderr
    assert b"profile 'acme'" in result.stdout


@pytest.mark.parametrize("how", ["option", "environment"])
def test_endless_configuration_file_is_refused(tmp_path, how):
    """--config /dev/zero (or SSOCTL_CONFIG=/dev/zero) once ate all memory."""
    args = ["decode-response", SIGNED, "--now", NOW]
    env = _env(tmp_path)
    if how == "option":
        args += ["--config", "/dev/zero"]
    else:
        env["SSOCTL_CONFIG"] = "/dev/zero"
    result = _run(args, tmp_path, env=env, preexec_fn=_limit_memory)
    assert b"Traceback" not in result.stderr and b"MemoryError" not in result.stderr
    assert result.returncode in (0, 1, 2)


def test_a_bug_keeps_a_plain_traceback(tmp_path):
    """An unexpected exception is a bug: Python's own traceback (no locals, no box)."""
    code = ("import sys; from ssoctl.cli import decode_response_work as w\n"
            "def boom(**kwargs): raise ValueError('a bug')\n"
            "w.work = boom\n" + PROGRAM.replace("; ", "\n"))
    result = _run(["decode-response", SIGNED, "--now", NOW], tmp_path, code=code)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert err.startswith("Traceback (most recent call last):") and "ValueError: a bug" in err
    assert "│" not in err


def test_the_installed_script_is_the_typer_app():
    """pyproject's console script is ssoctl.cli:main, which runs the Typer app."""
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"ssoctl": "ssoctl.cli:main"}
