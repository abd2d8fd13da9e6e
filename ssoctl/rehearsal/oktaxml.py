"""The XML half of the Okta stand-in: IdP metadata and signed SAML Responses, Okta's shape.

Metadata follows what Okta serves for a SAML 2.0 app (``entityID`` ``http://www.okta.com/exk…``,
``WantAuthnRequestsSigned="false"``, one signing ``KeyDescriptor`` whose certificate is
wrapped at 76 columns without BEGIN/END lines, the app's Name ID format, HTTP-POST and
HTTP-Redirect ``SingleSignOnService`` with the same Location). Responses are built and signed
by :mod:`ssoctl.rehearsal.samlgen` (signxml's ``XMLSigner``: rsa-sha256 + sha256 or the
app's SHA-1 choice, exclusive c14n with ``PrefixList="xs"``, the signature after the Issuer).
"""

from __future__ import annotations

import base64
import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence

from lxml import etree

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def wrap76(der: bytes) -> str:
    """The certificate body as Okta prints it in metadata: base64, 76 columns, no BEGIN/END."""
    return "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 76))


def metadata(*, entity_id: str, cert_der: bytes, sso_url: str,
             name_id_formats: Sequence[str]) -> bytes:
    """IdP metadata XML for one app and one signing certificate."""
    root = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={"md": MD}, entityID=entity_id)
    idp = etree.SubElement(root, f"{{{MD}}}IDPSSODescriptor", WantAuthnRequestsSigned="false",
                           protocolSupportEnumeration=PROTOCOL)
    key_descriptor = etree.SubElement(idp, f"{{{MD}}}KeyDescriptor", use="signing")
    key_info = etree.SubElement(key_descriptor, f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = wrap76(cert_der)
    for fmt in name_id_formats:
        etree.SubElement(idp, f"{{{MD}}}NameIDFormat").text = fmt
    for binding in (POST, REDIRECT):
        etree.SubElement(idp, f"{{{MD}}}SingleSignOnService", Binding=binding, Location=sso_url)
    etree.indent(root, space="    ")
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n")


def saml_response(*, now: dt.datetime, key, cert, issuer: str, destination: str,
                  recipient: str, audience: str, name_id: str, name_id_format: str | None,
                  response_signed: bool, assertion_signed: bool, digest: str, signature: str,
                  in_response_to: str | None,
                  attributes: Mapping[str, Sequence[str]] | None,
                  response_id: str | None = None, assertion_id: str | None = None) -> bytes:
    """A signed ``saml2p:Response`` (XML bytes) for one login (the ids are made up unless
    given)."""
    from ssoctl.rehearsal import samlgen

    sign = {(True, True): "both", (True, False): "response", (False, True): "assertion",
            (False, False): "none"}[(response_signed, assertion_signed)]
    return samlgen.response(now=now, key=key, cert=cert, sign=sign, name_id=name_id,
                            name_id_format=name_id_format, issuer=issuer,
                            destination=destination, recipient=recipient, audience=audience,
                            in_response_to=in_response_to, attributes=attributes or None,
                            digest=digest, signature=signature, response_id=response_id,
                            assertion_id=assertion_id)


def authn_request_id(saml_request: str, *, deflated: bool) -> str | None:
    """The ``ID`` of an SP's AuthnRequest (Redirect binding: deflated), or ``None``."""
    import zlib

    from ssoctl import xmlsafe

    try:
        raw = base64.b64decode(saml_request, validate=False)
        if deflated:
            raw = zlib.decompress(raw, -15)
        root = xmlsafe.parse(raw, what="AuthnRequest")
    except Exception:  # noqa: BLE001 - an unreadable request is answered without InResponseTo
        return None
    return root.get("ID")


def post_form(*, acs_url: str, saml_response_b64: str, relay_state: str | None) -> bytes:
    """The auto-submitting HTML form Okta answers a login with (HTTP-POST binding)."""
    from html import escape

    relay = (f'<input type="hidden" name="RelayState" value="{escape(relay_state)}"/>'
             if relay_state else "")
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/>"
        "<title>ssoctl rehearsal: Okta login</title></head>"
        '<body onload="document.forms[0].submit()">'
        "<p>Rehearsal login (a local Okta stand-in, not Okta).</p>"
        f'<form method="POST" action="{escape(acs_url)}">'
        f'<input type="hidden" name="SAMLResponse" value="{escape(saml_response_b64)}"/>'
        f"{relay}<noscript><button type=\"submit\">Continue</button></noscript>"
        "</form></body></html>\n")
    return page.encode("utf-8")
