"""Time signature verification: a bare signxml loop, ssoctl's verify_response, xmlsec1.

    python benchmarks/verify.py [-n 300] [--sign assertion|response|both]

Generates N Okta-shaped responses with the test IdP key (ssoctl.rehearsal.samlgen), then
verifies all of them three ways and prints messages per second and ratios:

- ``signxml``: ``XMLVerifier().verify`` pinned to the certificate and location (the floor
  any careful verifier pays);
- ``ssoctl``: :func:`ssoctl.saml.verify.verify_response` (structural checks, policy, pinned
  signxml, identity check, certificate facts);
- ``xmlsec1``: ``xmlsec1 --verify`` run once per message (process start included), if
  installed (``apt-get install xmlsec1``); skipped otherwise.

Uses a fixed clock; nothing touches the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # ssoctl and the test builders (tests/support)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
ASSERTION = "./{urn:oasis:names:tc:SAML:2.0:assertion}Assertion/"


def messages(n: int, sign: str) -> list[bytes]:
    from ssoctl.rehearsal import samlgen

    return [samlgen.response(now=NOW, sign=sign, name_id=f"user{i}@example.com")
            for i in range(n)]


def bare_signxml(data: list[bytes], pem: str, sign: str) -> float:
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm as DA, SignatureMethod as SM

    locations = {"assertion": [ASSERTION], "response": ["./"], "both": ["./", ASSERTION]}[sign]
    configs = [SignatureConfiguration(location=loc, expect_references=1,
                                      signature_methods=frozenset({SM.RSA_SHA256}),
                                      digest_algorithms=frozenset({DA.SHA256}),
                                      verification_time=NOW) for loc in locations]
    start = time.perf_counter()
    for xml in data:
        for cfg in configs:
            XMLVerifier().verify(xml, x509_cert=pem, id_attribute="ID", expect_config=cfg)
    return time.perf_counter() - start


def ssoctl_loop(data: list[bytes], pem: str) -> float:
    from ssoctl.saml.verify import verify_response

    start = time.perf_counter()
    for xml in data:
        result = verify_response(xml, trusted_pems=[pem], now=NOW)
        if result.status != "verified":
            raise SystemExit(f"unexpected: {result.findings}")
    return time.perf_counter() - start


def xmlsec1_loop(data: list[bytes], pem: str) -> float | None:
    """``xmlsec1 --verify`` per message (shared with decode_har.py); None if not installed."""
    from decode_har import xmlsec1_loop as run  # benchmarks/ is on sys.path for scripts

    with tempfile.TemporaryDirectory() as tmp:
        cert = Path(tmp) / "idp.pem"
        cert.write_text(pem)
        return run(data, cert, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="number of messages (default 300)")
    parser.add_argument("--sign", default="assertion", choices=["assertion", "response"],
                        help="which element the messages sign (one signature each)")
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    args = parser.parse_args()

    from ssoctl.rehearsal import pki, samlgen

    pem = pki.cert_pem(samlgen.default_idp()[1])
    data = messages(args.n, args.sign)
    # Warm up imports and schema caches outside the timed loops.
    bare_signxml(data[:3], pem, args.sign)
    ssoctl_loop(data[:3], pem)

    rows = {
        "signxml": min(bare_signxml(data, pem, args.sign) for _ in range(args.repeat)),
        "ssoctl": min(ssoctl_loop(data, pem) for _ in range(args.repeat)),
    }
    xmlsec = xmlsec1_loop(data, pem)
    if xmlsec is not None:
        rows["xmlsec1"] = xmlsec
    base = args.n / rows["signxml"]
    print(f"{args.n} messages, {args.sign}-signed, best of {args.repeat}")
    print(f"{'verifier':<10} {'msg/s':>9} {'ms/msg':>8} {'rate vs signxml':>16}")
    for name, seconds in rows.items():
        rate = args.n / seconds
        print(f"{name:<10} {rate:>9.0f} {1000 / rate:>8.2f} {rate / base:>15.0%}")
    if xmlsec is None:
        print("xmlsec1    skipped (not installed: apt-get install xmlsec1)")


if __name__ == "__main__":
    main()
