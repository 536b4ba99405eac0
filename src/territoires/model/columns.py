"""Participations held as typed columns, and the sequence of objects built from them.

A national consolidation holds millions of participations. Held as one frozen
:class:`~territoires.Participation` object each, they cost about 900 MB per million rows and
seconds to build before anything is computed. Inside a :class:`~territoires.Dataset` they are
held instead as :class:`ParticipationColumns`: one NumPy array per field, enumerations and
action ids as small integer codes, dates as day numbers. ``dataset.participations`` is a
:class:`Participations` sequence that builds each :class:`~territoires.Participation` only
when you reach it (by iterating or indexing), with the same values and types as before.

Loaders, validation, indicators and the report read the columns directly. A calculator of
your own may too (:attr:`IndicatorInput.columns <territoires.IndicatorInput.columns>`).

Columns are read-only: every array is flagged not writeable, so that a dataset stays as
frozen as its records.

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, SupportsIndex, overload

import attrs
import numpy as np
import numpy.typing as npt

from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    EmploymentOutcome,
    FrenchLevel,
    HousingOutcome,
    Sex,
)
from territoires.model.person import Participation

__all__ = ["NO_DATE", "Coded", "ColumnsBuilder", "ParticipationColumns", "Participations"]

Codes = npt.NDArray[np.int32]
Days = npt.NDArray[np.int32]
Texts = npt.NDArray[Any]  # of texts (StringDType)

NO_DATE: Final = 0
"""The day number of a missing date (the first real one, 1 January of year 1, is 1)."""

_CHUNK: Final = 8192
"""Rows built at a time when a sequence is iterated: short lists, no tuple of a million."""


def bulk_builder(cls: type[Any]) -> Callable[..., Any]:
    """Return a function building ``cls`` from already-checked values, in field order.

    It does not run the validators again: callers use it only for values they have checked.
    For a class whose fields live on a writable base (:class:`~territoires.model.person.
    ParticipationSlots`), the row is filled as that base and then given its frozen class,
    which costs a third of a frozen ``__init__``; otherwise the slots are set through their
    descriptors, as attrs' own ``__init__`` does for frozen classes.
    """
    names = [a.name for a in attrs.fields(cls)]
    args = ", ".join(names)
    base = cls.__mro__[1]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_base": base}
    writable_base = "__init__" not in vars(base) and getattr(base, "__attrs_attrs__", None)
    if writable_base:
        body = "\n".join(f"    obj.{n} = {n}" for n in names)
        source = (
            f"def build({args}):\n    obj = _new(_base)\n{body}\n"
            "    obj.__class__ = _cls\n    return obj\n"
        )
    else:
        namespace.update({f"_set_{n}": cls.__dict__[n].__set__ for n in names})
        body = "\n".join(f"    _set_{n}(obj, {n})" for n in names)
        source = f"def build({args}):\n    obj = _new(_cls)\n{body}\n    return obj\n"
    exec(compile(source, f"<bulk builder for {cls.__qualname__}>", "exec"), namespace)
    return namespace["build"]  # type: ignore[no-any-return]


_BUILD: Final = bulk_builder(Participation)


def _same(value: Any) -> Any:
    return value


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


@attrs.frozen(eq=False)
class Coded:
    """A column of few distinct values: one integer code per row, and the values coded.

    ``values[codes[i]]`` is row ``i``'s value. Code 0 is always None (a missing value), so
    ``codes != 0`` tells the rows that have one.

    Attributes:
        codes: One code per row (32-bit integers).
        values: The values by code, None first.

    .. versionadded:: 0.2
    """

    codes: Codes
    values: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.codes)

    def code(self, value: object) -> int | None:
        """Return the code of ``value``, or None when no row can hold it."""
        try:
            return self.values.index(value)
        except ValueError:
            return None

    def mask(self, values: Iterable[object]) -> npt.NDArray[np.bool_]:
        """Return which rows hold one of ``values``."""
        wanted = [c for c in map(self.code, values) if c is not None]
        return np.isin(self.codes, np.array(wanted, dtype=np.int32))

    def lookup(
        self, of: Callable[[Any], Any], default: Any = None, *, dtype: Any = object
    ) -> npt.NDArray[Any]:
        """Return an array giving ``of(value)`` for each code (``default`` for None).

        Index it with :attr:`codes` to map every row at once: ``column.lookup(f)[column.codes]``.
        ``dtype=None`` lets NumPy choose (numbers, booleans); by default it holds objects.
        """
        mapped = [default if value is None else of(value) for value in self.values]
        if dtype is not object:
            return np.array(mapped, dtype=dtype)
        found = np.empty(len(mapped), dtype=object)
        found[:] = mapped  # element by element: a value is never read as a sequence
        return found

    def decoded(self) -> list[Any]:
        """Return the column's values, one per row (a plain list)."""
        return self.lookup(_same)[self.codes].tolist()  # type: ignore[no-any-return]

    def take(self, rows: npt.NDArray[np.intp]) -> Coded:
        """Return the column of ``rows`` (indexes), with the same codes."""
        return Coded(_frozen(self.codes[rows]), self.values)

    def used(self) -> list[Any]:
        """Return the values some row holds (None included if some row misses one)."""
        present = np.flatnonzero(np.bincount(self.codes, minlength=len(self.values)))
        return [self.values[c] for c in present.tolist()]


_ENUMS: Final[dict[str, type[enum.Enum]]] = {
    "status": AdministrativeStatus,
    "sex": Sex,
    "age_band": AgeBand,
    "employment": EmploymentOutcome,
    "housing": HousingOutcome,
    "french_entry": FrenchLevel,
    "french_exit": FrenchLevel,
}
_FIELDS: Final = tuple(a.name for a in attrs.fields(Participation))
_CODED: Final = ("action", *_ENUMS, "residence")
_COLUMN_OF: Final = {n: {"entry_date": "entry", "exit_date": "exit"}.get(n, n) for n in _FIELDS}
_COLUMNS: Final = tuple(_COLUMN_OF.values())
_COLUMN_SET: Final = frozenset(_COLUMNS)


class _Codes(dict[Any, int]):
    """Codes by value; a value not seen before gets the next code (looked up in C)."""

    def __missing__(self, value: Any) -> int:
        code = self[value] = len(self)
        return code


class _Encoder:
    """Turns lists of values into codes, keeping the codes of one column across chunks."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self.codes = _Codes({None: 0})
        for value in values:
            self.codes[value]

    def encode(self, column: Sequence[Any]) -> Codes:
        return np.fromiter(map(self.codes.__getitem__, column), dtype=np.int32, count=len(column))

    def code(self, value: Any) -> int:
        """The code of ``value`` (a new one for a value not seen before)."""
        return self.codes[value]

    def values(self) -> tuple[Any, ...]:
        return tuple(self.codes)


def _day_number(day: dt.date | None) -> int:
    return NO_DATE if day is None else day.toordinal()


class _DayNumbers(dict[Any, int]):
    """Day numbers by date (0 for None), each distinct date converted once."""

    def __missing__(self, day: dt.date) -> int:
        number = self[day] = day.toordinal()
        return number


def _days(column: Sequence[dt.date | None]) -> Days:
    """Day numbers (proleptic ordinals, 0 for None)."""
    numbers = _DayNumbers({None: NO_DATE})
    return np.fromiter(map(numbers.__getitem__, column), dtype=np.int32, count=len(column))


def _dates(days: Days) -> list[dt.date | None]:
    """The dates of day numbers (None for 0), each distinct day converted once."""
    distinct, where = np.unique(days, return_inverse=True)
    lookup = np.empty(len(distinct), dtype=object)
    lookup[:] = [None if d == NO_DATE else dt.date.fromordinal(d) for d in distinct.tolist()]
    return lookup[where.reshape(-1)].tolist()  # type: ignore[no-any-return]


TEXT: Final = np.dtypes.StringDType()
"""The dtype of the id and person columns: NumPy's variable-width texts, a short id (15 bytes
or less) held inline in 16 bytes instead of a Python object of about 60."""


def _texts(column: Sequence[str]) -> Texts:
    return np.array(column, dtype=TEXT)


class ParticipationColumns:
    """Participations as typed columns, one per field of :class:`~territoires.Participation`.

    Build one with :meth:`from_rows` (from objects) or get it from a dataset
    (``dataset.participations.columns``). Every array is read-only. :meth:`take` returns a
    view that gathers a column only when it is first read, so a calculator that reads three
    columns of a table pays for three.

    Attributes:
        id: The participations' ids (an array of texts).
        person: The persons' pseudonymous ids (an array of texts).
        action: The actions' ids, coded.
        entry: Entry dates as day numbers (:meth:`datetime.date.toordinal`).
        exit: Exit dates as day numbers, 0 when the person has not left.
        status: Administrative status on entry, coded (values: members of
            :class:`~territoires.AdministrativeStatus`).
        sex: Sex, coded.
        age_band: Age band on entry, coded.
        residence: Commune of residence (INSEE code), coded.
        employment: Work or training situation at exit, coded.
        housing: Housing situation at exit, coded.
        french_entry: Level of French on entry, coded.
        french_exit: Level of French at exit, coded.

    .. versionadded:: 0.2
    """

    __slots__ = ("_base", "_columns", "_index", "_size")

    id: Texts
    person: Texts
    action: Coded
    entry: Days
    exit: Days
    status: Coded
    sex: Coded
    age_band: Coded
    residence: Coded
    employment: Coded
    housing: Coded
    french_entry: Coded
    french_exit: Coded

    def __init__(self, **columns: Any) -> None:
        if set(columns) != set(_COLUMNS):
            raise TypeError(f"the columns are {', '.join(_COLUMNS)}")
        self._columns: dict[str, Any] = columns
        self._base: ParticipationColumns | None = None
        self._index: npt.NDArray[np.intp] | None = None
        self._size = len(columns["id"])

    @classmethod
    def _view(cls, base: ParticipationColumns, index: npt.NDArray[np.intp]) -> ParticipationColumns:
        view = cls.__new__(cls)
        view._columns = {}
        view._base = base
        view._index = index
        view._size = len(index)
        return view

    def __getattr__(self, name: str) -> Any:
        # The columns are no attributes of their own: every read comes here.
        if name not in _COLUMN_SET:
            raise AttributeError(name)
        columns = self._columns
        found = columns.get(name)
        if found is not None:
            return found
        base, index = self._base, self._index
        if base is None or index is None:
            raise AttributeError(name)
        column = getattr(base, name)
        found = column.take(index) if isinstance(column, Coded) else _frozen(column[index])
        columns[name] = found
        return found

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"<ParticipationColumns of {len(self):,} rows>"

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Participation]) -> ParticipationColumns:
        """Return the columns of ``rows`` (objects), in their order."""
        rows = rows if isinstance(rows, Sequence) else tuple(rows)
        builder = ColumnsBuilder()
        builder.add([list(map(operator.attrgetter(name), rows)) for name in _FIELDS])
        return builder.finish()

    @classmethod
    def concat(cls, parts: Sequence[ParticipationColumns]) -> ParticipationColumns:
        """Return the rows of ``parts``, one after the other."""
        if len(parts) == 1:
            return parts[0]
        builder = ColumnsBuilder()
        for part in parts:
            builder.add_columns(part)
        return builder.finish()

    # -- reading -------------------------------------------------------------------------------

    def take(self, rows: npt.NDArray[np.intp] | Sequence[int]) -> ParticipationColumns:
        """Return the columns of ``rows`` (indexes or a boolean mask), in that order.

        A view: each column is gathered when first read.
        """
        index = np.asarray(rows)
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        index = index.astype(np.intp, copy=False)
        if self._base is not None and self._index is not None:
            return ParticipationColumns._view(self._base, self._index[index])
        return ParticipationColumns._view(self, index)

    def field(self, name: str) -> Any:
        """Return the column of field ``name`` of :class:`~territoires.Participation`.

        The same as the attribute of that name, but for the dates: ``entry_date`` is
        :attr:`entry`, ``exit_date`` is :attr:`exit`.
        """
        return getattr(self, _COLUMN_OF[name])

    def values(self, name: str) -> list[Any]:
        """Return the column ``name`` as the values of the objects' field (dates, members)."""
        column = self.field(name)
        if isinstance(column, Coded):
            return column.decoded()
        if column.dtype == np.int32:
            return _dates(column)
        return column.tolist()  # type: ignore[no-any-return]

    def row(self, index: int) -> Participation:
        """Return row ``index`` as a :class:`~territoires.Participation`."""
        values = []
        for name in _FIELDS:
            column = self.field(name)
            if isinstance(column, Coded):
                values.append(column.values[column.codes[index]])
            elif column.dtype == np.int32:
                day = int(column[index])
                values.append(None if day == NO_DATE else dt.date.fromordinal(day))
            else:
                values.append(column[index])
        return _BUILD(*values)  # type: ignore[no-any-return]

    def rows(self) -> Iterator[Participation]:
        """Build the rows one chunk at a time, in order."""
        for start in range(0, len(self), _CHUNK):
            part = self.take(np.arange(start, min(start + _CHUNK, len(self)), dtype=np.intp))
            yield from map(_BUILD, *(part.values(name) for name in _FIELDS))

    def same_as(self, other: ParticipationColumns) -> bool:
        """Whether both hold the same rows, value for value, in the same order."""
        if len(self) != len(other):
            return False
        for name in _COLUMNS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, Coded):
                if mine.decoded() != theirs.decoded():
                    return False
            elif not np.array_equal(mine, theirs):
                return False
        return True


class ColumnsBuilder:
    """Collects participations' columns chunk by chunk, coding each value as it comes.

    ``add`` takes one list per field of :class:`~territoires.Participation`, in field order,
    holding values already checked (the loaders' job): they become rows as they are.
    """

    def __init__(self) -> None:
        self._encoders = {
            name: _Encoder(_ENUMS[name]) if name in _ENUMS else _Encoder() for name in _CODED
        }
        self._parts: dict[str, list[npt.NDArray[Any]]] = {
            name: [] for name in ("id", "person", "entry", "exit", *_CODED)
        }

    def encoders(self) -> dict[str, Callable[[Any], int]]:
        """The code of a value, by field: what a reader gives to code cells as it parses.

        Dates get their day number; the other fields their code in this builder, a new value
        a new code. An array of such codes may then be given to :meth:`add` for that field.
        """
        found: dict[str, Callable[[Any], int]] = {
            "entry_date": _day_number,
            "exit_date": _day_number,
        }
        for name in _CODED:
            found[name] = self._encoders[name].code
        return found

    def add(self, columns: Sequence[Sequence[Any] | npt.NDArray[np.int32]]) -> None:
        """Append rows given as one list of values per field, in field order.

        A field may instead be given as an array of codes from :meth:`encoders`.
        """
        by_name = dict(zip(_FIELDS, columns, strict=True))
        parts = self._parts
        for name in ("id", "person"):
            parts[name].append(_texts(by_name[name]))  # type: ignore[arg-type]
        for field, name in (("entry_date", "entry"), ("exit_date", "exit")):
            given = by_name[field]
            parts[name].append(given if isinstance(given, np.ndarray) else _days(given))
        for name in _CODED:
            given = by_name[name]
            parts[name].append(
                given if isinstance(given, np.ndarray) else self._encoders[name].encode(given)
            )

    def add_columns(self, columns: ParticipationColumns) -> None:
        """Append the rows of ``columns`` (recoded into this builder's codes)."""
        parts = self._parts
        for name in ("id", "person", "entry", "exit"):
            parts[name].append(getattr(columns, name))
        for name in _CODED:
            coded: Coded = getattr(columns, name)
            encoder = self._encoders[name]
            recode = np.array([encoder.codes[v] for v in coded.values], dtype=np.int32)
            parts[name].append(recode[coded.codes])

    def finish(self) -> ParticipationColumns:
        """Return the columns of every row added."""
        joined: dict[str, Any] = {}
        for name, parts in self._parts.items():
            dtype = TEXT if name in ("id", "person") else np.int32
            if len(parts) == 1:
                array = parts[0]
            else:
                array = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
            joined[name] = _frozen(array if array.dtype == dtype else array.astype(dtype))
        for name in _CODED:
            joined[name] = Coded(joined[name], self._encoders[name].values())
        return ParticipationColumns(**joined)


class Participations(Sequence[Participation]):
    """The participations of a dataset: a read-only sequence built from columns on demand.

    It behaves as the tuple it replaces: ``len``, indexing, slicing, iteration, ``in``,
    ``==`` with a tuple or another sequence, ``+``. A row is built as a
    :class:`~territoires.Participation` when you reach it, and built again if you reach it
    again (keep the objects you need). Engines read :attr:`columns`.

    Given objects (``Dataset(participations=(...))``), it keeps them and derives the columns
    the first time an engine asks for them.

    .. versionadded:: 0.2
    """

    __slots__ = ("_columns", "_rows")

    def __init__(
        self,
        rows: Iterable[Participation] | None = None,
        *,
        columns: ParticipationColumns | None = None,
    ) -> None:
        if rows is None and columns is None:
            rows = ()
        self._rows = None if rows is None else tuple(rows)
        self._columns = columns

    @classmethod
    def of(cls, value: Any) -> Any:
        """Return ``value`` as participations when it is a sequence of them; else unchanged.

        Left unchanged, a wrong value reaches the dataset's validator, which names the bad
        element.
        """
        if isinstance(value, Participations):
            return value
        if isinstance(value, tuple | list) and all(isinstance(row, Participation) for row in value):
            return cls(value)
        return value

    @property
    def columns(self) -> ParticipationColumns:
        """The rows as columns (derived from the objects once, when given objects)."""
        columns = self._columns
        if columns is None:
            assert self._rows is not None
            columns = self._columns = ParticipationColumns.from_rows(self._rows)
        return columns

    @property
    def built(self) -> bool:
        """Whether the rows are held as objects (given so), rather than built on demand."""
        return self._rows is not None

    def __len__(self) -> int:
        rows = self._rows
        return len(rows) if rows is not None else len(self.columns)

    @overload
    def __getitem__(self, index: SupportsIndex) -> Participation: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Participation, ...]: ...

    def __getitem__(
        self, index: SupportsIndex | slice
    ) -> Participation | tuple[Participation, ...]:
        rows = self._rows
        if rows is not None:
            return rows[index]
        if isinstance(index, slice):
            picked = range(len(self))[index]
            part = self.columns.take(np.arange(picked.start, picked.stop, picked.step))
            return tuple(part.rows())
        position = operator.index(index)
        size = len(self)
        if not -size <= position < size:
            raise IndexError("participation index out of range")
        return self.columns.row(position % size)

    def __iter__(self) -> Iterator[Participation]:
        rows = self._rows
        return iter(rows) if rows is not None else self.columns.rows()

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Participations):
            if self._rows is None and other._rows is None:
                return self.columns.same_as(other.columns)
            return len(self) == len(other) and all(map(operator.eq, self, other))
        if isinstance(other, tuple):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    @overload
    def __add__(self, other: Participations) -> Participations: ...

    @overload
    def __add__(self, other: tuple[Participation, ...]) -> tuple[Participation, ...]: ...

    def __add__(self, other: object) -> Participations | tuple[Participation, ...]:
        if isinstance(other, Participations):
            # Two tables end to end (the parts of a data package): still columns.
            if not other:
                return self
            if not self:
                return other
            if self._rows is None or other._rows is None:
                return Participations(
                    columns=ParticipationColumns.concat([self.columns, other.columns])
                )
            return Participations((*self._rows, *other._rows))
        if not isinstance(other, Sequence):
            return NotImplemented
        return (*self, *other)

    def __radd__(self, other: object) -> tuple[Participation, ...]:
        if not isinstance(other, Sequence):
            return NotImplemented
        return (*other, *self)

    def __repr__(self) -> str:
        if len(self) > 6:
            return f"<{len(self):,} participations>"
        return repr(tuple(self))
