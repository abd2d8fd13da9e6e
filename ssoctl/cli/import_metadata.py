"""``ssoctl import-metadata``: IdP metadata -> sipgate's SSO URL, Entity ID and Certificate."""

import shlex
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ssoctl.cli import common
from ssoctl.cli.common import JsonOpt, NowOpt, StrictOpt, parse_now, run

if TYPE_CHECKING:  # pragma: no cover
    from ssoctl.certs.facts import CertInfo
    from ssoctl.metadata.reader import IdpSettings
    from ssoctl.render import Report

SIPGATE_TITLE = "sipgate → Account → Single Sign-on"


class OutputFormat(str, Enum):
    human = "human"
    env = "env"


HELP = """Read IdP metadata (a file, '-' for stdin, or an https:// URL) and print the three
values sipgate asks for under Account → Single Sign-on: SSO URL, Entity ID and Certificate,
checked.

Okta's metadata URL is https://{org}.okta.com/app/{exk…}/sso/saml/metadata (in the Okta
Admin Console, the app's Sign On tab: Metadata URL). Certificates get the same checks as
check-cert; expiry, several signing keys, a missing emailAddress NameID format, http URLs
and more are reported as findings.

Examples:

  ssoctl import-metadata okta-metadata.xml

  ssoctl import-metadata https://dev-123.okta.com/app/exk.../sso/saml/metadata --cert-out idp.pem

  ssoctl import-metadata federationmetadata.xml --verify-signature entra-signing.pem --json

  ssoctl import-metadata metadata.xml --format env > idp.env && . ./idp.env
"""


def register(app: typer.Typer) -> None:
    """Attach ``import-metadata`` to the root app."""
    app.command("import-metadata", help=HELP)(import_metadata)


def import_metadata(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(
        metavar="FILE|URL|-", help="Metadata file, '-' for stdin, or an https:// URL.")],
    entity_id: Annotated[Optional[str], typer.Option(
        "--entity-id", metavar="ID",
        help="Which IdP to read from an aggregate (EntitiesDescriptor) with several.")] = None,
    binding: Annotated[Optional[str], typer.Option(
        "--binding", metavar="BINDING",
        help="SSO URL binding: HTTP-Redirect (default, what sipgate uses) or HTTP-POST.")] = None,
    cert_index: Annotated[Optional[int], typer.Option(
        "--cert-index", metavar="N", min=1,
        help="Use signing certificate N (from 1, as listed) instead of the one chosen.")] = None,
    cert_out: Annotated[Optional[str], typer.Option(
        "--cert-out", metavar="FILE", help="Write the chosen certificate as a clean PEM file.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite the --cert-out file if it exists.")] = False,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", case_sensitive=False, metavar="human|env",
        help="human (default) or env: SSOCTL_SSO_URL=… lines on stdout for CI.")] = OutputFormat.human,
    verify_signature: Annotated[Optional[str], typer.Option(
        "--verify-signature", metavar="CERT",
        help="Verify the metadata's XML signature with this certificate (PEM or DER file); "
             "a failure exits 4.")] = None,
    ca_bundle: Annotated[Optional[str], typer.Option(
        "--ca-bundle", metavar="FILE",
        help="CA certificates to trust for https downloads (corporate proxies).")] = None,
    allow_http: Annotated[bool, typer.Option(
        "--allow-http", help="Allow a plain http:// metadata URL (warned: it can be altered "
                             "in transit).")] = False,
    timeout: Annotated[float, typer.Option(
        "--timeout", metavar="SECONDS", min=1, max=600, callback=common.finite_seconds,
        help="Time limit for a download: connecting, each read and the whole body, 1 to 600 "
             "seconds.")] = 30.0,
    warn_days: Annotated[int, typer.Option(
        "--warn-days", metavar="DAYS", min=0,
        help="Warn when a certificate or the metadata expires within this many days.")] = 30,
    list_idps: Annotated[bool, typer.Option(
        "--list", help="Print the entity ID of every IdP in the document (one per line) "
                       "and stop: how to find the --entity-id of a federation aggregate.")] = False,
    now: NowOpt = None,
    json_: JsonOpt = False,
    strict: StrictOpt = False,
) -> None:
    from ssoctl.cli.common import app_state

    wants_json = json_ or app_state(ctx).json_output

    def work():
        from ssoctl.errors import UsageError
        from ssoctl.files import read_source
        from ssoctl.metadata.reader import list_sources_idps, load_source

        def http_settings(**limits):
            # Only a download needs the HTTP layer (a file is read without it).
            if "://" not in source:
                return None
            from ssoctl.http import HttpSettings

            return HttpSettings(ca_bundle=ca_bundle, allow_http=allow_http, **limits)

        if output_format is OutputFormat.env and wants_json:
            raise UsageError("--format env and --json ask for two different outputs",
                             hint="use --format env for KEY=value lines, or --json for one "
                                  "JSON document (its data has the same values)",
                             code="USAGE")

        if list_idps:
            ids = list_sources_idps(source, http_settings=http_settings(read_timeout=timeout,
                                                                         deadline=timeout))
            return _list_report(source, ids)
        when = parse_now(now)
        pem = None
        if verify_signature is not None:
            pem = read_source(verify_signature, max_bytes=1024 * 1024,
                              what="--verify-signature certificate").data
        settings = load_source(
            source, http_settings=http_settings(read_timeout=timeout, deadline=timeout),
            entity_id=entity_id, entity_id_option="--entity-id", binding=binding, now=when,
            warn_days=warn_days, verify_cert_pem=pem,
            cert_index=None if cert_index is None else cert_index - 1)
        return settings_report(settings, env=output_format is OutputFormat.env,
                               cert_out=cert_out, force=force, strict=strict)

    run(ctx, work, json_output=json_, strict=strict)


def settings_report(settings: "IdpSettings", *, env: bool, cert_out: str | None, force: bool,
                    strict: bool) -> "Report":
    """sipgate's three values from checked IdP settings, as ``import-metadata`` shows them
    (``okta metadata`` shows the same): the certificate written to ``cert_out`` only when
    every check passed.

    No write on a failed check (exit 1, or 4 for a signature): --cert-out writes nothing
    and --format env prints nothing, so ``ssoctl ... > idp.env && . idp.env`` never picks
    up values that failed (docs/commands/import-metadata.md).
    """
    checked = _report(settings, env=env, cert_path=None)
    if checked.status(strict=strict) != 0:
        return _withheld(checked, settings, cert_out=cert_out, env=env)
    written = _write_cert(settings, cert_out, force=force)
    return _report(settings, env=env, cert_path=written)


# ---------------------------------------------------------------- rendering

def _write_cert(settings: "IdpSettings", path: str | None, *, force: bool) -> str | None:
    """Write the chosen certificate's clean PEM to ``path`` (not secret: mode 0644)."""
    if path is None or settings.certificate_pem is None:
        return None
    from ssoctl.files import write_file

    return str(write_file(path, settings.certificate_pem, force=force))


def _report(settings: "IdpSettings", *, env: bool, cert_path: str | None) -> "Report":
    from ssoctl.render import Code, Fields, Report, Text, copyable

    data = settings.to_dict()
    data["cert_out"] = cert_path
    cert = settings.certificate
    if settings.signature_verified is False:
        # --verify-signature failed (exit 4): the failure first, nothing to paste.
        failure = next((f for f in settings.findings
                        if f.code in ("METADATA_SIGNATURE_INVALID", "METADATA_UNSIGNED")), None)
        reason = failure.message if failure is not None else "the signature does not verify"
        blocks: list = [
            Text(f"Do not use these values: {reason}.", style="bold red"),
            Text("Nothing from this metadata is trustworthy until the signature verifies "
                 "(see Findings for what to do).\n"),
            Fields("Values in the metadata (unverified)", [
                ("SSO URL", copyable(settings.sso_url) or "(none)"),
                ("Entity ID", copyable(settings.entity_id) or "(empty)"),
                ("Certificate", f"SHA-256 {cert.sha256}" if cert is not None else "(none)"),
            ])]
        blocks += _details(settings)

        # other findings keep what they found, not advice to paste an untrusted value
        quiet = tuple(f._replace(hint="") if "paste" in f.hint.lower() else f
                      for f in settings.findings)
        return Report(data=data, findings=quiet, blocks=tuple(blocks),
                      payload="" if env else None)
    blocks = [Fields(SIPGATE_TITLE, [
        ("SSO URL", copyable(settings.sso_url) or "(none: see findings)"),
        ("Entity ID", copyable(settings.entity_id) or "(empty: see findings)"),
    ])]
    if cert is not None:
        blocks.append(Code(cert.pem, lexer="text", title="Certificate:"))
        blocks.append(Text(_cert_note(settings, cert) + "\n"))
    else:
        blocks.append(Text("Certificate: none usable in this metadata (see findings)\n"))
    if cert_path is not None:
        blocks.append(Text(("Certificate written to ", copyable(cert_path), "\n")))
    blocks += _details(settings)
    payload = _env_lines(settings, cert_path) if env else None
    return Report(data=data, findings=settings.findings, blocks=tuple(blocks), payload=payload)


def _list_report(source: str, ids: tuple[str, ...]) -> "Report":
    from ssoctl.metadata.stream import idp_count
    from ssoctl.render import Report, Text

    count = idp_count(ids)
    return Report(data={"source": source, "count": len(ids), "entity_ids": list(ids)},
                  blocks=(Text(f"{count} in {source}; read one with --entity-id ID\n"),),
                  payload="".join(f"{eid}\n" for eid in ids))


def _cert_note(settings: "IdpSettings", cert: "CertInfo") -> str:
    index = (settings.chosen_certificate_index or 0) + 1
    total = len(settings.signing_certificates)
    text = (f"Paste all lines, BEGIN to END, into sipgate's Certificate field.\n"
            f"Certificate #{index} of {total}: {_cn(cert.subject)}, valid until "
            f"{cert.not_after:%Y-%m-%d}, SHA-256 {cert.sha256}")
    if total > 1 and settings.certificate_reason:
        text += f"\nWhy this one: {settings.certificate_reason}"
    return text


def _withheld(report: "Report", settings: "IdpSettings", *, cert_out: str | None,
              env: bool) -> "Report":
    """The report of metadata that failed a check, with nothing written or printed for
    scripts: what --cert-out and --format env would have produced is withheld."""
    from ssoctl.render import Text

    if cert_out is None and not env:
        return report
    what = " and ".join(x for x in (f"--cert-out wrote nothing to {cert_out}" if cert_out
                                    else "", "--format env printed nothing" if env else "") if x)
    why = (("the metadata's signature does not verify" if settings.signed
            else "the metadata is not signed")
           if settings.signature_verified is False else "see the errors below"
           if any(f.is_error for f in report.findings) else
           "--strict is given and there are warnings (below)")
    return report._replace(blocks=report.blocks + (Text(f"{what}: {why}.\n", style="bold red"),),
                   payload="" if env else None)


def _cn(subject: str) -> str:
    """The CN's value (what Okta shows), else the whole subject: check-cert's short name
    without the ``CN=``."""
    from ssoctl.certs.facts import short_name

    return short_name(subject).removeprefix("CN=")


def _details(settings: "IdpSettings") -> list:
    from ssoctl.render import Fields, Table, copyable

    rows: list[tuple[str, str | None]] = [("Source", copyable(settings.source or None))]
    if settings.final_url and settings.final_url != settings.source:
        rows.append(("Downloaded from", copyable(settings.final_url)))
    if 1 < len(settings.entity_ids_found) <= 5:
        rows.append(("IdPs in document", copyable("\n".join(settings.entity_ids_found))))
    elif len(settings.entity_ids_found) > 5:
        rows.append(("IdPs in document", f"{len(settings.entity_ids_found):,} "
                                          "(list them with --list)"))
    used = settings.sso_binding
    if used and settings.sso_binding_reason:
        used = f"{used} ({settings.sso_binding_reason})"
    rows.append(("SSO binding used", used))
    rows += [_endpoint_row("SSO URL", name, url) for name, url in settings.sso_urls.items()]
    rows += [_endpoint_row("Logout URL", name, url) for name, url in settings.slo_urls.items()]
    rows.append(("NameID formats", "\n".join(settings.name_id_formats) or "(none listed)"))
    if settings.want_authn_requests_signed is not None:
        rows.append(("WantAuthnRequestsSigned", str(settings.want_authn_requests_signed).lower()))
    if settings.valid_until is not None:
        rows.append(("validUntil", settings.valid_until.isoformat().replace("+00:00", "Z")))
    rows.append(("cacheDuration", settings.cache_duration))
    rows.append(("Signed", _signed_text(settings)))
    blocks: list = [Fields("Metadata details", rows)]
    certs_rows, fingerprints = [], []
    for use, infos in (("signing", settings.signing_certificates),
                       ("encryption", settings.encryption_certificates)):
        for number, info in enumerate(infos, start=1):
            mark = []
            if use == "signing" and number - 1 == settings.chosen_certificate_index:
                mark.append("sipgate")
            if (use == "signing" and len(infos) > 1
                    and number - 1 == settings.newest_certificate_index):
                mark.append("newest")
            certs_rows.append((f"{number}", use, _cn(info.subject),
                               f"{info.not_after:%Y-%m-%d}",
                               f"{info.key_type} {info.key_size or ''}".strip(),
                               ", ".join(mark)))
            # Whole, never shortened: what a user compares with Okta's "SHA-256
            # fingerprint" during a key rollover. A list of its own keeps the table narrow.
            fingerprints.append((f"#{number} {use}", copyable(info.sha256)))
    if certs_rows:
        blocks.append(Table("Certificates", ("#", "use", "name (CN)", "valid until", "key",
                                             "note"), certs_rows))
        blocks.append(Fields("SHA-256 fingerprints", fingerprints))
    return blocks


def _endpoint_row(label: str, binding: str, url: str) -> tuple[str, str]:
    """A SAML 2.0 binding in the label; a long foreign binding URI (Shibboleth 1.x) under
    the URL, so it does not push every value in the block far to the right."""
    from ssoctl.render import copyable

    if len(binding) <= 20:
        return f"{label} ({binding})", copyable(url)
    return f"{label} (other)", copyable(f"{url}\nbinding {binding}")


def _signed_text(settings: "IdpSettings") -> str:
    if not settings.signed:
        return "no"
    if settings.signature_verified is None:
        return "yes, not verified (use --verify-signature CERT)"
    return "yes, verified" if settings.signature_verified else "yes, DOES NOT VERIFY"


def _env_lines(settings: "IdpSettings", cert_path: str | None) -> str:
    """KEY=value lines, shell-quoted only where needed (``eval``/``source`` safe)."""
    cert = settings.certificate
    values = {
        "SSOCTL_SSO_URL": settings.sso_url or "",
        "SSOCTL_ENTITY_ID": settings.entity_id,
        "SSOCTL_CERT_SHA256": cert.sha256 if cert is not None else "",
    }
    if cert_path is not None:
        values["SSOCTL_CERT_PEM_FILE"] = cert_path
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in values.items())
