"""Certificates: any certificate input -> diagnosis, facts and a clean PEM.

Modules: ``text`` (tokens of pasted text), ``asn1``/``der`` (DER structure), ``facts``
(one parsed certificate: CertInfo, fingerprints, expiry checks), ``result`` (the diagnosis
object) and ``diagnose`` (the entry point that ties them together).
"""
