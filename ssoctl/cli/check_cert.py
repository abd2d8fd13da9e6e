"""``ssoctl check-cert``: is this certificate text ready for sipgate's Certificate field?

Only typer is imported at module level: the work (cryptography, the diagnosis engine)
is imported inside the command, so the command starts fast and never loads rich when
the output is a pipe or JSON.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ssoctl.cli.fastparams import FastCommand
from ssoctl.cli.common import JsonOpt, NowOpt, StrictOpt, parse_now, run

MAX_CERT_BYTES = 1024 * 1024
MAX_METADATA_BYTES = 10 * 1024 * 1024

HELP = """Check a certificate file or pasted text before it goes into sipgate's Certificate field.

Reads PEM (one or several), a bare base64 body (Okta's copy button, metadata text), DER
(.cer/.der), PKCS#7 (.p7b/.p7c), base64-wrapped PEM, UTF-8 with BOM, UTF-16, CRLF or CR.
Names each defect (missing BEGIN/END lines, cut-off body, invalid characters, wrong
padding, trailing text, several certificates, a private key ...) and shows subject,
issuer, validity, key, signature algorithm and the SHA-256/SHA-1 fingerprints.

Exit 0 usable as given (warnings allowed); 1 error findings, including text that would
fail when pasted as is even if --fix can repair it; 2 usage; 3 input unreadable, empty,
binary or a private key. With --fix: the clean PEM goes to stdout and the report to
stderr; exit 0 when repaired, non-zero and no PEM when the body is beyond repair.
"""


def check_cert(
    ctx: typer.Context,
    file: Annotated[Optional[str], typer.Argument(
        metavar="[FILE | -]", help="Certificate file, or '-' to read stdin.",
        show_default=False)] = None,
    text: Annotated[Optional[str], typer.Option(
        "--text", metavar="TEXT", help="The pasted certificate text itself (quote it).")] = None,
    fix: Annotated[bool, typer.Option(
        "--fix", help="Print a clean PEM (64 columns, LF, one certificate) on stdout; the "
                      "report goes to stderr.")] = False,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write the clean PEM to FILE (implies --fix; never overwrites without --force).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Let --output replace an existing file.")] = False,
    expect_fingerprint: Annotated[Optional[str], typer.Option(
        "--expect-fingerprint", metavar="FINGERPRINT",
        help="SHA-256 or SHA-1 fingerprint the certificate must have (any case, with or "
             "without colons), e.g. as Okta shows it.")] = None,
    metadata: Annotated[Optional[str], typer.Option(
        "--metadata", metavar="FILE",
        help="IdP metadata file: the certificate must be one of its signing certificates.")] = None,
    warn_days: Annotated[int, typer.Option(
        "--warn-days", min=0, metavar="DAYS",
        help="Warn when the certificate expires within DAYS days.")] = 30,
    now: NowOpt = None,
    strict: StrictOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Check a certificate (file, '-' or --text) before pasting it into sipgate."""

    def work():
        return _work(file=file, text=text, fix=fix or output is not None, output=output,
                     force=force, expect_fingerprint=expect_fingerprint, metadata=metadata,
                     warn_days=warn_days, now=now)

    run(ctx, work, json_output=json_, strict=strict)



def _work(*, file, text, fix, output, force, expect_fingerprint, metadata, warn_days, now):
    import datetime as dt

    from ssoctl import certs
    from ssoctl.cli import check_cert_report

    when = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    data, source = _read_input(file, text)
    reference = _metadata_certificates(metadata, when) if metadata else None
    diagnosis = certs.check_certificate(data, now=when, warn_days=warn_days, source=source,
                                        expect_fingerprint=expect_fingerprint,
                                        reference=reference)
    return check_cert_report.build(diagnosis, fix=fix, output=output, force=force)


def _read_input(file: str | None, text: str | None) -> tuple[bytes, str]:
    from ssoctl.errors import InputError, UsageError
    from ssoctl.files import read_source

    if (file is None) == (text is None):
        raise UsageError("give a certificate FILE, '-' for stdin, or --text (exactly one)",
                         hint="e.g. ssoctl check-cert okta.cert, or pbpaste | ssoctl check-cert -")
    if text is not None:
        data = text.encode("utf-8")
        if len(data) > MAX_CERT_BYTES:
            raise InputError(f"--text exceeds {MAX_CERT_BYTES} bytes", code="INPUT_TOO_LARGE",
                             hint="a certificate is a few kilobytes; check what was pasted")
        return data, "--text"
    try:
        source = read_source(file, max_bytes=MAX_CERT_BYTES, what="certificate")
    except InputError as exc:
        if exc.code == "INPUT_EMPTY":
            raise InputError(exc.message, code="CERT_EMPTY",
                             hint="In Okta: Applications → your app → Sign On → SAML Signing "
                                  "Certificates → Actions → Download certificate") from None
        raise
    return source.data, source.label


def _metadata_certificates(path: str, when):
    """The signing certificates of an IdP metadata file (parsed by ssoctl.metadata)."""
    from ssoctl import metadata as md
    from ssoctl.files import read_source

    source = read_source(path, max_bytes=MAX_METADATA_BYTES, what="IdP metadata")
    return tuple(md.load(source.data, now=when, source=source.label).signing_certificates)


def register(app: typer.Typer) -> None:
    """Attach ``check-cert`` to the root app."""
    app.command("check-cert", help=HELP, cls=FastCommand)(check_cert)
