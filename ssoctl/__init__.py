"""ssoctl: set up and troubleshoot SAML single sign-on (Okta -> sipgate and friends).

The command line is a thin layer over typed library functions:

- :func:`ssoctl.certs.diagnose.diagnose` -- diagnose pasted or downloaded certificate text
- :func:`ssoctl.metadata.reader.load` -- IdP metadata -> the values an SP asks for
- :mod:`ssoctl.saml` -- decode, verify and check captured SAML messages
- :mod:`ssoctl.sp` -- push settings to an SP through an API, verified and reversible

Heavy dependencies (lxml, signxml, requests, rich) are imported inside the functions
that need them, so importing this package stays cheap.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
