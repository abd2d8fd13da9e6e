"""Text from hostile input made safe to show and to encode (docs/threat-model.md,
"Terminal and output").

Every value ssoctl prints comes, sooner or later, from something a stranger wrote: a URL
in a HAR file, a certificate subject, an entityID, a NameID. Such a value may carry

* terminal control sequences: ESC (``\\x1b[2J`` clears the screen, OSC 0 sets the window
  title, OSC 8 makes a hidden hyperlink), the 8-bit C1 controls (U+009B is a one-character
  CSI on many terminals), a carriage return that lets a later text overwrite an earlier one;
* bidirectional overrides and isolates (U+202E turns ``gpj.exe`` around), which make a
  value read differently from what it is;
* lone surrogates (``"\\ud800"`` in a JSON file is legal JSON but not Unicode), which no
  UTF-8 encoder accepts.

:func:`visible` is the one function that turns those characters into visible escapes
(``\\x1b``, ``\\x9b``, ``\\u202e``, ``\\ud800``) for a person; the renderer applies it to
every value at its boundary. :func:`json_safe` does the same job for a JSON document. It
escapes the characters the json module leaves raw under ``ensure_ascii=False`` (C1
controls, bidi controls, lone surrogates, the line and paragraph separators) as JSON
``\\uXXXX`` escapes; a JSON text can hold such characters only inside strings, so the
result is the same document, and always encodable as UTF-8.
"""

from __future__ import annotations

import re

#: Bidirectional formatting characters: marks, embeddings, overrides and isolates.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: The characters beyond ASCII every pattern below escapes: C1 controls, bidi controls,
#: line/paragraph separators, lone surrogates.
_WIDE = "\x80-\x9f" + _BIDI + "\u2028\u2029\ud800-\udfff"
#: Characters a person must see as an escape: C0 controls but tab and newline, DEL, and
#: ``_WIDE``; for one-line values (a table cell) tab and newline too; in a JSON text
#: (``json.dumps(..., ensure_ascii=False)`` escapes C0 itself) DEL and ``_WIDE``.
_CLASSES = {"human": "\x00-\x08\x0b-\x1f\x7f", "line": "\x00-\x1f\x7f", "json": "\x7f"}
_COMPILED: dict[tuple[str, bool], "re.Pattern[str]"] = {}
#: Texts are probed with str.isprintable() this many characters at a time (below).
_PROBE_LIMIT = 64 * 1024


def _unsafe(kind: str, text: str) -> "re.Pattern[str] | None":
    """The pattern of ``kind`` for ``text``, or None when ``text`` holds nothing it
    matches. ASCII text is searched with the ASCII part of the class only (the same
    matches). Every character of the wider part is one :meth:`str.isprintable` calls
    unprintable (controls, format characters, separators, surrogates), so text that is
    printable apart from the newlines and tabs a kind keeps needs no search at all. The
    full classes span the surrogate range, which takes Python's regex compiler about a
    millisecond each, so they are compiled only for text that needs them."""
    wide = not text.isascii()
    if wide and _printable(text, kind):
        return None
    pattern = _COMPILED.get((kind, wide))
    if pattern is None:
        pattern = _COMPILED[kind, wide] = re.compile(
            "[" + _CLASSES[kind] + (_WIDE if wide else "") + "]")
    return pattern


def _printable(text: str, kind: str) -> bool:
    """Whether ``text`` is printable apart from the newlines and tabs ``kind`` keeps,
    probed :data:`_PROBE_LIMIT` characters at a time: the probe copies what it looks at,
    so a large document (``--all`` on a capture: megabytes of JSON) is never copied whole."""
    for start in range(0, len(text), _PROBE_LIMIT):
        part = text[start:start + _PROBE_LIMIT]  # the text itself when it is short
        if kind != "line" and "\n" in part:
            part = part.replace("\n", "")
        if kind == "human" and "\t" in part:
            part = part.replace("\t", "")
        if not part.isprintable():
            return False
    return True


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control, bidi and surrogate character shown as a backslash
    escape; tab and newline stay (unless ``one_line``). Printable text, including any
    non-Latin script, is unchanged."""
    pattern = _unsafe("line" if one_line else "human", text)
    if pattern is None or pattern.search(text) is None:  # the common case: no copy
        return text
    return pattern.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(document: str) -> str:
    """A JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with C1
    controls, DEL, bidi controls, U+2028/U+2029 and lone surrogates written as
    ``\\uXXXX`` escapes: the same JSON value, safe on a terminal, encodable as UTF-8."""
    pattern = _unsafe("json", document)
    if pattern is None or pattern.search(document) is None:
        return document
    return pattern.sub(_json_escape, document)


def encodable(text: str) -> str:
    """``text`` with lone surrogates escaped (``\\ud800``), for a file or a stream that
    encodes as UTF-8; everything else unchanged."""
    if text.isascii():
        return text
    pattern = _COMPILED.get(("surrogate", True))
    if pattern is None:
        pattern = _COMPILED["surrogate", True] = re.compile("[\ud800-\udfff]")
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


# ---------------------------------------------------------------- back-quoted spans

#: (space before, word) pairs, as ``WORDS.findall(text)`` gives them: the pieces the
#: screen renderer and the help layout wrap between.
WORDS = re.compile(r"(\s*)(\S+)")
#: The ` that closes a quoted span ends its word (before punctuation).
_CLOSING = re.compile(r"`[,;:.)!?]*$")


def backquoted_end(words: "list[tuple[str, str]]", i: int) -> int | None:
    """Index of the word that closes the back-quoted span opening at word ``i`` (a
    command to copy, `` `ssoctl check-cert 'a` b.pem' --fix` ``), ``i`` itself when it
    does not close; None when word ``i`` opens no span. ``words`` as :data:`WORDS` finds them.
    A ` inside a shell-quoted part ('...', or "'" as shlex writes an apostrophe) is part
    of a file name, not the end."""
    if not words[i][1].startswith("`"):
        return None
    quote = ""  # the shell quote open at this point of the span: "", "'" or '"'
    for j in range(i, len(words)):
        text = words[j][1][1:] if j == i else words[j][1]
        closing = _CLOSING.search(text)
        for char in text[:closing.start()] if closing else text:
            if char == quote:
                quote = ""
            elif not quote and char in "'\"":
                quote = char
        if closing and not quote:
            return j
    return i


# ---------------------------------------------------------------- values to type

def invisible_escaped(text: str) -> str | None:
    """``text`` with each character that is not printable -- a control, a line break, a
    bidi or zero-width character, a space other than the plain one -- written as its
    escape (``\\t``, ``\\u200b``), other text as it is (``bücher`` stays); None when
    there is none. For the values a person types or pastes into another screen (an entity
    ID, an SSO or ACS URL), where such a character cannot be seen and breaks the match."""
    if text.isprintable():
        return None
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


__all__ = ["WORDS", "backquoted_end", "encodable", "invisible_escaped", "json_safe", "visible"]
