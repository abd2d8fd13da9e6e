"""Output paths that are directories, and JSON/TOML nested absurdly deep: one line and a
documented exit code, never a traceback (docs/threat-model.md, "Resource exhaustion" and
"Terminal and output"). Every input is generated here."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from ssoctl.errors import UsageError
from ssoctl.files import MAX_NESTING, TooDeep, load_json, load_toml, write_file

from conftest import FIXTURES

NOW = "2026-06-01T12:00:00Z"
DEEP = 3000


# ---------------------------------------------------------------- output paths

def test_write_file_refuses_a_directory_even_with_force(tmp_path):
    for force in (False, True):
        with pytest.raises(UsageError) as caught:
            write_file(tmp_path, "x", force=force)
        assert caught.value.code == "OUTPUT_IS_DIRECTORY"


def test_write_file_never_replaces_a_device_or_fifo_even_with_force(tmp_path):
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    for target in (fifo, link, "/dev/null"):
        for force in (False, True):
            with pytest.raises(UsageError) as caught:
                write_file(target, "x", force=force)
            assert caught.value.code == "OUTPUT_NOT_A_FILE"
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_write_file_turns_an_os_failure_into_one_line(tmp_path, monkeypatch):
    import os

    def full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(UsageError) as caught:
        write_file(tmp_path / "x.pem", "x")
    assert caught.value.code == "OUTPUT_UNWRITABLE" and "No space left" in caught.value.message
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


def test_write_file_writes_a_lone_surrogate_as_its_escape(tmp_path):
    target = write_file(tmp_path / "x.txt", "a\ud800b")
    assert target.read_bytes() == b"a\\ud800b"


@pytest.mark.parametrize("args", [
    ("check-cert", FIXTURES / "certs" / "crlf.pem", "--output", "{dir}", "--force"),
    ("check-cert", FIXTURES / "certs" / "crlf.pem", "--output", "{dir}"),
    ("import-metadata", FIXTURES / "metadata" / "okta.xml", "--now", NOW, "--cert-out", "{dir}",
     "--force"),
    ("import-metadata", FIXTURES / "metadata" / "okta.xml", "--now", NOW, "--cert-out", "{dir}"),
])
def test_an_output_directory_is_a_usage_error(cli, tmp_path, args):
    argv = [str(a).replace("{dir}", str(tmp_path)) for a in args]
    result = cli(*argv)
    assert result.exit_code == 2, result.stderr
    assert "is a directory" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # error line + hint line
    assert list(tmp_path.iterdir()) == []


def test_a_configuration_path_that_is_a_directory_is_exit_2(cli, tmp_path):
    env = {"SSOCTL_CONFIG": str(tmp_path)}
    for argv in (("config", "show"), ("config", "set", "--profile", "p", "base_url",
                                      "https://sp.example")):
        result = cli(*argv, env=env)
        assert result.exit_code == 2 and "Traceback" not in result.stderr, result.stderr


def test_a_configuration_below_a_file_is_exit_2(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("config", "set", "--profile", "p", "base_url", "https://sp.example",
                 env={"SSOCTL_CONFIG": str(blocker / "config.toml")})
    assert result.exit_code == 2 and "Traceback" not in result.stderr


# ---------------------------------------------------------------- nesting depth

DEEP_TOML = {
    "array": 'x = ' + "[" * DEEP + "]" * DEEP + "\n",
    "inline-table": "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "dotted-key": "x" + ".a" * DEEP + " = 1\n",
    "table-header": "[" + ".".join(["a"] * DEEP) + "]\nx = 1\n",
}


@pytest.mark.parametrize("shape", sorted(DEEP_TOML))
@pytest.mark.parametrize("argv", [("config", "validate"), ("config", "show"),
                                  ("--json", "config", "show"), ("sp", "status"),
                                  ("push", "--dry-run", "--metadata",
                                   str(FIXTURES / "metadata" / "okta.xml"))])
def test_a_deep_configuration_is_a_config_error(cli, tmp_path, shape, argv):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\nbase_url = "https://sp.example"\n' + DEEP_TOML[shape])
    result = cli(*argv, env={"SSOCTL_CONFIG": str(config), "SSOCTL_TOKEN": "t"})
    assert result.exit_code == 2, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "nests deeper than" in output


def test_a_deep_backup_is_not_a_backup(cli, tmp_path):
    for body in ("[" * DEEP + "]" * DEEP,
                 '{"format": "ssoctl-backup/1", "settings": ' + '{"a":' * DEEP + "1"
                 + "}" * DEEP + "}"):
        backup = tmp_path / "backup.json"
        backup.write_text(body)
        for json_flag in ((), ("--json",)):
            result = cli(*json_flag, "rollback", backup, "--yes")
            assert result.exit_code == 3, result.stdout + result.stderr
            assert "BACKUP_INVALID" in result.stdout or "not an ssoctl backup" in result.stderr


@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP,
                                  '{"log": {"entries": ' + "[" * DEEP + "]" * DEEP + "}}",
                                  '{"requests": [' + '{"a":' * DEEP + "1" + "}" * DEEP + "]}"])
def test_a_deep_capture_is_malformed_input(cli, tmp_path, body):
    capture = tmp_path / "capture.har"
    capture.write_text(body)
    result = cli("decode-response", "--list", capture)
    assert result.exit_code == 3 and "nests deeper than" in result.stderr


def test_depth_bound_ignores_brackets_inside_strings():
    text = json.dumps({"a": "[" * 500 + "{" * 500, "b": ['\\"[[[', "]]]"]})
    assert load_json(text) == json.loads(text)
    toml = ('a = "[[[[\\"[[[["\nb = \'[[[[{{{{\'\nc = """\n[[[[\n"""\nd = \'\'\'[[[[\'\'\'\n'
            "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
            "e = [[1], [2]]\n")
    assert load_toml(toml, max_depth=3)["e"] == [[1], [2]]


def test_depth_bound_is_exact_at_the_limit():
    at_limit = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert load_json(at_limit) is not None
    with pytest.raises(TooDeep):
        load_json("[" + at_limit + "]")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=30))
def test_depth_bound_never_refuses_a_shallow_document(value):
    text = json.dumps(value)
    assert load_json(text, max_depth=MAX_NESTING) == value
