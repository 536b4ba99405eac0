"""The publication ledger as a file (``territoires-ledger/1``), and the fingerprint of a dataset.

The file is JSON: the releases oldest first, each with its cells one a line, so that a
history reads and diffs well. Each release records the digest of the ledger before it
(``previous``): removing or editing a release breaks the chain, and reading refuses it.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, TextIO

import cattrs
import msgspec

from territoires.io._converter import problems_from
from territoires.io._json import syntax_problem
from territoires.io._strict import depth_problem, duplicate_key_problems, walk_keys
from territoires.model.dataset import Dataset
from territoires.problems import Problem, ProblemCode
from territoires.publication import Ledger

__all__ = ["LEDGER_SCHEMA", "digest", "fingerprint", "read_ledger", "write_ledger"]

LEDGER_SCHEMA = "territoires-ledger/1"

_ENCODER = msgspec.json.Encoder()
_PLAIN = msgspec.json.Decoder()


def write_ledger(ledger: Ledger, stream: TextIO, converter: cattrs.Converter) -> None:
    """Write ``ledger``: the same ledger always gives the same text."""
    stream.write("{\n")
    stream.write(f'  "schema": "{LEDGER_SCHEMA}",\n  "releases": [')
    for number, release in enumerate(converter.unstructure(ledger)["releases"]):
        cells = release.pop("cells")
        head = _ENCODER.encode(release).decode("utf-8")
        stream.write(",\n" if number else "\n")
        stream.write(f'    {head[:-1]}, "cells": [')
        for index, cell in enumerate(cells):
            stream.write(",\n      " if index else "\n      ")
            shown = {key: value for key, value in cell.items() if value not in (None, [])}
            stream.write(_ENCODER.encode(shown).decode("utf-8"))
        stream.write("\n    ]}" if cells else "]}")
    stream.write("\n  ]\n}\n" if ledger.releases else "]\n}\n")


def digest(ledger: Ledger, converter: cattrs.Converter) -> str:
    """The fingerprint of ``ledger``'s text: what the next release records as ``previous``."""
    text = io.StringIO()
    write_ledger(ledger, text, converter)
    return "sha256:" + hashlib.sha256(text.getvalue().encode("utf-8")).hexdigest()


def read_ledger(
    data: bytes, label: str, converter: cattrs.Converter
) -> tuple[Ledger | None, list[Problem]]:
    """Read a ledger; return it, or None and every problem (an edited history included)."""
    try:
        document = _PLAIN.decode(data)
    except RecursionError:
        return None, [depth_problem(label)]
    except msgspec.DecodeError as exc:
        return None, [syntax_problem(data, exc, label)]
    if walk_keys(document)[2]:
        return None, [depth_problem(label)]
    repeated = duplicate_key_problems(data, label)
    if repeated:
        return None, repeated
    if not isinstance(document, dict) or document.get("schema") != LEDGER_SCHEMA:
        return None, [
            Problem(
                code=ProblemCode.UNSUPPORTED_SCHEMA,
                message=f"not a publication ledger: expected schema {LEDGER_SCHEMA!r}",
                file=label,
                field="schema",
                expected=LEDGER_SCHEMA,
            )
        ]
    body: dict[str, Any] = {k: v for k, v in document.items() if k != "schema"}
    try:
        ledger = converter.structure(body, Ledger)
    except Exception as exc:
        return None, problems_from(exc, record=None, prefix=[], file=label)
    broken = _broken_chain(ledger, label, converter)
    return (None, broken) if broken else (ledger, [])


def _broken_chain(ledger: Ledger, label: str, converter: cattrs.Converter) -> list[Problem]:
    """The problem of a release that does not follow the releases recorded before it."""
    for number, release in enumerate(ledger.releases):
        expected = digest(Ledger(ledger.releases[:number]), converter) if number else None
        if release.previous != expected:
            return [
                Problem(
                    code=ProblemCode.INVALID_VALUE,
                    message=f"release {number + 1} does not follow the releases before it: "
                    "the ledger's history was edited or a release removed",
                    file=label,
                    record=f"releases[{number}]",
                    field=f"releases[{number}].previous",
                    value=release.previous,
                    expected=expected or "none for the first release",
                )
            ]
    return []


class _Hashing:
    """A text stream that hashes what is written to it."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, text: str) -> int:
        self.hash.update(text.encode("utf-8"))
        return len(text)


def fingerprint(dataset: Dataset, converter: cattrs.Converter) -> str:
    """The fingerprint of ``dataset``: the SHA-256 of its ``territoires/1`` document."""
    from territoires.io._json import write_json

    stream = _Hashing()
    write_json(dataset, stream, converter)  # type: ignore[arg-type]
    return "sha256:" + stream.hash.hexdigest()
