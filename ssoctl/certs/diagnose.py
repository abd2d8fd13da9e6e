"""Diagnose certificate input: what is wrong with it, by name, and a clean PEM if possible.

:func:`diagnose` takes the bytes a user has (a downloaded ``.cert``, a pasted fragment,
DER, PKCS#7, a base64-encoded PEM, UTF-16 from Notepad) and returns a
:class:`CertDiagnosis`: the certificates found, findings that say exactly what would go
wrong when the text is pasted into sipgate's Certificate field, and a clean PEM when
the certificate itself is intact.

Private keys are refused before anything else happens and never appear in any output.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

from ssoctl.certs import asn1
from ssoctl.certs import facts
from ssoctl.certs import text as certtext
from ssoctl.certs.der import DerKind, Parsed as _Parsed, classify, looks_der as _looks_der
from ssoctl.certs.result import CertDiagnosis, Work as _Work, conclude
from ssoctl.certs.facts import CertInfo
from ssoctl.errors import InputError, UsageError
from ssoctl.files import decode_text
from ssoctl.findings import plural
from ssoctl.findings.console import okta, path

_PRIVATE = re.compile(r"PRIVATE[ \t_-]*KEY|PuTTY-User-Key-File", re.I)
_MAX_LAYERS = 2
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]+")

# ---------------------------------------------------------------- entry point


def diagnose(data: bytes, *, now: dt.datetime, warn_days: int = 30, source: str = "input",
             expect_fingerprint: str | None = None,
             reference: tuple[CertInfo, ...] | None = None) -> CertDiagnosis:
    """Diagnose certificate input ``data`` (bytes as read from a file, stdin or --text).

    ``expect_fingerprint`` (SHA-256 or SHA-1, any notation) and ``reference`` (e.g. the
    signing certificates of IdP metadata) are compared with what was found. Raises
    :class:`InputError` for empty or binary input and for private keys (refused, never
    echoed); every other problem is a finding.
    """
    expected = _parse_fingerprint(expect_fingerprint)
    if not data.strip():
        raise InputError(f"{source} is empty", hint=_download_hint(), code="CERT_EMPTY")
    work = _Work()
    if _looks_der(data):
        _from_der(data, work, source)
    else:
        try:
            decoded = decode_text(data, what=source)
        except InputError as exc:
            if exc.code != "INPUT_BINARY":
                raise
            _from_der(data, work, source)
        else:
            work.encoding = decoded.encoding
            if decoded.had_bom or decoded.encoding == "utf-16":
                work.add("CERT_ENCODING", f"the file is {decoded.encoding}"
                         + (" with a byte-order mark" if decoded.had_bom else " without a byte-order mark"))
            _from_text(decoded.text, work, layer=0)
    return conclude(work, source=source, now=now, warn_days=warn_days, expected=expected,
                     reference=reference)


def _download_hint() -> str:
    return f"download the certificate ({okta('download_certificate')}) and check that file"


def _refuse_private_key(where: str) -> None:
    raise InputError(f"this is a private key ({where}), not a certificate: ssoctl refuses to read it",
                     hint="never paste a private key into sipgate; sipgate needs the IdP's signing "
                          "certificate. If this key was shared by mistake, replace it",
                     code="CERT_PRIVATE_KEY")


def _parse_fingerprint(text: str | None) -> str | None:
    if text is None:
        return None
    value = facts.normalize_fingerprint(text)
    if len(value) not in (40, 64):
        raise UsageError(f"--expect-fingerprint: {len(value)} hex digits; a SHA-1 fingerprint has "
                         "40 and a SHA-256 fingerprint 64",
                         hint="copy the fingerprint Okta shows under " + path("signing_certificates"),
                         code="CERT_BAD_FINGERPRINT")
    return value


# ---------------------------------------------------------------- DER


def _from_der(data: bytes, work: _Work, source: str) -> None:
    parsed = classify(data)
    if parsed.kind == DerKind.PRIVATE_KEY:
        _refuse_private_key("binary DER key")
    if parsed.kind == DerKind.GARBAGE and not _looks_der(data):
        raise InputError(f"{source} is binary and not a certificate",
                         hint=_download_hint(), code="CERT_BINARY")
    work.fmt = "pkcs7" if parsed.kind == DerKind.PKCS7 else "der"
    work.encoding = "binary"
    renamed = source.lower().endswith((".pem", ".txt", ".cert", ".crt"))
    what = ("a binary DER file with a PEM name" if renamed and parsed.kind != DerKind.PKCS7
            else "binary DER, not PEM text")
    if parsed.kind in (DerKind.CERT, DerKind.TRUNCATED):
        work.add("CERT_DER", f"{source} is {what}")
    _take(parsed, work, label="the DER data", bare=False)


def _take(parsed: _Parsed, work: _Work, *, label: str, bare: bool) -> bool:
    """Record the result of decoding one body; False when no certificate came out."""
    kind = parsed.kind
    if kind == DerKind.PRIVATE_KEY:
        _refuse_private_key(label)
    if kind in (DerKind.CERT, DerKind.PKCS7):
        if bare:
            work.add("CERT_NO_ARMOR", "the BEGIN CERTIFICATE and END CERTIFICATE lines are missing")
        if kind == DerKind.PKCS7:
            work.add("CERT_PKCS7", f"{label} is a PKCS#7 bundle with {len(parsed.certs)} "
                     f"{plural(len(parsed.certs), 'certificate')}")
        if parsed.extra:
            work.add("CERT_TRAILING_DATA", f"{parsed.extra} extra {plural(parsed.extra, 'byte')} after "
                     f"the certificate in {label}")
        work.certs.extend(parsed.certs)
        work.ders.extend(parsed.ders or (None,) * len(parsed.certs))
        return True
    work.broken = True
    if kind == DerKind.TRUNCATED:
        missing = parsed.declared - parsed.present
        chars = -(-missing * 4 // 3)
        work.add("CERT_TRUNCATED",
                 f"the certificate is cut off: its ASN.1 length says {parsed.declared} bytes, "
                 f"only {parsed.present} are present ({missing} {plural(missing, 'byte')} missing, about "
                 f"{chars} base64 characters or {-(-chars // 64)} {plural(-(-chars // 64), 'line')} of 64)",
                 expected=f"{parsed.declared} bytes", received=f"{parsed.present} bytes")
    elif kind == DerKind.GARBAGE:
        work.add("CERT_WRONG_TYPE", f"{label} is not a certificate")
    elif kind == DerKind.DAMAGED:
        work.add("CERT_DAMAGED", f"{label} holds a certificate with a damaged field "
                 f"({parsed.detail})")
    elif kind == DerKind.PUBLIC_KEY:
        work.add("CERT_WRONG_TYPE", f"{label} is a public key, not a certificate")
    elif kind == DerKind.CSR:
        work.add("CERT_WRONG_TYPE", f"{label} is a certificate signing request (CSR), not a "
                 "certificate")
    return False


# ---------------------------------------------------------------- text


def _from_text(text: str, work: _Work, *, layer: int) -> None:
    private = _PRIVATE.search(text)
    if private:
        line = text.count(chr(10), 0, private.start()) + 1
        _refuse_private_key(f"'{private.group(0).upper()}' at line {line}")
    text = _line_endings(text, work)
    if text.lstrip().startswith("<"):
        work.broken = True
        work.add("CERT_WRONG_TYPE", "this is XML (IdP metadata?), not a certificate",
                 hint="use `ssoctl import-metadata FILE`, or `ssoctl check-cert --metadata FILE CERT`")
        return
    layout = certtext.group(certtext.tokenize(text))
    work.fmt = "base64" if layout.bare else ("pem" if layer == 0 else work.fmt)
    for block in layout.blocks:
        for marker in (block.begin, block.end):
            if marker and marker.category == "private":
                _refuse_private_key(f"'{marker.kind} {marker.label}' at line {marker.line}")
    _armor_findings(layout, work)
    for block in layout.blocks:
        _block(block, work, bare=layout.bare, layer=layer, single=len(layout.blocks) == 1)
    if work.whitespace:
        work.add("CERT_WHITESPACE", "spaces or tabs at the start or end of lines: "
                 + "; ".join(work.whitespace))
        work.whitespace = []


def _line_endings(text: str, work: _Work) -> str:
    if "\r" not in text:
        return text
    if "\n" not in text:
        work.add("CERT_LINE_ENDINGS", "the text uses CR line endings (old Mac style)")
        return text.replace("\r", "\n")
    if "\r\n" in text:
        work.add("CERT_LINE_ENDINGS", "the text uses CRLF line endings (Windows)")
    return text.replace("\r\n", "\n")  # any \r left is a stray one: reported as invalid


def _armor_findings(layout: certtext.Layout, work: _Work) -> None:
    misspelled, inline, padded = [], [], []
    for block in layout.blocks:
        if not layout.bare and block.begin is None and block.end is not None:
            work.add("CERT_MISSING_BEGIN", f"the END line at line {block.end.line} has no "
                     "BEGIN CERTIFICATE line before it", expected=certtext.CANONICAL["BEGIN"])
        if not layout.bare and block.end is None and block.begin is not None:
            work.add("CERT_MISSING_END", f"the BEGIN line at line {block.begin.line} has no "
                     "END CERTIFICATE line after it", expected=certtext.CANONICAL["END"])
        for marker in (block.begin, block.end):
            if marker is None:
                continue
            if not marker.exact and marker.category in ("cert", "cert-misspelled"):
                misspelled.append(marker)
            if not marker.alone:
                inline.append(marker)
            elif marker.padded:
                padded.append(marker)
    if misspelled:
        work.add("CERT_ARMOR_MISSPELLED", "; ".join(f"line {m.line}: {m.raw!r}" for m in misspelled),
                 expected=f"{certtext.CANONICAL['BEGIN']} / {certtext.CANONICAL['END']}",
                 received=misspelled[0].raw)
    if inline:
        work.add("CERT_NO_LINE_BREAKS", "the "
                 + " and ".join(sorted({f"{m.kind}" for m in inline}))
                 + f" {plural(len(inline), 'line')} share{'s' if len(inline) == 1 else ''} a line with the "
                 f"body (line {inline[0].line}): the line breaks were lost")
    work.whitespace += [f"{m.kind} line {m.line}" for m in padded]
    if layout.doubled:
        work.add("CERT_DOUBLED_ARMOR", "; ".join(f"{m.kind} line repeated at line {m.line}"
                                                  for m in layout.doubled))
    if layout.leading:
        work.add("CERT_LEADING_DATA", _outside("before the BEGIN line", layout.leading))
    if layout.trailing:
        work.add("CERT_TRAILING_DATA", _outside("after the END line", layout.trailing))


def _outside(where: str, chunks: list[certtext.Chunk]) -> str:
    first = chunks[0].text.strip()
    snippet = first if len(first) <= 40 else first[:37] + "..."
    lines = sorted({c.line for c in chunks})
    span = f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}-{lines[-1]}"
    return f"text {where} ({span}): {snippet!r}"


def _block(block: certtext.Block, work: _Work, *, bare: bool, layer: int, single: bool) -> None:
    scan = certtext.scan_body(block.chunks)
    where = ("the body" if single or not (block.begin or block.end)
             else f"the block at line {(block.begin or block.end).line}")  # type: ignore[union-attr]
    if not scan.b64:
        work.broken = True
        if bare:
            work.add("CERT_WRONG_TYPE", "no BEGIN/END lines and no base64 certificate body")
        else:
            work.add("CERT_TRUNCATED", f"{where} is empty: nothing between the BEGIN and END lines")
        return
    urlsafe = _urlsafe_scan(block) if scan.urlsafe else None
    if urlsafe is not None:
        scan = urlsafe
    if scan.whitespace:
        work.whitespace.append(certtext.summarize_spots(scan.whitespace))
    der, padding_note = _decode(scan)
    if urlsafe is not None:
        _urlsafe_finding(block, scan, work, where)
        if not scan.b64.endswith("=") and not scan.inner_padding:
            padding_note = ""  # base64url usually drops the padding: part of the same defect
    parsed = classify(der)
    label = "the base64 text" if bare else where
    inner = _inner_text(der) if parsed.kind == DerKind.GARBAGE and layer < _MAX_LAYERS else None
    if inner:
        work.add("CERT_BASE64_WRAPPED", "the text is base64-encoded PEM text (decode it once)")
        work.fmt = "base64-pem"
        _from_text(inner, work, layer=layer + 1)
        _invalid_findings(scan, work, where, ok=True)
        return
    if parsed.kind == DerKind.GARBAGE:
        _not_a_certificate(block, scan, der, work, label)
        return
    if padding_note:
        work.add("CERT_BAD_PADDING", padding_note)
    if block.begin and block.begin.category not in ("cert", "cert-misspelled") \
            and parsed.kind == DerKind.CERT:
        work.add("CERT_ARMOR_MISSPELLED", f"the block is labelled {block.label!r} but holds a "
                 "certificate", expected=certtext.CANONICAL["BEGIN"], received=block.begin.raw)
    ok = _take(parsed, work, label=label, bare=bare)
    _invalid_findings(scan, work, where, ok=ok or parsed.kind == DerKind.TRUNCATED)
    _width_findings(scan, work, where)


def _urlsafe_scan(block: certtext.Block) -> certtext.BodyScan | None:
    """The body read as URL-safe base64 (``-`` for ``+``, ``_`` for ``/``, as JWKs and
    URLs write it), when that is what it is: none of ``+`` and ``/``, and a
    certificate-like structure once translated."""
    if any("+" in c.text or "/" in c.text for c in block.chunks):
        return None
    table = str.maketrans("-_", "+/")
    scan = certtext.scan_body([c._replace(text=c.text.translate(table)) for c in block.chunks])
    return scan if classify(_decode(scan)[0]).kind != DerKind.GARBAGE else None


def _urlsafe_finding(block: certtext.Block, scan: certtext.BodyScan, work: _Work,
                     where: str) -> None:
    count = sum(c.text.count("-") + c.text.count("_") for c in block.chunks)
    padding = "" if scan.b64.endswith("=") or len(scan.b64) % 4 == 0 else "; no '=' padding"
    work.add("CERT_URLSAFE_BASE64", f"{where} is URL-safe base64 ({count} '-' or '_' instead "
             f"of '+' and '/'{padding})", expected="A-Z a-z 0-9 + / =",
             received="A-Z a-z 0-9 - _")


def _not_a_certificate(block: certtext.Block, scan: certtext.BodyScan, der: bytes,
                       work: _Work, label: str) -> None:
    """The body decodes to something that is not a certificate: say what it looks like."""
    work.broken = True
    if scan.invalid and der[:1] == bytes([asn1.SEQUENCE]):
        _invalid_findings(scan, work, label, ok=False)  # a certificate with characters replaced
        return
    category = block.begin.category if block.begin else ""
    if category == "csr":
        message = f"{label} ({block.label!r}) is a certificate signing request (CSR), not a certificate"
    elif category == "public-key":
        message = f"{label} ({block.label!r}) is a public key, not a certificate"
    elif block.label:
        message = f"{label} ({block.label!r}) does not decode to a certificate"
    elif scan.invalid_count * 4 > len(scan.b64):
        message = "no BEGIN/END lines and no base64 certificate body: this is not a certificate"
    else:
        message = f"{label} decodes to {len(der)} {plural(len(der), 'byte')}, not a certificate"
    work.add("CERT_WRONG_TYPE", message)


def _inner_text(der: bytes) -> str | None:
    """The text inside one more base64 layer, if it looks like PEM or base64 text."""
    try:
        text = der.decode("ascii")
    except UnicodeDecodeError:
        return None
    stripped = text.strip()
    if "BEGIN" in text or (len(stripped) > 100 and re.fullmatch(r"[A-Za-z0-9+/=\s]+", stripped)):
        return text
    return None


def _decode(scan: certtext.BodyScan) -> tuple[bytes, str]:
    """Base64-decode a body, repairing padding; also say what was wrong with the padding."""
    # Past its reporting limit the scan only counts stray characters: drop any left here,
    # so the arithmetic below sees base64 characters alone.
    b64 = _NOT_BASE64.sub("", scan.b64)
    body = b64.rstrip("=")
    given = len(b64) - len(body)
    note = ""
    if scan.inner_padding:
        spots = ", ".join(f"{s.line}:{s.col}" for s in scan.inner_padding[:4])
        note = f"'=' padding inside the body at {spots} (two pieces joined?)"
    body = body.replace("=", "")  # also any inner '=' past the scan's reporting limit
    usable = len(body) - (1 if len(body) % 4 == 1 else 0)  # one dangling character: cut off
    needed = -usable % 4
    if not note and len(body) % 4 != 1 and given != needed:
        note = f"the body ends with {given} '=' but needs {needed}"
    return base64.b64decode(body[:usable] + "=" * needed), note


def _invalid_findings(scan: certtext.BodyScan, work: _Work, where: str, *, ok: bool) -> None:
    if not scan.invalid:
        return
    count = scan.invalid_count
    message = f"{count} invalid {plural(count, 'character')} in {where}: " \
        + certtext.summarize_spots(scan.invalid)
    if count >= 3 and all(spot.what == "space" for spot in scan.invalid):
        message += " (line breaks replaced by spaces?)"
    if not ok:
        work.broken = True
        message += (" — without them the body is still not a certificate (characters were "
                    "replaced, not added)")
    work.add("CERT_INVALID_CHARS", message)


def _width_findings(scan: certtext.BodyScan, work: _Work, where: str) -> None:
    widths = [w for _, w in scan.widths]
    if not widths:
        return
    if len(widths) == 1:
        if widths[0] > 64:
            work.add("CERT_LINE_WIDTH", f"{where} is one line of {widths[0]} "
                     "characters; PEM wraps at 64", expected="64", received=str(widths[0]))
        return
    full, last = widths[:-1], widths[-1]
    if len(set(full)) == 1 and last <= full[0]:
        if full[0] != 64:
            okta = " (Okta's metadata wraps at 76)" if full[0] == 76 else " (Okta's metadata uses 76)"
            work.add("CERT_LINE_WIDTH", f"lines in {where} are {full[0]} characters wide; PEM "
                     f"uses 64{okta}", expected="64", received=str(full[0]))
        return
    odd = [line for line, w in scan.widths[:-1] if w != 64]
    work.add("CERT_LINE_WIDTH", f"lines in {where} have irregular widths "
             f"({min(widths)}-{max(widths)} characters, first odd one at line "
             f"{odd[0] if odd else scan.widths[-1][0]}); PEM uses 64",
             expected="64", received=f"{min(widths)}-{max(widths)}")
