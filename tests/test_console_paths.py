"""Okta Admin Console paths come from one table (ssoctl/findings/console.py), each with the
Okta page it was checked against; no other module spells a path of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import ssoctl
from ssoctl.findings import console

PACKAGE = Path(ssoctl.__file__).parent
#: Words that only appear when a text sends the reader to an Okta screen.
OKTA_UI = re.compile(r"Sign On tab|Sign On →|Sign On >|SAML Signing Certificates|"
                     r"Show Advanced Settings|More details|Metadata details|View IdP metadata|"
                     r"Assignments tab|→ Assignments|General tab|SAML [Ss]ettings")


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module (docstrings included), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_every_entry_names_its_source():
    assert console.OKTA
    for key, entry in console.OKTA.items():
        assert entry.path.startswith("Applications → Applications → your app"), key
        assert re.match(r"https://(help|developer|saml-doc)\.okta\.com/", entry.source), key


def test_no_module_spells_an_okta_path_of_its_own():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == Path(console.__file__):
            continue
        for line, text in _strings(path):
            if "→" in text and "sipgate" not in text and "``" not in text and OKTA_UI.search(text):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {text[:80]!r}")
            elif re.search(r"Sign On\s*[>→]|Okta:\s*(Sign On|Applications)", text):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {text[:80]!r}")
    assert not offenders, "use ssoctl.findings.console.okta(KEY):\n" + "\n".join(offenders)


def _catalogue():
    from ssoctl import explain

    return explain.finding_entries()


@pytest.mark.parametrize("entry", _catalogue(), ids=lambda e: e.key)
def test_catalogue_entries_naming_an_okta_screen_use_the_table(entry):
    for text in (entry.fix, entry.explanation):
        if OKTA_UI.search(text):
            assert any(p in text for p in console.paths()), (entry.key, text)


def test_the_known_corrections():
    """Signature Algorithm and Assertion Signature are SAML settings (General tab), under
    Show Advanced Settings; not on the Sign On tab."""
    from ssoctl.findings import lookup

    for code in ("SAML_ASSERTION_NOT_SIGNED", "SIG_SHA1"):
        hint = lookup(code).hint
        assert "General tab → SAML Settings → Edit" in hint, hint
        assert "Show Advanced Settings" in hint and "Sign On" not in hint, hint


def test_helpers():
    assert console.okta("advanced", "Signature Algorithm").endswith(
        "Show Advanced Settings → Signature Algorithm")
    assert console.path("assignments") == "Applications → Applications → your app → " \
                                          "Assignments tab"
    with pytest.raises(KeyError):
        console.path("no such screen")
