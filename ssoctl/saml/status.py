"""The standard SAML 2.0 status codes (SAML core, section 3.2.2.2) in plain words.

Plain data: a support engineer reading a failed login sees what the IdP meant and,
where it helps, which Okta or sipgate setting usually causes it.
"""

from __future__ import annotations

from ssoctl.findings.console import okta
PREFIX = "urn:oasis:names:tc:SAML:2.0:status:"

#: Short name -> what it means for the person debugging the login.
STATUS_TEXT: dict[str, str] = {
    "Success": "the IdP authenticated the user and issued an assertion",
    "Requester": "the IdP refused the request because of something the SP (or the browser) "
                 "sent: the request was wrong or not allowed",
    "Responder": "the IdP could not handle the request because of a problem on its own side "
                 "(often: the user is not assigned to the app in Okta)",
    "VersionMismatch": "the IdP does not speak the SAML version the request used",
    "AuthnFailed": "the IdP could not authenticate the user (wrong password, MFA failed or "
                   "cancelled, user locked or deactivated)",
    "InvalidAttrNameOrValue": "an attribute name or value in the request was not accepted",
    "InvalidNameIDPolicy": "the IdP cannot produce the NameID format the SP asked for "
                           "(compare Okta 'Name ID format' with the SP's NameIDPolicy)",
    "NoAuthnContext": "the IdP cannot authenticate the user the way the SP demanded "
                      "(RequestedAuthnContext, e.g. a stronger MFA level)",
    "NoAvailableIDP": "no IdP the proxy could use was available",
    "NoPassive": "the SP asked for a silent login (IsPassive) but the user has no session "
                 "at the IdP and would have to sign in",
    "NoSupportedIDP": "the proxying IdP supports none of the IdPs named in the request",
    "PartialLogout": "logout reached only some of the user's sessions",
    "ProxyCountExceeded": "the request was proxied through too many IdPs",
    "RequestDenied": "the IdP chose not to answer the request (policy, or the user is not "
                     "allowed to use this app)",
    "RequestUnsupported": "the IdP does not support this kind of request",
    "RequestVersionDeprecated": "the IdP no longer accepts this SAML version",
    "RequestVersionTooHigh": "the request's SAML version is newer than the IdP supports",
    "RequestVersionTooLow": "the request's SAML version is older than the IdP supports",
    "ResourceNotRecognized": "the IdP does not know the resource the request names",
    "TooManyResponses": "the response would hold more elements than the IdP can return",
    "UnknownAttrProfile": "the IdP does not know the attribute profile in the request",
    "UnknownPrincipal": "the IdP does not know the user named in the request",
    "UnsupportedBinding": "the IdP cannot answer over the binding the SP asked for "
                          "(check the ProtocolBinding / ACS binding)",
}


#: Short name -> what to change, in Okta's and sipgate's words (where one thing usually helps).
STATUS_HINTS: dict[str, str] = {
    "Responder": "in Okta, assign the user (or a group) to the app (" + okta("assignments")
                 + "); then check the Okta System Log for this sign-in",
    "AuthnFailed": "the user could not sign in at Okta: check the Okta System Log (password, "
                   "MFA, locked or deactivated user)",
    "RequestDenied": "an Okta sign-on policy or assignment refused the user: check the app's "
                     "Sign On policy and Assignments",
    "InvalidNameIDPolicy": "set Okta Name ID format to EmailAddress (the format sipgate "
                           "requests)",
    "NoPassive": "not an error to fix: the user must sign in at Okta interactively",
    "NoAuthnContext": "the SP demands an authentication method Okta did not use: check the "
                      "app's Sign On policy",
    "UnsupportedBinding": "check the ACS binding: sipgate's ACS URL takes HTTP-POST",
}


def short_name(code: str | None) -> str | None:
    """``urn:...:status:Requester`` -> ``Requester``; other URIs unchanged."""
    if code is None:
        return None
    return code[len(PREFIX):] if code.startswith(PREFIX) else code


def explain_status(code: str | None, sub_code: str | None = None) -> str:
    """One sentence for a top-level code and its optional second-level code."""
    if code is None:
        return "no status code in the message"
    top = short_name(code) or ""
    text = STATUS_TEXT.get(top, f"non-standard status code {code}")
    if sub_code:
        sub = short_name(sub_code) or ""
        text += "; detail: " + STATUS_TEXT.get(sub, f"non-standard code {sub_code}")
    return text[0].upper() + text[1:] + "."
