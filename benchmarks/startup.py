"""Time ``ssoctl check-cert`` against openssl and a bare cryptography call, side by side.

    python benchmarks/startup.py [--runs N] [--cert FILE] [--only TEXT ...]

Each command runs N times in a fresh process (after one warm-up run); the script prints
the median wall-clock time of each and its ratio to the bare-Python figure. Target from
issue 2: ``ssoctl check-cert`` within 1.5x of bare Python loading the same certificate.
The ``decode-response`` and ``import-metadata`` rows time the two other everyday commands
on one committed fixture each: a plain ``decode-response`` command line has the same
Typer-free start as ``check-cert`` (its "Typer route" row is the same run started through
Typer), ``import-metadata`` always starts through Typer. Results are recorded in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CERT = ROOT / "fixtures" / "certs" / "okta.cert"
#: One captured message (a signed Okta Response) and one IdP metadata file.
MESSAGE = ROOT / "fixtures" / "saml" / "response-assertion-signed.xml"
METADATA = ROOT / "fixtures" / "metadata" / "okta.xml"
TARGET = 1.5


def commands(cert: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) for everything timed; the bare-Python line is the baseline."""
    python = sys.executable
    bare = ("from cryptography import x509; "
            f"x509.load_pem_x509_certificate(open({str(cert)!r}, 'rb').read())")
    # What check-cert costs when started through Typer (any non-plain command line is).
    typer_route = ("import sys; sys.argv = ['ssoctl', 'check-cert', "
                   f"{str(cert)!r}]; from ssoctl.cli.app import main; main()")
    # The same for decode-response, with the cycle collector off as the entry point
    # turns it off before handing a non-plain command line to Typer.
    decode_typer = ("import gc, sys; gc.disable(); sys.argv = ['ssoctl', 'decode-response', "
                    f"{str(MESSAGE)!r}, '--json']; from ssoctl.cli.app import main; main()")
    out = [
        ("python -c (cryptography load)", [python, "-c", bare]),
        ("ssoctl check-cert", [python, "-m", "ssoctl", "check-cert", str(cert)]),
        ("ssoctl check-cert --json", [python, "-m", "ssoctl", "check-cert", "--json", str(cert)]),
        ("ssoctl check-cert (Typer route)", [python, "-c", typer_route]),
        ("ssoctl --help", [python, "-m", "ssoctl", "--help"]),
        ("ssoctl decode-response --json",
         [python, "-m", "ssoctl", "decode-response", str(MESSAGE), "--json"]),
        ("ssoctl decode-response", [python, "-m", "ssoctl", "decode-response", str(MESSAGE)]),
        ("ssoctl decode-response --json (Typer route)", [python, "-c", decode_typer]),
        ("ssoctl import-metadata", [python, "-m", "ssoctl", "import-metadata", str(METADATA)]),
        ("python -c pass", [python, "-c", "pass"]),
    ]
    openssl = shutil.which("openssl")
    if openssl:
        out.insert(1, ("openssl x509 -noout -text", [openssl, "x509", "-noout", "-text", "-in", str(cert)]))
    return out


def medians(argv: list[str], runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (user + system) seconds of ``argv``.

    CPU time is reported too because it hardly moves when other work shares the machine;
    wall-clock time is what a user waits for."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wall.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - before)
    return statistics.median(wall), statistics.median(cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs per command (default 21)")
    parser.add_argument("--cert", type=Path, default=DEFAULT_CERT, help="certificate file")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="time only the commands whose label contains TEXT (repeatable; "
                             "the baseline is always timed)")
    args = parser.parse_args(argv)
    chosen = [(label, cmd) for index, (label, cmd) in enumerate(commands(args.cert))
              if index == 0 or not args.only or any(t in label for t in args.only)]
    results = [(label, *medians(cmd, args.runs)) for label, cmd in chosen]
    base_wall, base_cpu = results[0][1], results[0][2]
    print(f"median of {args.runs} runs, {args.cert.name}, Python {sys.version.split()[0]}")
    print(f"{'command':44} {'wall ms':>8} {'x bare':>7} {'CPU ms':>8} {'x bare':>7}")
    for label, wall, cpu in results:
        print(f"{label:44} {wall * 1000:8.1f} {wall / base_wall:7.2f} {cpu * 1000:8.1f} "
              f"{cpu / base_cpu:7.2f}")
    row = next((r for r in results if r[0] == "ssoctl check-cert"), None)
    if row is None:
        return 0
    ratio = row[1] / base_wall
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"check-cert is {ratio:.2f}x bare Python (wall clock; {row[2] / base_cpu:.2f}x in CPU "
          f"time): {verdict} the {TARGET}x target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
