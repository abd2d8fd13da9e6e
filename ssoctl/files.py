"""Reading user input and writing output files, safely.

Every command reads its input through :func:`read_source` (a path or ``-`` for stdin, with
a size limit checked before anything is parsed) and writes files through
:func:`write_file` (never overwrites without ``force``; atomic; private mode for secrets).
"""

import os
import sys
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ssoctl.errors import ConfigError, InputError, UsageError

MiB = 1024 * 1024


def stdin_is_tty() -> bool:
    """Whether stdin is a terminal (someone can answer a prompt or is about to type);
    False when it is closed or replaced by an object without a usable ``isatty``."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


class Source(NamedTuple):
    """Bytes read from the user, with a label for messages ("stdin", a path, a URL)."""

    data: bytes
    label: str


def read_source(source: str, *, max_bytes: int, what: str = "input",
                stdin: BinaryIO | None = None) -> Source:
    """Read ``source`` (a path, or ``-`` for stdin) up to ``max_bytes``.

    Raises :class:`InputError` (exit 3) for a missing, unreadable, empty or oversized
    input, with a hint saying what to do.
    """
    if source == "-":
        if stdin is None and sys.stdin is None:  # started with stdin closed (cron, <&-)
            raise InputError(f"cannot read the {what} from stdin: stdin is closed",
                             hint="give a file instead of '-', or pipe the input in",
                             code="INPUT_UNREADABLE")
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        label = "stdin"
    else:
        data = _read_path(Path(source), max_bytes, what)
        label = source
    if len(data) > max_bytes:
        raise InputError(f"{what} exceeds {max_bytes} bytes ({label})",
                         hint="check that this is the right file; ssoctl refuses inputs this large",
                         code="INPUT_TOO_LARGE")
    if not data or data.isspace():  # no stripped copy of a large input
        raise InputError(f"{what} is empty ({label})",
                         hint="give a file with content, or pipe the text into '-'",
                         code="INPUT_EMPTY")
    return Source(data=data, label=label)


def _read_path(path: Path, max_bytes: int, what: str) -> bytes:
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a file",
                             hint=f"give the path of the {what} file", code="INPUT_NOT_A_FILE")
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", hint="check the path (use '-' to read stdin)",
                         code="INPUT_NOT_FOUND") from None
    except PermissionError:
        raise InputError(f"permission denied reading {path}",
                         hint="check the file's permissions", code="INPUT_UNREADABLE") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}",
                         hint="check the path", code="INPUT_UNREADABLE") from None


class DecodedText(NamedTuple):
    """Text decoded from user bytes, with what was noticed on the way."""

    text: str
    encoding: str
    had_bom: bool


def decode_text(data: bytes, *, what: str = "input") -> DecodedText:
    """Decode bytes that a person pasted or saved: UTF-8 (with or without BOM), UTF-16
    with a BOM, or UTF-16 without one (Windows editors), falling back to Latin-1 for
    stray bytes. Raises :class:`InputError` for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return DecodedText(data[3:].decode("utf-8", errors="replace"), "utf-8", True)
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return DecodedText(_text_not_binary(_decode_or_fail(data[2:], enc, what), what),
                               "utf-16", True)
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):
        # UTF-16 without a BOM: every other byte is NUL for ASCII text. Many NULs are also
        # what binary files (and a file of zeros) hold: what does not decode, or decodes
        # to control characters, is binary.
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            # UTF-16 text with a damaged byte (an odd length, a lone surrogate) is a broken
            # text file; what does not even look like text is binary
            _text_not_binary(data[:8192].decode(enc, "replace"), what)
            raise _bad_encoding(what) from None
        return DecodedText(_text_not_binary(text, what), "utf-16", False)
    if b"\x00" in sample or looks_binary(sample):
        raise _binary(what)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError:
        return DecodedText(data.decode("latin-1"), "latin-1", False)


def _binary(what: str) -> InputError:
    return InputError(f"{what} is binary, not text",
                      hint="give the text (PEM/XML) version of the file", code="INPUT_BINARY")


def _text_not_binary(text: str, what: str) -> str:
    """``text`` decoded from UTF-16, unless it is control characters rather than text."""
    sample = text[:4096].encode("utf-8", "replace")
    if b"\x00" in sample or looks_binary(sample):
        raise _binary(what)
    return text


def _decode_or_fail(data: bytes, encoding: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _bad_encoding(what) from None


def _bad_encoding(what: str) -> InputError:
    return InputError(f"{what} looks like UTF-16 but does not decode",
                      hint="save the file as UTF-8 and try again", code="INPUT_BAD_ENCODING")


def looks_binary(sample: bytes) -> bool:
    """True when a byte sample has many control characters (not text)."""
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return controls * 20 > len(sample)


# Control bytes that do not occur in text files: all below 32 except tab, line feed,
# form feed and carriage return; and DEL.
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def write_file(path: str | os.PathLike[str], data: bytes | str, *, force: bool = False,
               private: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + rename).

    Refuses to replace an existing file unless ``force``; ``private`` files (backups,
    anything that may hold secrets) are created with mode 0600.
    """
    target = Path(path)
    if target.is_dir():  # --force replaces a file, never a directory
        raise UsageError(f"{target} is a directory, not a file",
                         hint="give a file name, e.g. " + str(target / "okta.pem"),
                         code="OUTPUT_IS_DIRECTORY")
    if target.exists() and not target.is_file():  # a device, FIFO or socket (/dev/null)
        raise UsageError(f"{target} is not a regular file",
                         hint="give the name of a file to write (to print it instead, "
                              "leave the option out)", code="OUTPUT_NOT_A_FILE")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists",
                         hint="choose another file name or add --force to overwrite it",
                         code="OUTPUT_EXISTS")
    # A lone surrogate from the input (a HAR value, an undecodable file name) cannot be
    # UTF-8; it is written as its visible escape rather than failing the write.
    payload = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    directory = target.parent if str(target.parent) else Path(".")
    try:
        import tempfile  # only writers need it; keeps `check-cert` start-up lean

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write to {directory}: {exc.strerror or exc}",
                         hint="check that the directory exists and is writable",
                         code="OUTPUT_UNWRITABLE") from None
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # a full disk, a directory made meanwhile, a quota
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}",
                             hint="check the path, the disk space and the permissions",
                             code="OUTPUT_UNWRITABLE") from None
        raise
    return target


# ---------------------------------------------------------------- nesting depth

#: How deeply a JSON or TOML document ssoctl reads may nest. A HAR file nests about 8
#: levels, a backup or a configuration 4; Python's parsers and every function that walks
#: the result recurse, so a 3,000-deep document would end in a RecursionError.
MAX_NESTING = 64


class TooDeep(ValueError):
    """A JSON or TOML document nests deeper than :data:`MAX_NESTING` levels."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"it nests deeper than {limit} levels")
        self.limit = limit


def load_json(text: str, *, max_depth: int = MAX_NESTING) -> object:
    """``json.loads`` behind a depth bound. Raises :class:`TooDeep` or ``ValueError`` (not
    JSON).

    The parser itself stops at the interpreter's recursion limit (a ``RecursionError``,
    reported as :class:`TooDeep`); the value it returns is then measured in one iterative
    pass, before anything else walks it. Parsing first costs nothing extra: counting the
    brackets of a 15 MB capture character by character took twice as long as parsing it.
    """
    import json

    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if _value_depth_exceeds(value, max_depth):
        raise TooDeep(max_depth)
    return value


def load_toml(text: str, *, max_depth: int = MAX_NESTING) -> dict:
    """``tomllib.loads`` behind a depth bound: arrays and inline tables are counted before
    parsing, and the parsed tables after it (a dotted key ``a.a.a…`` nests without a
    single bracket). Raises :class:`TooDeep` or ``tomllib.TOMLDecodeError``."""
    import tomllib

    if _bracket_depth_exceeds(text, max_depth, toml=True):
        raise TooDeep(max_depth)
    data = tomllib.loads(text)
    if _value_depth_exceeds(data, max_depth):
        raise TooDeep(max_depth)
    return data


def _bracket_depth_exceeds(text: str, limit: int, *, toml: bool) -> bool:
    """Whether ``[``/``{`` outside strings (and TOML comments) nest deeper than ``limit``.

    One pass, no regular expression, no recursion. Strings are skipped with their quoting
    rules (JSON ``"..."``; TOML also ``'...'``, ``\"\"\"...\"\"\"`` and ``'''...'''``); an
    unterminated string ends the scan (the parser will say what is wrong)."""
    depth = 0
    index, size = 0, len(text)
    find = text.find
    while index < size:
        char = text[index]
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
            index += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
            index += 1
        elif char == '"' or (toml and char == "'"):
            triple = toml and text.startswith(char * 3, index)
            quote = char * 3 if triple else char
            index += len(quote)
            escapes = char == '"'
            while True:
                end = find(quote, index)
                if end < 0:
                    return False
                if escapes:
                    slashes = 0
                    while end - slashes - 1 >= index and text[end - slashes - 1] == "\\":
                        slashes += 1
                    if slashes % 2:  # an escaped quote: keep looking
                        index = end + 1
                        continue
                index = end + len(quote)
                break
            if triple:  # a closing run of four or five quotes ends with the last three
                while index < size and text[index] == char:
                    index += 1
        elif toml and char == "#":
            end = find("\n", index)
            index = size if end < 0 else end + 1
        else:
            index += 1
    return False


def _value_depth_exceeds(value: object, limit: int) -> bool:
    """Whether nested dicts/lists go deeper than ``limit`` (iterative, no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values()
                         if isinstance(child, (dict, list)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item
                         if isinstance(child, (dict, list)))
    return False


def expand_user(path: "str | os.PathLike[str]", *, what: str = "path") -> Path:
    """``path`` with a leading ``~`` or ``~name`` expanded. A ``~name`` this system does not
    know is a :class:`~ssoctl.errors.ConfigError` (exit 2) that says so, not a traceback."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "~name/..." for a user this system does not know
        text = os.fspath(path)
        user = text[1:].split("/", 1)[0].split(os.sep, 1)[0]
        raise ConfigError(f"{what} {text} does not exist",
                          hint=f"there is no user {user!r} on this system; check the path",
                          code="CONFIG") from None


class SecretCodes(NamedTuple):
    """The error codes a caller reports for its secret file (each command family keeps
    its own, documented ones)."""

    missing: str
    unreadable: str
    insecure: str


def read_secret_file(path: str, *, what: str, max_bytes: int, codes: SecretCodes,
                     missing_hint: str = "check the path; create the file with mode 0600"
                     ) -> bytes:
    """Read a secret file (an API token, a private key): a regular file of at most
    ``max_bytes`` that only its owner can read (mode 0600 on POSIX). Anything else is a
    :class:`~ssoctl.errors.ConfigError` that names the file, never its contents.
    """
    import shlex
    import stat

    try:
        target = expand_user(path, what=what)
    except ConfigError as exc:
        raise ConfigError(exc.message, hint=exc.hint, code=codes.missing) from None
    # Opened first, then examined through the open descriptor: nothing can swap the path
    # for a FIFO or a device between the check and the read (O_NONBLOCK: opening a FIFO
    # does not wait for a writer; it makes no difference to reading a regular file).
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        raise ConfigError(f"{what} {target} does not exist", hint=missing_hint,
                          code=codes.missing) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {target}: {exc.strerror or exc}",
                          hint="check the path and permissions", code=codes.unreadable) from None
    # Examined before it is wrapped in a file object, which refuses a directory itself.
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise ConfigError(f"cannot read {what} {target}: {exc.strerror or exc}",
                          hint="check the path and permissions", code=codes.unreadable) from None
    if not stat.S_ISREG(info.st_mode):  # a directory, FIFO or device: never a secret file
        os.close(fd)
        raise ConfigError(f"{what} {target} is not a regular file",
                          hint="give the path of the file itself", code=codes.unreadable)
    with os.fdopen(fd, "rb") as handle:
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"{what} {target} is readable by other users "
                              f"(mode {stat.S_IMODE(info.st_mode):04o})",
                              hint=f"run: chmod 600 {shlex.quote(str(target))}",
                              code=codes.insecure)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read {what} {target}: {exc.strerror or exc}",
                              hint="check the permissions", code=codes.unreadable) from None
    if len(data) > max_bytes:
        raise ConfigError(f"{what} {target} is larger than {max_bytes} bytes",
                          hint="check the path: a token or key file is small",
                          code=codes.unreadable)
    return data
