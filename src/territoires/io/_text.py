"""Reading files as bytes and text, turning every failure into a problem."""

from __future__ import annotations

import codecs
from pathlib import Path

from territoires.problems import Problem, ProblemCode

__all__ = ["ReadFailure", "decode_text", "line_and_column", "read_bytes"]

_SNIFF = 65536


class ReadFailure(Exception):
    """Internal: a file cannot be read at all; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(code: ProblemCode, message: str, file: str, expected: str | None = None) -> ReadFailure:
    return ReadFailure(Problem(code=code, message=message, file=file, expected=expected))


def read_bytes(path: Path) -> bytes:
    """Return the content of ``path``, refusing missing, empty and binary files.

    Raises:
        ReadFailure: with the problem to report.
    """
    label = str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise _fail(
            ProblemCode.UNREADABLE, "is a directory without datapackage.json", label
        ) from None
    except FileNotFoundError:
        raise _fail(ProblemCode.UNREADABLE, "no such file", label) from None
    except OSError as exc:
        raise _fail(ProblemCode.UNREADABLE, f"cannot be read: {exc.strerror}", label) from None
    check_not_empty_or_binary(data, label)
    return data


def check_not_empty_or_binary(data: bytes, label: str) -> None:
    """Raise :class:`ReadFailure` for an empty file or one that is not text."""
    if not data.strip():
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
    """Return the 1-based line and column of byte ``offset`` in ``data``."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def decode_text(data: bytes, label: str, encoding: str | None = None) -> str:
    """Decode ``data`` as UTF-8 (with or without BOM), or as the declared ``encoding``.

    Raises:
        ReadFailure: the bytes are not valid in the encoding; the problem gives the line.
    """
    name = encoding or "utf-8"
    if name.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        name = "utf-8-sig"
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
