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
#: Characters a person must see as an escape: C0 controls but tab and newline, DEL, C1
#: controls, bidi controls, line/paragraph separators, lone surrogates.
_UNSAFE_HUMAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029"
                           "\ud800-\udfff]")
#: The same, for one-line values (a table cell): tab and newline escaped too.
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029\ud800-\udfff]")
#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw but must not (it escapes C0).
_UNSAFE_JSON = re.compile("[\x7f-\x9f" + _BIDI + "\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control, bidi and surrogate character shown as a backslash
    escape; tab and newline stay (unless ``one_line``). Printable text, including any
    non-Latin script, is unchanged."""
    pattern = _UNSAFE_LINE if one_line else _UNSAFE_HUMAN
    if pattern.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return pattern.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(document: str) -> str:
    """A JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with C1
    controls, DEL, bidi controls, U+2028/U+2029 and lone surrogates written as
    ``\\uXXXX`` escapes: the same JSON value, safe on a terminal, encodable as UTF-8."""
    if _UNSAFE_JSON.search(document) is None:
        return document
    return _UNSAFE_JSON.sub(_json_escape, document)


def encodable(text: str) -> str:
    """``text`` with lone surrogates escaped (``\\ud800``), for a file or a stream that
    encodes as UTF-8; everything else unchanged."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_escape, text)


_SURROGATE = re.compile("[\ud800-\udfff]")

__all__ = ["encodable", "json_safe", "visible"]
