"""Rendering: plain text in pipes, JSON contract, payload routing, colour rules."""

import datetime as dt
import io
import json

import pytest

from ssoctl.errors import ExitCode, InputError
from ssoctl.findings import Finding, Severity
from ssoctl.render import Code, Fields, Renderer, Report, Table, Text, to_jsonable, use_color


class Tty(io.StringIO):
    def isatty(self):
        return True


def _report(**kw):
    finding = Finding(code="CERT_X", severity=Severity.WARNING, message="[bold]odd", hint="fix it")
    base = dict(data={"when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)},
                findings=(finding,),
                blocks=(Fields("Certificate", [("Subject", "CN=x"), ("Skipped", None)]),
                        Table("Certs", ["#", "subject"], [["1", "CN=a"]]),
                        Text("hello"), Code("-----BEGIN X-----", "text", "PEM")))
    base.update(kw)
    return Report(**base)


def test_plain_output_has_no_escape_codes():
    out, err = io.StringIO(), io.StringIO()
    code = Renderer(stdout=out, stderr=err).report(_report())
    text = out.getvalue()
    assert code == ExitCode.OK
    assert "\x1b[" not in text
    assert "Subject: CN=x" in text and "Skipped" not in text
    assert "warning CERT_X: [bold]odd" in text and "fix: fix it" in text
    assert err.getvalue() == ""


def test_payload_goes_alone_to_stdout():
    out, err = io.StringIO(), io.StringIO()
    Renderer(stdout=out, stderr=err).report(_report(payload="PEM DATA"))
    assert out.getvalue() == "PEM DATA\n"
    assert "Certificate" in err.getvalue()


def test_json_contract():
    out = io.StringIO()
    code = Renderer(json_output=True, stdout=out).report(_report(), strict=True)
    doc = json.loads(out.getvalue())
    assert code == ExitCode.FINDINGS
    assert doc["ok"] is False
    assert doc["data"] == {"when": "2026-01-02T03:04:05Z"}
    assert doc["findings"][0]["code"] == "CERT_X"


def test_json_error():
    out, err = io.StringIO(), io.StringIO()
    Renderer(json_output=True, stdout=out, stderr=err).error(
        InputError("bad", hint="do x", code="INPUT_EMPTY"))
    assert json.loads(out.getvalue()) == {
        "ok": False, "error": {"code": "INPUT_EMPTY", "message": "bad", "hint": "do x"}}


def test_error_is_one_line_plus_hint():
    out, err = io.StringIO(), io.StringIO()
    Renderer(stdout=out, stderr=err).error(InputError("bad thing", hint="do x"))
    assert err.getvalue() == "error: bad thing\nhint: do x\n"
    assert out.getvalue() == ""


def test_colour_only_on_tty_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    assert use_color(Tty(), no_color=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False


def test_rich_output_on_tty_escapes_markup(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Tty()
    Renderer(stdout=out).report(_report())
    assert "[bold]odd" in out.getvalue()


def test_to_jsonable_handles_naive_datetime_and_bytes():
    assert to_jsonable(dt.datetime(2026, 1, 1)) == "2026-01-01T00:00:00Z"
    assert to_jsonable(b"\x00\x01") == "AAE="
    assert to_jsonable((1, {2})) == [1, [2]]


def _same_fix_report():
    long_fix = "download the certificate again " * 4
    return _report(findings=(
        Finding(code="CERT_A", severity=Severity.ERROR, message="first", hint=long_fix),
        Finding(code="CERT_B", severity=Severity.WARNING, message="second", hint=long_fix),
        Finding(code="CERT_C", severity=Severity.WARNING, message="third", hint="other fix")))


def test_a_fix_shared_by_several_findings_is_printed_once(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    long_fix = "download the certificate again " * 4
    plain, tty = io.StringIO(), Tty()
    Renderer(stdout=plain).report(_same_fix_report())
    Renderer(stdout=tty).report(_same_fix_report())
    for text in (plain.getvalue(), _no_sgr(tty.getvalue())):
        assert text.count("fix: download the certificate again") == 1
        assert text.count("fix: as above") == 1 and "fix: other fix" in text
    assert plain.getvalue().index("CERT_B") < plain.getvalue().index("fix: as above") \
        < plain.getvalue().index("CERT_C")
    assert long_fix  # the JSON form keeps every hint: scripts read findings one by one
    doc = json.loads(_json(_same_fix_report()))
    assert [f["hint"] for f in doc["findings"]][:2] == [long_fix, long_fix]


def _no_sgr(text):
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _json(report):
    out = io.StringIO()
    Renderer(json_output=True, stdout=out).report(report)
    return out.getvalue()


def test_json_is_indented_on_a_terminal_and_compact_in_a_pipe():
    tty, pipe = Tty(), io.StringIO()
    Renderer(json_output=True, stdout=tty).report(_report())
    Renderer(json_output=True, stdout=pipe).report(_report())
    assert tty.getvalue().startswith('{\n  "ok"')
    assert pipe.getvalue().count("\n") == 1 and pipe.getvalue().startswith('{"ok":')
    assert json.loads(tty.getvalue()) == json.loads(pipe.getvalue())


def test_verbatim_data_is_passed_through_unchanged():
    from ssoctl.render import Verbatim

    inner = {"a": [1, "x", None]}
    out = to_jsonable({"big": Verbatim(inner), "when": dt.datetime(2026, 1, 1)})
    assert out == {"big": inner, "when": "2026-01-01T00:00:00Z"}
    assert out["big"] is inner


def test_data_that_looks_like_markup_or_a_placeholder_is_plain_data():
    """The JSON document is made by the json module alone, in both layouts."""
    items = [{"index": 1, "name": "Zoë", "tags": ["a", None]}, {"index": 2, "x": 1.5}]
    report = Report(data={"source": "ssoctl-encoded-0", "messages": items, "n": 2})
    for stdout in (io.StringIO, Tty):
        out = stdout()
        Renderer(json_output=True, stdout=out).report(report)
        assert json.loads(out.getvalue())["data"] == {"source": "ssoctl-encoded-0",
                                                      "messages": items, "n": 2}


# ---------------------------------------------------------------- the terminal layout

def _screen(blocks=(), findings=(), width=60):
    from ssoctl.render import layout

    return ["".join(text for text, _ in line) for line in layout(blocks, findings, width=width)]


def test_a_copyable_value_with_spaces_is_never_broken():
    from ssoctl.render import copyable

    path = "/Users/Jane Doe/Library/Application Support/ssoctl/backups/acme-20260601.json"
    for width in (40, 60, 80, 200):
        lines = _screen([Fields("Push", [("backup", copyable(path)), ("profile", "acme")]),
                         Text(("undo with: ", copyable(f"ssoctl rollback '{path}'")))],
                        width=width)
        assert any(path in line for line in lines)
        assert any(f"ssoctl rollback '{path}'" in line for line in lines)
        if width < len(path):  # a line of its own, under its label
            assert f"      {path}" in lines and "  backup:" in lines


def test_prose_wraps_at_spaces_keeping_words_commands_and_indent():
    hint = ("run `ssoctl config validate --profile acme` to see the problem, or "
            "ssoctl config set --profile acme base_url https://sp.example/v2; then retry")
    finding = Finding(code="CONFIG_X", severity=Severity.ERROR, message="word " * 20,
                      hint=hint, expected="https://sp.example/a/very/long/expected/value/" * 2)
    lines = _screen(findings=(finding,), width=50)
    assert all(line.startswith("  ") for line in lines[1:])
    command = "ssoctl config set --profile acme base_url https://sp.example/v2;"
    assert all(len(line) <= 50 or line.strip() in (command, finding.expected) for line in lines)
    assert any("`ssoctl config validate --profile acme`" in line for line in lines)
    assert any(command in line for line in lines)
    assert any(line.strip() == finding.expected for line in lines)


def test_a_table_narrower_than_the_terminal_wraps_cells_at_spaces_only():
    table = Table("Known", ("id", "text"), [("a-long-identifier", "one two three four five " * 3)])
    lines = _screen([table], width=40)
    words = set(" ".join(table.rows[0]).split())
    assert all(set(line.split()) <= words | {"id", "text", "Known"} for line in lines)
    assert all(len(line) <= 40 for line in lines)
    tight = _screen([Table("T", ("a", "b"), [("x" * 30, "y" * 30)])], width=40)
    assert "  a: " + "x" * 30 in tight  # not even one word per column fits: records


def test_the_pipe_form_is_not_wrapped():
    from ssoctl.render import copyable, plain_text

    url = "https://example.test/" + "x" * 200
    text = plain_text([Fields("T", [("SSO URL", copyable(url))]), Text("word " * 50)], [])
    assert f"  SSO URL: {url}\n" in text and ("word " * 50).rstrip() in text


@pytest.mark.parametrize("name", ["a`b.txt", "a` b.txt", "it's `odd`.pem", "plain name.pem"])
def test_a_backquoted_command_with_a_shell_quoted_name_is_one_piece(name):
    """A suggested command quoting a file name with a backtick (or an apostrophe) in it
    stays one unbreakable piece, for the screen and for --help alike."""
    import shlex

    from ssoctl.cli.helptext import help_words
    from ssoctl.render import _atoms

    command = f"`ssoctl check-cert {shlex.quote(name)} --fix > clean.pem`"
    text = f"fix: {command} then retry"
    assert [atom for _, atom, _ in _atoms([(text, "", False)])] == \
        ["fix:", command, "then", "retry"]
    assert [word for _, word in help_words(text)] == ["fix:", command, "then", "retry"]
