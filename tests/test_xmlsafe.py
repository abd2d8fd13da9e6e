"""The hardened parser (docs/threat-model.md, "XML parsing")."""

import pytest
from hypothesis import given, settings, strategies as st

from ssoctl import xmlsafe
from ssoctl.errors import InputError


def test_parser_options_are_hardened():
    opts = xmlsafe.PARSER_OPTIONS
    assert opts["resolve_entities"] is False and opts["no_network"] is True
    assert opts["load_dtd"] is False and opts["huge_tree"] is False
    # Processing instructions are kept: they are part of what was signed, and a
    # PI inserted after signing must break the digest (tests/attacks/test_attack_tampering.py).
    assert opts["remove_pis"] is False and opts["remove_comments"] is False


def test_lxml_is_new_enough():
    from lxml import etree

    assert etree.LXML_VERSION >= (5, 0)


BOMBS = {
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                      b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
    "xxe_file": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>',
    "external_dtd": b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
    "cve_2025_25291": b"<!DOCTYPE r SYSTEM 'x\"><!--'><r/>",
    "entity_in_id": b'<!DOCTYPE r [<!ENTITY i "abc">]><r ID="&i;"/>',
    "lowercase": b'<!doctype r><r/>',
    "utf16": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'.encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_doctype_is_refused(name):
    with pytest.raises(InputError) as info:
        xmlsafe.parse(BOMBS[name])
    assert info.value.code == "XML_DOCTYPE"
    assert "DOCTYPE not allowed" in info.value.message


def test_xinclude_is_not_expanded():
    root = xmlsafe.parse(b'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
                         b'<xi:include href="/etc/passwd" parse="text"/></r>')
    assert "root:" not in (xmlsafe.text_of(root) or "")


def test_size_limit_checked_before_parsing():
    with pytest.raises(InputError) as info:
        xmlsafe.parse(b"<r>" + b"a" * 2000 + b"</r>", max_bytes=1000)
    assert info.value.code == "XML_TOO_LARGE"


def test_deep_nesting_is_refused():
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    with pytest.raises(InputError) as info:
        xmlsafe.parse(deep)
    assert info.value.code == "XML_TOO_DEEP"
    assert "256 levels" in info.value.message


def test_malformed_message_has_no_libxml_noise():
    with pytest.raises(InputError) as info:
        xmlsafe.parse(b"<r><a></r>")
    assert "<string>" not in info.value.message and info.value.code == "XML_MALFORMED"


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x00\x00", b"<r><unclosed></r>",
                                  b"<r>", "<r>text</r>".encode("utf-16-le")])
def test_garbage_is_an_input_error(data):
    with pytest.raises(InputError):
        xmlsafe.parse(data)


def test_processing_instructions_and_comments_kept_and_ignored_by_readers():
    root = xmlsafe.parse(b"<r><?evil x?><n>admin@example.com<!---->.evil<?pi y?>.com</n></r>")
    assert len(root) == 2  # the PI is there: it is part of what a signature covers
    assert xmlsafe.text_of(root[1]) == "admin@example.com.evil.com"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_fuzz_never_raises_anything_but_input_error(data):
    try:
        xmlsafe.parse(data)
    except InputError:
        pass
