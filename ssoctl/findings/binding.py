"""Finding codes for the binding area. Plain data: import nothing heavy here."""

from ssoctl.errors import ExitCode  # noqa: F401  (used by trust-failure entries)
from ssoctl.findings import CodeInfo, Severity  # noqa: F401

CODES: tuple[CodeInfo, ...] = ()
