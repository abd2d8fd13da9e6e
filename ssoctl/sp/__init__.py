"""Push IdP settings to an SP through an API: planned, backed up, verified, reversible.

sipgate publishes no SSO settings API; the ``sipgate`` target speaks ssoctl's own contract
(docs/sp-api.md) and the ``rest`` target maps the same values onto any SP JSON API.

- :mod:`ssoctl.sp.service` -- :func:`~ssoctl.sp.service.push`, ``rollback``, ``status``
- :mod:`ssoctl.sp.plan` -- plan / apply / verify / restore
- :mod:`ssoctl.sp.contract` -- the settings model and the diff
- :mod:`ssoctl.sp.targets`, ``sipgate``, ``rest`` -- the HTTP clients
- :mod:`ssoctl.sp.credentials`, ``backup``, ``desired`` -- tokens, backups, local checks

Only this package (with :mod:`ssoctl.http`) touches requests.
"""
