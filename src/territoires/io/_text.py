"""Reading files as bytes and text, turning every failure into a problem.

Files are checked before they are read: only regular files are opened (a named pipe would
wait forever for a writer, ``/dev/zero`` never ends), their size is bounded by
:data:`territoires.limits.MAX_FILE_BYTES`, and the lines of a table by
:data:`territoires.limits.MAX_LINE_BYTES` (a file of one long line is refused after reading
its first mebibyte).
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from territoires import limits
from territoires.problems import Problem, ProblemCode

__all__ = ["ReadFailure", "check_regular_file", "decode_text", "line_and_column", "read_bytes"]

_SNIFF = 65536


class ReadFailure(Exception):
    """Internal: a file cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(
    code: ProblemCode,
    message: str,
    file: str,
    expected: str | None = None,
    record: str | None = None,
) -> ReadFailure:
    return ReadFailure(
        Problem(code=code, message=message, file=file, expected=expected, record=record)
    )


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_regular_file(path: Path) -> int:
    """Return the size of ``path``, a regular file, checked before anything opens it.

    Raises:
        ReadFailure: the path is missing, a directory, not a regular file (a named pipe
            would wait forever, ``/dev/zero`` never ends) or larger than
            :data:`~territoires.limits.MAX_FILE_BYTES`.
    """
    label = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _fail(ProblemCode.UNREADABLE, "no such file", label) from None
    except OSError as exc:
        raise _fail(ProblemCode.UNREADABLE, f"cannot be read: {exc.strerror}", label) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise _fail(ProblemCode.UNREADABLE, "is a directory without datapackage.json", label)
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise _fail(
            ProblemCode.UNREADABLE,
            f"is {kind}, not a file: territoires reads regular files only",
            label,
            "a regular file",
        )
    if info.st_size > limits.MAX_FILE_BYTES:
        raise _fail(
            ProblemCode.TOO_LARGE,
            f"the file has {info.st_size:,} bytes, more than the {limits.MAX_FILE_BYTES:,} "
            "territoires reads (territoires.limits.MAX_FILE_BYTES)",
            label,
            f"a file of at most {limits.MAX_FILE_BYTES:,} bytes",
        )
    return info.st_size


def _long_line(data: bytes, start: int = 0) -> int | None:
    """The offset of a window of ``MAX_LINE_BYTES`` bytes holding no line end, if any.

    Windows are aligned, so a line of more than twice the limit is always found; each
    ``find`` stops at the first line end of its window, so a table costs a few calls per
    mebibyte.
    """
    size = limits.MAX_LINE_BYTES
    for offset in range(start, len(data) - size + 1, size):
        end = offset + size
        if data.find(b"\n", offset, end) == -1 and data.find(b"\r", offset, end) == -1:
            return offset
    return None


def _line_too_long(data: bytes, offset: int, label: str) -> ReadFailure:
    line, _ = line_and_column(data, offset)
    return _fail(
        ProblemCode.LINE_TOO_LONG,
        f"line {line} is longer than {limits.MAX_LINE_BYTES:,} bytes; this is not a table",
        label,
        "rows of a CSV table",
        f"line {line}",
    )


def read_bytes(path: Path, *, lines: bool = False) -> bytes:
    """Return the content of ``path``, refusing missing, empty, binary and oversized files.

    Args:
        path: The file.
        lines: The file is a table, read line by line: a line longer than
            :data:`~territoires.limits.MAX_LINE_BYTES` is refused, the first one before
            the rest of the file is read.

    Raises:
        ReadFailure: with the problem to report.
    """
    label = str(path)
    check_regular_file(path)
    try:
        with open(path, "rb") as stream:
            if lines:
                head = stream.read(limits.MAX_LINE_BYTES + 1)
                offset = _long_line(head)
                if offset is not None:
                    raise _line_too_long(head, offset, label)
                stream.seek(0)
            data = stream.read(limits.MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise _fail(
            ProblemCode.UNREADABLE, "is a directory without datapackage.json", label
        ) from None
    except FileNotFoundError:
        raise _fail(ProblemCode.UNREADABLE, "no such file", label) from None
    except MemoryError:
        raise _fail(
            ProblemCode.TOO_LARGE, "the file is too large for the memory available", label
        ) from None
    except OSError as exc:
        raise _fail(ProblemCode.UNREADABLE, f"cannot be read: {exc.strerror}", label) from None
    if len(data) > limits.MAX_FILE_BYTES:  # it grew since it was measured
        raise _fail(
            ProblemCode.TOO_LARGE,
            f"the file has more than {limits.MAX_FILE_BYTES:,} bytes "
            "(territoires.limits.MAX_FILE_BYTES)",
            label,
        )
    check_not_empty_or_binary(data, label)
    if lines:
        offset = _long_line(data, limits.MAX_LINE_BYTES)
        if offset is not None:
            raise _line_too_long(data, offset, label)
    return data


def check_not_empty_or_binary(data: bytes, label: str) -> None:
    """Raise :class:`ReadFailure` for an empty file or one that is not text."""
    if not data or data.isspace():  # not data.strip(): no copy of a large file
        raise _fail(ProblemCode.EMPTY_FILE, "the file is empty", label, "a non-empty file")
    head = data[:_SNIFF]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(
            ProblemCode.ENCODING,
            "the file is in UTF-16; save it as UTF-8",
            label,
            "UTF-8 text",
        )
    if b"\x00" in head:
        raise _fail(
            ProblemCode.BINARY_FILE,
            "the file is binary (a spreadsheet, an archive?), not text; export it as CSV or JSON",
            label,
            "a UTF-8 text file",
        )


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of byte ``offset`` in ``data``.

    Lines end with LF, CRLF or a lone CR (old Macintosh files), as the readers split them.
    """
    offset = max(0, min(offset, len(data)))
    line = (
        data.count(b"\n", 0, offset)
        + data.count(b"\r", 0, offset)
        - data.count(b"\r\n", 0, offset)
        + 1
    )
    start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def decode_text(data: bytes, label: str, encoding: str | None = None) -> str:
    """Decode ``data`` as UTF-8 (with or without BOM), or as the declared ``encoding``.

    A file starting with the UTF-8 byte-order mark is UTF-8 whatever the declared encoding
    (Excel's "CSV UTF-8" writes one; read as cp1252 it would become ``ï»¿`` in the first
    column's name): it is read as UTF-8, or refused with a problem saying so.

    Raises:
        ReadFailure: the bytes are not valid in the encoding; the problem gives the line.
    """
    name = encoding or "utf-8"
    if name.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        name = "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF8):
        try:
            codecs.lookup(name)
        except LookupError:
            raise _fail(ProblemCode.ENCODING, f"unknown encoding {encoding!r}", label) from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line, column = line_and_column(data, exc.start)
            raise _fail(
                ProblemCode.ENCODING,
                f"the file starts with a UTF-8 byte-order mark but is declared {encoding}, "
                f"and byte {data[exc.start : exc.start + 1]!r} at line {line}, column "
                f"{column} is not UTF-8: save it again in one encoding",
                label,
                "UTF-8 text (with a byte-order mark) or text without one",
                f"line {line}",
            ) from None
    try:
        return data.decode(name)
    except LookupError:
        raise _fail(ProblemCode.ENCODING, f"unknown encoding {encoding!r}", label) from None
    except UnicodeDecodeError as exc:
        line, column = line_and_column(data, exc.start)
        hint = (
            "; if the file comes from Excel on Windows, declare its encoding as cp1252"
            if encoding is None
            else ""
        )
        raise ReadFailure(
            Problem(
                code=ProblemCode.ENCODING,
                message=f"byte {data[exc.start : exc.start + 1]!r} at line {line}, column "
                f"{column} is not valid {name.replace('-sig', '')}{hint}",
                file=label,
                record=f"line {line}",
                expected=f"{name.replace('-sig', '')} text",
            )
        ) from None
