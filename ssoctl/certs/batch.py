"""Many certificates in one run: ``check-cert FILE... | DIR | --each BUNDLE``.

CI jobs watch folders of certificates; a shell loop around ``check-cert`` pays the start-up
once per file. Here every file is read once, each certificate in it gets one result (a
bundle of several is split, and "several certificates" is then no defect), and the run has
one summary and one exit status: the worst of its results.
"""

import datetime as dt
import os
from enum import Enum
from pathlib import Path
from typing import Iterable, NamedTuple

from ssoctl.certs.diagnose import diagnose
from ssoctl.certs.facts import CertInfo, check_info
from ssoctl.errors import ExitCode, InputError, SsoctlError, UsageError
from ssoctl.certs.result import SHAPE_CODES
from ssoctl.findings import Finding, Severity, finding, plural

#: File names a directory is searched for (other files in it are left alone).
CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".cert", ".der", ".p7b", ".p7c"})
#: A bound on one run (a directory of more certificates is split by the caller).
MAX_FILES = 20_000
MAX_CERT_BYTES = 1024 * 1024


class Outcome(str, Enum):
    """One certificate's result, worst last."""

    READY = "ready"
    WARNING = "warning"
    ERROR = "error"
    UNREADABLE = "unreadable"


class Checked(NamedTuple):
    """The result for one certificate (or one file that holds none that can be read)."""

    source: str
    """The file, and ``#N`` for the Nth certificate of a bundle."""
    certificate: CertInfo | None
    findings: tuple[Finding, ...]
    outcome: Outcome

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "outcome": self.outcome.value,
                "certificate": self.certificate, "findings": list(self.findings)}


class Summary(NamedTuple):
    results: tuple[Checked, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def exit_code(self) -> ExitCode:
        """The worst result: unreadable input 3, error findings 1, else 0."""
        if any(r.outcome is Outcome.UNREADABLE for r in self.results):
            return ExitCode.INPUT
        if any(r.outcome is Outcome.ERROR for r in self.results):
            return ExitCode.FINDINGS
        return ExitCode.OK

    def line(self) -> str:
        """``"33 certificates: 8 ready to paste, 4 with warnings, 19 with errors, 2 unreadable"``."""
        total = len(self.results)
        words = {Outcome.READY: "ready to paste", Outcome.WARNING: "with warnings",
                 Outcome.ERROR: "with errors", Outcome.UNREADABLE: "unreadable"}
        parts = [f"{self.count(o)} {words[o]}" for o in Outcome if self.count(o)]
        return f"{total} {plural(total, 'certificate')}: " + ", ".join(parts)


def expand(paths: Iterable[str]) -> list[Path]:
    """The files to read: each path, or a directory's certificate files (sorted, not
    recursive, hidden files skipped). A path that does not exist is a usage error."""
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            files += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in CERT_SUFFIXES and not p.name.startswith(".")
                            and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{text}: no such file or directory",
                             hint="give certificate files or a directory of them",
                             code="INPUT_NOT_FOUND")
        if len(files) > MAX_FILES:
            raise UsageError(f"more than {MAX_FILES:,} files to check",
                             hint="check the folder in parts", code="CERT_TOO_MANY")
    return files


def check_files(paths: Iterable[str], *, now: dt.datetime, warn_days: int = 30) -> Summary:
    """One result per certificate in ``paths`` (files or directories)."""
    results: list[Checked] = []
    for path in expand(paths):
        results += check_one(path, now=now, warn_days=warn_days)
    if not results:
        raise UsageError("no certificate files found",
                         hint=f"a directory is searched for {', '.join(sorted(CERT_SUFFIXES))} "
                              "files", code="CERT_NONE_FOUND")
    return Summary(tuple(results))


def check_one(path: Path, *, now: dt.datetime, warn_days: int = 30) -> list[Checked]:
    """The results for one file: one per certificate it holds."""
    label = str(path)
    try:
        data = _read(path)
        diagnosis = diagnose(data, now=now, warn_days=warn_days, source=label)
    except SsoctlError as exc:
        return [Checked(label, None, (_error_finding(exc),), Outcome.UNREADABLE)]
    infos = diagnosis.certificates
    if len(infos) <= 1:
        info = infos[0] if infos else None
        return [Checked(label, info, diagnosis.findings, _outcome(diagnosis.findings))]
    # A bundle: the text-level findings (except "several certificates") apply to each.
    shared = tuple(f for f in diagnosis.findings
                   if f.code in SHAPE_CODES and f.code != "CERT_SEVERAL")
    out = []
    for number, info in enumerate(infos, start=1):
        own = tuple(check_info(info, now=now, warn_days=warn_days, field=f"{label} #{number}"))
        findings = _unique(shared + own)
        out.append(Checked(f"{label} #{number}", info, findings, _outcome(findings)))
    return out


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_CERT_BYTES:
            raise InputError(f"{path}: {size:,} bytes, more than a certificate file holds",
                             hint="check that this is a certificate", code="INPUT_TOO_LARGE")
        with open(path, "rb") as handle:
            return handle.read(MAX_CERT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({os.strerror(exc.errno or 0) or exc})",
                         hint="check the file's permissions", code="INPUT_UNREADABLE") from None


def _error_finding(exc: SsoctlError) -> Finding:
    return finding("CERT_FILE_UNREADABLE", exc.message, hint=exc.hint or None)


def _outcome(findings: tuple[Finding, ...]) -> Outcome:
    if any(f.severity is Severity.ERROR for f in findings):
        return Outcome.ERROR
    if any(f.severity is Severity.WARNING for f in findings):
        return Outcome.WARNING
    return Outcome.READY


def _unique(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    seen, out = set(), []
    for item in findings:
        key = (item.code, item.message)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)
