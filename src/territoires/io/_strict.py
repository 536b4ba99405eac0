"""Strict JSON: duplicate keys and nesting depth, which the fast decoders let through.

msgspec and the standard ``json`` module keep the last value of a key given twice in an
object, silently; both raise ``RecursionError`` on documents nested about a thousand levels
deep. This module finds every repeated key with the path of its object, and bounds the depth
(:data:`territoires.limits.MAX_DEPTH`), so that readers report both as problems.

Finding repeated keys decodes the document a second time with the standard library, keeping
each object's pairs: readers call it on small documents, or when a cheap count says a large
document may hold one (see :func:`territoires.io._json.read_json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from territoires import limits
from territoires.model._validators import IDENTIFIER
from territoires.problems import Problem, ProblemCode, format_value, too_many

__all__ = ["depth_problem", "duplicate_key_problems", "too_deep", "walk_keys"]


class _Repeated(dict[str, Any]):
    """An object of the document in which some keys appear more than once."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    marked = _Repeated(value)
    seen: set[str] = set()
    marked.repeated = []
    for key, _ in pairs:
        if key in seen and key not in marked.repeated:
            marked.repeated.append(key)
        seen.add(key)
    return marked


def _render(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _marked(document: Any) -> Iterator[tuple[tuple[str | int, ...], _Repeated]]:
    """Yield ``(path, object)`` for every object with repeated keys, in document order."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Repeated):
                yield path, value
            stack.extend(((*path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))


def _record(path: tuple[str | int, ...], document: Any) -> str | None:
    """The record a path lies in: its well-formed id, else ``table[index]``."""
    if len(path) < 2 or not isinstance(path[0], str) or not isinstance(path[1], int):
        return None
    try:
        raw = document[path[0]][path[1]]
    except (KeyError, IndexError, TypeError):
        return None
    key = raw.get("id", raw.get("code")) if isinstance(raw, dict) else None
    if isinstance(key, str) and IDENTIFIER.fullmatch(key) is not None:
        return key
    return _render(path[:2])


def duplicate_key_problems(text: str | bytes, label: str) -> list[Problem]:
    """Return one problem per key repeated in an object of the JSON ``text``.

    ``text`` must be valid JSON (callers decode it first); a document nested too deeply to
    be decoded gives the depth problem instead.
    """
    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_float=Decimal)
    except RecursionError:
        return [depth_problem(label)]
    except ValueError:
        return []  # not JSON: the caller's decoder reports it
    problems: list[Problem] = []
    count = 0
    for path, value in _marked(document):
        for key in value.repeated:
            count += 1
            if count > limits.MAX_PROBLEMS:
                continue
            where = _render(path)
            problems.append(
                Problem(
                    code=ProblemCode.DUPLICATE_KEY,
                    message=f"key {format_value(key)} appears more than once in "
                    f"{'the object ' + where if where else 'the document'}; only one value "
                    "can be kept",
                    file=label,
                    # A repeated id cannot name its record: which one would it be?
                    record=_render(path[:2])
                    if key in ("id", "code") and len(path) == 2
                    else _record(path, document),
                    field=_render((*path, key)),
                    expected="each key once per object",
                )
            )
    if count > limits.MAX_PROBLEMS:
        problems.append(too_many(count - limits.MAX_PROBLEMS, label))
    return problems


def depth_problem(label: str, what: str = "the document") -> Problem:
    """The problem of a JSON text nested deeper than :data:`~territoires.limits.MAX_DEPTH`."""
    return Problem(
        code=ProblemCode.TOO_DEEP,
        message=f"{what} nests arrays and objects more than {limits.MAX_DEPTH} levels deep",
        file=label,
        expected=f"at most {limits.MAX_DEPTH} levels of nesting (a territoires document "
        "needs about 10)",
    )


def walk_keys(value: Any, depth: int = 0) -> tuple[int, int, bool]:
    """Count the keys of every object in ``value`` and the colons in its texts.

    Returns:
        ``(keys, colons, too_deep)``: the number of keys (after decoding, so each repeated
        key counts once), the number of ``:`` in keys and texts, and whether some value lies
        deeper than :data:`~territoires.limits.MAX_DEPTH` (starting at ``depth``).
    """
    keys = colons = 0
    limit = limits.MAX_DEPTH
    stack: list[tuple[Any, int]] = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            colons += item.count(":")
        elif isinstance(item, dict):
            if level >= limit:
                return keys, colons, True
            keys += len(item)
            for key, inner in item.items():
                colons += key.count(":")
                stack.append((inner, level + 1))
        elif isinstance(item, list):
            if level >= limit:
                return keys, colons, True
            stack.extend((inner, level + 1) for inner in item)
    return keys, colons, False


def too_deep(value: Any) -> bool:
    """Whether ``value``, decoded from JSON, nests deeper than the limit."""
    return walk_keys(value)[2]
