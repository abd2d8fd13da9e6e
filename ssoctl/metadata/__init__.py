"""IdP metadata -> the settings an SP needs (SSO URL, Entity ID, Certificate).

Modules: ``reader`` (the entry point: load a document, choose the entity), ``checks``
(elements, bindings, validity), ``certificates`` (signing keys and which one to paste) and
``signature`` (verifying signed metadata).
"""
