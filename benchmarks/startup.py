"""Time ``ssoctl check-cert`` against openssl and a bare cryptography call, side by side.

    python benchmarks/startup.py [--runs N] [--cert FILE]

Each command runs N times in a fresh process (after one warm-up run); the script prints
the median wall-clock time of each and its ratio to the bare-Python figure. Target from
issue 2: ``ssoctl check-cert`` within 1.5x of bare Python loading the same certificate.
Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CERT = ROOT / "fixtures" / "certs" / "okta.cert"
TARGET = 1.5


def commands(cert: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) for everything timed; the bare-Python line is the baseline."""
    python = sys.executable
    bare = ("from cryptography import x509; "
            f"x509.load_pem_x509_certificate(open({str(cert)!r}, 'rb').read())")
    out = [
        ("python -c (cryptography load)", [python, "-c", bare]),
        ("ssoctl check-cert", [python, "-m", "ssoctl", "check-cert", str(cert)]),
        ("ssoctl check-cert --json", [python, "-m", "ssoctl", "check-cert", "--json", str(cert)]),
        ("ssoctl --help", [python, "-m", "ssoctl", "--help"]),
        ("python -c pass", [python, "-c", "pass"]),
    ]
    openssl = shutil.which("openssl")
    if openssl:
        out.insert(1, ("openssl x509 -noout -text", [openssl, "x509", "-noout", "-text", "-in", str(cert)]))
    return out


def median_seconds(argv: list[str], runs: int) -> float:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs per command (default 21)")
    parser.add_argument("--cert", type=Path, default=DEFAULT_CERT, help="certificate file")
    args = parser.parse_args(argv)
    results = [(label, median_seconds(cmd, args.runs)) for label, cmd in commands(args.cert)]
    base = results[0][1]
    print(f"median of {args.runs} runs, {args.cert.name}, Python {sys.version.split()[0]}")
    print(f"{'command':32} {'median ms':>10} {'x bare python':>14}")
    for label, seconds in results:
        print(f"{label:32} {seconds * 1000:10.1f} {seconds / base:14.2f}")
    check = dict(results)["ssoctl check-cert"] / base
    verdict = "meets" if check <= TARGET else "misses"
    print(f"check-cert is {check:.2f}x bare Python: {verdict} the {TARGET}x target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
