"""Builders shared by the tests: test PKI, SAML generator and signer, attack builders."""
