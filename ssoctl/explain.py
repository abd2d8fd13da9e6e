"""What ``ssoctl explain`` looks up: finding codes, error codes, SAML status codes and
known error texts.

Finding codes come from :func:`ssoctl.findings.catalogue` (every area), error codes from
docs/exit-codes.md when the docs are installed next to the package, and login error texts
from :mod:`ssoctl.knownerrors`. An exact code or id wins; otherwise candidates are scored
(0..1) and ranked. Plain data and the standard library only: ``explain`` starts fast.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ssoctl.knownerrors import MAX_FUZZY, KnownError, by_id, match, normalize, score_text

_CODE_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Explained:
    """One thing ``ssoctl explain`` can explain: a finding code, an error code or a text."""

    kind: str
    """"finding", "error_code", "known_error", "saml_status" or "exit_status"."""
    key: str
    """The code, or the known error's id."""
    title: str
    explanation: str
    fix: str
    score: float = 1.0
    severity: str | None = None
    exit_code: int | None = None
    area: str | None = None
    vendor: str | None = None
    text: str | None = None
    source: str | None = None
    confidence: str | None = None
    related_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """The answer to ``ssoctl explain QUERY``: candidates, best first (empty if none)."""

    query: str
    matches: tuple[Explained, ...]


def finding_entries() -> list[Explained]:
    """Every finding code of every area, in catalogue order."""
    import importlib

    from ssoctl.findings import AREAS, Severity

    out = []
    for area in AREAS:
        for info in importlib.import_module(f"ssoctl.findings.{area}").CODES:
            out.append(Explained(
                kind="finding", key=info.code, title=info.title, explanation=info.explanation,
                fix=info.hint, severity=info.severity.value, area=area,
                exit_code=int(info.exit_code) if info.severity is Severity.ERROR else 0))
    return out


def error_code_entries() -> list[Explained]:
    """Error codes from docs/exit-codes.md, when the docs are installed next to the package."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "exit-codes.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for m in re.finditer(r"^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$", text, re.M):
        out.append(Explained(kind="error_code", key=m.group(1), title=m.group(3),
                             explanation=m.group(3), fix="", exit_code=int(m.group(2))))
    return out


def status_entries() -> list[Explained]:
    """The standard SAML status codes (``urn:...:status:Responder``), in plain words."""
    from ssoctl.saml.status import PREFIX, STATUS_HINTS, STATUS_TEXT

    return [Explained(kind="saml_status", key=PREFIX + name, title=name,
                      explanation=text[0].upper() + text[1:] + ".",
                      fix=STATUS_HINTS.get(name, ""),
                      related_codes=() if name == "Success" else ("SAML_STATUS_NOT_SUCCESS",))
            for name, text in STATUS_TEXT.items()]


def _statuses(query: str) -> tuple[Explained, ...]:
    """Status codes named in ``query``: the full URN anywhere (a log line may hold a top
    and a second-level code), or the short name alone (``AuthnFailed``)."""
    entries = status_entries()
    wanted = query.strip().lower()
    short = [e for e in entries if e.title.lower() == wanted]
    if short:
        return tuple(short)
    # Longest first, so ...:status:Requester is not also read as a shorter code.
    found = [(query.find(e.key), e) for e in entries if e.key in query]
    found = [(pos, e) for pos, e in found
             if not query[pos + len(e.key):pos + len(e.key) + 1].isalnum()]
    return tuple(e for _, e in sorted(found, key=lambda pe: pe[0]))


def known_entry(error: KnownError, score: float = 1.0, text: str | None = None) -> Explained:
    """A catalogue entry in the common shape."""
    return Explained(kind="known_error", key=error.id, title=text or error.text,
                     explanation=error.cause, fix=error.fix, score=score, vendor=error.vendor,
                     text=text or error.text, source=error.source, confidence=error.confidence,
                     related_codes=error.codes)


_EXIT_QUERY = re.compile(r"^(?:exit(?:\s*(?:code|status))?\s*)?(\d{1,3})$", re.I)


def exit_status_entries() -> list[Explained]:
    """Every exit status, from the one table (``ssoctl.errors.ExitCode`` and the text under
    each member), with the error codes and finding codes that end with it."""
    from ssoctl import errors

    # the table's texts mark options as `code` for docs/exit-codes.md; plain on a terminal
    meaning = {member.name: errors.EXIT_TEXTS[member].meaning.replace("`", "")
               for member in errors.ExitCode if member in errors.EXIT_TEXTS}
    findings = finding_entries()
    errors_by_exit = error_code_entries()
    out = []
    for member in errors.ExitCode:
        related = tuple(e.key for e in errors_by_exit if e.exit_code == member.value)
        related += tuple(f.key for f in findings
                         if f.exit_code == member.value and member.value not in (0, 1))
        out.append(Explained(kind="exit_status", key=str(member.value), title=member.name,
                             explanation=meaning.get(member.name, member.name.replace("_", " ")
                                                     .lower()),
                             fix="", exit_code=member.value,
                             related_codes=tuple(dict.fromkeys(related))))
    return out


def explain(query: str) -> Explanation:
    """Find what ``query`` is: an exact code or id first, then fuzzy codes and texts."""
    query = query.strip()
    number = _EXIT_QUERY.match(query)
    if number:
        wanted = int(number.group(1))
        return Explanation(query, tuple(e for e in exit_status_entries()
                                        if e.exit_code == wanted))
    statuses = _statuses(query)
    if statuses:
        return Explanation(query, statuses)
    codes = finding_entries() + error_code_entries()
    if _CODE_LIKE.match(query):
        exact = _exact(query, codes)
        if exact:
            return Explanation(query, exact)
    found: dict[str, Explained] = {}
    for item in _fuzzy_codes(query, codes) + _texts(query):
        if item.key not in found or found[item.key].score < item.score:
            found[item.key] = item
    ranked = sorted(found.values(), key=lambda e: (-e.score, e.kind != "known_error", e.key))
    return Explanation(query, tuple(ranked[:8]))


def _exact(query: str, codes: list[Explained]) -> tuple[Explained, ...]:
    wanted = query.upper().replace("-", "_")
    hits = [c for c in codes if c.key == wanted]
    error = by_id(query)
    if error is not None:
        hits.append(known_entry(error))
    # A finding and an error code may share a name; show the finding first.
    first = {(h.kind, h.key): h for h in reversed(hits)}
    return tuple(h for h in hits if first[(h.kind, h.key)] is h)


def _fuzzy_codes(query: str, codes: list[Explained]) -> list[Explained]:
    from dataclasses import replace

    out = []
    upper = query.upper().replace("-", "_").replace(" ", "_")
    normal = normalize(query)[:MAX_FUZZY]
    for item in codes:
        if _CODE_LIKE.match(query) and len(upper) >= 3:
            ratio = _ratio(upper, item.key, 0.6)
            # "audiense" should find SAML_AUDIENCE_*: compare with each word of the code.
            part = max(_ratio(upper, w, 0.8) for w in item.key.split("_"))
            score = max(ratio, 0.7 if upper in item.key else 0.0,
                        0.65 if part >= 0.8 else 0.0)
            if score >= 0.6:
                out.append(replace(item, score=round(score, 3)))
                continue
        if item.kind == "finding" and len(normal) >= 6:
            score = score_text(normal, item.title)
            if score >= 0.75:
                out.append(replace(item, score=round(score * 0.95, 3)))
    return out


def _ratio(a: str, b: str, at_least: float) -> float:
    """``SequenceMatcher(a, b).ratio()``, or 0 when the lengths alone rule out reaching
    ``at_least``: a long pasted word (a base64 blob) would otherwise cost seconds."""
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.ratio() if matcher.real_quick_ratio() >= at_least else 0.0


def _texts(query: str) -> list[Explained]:
    out = []
    for m in match(query):
        out.append(known_entry(m.error, m.score, m.matched_text))
    return out
