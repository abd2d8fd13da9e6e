"""Start-up: a command line builds only the command it runs, and nothing heavy loads
before it is needed (docs/benchmarks.md has the timings; tests never time anything)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND_MODULES = "ssoctl.cli."


def _loaded(argv: list[str]) -> dict:
    """Run ``ssoctl ARGV`` in a fresh interpreter; which modules did it load?"""
    code = ("import json, sys\n"
            f"sys.argv = ['ssoctl', *{argv!r}]\n"
            "from ssoctl.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\n' + json.dumps(sorted(sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def _commands_built(modules: set) -> set:
    from ssoctl.cli.app import COMMANDS

    return {name for name, (module, _) in COMMANDS.items()
            if f"ssoctl.cli.{module}" in modules}


def test_help_builds_no_command():
    modules = _loaded(["--help"])
    assert _commands_built(modules) == set()
    assert not {"pydantic", "lxml", "signxml", "requests", "rich"} & {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("argv, built", [
    (["check-cert", "fixtures/certs/okta.cert"], {"check-cert"}),
    (["decode-response", "fixtures/saml/response-assertion-signed.xml", "--json"],
     {"decode-response"}),
    (["import-metadata", "fixtures/metadata/okta.xml"], {"import-metadata"}),
])
def test_a_command_line_builds_only_its_command(argv, built):
    modules = _loaded(argv)
    assert _commands_built(modules) == built
    # Typer 0.29 and later convert option values with Pydantic (a third of the start-up);
    # the Typer range in pyproject.toml keeps it out (docs/benchmarks.md).
    assert "pydantic" not in {m.split(".")[0] for m in modules}


def test_decoding_an_xml_file_loads_no_capture_reader():
    """The HAR/SAML-tracer readers (and the incremental JSON parser) load only for a
    capture: a plain XML file, the common case, does without them."""
    modules = _loaded(["decode-response", "fixtures/saml/response-assertion-signed.xml",
                       "--json"])
    assert not {"ssoctl.saml.har", "ssoctl.saml.harstream", "ijson"} & modules


def test_the_command_table_names_what_each_module_registers():
    import importlib

    import typer

    from ssoctl.cli.app import COMMANDS

    wanted: dict[str, set] = {}
    for name, (module, summary) in COMMANDS.items():
        wanted.setdefault(module, set()).add(name)
        assert summary.endswith(".") and len(summary) <= 59, name  # one line at 80 columns
    for module, names in wanted.items():
        holder = typer.Typer()
        importlib.import_module(f"ssoctl.cli.{module}").register(holder)
        registered = ({info.name for info in holder.registered_commands}
                      | {info.name for info in holder.registered_groups})
        assert registered == names, module


def test_root_help_lists_every_command_and_a_typo_gets_a_suggestion(cli):
    from ssoctl.cli.app import COMMANDS

    listed = cli("--help").stdout.split("Commands:")[1]
    words = " ".join(listed.split())
    for name, (_, summary) in COMMANDS.items():
        assert f"\n  {name} " in listed and f"{name} {summary}" in words
    result = cli("chek-cert")
    assert result.exit_code == 2 and "check-cert" in result.stdout + result.stderr
