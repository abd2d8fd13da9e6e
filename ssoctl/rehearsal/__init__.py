"""Local stand-ins of the real services ssoctl talks to, for tests and for rehearsing a
set-up before touching a real org: :mod:`ssoctl.rehearsal.okta` (an Okta org: management
API, OAuth 2.0 for Okta with DPoP, IdP metadata, signed SAML logins). They listen on
127.0.0.1 only and keep everything in memory. ``ssoctl rehearse okta`` starts one."""
