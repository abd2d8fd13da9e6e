"""Time ``import-metadata`` on federation aggregates against bare lxml, side by side.

    python benchmarks/metadata_aggregate.py [--sizes 5000 20000 60000] [--runs 5] [--url]
                                            [--keep DIR]

For each size a synthetic aggregate is written (tests/support/aggregate.py: about 1.6 KB per
member, one IdP in ten, real 2048-bit certificates, the IdP asked for is the LAST entity,
so every method reads the whole file). Ratios are given for wall-clock time and for CPU
time (user + system: steadier when other work shares the machine). Targets (issue 14):
``ssoctl import-metadata AGGREGATE --entity-id X`` within 1.2x of the bare iterparse and
peak RSS <= 64 MiB whatever the size. Results: docs/benchmarks.md.

Two comparisons, both printed with their ratio to the bare ``iterparse``:

- whole processes (the command as a user runs it, start-up included), each row run in
  turn (A B C A B C ...) ``--runs`` times, median wall-clock time; peak RSS of one more
  run, measured by GNU time (``/usr/bin/time``) when present;
- in one process, after every import (no start-up on either side): the bare loop and
  ssoctl's core call (:func:`ssoctl.metadata.reader.load_source`: streaming, hardened
  parser, the entity found and every check on it), alternated, median of ``--runs``.

Rows:
- ``lxml parse + XPath``: ``etree.parse`` of the whole file, then one XPath for the entity
  (what a simple script would do; memory grows with the file);
- ``bare iterparse``: ``etree.iterparse`` with a tag filter, clearing each entity, stopping
  at the one asked for (the lower bound for a streaming reader in Python);
- ``ssoctl import-metadata``: the whole command, ``--json`` to /dev/null;
- with ``--url``: the same command on the file served by a local HTTP server (127.0.0.1),
  streamed from the socket.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
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
ITERPARSE_LOOP = """
def bare(path, wanted):
    for _, el in etree.iterparse(path, events=("end",), tag="{%s}EntityDescriptor"):
        if el.get("entityID") == wanted:
            return el
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    raise SystemExit("not found")
""" % MD
ITERPARSE = "import sys\nfrom lxml import etree\n" + ITERPARSE_LOOP + "bare(sys.argv[1], sys.argv[2])\n"
IN_PROCESS = """
import datetime as dt, statistics, sys, time
from lxml import etree
from ssoctl.metadata import reader
""" + ITERPARSE_LOOP + """
path, wanted, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
core = lambda: reader.load_source(path, entity_id=wanted, now=now)
core(); bare(path, wanted)  # warm: imports done, the file in the page cache
wall = {"bare": [], "ssoctl": []}
cpu = {"bare": [], "ssoctl": []}
for _ in range(runs):
    for name, work in (("bare", lambda: bare(path, wanted)), ("ssoctl", core)):
        started, used = time.perf_counter(), time.process_time()
        work()
        wall[name].append(time.perf_counter() - started)
        cpu[name].append(time.process_time() - used)
print(*(statistics.median(t[name]) for t in (wall, cpu) for name in ("bare", "ssoctl")))
"""


def run(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed: {done.stderr.decode()[-300:]}")
    return elapsed, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def peak_of(argv: list[str]) -> int | None:
    """Peak RSS (KiB) of one run, measured by GNU time when present (exact per process)."""
    if not Path("/usr/bin/time").exists():
        return None
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    return int(done.stderr.strip().splitlines()[-1])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no line per request on the benchmark's output
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 60000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", action="store_true", help="also time a download from 127.0.0.1")
    parser.add_argument("--keep", type=Path, help="write the aggregates here (kept)")
    args = parser.parse_args()
    from support import aggregate

    python = sys.executable
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "ssoctl")], check=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="ssoctl-aggregate-"))
    workdir.mkdir(parents=True, exist_ok=True)
    server, base = serve(workdir) if args.url else (None, "")
    env_note = f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {env_note}; "
          f"median of {args.runs} runs\n")
    print(f"{'entities':>8} {'MB':>6}  {'row':<28} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} "
          f"{'x wall':>7} {'x CPU':>6}")
    for size in args.sizes:
        path = workdir / f"aggregate-{size}.xml"
        if not path.exists():
            aggregate.write(path, size)
        wanted = aggregate.idp_id(size - 1)
        command = ["import-metadata", "--entity-id", wanted, "--now", "2026-06-01", "--json"]
        rows = [
            ("lxml parse + XPath", [python, "-c", PARSE_XPATH, str(path), wanted]),
            ("bare iterparse", [python, "-c", ITERPARSE, str(path), wanted]),
            ("ssoctl import-metadata", [python, "-m", "ssoctl", command[0], str(path),
                                        *command[1:]]),
        ]
        if args.url:
            rows.append(("ssoctl import-metadata URL", [python, "-m", "ssoctl", command[0],
                                                        f"{base}/{path.name}", *command[1:]]))
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in rows}
        for _label, argv in rows:
            run(argv)  # warm the page cache and the bytecode
        for _ in range(args.runs):
            for label, argv in rows:
                times[label].append(run(argv))
        base_wall = statistics.median(t[0] for t in times["bare iterparse"])
        base_cpu = statistics.median(t[1] for t in times["bare iterparse"])
        megabytes = path.stat().st_size / 1e6

        def line(label: str, wall: float, cpu: float, peak: int | None, wall0: float,
                 cpu0: float) -> None:
            shown = f"{peak / 1024:>9.1f}" if peak is not None else f"{'':>9}"
            print(f"{size:>8} {megabytes:>6.1f}  {label:<28} {wall:>7.2f} {cpu:>7.2f} {shown} "
                  f"{wall / wall0:>7.2f} {cpu / cpu0:>6.2f}")

        for label, argv in rows:
            line(label, statistics.median(t[0] for t in times[label]),
                 statistics.median(t[1] for t in times[label]), peak_of(argv), base_wall,
                 base_cpu)
        done = subprocess.run([python, "-c", IN_PROCESS, str(path), wanted, str(args.runs)],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"in-process run failed: {done.stderr[-300:]}")
        bare, ours, bare_cpu, ours_cpu = map(float, done.stdout.split())
        line("in-process: bare iterparse", bare, bare_cpu, None, bare, bare_cpu)
        line("in-process: ssoctl core", ours, ours_cpu, None, bare, bare_cpu)
    print(f"\nat the end: {env_note.replace(env_note.split()[2], f'{os.getloadavg()[0]:.2f}')}")
    if server is not None:
        server.shutdown()
    if args.keep is None:
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
