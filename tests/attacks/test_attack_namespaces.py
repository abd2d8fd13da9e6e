"""Void canonicalization and namespace tricks (docs/threat-model.md, "Signatures")."""

from __future__ import annotations

import pytest

from support import attacks

from .conftest import NOW, assert_refused


def test_relative_namespace_is_a_finding_not_a_traceback(verify):
    assert_refused(verify(attacks.build("relative-namespace", now=NOW)), "SIG_MALFORMED")


def test_prefix_rebinding_is_refused(verify):
    assert_refused(verify(attacks.build("prefix-rebinding", now=NOW)), "SIG_INVALID")


def test_duplicate_namespaced_attributes(verify):
    """Guess from "The Fragile Lock": the same attribute twice under two prefixes bound to
    one namespace is not well-formed XML -> InputError (exit 3), not a traceback."""
    from ssoctl.rehearsal import samlgen
    from ssoctl.errors import InputError

    xml = samlgen.response(now=NOW).replace(
        b"<saml2:Subject>",
        b'<saml2:Subject xmlns:a="urn:x" xmlns:b="urn:x" a:k="1" b:k="2">', 1)
    with pytest.raises(InputError):
        verify(xml)
