"""Every way ssoctl verifies a metadata signature, for tests that must hold on each.

- ``in memory``: one IdP's metadata, :func:`ssoctl.metadata.reader.load` with signxml;
- ``aggregate, signxml`` and ``aggregate, xmlsec``: the path of a large signed aggregate
  (a file over ``reader.STREAM_ABOVE``: parsed chunk by chunk, verified whole, then read
  like a streamed one), forced for a small document by lowering that threshold, with
  each engine :func:`ssoctl.metadata.signature.engine_for_aggregate` may choose. The
  xmlsec one is skipped (with the reason) where the ``xmlsec`` extra cannot be used.
"""

from __future__ import annotations

from itertools import count
from typing import Any, Callable

import pytest

ENGINES = ("in memory", "aggregate, signxml", "aggregate, xmlsec")


def verifier(engine: str, tmp_path, monkeypatch) -> Callable[..., Any]:
    """``verify(data, cert_pem, **load_kwargs) -> IdpSettings`` on ``engine``."""
    from ssoctl import xmlsig
    from ssoctl.metadata import reader, signature

    if engine == "in memory":
        return lambda data, pem, **kw: reader.load(data, verify_cert_pem=pem, **kw)
    name = engine.split(", ")[1]
    if name == "xmlsec":
        module, why = xmlsig.xmlsec_binding()
        if module is None:
            pytest.skip(why)
    monkeypatch.setattr(reader, "STREAM_ABOVE", 0)
    monkeypatch.setattr(signature, "engine_for_aggregate", lambda: name)
    numbers = count()

    def verify(data: bytes, pem: bytes, **kw: Any):
        path = tmp_path / f"metadata-{next(numbers)}.xml"
        path.write_bytes(data)
        return reader.load_source(str(path), verify_cert_pem=pem, **kw)

    return verify
