"""The whole Okta → sipgate connection: ``ssoctl setup`` and ``ssoctl doctor``.

Public surface:

- :func:`ssoctl.connection.setup.setup` (``SetupRequest`` -> ``SetupResult``) and
  :func:`~ssoctl.connection.setup.make_plan` (``SetupPlan``: both sides, nothing written);
  :func:`~ssoctl.connection.setup.verify_command`
- :func:`ssoctl.connection.doctor.doctor` (``DoctorRequest`` -> ``DoctorResult`` of
  ``Check``\\ s); ``sp_from_status``, ``sp_from_cert_file``, ``sp_from_fingerprint`` (what
  sipgate holds); :func:`~ssoctl.connection.doctor.public_metadata_url`
- :mod:`ssoctl.connection.drift` -- Okta's view against sipgate's (pure)
- :func:`ssoctl.connection.dns.check_txt`, :func:`~ssoctl.connection.dns.parse_server`
- :func:`ssoctl.connection.junit.render` -- checks as JUnit XML
- :mod:`ssoctl.connection.state` -- the 0600 state file (no secrets)
- :func:`ssoctl.connection.spmeta.sp_values_from_metadata` -- ACS URL and Entity ID from SP
  metadata

It builds on :mod:`ssoctl.okta` (the Okta app) and :mod:`ssoctl.sp` (the SP push); nothing
here imports requests, and dnspython only inside the DNS lookup.
"""
