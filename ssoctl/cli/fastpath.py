"""The ``ssoctl`` entry point: a Typer-free start for plain ``check-cert`` and
``decode-response`` runs.

``check-cert`` is the command people (and CI jobs) run most, and issue 2 sets a start-up
budget for it: within 1.5x of bare Python loading the certificate. ``decode-response``
is the one support engineers run over and over while reading a failed login. Importing
Typer and building the command tree costs ~35 ms by itself, so :func:`main` reads a
*plain* command line of either command here (known options, each given in an ordinary
form) and runs the same work (:func:`ssoctl.cli.check_cert_report.work`,
:func:`ssoctl.cli.decode_response_work.work`) through the same error boundary
(:func:`ssoctl.cli.boundary.execute`) as the Typer command. Anything else -- ``--help``,
another command, an unknown option, ``--opt=value``, a value that looks like an option,
an unusual number, ``--debug`` -- goes to Typer unchanged, so usage errors and help look
exactly as everywhere else. tests/cli/test_check_cert_fastpath.py and
tests/cli/test_decode_response_fastpath.py check that both routes print the same.
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

#: ``decode-response`` (cli/decode_response.py); tests/cli/test_decode_response_fastpath.py
#: checks these tables against the Typer command.
DECODE_FLAGS = {"--all": "all_entries", "--list": "list_", "--allow-sha1": "allow_sha1",
                "--allow-expired-cert": "allow_expired_cert", "--xml": "xml",
                "--json": "json_", "--strict": "strict"}
DECODE_VALUES = {"--input-format": "input_format", "--entry": "entry", "--cert": "cert",
                 "--fingerprint": "fingerprint", "--metadata": "metadata",
                 "--sp-key": "sp_key", "--sp-entity-id": "sp_entity_id",
                 "--acs-url": "acs_url", "--idp-entity-id": "idp_entity_id",
                 "--request-id": "request_id", "--now": "now", "--skew": "skew",
                 "--jobs": "jobs", "-j": "jobs", "--profile": "profile", "-p": "profile",
                 "--config": "config"}
#: Options that may be given several times (their values are collected in order).
DECODE_REPEATABLE = {"cert", "fingerprint"}
#: Integer options and their range (None: open). Typer reads more forms than plain
#: ASCII digits (" 30 ", "1_0", "30.0") and words the errors; those go to Typer.
DECODE_INTS: "dict[str, tuple[int | None, int | None]]" = {
    "entry": (None, None), "skew": (0, 86400), "jobs": (1, None)}
#: Options of decode-response always left to Typer: --ca-bundle is a ``Path`` that Typer
#: checks (readable?) and normalises, and it only matters for downloading --metadata, where
#: the network, not the start-up, is what the user waits for.
DECODE_TYPER_ONLY = {"--ca-bundle", "--text"}
DECODE_DEFAULTS: dict[str, object] = {
    "source": "-", "text": None, "input_format": None, "entry": None, "all_entries": False,
    "list_": False, "cert": None, "fingerprint": None, "metadata": None, "ca_bundle": None,
    "sp_key": None, "allow_sha1": False, "allow_expired_cert": False, "sp_entity_id": None,
    "acs_url": None, "idp_entity_id": None, "request_id": None, "now": None, "skew": 180,
    "xml": False, "jobs": None, "profile": None, "config": None, "json_": False,
    "strict": False}
CHECK_CERT_DEFAULTS: dict[str, object] = {
    "file": None, "text": None, "fix": False, "output": None, "force": False,
    "expect_fingerprint": None, "metadata": None, "warn_days": 30, "now": None,
    "strict": False, "json_": False}


class Spec:
    """What the fast start reads of one command (a plain class: a dataclass costs start-up)."""

    def __init__(self, flags: dict[str, str], values: dict[str, str], positional: str,
                 defaults: dict[str, object],
                 ints: "dict[str, tuple[int | None, int | None]]",
                 repeatable: "set[str] | frozenset[str]" = frozenset()) -> None:
        self.flags, self.values, self.positional = flags, values, positional
        self.defaults, self.ints, self.repeatable = defaults, ints, repeatable


#: The commands with a fast start (name -> what is read of them).
COMMANDS = {
    "check-cert": Spec(FLAGS, VALUES, "file", CHECK_CERT_DEFAULTS, {"warn_days": (0, None)}),
    "decode-response": Spec(DECODE_FLAGS, DECODE_VALUES, "source", DECODE_DEFAULTS,
                            DECODE_INTS, DECODE_REPEATABLE),
}


class Plain:
    """A parsed plain command line of one of :data:`COMMANDS`."""

    def __init__(self, command: str = "check-cert") -> None:
        self.command = command
        self.json_output = False
        self.no_color = False
        self.params: dict[str, object] = dict(COMMANDS[command].defaults)


def parse(argv: list[str]) -> Plain | None:
    """``argv`` (without the program name) as a plain run of a fast command, or None."""
    index = 0
    globals_ = []
    while index < len(argv) and argv[index] in GLOBALS:
        globals_.append(GLOBALS[argv[index]])
        index += 1
    if index >= len(argv) or argv[index] not in COMMANDS:
        return None
    plain = Plain(argv[index])
    for name in globals_:
        setattr(plain, name, True)
    spec = COMMANDS[plain.command]
    args, positional = argv[index + 1:], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional += args[i + 1:]
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
        elif arg in spec.flags:
            plain.params[spec.flags[arg]] = True
        elif arg in spec.values and i + 1 < len(args) and not args[i + 1].startswith("-"):
            name, value = spec.values[arg], args[i + 1]
            if name in spec.repeatable:
                plain.params[name] = [*(plain.params[name] or ()), value]  # type: ignore[misc]
            else:
                plain.params[name] = value
            i += 1
        else:
            return None  # --help, --opt=value, unknown options, values like "-x": Typer decides
        i += 1
    if len(positional) > 1:
        return None
    if positional:
        plain.params[spec.positional] = positional[0]
    for name, (low, high) in spec.ints.items():
        value = plain.params[name]
        if isinstance(value, str):
            number = _plain_int(value)
            if (number is None or (low is not None and number < low)
                    or (high is not None and number > high)):
                return None  # Typer reads the odd forms and words the errors
            plain.params[name] = number
    return plain


def _plain_int(text: str) -> int | None:
    """``text`` as an int when it is nothing but ASCII digits (at most 9); else None.

    isdigit() alone also passes '²' and other scripts' digits, which Typer refuses."""
    if 0 < len(text) <= 9 and text.isascii() and text.isdigit():
        return int(text)
    return None


def run(plain: Plain) -> int:
    """Run a parsed plain command line; return its exit status."""
    p = dict(plain.params)
    json_output, strict = bool(p.pop("json_")) or plain.json_output, bool(p.pop("strict"))
    if plain.command == "check-cert":
        from ssoctl.cli import check_cert_report

        p["fix"] = bool(p["fix"]) or p["output"] is not None
        work = lambda: check_cert_report.work(**p, strict=strict)  # noqa: E731
    else:
        from ssoctl.cli import decode_response_work

        work = lambda: decode_response_work.work(**p, human=not json_output)  # noqa: E731
    from ssoctl.cli.boundary import execute
    from ssoctl.render import Renderer

    out = Renderer(json_output=json_output, no_color=plain.no_color)
    return int(execute(work, out, strict=strict))


def main() -> None:
    """Console-script entry point (``ssoctl`` and ``python -m ssoctl``)."""
    # One short run per process, on bounded input (every reader has a size limit): the
    # cycle collector would only walk the same objects -- a HAR's parsed JSON, a
    # thousand decoded messages -- again and again (a few per cent of `decode-response
    # --all`). The one cycle source found (signxml's exceptions) is broken where it is
    # met (saml/verify.py); tests/test_review_decode_speed.py watches peak memory.
    gc.disable()
    if "--debug" not in sys.argv[1:]:
        # Library warnings (e.g. cryptography about an unusual certificate subject) are
        # for developers: printed with a file path and source line they read like a crash
        # and, from parallel workers, once per process. --debug shows them.
        warnings.simplefilter("ignore")
    try:
        plain = parse(sys.argv[1:])
        if plain is not None:
            sys.exit(run(plain))
        from ssoctl.cli.app import main as typer_main

        typer_main()
    except KeyboardInterrupt:  # Ctrl-C while the modules load, before any command runs
        sys.stderr.write("interrupted\n")
        sys.exit(130)
