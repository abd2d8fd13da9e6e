"""The work of ``ssoctl decode-response`` once its options are parsed, without Typer:
:mod:`ssoctl.cli.decode_response` declares the options and calls :func:`work`. Nothing
heavy is imported at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ssoctl.render import Report
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import DecodeResult


def work(*, source: str = "-", input_format: str | None = None, entry: int | None = None,
         all_entries: bool = False, list_: bool = False,
         cert: Sequence[str] | None = None, fingerprint: Sequence[str] | None = None,
         metadata: str | None = None, ca_bundle: "Path | str | None" = None,
         sp_key: str | None = None, allow_sha1: bool = False,
         allow_expired_cert: bool = False, sp_entity_id: str | None = None,
         acs_url: str | None = None, idp_entity_id: str | None = None,
         request_id: str | None = None, now: str | None = None, skew: int = 180,
         xml: bool = False, jobs: int | None = None, profile: str | None = None,
         config: str | None = None, human: bool = True,
         text: str | None = None, no_color: bool = False) -> "Report":
    """Decode ``source`` and build the report of one ``decode-response`` run.

    The keyword arguments are the command's options, already converted (``--now`` is
    still the text given: it is read here so a bad date is the usual BAD_NOW error).
    ``human`` is false under ``--json`` (given before or after the command name): then
    only the JSON data is built. Raises ``SsoctlError`` when the command cannot work.
    """
    from ssoctl.saml.codec import inflate_budget

    with inflate_budget():
        return _work(source=source, input_format=input_format, entry=entry,
                     all_entries=all_entries, list_=list_, cert=cert, fingerprint=fingerprint,
                     metadata=metadata, ca_bundle=ca_bundle, sp_key=sp_key,
                     allow_sha1=allow_sha1, allow_expired_cert=allow_expired_cert,
                     sp_entity_id=sp_entity_id, acs_url=acs_url, idp_entity_id=idp_entity_id,
                     request_id=request_id, now=now, skew=skew, xml=xml, jobs=jobs,
                     profile=profile, config=config, human=human, text=text,
                     no_color=no_color)


def _work(*, source, text, input_format, entry, all_entries, list_, cert, fingerprint, metadata,
          ca_bundle, sp_key, allow_sha1, allow_expired_cert, sp_entity_id, acs_url,
          idp_entity_id, request_id, now, skew, xml, jobs, profile, config,
          human, no_color) -> "Report":
    """:func:`work` inside the run's inflate budget."""
    import datetime as dt

    from ssoctl.cli.boundary import parse_now
    from ssoctl.saml.anchors import load_anchors
    from ssoctl.saml.binding import EntryRequired
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.options import DecodeOptions
    from ssoctl.saml.decode import decode

    got = read_input(source, text)
    if list_:
        return list_report(got, input_format, entry=entry, all_entries=all_entries)
    when = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    settings = _profile(profile, config)
    anchors = load_anchors(cert_files=cert or (), fingerprints=fingerprint or (),
                           metadata=metadata, idp_entity_id=idp_entity_id, now=when,
                           http_settings=_http_settings(ca_bundle))
    expect = Expectations(
        now=when, sp_entity_id=sp_entity_id or _get(settings, "sp_entity_id"),
        acs_url=acs_url or _get(settings, "acs_url"),
        idp_entity_id=(idp_entity_id or anchors.metadata_entity_id
                       or _get(settings, "idp_entity_id")),
        request_id=request_id, skew=dt.timedelta(seconds=skew))
    options = DecodeOptions(expect=expect, anchors=anchors, sp_key_pem=_sp_key(sp_key),
                            allow_sha1=allow_sha1, allow_expired_cert=allow_expired_cert,
                            input_format=input_format, entry=entry,
                            all_entries=all_entries, want_xml=xml, jobs=jobs)
    try:
        with progress(got, enabled=human and (all_entries or len(got.data) > PROGRESS_BYTES),
                      no_color=no_color):
            result = decode(got.data, options, label=got.label)
    except EntryRequired as exc:
        if not human:
            raise
        return entry_required(got, input_format, exc, source=source)
    return build_report(result, options, profile=settings.name if settings else None,
                        human=human)


#: Inputs at least this large show progress on a terminal even without --all.
PROGRESS_BYTES = 4 * 1024 * 1024


def progress(got, *, enabled: bool, no_color: bool = False):
    """A spinner with the elapsed time on stderr while a large capture is decoded: on a
    terminal only, never with --json or in a pipe (CI logs stay clean), and not with
    --no-color, NO_COLOR or TERM=dumb (it is drawn with escape sequences), like the okta
    progress bars."""
    import contextlib
    import sys

    from ssoctl.render import use_color

    if not (enabled and sys.stderr is not None and use_color(sys.stderr, no_color)):
        return contextlib.nullcontext()
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ssoctl.textsafe import visible

    size = len(got.data)
    name = visible(got.label, one_line=True)  # a file name may hold control characters
    label = f"decoding {name} ({size / 1048576:.1f} MB)" if size >= 1048576 else \
        f"decoding {name}"

    @contextlib.contextmanager
    def shown():
        with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), TimeElapsedColumn(),
                      console=Console(file=sys.stderr), transient=True) as bar:
            bar.add_task(label, total=None)
            yield

    return shown()


def summary_blocks(result) -> tuple:
    """One screen at the end of a run over many messages: how many of each kind and
    verdict, and which finding codes came up how often (most frequent first)."""
    from collections import Counter

    from ssoctl.findings import Severity
    from ssoctl.render import Table

    def verdict(item) -> str:
        severities = {f.severity for f in item.findings}
        if Severity.ERROR in severities:
            return "error"
        return "warning" if Severity.WARNING in severities else "ok"

    kinds = Counter((item.message.kind, verdict(item)) for item in result.messages)
    signatures = Counter(item.signature.status for item in result.messages
                         if item.signature is not None)
    codes = Counter(f.code for item in result.messages for f in item.findings
                    if f.severity is not Severity.INFO)
    rows = [(kind, verdict_, str(count)) for (kind, verdict_), count in sorted(kinds.items())]
    out = [Table(f"Summary: {len(result.messages)} messages decoded",
                 ("message", "verdict", "count"), rows)]
    if signatures:
        out.append(Table("Signatures", ("status", "count"),
                         [(status, str(n)) for status, n in signatures.most_common()]))
    if codes:
        top = codes.most_common(12)
        more = len(codes) - len(top)
        out.append(Table("Findings by code" + (f" (12 of {len(codes)})" if more > 0 else ""),
                         ("code", "messages"), [(code, str(n)) for code, n in top]))
    return tuple(out)


#: Shown before a paste is read from a terminal.
PASTE_PROMPT = ("Paste the SAMLResponse (or the whole POST body, URL or XML), then press "
                "Enter and Ctrl-D (Ctrl-Z, Enter on Windows).")


def read_input(source: str, text: str | None = None):
    """The input's bytes: ``--text``, a paste at a terminal (``-``), a pipe or a file (a
    large HAR or SAML-tracer file is streamed instead: :mod:`ssoctl.saml.harstream`)."""
    from ssoctl.saml.capture import SMALLER_CAPTURE, read_capture
    from ssoctl.saml.decode import MAX_INPUT_BYTES

    if text is None and source not in (None, "-"):
        return read_capture(source, max_bytes=MAX_INPUT_BYTES, what="SAML input",
                            too_large_hint=SMALLER_CAPTURE)
    from ssoctl.cli.paste import read_input as read

    return read(source, text, max_bytes=MAX_INPUT_BYTES, what="SAML input",
                prompt=PASTE_PROMPT, too_large_hint=SMALLER_CAPTURE)


def entry_required(got, input_format: str | None, exc, *, source: str) -> "Report":
    """Several messages and none named: the --list table, the command to pick one, exit 2."""
    import shlex

    from ssoctl.errors import ExitCode
    from ssoctl.render import Report, Text

    listed = list_report(got, input_format, entry=None, all_entries=False,
                         decoded=exc.decoded)
    name = shlex.quote(source) if got.label != "--text" else "--text …"
    return Report(data=listed.data, findings=listed.findings, exit_code=ExitCode.USAGE,
                  blocks=(Text(f"{exc.message}; none of them is the one SAMLResponse posted "
                               "to the SP.\n"),
                          listed.blocks[0],
                          Text(f"Decode one with: ssoctl decode-response {name} --entry N\n"
                               f"or every one with: ssoctl decode-response {name} --all\n")))


def _http_settings(ca_bundle: "Path | str | None"):
    """Settings for downloading ``--metadata URL`` (the HTTP layer is imported only then)."""
    if ca_bundle is None:
        return None
    from ssoctl.http import HttpSettings

    return HttpSettings(ca_bundle=str(ca_bundle))


def _profile(name: str | None, config: str | None):
    """The profile whose SP settings to check against: the one named (errors exit 2), or
    the configured default when a configuration exists (quietly none otherwise)."""
    from ssoctl.config.profiles import load_profile
    from ssoctl.errors import ConfigError

    if name is not None or config is not None:
        return load_profile(name, config_path=config)
    try:
        return load_profile(None)
    except ConfigError:
        return None


def _get(settings, key: str) -> str | None:
    return getattr(settings, key, None) if settings is not None else None


def _sp_key(path: str | None) -> str | None:
    """The SP key's text; it is passed on for decryption and never printed."""
    if path is None:
        return None
    from ssoctl.files import read_source

    data = read_source(path, max_bytes=1024 * 1024, what="SP key file").data
    return data.decode("ascii", "replace")


def build_report(result: "DecodeResult", options: "DecodeOptions", *,
                 profile: str | None = None, human: bool = True) -> "Report":
    """The JSON document and (unless ``human`` is false: ``--json``) the human tables
    for one decode run."""
    from ssoctl.cli import decode_view
    from ssoctl.render import Report, Text, Verbatim
    from ssoctl.saml.decode import message_dict

    expect = options.expect
    data = result.summary_dict()
    # already JSON types (saml/export.py)
    data["messages"] = Verbatim([message_dict(m) for m in result.messages])
    data["checked_against"] = {
        "sp_entity_id": expect.sp_entity_id, "acs_url": expect.acs_url,
        "idp_entity_id": expect.idp_entity_id, "request_id": expect.request_id,
        "now": expect.now, "skew_seconds": int(expect.skew.total_seconds()),
        "trust_source": options.anchors.source or None,
        "profile": profile,
    }
    if not human:  # --json prints only data and findings: don't lay out 1,000 tables
        return Report(data=data, findings=result.findings)
    blocks = decode_view.blocks(result)
    if len(result.messages) > 1:
        blocks += summary_blocks(result)
    if profile:
        blocks = (Text(f"Checking against the SP settings of profile {profile!r}.\n"),) + blocks
    return Report(data=data, findings=result.findings, blocks=blocks)


def list_report(got, input_format: str | None, *, entry: int | None,
                all_entries: bool, decoded=None) -> "Report":
    """``--list``: one row per message of the capture (``decoded``: the messages already
    read from ``got``, listed without reading it again)."""
    from ssoctl.errors import UsageError
    from ssoctl.findings import plural
    from ssoctl.render import Report, Table, Text
    from ssoctl.saml.export import plain
    from ssoctl.saml.listing import list_data, list_decoded, list_source

    if entry is not None or all_entries:
        raise UsageError("--list cannot be combined with --entry or --all",
                         hint="list first, then decode with --entry N or --all", code="USAGE")
    if decoded is not None:
        listing = list_decoded(decoded, label=got.label)
    elif isinstance(got, str):
        listing = list_source(got, input_format=input_format)
    else:
        listing = list_data(got.data, label=got.label, input_format=input_format)
    rows = [(str(m.index), f"{m.parameter} ({m.kind})", m.method or "-", m.url or "-",
             m.time.strftime("%Y-%m-%d %H:%M:%SZ") if m.time else "-")
            for m in listing.messages]
    title = (f"{len(rows)} SAML {plural(len(rows), 'message')} in {listing.source} "
             f"({listing.form})")
    data = {"source": listing.source, "form": listing.form,
            "messages": [plain(m) for m in listing.messages]}
    return Report(data=data, findings=listing.findings, blocks=(
        Table(title, ("#", "message", "method", "URL", "time (UTC)"), rows),
        Text("Decode one with --entry N, or every one with --all.\n")))
