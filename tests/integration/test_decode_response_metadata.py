"""decode-response --metadata URL: every signing certificate in downloaded IdP metadata is a
trust anchor (key rollover), against a real local HTTPS server (trustme CA)."""

from __future__ import annotations

import base64

from conftest import NOW
from ssoctl.rehearsal import pki, samlgen

AT = "2026-06-01T12:01:00Z"
PATH = "/app/exk1fixture0example/sso/saml/metadata"


def metadata(*certs) -> bytes:
    keys = "".join(
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"<ds:X509Data><ds:X509Certificate>{base64.b64encode(pki.cert_der(c)).decode()}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>" for c in certs)
    return (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'entityID="{samlgen.IDP_ENTITY_ID}"><md:IDPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'{keys}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:'
            f'HTTP-POST" Location="{samlgen.SSO_URL}"/></md:IDPSSODescriptor>'
            "</md:EntityDescriptor>").encode()


def serve(server, body: bytes) -> str:
    server.expect_request(PATH).respond_with_data(body,
                                                  content_type="application/samlmetadata+xml")
    return server.url_for(PATH)


def test_rollover_metadata_from_url_verifies(cli, https_server, ca_bundle, tmp_path):
    """The metadata lists the next key first and the current one second: either verifies;
    the metadata's entity ID becomes the expected Issuer."""
    current = samlgen.default_idp()[1]
    upcoming = pki.okta_certificate(pki.cached_rsa_key("okta-next"), org="dev-next")[1]
    url = serve(https_server, metadata(upcoming, current))
    message = tmp_path / "response.xml"
    message.write_bytes(samlgen.response(now=NOW))
    result = cli("decode-response", message, "--metadata", url, "--ca-bundle", ca_bundle,
                 "--now", AT, "--json")
    assert result.exit_code == 0, result.stdout
    doc = result.json()
    [item] = doc["data"]["messages"]
    assert item["signature"]["status"] == "verified"
    assert len(item["signature"]["trusted_certificates"]) == 2
    assert doc["data"]["checked_against"]["idp_entity_id"] == samlgen.IDP_ENTITY_ID
    assert url in doc["data"]["checked_against"]["trust_source"]


def test_metadata_without_the_signing_key_is_a_trust_failure(cli, https_server, ca_bundle,
                                                             tmp_path):
    old = pki.okta_certificate(pki.cached_rsa_key("old-okta"), org="dev-old")[1]
    url = serve(https_server, metadata(old))
    message = tmp_path / "response.xml"
    message.write_bytes(samlgen.response(now=NOW))
    result = cli("decode-response", message, "--metadata", url, "--ca-bundle", ca_bundle,
                 "--now", AT)
    assert result.exit_code == 4
    assert "SAML_SIGNING_CERT_MISMATCH" in result.stdout
    assert "alice@example.com" not in result.stdout
    # compared with the IdP's own metadata: no claim about what the SP holds
    assert "the SP holds the wrong certificate" not in result.stdout
    assert "not a signing certificate in the IdP metadata given (--metadata" in result.stdout
    doc = cli("decode-response", message, "--metadata", url, "--ca-bundle", ca_bundle,
              "--now", AT, "--json").json()
    [mismatch] = [f for f in doc["findings"] if f["code"] == "SAML_SIGNING_CERT_MISMATCH"]
    assert mismatch["field"] == "IdP metadata signing certificates"


def test_untrusted_https_metadata_is_a_network_error(cli, https_server, tmp_path):
    url = serve(https_server, metadata(samlgen.default_idp()[1]))
    message = tmp_path / "response.xml"
    message.write_bytes(samlgen.response(now=NOW))
    result = cli("decode-response", message, "--metadata", url, "--now", AT, "--json")
    assert result.exit_code == 6
    assert result.json()["error"]["code"] == "TLS_ERROR"
