"""``ssoctl check-cert``: is this certificate text ready for sipgate's Certificate field?

Only typer is imported at module level: the work (cryptography, the diagnosis engine)
is imported inside the command, so the command starts fast and never loads rich when
the output is a pipe or JSON.
"""

from typing import Annotated, Optional

import typer

from ssoctl.cli.common import JsonOpt, NowOpt, StrictOpt, WarnDaysOpt, run

HELP = """Check a certificate file or pasted text before it goes into sipgate's Certificate field.

Several files, a directory (its .pem, .crt, .cer, .cert, .der, .p7b and .p7c files) or
--each on a bundle: one line per certificate, one summary, and the worst result as the
exit status (--json: one result per certificate in data).

Reads PEM (one or several), a bare base64 body (Okta's copy button, metadata text), DER
(.cer/.der), PKCS#7 (.p7b/.p7c), base64-wrapped PEM, UTF-8 with BOM, UTF-16, CRLF or CR.
Names each defect (missing BEGIN/END lines, cut-off body, invalid characters, wrong
padding, trailing text, several certificates, a private key ...) and shows subject,
issuer, validity, key, signature algorithm and the SHA-256/SHA-1 fingerprints.

Exit 0 usable as given (warnings allowed); 1 error findings, including text that would
fail when pasted as is even if --fix can repair it; 2 usage; 3 input unreadable, empty,
binary or a private key. With --fix: the clean PEM goes to stdout and the report to
stderr, and a PEM is printed only when the exit status is 0 (never for a body beyond
repair, nor for an expired, weak or mismatched certificate).
"""


def check_cert(
    ctx: typer.Context,
    files: Annotated[Optional[list[str]], typer.Argument(
        metavar="FILE|DIR|-",
        help="Certificate file, '-' to read stdin, or several files and directories "
             "(one result per certificate, one summary).", show_default=False)] = None,
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
    each: Annotated[bool, typer.Option(
        "--each", help="Check every certificate of a bundle on its own (one result each) "
                       "instead of as text to paste.")] = False,
    warn_days: WarnDaysOpt = 30,
    now: NowOpt = None,
    strict: StrictOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Check a certificate (file, '-' or --text) before pasting it into sipgate."""

    def work():
        from ssoctl.cli import check_cert_report

        if check_cert_report.is_batch(files or [], each=each):
            return check_cert_report.work_many(
                files or [], each=each, text=text, fix=fix or output is not None,
                expect_fingerprint=expect_fingerprint, metadata=metadata,
                warn_days=warn_days, now=now)
        return check_cert_report.work(
            file=(files or [None])[0], text=text, fix=fix or output is not None, output=output, force=force,
            expect_fingerprint=expect_fingerprint, metadata=metadata, warn_days=warn_days,
            now=now, strict=strict)

    run(ctx, work, json_output=json_, strict=strict)


def register(app: typer.Typer) -> None:
    """Attach ``check-cert`` to the root app."""
    app.command("check-cert", help=HELP)(check_cert)
