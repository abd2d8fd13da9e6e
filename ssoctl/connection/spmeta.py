"""sipgate's two values (ACS URL, Entity ID) from SP metadata, when the SP publishes it.

Read through the project's one hardened XML parser (:mod:`ssoctl.xmlsafe`): the
``md:EntityDescriptor`` with an ``md:SPSSODescriptor``, its ``entityID`` and the
``md:AssertionConsumerService`` with the HTTP-POST binding (the default one, else the
lowest index, if several).
"""

from __future__ import annotations

from ssoctl.errors import InputError
from ssoctl.okta.apps import SpValues

POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_BYTES = 1024 * 1024


def sp_values_from_metadata(source: str) -> SpValues:
    """ACS URL and Entity ID from an SP metadata file (or ``-``)."""
    from ssoctl import xmlsafe
    from ssoctl.files import read_source

    got = read_source(source, max_bytes=MAX_BYTES, what="SP metadata")
    root = xmlsafe.parse(got.data, what="SP metadata", max_bytes=MAX_BYTES)
    sp_tag = xmlsafe.qname("md", "SPSSODescriptor")
    entities = [root] if root.tag == xmlsafe.qname("md", "EntityDescriptor") else \
        list(root.iter(xmlsafe.qname("md", "EntityDescriptor")))
    found = [e for e in entities if xmlsafe.first_child(e, sp_tag) is not None]
    hint = "give sipgate's ACS URL and Entity ID with --acs-url and --sp-entity-id instead"
    if len(found) != 1:
        raise InputError(f"{got.label}: {'no' if not found else len(found)} SP entities "
                         "(EntityDescriptor with an SPSSODescriptor)", hint=hint,
                         code="SETUP_SP_METADATA_INVALID")
    entity = found[0]
    descriptor = xmlsafe.first_child(entity, sp_tag)
    services = [s for s in xmlsafe.children(descriptor, xmlsafe.qname("md",
                                                                       "AssertionConsumerService"))
                if s.get("Binding") == POST and s.get("Location")]
    if not services or not entity.get("entityID"):
        raise InputError(f"{got.label}: no entityID or no HTTP-POST AssertionConsumerService",
                         hint=hint, code="SETUP_SP_METADATA_INVALID")
    default = [s for s in services if s.get("isDefault") in ("true", "1")]
    chosen = default[0] if default else min(services, key=_index)
    return SpValues(acs_url=chosen.get("Location").strip(),
                    entity_id=entity.get("entityID").strip())


def _index(element) -> int:
    value = element.get("index") or ""
    return int(value) if value.isdecimal() else 1 << 30
