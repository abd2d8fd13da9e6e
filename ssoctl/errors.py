"""Exit codes and the exception tree.

Problems found *in the user's data* are findings (see :mod:`ssoctl.findings`), not
exceptions. Exceptions are for situations where the command cannot do its job at all:
unreadable input, bad configuration, a refused API call, a network failure.

Every :class:`SsoctlError` carries a stable ``code`` (documented in docs/exit-codes.md),
an operator-facing ``message`` and a ``hint`` that says what to do, in the words of the
Okta and sipgate screens. The CLI boundary renders it and exits with ``exit_code``.
"""

from __future__ import annotations

from enum import IntEnum


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
    """A dry run found changes to make (nothing was written): drift, for CI."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""


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


class TrustError(SsoctlError):
    """A signature or trust check failed in a way that stops the command."""

    exit_code = ExitCode.TRUST
    default_code = "TRUST"


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
