"""Findings: problems (or notes) found in the user's data.

A :class:`Finding` is data in a command's result, never an exception. Every finding code
is declared once, in one of the catalogue modules of this package (``cert``, ``metadata``,
``saml``, ``push``), with its severity, a title, an explanation and a default hint that
names the Okta or sipgate field to change. ``docs/findings.md`` is generated from the
catalogue (``python -m ssoctl.findings > docs/findings.md``) and a test keeps the two in
step.

Catalogue modules are plain data and import nothing heavy, so looking a code up is cheap.
"""

import importlib
from enum import Enum
from typing import Iterable, NamedTuple

from ssoctl.errors import ExitCode

#: Catalogue modules, one per area. Each defines ``CODES: tuple[CodeInfo, ...]``.
AREAS: tuple[str, ...] = ("cert", "metadata", "binding", "signature", "saml", "push", "okta",
                          "connection")


class Severity(str, Enum):
    """How bad a finding is. ``error`` fails the command (exit 1 or 4)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class CodeInfo(NamedTuple):
    """One entry of the catalogue: what a finding code means and what to do about it."""

    code: str
    severity: Severity
    title: str
    explanation: str
    hint: str = ""
    exit_code: ExitCode = ExitCode.FINDINGS
    """Exit status this finding causes when it is an error (4 for trust failures)."""


class Finding(NamedTuple):
    """A problem or note about the user's data.

    ``message`` is specific to this occurrence ("certificate expired on 2025-01-31");
    ``hint`` says what to do, naming the Okta or sipgate field (``field``) to change.
    ``expected``/``received`` are filled where a value was compared.
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    field: str | None = None
    expected: str | None = None
    received: str | None = None
    exit_code: ExitCode = ExitCode.FINDINGS

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """The JSON form: stable snake_case keys, ``None`` values omitted."""
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }
        for key in ("field", "expected", "received"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


#: The catalogue module that declares the codes starting with each prefix, so that a
#: command looks up its codes without loading every area (a test checks the table).
AREA_OF_PREFIX: dict[str, str] = {
    "CERT": "cert", "METADATA": "metadata", "BINDING": "binding", "SIG": "signature",
    "SAML": "saml", "PUSH": "push", "CONFIG": "push", "SP": "push", "OKTA": "okta",
    "CONN": "connection"}
_AREAS_LOADED: dict[str, dict[str, CodeInfo]] = {}
_CATALOGUE: dict[str, CodeInfo] | None = None


def area_codes(area: str) -> dict[str, CodeInfo]:
    """The codes one catalogue module declares, keyed by code."""
    codes = _AREAS_LOADED.get(area)
    if codes is None:
        module = importlib.import_module(f"ssoctl.findings.{area}")
        codes = _AREAS_LOADED[area] = {info.code: info for info in module.CODES}
    return codes


def catalogue() -> dict[str, CodeInfo]:
    """Every known finding code, across all areas, keyed by code."""
    global _CATALOGUE
    if _CATALOGUE is None:
        merged: dict[str, CodeInfo] = {}
        for area in AREAS:
            for code, info in area_codes(area).items():
                if code in merged:
                    raise RuntimeError(f"finding code {code} declared twice")
                merged[code] = info
        _CATALOGUE = merged
    return _CATALOGUE


def lookup(code: str) -> CodeInfo:
    """The catalogue entry for ``code``; ``KeyError`` for an unknown code (a bug)."""
    area = AREA_OF_PREFIX.get(code.partition("_")[0])
    info = area_codes(area).get(code) if area is not None else None
    return info if info is not None else catalogue()[code]


def plural(count: int, word: str) -> str:
    """``word`` as it reads after ``count``: ``plural(1, "message")`` is ``message``,
    ``plural(3, "message")`` is ``messages``."""
    return word if count == 1 else word + "s"


def finding(code: str, message: str | None = None, *, hint: str | None = None,
            field: str | None = None, expected: object = None, received: object = None,
            severity: Severity | None = None) -> Finding:
    """Build a :class:`Finding` for a catalogued code.

    ``message`` defaults to the code's title and ``hint`` to its catalogue hint;
    ``severity`` may be lowered or raised for one occurrence (e.g. ``--allow-sha1``).
    """
    info = lookup(code)
    return Finding(
        code=code,
        severity=severity or info.severity,
        message=message or info.title,
        hint=info.hint if hint is None else hint,
        field=field,
        expected=None if expected is None else str(expected),
        received=None if received is None else str(received),
        exit_code=info.exit_code,
    )


def exit_code_for(findings: Iterable[Finding], *, strict: bool = False) -> ExitCode:
    """The exit status a set of findings calls for.

    Trust failures (4) outrank other error findings (1); warnings count as errors
    only under ``--strict``.
    """
    worst = ExitCode.OK
    for item in findings:
        if item.severity is Severity.ERROR or (strict and item.severity is Severity.WARNING):
            code = item.exit_code if item.severity is Severity.ERROR else ExitCode.FINDINGS
            if code == ExitCode.TRUST or worst == ExitCode.OK:
                worst = code
    return worst


def markdown() -> str:
    """docs/findings.md, generated from the catalogue."""
    lines = [
        "# Finding codes",
        "",
        "<!-- Generated by `python -m ssoctl.findings > docs/findings.md`; do not edit by hand. -->",
        "",
        "A finding is something ssoctl noticed in your data. `error` findings make the command",
        "exit 1 (or 4 for signature and trust failures); `warning` findings exit 0 unless",
        "`--strict` is given; `info` findings never change the exit status.",
        "`ssoctl explain CODE` prints the same text in the terminal.",
        "",
    ]
    by_area: dict[str, list[CodeInfo]] = {}
    for area in AREAS:
        module = importlib.import_module(f"ssoctl.findings.{area}")
        by_area[area] = list(module.CODES)
    titles = {"cert": "Certificates", "metadata": "IdP metadata",
              "binding": "Reading captured SAML messages", "signature": "Signatures and trust",
              "saml": "SAML message contents", "push": "Pushing settings to an SP",
              "okta": "Okta apps (okta check, okta audit)",
              "connection": "The whole connection (setup, doctor)"}
    for area, infos in by_area.items():
        if not infos:
            continue
        lines += [f"## {titles.get(area, area)}", ""]
        for info in infos:
            lines += [f"### {info.code}", "",
                      f"*{info.severity.value}*"
                      + (f", exit {int(info.exit_code)}" if info.severity is Severity.ERROR else "")
                      + f" — {info.title}", "", info.explanation, ""]
            if info.hint:
                lines += [f"**Fix:** {info.hint}", ""]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["AREAS", "CodeInfo", "Finding", "Severity", "catalogue", "exit_code_for",
           "finding", "lookup", "markdown", "plural"]
