"""The work of ``ssoctl decode-response`` once its options are parsed, without Typer:
:mod:`ssoctl.cli.decode_response` declares the options and calls :func:`work`. Nothing
heavy is imported at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ssoctl.render import Report
    from ssoctl.saml.decode import DecodeOptions, DecodeResult


def work(*, source: str = "-", input_format: str | None = None, entry: int | None = None,
         all_entries: bool = False, list_: bool = False,
         cert: Sequence[str] | None = None, fingerprint: Sequence[str] | None = None,
         metadata: str | None = None, ca_bundle: "Path | str | None" = None,
         sp_key: str | None = None, allow_sha1: bool = False,
         allow_expired_cert: bool = False, sp_entity_id: str | None = None,
         acs_url: str | None = None, idp_entity_id: str | None = None,
         request_id: str | None = None, now: str | None = None, skew: int = 180,
         xml: bool = False, jobs: int | None = None, profile: str | None = None,
         config: str | None = None, human: bool = True) -> "Report":
    """Decode ``source`` and build the report of one ``decode-response`` run.

    The keyword arguments are the command's options, already converted (``--now`` is
    still the text given: it is read here so a bad date is the usual BAD_NOW error).
    ``human`` is false under ``--json`` (given before or after the command name): then
    only the JSON data is built. Raises ``SsoctlError`` when the command cannot work.
    """
    from ssoctl.saml.codec import inflate_budget

    refuse_terminal(source)
    with inflate_budget():
        return _work(source=source, input_format=input_format, entry=entry,
                     all_entries=all_entries, list_=list_, cert=cert, fingerprint=fingerprint,
                     metadata=metadata, ca_bundle=ca_bundle, sp_key=sp_key,
                     allow_sha1=allow_sha1, allow_expired_cert=allow_expired_cert,
                     sp_entity_id=sp_entity_id, acs_url=acs_url, idp_entity_id=idp_entity_id,
                     request_id=request_id, now=now, skew=skew, xml=xml, jobs=jobs,
                     profile=profile, config=config, human=human)


def _work(*, source, input_format, entry, all_entries, list_, cert, fingerprint, metadata,
          ca_bundle, sp_key, allow_sha1, allow_expired_cert, sp_entity_id, acs_url,
          idp_entity_id, request_id, now, skew, xml, jobs, profile, config,
          human) -> "Report":
    """:func:`work` inside the run's inflate budget."""
    import datetime as dt

    from ssoctl.cli.boundary import parse_now
    from ssoctl.saml.anchors import load_anchors
    from ssoctl.saml.checks import Expectations
    from ssoctl.saml.decode import DecodeOptions, decode_source

    if list_:
        return list_report(source, input_format, entry=entry, all_entries=all_entries)
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
    return build_report(decode_source(source, options), options,
                        profile=settings.name if settings else None, human=human)


def refuse_terminal(source: str) -> None:
    """Reading a SAML message typed at a terminal is never what was meant: say how."""
    from ssoctl.errors import UsageError
    from ssoctl.files import stdin_is_tty

    if source == "-" and stdin_is_tty():
        raise UsageError("no input: give a file, or pipe the message into '-'",
                         hint="e.g. ssoctl decode-response capture.har, or pbpaste | "
                              "ssoctl decode-response -", code="USAGE")


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
    if profile:
        blocks = (Text(f"Checking against the SP settings of profile {profile!r}.\n"),) + blocks
    return Report(data=data, findings=result.findings, blocks=blocks)


def list_report(source: str, input_format: str | None, *, entry: int | None,
                all_entries: bool) -> "Report":
    """``--list``: one row per message of the capture."""
    from ssoctl.errors import UsageError
    from ssoctl.render import Report, Table, Text
    from ssoctl.saml.export import plain
    from ssoctl.saml.listing import list_source

    if entry is not None or all_entries:
        raise UsageError("--list cannot be combined with --entry or --all",
                         hint="list first, then decode with --entry N or --all", code="USAGE")
    listing = list_source(source, input_format=input_format)
    rows = [(str(m.index), f"{m.parameter} ({m.kind})", m.method or "-", m.url or "-",
             m.time.strftime("%Y-%m-%d %H:%M:%SZ") if m.time else "-")
            for m in listing.messages]
    title = (f"{len(rows)} SAML message{'s' if len(rows) != 1 else ''} in {listing.source} "
             f"({listing.form})")
    data = {"source": listing.source, "form": listing.form,
            "messages": [plain(m) for m in listing.messages]}
    return Report(data=data, findings=listing.findings, blocks=(
        Table(title, ("#", "message", "method", "URL", "time (UTC)"), rows),
        Text("Decode one with --entry N, or every one with --all.\n")))
