"""Exit codes and the exception tree.

Problems found *in the user's data* are findings (see :mod:`ssoctl.findings`), not
exceptions. Exceptions are for situations where the command cannot do its job at all:
unreadable input, bad configuration, a refused API call, a network failure.

Every :class:`SsoctlError` carries a stable ``code`` (documented in docs/exit-codes.md),
an operator-facing ``message`` and a ``hint`` that says what to do, in the words of the
Okta and sipgate screens. The CLI boundary renders it and exits with ``exit_code``.
"""

from enum import IntEnum
from typing import NamedTuple


class ExitCode(IntEnum):
    """Process exit statuses. Stable: scripts and CI jobs depend on them."""

    OK = 0
    """Clean: nothing wrong (warnings allowed unless ``--strict``)."""
    FINDINGS = 1
    """The data has error findings (or warnings under ``--strict``)."""
    USAGE = 2
    """Wrong command-line usage or invalid configuration."""
    INPUT = 3
    """Input unreadable, malformed, too large or unsafe."""
    TRUST = 4
    """Signature or trust failure."""
    API_REFUSED = 5
    """The SP or IdP API refused the request (4xx, authentication)."""
    NETWORK = 6
    """Network failure, timeout, TLS error, unexpected redirect or 5xx after retries."""
    ROLLED_BACK = 7
    """Settings did not read back as written; the previous settings were restored."""
    ROLLBACK_FAILED = 8
    """Restoring the previous settings failed; manual action is needed."""
    CHANGES_PENDING = 10
    """A ``--dry-run`` found changes it would make (nothing was written)."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""


class ExitText(NamedTuple):
    """How one exit status is described: ``short`` in help epilogs, ``meaning`` in the
    root help's list and in docs/exit-codes.md."""

    short: str
    meaning: str


#: The one table of exit-status texts. The root help, every command's epilog and the
#: table in docs/exit-codes.md are made from it (tests/test_docs.py compares the file).
EXIT_TEXTS: dict[ExitCode, ExitText] = {
    ExitCode.OK: ExitText("clean", "clean: nothing wrong (warnings allowed unless `--strict`)"),
    ExitCode.FINDINGS: ExitText(
        "error findings",
        "the data has error findings (or warnings under `--strict`)"),
    ExitCode.USAGE: ExitText(
        "usage", "wrong command-line usage, invalid configuration, or an output file that "
                 "already exists"),
    ExitCode.INPUT: ExitText(
        "unreadable input", "input unreadable, malformed, too large or unsafe (DTD, entity "
                            "bomb, binary file)"),
    ExitCode.TRUST: ExitText(
        "trust", "signature or trust failure (bad, missing or misplaced signature; untrusted "
                 "certificate)"),
    ExitCode.API_REFUSED: ExitText(
        "API refused", "the SP or IdP API refused the request (HTTP 4xx: token, permission, "
                       "not found, conflict)"),
    ExitCode.NETWORK: ExitText(
        "network", "network failure, timeout, TLS error, unexpected redirect, or HTTP 5xx/429 "
                   "after retries"),
    ExitCode.ROLLED_BACK: ExitText(
        "rolled back", "settings did not read back as written; the previous settings were "
                       "restored"),
    ExitCode.ROLLBACK_FAILED: ExitText(
        "rollback failed", "restoring the previous settings failed too; manual action is "
                           "needed (the backup path is printed)"),
    ExitCode.CHANGES_PENDING: ExitText(
        "changes pending", "a `--dry-run` found changes it would make (nothing was written); "
                           "0 means nothing would change"),
    ExitCode.INTERRUPTED: ExitText("interrupted", "interrupted with Ctrl-C"),
}

_E = ExitCode
#: The statuses each command may end with (besides 130, which any command may). A
#: command missing here (new, or a group) lists every status.
COMMAND_EXIT_CODES: dict[str, tuple[ExitCode, ...]] = {
    "check-cert": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT),
    "import-metadata": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.TRUST, _E.NETWORK),
    "decode-response": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.TRUST, _E.NETWORK),
    "explain": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT),  # INPUT: `explain -` with no text
    "push": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK,
             _E.ROLLED_BACK, _E.ROLLBACK_FAILED, _E.CHANGES_PENDING),
    "rollback": (_E.OK, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK, _E.ROLLED_BACK,
                 _E.ROLLBACK_FAILED),
    "sp status": (_E.OK, _E.FINDINGS, _E.USAGE, _E.API_REFUSED, _E.NETWORK),
    "config show": (_E.OK, _E.USAGE),
    "config set": (_E.OK, _E.USAGE),
    "config validate": (_E.OK, _E.FINDINGS, _E.USAGE),
    "config path": (_E.OK, _E.USAGE),
    "okta list": (_E.OK, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK),
    "okta configure": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK,
                       _E.ROLLED_BACK, _E.ROLLBACK_FAILED, _E.CHANGES_PENDING),
    "okta check": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK),
    "okta metadata": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK),
    "okta rotate-cert": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK,
                         _E.ROLLED_BACK, _E.ROLLBACK_FAILED, _E.CHANGES_PENDING),
    "okta audit": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK),
    "setup": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK,
              _E.ROLLED_BACK, _E.ROLLBACK_FAILED, _E.CHANGES_PENDING),
    "doctor": (_E.OK, _E.FINDINGS, _E.USAGE, _E.INPUT, _E.API_REFUSED, _E.NETWORK),
    "rehearse okta": (_E.OK, _E.USAGE, _E.INPUT),
    "rehearse sp": (_E.OK, _E.USAGE),
}
del _E


def _listing(codes: "tuple[ExitCode, ...] | list[ExitCode]", *, long: bool) -> str:
    return "; ".join(f"{int(c)} {EXIT_TEXTS[c].meaning if long else EXIT_TEXTS[c].short}"
                     for c in codes)


def exit_codes_help() -> str:
    """The root help's paragraph: every exit status."""
    return (f"Exit codes: {_listing(list(ExitCode), long=False)}. "
            "`ssoctl explain N` says more about status N.")


def exit_codes_epilog(command: str) -> str:
    """The line under ``command``'s help (``"sp status"``: its path below the root): the
    statuses it may end with."""
    codes = COMMAND_EXIT_CODES.get(command)
    if codes is None:
        return exit_codes_help()
    return (f"Exit codes: {_listing(codes, long=False)}; 130 interrupted. "
            "`ssoctl explain N` says more.")


#: Links that only docs/exit-codes.md adds (pages next to it; not installed with ssoctl).
_SEE_ALSO = {ExitCode.FINDINGS: "; see [findings.md](findings.md)"}


def exit_codes_markdown() -> str:
    """The generated part of docs/exit-codes.md: every exit status, then the statuses
    each command may end with (``python -m ssoctl.errors`` prints it)."""
    rows = ["| exit | name | meaning |", "|---|---|---|"]
    rows += [f"| {int(c)} | {c.name} | {EXIT_TEXTS[c].meaning}{_SEE_ALSO.get(c, '')} |"
             for c in ExitCode]
    rows += ["", "Which command may end with which status (any command: 130 on Ctrl-C):", "",
             "| command | may exit with |", "|---|---|"]
    rows += [f"| `ssoctl {name}` | {', '.join(str(int(c)) for c in codes)} |"
             for name, codes in COMMAND_EXIT_CODES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - a docs helper
    import sys

    sys.stdout.write(exit_codes_markdown())


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's text (at most ``limit`` characters), or its
    class name when it has none: what a one-line error or finding quotes of a library's
    exception."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]


class SsoctlError(Exception):
    """Base class of every error ssoctl reports to the user.

    ``code`` is a stable upper-case identifier, ``message`` one line saying what went
    wrong, ``hint`` one line saying what to do about it.
    """

    exit_code: ExitCode = ExitCode.INPUT
    default_code: str = "ERROR"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code or self.default_code

    def to_dict(self) -> dict[str, str]:
        """The ``error`` object of the JSON contract."""
        return {"code": self.code, "message": self.message, "hint": self.hint}


class UsageError(SsoctlError):
    """The command line asks for something impossible or contradictory."""

    exit_code = ExitCode.USAGE
    default_code = "USAGE"


class ConfigError(SsoctlError):
    """Configuration file, profile or credentials are missing or invalid."""

    exit_code = ExitCode.USAGE
    default_code = "CONFIG"


class InputError(SsoctlError):
    """Input cannot be read: empty, binary, malformed, too large or hostile."""

    exit_code = ExitCode.INPUT
    default_code = "INPUT"


class ApiRefusedError(SsoctlError):
    """The SP or IdP API answered with a 4xx (auth, not found, conflict, validation)."""

    exit_code = ExitCode.API_REFUSED
    default_code = "API_REFUSED"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message, hint=hint, code=code)
        self.status = status


class NetworkError(SsoctlError):
    """Connection failure, timeout, TLS failure, redirect or 5xx after retries."""

    exit_code = ExitCode.NETWORK
    default_code = "NETWORK"


class RolledBackError(SsoctlError):
    """The SP did not keep what was written; the backup was restored."""

    exit_code = ExitCode.ROLLED_BACK
    default_code = "ROLLED_BACK"


class RollbackFailedError(SsoctlError):
    """The SP did not keep what was written and restoring the backup failed too."""

    exit_code = ExitCode.ROLLBACK_FAILED
    default_code = "ROLLBACK_FAILED"
