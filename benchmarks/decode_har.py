"""Time ``ssoctl decode-response --all`` on a HAR of signed responses against its peers.

    python benchmarks/decode_har.py [-n 1000] [--sign assertion|response|both] [--repeat 3]

Builds a HAR file holding N Okta-shaped responses, each signed with the test IdP key
(:mod:`ssoctl.rehearsal.samlgen`, fixed dates), then times side by side, on the same data:

- ``signxml loop``: the floor any careful verifier pays. ``XMLVerifier().verify`` pinned to
  the certificate (PEM text, as in signxml's README), the signature location, one
  reference and the rsa-sha256/sha256 allowlist, over the N base64-decoded XML documents
  (no HAR, no checks, no output). The reference for every ratio;
- ``signxml, cert loaded once``: the same loop with the certificate parsed once (what
  ssoctl does), for comparison;
- ``decode path``: the command's one core call,
  :func:`ssoctl.saml.decode.decode_source`, on the HAR: HAR scan, decoding, structural
  checks, pinned verification, signed-element identity, the model, SP checks (no output);
- ``in-process``: the whole command (``decode-response HAR --all --cert ... --json``)
  run through the program's entry point in this process (imports already done): command
  line, HAR scan, decoding, structural checks, pinned verification, signed-element
  identity, SP checks, the JSON document;
- ``signxml script, subprocess``: the signxml loop as the script a user would run
  (``python -c``): interpreter start-up, imports, reading the HAR and decoding each value,
  then the same pinned loop. The reference for the subprocess rows (column "vs script"):
  both pay a process start;
- ``subprocess``: the same command as a user runs it (``python -m ssoctl``), start-up
  included;

each with ``--jobs 1`` (serial, one process, like the signxml loop) and the automatic
``--jobs`` (a process pool only with two idle cores: :mod:`ssoctl.saml.parallel`), the
subprocess also with ``--jobs 2``, and its peak memory against the capture's size;
- ``xmlsec1``: ``xmlsec1 --verify`` once per message (one process each, as a shell loop
  would), when installed (``apt-get install -y xmlsec1``); skipped otherwise.

Prints the cores this process may use and how much faster two CPU-bound processes finish
than one here (on a shared machine other users' load makes that well below 2), then
messages per second and each rate as a ratio of the signxml loop (for the in-process
rows also by CPU time, which other work on the machine disturbs less). Targets (issue 10):
``--all --jobs 1`` at >= 75 % of the signxml loop's rate; peak memory <= 3x the capture.
Nothing touches the network; the clock is fixed with ``--now``.

``--instructions`` adds a measure this shared machine's load does not move: the
instructions (valgrind's callgrind tool, fixed hash seed) of the signxml loop and of the
decode path, each in a child process after the same imports and warm-up, less what the
warm-up alone costs. Several minutes under valgrind.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # ssoctl and the test builders (tests/support)

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
NOW = T0 + dt.timedelta(minutes=1)
ASSERTION = "./{urn:oasis:names:tc:SAML:2.0:assertion}Assertion/"
LOCATIONS = {"assertion": [ASSERTION], "response": ["./"], "both": ["./", ASSERTION]}


def issued(i: int, n: int) -> dt.datetime:
    """Message i's IssueInstant: spread over the 4 minutes before NOW, so every message is
    valid at NOW (Okta's window is 5 minutes) and the checks take their usual path."""
    return NOW - dt.timedelta(minutes=4) + dt.timedelta(minutes=4) * i / max(n, 1)


def make_messages(n: int, sign: str) -> list[bytes]:
    """N distinct signed responses (the user varies, so do the IDs)."""
    from ssoctl.rehearsal import samlgen

    return [samlgen.response(now=issued(i, n), sign=sign, name_id=f"user{i}@example.com")
            for i in range(n)]


def make_har(messages: list[bytes]) -> dict:
    """A Chrome-style HAR: one POST to the ACS per response, with a cookie header."""
    from ssoctl.rehearsal import samlgen

    entries = []
    for i, xml in enumerate(messages):
        value = quote(base64.b64encode(xml).decode("ascii"), safe="")
        when = issued(i, len(messages)).isoformat(timespec="milliseconds")
        entries.append({
            "startedDateTime": when.replace("+00:00", "Z"), "time": 40,
            "request": {"method": "POST", "url": samlgen.ACS_URL, "httpVersion": "HTTP/1.1",
                        "headers": [{"name": "Cookie", "value": "JSESSIONID=bench"},
                                    {"name": "Content-Type",
                                     "value": "application/x-www-form-urlencoded"}],
                        "queryString": [], "cookies": [], "headersSize": -1,
                        "bodySize": len(value) + 13,
                        "postData": {"mimeType": "application/x-www-form-urlencoded",
                                     "text": f"SAMLResponse={value}",
                                     "params": [{"name": "SAMLResponse", "value": value}]}},
            "response": {"status": 302, "statusText": "", "httpVersion": "HTTP/1.1",
                         "headers": [], "cookies": [], "redirectURL": "",
                         "content": {"size": 0, "mimeType": "text/plain"},
                         "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 40, "receive": 0}})
    return {"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"},
                    "pages": [], "entries": entries}}


def from_har(har: dict) -> list[bytes]:
    """The XML documents the HAR carries, decoded the way any script would."""
    from urllib.parse import unquote

    return [base64.b64decode(unquote(e["request"]["postData"]["params"][0]["value"]))
            for e in har["log"]["entries"]]


def signxml_loop(data: list[bytes], pem: str, sign: str, *, load_once: bool = False) -> float:
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm as DA, SignatureMethod as SM

    configs = [SignatureConfiguration(location=loc, expect_references=1,
                                      signature_methods=frozenset({SM.RSA_SHA256}),
                                      digest_algorithms=frozenset({DA.SHA256}),
                                      verification_time=NOW) for loc in LOCATIONS[sign]]
    cert = pem
    if load_once:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(pem.encode())
    start, cpu = time.perf_counter(), time.process_time()
    for xml in data:
        for cfg in configs:
            XMLVerifier().verify(xml, x509_cert=cert, id_attribute="ID", expect_config=cfg)
    LAST_CPU[0] = time.process_time() - cpu
    return time.perf_counter() - start


def ssoctl_decode_path(har: Path, cert: Path, n: int, jobs: int | None) -> float:
    """The core call behind the command (what a library user calls), no rendering."""
    from ssoctl.saml.anchors import load_anchors
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import decode_source

    start, cpu = time.perf_counter(), time.process_time()
    anchors = load_anchors(cert_files=[str(cert)], now=NOW)
    result = decode_source(str(har), DecodeOptions(expect=Expectations(now=NOW),
                                                   anchors=anchors, all_entries=True,
                                                   jobs=jobs))
    elapsed = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu
    statuses = {m.signature.status for m in result.messages}
    if len(result.messages) != n or statuses != {"verified"}:
        raise SystemExit(f"unexpected ssoctl result: {sorted(statuses)}")
    return elapsed


def command(har: Path, cert: Path, jobs: int | None) -> list[str]:
    return ["decode-response", str(har), "--all", "--cert", str(cert), "--json",
            "--now", NOW.isoformat().replace("+00:00", "Z"),
            *(["--jobs", str(jobs)] if jobs else [])]


def check_output(text: str, n: int) -> None:
    doc = json.loads(text)
    statuses = {m["signature"]["status"] for m in doc["data"]["messages"]}
    if len(doc["data"]["messages"]) != n or statuses != {"verified"} or not doc["ok"]:
        raise SystemExit(f"unexpected ssoctl result: {len(doc['data']['messages'])} messages, "
                         f"signature status {sorted(statuses)}")


def ssoctl_in_process(har: Path, cert: Path, n: int, jobs: int | None) -> float:
    """The whole command through the program's entry point (:func:`ssoctl.cli.main`, what
    ``ssoctl`` and ``python -m ssoctl`` run), in this process, stdout captured."""
    from ssoctl.cli import main

    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["ssoctl", *command(har, cert, jobs)]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(out):
            try:
                main()
            except SystemExit:
                pass
        elapsed = time.perf_counter() - start
        LAST_CPU[0] = time.process_time() - cpu
    finally:
        sys.argv = argv
    check_output(out.getvalue(), n)
    return elapsed


PEAKS: dict[str, int] = {}
#: CPU time (user + system) of the last in-process run: steadier than the clock when other
#: work shares the machine (worker processes of --jobs N are not counted).
LAST_CPU = [0.0]


def ssoctl_subprocess(har: Path, cert: Path, n: int, jobs: int | None) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ssoctl", *command(har, cert, jobs)],
                          capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    check_output(done.stdout.decode(), n)
    return elapsed


_PEAK = ("import resource, subprocess, sys\n"
         "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_kib(har: Path, cert: Path, jobs: int | None) -> int:
    """Peak memory (KiB) of the largest process of one run (this one or a worker), read
    by a small parent that waits for it (not timed)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    done = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "ssoctl",
                           *command(har, cert, jobs)], capture_output=True, env=env, check=True)
    return int(done.stdout.split()[-1])


SCRIPT = """
import base64, json, sys
from urllib.parse import unquote
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm as DA, SignatureMethod as SM
har, cert, when, locations = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3], sys.argv[4:]
import datetime as dt
now = dt.datetime.fromisoformat(when)
configs = [SignatureConfiguration(location=loc, expect_references=1,
                                  signature_methods=frozenset({SM.RSA_SHA256}),
                                  digest_algorithms=frozenset({DA.SHA256}),
                                  verification_time=now) for loc in locations]
count = 0
for entry in json.load(open(har))["log"]["entries"]:
    xml = base64.b64decode(unquote(entry["request"]["postData"]["params"][0]["value"]))
    for cfg in configs:
        XMLVerifier().verify(xml, x509_cert=cert, id_attribute="ID", expect_config=cfg)
    count += 1
print(count)
"""


# A child for --instructions: the same warm-up in every mode, then the loop or the decode
# path over all messages ("none": the warm-up alone, subtracted from both).
COUNTED = """
import json, sys
sys.path.insert(0, sys.argv[5])
import decode_har as b
from pathlib import Path
mode, har, two, cert = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
sign, n = sys.argv[6], int(sys.argv[7])
data, pem = b.from_har(json.loads(har.read_text())), cert.read_text()
b.signxml_loop(data[:2], pem, sign)
b.ssoctl_decode_path(two, cert, 2, 1)
if mode == "loop":
    b.signxml_loop(data, pem, sign)
elif mode == "decode":
    b.ssoctl_decode_path(har, cert, n, 1)
"""


def counted(har: Path, cert: Path, n: int, sign: str) -> tuple[float, float] | None:
    """Millions of instructions of the signxml loop and of the decode path (callgrind),
    or None without valgrind."""
    from startup import instructions  # benchmarks/ is on sys.path

    if shutil.which("valgrind") is None:
        return None
    two = har.with_name("two.har")
    doc = json.loads(har.read_text())
    doc["log"]["entries"] = doc["log"]["entries"][:2]
    two.write_text(json.dumps(doc))
    totals = {mode: instructions([sys.executable, "-c", COUNTED, mode, str(har), str(two),
                                  str(cert), str(ROOT / "benchmarks"), sign, str(n)],
                                 check=True) or 0
              for mode in ("none", "loop", "decode")}
    return ((totals["loop"] - totals["none"]) / 1e6, (totals["decode"] - totals["none"]) / 1e6)


def signxml_script(har: Path, cert: Path, n: int, sign: str) -> float:
    """The signxml loop as the script a user would write and run: Python start-up,
    imports, reading the HAR and decoding each value, then the same pinned loop. The
    reference for the subprocess rows (both pay a process start)."""
    args = [sys.executable, "-c", SCRIPT, str(har), str(cert), NOW.isoformat(),
            *LOCATIONS[sign]]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    if done.stdout.strip() != str(n).encode():
        raise SystemExit(f"unexpected signxml script output: {done.stdout[:200]!r}")
    return elapsed


def xmlsec1_loop(data: list[bytes], cert: Path, tmp: Path) -> float | None:
    exe = shutil.which("xmlsec1")
    if exe is None:
        return None
    paths = []
    for i, xml in enumerate(data):
        path = tmp / f"m{i}.xml"
        path.write_bytes(xml)
        paths.append(path)
    # --verification-time pins the certificate check to the messages' clock.
    args = [exe, "--verify", "--pubkey-cert-pem", str(cert), "--verification-time",
            NOW.strftime("%Y-%m-%d %H:%M:%S"),
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response"]
    start = time.perf_counter()
    for path in paths:
        done = subprocess.run(args + [str(path)], capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"xmlsec1 failed: {done.stderr.decode()[-300:]}")
    return time.perf_counter() - start


def _spin(_: object = None) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return time.perf_counter() - start


def capacity(procs: int) -> float:
    """How many times the work of one process ``procs`` CPU-bound processes finish in the
    same time, here and now: ``procs`` on idle cores, less when others use them."""
    if procs < 2:
        return 1.0
    import multiprocessing

    alone = min(_spin() for _ in range(3))
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        together = max(pool.map(_spin, range(procs)))
    return procs * alone / together


def table(n: int, rows: dict[str, float | None], sign: str, repeat: int, procs: int,
          caps: list[float], cpu: dict[str, float]) -> str:
    base = n / rows["signxml loop"]
    script = n / rows["signxml script, subprocess"]
    lines = [f"{n} responses in one HAR, {sign}-signed, best of {repeat} "
             "(xmlsec1: one run)",
             f"cores usable: {len(os.sched_getaffinity(0))} (os.cpu_count() {os.cpu_count()}); "
             f"--jobs automatic = {procs}; {procs} busy processes here did "
             f"{min(caps):.2f}x to {max(caps):.2f}x the work of one (measured between runs)",
             f"{'verifier':<30} {'msg/s':>8} {'ms/msg':>8} {'vs signxml':>11} "
             f"{'CPU':>6} {'vs script':>10}"]
    for name, seconds in rows.items():
        if seconds is None:
            lines.append(f"{name:<30} skipped (not installed: apt-get install -y xmlsec1)")
            continue
        rate = n / seconds
        versus = f"{rate / script:>10.0%}" if "subprocess" in name else ""
        by_cpu = (f"{cpu['signxml loop'] / cpu[name]:>6.0%}"
                  if name in cpu and "jobs auto" not in name else " " * 6)
        lines.append(f"{name:<30} {rate:>8.0f} {1000 / rate:>8.2f} {rate / base:>10.0%} "
                     f"{by_cpu} {versus}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of responses (default 1000)")
    parser.add_argument("--sign", default="assertion", choices=sorted(LOCATIONS),
                        help="which element Okta signs (default: assertion, Okta's default)")
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    parser.add_argument("--no-xmlsec1", action="store_true", help="skip the xmlsec1 loop")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions (valgrind; load-independent, slow)")
    parser.add_argument("--pairs", type=int, default=7,
                        help="loop/command pairs run back to back for the verdict (default 7)")
    args = parser.parse_args(argv)

    from ssoctl.rehearsal import pki, samlgen
    from ssoctl.saml import parallel

    procs = parallel.plan(args.n, None)
    pem = pki.cert_pem(samlgen.default_idp()[1])
    har = make_har(make_messages(args.n, args.sign))
    data = from_har(har)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        har_path, cert_path = tmp / "capture.har", tmp / "okta.pem"
        har_path.write_text(json.dumps(har))
        cert_path.write_text(pem)
        # Warm up imports and caches outside the timed runs (both sides alike).
        signxml_loop(data[:3], pem, args.sign)
        ssoctl_in_process(har_path, cert_path, args.n, 1)
        auto = f"--jobs auto ({procs})"
        runs: dict[str, object] = {
            "signxml loop": lambda: signxml_loop(data, pem, args.sign),
            "signxml, cert once": lambda: signxml_loop(data, pem, args.sign, load_once=True),
        }
        for jobs, label in ((1, "--jobs 1"), (None, auto)):
            runs[f"decode path, {label}"] = \
                lambda jobs=jobs: ssoctl_decode_path(har_path, cert_path, args.n, jobs)
        for jobs, label in ((1, "--jobs 1"), (None, auto)):
            runs[f"in-process, {label}"] = \
                lambda jobs=jobs: ssoctl_in_process(har_path, cert_path, args.n, jobs)
        runs["signxml script, subprocess"] = \
            lambda: signxml_script(har_path, cert_path, args.n, args.sign)
        for jobs, label in ((1, "--jobs 1"), (2, "--jobs 2"), (None, auto)):
            runs[f"subprocess, {label}"] = \
                lambda jobs=jobs: ssoctl_subprocess(har_path, cert_path, args.n, jobs)
        rows: dict[str, float | None] = dict.fromkeys(runs, float("inf"))
        cpu: dict[str, float] = {}
        caps = []
        for _ in range(args.repeat):  # interleaved: a busy machine slows all rows alike
            caps.append(capacity(procs))
            for name, run in runs.items():
                LAST_CPU[0] = 0.0
                rows[name] = min(rows[name], run())
                if LAST_CPU[0]:  # the in-process rows: their CPU time too
                    cpu[name] = min(cpu.get(name, float("inf")), LAST_CPU[0])
        # The verdict: the bare loop and the command in-process (--jobs 1) back to back,
        # a ratio per pair, the median of the pairs (this machine's speed drifts between
        # rows run seconds apart; a pair shares the drift).
        paired: list[tuple[float, float]] = []
        for _ in range(args.pairs):
            LAST_CPU[0] = 0.0
            wall_loop = signxml_loop(data, pem, args.sign)
            cpu_loop = LAST_CPU[0]
            wall_cmd = ssoctl_in_process(har_path, cert_path, args.n, 1)
            paired.append((wall_loop / wall_cmd, cpu_loop / LAST_CPU[0]))
        instructions = counted(har_path, cert_path, args.n, args.sign) \
            if args.instructions else None
        if not args.no_xmlsec1:
            rows["xmlsec1 per message"] = xmlsec1_loop(data, cert_path, tmp)
        size = har_path.stat().st_size
        for jobs in (1, 2):
            PEAKS[str(jobs)] = peak_kib(har_path, cert_path, jobs)
        # The same command on a capture of one message: the interpreter, the libraries
        # and the code, whatever the capture's size.
        small = tmp / "one.har"
        small.write_text(json.dumps(make_har(make_messages(1, args.sign))))
        PEAKS["floor"] = peak_kib(small, cert_path, 1)
    print(table(args.n, rows, args.sign, args.repeat, procs, caps, cpu))
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    grown = (PEAKS["1"] - PEAKS["floor"]) * 1024
    print(f"capture: {size / 1e6:.1f} MB; peak memory of the largest process, --jobs 1: "
          f"{PEAKS['1'] / 1024:.0f} MiB, --jobs 2: {PEAKS['2'] / 1024:.0f} MiB; the same "
          f"command on one message: {PEAKS['floor'] / 1024:.0f} MiB; what the capture adds: "
          f"{grown / 2**20:.0f} MiB = {grown / size:.1f}x its size (target <= 3x)")
    if instructions is not None:
        loop_m, decode_m = instructions
        print(f"instructions (callgrind): signxml loop {loop_m:,.0f} M, decode path --jobs 1 "
              f"{decode_m:,.0f} M: the decode path runs at {loop_m / decode_m:.0%} of the "
              "loop's rate by instructions")
    elif args.instructions:
        print("valgrind is not installed: no instruction counts")
    ratio = statistics.median(p[0] for p in paired)
    by_cpu = statistics.median(p[1] for p in paired)
    print(f"decode-response --all --jobs 1 runs at {ratio:.0%} of the bare signxml loop's "
          f"rate ({by_cpu:.0%} by CPU time; median of {len(paired)} back-to-back pairs, "
          f"{min(p[1] for p in paired):.0%}-{max(p[1] for p in paired):.0%} by CPU; "
          f"target >= 75%): {'meets' if by_cpu >= 0.75 else 'misses'} it")


if __name__ == "__main__":
    main()
