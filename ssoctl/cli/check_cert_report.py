"""Turn a :class:`ssoctl.certresult.CertDiagnosis` into what ``check-cert`` prints."""

from __future__ import annotations

from ssoctl.certresult import CertDiagnosis
from ssoctl.certs import CertInfo
from ssoctl.errors import ExitCode
from ssoctl.render import Fields, Report, Table, Text


def build(diagnosis: CertDiagnosis, *, fix: bool, output: str | None, force: bool) -> Report:
    """The report: verdict first, then the certificate details, then the findings.

    With ``fix`` the clean PEM is the payload (stdout) or goes to ``output``; when the
    input is beyond repair nothing goes to stdout and the exit status is non-zero.
    """
    written = None
    if fix and diagnosis.repairable:
        diagnosis = diagnosis.repaired()
        if output:
            from ssoctl.files import write_file

            written = str(write_file(output, diagnosis.fixed_pem, force=force))
    data = {**diagnosis.to_dict(), "output": written}
    blocks: list = [Text(diagnosis.verdict, style=_style(diagnosis)), Text("")]
    blocks += _details(diagnosis)
    if written:
        blocks.append(Text(f"Wrote the clean PEM to {written}", style="green"))
    report = Report(data=data, findings=diagnosis.findings, blocks=tuple(blocks))
    if not fix:
        return report
    if not diagnosis.repairable:
        # Report on stderr, nothing on stdout: `--fix > clean.pem` must not produce a file
        # that looks like a certificate. Beyond repair is never success.
        status = report.status()
        return Report(data=data, findings=diagnosis.findings, blocks=tuple(blocks), payload="",
                      exit_code=status if status != ExitCode.OK else ExitCode.FINDINGS)
    if written:
        return report
    return Report(data=data, findings=diagnosis.findings, blocks=tuple(blocks),
                  payload=diagnosis.fixed_pem)


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
        rows = [(str(i + 1), _cn(info.subject), info.sha256, f"{info.not_after:%Y-%m-%d}",
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
        ("Serial", info.serial),
        ("Valid from", _when(info.not_before)),
        ("Valid until", f"{_when(info.not_after)} ({left})"),
        ("Key", key),
        ("Signature", info.signature_algorithm),
        ("SHA-256", info.sha256),
        ("SHA-1", info.sha1),
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
    return f"{names.get(diagnosis.input_format, diagnosis.input_format)}, {diagnosis.encoding}"


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _cn(subject: str) -> str:
    for part in reversed(subject.split(", ")):
        if part.startswith("CN="):
            return part
    return subject
