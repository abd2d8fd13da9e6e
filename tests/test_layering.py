"""Which module may import what (docs/architecture.md), and the one-parser rule
(docs/threat-model.md, "one XML parser").

The layers, the acyclic-siblings rule and the third-party boundaries are import-linter
contracts in pyproject.toml; this test runs them, so a new import that crosses a layer or
closes a cycle (even inside a function) fails the suite.
"""

import re
import subprocess
import sys

from conftest import ROOT

PKG = ROOT / "ssoctl"


def test_import_contracts_hold():
    # In its own process: import-linter configures logging with dictConfig, which turns
    # off every logger that exists already (ssoctl's among them) for the rest of the run.
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        yield path.relative_to(PKG).as_posix(), path.read_text()


def _imports(text: str, name: str) -> bool:
    return re.search(rf"^\s*(import|from)\s+{re.escape(name)}(\.|\s|$)", text, re.M) is not None


def test_one_xml_parser():
    banned = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "defusedxml")
    offenders = [rel for rel, text in _modules() for name in banned if _imports(text, name)]
    assert not offenders, f"second XML parser used: {offenders}"


def test_lxml_parsing_only_through_xmlsafe():
    pattern = re.compile(r"etree\.(fromstring|parse|XML|iterparse|XMLParser|HTMLParser)\(")
    offenders = [rel for rel, text in _modules() if rel != "xmlsafe.py" and pattern.search(text)]
    assert not offenders, f"lxml parsing outside xmlsafe.py: {offenders}"
