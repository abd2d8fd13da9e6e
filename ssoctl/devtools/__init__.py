"""Tools for the project's own tests, fixtures and benchmarks: generated test keys and
certificates (``pki``), signed sample SAML messages. Never used by the commands."""
