"""Cold start of each ssoctl command, side by side with bare Python importing the same
third-party libraries the command needs.

    python benchmarks/startup.py [--runs N] [--only TEXT ...]

Target (issue 10): each command within 1.3x of ``python -c`` importing Typer plus the
library the command uses (cryptography.x509 for check-cert, lxml for import-metadata,
signxml for decode-response; Typer alone for ``--help``). import-metadata also checks the
IdP's certificate with cryptography.x509, which that baseline leaves out: a second row
compares it with Typer, lxml and cryptography.x509 together.

Every command and its baseline run in turn (A B A B ...) in fresh processes after one
warm-up each; the ratio is taken pair by pair and the median printed, for wall-clock time
(what a user waits for) and CPU time (user + system: steadier when other work shares the
machine). Bytecode of ssoctl and of the libraries is compiled first, for both sides.

A third column compares with a *minimal Typer app* that imports the same library and
parses one text argument: what ssoctl adds on top of Typer reading a command line. (Typer
0.29 and later convert every option value through a Pydantic TypeAdapter, which a bare
``import typer`` does not load; ssoctl requires Typer 0.28, which does not. The Typer
version in use, and whether the command loaded Pydantic, are printed.)
The machine's load average is printed with the figures (docs/benchmarks.md records them).

``--instructions`` adds a measure that does not depend on the machine's load: the number of
instructions each process executes (counted by valgrind's callgrind tool, one run each,
with a fixed hash seed), command against baseline. It counts work, not waiting: memory
stalls and the kernel's share are left out, so it complements the timings rather than
replacing them. Each run takes about ten seconds under valgrind.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CERT = ROOT / "fixtures" / "certs" / "okta.cert"
MESSAGE = ROOT / "fixtures" / "saml" / "response-assertion-signed.xml"
METADATA = ROOT / "fixtures" / "metadata" / "okta.xml"
TARGET = 1.3
LIBRARIES = ("typer", "click", "rich", "pydantic", "pydantic_core", "annotated_types",
             "cryptography", "lxml", "signxml", "certifi", "ssoctl")


def _typer_app(library: str) -> str:
    imports = f"import typer{', ' + library if library else ''}\n"
    return (imports + "app = typer.Typer(add_completion=False)\n"
            "@app.command()\n"
            "def main(value: str) -> None:\n"
            "    pass\n"
            "app(['x'], standalone_mode=False)\n")


def rows() -> list[tuple[str, list[str], str, str]]:
    """(label, the ssoctl command, the bare-import baseline, the library it needs)."""
    py = sys.executable
    return [
        ("ssoctl --help", [py, "-m", "ssoctl", "--help"], "import typer", ""),
        ("ssoctl check-cert", [py, "-m", "ssoctl", "check-cert", str(CERT)],
         "import typer, cryptography.x509", "cryptography.x509"),
        ("ssoctl import-metadata", [py, "-m", "ssoctl", "import-metadata", str(METADATA)],
         "import typer, lxml.etree", "lxml.etree"),
        ("ssoctl import-metadata (all libs)",
         [py, "-m", "ssoctl", "import-metadata", str(METADATA)],
         "import typer, lxml.etree, cryptography.x509", "lxml.etree, cryptography.x509"),
        ("ssoctl decode-response --json",
         [py, "-m", "ssoctl", "decode-response", str(MESSAGE), "--json"],
         "import typer, signxml", "signxml"),
    ]


def loads_pydantic(argv: list[str]) -> bool:
    """Whether the command imports Pydantic (run once under ``-X importtime``)."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"}, cwd=ROOT)
    return any(line.rstrip().endswith(" pydantic") for line in done.stderr.splitlines())


def compile_bytecode() -> None:
    """Compile ssoctl and the libraries it loads, so neither side compiles while timed."""
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for where in spec.submodule_search_locations:
            compileall.compile_dir(where, quiet=1, workers=0)


def _once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    """Medians of A and B and of the pairwise ratios A/B (wall and CPU)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    _once(a, env), _once(b, env)  # warm-up
    aw, ac, bw, bc, rw, rc = [], [], [], [], [], []
    for _ in range(runs):
        wa, ca = _once(a, env)
        wb, cb = _once(b, env)
        aw.append(wa), ac.append(ca), bw.append(wb), bc.append(cb)
        rw.append(wa / wb), rc.append(ca / cb if cb else float("nan"))
    med = statistics.median
    return {"a_wall": med(aw), "a_cpu": med(ac), "b_wall": med(bw), "b_cpu": med(bc),
            "wall": med(rw), "cpu": med(rc)}


def instructions(argv: list[str], *, check: bool = False) -> int | None:
    """Instructions ``argv`` executes in user space (callgrind), or None without valgrind.
    ``check``: a run that fails (exit status) or is not counted stops the benchmark."""
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100",
                               "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", done.stderr)
    if check and (done.returncode or not found):
        raise SystemExit(f"callgrind run of {argv[-3:]} failed: {done.stderr[-500:]}")
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="pairs per command (default 15)")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="time only the commands whose label contains TEXT (repeatable)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions executed (valgrind; load-independent)")
    args = parser.parse_args(argv)
    compile_bytecode()
    py = sys.executable
    load = os.getloadavg()
    from importlib.metadata import version

    print(f"Typer {version('typer')}; `ssoctl check-cert` loads Pydantic: "
          f"{'yes' if loads_pydantic(rows()[1][1]) else 'no'}")
    print(f"Python {sys.version.split()[0]}, {len(os.sched_getaffinity(0))} usable cores, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median of {args.runs} "
          "pairs (A B A B ...), ratios taken pair by pair")
    print(f"{'command':34} {'ms':>7} {'bare ms':>8} {'x bare':>7} {'x bare CPU':>10} "
          f"{'x Typer app CPU':>15}  baseline")
    verdicts = []
    for label, command, bare, library in rows():
        if args.only and not any(t in label for t in args.only):
            continue
        vs_bare = paired(command, [py, "-c", bare], args.runs)
        vs_app = paired(command, [py, "-c", _typer_app(library)], args.runs)
        print(f"{label:34} {vs_bare['a_wall'] * 1000:7.1f} {vs_bare['b_wall'] * 1000:8.1f} "
              f"{vs_bare['wall']:7.2f} {vs_bare['cpu']:10.2f} {vs_app['cpu']:15.2f}  "
              f"python -c '{bare}'")
        verdicts.append((label, vs_bare["cpu"]))
    for label, ratio in verdicts:
        print(f"{label}: {ratio:.2f}x bare imports (CPU): "
              f"{'meets' if ratio <= TARGET else 'misses'} the {TARGET}x target")
    if args.instructions:
        print("instructions executed (callgrind, PYTHONHASHSEED=0), command / baseline:")
        for label, command, bare, _library in rows():
            if args.only and not any(t in label for t in args.only):
                continue
            mine, base = instructions(command), instructions([py, "-c", bare])
            if mine is None or base is None:
                print("  valgrind is not installed: no instruction counts")
                break
            print(f"  {label:34} {mine / 1e6:8.1f} M / {base / 1e6:8.1f} M = {mine / base:.2f}x: "
                  f"{'meets' if mine / base <= TARGET else 'misses'} the {TARGET}x target")
    after = os.getloadavg()
    print(f"load average afterwards {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
