"""The Pydantic-free parameter converter (ssoctl/cli/fastparams.py) against Typer's own.

Every command line here runs twice in-process, once as shipped and once with
``fastparams.install`` switched off (Typer's Pydantic coercion), and must give the same
exit status, stdout and stderr. A Hypothesis test feeds odd values straight to both
converters for every parameter ssoctl declares.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoctl.cli import fastparams
from tests.conftest import FIXTURES, ROOT

OKTA_XML = FIXTURES / "metadata" / "okta.xml"
MESSAGE = FIXTURES / "saml" / "response-assertion-signed.xml"
CERT = FIXTURES / "certs" / "okta.cert"
IDP_CERT = FIXTURES / "saml" / "okta-idp.pem"
NOW = "2026-06-01T12:00:00Z"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("SSOCTL_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("SSOCTL_TOKEN", "SSOCTL_TOKEN_ID", "SSOCTL_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def _both(cli, monkeypatch, *args):
    fast = cli(*args)
    with monkeypatch.context() as patch:
        patch.setattr(fastparams, "install", lambda params: None)
        typer_own = cli(*args)
    return fast, typer_own


# (command line, expected exit status): bad values (usage, 2) and good ones.
LINES = [
    # decode-response: int with min, Optional[int], Optional[List[str]], Optional[Path]
    (("decode-response", MESSAGE, "--skew", "-1"), 2),
    (("decode-response", MESSAGE, "--skew", "x"), 2),
    (("decode-response", MESSAGE, "--skew", "1.5"), 2),
    (("decode-response", MESSAGE, "--skew", " 30 ", "--now", NOW), 0),
    (("decode-response", MESSAGE, "--skew", "1_0", "--now", NOW), 0),
    (("decode-response", MESSAGE, "--skew", "30.0", "--now", NOW), 0),
    (("decode-response", MESSAGE, "--skew", "٣", "--now", NOW), 2),
    (("decode-response", MESSAGE, "--jobs", "0"), 2),
    (("decode-response", MESSAGE, "-j", "two"), 2),
    (("decode-response", MESSAGE, "--entry", "abc"), 2),
    (("decode-response", MESSAGE, "--entry", "1", "--now", NOW), 0),
    (("decode-response", MESSAGE, "--cert", IDP_CERT, "--cert", CERT, "--now", NOW, "--json"), 0),
    (("decode-response", MESSAGE, "--fingerprint", "AB:CD", "--now", NOW, "--json"), 2),
    (("decode-response", MESSAGE, "--ca-bundle", "/nonexistent/ca.pem", "--now", NOW), 0),
    (("decode-response", MESSAGE, "--ca-bundle", "", "--now", NOW), 0),
    (("--json", "decode-response", MESSAGE, "--skew", "-5"), 2),
    (("decode-response", MESSAGE, "--json", "--jobs", "x"), 2),
    # import-metadata: enum choice (case-insensitive), float with min, Optional[int] min
    (("import-metadata", OKTA_XML, "--format", "ENV", "--now", NOW), 0),
    (("import-metadata", OKTA_XML, "--format", "xml"), 2),
    (("import-metadata", OKTA_XML, "--format", " env"), 2),
    (("import-metadata", OKTA_XML, "--cert-index", "0"), 2),
    (("import-metadata", OKTA_XML, "--cert-index", "1", "--now", NOW), 0),
    (("import-metadata", OKTA_XML, "--timeout", "0.5"), 2),
    (("import-metadata", OKTA_XML, "--timeout", "nan"), 2),
    (("import-metadata", OKTA_XML, "--timeout", "inf", "--now", NOW), 0),
    (("import-metadata", OKTA_XML, "--timeout", "1e1", "--now", NOW), 0),
    (("import-metadata", OKTA_XML, "--timeout", "2.5", "--now", NOW, "--json"), 0),
    (("import-metadata", OKTA_XML, "--timeout", "soon"), 2),
    (("import-metadata", OKTA_XML, "--warn-days", "-3", "--json"), 2),
    (("--json", "import-metadata", OKTA_XML, "--format", "yaml"), 2),
    # check-cert (the Typer route), the root group, explain's variadic argument
    (("check-cert", CERT, "--warn-days", "x"), 2),
    (("check-cert", CERT, "--warn-days", "-1", "--json"), 2),
    (("check-cert", CERT, "--warn-days", "5.0", "--now", NOW), 0),
    (("explain", "SAML_AUDIENCE_MISMATCH"), 0),
    (("explain", "--json", "user", "is", "not", "assigned"), 0),
    # push / rollback / sp / config: int with min and max, List[str]
    (("push", "--jobs", "17", "--profiles", "a,b"), 2),
    (("push", "--jobs", "0", "--profiles", "a,b"), 2),
    (("--json", "push", "--jobs", "many", "--profiles", "a,b"), 2),
    (("push", "--allow", "X", "--allow", "Y", "--profile", "p", "--dry-run", "--json"), 2),
    (("sp", "status", "--warn-days", "x"), 2),
    (("sp", "status", "--warn-days", "-1", "--json"), 2),
    (("rollback",), 2),
    (("config", "show", "--profile", "nope", "--json"), 2),
    (("config", "validate", "--strict"), 2),
    (("config", "path"), 0),
]


@pytest.mark.parametrize(("args", "status"), LINES, ids=lambda v: " ".join(map(str, v))
                         if isinstance(v, tuple) else str(v))
def test_same_result_as_typer_coercion(cli, monkeypatch, args, status):
    fast, typer_own = _both(cli, monkeypatch, *args)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (
        typer_own.exit_code, typer_own.stdout, typer_own.stderr)
    assert fast.exit_code == status, (fast.stdout, fast.stderr)


def test_bad_value_message_is_typers_own(cli):
    result = cli("--json", "decode-response", str(MESSAGE), "--skew", "-1")
    assert result.exit_code == 2
    error = result.json()["error"]
    assert error["code"] == "USAGE"
    assert "Input should be greater than or equal to 0" in error["message"]
    result = cli("import-metadata", str(OKTA_XML), "--format", "xml")
    assert "'xml' is not one of 'human', 'env'" in result.stderr


def _all_params():
    """(command path, click parameter) for every parameter in the ssoctl command tree."""
    import typer.main

    from ssoctl.cli.app import app

    out = []

    def walk(command, path):
        out.extend((path, p) for p in command.params)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "ssoctl")
    return out


def test_every_command_and_group_uses_the_fast_classes():
    import typer.main

    from ssoctl.cli.app import app

    def walk(command, path):
        base = fastparams.FastGroup if hasattr(command, "commands") else fastparams.FastCommand
        assert isinstance(command, base), path
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "ssoctl")


def test_every_parameter_gets_the_fast_converter():
    """No parameter type ssoctl declares is left to Pydantic (a new kind fails here)."""
    left = [f"{path} {p.name}: {p.type_descriptor.annotation!r}" for path, p in _all_params()
            if not fastparams.supported(p.type_descriptor)]
    assert left == []


# Odd values: signs, spaces, underscores, dots, exponents, other scripts' digits, NUL.
VALUES = st.one_of(
    st.text(alphabet="0123456789+-_. eEinfaxyz\t٣５\x00", max_size=8),
    st.sampled_from(["", " ", "0", "-0", "+1", "16", "17", "1_000", "5.0", "5.", ".5",
                     "inf", "-inf", "nan", "NaN", "Infinity", "1e3", "00012", "human",
                     "ENV", "Env ", "/etc/hosts", "/", "a\x00b", "9" * 25]),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES, index=st.integers(min_value=0))
def test_converter_matches_typer_on_odd_values(value, index):
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import build_runtime_param

    params = [(path, p) for path, p in _all_params() if p.type_descriptor.annotation is not bool]
    path, param = params[index % len(params)]
    descriptor = param.type_descriptor
    ctx = Context(param_command(path))
    fast = fastparams._converter()(parameter_info=descriptor.parameter_info,
                                   annotation=descriptor.annotation)
    own = build_runtime_param(descriptor)
    if param.multiple or param.nargs == -1:
        value = (value, value)

    def outcome(converter):
        try:
            result = converter._coerce_value(value, param=param, ctx=ctx)
            return ("ok", type(result), result if result == result else "nan")
        except BadParameter as exc:
            return ("bad", exc.format_message())

    assert outcome(fast) == outcome(own), (path, param.name, value)


def param_command(path):
    import typer.main

    from ssoctl.cli.app import app

    command = typer.main.get_command(app)
    for name in path.split()[1:]:
        command = command.commands[name]
    return command


def test_without_typer_internals_typer_coercion_runs(cli, monkeypatch):
    """If Typer's private coercion module is gone, install() leaves parameters alone."""
    monkeypatch.setattr(fastparams, "_converter_class", None)
    monkeypatch.setitem(sys.modules, "typer._coercion", None)  # import raises ImportError
    assert fastparams._converter() is None

    class Param:
        _runtime_param = None
        type_descriptor = object()

    param = Param()
    fastparams.install([param])
    assert param._runtime_param is None


def _fresh(argv):
    code = (
        "import sys\n"
        f"sys.argv = ['ssoctl'] + {argv!r}\n"
        "from ssoctl.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code, file=sys.stderr)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'requests'}),"
        " file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1",
                               "SSOCTL_CONFIG": "/nonexistent/ssoctl.toml"})


@pytest.mark.parametrize("argv", [
    ["decode-response", str(MESSAGE), "--json"],
    ["decode-response", str(MESSAGE), "--cert", str(IDP_CERT), "--skew", "60", "--json"],
    ["import-metadata", str(OKTA_XML), "--json"],
    ["import-metadata", str(OKTA_XML), "--format", "env", "--timeout", "5", "--cert-index", "1"],
], ids=lambda argv: " ".join(a.rsplit("/", 1)[-1] for a in argv))
def test_everyday_commands_import_no_pydantic(argv):
    """In a fresh process decode-response and import-metadata never load Pydantic, rich
    (a pipe gets plain text) or requests (a local file)."""
    proc = _fresh(argv)
    lines = proc.stderr.strip().splitlines()
    assert lines[-2] in ("exit 0", "exit 1"), proc.stderr
    assert lines[-1] == "[]", proc.stderr
