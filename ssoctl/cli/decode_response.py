"""``ssoctl decode-response``: read a captured SAML message and say exactly what is wrong.

Parse the options and hand them to :func:`ssoctl.cli.decode_response_work.work` (one core
call, :func:`ssoctl.saml.decode.decode_source`, turned into summary tables, the XML on
request, and the findings), kept in its own module that imports nothing heavy.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, List, Optional

import typer

from ssoctl.cli import decode_response_work
from ssoctl.cli.common import JsonOpt, NowOpt, StrictOpt, app_state, run
# Moved to decode_response_work.py (a small module, no heavy imports); kept importable here.
from ssoctl.cli.decode_response_work import build_report, list_report  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.render import Report

HELP = """Decode a captured SAML message and check it against what the SP expects.

INPUT is a file or '-' for stdin (at a terminal: paste, then Enter and Ctrl-D), or give
the value itself with --text: raw XML, base64 (HTTP-POST), deflated base64
(HTTP-Redirect), a URL or POST body with SAMLResponse/SAMLRequest, a saved HTML form,
a HAR file or a SAML-tracer export. Responses, AuthnRequests and Logout messages are
decoded. Give the IdP certificate (--cert, --metadata or --fingerprint) to verify the
signature; without one, everything about the user is shown as unverified.
"""

InputArg = Annotated[str, typer.Argument(
    metavar="INPUT|-", help="File with the captured message, or '-' for stdin (a paste at "
                              "a terminal ends with Ctrl-D).")]
TextOpt = Annotated[Optional[str], typer.Option(
    "--text", metavar="VALUE",
    help="The message itself (a SAMLResponse value, URL, POST body or XML; quote it) "
         "instead of INPUT.")]
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
    "--skew", metavar="SECONDS", min=0, max=86400,
    help="Allowed clock difference (at most a day; to read an old capture use --now).")]
XmlOpt = Annotated[bool, typer.Option(
    "--xml", help="Also print the message as indented XML.")]
JobsOpt = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", metavar="N", min=1,
    help="Processes decoding the messages of a large capture (default: one per idle core, "
         "at most 4, for 400 messages or more when two cores are idle; 1: one process). "
         "Results are the same either way.")]
ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", "-p", metavar="NAME",
    help="Take --sp-entity-id, --acs-url and --idp-entity-id from this configuration profile "
         "(default: the configured default profile, if there is one).")]
ConfigOpt = Annotated[Optional[str], typer.Option(
    "--config", metavar="FILE", help="Configuration file for --profile.")]


def decode_response(
    ctx: typer.Context,
    source: InputArg = "-",
    text: TextOpt = None,
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
        return decode_response_work.work(
            source=source, text=text, input_format=input_format, entry=entry, all_entries=all_entries,
            list_=list_, cert=cert, fingerprint=fingerprint, metadata=metadata,
            ca_bundle=ca_bundle, sp_key=sp_key, allow_sha1=allow_sha1,
            allow_expired_cert=allow_expired_cert, sp_entity_id=sp_entity_id,
            acs_url=acs_url, idp_entity_id=idp_entity_id, request_id=request_id, now=now,
            skew=skew, xml=xml, jobs=jobs, profile=profile, config=config,
            human=not (json_ or app_state(ctx).json_output), no_color=app_state(ctx).no_color)

    run(ctx, work, json_output=json_, strict=strict)


def register(app: typer.Typer) -> None:
    """Attach ``decode-response`` to the root app."""
    app.command("decode-response", help=HELP)(decode_response)
