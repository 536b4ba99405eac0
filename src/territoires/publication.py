"""Publications and their ledger: what was released, so that a new release gives nothing back.

A steering committee publishes the same indicators for the first semester, then the second,
then the year, and publishes revised figures once late reports arrive. Each table protected
on its own is not enough: the year minus the second semester gives the first semester back.
A :class:`Ledger` records every release: its date, the fingerprint of the dataset it was
computed from, the tables it held and every cell with its status. A new table computed with
the ledger (``compute_indicators(..., ledger=...)``) is protected together with everything
the ledger holds: a cell hidden before is never given back by a new figure, and a revised
figure that differs from the published one by a few persons is suppressed.

The ledger is **private**: beside the published values, it keeps the persons behind every
cell, suppressed ones included (the protection needs them to tell which relations between
releases hold). Keep it with the data it was computed from, never publish it.
:func:`territoires.io.load_ledger` reads one; :func:`territoires.io.record_release` appends a
release to one, atomically; the file is JSON, one cell a line, and each release carries the
fingerprint of the releases before it, so that an edited history is refused.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs

from territoires.disclosure import CellStatus
from territoires.exceptions import InvalidArgumentError, WrongTypeError
from territoires.indicators import IndicatorRow, IndicatorTable, Level
from territoires.measures import Dimension, Unit
from territoires.model.period import Period

__all__ = ["CellKey", "Ledger", "LedgerCell", "Release", "TableEntry", "release_of"]

CellKey = tuple[str, Level, str, str | None, str | None, Dimension | None, str | None, Period]
"""What identifies a cell across releases (indicator, level, territory, contract, action,
dimension, category and period)."""


@attrs.frozen(kw_only=True)
class LedgerCell:
    """One cell of a release, as the ledger keeps it.

    Attributes:
        indicator: Name of the indicator.
        level: Action, contract, territory or national.
        territory: Reference of the territory (``FR`` at national level).
        contract: Id of the contract, at action and contract level.
        action: Id of the action, at action level.
        period: The period of the value.
        dimension: The dimension of a breakdown, or None for the total.
        category: The category, None for the total.
        unit: Unit of the value.
        value: The value as published: None when suppressed or undefined.
        status: The engine's status (primary and secondary kept apart: the ledger is private).
        counts: The persons behind the value (see :attr:`IndicatorRow.counts
            <territoires.indicators.IndicatorRow.counts>`); private.

    .. versionadded:: 0.1
    """

    indicator: str
    level: Level
    territory: str
    period: Period
    unit: Unit
    status: CellStatus
    contract: str | None = None
    action: str | None = None
    dimension: Dimension | None = None
    category: str | None = None
    value: Decimal | None = None
    counts: tuple[int, ...] = ()

    @property
    def key(self) -> CellKey:
        """What identifies the cell across releases."""
        return (
            self.indicator,
            self.level,
            self.territory,
            self.contract,
            self.action,
            self.dimension,
            self.category,
            self.period,
        )

    @classmethod
    def of(cls, row: IndicatorRow) -> LedgerCell:
        """Return the ledger's cell of an engine's row (its counts and engine status kept)."""
        return cls(
            indicator=row.indicator,
            level=row.level,
            territory=row.territory,
            contract=row.contract,
            action=row.action,
            period=row.period,
            dimension=row.dimension,
            category=row.category,
            unit=row.unit,
            value=row.value if row.status is CellStatus.PUBLISHED else None,
            status=row.status,
            counts=row.counts,
        )


@attrs.frozen(kw_only=True)
class TableEntry:
    """What one table of a release was asked for.

    Attributes:
        period: Its period.
        indicators: The indicators it holds.
        levels: The levels it holds.
        territories: The territories it was restricted to, or None for all.

    .. versionadded:: 0.1
    """

    period: Period
    indicators: tuple[str, ...]
    levels: tuple[Level, ...]
    territories: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class Release:
    """One publication: the tables released on a date, from one state of the data.

    Attributes:
        released: The day it was released.
        fingerprint: The fingerprint of the dataset the tables were computed from
            (:func:`territoires.io.fingerprint`).
        threshold: The disclosure threshold applied.
        tables: What each table was asked for.
        cells: Every cell computed, published or not (disclosure control sees them all).
        label: What the release was for, in words (``"COPIL S1 2022"``), if given.
        previous: The fingerprint of the ledger before this release, set when it is
            recorded: a release cannot be removed or edited without this chain breaking.

    .. versionadded:: 0.1
    """

    released: dt.date
    fingerprint: str
    threshold: int
    tables: tuple[TableEntry, ...]
    cells: tuple[LedgerCell, ...]
    label: str | None = None
    previous: str | None = None

    @property
    def published(self) -> Iterator[LedgerCell]:
        """The cells whose value was published."""
        return (cell for cell in self.cells if cell.value is not None)

    @property
    def name(self) -> str:
        """The release in a few words, its label or else ``release of 2022-07-15``."""
        return self.label or f"release of {self.released.isoformat()}"

    def published_tables(self) -> tuple[IndicatorTable, ...]:
        """Return the release as it was published: one table per period, as an export shows.

        Suppressed cells say "suppressed" and carry no value nor counts, so the tables are
        what an attacker holds (an audit reads them beside new tables).
        """
        periods: dict[Period, list[IndicatorRow]] = {}
        for cell in self.cells:
            periods.setdefault(cell.period, []).append(
                IndicatorRow(
                    indicator=cell.indicator,
                    level=cell.level,
                    territory=cell.territory,
                    contract=cell.contract,
                    action=cell.action,
                    period=cell.period,
                    dimension=cell.dimension,
                    category=cell.category,
                    value=cell.value,
                    unit=cell.unit,
                    status=cell.status.published,
                )
            )
        return tuple(
            IndicatorTable(rows=tuple(rows), period=period, threshold=self.threshold, indicators={})
            for period, rows in periods.items()
        )


@attrs.frozen
class Ledger:
    """Every release so far, oldest first (append-only).

    Example:
        >>> Ledger().releases, len(Ledger())
        ((), 0)

    .. versionadded:: 0.1
    """

    releases: tuple[Release, ...] = ()

    def __len__(self) -> int:
        return len(self.releases)

    def cells(self) -> Iterator[tuple[int, LedgerCell]]:
        """Every cell of every release, with the number of its release (0 for the first)."""
        for number, release in enumerate(self.releases):
            for cell in release.cells:
                yield number, cell

    def with_release(self, release: Release) -> Ledger:
        """Return this ledger with ``release`` added after the others."""
        return Ledger((*self.releases, release))


def release_of(
    tables: IndicatorTable | Iterable[IndicatorTable],
    *,
    fingerprint: str,
    released: dt.date | None = None,
    label: str | None = None,
) -> Release:
    """Return the release of ``tables`` (the engine's tables, with their counts).

    Raises:
        InvalidArgumentError: the tables were protected at different thresholds, or hold no
            counts (a table read back from a file, not computed); also a ``ValueError``.
        WrongTypeError: ``tables`` is neither a table nor a list of tables.

    .. versionadded:: 0.1
    """
    expected = "an IndicatorTable, or a list of them (compute_indicators returns one)"
    given: object = tables  # checked as what a caller may pass, whatever the annotation says
    if isinstance(given, IndicatorTable):
        items: list[object] = [given]
    elif isinstance(given, Iterable) and not isinstance(given, (str, bytes)):
        items = list(given)
    else:
        raise WrongTypeError("tables", given, expected)
    chosen: list[IndicatorTable] = []
    for table in items:
        if not isinstance(table, IndicatorTable):
            raise WrongTypeError("tables", table, expected)
        chosen.append(table)
    thresholds = {table.threshold for table in chosen}
    if len(thresholds) != 1:
        raise InvalidArgumentError(
            "tables", sorted(thresholds), "tables protected at one threshold (one release)"
        )
    for table in chosen:
        if any(row.counts == () and row.status.suppressed for row in table):
            raise InvalidArgumentError(
                "tables",
                table.period,
                "computed tables (their counts), not tables read back from files",
            )
    entries = tuple(
        TableEntry(
            period=table.period,
            indicators=tuple(dict.fromkeys(row.indicator for row in table)),
            levels=tuple(dict.fromkeys(row.level for row in table)),
        )
        for table in chosen
    )
    return Release(
        released=released or dt.date.today(),
        fingerprint=fingerprint,
        threshold=thresholds.pop(),
        tables=entries,
        cells=tuple(LedgerCell.of(row) for table in chosen for row in table),
        label=label,
    )
