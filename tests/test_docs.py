"""The documentation lists every exit code, error code, finding code and command."""

import re

import typer.main

from ssoctl.cli.app import app
from ssoctl.errors import ExitCode
from ssoctl.findings import catalogue, markdown

from conftest import ROOT

DOCS = ROOT / "docs"


def _source_error_codes() -> set[str]:
    codes = set()
    for path in (ROOT / "ssoctl").rglob("*.py"):
        codes |= set(re.findall(r'code="([A-Z][A-Z0-9_]+)"', path.read_text()))
        codes |= set(re.findall(r'default_code = "([A-Z][A-Z0-9_]+)"', path.read_text()))
    return codes


def test_every_exit_code_is_documented():
    text = (DOCS / "exit-codes.md").read_text()
    for code in ExitCode:
        assert re.search(rf"^\|\s*{int(code)}\s*\|", text, re.M), f"exit code {int(code)} missing"


def test_exit_code_table_is_generated_from_errors_py():
    from ssoctl.errors import exit_codes_markdown

    text = (DOCS / "exit-codes.md").read_text()
    assert exit_codes_markdown() in text, "run: python -m ssoctl.errors (into docs/exit-codes.md)"


def test_every_command_help_lists_its_exit_codes_from_the_table(cli):
    from ssoctl.errors import COMMAND_EXIT_CODES, exit_codes_epilog

    for path in COMMAND_EXIT_CODES:
        result = cli(*path.split(), "--help")
        assert result.exit_code == 0, path
        shown = " ".join(result.stdout.split())
        assert exit_codes_epilog(path) in shown, path


def test_every_error_code_is_documented():
    text = (DOCS / "exit-codes.md").read_text()
    missing = sorted(c for c in _source_error_codes() if f"`{c}`" not in text)
    assert not missing, f"error codes missing from docs/exit-codes.md: {missing}"


def test_every_documented_error_code_is_still_in_the_source():
    """The reverse of the test above: a code no longer raised leaves the table too."""
    text = (DOCS / "exit-codes.md").read_text()
    section = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, re.M))
    source = "".join(path.read_text() for path in (ROOT / "ssoctl").rglob("*.py"))
    stale = sorted(code for code in documented if f'"{code}"' not in source)
    assert len(documented) > 100 and not stale, f"documented but never raised: {stale}"


def test_findings_doc_is_generated_from_catalogue():
    text = (DOCS / "findings.md").read_text()
    assert text == markdown(), "run: python -m ssoctl.findings > docs/findings.md"
    for code in catalogue():
        assert f"### {code}" in text


def test_every_finding_code_used_in_source_is_catalogued():
    used = set()
    for path in (ROOT / "ssoctl").rglob("*.py"):
        # finding("CODE", ...) and the diagnosis helpers' work.add("CODE", ...)
        used |= set(re.findall(r'\b(?:finding|\.add)\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    unknown = sorted(used - set(catalogue()))
    assert not unknown, f"finding codes used but not catalogued: {unknown}"


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        path = prefix + (name,)
        if hasattr(cmd, "commands"):
            yield path, cmd
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def test_every_command_has_help_and_a_docs_page():
    click_app = typer.main.get_command(app)
    seen = 0
    for path, cmd in _commands(click_app):
        seen += 1
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
        page = DOCS / "commands" / f"{path[0]}.md"
        assert page.exists(), f"docs/commands/{path[0]}.md missing"
        assert f"ssoctl {' '.join(path)}" in page.read_text(), f"{' '.join(path)} not in {page.name}"
    assert seen >= 6  # check-cert, import-metadata, decode-response, explain, push, config
