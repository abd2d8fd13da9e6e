"""Reading certificate *text* the way people paste it: armor lines, blocks, the body.

Pure string work, no cryptography: split the text into BEGIN/END markers and body
chunks (with line and column, so findings can say where), group them into blocks, and
scan a block's body for characters that are not base64, whitespace, padding and line
widths. :mod:`ssoctl.certs.diagnose` turns the result into findings and certificates.
"""

import re
from typing import NamedTuple

CANONICAL = {"BEGIN": "-----BEGIN CERTIFICATE-----", "END": "-----END CERTIFICATE-----"}
_EXACT = {line: kind for kind, line in CANONICAL.items()}

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # word processors turn '-' into these
# Armor-line patterns see whatever a person pastes, so none may backtrack: no two adjacent
# quantifiers can match the same character (possessive ``*+``/``++`` where runs meet), a
# dashed marker starts only where a dash run starts, and the label stops by lookahead where
# the closing dashes (or the end of the line) begin. Each is linear in the line's length
# (docs/threat-model.md, "Resource exhaustion"; tests/test_scanner_time.py).
_PATTERNS = {
    "dashed": (rf"(?<![{_DASH}])[{_DASH}]{{2,}}+[ \t]*+(BEGIN|END)[ \t]*+"
               rf"((?:[A-Za-z0-9#_.]++|-(?![{_DASH}])|[ ]++(?![ \t]|[{_DASH}]{{2}}))*+)"
               rf"[ \t]*+[{_DASH}]{{2,}}+", re.I),
    "loose": (rf"^[ \t]*+[{_DASH}]*+[ \t]*+(BEGIN|END)[ \t]++"
              rf"([A-Za-z0-9#_.](?:[A-Za-z0-9#_.]++|[ ]++(?![ \t]*+[{_DASH}]*+[ \t]*+$))*+)"
              rf"[ \t]*+[{_DASH}]*+[ \t]*+$", re.I),
    "loose_label": (r"CERT|KEY|PKCS|REQUEST|CRL|CMS", re.I),
    # A run of one repeated stray character is one token (its spots are made in one go);
    # "\\", "&" and "=" stay single, they may start an escape or be padding.
    "token": (r"&#(?:x[0-9a-fA-F]+|[0-9]+);|\\[nrt/]|[A-Za-z0-9+/]+|=|[ \t]+|([^\\&=])\1*+|.",
              re.S),
}
_CLEAN_BODY_LINE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64_RUN = re.compile(r"[A-Za-z0-9+/]+")
_compiled: dict[str, re.Pattern[str]] = {}


def _rx(name: str) -> re.Pattern[str]:
    """A pattern compiled on first use: a clean PEM never needs the slow case-insensitive
    ones, and compiling them costs more start-up time than the whole check."""
    if name not in _compiled:
        _compiled[name] = re.compile(*_PATTERNS[name])
    return _compiled[name]


_CHAR_NAMES = {
    "\u201c": "smart quote", "\u201d": "smart quote", "\u201e": "smart quote",
    "\u2018": "smart quote", "\u2019": "smart quote", '"': "quote", "'": "quote",
    "\u00a0": "non-breaking space", "\u200b": "zero-width space", "\ufeff": "byte-order mark",
    "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed",
    "-": "'-' (URL-safe base64?)", "_": "'_' (URL-safe base64?)",
}


class Marker(NamedTuple):
    """A BEGIN or END line (possibly misspelled), where it is, and how it is written."""

    kind: str
    """``BEGIN`` or ``END`` (upper case, whatever the text says)."""
    label: str
    """The label as normalized upper-case words, e.g. ``CERTIFICATE``, ``RSA PRIVATE KEY``."""
    line: int
    col: int
    raw: str
    alone: bool
    """Nothing but whitespace shares its line."""
    padded: bool
    """Spaces or tabs share its line (harmless to most parsers)."""

    @property
    def exact(self) -> bool:
        return self.raw == CANONICAL[self.kind]

    @property
    def category(self) -> str:
        return label_category(self.label)


class Chunk(NamedTuple):
    """Text between markers on one line (never empty)."""

    line: int
    col: int
    text: str
    ends_line: bool = True
    """No marker follows on the same line (trailing spaces here are at the line's end)."""

    @property
    def blank(self) -> bool:
        return not self.text.strip()


class Block:
    """One would-be certificate: an optional BEGIN, body chunks, an optional END.

    (Internal records here are NamedTuples and plain classes, not dataclasses: each
    dataclass costs a fraction of a millisecond at import, and check-cert has a start-up
    budget.)"""

    def __init__(self, begin: Marker | None = None, end: Marker | None = None,
                 chunks: list[Chunk] | None = None) -> None:
        self.begin, self.end = begin, end
        self.chunks: list[Chunk] = chunks if chunks is not None else []

    @property
    def label(self) -> str | None:
        marker = self.begin or self.end
        return marker.label if marker else None

    @property
    def has_body(self) -> bool:
        return any(not c.blank for c in self.chunks)


def label_category(label: str) -> str:
    """``cert``, ``cert-misspelled``, ``pkcs7``, ``private``, ``csr``, ``public-key`` or
    ``other``."""
    if label == "CERTIFICATE":
        return "cert"
    if "PRIVATE" in label:
        return "private"
    if "REQUEST" in label:
        return "csr"
    if "PUBLIC KEY" in label:
        return "public-key"
    if label.replace(" ", "").replace("#", "") in ("PKCS7", "PKCS7SIGNEDDATA", "CMS"):
        return "pkcs7"
    if label in ("X509 CERTIFICATE", "X.509 CERTIFICATE", "TRUSTED CERTIFICATE"):
        return "cert-misspelled"
    import difflib  # only for labels that are not one of the usual ones

    if difflib.SequenceMatcher(None, label, "CERTIFICATE").ratio() >= 0.8:
        return "cert-misspelled"
    return "other"


# ---------------------------------------------------------------- tokens and blocks


def tokenize(text: str) -> list[Marker | Chunk]:
    """Split LF-separated ``text`` into markers and body chunks, in order."""
    out: list[Marker | Chunk] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line in _EXACT:  # the usual case, without regular expressions
            kind = _EXACT[line]
            out.append(Marker(kind, "CERTIFICATE", number, 1, line, alone=True, padded=False))
            continue
        upper = line.upper()
        if "BEGIN" not in upper and "END" not in upper:
            if line:
                out.append(Chunk(number, 1, line))
            continue
        loose = _rx("loose").match(line)
        if loose and _rx("loose_label").search(loose.group(2)) and not _rx("dashed").search(line):
            out.append(_marker(loose.group(1), loose.group(2), number, line, line.strip(),
                               1 + len(line) - len(line.lstrip())))
            continue
        pos = 0
        for match in _rx("dashed").finditer(line):
            if match.start() > pos:
                out.append(Chunk(number, pos + 1, line[pos:match.start()], ends_line=False))
            out.append(_marker(match.group(1), match.group(2), number, line, match.group(0),
                               match.start() + 1))
            pos = match.end()
        if pos < len(line):
            out.append(Chunk(number, pos + 1, line[pos:]))
    return out


def _marker(kind: str, label: str, line_no: int, line: str, raw: str, col: int) -> Marker:
    norm = " ".join(label.upper().replace("-", " ").split())
    rest = line.replace(raw, "", 1)
    return Marker(kind.upper(), norm, line_no, col, raw, alone=not rest.strip(), padded=bool(rest))


class Layout(NamedTuple):
    """How the markers group the text: blocks plus text outside any block."""

    blocks: list[Block]
    leading: list[Chunk]
    trailing: list[Chunk]
    doubled: list[Marker]
    bare: bool
    """No markers at all: the whole text is (supposed to be) a base64 body."""


def group(tokens: list[Marker | Chunk]) -> Layout:
    """Group tokens into blocks, noting doubled markers and text outside blocks."""
    blocks: list[Block] = []
    leading: list[Chunk] = []
    trailing: list[Chunk] = []
    doubled: list[Marker] = []
    current: Block | None = None
    pending: list[Chunk] = []
    for tok in tokens:
        if isinstance(tok, Chunk):
            (current.chunks if current else pending).append(tok)
        elif tok.kind == "BEGIN":
            if current and not current.has_body:
                doubled.append(tok)
                continue
            if current:
                blocks.append(current)  # its END is missing
            (trailing if blocks else leading).extend(c for c in pending if not c.blank)
            pending, current = [], Block(begin=tok)
        elif current:
            current.end = tok
            blocks.append(current)
            current = None
        elif any(not c.blank for c in pending) or not blocks:
            blocks.append(Block(end=tok, chunks=pending))  # its BEGIN is missing
            pending = []
        else:
            doubled.append(tok)
    if current:
        blocks.append(current)
    bare = not blocks
    if bare:
        blocks.append(Block(chunks=pending))
    else:
        trailing.extend(c for c in pending if not c.blank)
    return Layout(blocks, leading, trailing, doubled, bare)


# ---------------------------------------------------------------- the body


class Spot(NamedTuple):
    """Something noticed at a place in the text."""

    what: str
    line: int
    col: int


class BodyScan:
    """What the body of one block holds once everything that is not base64 is set aside."""

    def __init__(self) -> None:
        self.b64 = ""
        self.invalid: list[Spot] = []
        self.whitespace: list[Spot] = []
        self.inner_padding: list[Spot] = []
        """``=`` followed by more base64: padding in the middle of the body."""
        self.widths: list[tuple[int, int]] = []
        """(line, number of base64 characters) for every body line that has some."""
        self.urlsafe = False
        self.invalid_count = 0
        """How many invalid characters there are; ``invalid`` keeps the first
        :data:`MAX_SPOTS` of them with their places."""


#: Invalid characters remembered one by one per block. Past this many the body is junk
#: (a certificate has none); the rest of it is only counted, in C-speed passes, so that a
#: 64 KB paste of stray characters costs milliseconds, not a Python step per character.
MAX_SPOTS = 500
_NOT_STRAY = re.compile(r"[A-Za-z0-9+/= \t]+")
_BLANK_RUN = re.compile(r"[ \t]+")
_B64_OR_PAD = re.compile(r"[A-Za-z0-9+/=]+")


def scan_body(chunks: list[Chunk]) -> BodyScan:
    """Separate base64 from everything else in ``chunks``, remembering where things are."""
    scan = BodyScan()
    parts: list[str] = []
    pad_spots: list[tuple[int, Spot]] = []
    total = 0  # len("".join(parts)), kept as it grows: summing it per "=" is quadratic
    extra = 0  # invalid characters counted past MAX_SPOTS
    for chunk in chunks:
        if chunk.blank:
            continue
        count = 0
        text = chunk.text
        if _CLEAN_BODY_LINE.fullmatch(text):  # the usual case: nothing to set aside
            total = _clean_line(scan, parts, pad_spots, chunk, total)
            continue
        lead, trail = len(text) - len(text.lstrip(" \t")), len(text.rstrip(" \t"))
        rest = len(text)
        for match in _rx("token").finditer(text):
            if len(scan.invalid) + len(pad_spots) >= MAX_SPOTS:
                rest = match.start()
                break
            tok, col = match.group(), chunk.col + match.start()
            if _B64_RUN.fullmatch(tok):
                parts.append(tok)
                count += len(tok)
                total += len(tok)
            elif tok == "=":
                pad_spots.append((total, Spot("=", chunk.line, col)))
                parts.append(tok)
                count += 1
                total += 1
            elif tok[0] in " \t":
                edge = (match.start() < lead and chunk.col == 1) or \
                    (match.start() >= trail and chunk.ends_line)
                at_edge = match.start() < lead or match.start() >= trail
                if at_edge and not edge:
                    continue  # the space between an inline marker and the body
                target = scan.whitespace if edge else scan.invalid
                target.append(Spot("tab" if "\t" in tok else "space", chunk.line, col))
            else:
                if tok == "\\/":
                    parts.append("/")
                    count += 1
                    total += 1
                if tok[0] in "-_":
                    scan.urlsafe = True
                if match.group(1) is None or len(tok) == 1:  # an escape, a reference, one char
                    scan.invalid.append(Spot(describe_char(tok), chunk.line, col))
                else:  # a run of one character: a spot for each
                    what, line = describe_char(tok[0]), chunk.line
                    kept = min(len(tok), max(MAX_SPOTS - len(scan.invalid), 1))
                    scan.invalid.extend([Spot(what, line, col + i) for i in range(kept)])
                    extra += len(tok) - kept
        if rest < len(text):  # past MAX_SPOTS: keep base64 and padding, count the rest
            remainder = text[rest:]
            b64 = "".join(_B64_OR_PAD.findall(remainder))
            parts.append(b64)
            count += len(b64)
            total += len(b64)
            extra += len(_NOT_STRAY.sub("", remainder)) + len(_BLANK_RUN.findall(remainder))
        if count:
            scan.widths.append((chunk.line, count))
    scan.invalid_count = len(scan.invalid) + extra
    scan.b64 = "".join(parts)
    body_end = len(scan.b64.rstrip("="))
    scan.inner_padding = [spot for index, spot in pad_spots if index < body_end]
    return scan


def _clean_line(scan: BodyScan, parts: list[str], pad_spots: list[tuple[int, Spot]],
                chunk: Chunk, total: int) -> int:
    """Record a body line that is pure base64 (with its final padding, if any); return
    the new length of ``parts`` joined."""
    text = chunk.text
    body = text.rstrip("=")
    if body:
        parts.append(body)
        total += len(body)
    pads = len(text) - len(body)
    if pads:  # each "=" remembered (up to MAX_SPOTS in all), then added in one piece
        for index in range(min(pads, max(MAX_SPOTS - len(pad_spots), 0))):
            pad_spots.append((total + index,
                              Spot("=", chunk.line, chunk.col + len(body) + index)))
        parts.append("=" * pads)
        total += pads
    if text:
        scan.widths.append((chunk.line, len(text)))
    return total


_described: dict[str, str] = {}


def describe_char(tok: str) -> str:
    """A readable name for a character or escape that does not belong in base64 (memoized:
    a hostile paste repeats the same few characters thousands of times)."""
    name = _described.get(tok)
    if name is None:
        name = _describe_char(tok)
        if len(_described) < 4096:
            _described[tok] = name
    return name


def _describe_char(tok: str) -> str:
    if tok.startswith("&#"):
        return f"'{tok}' (XML character reference)"
    if tok.startswith("\\"):
        return f"'{tok}' (backslash escape)"
    if tok in _CHAR_NAMES:
        name = _CHAR_NAMES[tok]
        return name if name.startswith("'") else f"{name} {tok!r} (U+{ord(tok):04X})"
    import unicodedata  # only when a stray character is named

    try:
        name = unicodedata.name(tok).lower()
    except (ValueError, TypeError):
        name = "control character" if ord(tok) < 32 or ord(tok) == 127 else "character"
    return f"{name} {tok!r} (U+{ord(tok):04X})"


def summarize_spots(spots: list[Spot], limit: int = 6) -> str:
    """``"smart quote '”' (U+201D) at 3:12, 9:1; space at 4:65 (+12 more)"``."""
    by_what: dict[str, list[Spot]] = {}
    for spot in spots:
        by_what.setdefault(spot.what, []).append(spot)
    parts, shown = [], 0
    for what, group_ in by_what.items():
        room = max(1, limit - shown)
        places = ", ".join(f"{s.line}:{s.col}" for s in group_[:room])
        more = f" (+{len(group_) - room} more)" if len(group_) > room else ""
        parts.append(f"{what} at {places}{more}")
        shown += min(room, len(group_))
    return "; ".join(parts)
