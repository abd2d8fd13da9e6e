"""The whole Okta → sipgate connection: ``ssoctl setup`` and ``ssoctl doctor``.

(The public surface is listed once the modules are in place.)
"""
