"""Time ``import-metadata`` on federation aggregates against bare lxml, side by side.

    python benchmarks/metadata_aggregate.py [--sizes 5000 20000 60000] [--runs 3] [--keep DIR]

For each size a synthetic aggregate is written (tests/support/aggregate.py: about 1.6 KB per
member, one IdP in ten, real 2048-bit certificates, the IdP asked for is the LAST entity,
so every method reads the whole file). Each row runs in a fresh process; the script
prints the median wall-clock time, the peak RSS, and the ratio to the bare ``iterparse``
loop. Targets (issue 14): ``ssoctl import-metadata AGGREGATE --entity-id X`` within 1.2x of
the bare iterparse and peak RSS <= 64 MiB whatever the size. Results: docs/benchmarks.md.

Rows:
- ``lxml parse + XPath``: ``etree.parse`` of the whole file, then one XPath for the entity
  (what a simple script would do; memory grows with the file);
- ``bare iterparse``: ``etree.iterparse`` with a tag filter, clearing each entity, stopping
  at the one asked for (the lower bound for a streaming reader in Python);
- ``ssoctl import-metadata``: the whole command, ``--json`` to /dev/null (streaming,
  hardened parser, then every check on the one entity).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # ssoctl and the test builders (tests/support)

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
PARSE_XPATH = """
import sys
from lxml import etree
tree = etree.parse(sys.argv[1])
found = tree.xpath("//md:EntityDescriptor[@entityID=$id]", id=sys.argv[2],
                   namespaces={"md": "%s"})
assert found, "not found"
""" % MD
ITERPARSE = """
import sys
from lxml import etree
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="{%s}EntityDescriptor"):
    if el.get("entityID") == sys.argv[2]:
        break
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]
else:
    raise SystemExit("not found")
""" % MD


def run(argv: list[str]) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS (KiB) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed: {done.stderr.decode()[-300:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def peak_of(argv: list[str]) -> int:
    """Peak RSS (KiB) of one run, measured by GNU time when present (exact per process)."""
    if not Path("/usr/bin/time").exists():
        return 0
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 60000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the aggregates here (kept)")
    args = parser.parse_args()
    from support import aggregate

    python = sys.executable
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "ssoctl")], check=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ssoctl-aggregate-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"median of {args.runs} runs\n")
    print(f"{'entities':>8} {'MB':>6}  {'row':<24} {'median s':>9} {'peak MiB':>9} {'ratio':>6}")
    for size in args.sizes:
        path = workdir / f"aggregate-{size}.xml"
        if not path.exists():
            aggregate.write(path, size)
        wanted = aggregate.idp_id(size - 1)
        rows = [
            ("lxml parse + XPath", [python, "-c", PARSE_XPATH, str(path), wanted]),
            ("bare iterparse", [python, "-c", ITERPARSE, str(path), wanted]),
            ("ssoctl import-metadata", [python, "-m", "ssoctl", "import-metadata", str(path),
                                        "--entity-id", wanted, "--now", "2026-06-01", "--json"]),
        ]
        timings = {}
        for label, argv in rows:
            run(argv)  # warm the page cache and the bytecode
            times = [run(argv)[0] for _ in range(args.runs)]
            timings[label] = (statistics.median(times), peak_of(argv))
        base = timings["bare iterparse"][0]
        megabytes = path.stat().st_size / 1e6
        for label, (median, peak) in timings.items():
            print(f"{size:>8} {megabytes:>6.1f}  {label:<24} {median:>9.2f} "
                  f"{peak / 1024:>9.1f} {median / base:>6.2f}")
    if args.keep is None:
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
