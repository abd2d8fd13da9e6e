"""``ssoctl decode-response``: read a captured SAML message and say exactly what is wrong.

Parse the options, make one core call (:func:`ssoctl.saml.decode.decode_source`), and
turn the result into summary tables, the XML on request, and the findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, List, Optional

import typer

from ssoctl.cli.common import JsonOpt, NowOpt, StrictOpt, app_state, parse_now, run
from ssoctl.cli.fastparams import FastCommand

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.render import Report
    from ssoctl.saml.decode import DecodeOptions, DecodeResult

HELP = """Decode a captured SAML message and check it against what the SP expects.

INPUT is a file or '-' for stdin: raw XML, base64 (HTTP-POST), deflated base64
(HTTP-Redirect), a URL or POST body with SAMLResponse/SAMLRequest, a saved HTML form,
a HAR file or a SAML-tracer export. Responses, AuthnRequests and Logout messages are
decoded. Give the IdP certificate (--cert, --metadata or --fingerprint) to verify the
signature; without one, everything about the user is shown as unverified.

Exit codes: 0 clean; 1 error findings; 2 usage; 3 unreadable input; 4 signature or
trust failure; 6 --metadata URL could not be downloaded.
"""

InputArg = Annotated[str, typer.Argument(
    metavar="[INPUT|-]", help="File with the captured message, or '-' for stdin.")]
FormatOpt = Annotated[Optional[str], typer.Option(
    "--input-format", metavar="FORM",
    help="Force the input form: xml, base64, urlencoded, deflated, url, form-body, html-form, "
         "har, saml-tracer (default: detect).")]
EntryOpt = Annotated[Optional[int], typer.Option(
    "--entry", metavar="N", help="Decode message N of a HAR or SAML-tracer capture (from 1).")]
AllOpt = Annotated[bool, typer.Option("--all", help="Decode every message in the capture.")]
ListOpt = Annotated[bool, typer.Option(
    "--list", help="Only list the SAML messages in the input (number, kind, URL, time), to "
                   "pick one with --entry.")]
CertOpt = Annotated[Optional[List[str]], typer.Option(
    "--cert", metavar="FILE",
    help="Trusted IdP signing certificate (PEM, DER or the base64 pasted into sipgate). "
         "Repeatable.")]
FingerprintOpt = Annotated[Optional[List[str]], typer.Option(
    "--fingerprint", metavar="SHA256",
    help="Trust the certificate in the message only if its SHA-256 fingerprint is this. "
         "Repeatable.")]
MetadataOpt = Annotated[Optional[str], typer.Option(
    "--metadata", metavar="FILE|URL",
    help="Trust every signing certificate in this IdP metadata (and take its entity ID as "
         "--idp-entity-id).")]
CaBundleOpt = Annotated[Optional[Path], typer.Option(
    "--ca-bundle", metavar="FILE", help="CA certificates for downloading --metadata (proxies).")]
SpKeyOpt = Annotated[Optional[str], typer.Option(
    "--sp-key", metavar="FILE", help="SP private key (PEM) to decrypt an EncryptedAssertion.")]
Sha1Opt = Annotated[bool, typer.Option(
    "--allow-sha1", help="Verify SHA-1 signatures anyway (still reported).")]
ExpiredOpt = Annotated[bool, typer.Option(
    "--allow-expired-cert",
    help="Verify with a trusted certificate outside its validity period anyway (still "
         "reported).")]
SpEntityOpt = Annotated[Optional[str], typer.Option(
    "--sp-entity-id", metavar="ID", help="The SP's entity ID (sipgate Entity ID; Okta "
                                         "Audience URI).")]
AcsOpt = Annotated[Optional[str], typer.Option(
    "--acs-url", metavar="URL", help="The SP's ACS URL (Okta Single sign-on URL).")]
IdpEntityOpt = Annotated[Optional[str], typer.Option(
    "--idp-entity-id", metavar="ID", help="The IdP entity ID the SP expects (Okta Issuer).")]
RequestIdOpt = Annotated[Optional[str], typer.Option(
    "--request-id", metavar="ID", help="The AuthnRequest ID the Response must answer.")]
SkewOpt = Annotated[int, typer.Option(
    "--skew", metavar="SECONDS", min=0, help="Allowed clock difference.")]
XmlOpt = Annotated[bool, typer.Option(
    "--xml", help="Also print the message as indented XML.")]
JobsOpt = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", metavar="N", min=1,
    help="Processes decoding the messages of a large capture (default: one per core, at "
         "most 4, from 32 messages on; 1: one process). Results are the same either way.")]
ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", "-p", metavar="NAME",
    help="Take --sp-entity-id, --acs-url and --idp-entity-id from this configuration profile "
         "(default: the configured default profile, if there is one).")]
ConfigOpt = Annotated[Optional[str], typer.Option(
    "--config", metavar="FILE", help="Configuration file for --profile.")]


def decode_response(
    ctx: typer.Context,
    source: InputArg = "-",
    input_format: FormatOpt = None,
    entry: EntryOpt = None,
    all_entries: AllOpt = False,
    list_: ListOpt = False,
    cert: CertOpt = None,
    fingerprint: FingerprintOpt = None,
    metadata: MetadataOpt = None,
    ca_bundle: CaBundleOpt = None,
    sp_key: SpKeyOpt = None,
    allow_sha1: Sha1Opt = False,
    allow_expired_cert: ExpiredOpt = False,
    sp_entity_id: SpEntityOpt = None,
    acs_url: AcsOpt = None,
    idp_entity_id: IdpEntityOpt = None,
    request_id: RequestIdOpt = None,
    now: NowOpt = None,
    skew: SkewOpt = 180,
    xml: XmlOpt = False,
    jobs: JobsOpt = None,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    json_: JsonOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Decode a captured SAML message and check it against what the SP expects."""

    def work() -> "Report":
        import datetime as dt

        from ssoctl.saml.anchors import load_anchors
        from ssoctl.saml.checks import Expectations
        from ssoctl.saml.decode import DecodeOptions, decode_source

        _refuse_terminal(source)
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
                            profile=settings.name if settings else None,
                            human=not (json_ or app_state(ctx).json_output))

    run(ctx, work, json_output=json_, strict=strict)


def _refuse_terminal(source: str) -> None:
    """Reading a SAML message typed at a terminal is never what was meant: say how."""
    from ssoctl.errors import UsageError
    from ssoctl.files import stdin_is_tty

    if source == "-" and stdin_is_tty():
        raise UsageError("no input: give a file, or pipe the message into '-'",
                         hint="e.g. ssoctl decode-response capture.har, or pbpaste | "
                              "ssoctl decode-response -", code="USAGE")


def _http_settings(ca_bundle: "Path | None"):
    """Settings for downloading ``--metadata URL`` (the HTTP layer is imported only then)."""
    if ca_bundle is None:
        return None
    from ssoctl.http import HttpSettings

    return HttpSettings(ca_bundle=str(ca_bundle))


def _profile(name: str | None, config: str | None):
    """The profile whose SP settings to check against: the one named (errors exit 2), or
    the configured default when a configuration exists (quietly none otherwise)."""
    from ssoctl.config import load_profile
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
    from ssoctl.render import Encoded, Report, Text, Verbatim
    from ssoctl.saml.decode import message_dict

    expect = options.expect
    data = result.summary_dict()
    if result.message_json is not None:  # encoded by the parallel workers
        data["messages"] = Encoded(result.message_json)
    else:  # already JSON types (saml/export.py)
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


def register(app: typer.Typer) -> None:
    """Attach ``decode-response`` to the root app."""
    app.command("decode-response", help=HELP, cls=FastCommand)(decode_response)
