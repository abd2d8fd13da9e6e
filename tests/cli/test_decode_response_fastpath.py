"""The Typer-free start of ``decode-response`` (ssoctl.cli.fastpath) behaves exactly like
the Typer command, and hands everything unusual to Typer.

Each command line runs through both routes in-process -- the Typer app (the ``cli``
fixture) and ``fastpath.parse`` + ``fastpath.run`` -- and must give the same exit status,
stdout and stderr byte for byte. Reading stdin is compared in fresh processes.
"""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
import typer.main

from ssoctl.cli import fastpath
from ssoctl.cli.app import app

from conftest import FIXTURES, ROOT

SAML = FIXTURES / "saml"
CAPTURES = FIXTURES / "captures"
NOW = "2026-06-01T12:00:00Z"
SIGNED = SAML / "response-assertion-signed.xml"
IDP = SAML / "okta-idp.pem"
SP = ["--sp-entity-id", "https://sipgate.example/saml/metadata",
      "--acs-url", "https://sipgate.example/saml/acs",
      "--idp-entity-id", "http://www.okta.com/exk1fixture0example"]
#: The SHA-256 fingerprint of fixtures/saml/okta-idp.pem (as decode-response prints it).
IDP_SHA256 = ("54:64:75:4C:0C:D9:1C:19:97:C9:E8:90:32:FB:55:83:A4:90:72:28:50:11:5F:C0:CA:"
              "BA:5C:0B:14:5E:6F:A8")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No configuration or profile of the test machine changes what is checked."""
    monkeypatch.setenv("SSOCTL_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("SSOCTL_PROFILE", raising=False)


def _command():
    return typer.main.get_command(app).commands["decode-response"]


# ---------------------------------------------------------------- the tables cannot drift

def test_option_tables_match_the_typer_command():
    params = [p for p in _command().params if p.name != "help" and not _global(p)]
    options = {opt: p.name for p in params for opt in [*p.opts, *p.secondary_opts]
               if opt.startswith("-")}
    fast = {**fastpath.DECODE_FLAGS, **fastpath.DECODE_VALUES}
    assert {opt: options.get(opt) for opt in fast} == fast
    assert set(options) == set(fast) | fastpath.DECODE_TYPER_ONLY
    assert {opt for p in params if getattr(p, "is_flag", False) for opt in p.opts} \
        == set(fastpath.DECODE_FLAGS)
    assert {p.name for p in params if p.multiple} == fastpath.DECODE_REPEATABLE
    assert {p.name: p.default for p in params} == fastpath.Plain("decode-response").params
    arguments = [p.name for p in params if not p.opts[0].startswith("-")]
    assert arguments == [fastpath.COMMANDS["decode-response"].positional]


def test_every_fast_option_is_a_plain_type_the_fast_start_converts():
    """A new type, range, callback or parser on the Typer side must be taught to the fast
    start (or the option listed in DECODE_TYPER_ONLY), or this fails."""
    ints = {}
    for p in _command().params:
        if p.name == "help" or set(p.opts) & fastpath.DECODE_TYPER_ONLY or _global(p):
            continue
        info, annotation = p.type_descriptor.parameter_info, p.type_descriptor.annotation
        assert info.callback is None and info.parser is None, p.name
        assert not getattr(info, "clamp", False), p.name
        if annotation is int:
            ints[p.name] = (info.min, getattr(info, "max", None))
        elif p.name in fastpath.DECODE_REPEATABLE:
            assert str(annotation) == "typing.List[str]", p.name
        else:
            assert annotation in (str, bool), (p.name, annotation)
            assert getattr(info, "min", None) is None, p.name
    assert ints == fastpath.DECODE_INTS


def test_global_options_go_to_typer_unless_read_here():
    root = typer.main.get_command(app)
    options = {opt for p in root.params for opt in p.opts if opt.startswith("-")}
    for opt in options - set(fastpath.GLOBALS) | {"--help", "-h"}:
        assert fastpath.parse([opt, "decode-response", str(SIGNED)]) is None, opt


# ---------------------------------------------------------------- what the fast start reads

@pytest.mark.parametrize("argv", [
    ["decode-response", "--help"], ["decode-response", "-h"], ["decode-response", "x", "-h"],
    ["--debug", "decode-response", "x"], ["decode-response", "--debug", "x"],
    ["decode-response", "--unknown", "x"], ["decode-response", "--now=2026-01-01", "x"],
    ["decode-response", "x", "--cert=okta.pem"], ["decode-response", "-j4", "x"],
    ["decode-response", "-pacme", "x"], ["decode-response", "a", "b"],
    ["decode-response", "-x"], ["decode-response", "x", "--cert"],
    ["decode-response", "x", "--cert", "--xml"], ["decode-response", "x", "--sp-entity-id", "-"],
    ["decode-response", "x", "--ca-bundle", "ca.pem"],
    ["decode-response", "x", "--skew", "x"], ["decode-response", "x", "--skew", "-1"],
    ["decode-response", "x", "--skew", " 30 "], ["decode-response", "x", "--skew", "1_0"],
    ["decode-response", "x", "--skew", "30.0"], ["decode-response", "x", "--skew", "٣"],
    ["decode-response", "x", "--skew", "²"], ["decode-response", "x", "--skew", ""],
    ["decode-response", "x", "--skew", "9" * 10], ["decode-response", "x", "--entry", "+1"],
    ["decode-response", "x", "--jobs", "0"], ["decode-response", "x", "-j", "two"],
    ["decode-response", "x", "--entry", "abc"], ["decode-response", "x", "--all=yes"],
    ["--json", "--debug", "decode-response", "x"], ["decode-response-x", "x"],
    ["check-cert", "--warn-days", "٣", "a"],
])
def test_unusual_command_lines_go_to_typer(argv):
    assert fastpath.parse(argv) is None


def test_plain_command_line_is_parsed():
    plain = fastpath.parse(["--no-color", "--json", "decode-response", "--cert", "a.pem",
                            "--all", "-j", "2", "--cert", "b.pem", "--skew", "0",
                            "--fingerprint", "AB", "-p", "acme", "--entry", "007",
                            "--", "-"])
    assert (plain.command, plain.json_output, plain.no_color) == ("decode-response", True, True)
    p = plain.params
    assert p["cert"] == ["a.pem", "b.pem"] and p["fingerprint"] == ["AB"]
    assert (p["all_entries"], p["jobs"], p["skew"], p["entry"]) == (True, 2, 0, 7)
    assert (p["profile"], p["source"], p["xml"]) == ("acme", "-", False)
    assert fastpath.parse(["decode-response"]).params["source"] == "-"
    # the last of a value option given twice counts, as in click
    assert fastpath.parse(["decode-response", "--now", "a", "--now", "b"]).params["now"] == "b"


# ---------------------------------------------------------------- both routes print the same

def _metadata(tmp_path):
    """IdP metadata trusting fixtures/saml/okta-idp.pem."""
    lines = IDP.read_text().strip().splitlines()
    body = "".join(line for line in lines if not line.startswith("-----"))
    assert base64.b64decode(body)
    path = tmp_path / "idp-metadata.xml"
    path.write_text(
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'entityID="http://www.okta.com/exk1fixture0example"><md:IDPSSODescriptor '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f'<ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data>'
        '</ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService '
        'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        'Location="https://dev-12345678.okta.com/app/sipgate/exk1fixture0example/sso/saml"/>'
        '</md:IDPSSODescriptor></md:EntityDescriptor>')
    return path


def _config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('default_profile = "acme"\n[profiles.acme]\n'
                    'sp_entity_id = "https://sipgate.example/saml/metadata"\n'
                    'acs_url = "https://sipgate.example/saml/other-acs"\n'
                    '[profiles.other]\nidp_entity_id = "http://www.okta.com/elsewhere"\n')
    return path


def _same(cli, capsys, argv):
    """Run ``ssoctl *argv`` both ways; return the Typer result after comparing."""
    argv = [str(a) for a in argv]
    via_typer = cli(*argv)
    plain = fastpath.parse(argv)
    assert plain is not None, argv
    status = fastpath.run(plain)
    captured = capsys.readouterr()
    assert (status, captured.out, captured.err) == \
        (via_typer.exit_code, via_typer.stdout, via_typer.stderr)
    assert via_typer.stdout or via_typer.stderr  # something was said
    return via_typer


_SAML_FILES = sorted(p.name for p in SAML.glob("*.xml"))
_CAPTURE_FILES = sorted(p.name for p in CAPTURES.iterdir()
                        if p.is_file() and p.suffix != ".py" and p.name != "okta-idp.pem")


@pytest.mark.parametrize("json_", [[], ["--json"]], ids=["human", "json"])
@pytest.mark.parametrize("name", _SAML_FILES)
def test_every_saml_fixture(cli, capsys, name, json_):
    _same(cli, capsys, ["decode-response", SAML / name, "--cert", IDP, "--now", NOW,
                        "--sp-key", SAML / "TEST-ONLY-sp-decryption-key.pem", *json_])


@pytest.mark.parametrize("json_", [[], ["--json"]], ids=["human", "json"])
@pytest.mark.parametrize("name", _CAPTURE_FILES)
def test_every_capture_fixture(cli, capsys, name, json_):
    _same(cli, capsys, ["decode-response", CAPTURES / name, "--now", NOW,
                        "--cert", CAPTURES / "okta-idp.pem", *json_])


def test_the_fixture_lists_are_not_empty():
    assert len(_SAML_FILES) >= 10 and len(_CAPTURE_FILES) >= 10


CASES = [
    # trust: certificate, fingerprint (right and wrong), metadata file, none
    [SIGNED, "--now", NOW],
    [SIGNED, "--now", NOW, "--fingerprint", IDP_SHA256],
    [SIGNED, "--now", NOW, "--fingerprint", "AB" * 32, "--json"],
    [SIGNED, "--now", NOW, "--fingerprint", "AB:CD"],
    [SIGNED, "--now", NOW, "--cert", IDP, "--cert", CAPTURES / "okta-idp.pem"],
    [SIGNED, "--now", NOW, "--metadata", "{metadata}"],
    [SIGNED, "--now", NOW, "--metadata", "{metadata}", "--json"],
    [SIGNED, "--now", NOW, "--metadata", FIXTURES / "metadata" / "okta.xml"],
    # what the SP expects, clock and checks
    [SIGNED, "--now", NOW, "--cert", IDP, *SP],
    [SIGNED, "--now", NOW, "--cert", IDP, "--sp-entity-id", "https://wrong.example/sp"],
    [SIGNED, "--now", NOW, "--request-id", "_r1", "--strict"],
    [SIGNED, "--now", "2026-06-01T12:09:00Z", "--skew", "0"],
    [SIGNED, "--now", "2026-06-01T12:09:00Z", "--skew", "600", "--json"],
    [SIGNED, "--now", "2026-06-01", "--xml", "--cert", IDP],
    [SIGNED, "--now", NOW, "--xml", "--json", "--strict"],
    [SAML / "response-sha1.xml", "--now", NOW, "--cert", IDP, "--allow-sha1"],
    [SAML / "response-encrypted.xml", "--now", NOW, "--cert", IDP],
    [SAML / "response-encrypted.xml", "--now", NOW, "--cert", IDP, "--sp-key",
     SAML / "TEST-ONLY-sp-decryption-key.pem", "--xml"],
    [SIGNED, "--now", "2040-01-01", "--cert", IDP, "--allow-expired-cert", "--skew", "60"],
    # input forms and captures
    ["--input-format", "xml", CAPTURES / "response.xml", "--now", NOW],
    ["--input-format", "base64", CAPTURES / "response.b64", "--now", NOW],
    ["--input-format", "har", CAPTURES / "response.xml", "--now", NOW],
    [CAPTURES / "login.har", "--all", "--now", NOW, "--cert", CAPTURES / "okta-idp.pem"],
    [CAPTURES / "login.har", "--all", "--now", NOW, "--json", "-j", "1"],
    [CAPTURES / "login.har", "--all", "--now", NOW, "--jobs", "2", "--xml"],
    [CAPTURES / "saml-tracer.json", "--all", "--now", NOW, "--strict"],
    [CAPTURES / "login.har", "--entry", "2", "--now", NOW],
    [CAPTURES / "login.har", "--entry", "9", "--now", NOW],
    [CAPTURES / "login.har", "--entry", "0", "--now", NOW],
    [CAPTURES / "login.har", "--list"],
    [CAPTURES / "login.har", "--list", "--json"],
    [CAPTURES / "saml-tracer.json", "--list", "--input-format", "saml-tracer"],
    [CAPTURES / "login.har", "--list", "--entry", "2"],
    ["--now", NOW, "--", CAPTURES / "response.b64"],
    # errors
    [FIXTURES / "does-not-exist.xml"],
    [FIXTURES / "does-not-exist.xml", "--json"],
    [SIGNED, "--input-format", "yaml"],
    [SIGNED, "--input-format", "yaml", "--json"],
    [SIGNED, "--now", "yesterday"],
    [SIGNED, "--cert", FIXTURES / "missing.pem"],
    [SIGNED, "--sp-key", FIXTURES / "missing-key.pem"],
    [SIGNED, "--metadata", FIXTURES / "missing-metadata.xml", "--json"],
    [FIXTURES / "certs" / "okta.cert", "--now", NOW],
    [FIXTURES, "--now", NOW],
    [CAPTURES / "inflate-bomb.deflated", "--now", NOW],
    [SIGNED, "--profile", "acme", "--config", FIXTURES / "no-such-config.toml"],
    [SIGNED, "--profile", "", "--now", NOW],
    # configuration profiles
    [CAPTURES / "response.xml", "--config", "{config}", "--now", NOW],
    [CAPTURES / "response.xml", "--config", "{config}", "-p", "other", "--now", NOW, "--json"],
    [CAPTURES / "response.xml", "--config", "{config}", "--profile", "nope"],
    [CAPTURES / "response.xml", "--config", "{config}", "--now", NOW,
     "--acs-url", "https://sipgate.example/saml/acs"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(
    str(x).replace(str(ROOT), "") for x in a)[-70:])
def test_fast_start_prints_what_typer_prints(cli, capsys, tmp_path, args):
    made = {"{metadata}": _metadata(tmp_path), "{config}": _config(tmp_path)}
    _same(cli, capsys, ["decode-response", *(made.get(a, a) for a in args)])


def test_default_profile_from_the_environment(cli, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SSOCTL_CONFIG", str(_config(tmp_path)))
    result = _same(cli, capsys, ["decode-response", CAPTURES / "response.xml", "--now", NOW])
    assert result.exit_code == 1 and "profile 'acme'" in result.stdout
    monkeypatch.setenv("SSOCTL_PROFILE", "other")
    _same(cli, capsys, ["decode-response", CAPTURES / "response.xml", "--now", NOW, "--json"])


@pytest.mark.parametrize("globals_", [["--json"], ["--no-color"], ["--no-color", "--json"]])
@pytest.mark.parametrize("args", [[SIGNED, "--now", NOW, "--cert", IDP],
                                  [CAPTURES / "login.har", "--list"],
                                  [SIGNED, "--now", "yesterday"],
                                  [SIGNED, "--now", NOW, "--json"]])
def test_global_options_print_the_same_on_both_routes(cli, capsys, globals_, args):
    _same(cli, capsys, [*globals_, "decode-response", *args])


def test_results_are_what_the_command_documents(cli, capsys):
    """The comparison is not between two empty outputs: the routes verify, fail and refuse."""
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", NOW, "--cert", IDP, *SP]
                 ).exit_code == 0
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", NOW, "--fingerprint",
                               "AB" * 32]).exit_code == 4
    assert _same(cli, capsys, ["decode-response", FIXTURES / "nope.xml"]).exit_code == 3
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", "x"]).exit_code == 2


# ---------------------------------------------------------------- fresh processes

_TYPER_MAIN = "import sys; from ssoctl.cli.app import main; sys.argv[0] = 'ssoctl'; main()"


def _env(tmp_path):
    return {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100",
            "SSOCTL_CONFIG": str(tmp_path / "absent.toml")}


@pytest.mark.parametrize("name, args", [
    ("response.b64", ["--now", NOW]),
    ("authn-request.deflated", ["--json", "--now", NOW]),
    ("response.xml", ["--cert", str(CAPTURES / "okta-idp.pem"), "--now", NOW, "--xml"]),
    ("okta-idp.pem", ["--now", NOW]),
])
def test_stdin_through_both_entry_points(tmp_path, name, args):
    data = (CAPTURES / name).read_bytes()
    runs = [subprocess.run([sys.executable, *start, "decode-response", "-", *args],
                           input=data, capture_output=True, timeout=60, cwd=ROOT,
                           env=_env(tmp_path))
            for start in (["-m", "ssoctl"], ["-c", _TYPER_MAIN])]
    fast, typer_route = ((r.returncode, r.stdout, r.stderr) for r in runs)
    assert fast == typer_route
    assert fast[1] or fast[2]


def test_plain_decode_response_imports_no_typer(tmp_path):
    """``python -m ssoctl decode-response FILE --json`` never loads Typer (nor Pydantic,
    rich or requests): checked with the interpreter's own import log."""
    for extra in (["--json"], ["--json", "--cert", str(IDP), "--now", NOW], ["--now", NOW]):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ssoctl",
                               "decode-response", str(SIGNED), *extra],
                              capture_output=True, text=True, timeout=60, cwd=ROOT,
                              env=_env(tmp_path))
        assert proc.returncode in (0, 1) and proc.stdout, proc.stderr
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                    for line in proc.stderr.splitlines() if line.startswith("import time:")}
        assert "ssoctl" in imported and "lxml" in imported  # the log is the real one
        assert not imported & {"typer", "click", "pydantic", "rich", "requests"}, extra
    help_ = subprocess.run([sys.executable, "-X", "importtime", "-m", "ssoctl",
                            "decode-response", "--help"],
                           capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env(tmp_path))
    assert help_.returncode == 0 and "| typer" in help_.stderr  # help goes to Typer


def test_ctrl_c_while_the_modules_load_is_exit_130(monkeypatch, capsys):
    """Ctrl-C before any command runs (Typer and the command's modules still loading)
    is the same one line and exit 130 as during the work, not a traceback."""
    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(fastpath, "parse", interrupted)
    monkeypatch.setattr(sys, "argv", ["ssoctl", "decode-response", "x.har"])
    import gc

    collecting = gc.isenabled()
    try:
        with pytest.raises(SystemExit) as done:
            fastpath.main()
    finally:
        gc.enable() if collecting else gc.disable()
    assert done.value.code == 130 and capsys.readouterr().err == "interrupted\n"


def _global(param) -> bool:
    """--debug/--no-color given after the command name (cli/helptext.py): Typer reads those."""
    from ssoctl.cli.helptext import GLOBAL_PANEL

    return getattr(param, "rich_help_panel", None) == GLOBAL_PANEL
