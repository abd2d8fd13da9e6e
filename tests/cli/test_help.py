"""What --help shows, the global options in both positions, -V and shell completion
(issue 11, "Help, flags and completion")."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib

import pytest
import typer

from conftest import ROOT
from ssoctl import __version__
from ssoctl.cli.app import app

#: Typer's internal type names: <bool>, <str>, <int>, <list[str]>, <int range>, <human|env>
TYPE_NAME = re.compile(r"<(?:bool|str|int|float|path|datetime|list\[|[a-z]+ range|[a-z]+\|)[^>]*>")


def _paths(command=None, path=()):
    command = command or typer.main.get_command(app)
    yield list(path), command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _paths(sub, (*path, name))


ALL = [path for path, _ in _paths()]
LEAVES = [path for path, command in _paths() if not hasattr(command, "commands")]


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "ssoctl")
def test_help_shows_no_internal_type_names(cli, path):
    for columns in ("60", "200"):
        result = cli(*path, "--help", env={"COLUMNS": columns})
        assert result.exit_code == 0
        assert not TYPE_NAME.search(result.stdout), TYPE_NAME.findall(result.stdout)


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "ssoctl")
def test_usage_line_reads_naturally(cli, path):
    out = cli(*path, "--help", env={"COLUMNS": "200"}).stdout
    usage = next(line.strip() for line in out.splitlines() if "Usage:" in line)
    assert usage.startswith(f"Usage: ssoctl {' '.join(path)}".rstrip() + " ")
    assert "[[" not in usage and "{" not in usage and "}" not in usage, usage
    arguments = usage.split("[OPTIONS]", 1)[1].split()
    for word in arguments:  # argument names in capitals: FILE|-, KEY, [TEXT-OR-CODE]...
        assert word.strip("[].") == word.strip("[].").upper(), usage


def test_usage_lines_of_the_commands_with_arguments(cli):
    def usage(*path):
        out = cli(*path, "--help", env={"COLUMNS": "200"}).stdout
        return next(line.strip() for line in out.splitlines() if "Usage:" in line)

    assert usage("check-cert") == "Usage: ssoctl check-cert [OPTIONS] [FILE|DIR|-]..."
    assert usage("import-metadata") == "Usage: ssoctl import-metadata [OPTIONS] FILE|URL|-"
    assert usage("config", "set") == "Usage: ssoctl config set [OPTIONS] KEY VALUE"
    assert usage("explain") == "Usage: ssoctl explain [OPTIONS] [TEXT-OR-CODE]..."


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
@pytest.mark.parametrize("flags", [("--debug",), ("--no-color",), ("--json",),
                                   ("--debug", "--no-color", "--json")], ids=" ".join)
def test_global_options_before_or_after_the_command(cli, path, flags):
    before = cli(*flags, *path, "--help")
    after = cli(*path, *flags, "--help")
    assert before.exit_code == 0 and after.exit_code == 0, after.stdout + after.stderr
    listed = cli(*path, "--help", env={"COLUMNS": "200"}).stdout
    for flag in flags:
        assert flag in listed


def test_json_after_the_command_name(cli):
    for args in (("config", "path", "--json"), ("--json", "config", "path"),
                 ("explain", "CERT_NO_ARMOR", "--json"), ("--json", "explain", "CERT_NO_ARMOR")):
        result = cli(*args)
        assert result.exit_code == 0 and result.json()["ok"] is True, args


def test_debug_after_the_command_name_logs(tmp_path):
    for args in (["check-cert", str(tmp_path / "absent.pem"), "--debug"],
                 ["--debug", "check-cert", str(tmp_path / "absent.pem")]):
        result = subprocess.run([sys.executable, "-m", "ssoctl", *args], capture_output=True,
                                text=True, cwd=ROOT)
        assert result.returncode == 3
        assert "debug: ssoctl" in result.stderr and "error: " in result.stderr


def test_no_color_after_the_command_name(monkeypatch):
    """``--no-color`` after the command switches colour off like before it (the renderer
    reads the same state)."""
    from ssoctl.cli import common

    seen = []
    real = common.renderer

    def spy(ctx, json_output=False):
        made = real(ctx, json_output)
        seen.append(made.no_color)
        return made
    monkeypatch.setattr(common, "renderer", spy)
    from typer.testing import CliRunner

    for args in (["config", "path", "--no-color"], ["--no-color", "config", "path"],
                 ["config", "path"]):
        CliRunner().invoke(app, args)
    assert seen == [True, True, False]


def test_version_short_and_long(cli):
    for flag in ("-V", "--version"):
        result = cli(flag)
        assert result.exit_code == 0 and result.stdout == f"ssoctl {__version__}\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script_and_answers(shell):
    from terminal.screen import ssoctl_command

    script = subprocess.run([*ssoctl_command(), "--show-completion", shell],
                            capture_output=True, text=True, cwd=ROOT)
    assert script.returncode == 0 and "_SSOCTL_COMPLETE" in script.stdout, script.stderr
    env = {"bash": {"COMP_WORDS": "ssoctl check", "COMP_CWORD": "1"},
           "zsh": {"_TYPER_COMPLETE_ARGS": "ssoctl check"},
           "fish": {"_TYPER_COMPLETE_ARGS": "ssoctl check",
                    "_TYPER_COMPLETE_FISH_ACTION": "get-args"}}[shell]
    import os

    answer = subprocess.run(ssoctl_command(), capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, **env,
                                           "_SSOCTL_COMPLETE": f"complete_{shell}"})
    assert "check-cert" in answer.stdout, answer.stdout + answer.stderr


def test_completion_is_documented():
    readme = (ROOT / "README.md").read_text()
    page = (ROOT / "docs" / "completion.md").read_text()
    for text in (readme, page):
        assert "ssoctl --install-completion" in text
    for shell in ("bash", "zsh", "fish"):
        assert shell in page


def test_project_urls():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    urls = project["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Issues", "Changelog"}
    home = urls["Homepage"].rstrip("/")
    assert all(url.startswith(home) for url in urls.values()), urls
    from ssoctl import links

    assert links.HOMEPAGE == home and links.DOCS.startswith(home)


#: Strings still naming a docs/ file, each with the work that replaces it. Anything new
#: that points a user at docs/… fails: an installed ssoctl has no docs folder.
ALLOWED_DOCS_PATHS = {
    ("ssoctl/cli/app.py", "docs/exit-codes.md."): "exit-code help generated from errors.py",
    ("ssoctl/cli/explain.py", "docs/exit-codes.md."): "`ssoctl explain 7` explains exit codes",
    ("ssoctl/findings/__init__.py", "docs/findings.md"): "the generated page's own header",
    ("ssoctl/rehearsal/fakesp.py", "docs/sp-api.md"): "becomes `ssoctl rehearse sp`",
}


def test_messages_point_to_urls_or_explain_not_to_docs_files():
    pattern = re.compile(r"(?<![\w/])docs/[\w./-]+")
    found = set()
    for path in sorted((ROOT / "ssoctl").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and not _is_command(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                rel = str(path.relative_to(ROOT))
                found |= {(rel, hit) for hit in pattern.findall(node.value)}
    assert found <= set(ALLOWED_DOCS_PATHS), sorted(found - set(ALLOWED_DOCS_PATHS))


def _is_command(node) -> bool:
    """A command function's docstring is its --help text: it counts as a message."""
    return isinstance(node, ast.FunctionDef) and any(arg.arg == "ctx" for arg in node.args.args)
