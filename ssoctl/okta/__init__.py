"""Okta management API: the sipgate app created, checked, read and repaired.

The public surface (what ``ssoctl okta`` and later commands call):

- :func:`ssoctl.okta.connect.connect`: ``ConnectOptions`` ->
  :class:`~ssoctl.okta.client.OktaClient`
- :func:`ssoctl.okta.api.find_app`, :func:`~ssoctl.okta.api.saml_apps`,
  :func:`~ssoctl.okta.api.metadata_xml`
- :func:`ssoctl.okta.configure.configure` / :func:`~ssoctl.okta.configure.make_plan`
- :func:`ssoctl.okta.checks.inspect` / :func:`~ssoctl.okta.checks.check_app`
- :func:`ssoctl.okta.rotate.rotate` / :func:`~ssoctl.okta.rotate.roll_back`
- :func:`ssoctl.okta.audit.list_apps` / :func:`~ssoctl.okta.audit.audit`

Nothing here imports requests (only :mod:`ssoctl.http` does), PyJWT or cryptography at
module level.
"""
