"""``ssoctl explain``: what a finding code, an error code or a login error text means."""

import shlex
from typing import Annotated, Optional

import typer

from ssoctl.cli.common import JsonOpt, run

MAX_QUERY_BYTES = 64 * 1024


def explain(
    ctx: typer.Context,
    text: Annotated[Optional[list[str]], typer.Argument(
        metavar="TEXT-OR-CODE",
        help="A finding code (SAML_AUDIENCE_MISMATCH), an error code, an exit status (7), or "
             "the text a login page showed (quotes optional). '-' reads the text from stdin.")] = None,
    list_all: Annotated[bool, typer.Option(
        "--list", help="List every finding code, error code, known error text and SAML status "
                       "code; with TEXT, only those whose code, id, name or title contains "
                       "it (any case).")] = False,
    json_: JsonOpt = False,
) -> None:
    """Explain a finding code, an error code, an exit status, or an error text from a login page.

    Codes are matched exactly (case-insensitive), then approximately; texts are matched
    against known Okta, sipgate and SAML service-provider messages, ignoring case,
    punctuation and missing parts. Exits 1 when nothing matches.
    """
    words = list(text or [])

    def work():
        from ssoctl import explain as lookup

        if list_all:
            needle = _query(words) if words == ["-"] else " ".join(words).strip()
            return _list_report(lookup, needle or None)
        query = _query(words)
        return _report(lookup.explain(query))

    run(ctx, work, json_output=json_)


def _query(words: list[str]) -> str:
    from ssoctl.errors import UsageError

    if words == ["-"]:
        from ssoctl.files import decode_text, read_source

        source = read_source("-", max_bytes=MAX_QUERY_BYTES, what="error text")
        return decode_text(source.data, what="error text").text.strip()
    query = " ".join(words).strip()
    if not query:
        raise UsageError("nothing to explain",
                         hint="give a code (ssoctl explain SAML_AUDIENCE_MISMATCH), the text "
                              "the login page showed, or --list", code="EXPLAIN_NOTHING")
    return query


def _report(result):
    from ssoctl.errors import ExitCode
    from ssoctl.render import Report, Table, Text

    data = {"query": result.query, "matches": [_as_dict(m) for m in result.matches]}
    if not result.matches and result.query.strip().lower().removeprefix("exit").strip()\
            .isdigit():
        valid = ", ".join(str(int(c)) for c in ExitCode)
        return Report(data=data, exit_code=ExitCode.FINDINGS, blocks=(
            Text(f"{result.query!r} is not an exit status of ssoctl."),
            Text(f"hint: ssoctl exits with {valid}; `ssoctl explain N` explains each.")))
    if not result.matches:
        return Report(data=data, exit_code=ExitCode.FINDINGS, blocks=(
            Text(f"No finding code, error code or known error text matches {result.query!r}."),
            Text("hint: try `ssoctl explain --list` to see every code and known text, or "
                 "paste a shorter, exact part of the message."),))
    best, others = result.matches[0], result.matches[1:]
    blocks = []
    if best.score < 1 and best.kind != "known_error":
        blocks.append(Text(f"No code is called {result.query!r}; the closest match:\n"))
    if best.kind == "saml_status":  # a log line may name a top and a second-level code
        best, others = None, ()
        for item in result.matches:
            blocks += _blocks(item)
    else:
        blocks += _blocks(best)
    if others:
        blocks.append(Table("Other possible matches", ("kind", "code or id", "title", "score"),
                            [(_KIND[m.kind], m.key, _short(m.title), f"{m.score:.2f}")
                             for m in others]))
    return Report(data=data, blocks=tuple(blocks))


_KIND = {"finding": "finding", "error_code": "error code", "known_error": "known text",
         "saml_status": "SAML status", "exit_status": "exit status"}


def _blocks(item):
    from ssoctl.links import docs_url
    from ssoctl.render import Fields, Text, copyable

    if item.kind == "finding":
        sev = item.severity + (f", exit {item.exit_code}" if item.exit_code else "")
        rows = [("finding", item.title), ("severity", sev), ("area", item.area)]
        if item.score < 1:
            rows.append(("match", f"{item.score:.2f} (closest)"))
        yield Fields(item.key, rows)
        yield Text(item.explanation)
        if item.fix:
            yield Text(f"Fix: {item.fix}")
    elif item.kind == "saml_status":
        yield Fields(f"SAML status {item.title}", [("code", item.key)])
        yield Text(item.explanation)
        if item.fix:
            yield Text(f"Fix: {item.fix}")
        if item.related_codes:
            yield Text("Reported by decode-response as: " + ", ".join(item.related_codes))
    elif item.kind == "exit_status":
        yield Fields(f"Exit status {item.key}", [("name", item.title),
                                                 ("meaning", item.explanation)])
        if item.related_codes:
            yield Text("Reported as: " + ", ".join(item.related_codes)
                       + " (ssoctl explain CODE)")
    elif item.kind == "error_code":
        yield Fields(item.key, [("error code", item.title), ("exit", str(item.exit_code))])
        yield Text(("All error codes: ", copyable(docs_url("exit-codes.md"))))
    else:
        rows = [("text", item.text), ("from", item.vendor), ("id", item.key),
                ("source", item.source)]
        if item.confidence == "guess":
            rows.append(("note", "a guess: this wording is not confirmed by a public source"))
        if item.score < 1:
            rows.append(("match", f"{item.score:.2f} (partial)"))
        yield Fields("Known error", rows)
        yield Text(f"Cause: {item.explanation}")
        yield Text(f"Fix: {item.fix}")
        if item.related_codes:
            yield Text("Related checks: " + ", ".join(item.related_codes)
                       + " (ssoctl explain CODE)")
    yield Text("")


def _as_dict(item) -> dict:
    from ssoctl.render import to_jsonable

    raw = to_jsonable(item)
    return {k: v for k, v in raw.items() if v not in (None, [], "")}


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fold(text: str) -> str:
    """Case, '-' and '_' do not matter when filtering the list (as for code lookups)."""
    return text.casefold().replace("-", "_")


def _keep(needle: str | None, *fields: str) -> bool:
    return needle is None or any(_fold(needle) in _fold(field) for field in fields)


def _list_report(lookup, needle: str | None = None):
    """Every code and known text; with ``needle``, those whose code, id, name or title
    contains it. Nothing left is exit 1, like a lookup that matches nothing."""
    from ssoctl.errors import ExitCode
    from ssoctl.knownerrors import KNOWN_ERRORS
    from ssoctl.render import Report, Table, Text

    findings = [f for f in lookup.finding_entries() if _keep(needle, f.key, f.title)]
    errors = [e for e in lookup.error_code_entries() if _keep(needle, e.key, e.title)]
    known = [k for k in KNOWN_ERRORS if _keep(needle, k.id, k.text)]
    statuses = [s for s in lookup.status_entries() if _keep(needle, s.key, s.title)]
    data = {
        "filter": needle,
        "finding_codes": [{"code": f.key, "severity": f.severity, "area": f.area,
                           "title": f.title} for f in findings],
        "error_codes": [{"code": e.key, "exit_code": e.exit_code, "when": e.title}
                        for e in errors],
        "known_errors": [{"id": k.id, "vendor": k.vendor, "text": k.text,
                          "confidence": k.confidence} for k in known],
        "saml_status_codes": [{"code": st.key, "name": st.title} for st in statuses],
    }
    if needle is not None and not (findings or errors or known or statuses):
        return Report(data=data, exit_code=ExitCode.FINDINGS, blocks=(
            Text(f"No finding code, error code, known error text or SAML status code "
                 f"contains {needle!r}."),
            Text(f"hint: `ssoctl explain --list` shows them all; "
                 f"`ssoctl explain {shlex.quote(needle)}` "
                 "also matches approximately and whole login-page texts.")))
    blocks = []
    if findings or needle is None:
        blocks.append(Table("Finding codes", ("code", "severity", "title"),
                            [(f.key, f.severity or "", f.title) for f in findings]))
    if errors:
        blocks.append(Table("Error codes", ("code", "exit", "when"),
                            [(e.key, str(e.exit_code), _short(e.title)) for e in errors]))
    if known or needle is None:
        blocks.append(Table("Known error texts", ("id", "from", "text"),
                            [(k.id + (" (guess)" if k.confidence == "guess" else ""),
                              _short(k.vendor, 30), _short(k.text)) for k in known]))
    if statuses or needle is None:
        blocks.append(Table("SAML status codes", ("name", "meaning"),
                            [(st.title, _short(st.explanation)) for st in statuses]))
    return Report(data=data, blocks=tuple(blocks))


def register(app: typer.Typer) -> None:
    """Attach ``ssoctl explain`` to the root app."""
    app.command("explain")(explain)
