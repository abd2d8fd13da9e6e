"""``decode-response`` on every fixture and on many command lines: a documented exit
status, something said, never a traceback; stdin read the same in a fresh process."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from ssoctl.errors import COMMAND_EXIT_CODES

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


# ---------------------------------------------------------------- command lines

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
    """Run ``ssoctl *argv``: a status decode-response documents, something said, no bug."""
    argv = [str(a) for a in argv]
    result = cli(*argv)
    assert result.exit_code in COMMAND_EXIT_CODES["decode-response"], (argv, result)
    assert result.stdout or result.stderr  # something was said
    assert "Traceback" not in result.stderr
    return result


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
def test_command_lines(cli, capsys, tmp_path, args):
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
def test_global_options(cli, capsys, globals_, args):
    _same(cli, capsys, [*globals_, "decode-response", *args])


def test_results_are_what_the_command_documents(cli, capsys):
    """The command verifies, fails and refuses with the documented statuses."""
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", NOW, "--cert", IDP, *SP]
                 ).exit_code == 0
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", NOW, "--fingerprint",
                               "AB" * 32]).exit_code == 4
    assert _same(cli, capsys, ["decode-response", FIXTURES / "nope.xml"]).exit_code == 3
    assert _same(cli, capsys, ["decode-response", SIGNED, "--now", "x"]).exit_code == 2


# ---------------------------------------------------------------- fresh processes

def _env(tmp_path):
    return {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100",
            "SSOCTL_CONFIG": str(tmp_path / "absent.toml")}


@pytest.mark.parametrize("name, args", [
    ("response.b64", ["--now", NOW]),
    ("authn-request.deflated", ["--json", "--now", NOW]),
    ("response.xml", ["--cert", str(CAPTURES / "okta-idp.pem"), "--now", NOW, "--xml"]),
    ("okta-idp.pem", ["--now", NOW]),
])
def test_stdin_in_a_fresh_process_reads_as_in_process(cli, tmp_path, name, args):
    data = (CAPTURES / name).read_bytes()
    run = subprocess.run([sys.executable, "-m", "ssoctl", "decode-response", "-", *args],
                         input=data, capture_output=True, timeout=60, cwd=ROOT,
                         env=_env(tmp_path))
    here = cli("decode-response", "-", *args, input=data)
    assert run.returncode == here.exit_code
    assert run.stdout.decode() == here.stdout
    assert run.stdout or run.stderr


def test_ctrl_c_while_the_modules_load_is_exit_130(monkeypatch, capsys):
    """Ctrl-C before any command runs (Typer and the command's modules still loading)
    is the same one line and exit 130 as during the work, not a traceback."""
    import ssoctl.cli

    monkeypatch.delitem(sys.modules, "ssoctl.cli.app", raising=False)

    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "ssoctl.cli.app":
                raise KeyboardInterrupt
            return None

    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as done:
        ssoctl.cli.main()
    assert done.value.code == 130 and capsys.readouterr().err == "interrupted\n"
