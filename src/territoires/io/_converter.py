"""The project's cattrs converter and the translation of its errors into problems."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_unstructure_fn, override

from territoires._enum import LabelledEnum
from territoires.exceptions import InvalidValueError, did_you_mean
from territoires.model._validators import IDENTIFIER
from territoires.model.columns import Participations
from territoires.model.person import Participation
from territoires.problems import Problem, ProblemCode, format_value

__all__ = ["FieldError", "make_converter", "problems_from", "structure_records"]

T = TypeVar("T")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


class FieldError(ValueError):
    """A value that cannot be turned into the type a field expects.

    Args:
        code: Stable problem code.
        message: What is wrong.
        value: The offending value.
        expected: What was expected.
    """

    def __init__(self, code: ProblemCode, message: str, value: object, expected: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value
        self.expected = expected


def _type_name(value: object) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a text",
        bool: "a boolean",
        type(None): "null",
    }
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _wrong_type(value: object, expected: str) -> FieldError:
    return FieldError(
        ProblemCode.WRONG_TYPE, f"expected {expected}, got {_type_name(value)}", value, expected
    )


# -- leaf hooks ---------------------------------------------------------------------------------


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise _wrong_type(value, "a text")
    return value


def _structure_int(value: object, _: type) -> int:
    if type(value) is not int:
        raise _wrong_type(value, "a whole number")
    return value


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(value, "true or false")
    return value


def _structure_decimal(value: object, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    expected = "a decimal number such as 1250.50 (a JSON number or a string)"
    if isinstance(value, str):
        raise FieldError(
            ProblemCode.INVALID_NUMBER, f"{format_value(value)} is not a number", value, expected
        )
    raise _wrong_type(value, expected)


def _structure_date(value: object, _: type) -> dt.date:
    expected = "a date as YYYY-MM-DD"
    if not isinstance(value, str):
        raise _wrong_type(value, expected)
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            message = f"{format_value(value)} is not a calendar date"
    else:
        # JSON dates are ISO 8601 only (DD/MM/YYYY is a spreadsheet habit, accepted in CSV).
        message = f"{format_value(value)} is not a date written YYYY-MM-DD (as 2021-09-01)"
    raise FieldError(ProblemCode.INVALID_DATE, message, value, expected)


def enum_error(enum_type: type[LabelledEnum], value: object) -> FieldError:
    """Return the error for a value that is not one of ``enum_type``'s values."""
    allowed = ", ".join(enum_type.values())
    noun = re.sub(r"(?<!^)(?=[A-Z])", " ", enum_type.__name__).lower()
    return FieldError(
        ProblemCode.UNKNOWN_ENUM,
        f"{format_value(value)} is not an allowed {noun} (allowed: {allowed})",
        value,
        f"one of {allowed}",
    )


def _structure_enum(value: object, enum_type: type[LabelledEnum]) -> LabelledEnum:
    if not isinstance(value, str):
        raise _wrong_type(value, f"one of {', '.join(enum_type.values())}")
    member = enum_type._value2member_map_.get(value)
    if member is None:
        raise enum_error(enum_type, value)
    assert isinstance(member, enum_type)
    return member


# -- collections --------------------------------------------------------------------------------


def _sequence_hook(
    converter: cattrs.Converter, collection: type, item_type: Any
) -> Callable[[Any, Any], Any]:
    item_hook = converter.get_structure_hook(item_type)
    expected = "a list"

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, list):
            raise _wrong_type(value, expected)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, raw in enumerate(value):
            try:
                items.append(item_hook(raw, item_type))
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring @ index {index}", index, item_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError("While structuring a list", errors, collection)
        return collection(items)

    return structure


def _is_homogeneous_collection(type_: Any) -> bool:
    origin = get_origin(type_)
    args = get_args(type_)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin is frozenset


def _collection_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(type_: Any) -> Callable[[Any, Any], Any]:
        origin = get_origin(type_)
        item_type = get_args(type_)[0]
        return _sequence_hook(converter, tuple if origin is tuple else frozenset, item_type)

    return factory


# -- attrs classes: every problem of a record at once -------------------------------------------


def _attribute_note(cls: type, name: str, type_: Any) -> AttributeValidationNote:
    return AttributeValidationNote(
        f"Structuring class {cls.__qualname__} @ attribute {name}", name, type_
    )


def _class_hook(converter: cattrs.Converter, cls: type[T]) -> Callable[[Any, Any], T]:
    """Structure ``cls`` reporting unknown keys, missing fields, wrong values and broken invariants.

    Each field is structured on its own, so one bad field does not hide the next; then the
    class's own validators run one by one on what could be structured. Only when everything
    passes is the instance built (validated exactly once, without running ``__init__``
    twice).
    """
    attrs.resolve_types(cls)  # type: ignore[type-var]
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    init_fields = [a for a in fields if a.init]
    hooks = {a.name: converter.get_structure_hook(a.type) for a in init_fields}
    known = ", ".join(a.name for a in init_fields)
    new = object.__new__
    setattr_ = object.__setattr__

    def default_of(a: attrs.Attribute[Any], owner: Any) -> Any:
        default: Any = a.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            # A default derived from other fields (a target's kind from its year) sees the
            # values structured so far, None for those that could not be.
            return default.factory(owner) if default.takes_self else default.factory()
        return default

    def structure(data: Any, _: Any) -> T:
        if not isinstance(data, dict):
            raise _wrong_type(data, f"an object ({cls.__name__})")
        errors: list[Exception] = []
        values: dict[str, Any] = {}
        for key in data:
            if key not in hooks:
                error = FieldError(
                    ProblemCode.UNKNOWN_FIELD,
                    f"unknown field {format_value(key)} in {cls.__name__}"
                    + did_you_mean(str(key), hooks),
                    data[key],
                    f"one of {known}",
                )
                error.__notes__ = [_attribute_note(cls, str(key), None)]
                errors.append(error)
        for a in init_fields:
            name = a.name
            if name in data:
                try:
                    values[name] = hooks[name](data[name], a.type)
                except Exception as exc:
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        _attribute_note(cls, name, a.type),
                    ]
                    errors.append(exc)
            elif a.default is attrs.NOTHING:
                error = FieldError(
                    ProblemCode.MISSING_FIELD,
                    f"required field {name!r} of {cls.__name__} is missing",
                    None,
                    f"a value for {name}",
                )
                error.__notes__ = [_attribute_note(cls, name, a.type)]
                errors.append(error)
            else:
                values[name] = default_of(
                    a, types.SimpleNamespace(**{f.name: values.get(f.name) for f in fields})
                )
        # Run the invariants on whatever could be structured, so a user sees them all now.
        candidate: Any = types.SimpleNamespace(**{a.name: values.get(a.name) for a in fields})
        if not errors:
            candidate = new(cls)
            for a in fields:
                setattr_(candidate, a.name, values[a.name] if a.init else default_of(a, candidate))
        for a in init_fields:
            if a.validator is None or a.name not in values:
                continue
            try:
                a.validator(candidate, a, values[a.name])
            except (ValueError, TypeError) as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    _attribute_note(cls, a.name, a.type),
                ]
                errors.append(exc)
        if errors:
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)
        return candidate  # type: ignore[no-any-return]

    return structure


def _is_frozenset(type_: Any) -> bool:
    return type_ is frozenset or get_origin(type_) is frozenset


def make_converter() -> cattrs.Converter:
    """Build the converter of the territoires file format (``schema: territoires/1``).

    Rules:

    * dates are ISO 8601 strings (``2019-06-12``);
    * amounts are ``Decimal`` euros, written as strings (``"300000.00"``) and read from strings
      or JSON numbers, never through floats;
    * enumerations are written as their stable value (``"refugee"``) and read back strictly;
    * tuples and frozensets are JSON lists (frozensets sorted, so files are stable);
    * fields equal to their default are omitted on output; unknown fields are errors on input;
    * texts, whole numbers and booleans are never coerced from another JSON type;
    * every record is structured field by field, so all of its problems are reported at once,
      as a ``cattrs`` ``ClassValidationError`` tree, which becomes
      :class:`~territoires.Problem` objects with field paths.

    The global cattrs converter is never touched.

    .. versionadded:: 0.1
    """
    converter = cattrs.Converter(detailed_validation=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, LabelledEnum), _structure_enum
    )
    converter.register_structure_hook_factory(
        _is_homogeneous_collection, _collection_factory(converter)
    )
    converter.register_structure_hook_factory(attrs.has, lambda cls: _class_hook(converter, cls))

    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_unstructure_hook(Decimal, lambda d: format(d, "f"))
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, LabelledEnum), lambda e: e.value
    )
    converter.register_unstructure_hook_func(
        _is_frozenset, lambda s: sorted(converter.unstructure(item) for item in s)
    )

    def unstructure_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        attrs.resolve_types(cls)
        overrides: dict[str, Any] = {
            a.name: override(omit=True) for a in attrs.fields(cls) if not a.init
        }
        return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)

    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    # Participations (columns behind a sequence) are a list of records in files.
    converter.register_unstructure_hook(
        Participations, lambda rows: [converter.unstructure(row, Participation) for row in rows]
    )
    converter.register_structure_hook(
        Participations,
        lambda value, _: Participations(converter.structure(value, tuple[Participation, ...])),
    )
    return converter


# -- errors to problems -------------------------------------------------------------------------


def _render(path: list[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _walk(
    exc: BaseException, path: list[str | int]
) -> Iterator[tuple[list[str | int], BaseException]]:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        for sub in exc.exceptions:
            step: list[str | int] = []
            for note in getattr(sub, "__notes__", []):
                if isinstance(note, AttributeValidationNote):
                    step = [note.name]
                elif isinstance(note, IterableValidationNote):
                    step = [note.index]
            yield from _walk(sub, path + step)
    else:
        yield path, exc


def problems_from(
    exc: BaseException, *, record: str | None, prefix: list[str | int], file: str | None = None
) -> list[Problem]:
    """Turn a structuring error tree into problems, one per leaf cause.

    Args:
        exc: The error raised by the converter.
        record: The record the problems belong to (its id, or ``line N``).
        prefix: Path of the record from the document root, e.g. ``["contracts", 3]``.
        file: The file being read.
    """
    problems: list[Problem] = []
    for path, cause in _walk(exc, list(prefix)):
        if isinstance(cause, FieldError):
            code, message, value, expected = cause.code, cause.message, cause.value, cause.expected
        elif isinstance(cause, InvalidValueError):
            code = ProblemCode.from_value(cause.code)
            message = f"{cause.expected}, got {format_value(cause.value)}"
            value, expected = cause.value, cause.expected
        else:
            code, message, value, expected = ProblemCode.INVALID_VALUE, str(cause), None, None
        problems.append(
            Problem(
                code=code,
                message=message,
                file=file,
                record=record,
                field=_render(path) or None,
                value=None if value is None else format_value(value),
                expected=expected,
            )
        )
    return problems


def structure_records(
    converter: cattrs.Converter,
    records: object,
    cls: type[T],
    table: str,
    problems: list[Problem],
    file: str | None,
) -> tuple[T, ...]:
    """Structure a list of records of ``cls``, appending every problem to ``problems``.

    Records with problems are left out of the result; the caller decides what a partial
    result is worth (:func:`territoires.load` refuses it).
    """
    if not isinstance(records, list):
        problems.append(
            Problem(
                code=ProblemCode.WRONG_TYPE,
                message=f"{table} must be a list of objects, got {_type_name(records)}",
                file=file,
                field=table,
                expected="a list",
            )
        )
        return ()
    hook = converter.get_structure_hook(cls)
    out: list[T] = []
    for index, raw in enumerate(records):
        try:
            out.append(hook(raw, cls))
        except (ClassValidationError, FieldError) as exc:
            key = raw.get("id", raw.get("code")) if isinstance(raw, dict) else None
            # Only a well-formed id names the record: a refused one may be a person's name.
            well_formed = isinstance(key, str) and IDENTIFIER.fullmatch(key) is not None
            record = key if well_formed else f"{table}[{index}]"
            problems.extend(problems_from(exc, record=record, prefix=[table, index], file=file))
    return tuple(out)
