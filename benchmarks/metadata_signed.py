"""Time ``import-metadata --verify-signature`` on signed aggregates against ``xmlsec1``.

    python benchmarks/metadata_signed.py [--sizes 20000 60000] [--runs 3] [--keep DIR]

For each size a synthetic aggregate (tests/support/aggregate.py: about 1.6 KB per member,
real 2048-bit certificates, the IdP asked for is the last one) is signed like a federation
signs it (enveloped RSA-SHA256 over the root, exclusive canonicalization,
``aggregate.sign``). Each row is a fresh process, run in turn (A B C A B C ...), median
wall-clock and CPU time; peak RSS of one more run by GNU time (``/usr/bin/time``).
Targets (issue 14): within 1.5x of ``xmlsec1 --verify`` on the same file, and peak memory
at most 2x its peak. Results: docs/benchmarks.md.

Rows:
- ``xmlsec1 --verify``: the reference, with the signer's certificate as the key
  (``apt-get install xmlsec1``; the row and the ratios are skipped with a message when it
  is not installed);
- ``ssoctl, xmlsec extra``: the whole command (``--json`` to /dev/null), verifying with the
  optional xmlsec binding (skipped when it cannot be used here);
- ``ssoctl, signxml``: the same command with the binding hidden, as without the extra;
- ``in-process, ...``: ssoctl's core call (``reader.load_source`` with the certificate) in
  one process after every import, so without the command's start-up (Typer and the
  libraries: about 0.35 s on the project's machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # ssoctl and the test builders (tests/support)

# The command as installed, with ``import xmlsec`` failing as it does without the extra.
WITHOUT_EXTRA = """
import sys
sys.modules["xmlsec"] = None
from ssoctl.cli import main
sys.argv[0] = "ssoctl"
main()
"""


# ssoctl's core call in one process, after every import (no start-up), median of runs.
IN_PROCESS = """
import datetime as dt, statistics, sys, time
from ssoctl.metadata import reader
path, wanted, pem, runs = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read(), int(sys.argv[4])
now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
core = lambda: reader.load_source(path, entity_id=wanted, now=now, verify_cert_pem=pem)
assert core().signature_verified is True
wall, cpu = [], []
for _ in range(runs):
    started, used = time.perf_counter(), time.process_time()
    core()
    wall.append(time.perf_counter() - started)
    cpu.append(time.process_time() - used)
print(statistics.median(wall), statistics.median(cpu))
"""


# one fresh process's wall/CPU seconds and peak RSS, timed as for unsigned aggregates
from metadata_aggregate import peak_of, run  # noqa: E402 (benchmarks/ is on sys.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 60000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the aggregates here (kept)")
    args = parser.parse_args()
    from ssoctl import xmlsig
    from ssoctl.rehearsal import pki
    from support import aggregate

    python = sys.executable
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "ssoctl")], check=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ssoctl-signed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    key = pki.cached_rsa_key("aggregate-signer")
    xmlsec1 = shutil.which("xmlsec1")
    binding, why = xmlsig.xmlsec_binding()
    notes = []
    if xmlsec1 is None:
        notes.append("xmlsec1 is not installed (apt-get install xmlsec1): no reference row, "
                     "no ratios")
    if binding is None:
        notes.append(f"no 'ssoctl, xmlsec extra' row: {why}")
    load = f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {load}; "
          f"median of {args.runs} runs")
    for note in notes:
        print(f"note: {note}")
    print(f"\n{'entities':>8} {'MB':>6}  {'row':<24} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} "
          f"{'x wall':>7} {'x CPU':>6} {'x peak':>7}")
    for size in args.sizes:
        signed = workdir / f"signed-{size}.xml"
        pem = workdir / f"signed-{size}.pem"
        if not signed.exists() or not pem.exists():
            plain = workdir / f"plain-{size}.xml"
            cert = pki.certificate(key, pki.simple_name("federation signer"))
            aggregate.write(plain, size)
            aggregate.sign(plain, signed, key, cert)
            pem.write_text(pki.cert_pem(cert))
            plain.unlink()
        wanted = aggregate.idp_id(size - 1)
        command = ["import-metadata", str(signed), "--entity-id", wanted, "--verify-signature",
                   str(pem), "--now", "2026-06-01", "--json"]
        rows = []
        if xmlsec1 is not None:
            rows.append(("xmlsec1 --verify", [xmlsec1, "--verify", "--pubkey-cert-pem",
                                              str(pem), str(signed)]))
        if binding is not None:
            rows.append(("ssoctl, xmlsec extra", [python, "-m", "ssoctl", *command]))
        rows.append(("ssoctl, signxml", [python, "-c", WITHOUT_EXTRA, *command]))
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in rows}
        for _label, argv in rows:
            run(argv)  # warm the page cache and the bytecode
        for _ in range(args.runs):
            for label, argv in rows:
                times[label].append(run(argv))
        peaks = {label: peak_of(argv) for label, argv in rows}
        reference = "xmlsec1 --verify" if xmlsec1 is not None else None
        megabytes = signed.stat().st_size / 1e6
        for label, _argv in rows:
            wall = statistics.median(t[0] for t in times[label])
            cpu = statistics.median(t[1] for t in times[label])
            peak = peaks[label]
            ratios = ""
            if reference is not None:
                ref_wall = statistics.median(t[0] for t in times[reference])
                ref_cpu = statistics.median(t[1] for t in times[reference])
                ref_peak = peaks[reference]
                ratios = f"{wall / ref_wall:>7.2f} {cpu / ref_cpu:>6.2f} "
                ratios += (f"{peak / ref_peak:>7.2f}" if peak and ref_peak else f"{'':>7}")
            shown = f"{peak / 1024:>9.1f}" if peak is not None else f"{'':>9}"
            print(f"{size:>8} {megabytes:>6.1f}  {label:<24} {wall:>7.2f} {cpu:>7.2f} {shown} "
                  f"{ratios}")
        hide = "import sys; sys.modules['xmlsec'] = None\n"  # as without the extra
        for label, script in (("in-process, xmlsec", IN_PROCESS),
                              ("in-process, signxml", hide + IN_PROCESS)):
            if label.endswith("xmlsec") and binding is None:
                continue
            argv = [python, "-c", script, str(signed), wanted, str(pem), str(args.runs)]
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                raise SystemExit(f"{label} failed: {done.stderr[-400:]}")
            wall, cpu = map(float, done.stdout.split())
            ratios = ""
            if reference is not None:
                ratios = (f"{wall / statistics.median(t[0] for t in times[reference]):>7.2f} "
                          f"{cpu / statistics.median(t[1] for t in times[reference]):>6.2f}")
            print(f"{size:>8} {megabytes:>6.1f}  {label:<24} {wall:>7.2f} {cpu:>7.2f} "
                  f"{'':>9} {ratios}")
    print(f"\nat the end: load average {os.getloadavg()[0]:.2f}")
    if args.keep is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
