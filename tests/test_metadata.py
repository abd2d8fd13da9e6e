"""ssoctl.metadata.reader.load: every IdP shape, the choices made for sipgate, and the findings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from conftest import FIXTURES, NOW
from ssoctl.metadata import reader
from ssoctl.errors import ExitCode, InputError, UsageError
from ssoctl.findings import Severity, exit_code_for

MD_DIR = FIXTURES / "metadata"
OKTA_ENTITY = "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
OKTA_SSO = ("https://dev-12345678.okta.com/app/dev-12345678_sipgate_1/exk1fcx7ab2CDEf3G4h8"
            "/sso/saml")
TENANT = "0f3e7c1a-5b2d-4e8f-9a6c-1d2b3c4d5e6f"
SHIB_B = "https://idp.uni-b.example.edu/idp/shibboleth"


def load(name: str, **kwargs) -> reader.IdpSettings:
    kwargs.setdefault("now", NOW)
    return reader.load((MD_DIR / name).read_bytes(), **kwargs)


def codes(settings: reader.IdpSettings) -> list[str]:
    return [f.code for f in settings.findings]


def pem_of(name: str) -> str:
    return (MD_DIR / name).read_text()


# ---------------------------------------------------------------- real-world shapes

def test_okta_gives_the_three_sipgate_values():
    s = load("okta.xml")
    assert s.entity_id == OKTA_ENTITY
    assert s.sso_url == OKTA_SSO
    assert s.sso_binding == "HTTP-Redirect"
    assert s.sso_urls == {"HTTP-POST": OKTA_SSO, "HTTP-Redirect": OKTA_SSO}
    assert len(s.signing_certificates) == 1 and s.encryption_certificates == ()
    assert s.certificate_pem == pem_of("okta-signing.pem")  # 76 columns in, clean PEM out
    assert s.certificate.pem.splitlines()[1].__len__() == 64
    assert s.name_id_formats == ("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
                                 reader.EMAIL_NAMEID)
    assert s.want_authn_requests_signed is False
    assert s.signed is False and s.signature_verified is None
    assert s.findings == ()
    assert s.entity_ids_found == (OKTA_ENTITY,)


def test_entra_rollover_chooses_first_valid_and_names_newest():
    s = load("entra.xml")
    assert s.entity_id == f"https://sts.windows.net/{TENANT}/"
    assert s.sso_url == f"https://login.microsoftonline.com/{TENANT}/saml2"
    assert len(s.signing_certificates) == 2  # RoleDescriptor keys are not the IdP's list
    assert s.chosen_certificate_index == 0 and s.newest_certificate_index == 1
    assert s.certificate_pem == pem_of("entra-metadata-signing.pem")
    assert s.signed is True and s.signature_verified is None
    rollover = next(f for f in s.findings if f.code == "METADATA_MULTIPLE_SIGNING_CERTS")
    assert "#2 is the newest" in rollover.message and "use #1" in rollover.message
    assert rollover.severity is Severity.WARNING
    assert "METADATA_ENTITY_ID_TRAILING_SLASH" in codes(s)
    assert "METADATA_SIGNATURE_NOT_VERIFIED" in codes(s)
    assert s.slo_urls == {"HTTP-Redirect": f"https://login.microsoftonline.com/{TENANT}/saml2"}


def test_entra_before_the_rollover_key_is_valid_only_the_old_one_is_chosen():
    # At 2026-02-01 certificate #2 (valid from 2026-03-01) is not yet valid.
    s = load("entra.xml", now=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc))
    assert s.chosen_certificate_index == 0
    not_yet = [f for f in s.findings if f.code == "CERT_NOT_YET_VALID"]
    assert not_yet and all(f.severity is Severity.WARNING for f in not_yet)  # not the chosen one
    assert "signing certificate #2" in not_yet[0].message


def test_cert_index_overrides_the_choice():
    s = load("entra.xml", cert_index=1)
    assert s.chosen_certificate_index == 1
    assert "--cert-index" in next(f.message for f in s.findings
                                  if f.code == "METADATA_MULTIPLE_SIGNING_CERTS")
    with pytest.raises(UsageError) as err:
        load("entra.xml", cert_index=2)
    assert err.value.code == "METADATA_BAD_CERT_INDEX"


def test_adfs_reads_the_idp_role_not_the_sp_role():
    s = load("adfs.xml")
    assert s.entity_id == "http://adfs.example.com/adfs/services/trust"
    assert s.sso_url == "https://adfs.example.com/adfs/ls/"
    assert len(s.signing_certificates) == 1 and len(s.encryption_certificates) == 1
    assert s.signing_certificates[0].sha256 != s.encryption_certificates[0].sha256
    assert "ADFS Signing" in s.certificate.subject
    assert set(s.slo_urls) == {"HTTP-Redirect", "HTTP-POST"}
    assert s.signed


def test_google_valid_until_and_query_string_urls():
    s = load("google.xml")
    assert s.entity_id == "https://accounts.google.com/o/saml2?idpid=C01a2b3c4"
    assert s.sso_url == "https://accounts.google.com/o/saml2/idp?idpid=C01a2b3c4"
    assert s.valid_until == dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
    assert s.findings == ()


def test_keycloak_single_idp_inside_entities_descriptor_needs_no_entity_id():
    s = load("keycloak.xml")
    assert s.entity_id == "https://sso.example.com/realms/acme"
    assert s.sso_binding == "HTTP-Redirect"
    assert set(s.sso_urls) == {"HTTP-POST", "HTTP-Redirect", "SOAP", "HTTP-Artifact"}
    assert s.want_authn_requests_signed is True
    assert codes(s) == ["METADATA_WANTS_SIGNED_REQUESTS"]
    assert len(s.encryption_certificates) == 1


def test_onelogin_key_without_use_counts_as_signing_and_binding_changes_url():
    s = load("onelogin.xml")
    assert len(s.signing_certificates) == 1 and len(s.encryption_certificates) == 1
    assert "http-redirect" in s.sso_url
    post = load("onelogin.xml", binding="post")
    assert post.sso_binding == "HTTP-POST" and "http-post" in post.sso_url
    full = load("onelogin.xml", binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
    assert full.sso_url == post.sso_url


def test_binding_not_offered_is_an_error_finding():
    s = load("google.xml", binding="HTTP-Artifact")
    assert s.sso_url is None
    assert codes(s) == ["METADATA_BINDING_MISSING"]
    with pytest.raises(UsageError) as err:
        load("google.xml", binding="carrier-pigeon")
    assert err.value.code == "METADATA_BAD_BINDING"


def test_shibboleth_aggregate_requires_entity_id_and_lists_idps():
    with pytest.raises(UsageError) as err:
        load("shibboleth-aggregate.xml")
    assert err.value.code == "METADATA_ENTITY_ID_REQUIRED"
    assert "3 identity providers" in err.value.message
    assert SHIB_B in err.value.message
    assert "shibboleth-sp" not in err.value.message  # the SP is not offered as a choice
    with pytest.raises(UsageError) as err:
        load("shibboleth-aggregate.xml", entity_id="https://app.example.com/shibboleth-sp")
    assert err.value.code == "METADATA_ENTITY_NOT_FOUND" and SHIB_B in err.value.message


def test_shibboleth_aggregate_with_entity_id():
    s = load("shibboleth-aggregate.xml", entity_id=SHIB_B)
    assert s.entity_id == SHIB_B
    assert s.sso_url == "https://idp.uni-b.example.edu/idp/profile/SAML2/Redirect/SSO"
    assert "urn:mace:shibboleth:1.0:profiles:AuthnRequest" in s.sso_urls
    assert s.valid_until == dt.datetime(2035, 12, 31, tzinfo=dt.timezone.utc)
    assert len(s.entity_ids_found) == 3
    assert s.signed
    college = load("shibboleth-aggregate.xml",
                   entity_id="https://login.college-c.example.org/idp/shibboleth")
    assert "METADATA_NO_EMAIL_NAMEID" in codes(college)


def test_entity_id_trailing_slash_mismatch_is_found_and_warned():
    s = load("entra.xml", entity_id=f"https://sts.windows.net/{TENANT}")
    assert s.entity_id == f"https://sts.windows.net/{TENANT}/"
    slash = next(f for f in s.findings if f.code == "METADATA_ENTITY_ID_SLASH")
    assert slash.expected == s.entity_id and slash.received == f"https://sts.windows.net/{TENANT}"


# ---------------------------------------------------------------- defects

@pytest.mark.parametrize("name, code, severity", [
    ("defect-expired-cert.xml", "CERT_EXPIRED", Severity.ERROR),
    ("defect-encryption-only.xml", "METADATA_NO_SIGNING_CERT", Severity.ERROR),
    ("defect-valid-until-past.xml", "METADATA_EXPIRED", Severity.ERROR),
    ("defect-http-sso-url.xml", "METADATA_SSO_URL_NOT_HTTPS", Severity.ERROR),
    ("defect-no-email-nameid.xml", "METADATA_NO_EMAIL_NAMEID", Severity.WARNING),
    ("defect-entity-id-whitespace.xml", "METADATA_ENTITY_ID_WHITESPACE", Severity.ERROR),
])
def test_defect_fixtures(name, code, severity):
    s = load(name)
    found = [f for f in s.findings if f.code == code]
    assert found, codes(s)
    assert found[0].severity is severity
    assert found[0].hint


def test_entity_id_whitespace_is_trimmed():
    s = load("defect-entity-id-whitespace.xml")
    assert s.entity_id == OKTA_ENTITY
    finding = next(f for f in s.findings if f.code == "METADATA_ENTITY_ID_WHITESPACE")
    assert finding.expected == OKTA_ENTITY and "\\n" in finding.received


def test_encryption_only_has_no_certificate_for_sipgate():
    s = load("defect-encryption-only.xml")
    assert s.certificate is None and s.certificate_pem is None
    assert len(s.encryption_certificates) == 1


def test_expired_cert_is_still_chosen_with_an_error():
    s = load("defect-expired-cert.xml")
    assert s.chosen_certificate_index == 0
    expired = next(f for f in s.findings if f.code == "CERT_EXPIRED")
    assert expired.field == "sipgate Certificate"
    assert exit_code_for(s.findings) == ExitCode.FINDINGS


def test_valid_until_with_a_huge_warn_days():
    got = load("google.xml", warn_days=10**12)  # timedelta(days=...) would overflow
    assert "METADATA_EXPIRING" in codes(got)


def test_valid_until_soon_warns_and_unreadable_valid_until_warns():
    soon = load("google.xml", now=dt.datetime(2030, 12, 20, tzinfo=dt.timezone.utc))
    assert "METADATA_EXPIRING" in codes(soon)
    data = (MD_DIR / "google.xml").read_bytes().replace(b"2031-01-01T00:00:00.000Z", b"soon")
    bad = reader.load(data, now=NOW)
    assert "METADATA_BAD_VALID_UNTIL" in codes(bad) and bad.valid_until is None


def test_lookalike_elements_in_wrong_namespace_are_ignored():
    s = load("defect-lookalike-namespace.xml")
    assert s.sso_url == OKTA_SSO
    assert "evil" not in s.sso_url and "evil.example" not in str(s.sso_urls)
    assert len(s.signing_certificates) == 1
    assert s.certificate_pem == pem_of("okta-signing.pem")
    assert all("evil" not in c.subject for c in s.signing_certificates)
    assert not any("evil" in f for f in s.name_id_formats)
    note = next(f for f in s.findings if f.code == "METADATA_FOREIGN_ELEMENTS_IGNORED")
    assert note.severity is Severity.INFO and "KeyDescriptor" in note.message


def test_unreadable_certificate_is_a_finding_not_a_crash():
    data = (MD_DIR / "okta.xml").read_bytes()
    start = data.index(b"<ds:X509Certificate>") + len(b"<ds:X509Certificate>")
    cut = data[:start + 200] + data[data.index(b"</ds:X509Certificate>"):]
    s = reader.load(cut, now=NOW)
    assert codes(s)[:2] == ["METADATA_CERT_UNREADABLE", "METADATA_NO_SIGNING_CERT"]
    garbage = data[:start] + b"not base64 at all!" + data[data.index(b"</ds:X509Certificate>"):]
    assert "METADATA_CERT_UNREADABLE" in codes(reader.load(garbage, now=NOW))


def test_duplicate_signing_certificates_are_listed_once():
    data = (MD_DIR / "okta.xml").read_text()
    start, end = data.index("<md:KeyDescriptor"), data.index("</md:KeyDescriptor>") + 19
    doubled = data[:end] + data[start:end] + data[end:]
    s = reader.load(doubled.encode(), now=NOW)
    assert len(s.signing_certificates) == 1
    assert "METADATA_MULTIPLE_SIGNING_CERTS" not in codes(s)


def test_not_metadata_and_sp_metadata_are_input_errors():
    with pytest.raises(InputError) as err:
        reader.load(b"<html><body>Okta sign in</body></html>", now=NOW)
    assert err.value.code == "METADATA_IS_WEB_PAGE" and err.value.exit_code == ExitCode.INPUT
    sp = (b'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">'
          b'<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
          b'</EntityDescriptor>')
    with pytest.raises(InputError) as err:
        reader.load(sp, now=NOW)
    assert err.value.code == "METADATA_NO_IDP"


def test_no_sso_service_is_an_error_finding():
    data = (MD_DIR / "okta.xml").read_text()
    stripped = data[:data.index("<md:SingleSignOnService")] + "</md:IDPSSODescriptor></md:EntityDescriptor>"
    s = reader.load(stripped.encode(), now=NOW)
    assert s.sso_url is None and "METADATA_NO_SSO_URL" in codes(s)


def test_to_dict_carries_sipgate_values_without_findings():
    s = load("okta.xml")
    data = s.to_dict()
    assert data["sipgate"] == {"sso_url": OKTA_SSO, "entity_id": OKTA_ENTITY,
                               "certificate": s.certificate_pem}
    assert "findings" not in data
    assert dataclasses.is_dataclass(s)


def test_default_now_is_the_real_clock():
    s = reader.load((MD_DIR / "okta.xml").read_bytes())
    assert s.entity_id == OKTA_ENTITY


def test_normalize_binding():
    assert reader.normalize_binding("redirect") == "HTTP-Redirect"
    assert reader.normalize_binding(" http-post ") == "HTTP-POST"
    assert reader.binding_name("urn:x:other") == "urn:x:other"


def test_lookalike_root_in_wrong_namespace_is_not_metadata():
    data = (MD_DIR / "okta.xml").read_bytes().replace(
        b"urn:oasis:names:tc:SAML:2.0:metadata", b"urn:oasis:names:tc:SAML:2.0:metadata-evil")
    with pytest.raises(InputError) as err:
        reader.load(data, now=NOW)
    assert err.value.code == "METADATA_NOT_SAML" and "metadata-evil" in err.value.message


# ---------------------------------------------------------------- reasons, callers' options

def test_the_reason_for_each_sipgate_choice_is_given():
    okta = load("okta.xml")
    assert okta.sso_binding == "HTTP-Redirect"
    assert "browser redirect" in okta.sso_binding_reason
    assert "same for every binding" in okta.sso_binding_reason  # Okta: one URL for both
    assert okta.certificate_reason == "the only signing certificate"
    onelogin = load("onelogin.xml")
    assert "same for every binding" not in onelogin.sso_binding_reason  # a URL per binding
    entra = load("entra.xml")
    assert entra.certificate_reason.startswith("the first one listed that is valid now")
    assert load("entra.xml", cert_index=1).certificate_reason == "chosen with --cert-index"
    assert load("onelogin.xml", binding="post").sso_binding_reason == "chosen with --binding"
    data = (MD_DIR / "okta.xml").read_bytes().replace(b"HTTP-Redirect", b"HTTP-Artifact")
    post_only = reader.load(data, now=NOW)
    assert post_only.sso_binding == "HTTP-POST"
    assert "no HTTP-Redirect" in post_only.sso_binding_reason
    assert post_only.to_dict()["sso_binding_reason"] == post_only.sso_binding_reason


def test_aggregate_errors_name_the_callers_own_option():
    """push spells it --metadata-entity-id: its users must not be sent to --entity-id."""
    for kwargs, code in (({}, "METADATA_ENTITY_ID_REQUIRED"),
                         ({"entity_id": "https://nope.example/idp"}, "METADATA_ENTITY_NOT_FOUND")):
        with pytest.raises(UsageError) as err:
            load("shibboleth-aggregate.xml", entity_id_option="--metadata-entity-id", **kwargs)
        assert err.value.code == code
        text = err.value.message + " " + err.value.hint
        assert "--metadata-entity-id" in text and "--entity-id " not in text
    with pytest.raises(UsageError) as err:
        reader.load_source(str(MD_DIR / "shibboleth-aggregate.xml"), now=NOW,
                             entity_id_option="--idp-entity-id")
    assert "--idp-entity-id" in err.value.hint


def test_valid_until_with_nanoseconds_or_an_offset_is_read():
    data = (MD_DIR / "google.xml").read_bytes()
    nanos = reader.load(data.replace(b"2031-01-01T00:00:00.000Z",
                                       b"2031-01-01T00:00:00.123456789Z"), now=NOW)
    assert nanos.valid_until == dt.datetime(2031, 1, 1, 0, 0, 0, 123456, tzinfo=dt.timezone.utc)
    offset = reader.load(data.replace(b"2031-01-01T00:00:00.000Z",
                                        b"2031-01-01T02:00:00+02:00"), now=NOW)
    assert offset.valid_until == dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
    assert not [c for c in codes(nanos) + codes(offset) if c == "METADATA_BAD_VALID_UNTIL"]


def test_aggregate_error_without_a_callers_option_points_to_import_metadata():
    """check-cert --metadata has no entity-ID option: the hint must not invent one."""
    with pytest.raises(UsageError) as err:
        load("shibboleth-aggregate.xml")
    assert "import-metadata" in err.value.hint and "--entity-id ID" in err.value.hint
    with pytest.raises(UsageError) as err:
        load("shibboleth-aggregate.xml", entity_id="https://nope.example/idp")
    assert err.value.message.startswith("entity ID 'https://nope.example/idp' is not")


@pytest.mark.parametrize("entity_ref,sso_ref", [
    ("&#9;", ""), ("&#13;", ""), ("&#x200b;", ""), ("&#x202e;", ""), ("&#x85;", ""),
    ("", "&#x7f;"), ("", "&#x9b;2J"),
])
def test_control_or_invisible_characters_in_the_values_sipgate_takes_are_an_error(
        entity_ref, sso_ref):
    """A tab, carriage return, escape, bidi or zero-width character inside the entity ID
    or the SSO URL: an error finding (so no value is printed for scripts), shown escaped."""
    okta = (MD_DIR / "okta.xml").read_text()
    entity = "http://www.okta.com/exk1fcx7ab2CDEf3G4h8"
    sso = "/sso/saml"
    assert entity in okta and sso in okta
    data = okta.replace(f'entityID="{entity}"', f'entityID="{entity[:-4]}{entity_ref}{entity[-4:]}"')
    data = data.replace(sso, sso + sso_ref)
    settings = reader.load(data.encode(), now=NOW)
    found = [f for f in settings.findings if f.code == "METADATA_INVISIBLE_CHARACTERS"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert found[0].field == ("sipgate SSO URL" if sso_ref else "sipgate Entity ID")
    assert found[0].message.isprintable() and "\\" in found[0].message


def test_the_env_format_prints_nothing_for_an_entity_id_with_a_carriage_return(cli, tmp_path):
    okta = (MD_DIR / "okta.xml").read_text()
    path = tmp_path / "md.xml"
    path.write_text(okta.replace("exk1fcx7ab2CDEf3G4h8\"", "exk1fcx7ab2CDEf3G4h8&#13;\"", 1))
    result = cli("import-metadata", str(path), "--format", "env", "--now", "2026-06-01T12:00:00Z")
    assert result.exit_code == 1 and "SSOCTL_ENTITY_ID" not in result.stdout
