"""The rest target's template rendering and JSON pointers."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ssoctl.sp.contract import SsoSettings
from ssoctl.sp.rest import render_body, resolve_pointer, template_pointers

TEMPLATE = {"active": "{enabled}", "kind": "saml",
            "saml": {"loginUrl": "{sso_url}", "issuer": "{idp_entity_id}",
                     "certs": ["{certificate}"], "a/b~c": "{sso_url}"}}


def test_render_inserts_typed_values():
    s = SsoSettings("https://x", "ent", "-----BEGIN CERTIFICATE-----\n\"}", True)
    body = render_body(TEMPLATE, s)
    assert body == {"active": True, "kind": "saml",
                    "saml": {"loginUrl": "https://x", "issuer": "ent",
                             "certs": ["-----BEGIN CERTIFICATE-----\n\"}"], "a/b~c": "https://x"}}
    json.dumps(body)  # always valid JSON, whatever the values hold


def test_pointers_come_from_the_template():
    assert template_pointers(TEMPLATE) == {"enabled": "/active", "sso_url": "/saml/loginUrl",
                                           "idp_entity_id": "/saml/issuer",
                                           "certificate": "/saml/certs/0"}


def test_resolve_pointer_rfc6901():
    doc = {"a/b~c": 1, "l": [10, 20], "": 5}
    assert resolve_pointer(doc, "/a~1b~0c") == 1
    assert resolve_pointer(doc, "/l/1") == 20
    assert resolve_pointer(doc, "/l/7") is None and resolve_pointer(doc, "/zz/y") is None
    assert resolve_pointer(doc, "") == doc and resolve_pointer(doc, "nope") is None
    assert resolve_pointer(doc, "/l/²") is None  # isdigit() but not int()-able


KEYS = st.text(min_size=1, max_size=8)
VALUES = st.sampled_from(["{sso_url}", "{idp_entity_id}", "{certificate}", "{enabled}", "x", 1])
TREES = st.recursive(VALUES, lambda c: st.dictionaries(KEYS, c, max_size=3) | st.lists(c, max_size=3),
                     max_leaves=8)


@settings(max_examples=80)
@given(TREES, st.text(max_size=20), st.booleans())
def test_pointers_find_what_render_put_there(template, text, enabled):
    s = SsoSettings("u:" + text, "e:" + text, "c:" + text, enabled)
    body = render_body(template, s)
    for name, pointer in template_pointers(template).items():
        assert resolve_pointer(body, pointer) == getattr(s, name)
