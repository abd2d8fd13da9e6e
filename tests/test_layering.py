"""Which module may import what (house-style.md), and the one-parser rule (security.md A30)."""

import re

import pytest

from conftest import ROOT

PKG = ROOT / "ssoctl"


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        yield path.relative_to(PKG).as_posix(), path.read_text()


def _imports(text: str, name: str) -> bool:
    return re.search(rf"^\s*(import|from)\s+{re.escape(name)}(\.|\s|$)", text, re.M) is not None


RULES = {
    "typer": lambda rel: rel.startswith("cli/"),
    "rich": lambda rel: rel == "render.py" or rel.startswith("cli/"),
    "requests": lambda rel: rel in ("http.py", "okta.py") or rel.startswith("sp/"),
    "signxml": lambda rel: rel in ("metadata.py",) or rel.startswith(("saml/", "devtools/")),
    "lxml": lambda rel: (rel in ("xmlsafe.py", "metadata.py")
                         or rel.startswith(("saml/", "devtools/", "rehearsal/"))),
}


@pytest.mark.parametrize("dependency", sorted(RULES))
def test_dependency_stays_in_its_layer(dependency):
    offenders = [rel for rel, text in _modules()
                 if _imports(text, dependency) and not RULES[dependency](rel)]
    assert not offenders, f"{dependency} imported outside its layer: {offenders}"


def test_one_xml_parser():
    banned = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "defusedxml")
    offenders = [rel for rel, text in _modules() for name in banned if _imports(text, name)]
    assert not offenders, f"second XML parser used: {offenders}"


def test_lxml_parsing_only_through_xmlsafe():
    pattern = re.compile(r"etree\.(fromstring|parse|XML|iterparse|XMLParser|HTMLParser)\(")
    offenders = [rel for rel, text in _modules() if rel != "xmlsafe.py" and pattern.search(text)]
    assert not offenders, f"lxml parsing outside xmlsafe.py: {offenders}"
