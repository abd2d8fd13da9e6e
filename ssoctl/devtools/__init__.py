"""Tools for the project's own tests, fixtures and benchmarks: generated test keys and
certificates (``pki``), signed sample SAML messages, and ``fakesp``, a local SP speaking the
push contract for rehearsals (``python -m ssoctl.devtools.fakesp``). Never used by the commands."""
