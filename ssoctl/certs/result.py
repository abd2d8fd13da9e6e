"""The result of diagnosing certificate input, and how the pieces are concluded.

:mod:`ssoctl.certs.diagnose` reads the input into a :class:`Work` (findings about the text,
the certificates found); :func:`conclude` adds the findings about the certificates
themselves, the comparisons the user asked for, and picks the certificate ``--fix``
would print.
"""

import datetime as dt
from typing import Any, NamedTuple

from ssoctl.certs import facts
from ssoctl.certs.facts import CertInfo
from ssoctl.findings import Finding, Severity, finding, plural

#: The screen field a certificate from check-cert ends up in.
FIELD = "sipgate Certificate"

#: Findings about the text's shape: ``--fix`` repairs all of them when the certificate
#: itself is intact (CERT_SEVERAL only when one certificate can be chosen).
SHAPE_CODES = frozenset({
    "CERT_NO_ARMOR", "CERT_MISSING_BEGIN", "CERT_MISSING_END", "CERT_ARMOR_MISSPELLED",
    "CERT_DOUBLED_ARMOR", "CERT_LEADING_DATA", "CERT_TRAILING_DATA", "CERT_INVALID_CHARS",
    "CERT_WHITESPACE", "CERT_BAD_PADDING", "CERT_LINE_WIDTH", "CERT_NO_LINE_BREAKS",
    "CERT_LINE_ENDINGS", "CERT_ENCODING", "CERT_SEVERAL", "CERT_BASE64_WRAPPED", "CERT_DER",
    "CERT_PKCS7", "CERT_URLSAFE_BASE64",
})


class CertDiagnosis(NamedTuple):
    """Everything check-cert found out about one input."""

    source: str
    input_format: str
    """``pem``, ``base64``, ``der``, ``pkcs7``, ``base64-pem`` or ``text``."""
    encoding: str
    certificates: tuple[CertInfo, ...]
    findings: tuple[Finding, ...]
    paste_ready: bool
    """The text as given would work in sipgate's Certificate field (its shape, not its dates)."""
    fixed_pem: str | None
    """A clean PEM of the one certificate, when the certificate itself is intact."""
    selected: int | None
    """Index into ``certificates`` of the certificate in ``fixed_pem``."""
    fingerprint_match: bool | None = None
    metadata_match: bool | None = None
    was_repaired: bool = False
    """``--fix`` was applied: the shape findings are notes about what it repaired."""

    @property
    def repairable(self) -> bool:
        return self.fixed_pem is not None

    @property
    def verdict(self) -> str:
        """One sentence for humans, in sipgate's words."""
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        shape = [f for f in errors if f.code in SHAPE_CODES]
        other = [f for f in errors if f.code not in SHAPE_CODES]
        if not errors:
            warnings = sum(f.severity is Severity.WARNING for f in self.findings)
            note = f" ({warnings} {plural(warnings, 'warning')} below)" if warnings else ""
            if self.was_repaired:
                return f"Repaired: the clean PEM is ready to paste into sipgate's Certificate field{note}."
            return f"Ready to paste into sipgate's Certificate field{note}."
        if not shape and (self.paste_ready or self.repairable):
            return f"The certificate text is complete, but do not use it: {other[0].message}."
        if self.repairable and not other:
            return (f"Not ready to paste into sipgate's Certificate field: {shape[0].message}. "
                    f"The certificate itself is intact: `{fix_command(self.source)}` writes a "
                    "clean PEM to paste instead.")
        if self.repairable:
            return (f"Not ready to paste into sipgate's Certificate field ({shape[0].message}), "
                    f"and the certificate has a problem: {other[0].message}.")
        return f"Not usable in sipgate's Certificate field: {errors[0].message}."

    def repaired(self) -> "CertDiagnosis":
        """The diagnosis after ``--fix``: shape findings become notes ("repaired")."""
        if not self.repairable:
            return self
        notes = tuple(
            f._replace(severity=Severity.INFO, message=f"{f.message} (repaired by --fix)", hint="")
            if f.code in SHAPE_CODES and f.severity is not Severity.INFO else f
            for f in self.findings)
        return self._replace(findings=notes, was_repaired=True)

    def to_dict(self) -> dict[str, object]:
        """The JSON ``data`` object (see docs/commands/check-cert.md)."""
        return {
            "source": self.source, "input_format": self.input_format, "encoding": self.encoding,
            "paste_ready": self.paste_ready, "repairable": self.repairable,
            "verdict": self.verdict, "certificates": list(self.certificates),
            "selected": self.selected, "fixed_pem": self.fixed_pem,
            "fingerprint_match": self.fingerprint_match, "metadata_match": self.metadata_match,
            "repaired": self.was_repaired,
        }


class Work:
    """What reading the input found: findings about the text and the certificates.
    (A plain class: see the note on start-up cost in certtext.Block.)"""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.certs: list[Any] = []
        self.ders: list[bytes | None] = []
        """The DER of each of ``certs`` where known (None for one from a PKCS#7 bundle)."""
        self.broken = False
        """Some part of the input could not be turned into a certificate."""
        self.fmt = "text"
        self.encoding = "utf-8"
        self.whitespace: list[str] = []
        """Where harmless whitespace was seen (one CERT_WHITESPACE finding sums it up)."""

    def add(self, code: str, message: str, **kwargs: Any) -> None:
        self.findings.append(finding(code, message, field=FIELD, **kwargs))


def conclude(work: Work, *, source: str, now: dt.datetime, warn_days: int,
             expected: str | None, reference: tuple[CertInfo, ...] | None) -> CertDiagnosis:
    """Turn what was read into a :class:`CertDiagnosis`."""
    infos = tuple(facts.describe(c, now=now, der=d) for c, d in zip(work.certs, work.ders, strict=True))
    findings = list(work.findings)
    unique = _unique(infos)
    fp_hits = _fingerprint_hits(infos, unique, expected)
    md_hits = [i for i in unique if infos[i].sha256 in {r.sha256 for r in reference}] \
        if reference is not None else None
    candidates = [i for i in unique if (fp_hits is None or i in fp_hits)
                  and (md_hits is None or i in md_hits)]
    selected = candidates[0] if len(candidates) == 1 and not work.broken else None
    if len(infos) > 1:
        findings.append(_several(infos, unique))
    for i in ([selected] if selected is not None and len(unique) > 1 else unique):
        prefix = f"certificate #{i + 1}: " if len(unique) > 1 else ""
        findings += [f._replace(message=prefix + f.message)
                     for f in facts.check_info(infos[i], now=now, warn_days=warn_days, field=FIELD)]
    if expected is not None and infos and not fp_hits:
        findings.append(finding("CERT_FINGERPRINT_MISMATCH",
                                "fingerprint differs from --expect-fingerprint", field=FIELD,
                                expected=expected, received=_fp_of(infos[unique[0]], expected)))
    if reference is not None and infos and not md_hits:
        what = ("not the signing certificate in the IdP metadata" if len(reference) == 1 else
                f"not one of the {len(reference)} signing certificates in the IdP metadata")
        findings.append(finding("CERT_NOT_IN_METADATA", what, field=FIELD,
                                expected=", ".join(r.sha256 for r in reference) or "(none)",
                                received=infos[unique[0]].sha256))
    if not infos and not any(f.is_error for f in findings):  # safety net: never a silent pass
        findings.append(finding("CERT_WRONG_TYPE", "no certificate found in the input", field=FIELD))
    if selected is None:  # nothing for --fix to rebuild: its hint would send users in circles
        from ssoctl.findings.cert import DOWNLOAD_HINT, FIX_HINT

        findings = [f._replace(hint=DOWNLOAD_HINT) if f.hint == FIX_HINT else f for f in findings]
    from ssoctl.findings.cert import FIX_COMMAND

    if any(FIX_COMMAND in f.hint for f in findings):
        command = fix_command(source)  # the command that works, with the file the user gave
        findings = [f._replace(hint=f.hint.replace(FIX_COMMAND, command))
                    if FIX_COMMAND in f.hint else f for f in findings]
    shape_errors = any(f.code in SHAPE_CODES and f.severity is Severity.ERROR for f in findings)
    return CertDiagnosis(
        source=source, input_format=work.fmt, encoding=work.encoding, certificates=infos,
        findings=tuple(findings),
        paste_ready=not work.broken and len(infos) == 1 and not shape_errors,
        fixed_pem=infos[selected].pem if selected is not None else None, selected=selected,
        fingerprint_match=None if expected is None or not infos else bool(fp_hits),
        metadata_match=None if reference is None or not infos else bool(md_hits))


def _unique(infos: tuple[CertInfo, ...]) -> list[int]:
    seen: set[str] = set()
    out = []
    for i, info in enumerate(infos):
        if info.sha256 not in seen:
            seen.add(info.sha256)
            out.append(i)
    return out


def _fingerprint_hits(infos, unique, expected: str | None) -> list[int] | None:
    if expected is None:
        return None
    attr = "sha1" if len(expected) == 40 else "sha256"
    return [i for i in unique if getattr(infos[i], attr).replace(":", "") == expected]


def _fp_of(info: CertInfo, expected: str) -> str:
    return info.sha1 if len(expected) == 40 else info.sha256


def _several(infos: tuple[CertInfo, ...], unique: list[int]) -> Finding:
    if len(unique) == 1:
        message = f"the same certificate appears {len(infos)} times"
    else:
        message = f"{len(infos)} certificates where sipgate takes one: " + "; ".join(
            f"#{i + 1} {facts.short_name(info.subject)} (SHA-256 {info.sha256}, valid until "
            f"{info.not_after:%Y-%m-%d})" for i, info in enumerate(infos))
    return finding("CERT_SEVERAL", message, field=FIELD)


def fix_command(source: str) -> str:
    """The ``check-cert --fix`` command line for the input that was read: the file name
    as given (shell-quoted), ``-`` for stdin, the --text form for a pasted value."""
    import shlex

    if source == "stdin":
        return "ssoctl check-cert - --fix > clean.pem (with the same text on stdin)"
    if source == "--text":
        return "ssoctl check-cert --text '…the same text…' --fix > clean.pem"
    return f"ssoctl check-cert {shlex.quote(source)} --fix > clean.pem"
