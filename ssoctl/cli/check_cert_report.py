"""The work of ``check-cert`` once its options are parsed: read the input, diagnose it,
and turn the :class:`ssoctl.certs.result.CertDiagnosis` into what is printed.

No Typer here: cli/check_cert.py declares the options and calls :func:`work`.
"""

from __future__ import annotations

from ssoctl.certs.result import CertDiagnosis
from ssoctl.certs.facts import CertInfo, short_name
from ssoctl.errors import ExitCode
from ssoctl.findings.console import okta
from ssoctl.render import Fields, Report, Table, Text, copyable

MAX_CERT_BYTES = 1024 * 1024
MAX_METADATA_BYTES = 10 * 1024 * 1024


def work(*, file: str | None, text: str | None, fix: bool, output: str | None, force: bool,
         expect_fingerprint: str | None, metadata: str | None, warn_days: int,
         now: str | None, strict: bool = False) -> Report:
    """Everything ``check-cert`` does once its options are parsed: read, diagnose, report."""
    import datetime as dt

    from ssoctl.certs.diagnose import diagnose
    from ssoctl.cli.boundary import parse_now

    when = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    data, source = _read_input(file, text)
    reference = _metadata_certificates(metadata, when) if metadata else None
    diagnosis = diagnose(data, now=when, warn_days=warn_days, source=source,
                         expect_fingerprint=expect_fingerprint, reference=reference)
    return build(diagnosis, fix=fix, output=output, force=force, strict=strict)


def is_batch(files: list[str], *, each: bool) -> bool:
    """Several files, a directory, or ``--each``: one result per certificate."""
    import os

    return each or len(files) > 1 or any(f != "-" and os.path.isdir(f) for f in files)


def work_many(files: list[str], *, each: bool, text: str | None, fix: bool,
              expect_fingerprint: str | None, metadata: str | None, warn_days: int,
              now: str | None) -> Report:
    """``check-cert FILE... | DIR | --each BUNDLE``: every certificate, one summary."""
    import datetime as dt

    from ssoctl.certs.batch import check_files
    from ssoctl.cli.boundary import parse_now
    from ssoctl.errors import UsageError

    clashes = [name for name, given in (("--text", text is not None), ("--fix/--output", fix),
                                        ("--expect-fingerprint", expect_fingerprint),
                                        ("--metadata", metadata)) if given]
    if clashes or "-" in files or not files:
        what = ", ".join(clashes) or ("'-'" if "-" in files else "no FILE")
        raise UsageError(f"{what} cannot be used when checking several certificates",
                         hint="check one file at a time for that, e.g. "
                              "'ssoctl check-cert FILE --fix'", code="CERT_BATCH_USAGE")
    when = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    summary = check_files(files, now=when, warn_days=warn_days)
    return batch_report(summary)


def batch_report(summary) -> Report:
    """A table (one row per certificate), the findings by certificate, the summary. A
    file's path (with its ``#N`` in a bundle) is kept whole, as the user copies it into
    ``ssoctl check-cert PATH --fix``."""
    rows = []
    for number, item in enumerate(summary.results, start=1):
        info = item.certificate
        rows.append((str(number), copyable(item.source),
                     short_name(info.subject) if info else "-",
                     f"{info.not_after:%Y-%m-%d}" if info else "-",
                     str(info.days_left) if info else "-", item.outcome.value))
    blocks: list = [Table("Certificates", ("#", "file", "subject", "valid until",
                                           "days left", "result"), rows)]
    problems = [(item.source, f) for item in summary.results for f in item.findings
                if f.severity.value != "info"]
    for source, item in problems:
        blocks.append(Text((copyable(f"{source}:"), f" {item.severity.value}: {item.message}"),
                           hang=2))
    fixes = list(dict.fromkeys(item.hint for _source, item in problems if item.hint))
    if fixes:
        blocks.append(Text(""))
        blocks += [Text(f"fix: {hint}", hang=5) for hint in fixes]
    blocks.append(Text(""))
    blocks.append(Text(summary.line(), style="bold"))
    return Report(data=[item.to_dict() for item in summary.results], blocks=tuple(blocks),
                  exit_code=summary.exit_code)


def _read_input(file: str | None, text: str | None) -> tuple[bytes, str]:
    from ssoctl.errors import InputError, UsageError

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
        from ssoctl.cli.paste import read_input

        # at a terminal: no line-length limit, a paste ends with Ctrl-D (cli/paste.py)
        source = read_input(file, None, max_bytes=MAX_CERT_BYTES, what="certificate",
                            prompt="Paste the certificate, then press Ctrl-D on a new line "
                                   "(Ctrl-Z, Enter on Windows).")
    except InputError as exc:
        if exc.code == "INPUT_EMPTY":
            raise InputError(exc.message, code="CERT_EMPTY",
                             hint="download the certificate: " + okta("download_certificate")) from None
        raise
    return source.data, source.label


def _metadata_certificates(path: str, when):
    """The signing certificates of an IdP metadata file (parsed by ssoctl.metadata)."""
    from ssoctl.metadata import reader as md
    from ssoctl.files import read_source

    source = read_source(path, max_bytes=MAX_METADATA_BYTES, what="IdP metadata")
    return tuple(md.load(source.data, now=when, source=source.label).signing_certificates)


def build(diagnosis: CertDiagnosis, *, fix: bool, output: str | None, force: bool,
          strict: bool = False) -> Report:
    """The report: verdict first, then the certificate details, then the findings.

    With ``fix`` the clean PEM is the payload (stdout) or goes to ``output`` -- but only
    when the exit status is 0. A PEM on stdout (or in ``output``) therefore always means
    "paste this": ``check-cert --fix in.pem > clean.pem`` in a CI job never leaves a
    certificate file behind that is expired, the wrong one, or cut off.
    """
    if fix and diagnosis.repairable:
        diagnosis = diagnosis.repaired()
    blocks: list = [Text(diagnosis.verdict, style=_style(diagnosis)), Text("")]
    blocks += _details(diagnosis)
    report = Report(data={**diagnosis.to_dict(), "output": None}, findings=diagnosis.findings,
                    blocks=tuple(blocks))
    if not fix:
        return report
    status = report.status(strict=strict)
    if not diagnosis.repairable or status != ExitCode.OK:
        # Report on stderr, nothing on stdout: beyond repair, or repaired text of a
        # certificate that must not be pasted, is never success.
        blocks += [Text(_no_pem(diagnosis, output), style="bold red"), Text("")]
        return Report(data=report.data, findings=diagnosis.findings, blocks=tuple(blocks),
                      payload=None if output else "",  # stdout stays empty unless -o
                      exit_code=status if status != ExitCode.OK else ExitCode.FINDINGS)
    if output:
        from ssoctl.files import write_file

        written = str(write_file(output, diagnosis.fixed_pem or "", force=force))
        blocks.append(Text(("Wrote the clean PEM to ", copyable(written)), style="green"))
        return Report(data={**report.data, "output": written}, findings=diagnosis.findings,
                      blocks=tuple(blocks))
    return Report(data=report.data, findings=diagnosis.findings, blocks=tuple(blocks),
                  payload=diagnosis.fixed_pem)


def _no_pem(diagnosis: CertDiagnosis, output: str | None) -> str:
    """Why --fix printed (or wrote) no PEM."""
    what = f"--fix wrote nothing to {output}" if output else "--fix printed no PEM"
    if not diagnosis.certificates:
        return f"{what}: there is no intact certificate to rebuild."
    if not diagnosis.repairable and len(diagnosis.certificates) > 1 \
            and diagnosis.fingerprint_match is None and diagnosis.metadata_match is None:
        return f"{what}: several certificates, and nothing says which one to keep (below)."
    if any(f.is_error for f in diagnosis.findings):
        return (f"{what}: see the errors below; --fix repairs the text around a certificate, "
                "not the certificate itself.")
    return f"{what}: --strict is given and there are warnings (below)."


def _style(diagnosis: CertDiagnosis) -> str:
    if any(f.is_error for f in diagnosis.findings):
        return "bold red"
    return "bold green"


def _details(diagnosis: CertDiagnosis) -> list:
    infos = diagnosis.certificates
    blocks: list = []
    if len(infos) == 1:
        blocks.append(_fields(infos[0], "Certificate", diagnosis))
    elif infos:
        rows = [(str(i + 1), short_name(info.subject), copyable(info.sha256),
                 f"{info.not_after:%Y-%m-%d}",
                 str(info.days_left)) for i, info in enumerate(infos)]
        blocks.append(Table(f"{len(infos)} certificates", ("#", "subject", "SHA-256",
                                                           "valid until", "days left"), rows))
        if diagnosis.selected is not None:
            blocks.append(_fields(infos[diagnosis.selected],
                                  f"Certificate #{diagnosis.selected + 1} (selected)", diagnosis))
    return blocks


def _fields(info: CertInfo, title: str, diagnosis: CertDiagnosis) -> Fields:
    key = f"{info.key_type} {info.key_size} bits" if info.key_size else info.key_type
    left = f"{info.days_left} days left" if info.days_left >= 0 else f"expired {-info.days_left} days ago"
    rows = [
        ("Subject", info.subject),
        ("Issuer", "same as subject (self-signed)" if info.self_signed else info.issuer),
        ("Serial", copyable(info.serial)),
        ("Valid from", _when(info.not_before)),
        ("Valid until", f"{_when(info.not_after)} ({left})"),
        ("Key", key),
        ("Signature", info.signature_algorithm),
        ("SHA-256", copyable(info.sha256)),
        ("SHA-1", copyable(info.sha1)),
        ("Version", f"X.509 v{info.version}"),
        ("Input", _input(diagnosis)),
    ]
    if diagnosis.fingerprint_match is not None:
        rows.append(("Fingerprint", "matches --expect-fingerprint" if diagnosis.fingerprint_match
                     else "does NOT match --expect-fingerprint"))
    if diagnosis.metadata_match is not None:
        rows.append(("Metadata", "a signing certificate in the metadata" if diagnosis.metadata_match
                     else "NOT a signing certificate in the metadata"))
    return Fields(title, rows)


def _input(diagnosis: CertDiagnosis) -> str:
    names = {"pem": "PEM", "base64": "bare base64 (no BEGIN/END lines)", "der": "binary DER",
             "pkcs7": "PKCS#7 bundle", "base64-pem": "base64-encoded PEM", "text": "text"}
    name = names.get(diagnosis.input_format, diagnosis.input_format)
    return name if diagnosis.encoding == "binary" else f"{name}, {diagnosis.encoding}"


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")
