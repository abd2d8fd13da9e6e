"""``doctor --format junit``: one JUnit XML test case per check, so a CI system shows a
broken connection as a failing test.

The layout is the one Jenkins, GitLab, GitHub Actions reporters and Azure Pipelines read:
``<testsuites>`` → one ``<testsuite>`` → a ``<testcase>`` per check, with ``<failure>``
for error findings (and warnings under ``--strict``), ``<skipped>`` for checks that were
not run, and the remaining notes in ``<system-out>``. The document is written as text with
every value escaped here (the project's one XML parser is for reading, and nothing is read
back); characters XML 1.0 cannot carry are replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Protocol, Sequence

from ssoctl.findings import Finding, Severity

#: Characters XML 1.0 does not allow (C0 controls except tab/LF/CR, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class CheckLike(Protocol):
    """What a check needs for a test case (:class:`ssoctl.connection.doctor.Check`)."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def findings(self) -> tuple[Finding, ...]: ...


def escape(text: str, *, attribute: bool = False) -> str:
    """XML character data (or an attribute value): ``& < >`` (and quotes, CR/LF/tab in
    attributes) escaped, disallowed characters replaced by U+FFFD."""
    text = _NOT_XML.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = (text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
                .replace("\t", "&#9;"))
    return text


def _attrs(**values: object) -> str:
    return "".join(f' {key}="{escape(str(value), attribute=True)}"'
                   for key, value in values.items() if value is not None)


def _lines(findings: Iterable[Finding]) -> str:
    out = []
    for item in findings:
        out.append(f"{item.severity.value} {item.code}: {item.message}")
        for label, value in (("field", item.field), ("expected", item.expected),
                             ("received", item.received), ("fix", item.hint)):
            if value:
                out.append(f"    {label}: {value}")
    return "\n".join(out)


def failing(check: CheckLike, *, strict: bool) -> tuple[Finding, ...]:
    """The findings that make this check a failed test case."""
    return tuple(f for f in check.findings if f.severity is Severity.ERROR
                 or (strict and f.severity is Severity.WARNING))


def render(checks: Sequence[CheckLike], *, suite: str, now: dt.datetime,
           strict: bool = False, properties: dict[str, str] | None = None) -> str:
    """The JUnit XML document for ``checks`` (a complete document, ending in a newline)."""
    failures = sum(1 for c in checks if failing(c, strict=strict))
    skipped = sum(1 for c in checks if c.status == "skipped" and not failing(c, strict=strict))
    stamp = now.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    counts = dict(tests=len(checks), failures=failures, errors=0, skipped=skipped)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<testsuites{_attrs(name='ssoctl doctor', **counts)}>",
           f"  <testsuite{_attrs(name=suite, timestamp=stamp, **counts)}>"]
    if properties:
        out.append("    <properties>")
        out += [f"      <property{_attrs(name=k, value=v)}/>" for k, v in properties.items()]
        out.append("    </properties>")
    for check in checks:
        out += _case(check, strict=strict)
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _case(check: CheckLike, *, strict: bool) -> list[str]:
    head = f"    <testcase{_attrs(classname='ssoctl.doctor', name=f'{check.name}: {check.title}')}"
    bad = failing(check, strict=strict)
    notes = [f for f in check.findings if f not in bad]
    body: list[str] = []
    if bad:
        first = bad[0]
        body.append(f"      <failure{_attrs(type=first.code, message=first.message)}>"
                    f"{escape(_lines(bad))}</failure>")
    elif check.status == "skipped":
        body.append(f"      <skipped{_attrs(message=check.summary)}/>")
    text = check.summary + ("\n" + _lines(notes) if notes else "")
    body.append(f"      <system-out>{escape(text)}</system-out>")
    return [head + ">", *body, "    </testcase>"]
