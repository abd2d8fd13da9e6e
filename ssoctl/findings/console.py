"""Where things are in the Okta Admin Console: the one table of screen paths.

Every finding, hint and message that tells a person where to click in Okta takes the path
from here (``okta("advanced", "Signature Algorithm")``), so a path is checked against
Okta's documentation once and changes in one place. Each entry names the Okta page it was
checked against. tests/test_console_paths.py keeps literal paths out of the rest of the
code and checks that every catalogue entry naming an Okta screen uses this table.

Plain data: import nothing heavy here.
"""

from typing import NamedTuple


class ConsolePath(NamedTuple):
    """A place in the Okta Admin Console and the Okta page that documents it."""

    path: str
    source: str


_APP = "Applications → Applications → your app"
_SIGN_ON = f"{_APP} → Sign On tab"
_CERTS = f"{_SIGN_ON} → SAML Signing Certificates"
_SAML = f"{_APP} → General tab → SAML Settings → Edit → Configure SAML"

_MANAGE_CERTS = "https://help.okta.com/en-us/Content/Topics/Apps/manage-signing-certificates.htm"
_AIW_SAML = "https://help.okta.com/en-us/Content/Topics/Apps/aiw-saml-reference.htm"
_BUILD_SAML = "https://developer.okta.com/docs/guides/build-sso-integration/saml2/main/"
_METADATA = ("https://saml-doc.okta.com/SAML_Docs/"
             "How-to-Configure-SAML-2.0-Template-with-company-support.html")
_TEST_APP = "https://developer.okta.com/docs/guides/update-oin-app/saml2/main/"
_DEACTIVATE = "https://help.okta.com/en-us/Content/topics/apps/apps-deactivate.htm"

#: key -> (path, the Okta page it was checked against).
OKTA: dict[str, ConsolePath] = {
    # the app's own page: General, Sign On and Assignments tabs
    "app": ConsolePath(_APP, _MANAGE_CERTS),
    "assignments": ConsolePath(f"{_APP} → Assignments tab", _TEST_APP),
    "assign_groups": ConsolePath(f"{_APP} → Assignments tab → Assign → Assign to Groups",
                                 _TEST_APP),
    # the menu under the app's name (Activate / Deactivate)
    "activate": ConsolePath(f"{_APP} → the menu under the app's name → Activate", _DEACTIVATE),
    # Sign On tab: the metadata (URL and details) and the signing certificates
    "metadata_url": ConsolePath(f"{_SIGN_ON} → SAML 2.0 → Metadata details → Metadata URL",
                                _METADATA),
    "metadata_details": ConsolePath(f"{_SIGN_ON} → SAML 2.0 → Metadata details (More details)",
                                    _TEST_APP),
    "signing_certificates": ConsolePath(_CERTS, _MANAGE_CERTS),
    "download_certificate": ConsolePath(f"{_CERTS} → Actions → Download certificate",
                                        _MANAGE_CERTS),
    "new_certificate": ConsolePath(
        f"{_CERTS} → Generate new certificate, then Actions → Activate", _MANAGE_CERTS),
    # General tab: the SAML settings (the Configure SAML step of the app wizard)
    "saml_settings": ConsolePath(_SAML, _BUILD_SAML),
    "advanced": ConsolePath(f"{_SAML} → Show Advanced Settings", _AIW_SAML),
}


def path(key: str, field: str | None = None) -> str:
    """The path of ``key`` (a :data:`OKTA` key), ending at ``field`` when given."""
    where = OKTA[key].path
    return f"{where} → {field}" if field else where


def okta(key: str, field: str | None = None) -> str:
    """"Okta Admin Console: <path>" for a hint: where to go, in the console's own words."""
    return f"Okta Admin Console: {path(key, field)}"


def paths() -> tuple[str, ...]:
    """Every path in the table (the test checks that messages use only these)."""
    return tuple(entry.path for entry in OKTA.values())


#: How to get an Okta app's IdP metadata (a URL to give to import-metadata or push).
GET_METADATA = ("copy the app's Metadata URL (" + okta("metadata_url") + "); it looks like "
                "https://{org}.okta.com/app/{app id}/sso/saml/metadata. Give ssoctl that URL, "
                "or the file saved from it")
