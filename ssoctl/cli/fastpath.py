"""The ``ssoctl`` entry point: a Typer-free start for plain ``check-cert`` runs.

``check-cert`` is the command people (and CI jobs) run most, and issue 2 sets a start-up
budget for it: within 1.5x of bare Python loading the certificate. Importing Typer and
building the command tree costs more than that budget by itself, so :func:`main` reads a
*plain* ``check-cert`` command line here (known options, each given once in an ordinary
form) and runs the same work (:func:`ssoctl.cli.check_cert_report.work`) through the same
error boundary (:func:`ssoctl.cli.boundary.execute`) as the Typer command. Anything
else -- ``--help``, another command, an unknown option, a value that looks like an
option, ``--debug`` -- goes to Typer unchanged, so usage errors and help look exactly
as everywhere else. tests/cli/test_check_cert_fastpath.py checks that both routes print the same.
"""

from __future__ import annotations

import gc
import sys
import warnings

#: Options of ``check-cert`` (name -> parameter), as declared in cli/check_cert.py, and
#: the root options read here; tests/cli/test_check_cert_fastpath.py derives both tables
#: from the Typer command tree and fails when they drift apart.
FLAGS = {"--fix": "fix", "--force": "force", "--strict": "strict", "--json": "json_"}
VALUES = {"--text": "text", "--output": "output", "-o": "output",
          "--expect-fingerprint": "expect_fingerprint", "--metadata": "metadata",
          "--warn-days": "warn_days", "--now": "now"}
#: Global options the fast start understands (before the command name).
GLOBALS = {"--json": "json_output", "--no-color": "no_color"}


class Plain:
    """A parsed plain ``check-cert`` command line (a plain class: a dataclass costs start-up)."""

    def __init__(self) -> None:
        self.json_output = False
        self.no_color = False
        self.params: dict[str, object] = {
            "file": None, "text": None, "fix": False, "output": None, "force": False,
            "expect_fingerprint": None, "metadata": None, "warn_days": 30, "now": None,
            "strict": False, "json_": False}


def parse(argv: list[str]) -> Plain | None:
    """``argv`` (without the program name) as a plain check-cert run, or None."""
    plain = Plain()
    index = 0
    while index < len(argv) and argv[index] in GLOBALS:
        setattr(plain, GLOBALS[argv[index]], True)
        index += 1
    if index >= len(argv) or argv[index] != "check-cert":
        return None
    args, positional = argv[index + 1:], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional += args[i + 1:]
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
        elif arg in FLAGS:
            plain.params[FLAGS[arg]] = True
        elif arg in VALUES and i + 1 < len(args) and not args[i + 1].startswith("-"):
            plain.params[VALUES[arg]] = args[i + 1]
            i += 1
        else:
            return None  # --help, --opt=value, unknown options, values like "-x": Typer decides
        i += 1
    if len(positional) > 1:
        return None
    plain.params["file"] = positional[0] if positional else None
    days = plain.params["warn_days"]
    if isinstance(days, str):
        if not days.isdecimal():  # isdigit() also passes '²', which int() refuses
            return None
        plain.params["warn_days"] = int(days)
    return plain


def run(plain: Plain) -> int:
    """Run a parsed plain check-cert; return its exit status."""
    from ssoctl.cli import check_cert_report
    from ssoctl.cli.boundary import execute
    from ssoctl.render import Renderer

    p = dict(plain.params)
    json_output, strict = bool(p.pop("json_")) or plain.json_output, bool(p.pop("strict"))
    p["fix"] = bool(p["fix"]) or p["output"] is not None
    out = Renderer(json_output=json_output, no_color=plain.no_color)
    return int(execute(lambda: check_cert_report.work(**p, strict=strict), out, strict=strict))


def main() -> None:
    """Console-script entry point (``ssoctl`` and ``python -m ssoctl``)."""
    # One short run per process, on bounded input (every reader has a size limit): the
    # cycle collector would only walk the same objects -- a HAR's parsed JSON, a
    # thousand decoded messages -- again and again (about a tenth of `decode-response
    # --all`), and nothing ssoctl keeps creates cycles worth collecting before exit.
    gc.disable()
    if "--debug" not in sys.argv[1:]:
        # Library warnings (e.g. cryptography about an unusual certificate subject) are
        # for developers: printed with a file path and source line they read like a crash
        # and, from parallel workers, once per process. --debug shows them.
        warnings.simplefilter("ignore")
    plain = parse(sys.argv[1:])
    if plain is not None:
        sys.exit(run(plain))
    from ssoctl.cli.app import main as typer_main

    typer_main()
