"""An Okta SAML 2.0 app as the Apps API returns it, set up as sipgate's guide says."""

from __future__ import annotations

from ssoctl.okta.apps import EMAIL_FORMAT

ACS = "https://login.sipgate.com/saml/acs/acme"
SP = "https://login.sipgate.com/saml/acme"


def okta_app(**sign_on):
    """The app's JSON; ``sign_on`` overrides fields of ``settings.signOn``."""
    values = {"ssoAcsUrl": ACS, "recipient": ACS, "destination": ACS, "audience": SP,
              "subjectNameIdTemplate": "${user.userName}", "subjectNameIdFormat": EMAIL_FORMAT,
              "responseSigned": True, "assertionSigned": True,
              "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
              "honorForceAuthn": True}
    values.update(sign_on)
    return {"id": "0oa1234567890abcdefg", "name": "acme_sipgate_1", "label": "sipgate",
            "status": "ACTIVE", "signOnMode": "SAML_2_0", "created": "2026-01-01T00:00:00.000Z",
            "lastUpdated": "2026-01-01T00:00:00.000Z",
            "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": False, "web": False}},
            "credentials": {"userNameTemplate": {"template": "${source.email}",
                                                 "type": "BUILT_IN"},
                            "signing": {"kid": "kid-1"}},
            "settings": {"signOn": values},
            "_links": {"metadata": {"href": "https://acme.okta.com/api/v1/apps/"
                                            "0oa1234567890abcdefg/sso/saml/metadata"}}}
