"""Participations as columns: the same rows, tables and problems as the objects they replace.

The pure-Python path on attrs objects is the reference: a dataset built from objects keeps
them, the built-in calculators on objects are kept in ``builtins.indicators.REFERENCE``, and
the row-by-row checks of ``validate`` still explain every problem. Every test here compares
the columnar path with that reference on random data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import territoires
from territoires import Dataset, Participation
from territoires.builtins import indicators as builtin_indicators
from territoires.indicators import IndicatorTable, compute_indicators
from territoires.measures import (
    IndicatorInput,
    entries_in,
    entry_rows_in,
    exit_rows_in,
    exits_in,
    present_in,
    present_rows_in,
)
from territoires.model.columns import ParticipationColumns, Participations
from territoires.model.period import Period
from territoires.plugins import get_plugin_manager

from . import strategies

_ROWS = st.lists(strategies.participations(), max_size=12)
_SLOW = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)


def _columnar(rows: list[Participation]) -> Participations:
    """The rows as a loader gives them: columns only, objects built on demand."""
    return Participations(columns=ParticipationColumns.from_rows(rows))


# -- the sequence ----------------------------------------------------------------------------------


@given(_ROWS)
def test_columns_give_back_every_row_value_for_value(rows: list[Participation]) -> None:
    columns = ParticipationColumns.from_rows(rows)
    assert len(columns) == len(rows)
    assert list(columns.rows()) == rows
    for index, row in enumerate(rows):
        built = columns.row(index)
        assert built == row
        assert type(built) is Participation
        assert attrs.asdict(built) == attrs.asdict(row)  # the same values, field by field


@given(_ROWS, st.data())
def test_taking_rows_keeps_their_values_and_order(
    rows: list[Participation], data: st.DataObject
) -> None:
    columns = ParticipationColumns.from_rows(rows)
    picked = data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=8)) if rows else []
    assert list(columns.take(np.array(picked, dtype=np.intp)).rows()) == [rows[i] for i in picked]


@given(st.lists(_ROWS, max_size=3))
def test_concatenated_columns_hold_each_part_in_turn(parts: list[list[Participation]]) -> None:
    joined = ParticipationColumns.concat([ParticipationColumns.from_rows(p) for p in parts])
    assert list(joined.rows()) == [row for part in parts for row in part]


@given(_ROWS, st.data())
def test_participations_behave_as_the_tuple_they_replace(
    rows: list[Participation], data: st.DataObject
) -> None:
    expected = tuple(rows)
    seen = _columnar(rows)
    assert len(seen) == len(expected)
    assert bool(seen) == bool(expected)
    assert seen == expected
    assert expected == seen
    assert seen == Participations(rows)  # the same rows held as objects
    assert tuple(seen) == expected
    assert hash(seen) == hash(Participations(rows))
    assert seen + () == expected  # noqa: RUF005 (the operator is what is tested)
    assert () + seen == expected  # noqa: RUF005
    start = data.draw(st.integers(-len(rows) - 2, len(rows) + 2))
    stop = data.draw(st.integers(-len(rows) - 2, len(rows) + 2))
    step = data.draw(st.sampled_from([1, 2, -1, -3]))
    assert seen[start:stop:step] == expected[start:stop:step]
    for index in range(-len(rows), len(rows)):
        assert seen[index] == expected[index]
    for outside in (len(rows), -len(rows) - 1):
        with pytest.raises(IndexError):
            seen[outside]
    if rows:
        assert rows[-1] in seen
    assert seen != (*expected, None)


def test_a_dataset_keeps_the_objects_it_is_given() -> None:
    data = territoires.demo.build(participations=20)
    first = data.participations[0]
    again = Dataset(participations=tuple(data.participations))
    assert again.participations[0] is first
    assert again.participations.built


def test_a_dataset_refuses_what_is_not_a_participation_and_names_it() -> None:
    row = territoires.demo.build(participations=1).participations[0]
    with pytest.raises(territoires.InvalidValueError, match="participations"):
        Dataset(participations=(row, "not a row"))  # type: ignore[arg-type]


def test_columns_are_read_only() -> None:
    columns = territoires.demo.build(participations=10).participations.columns
    with pytest.raises(ValueError, match="read-only"):
        columns.entry[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        columns.action.codes[0] = 0


# -- loading ---------------------------------------------------------------------------------------


@_SLOW
@given(data=strategies.datasets())
def test_a_loaded_dataset_holds_the_rows_that_were_written(
    data: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("columns")
    for name in ("data.json", "rows.csv"):
        written = data if name.endswith(".json") else Dataset(participations=data.participations)
        loaded = territoires.load(territoires.dump(written, folder / name))
        assert not loaded.participations.built  # columns, objects built on demand
        assert loaded.participations == data.participations
        assert tuple(loaded.participations) == tuple(data.participations)
        # Written again from its columns, it is the same file, byte for byte.
        again = territoires.dump(loaded, folder / f"again-{name}")
        assert again.read_bytes() == (folder / name).read_bytes()


# -- validation ------------------------------------------------------------------------------------


@_SLOW
@given(data=strategies.datasets())
def test_validation_on_columns_finds_what_the_row_checks_find(data: Dataset) -> None:
    """The columns' quick check says "sound" exactly when the row-by-row checks find nothing."""
    from territoires.model.dataset import _Checker

    for dataset in (data, attrs.evolve(data, participations=_columnar(list(data.participations)))):
        checker = _Checker(dataset, None)
        by_rows = list(checker._participations_by_row())
        assert checker._participations_look_sound() is (not by_rows)
    assert (
        data.validate()
        == attrs.evolve(data, participations=_columnar(list(data.participations))).validate()
    )


# -- selections ------------------------------------------------------------------------------------


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[Participation], Period, dict[str, Period | None] | None]:
    actions = ["a1", "a2", "a3"]
    rows = [
        attrs.evolve(row, action=draw(st.sampled_from(actions)))
        for row in draw(st.lists(strategies.participations(), max_size=15))
    ]
    period = draw(strategies.periods())
    windows = draw(
        st.none()
        | st.dictionaries(st.sampled_from(actions), st.none() | strategies.periods(), max_size=3)
    )
    return rows, period, windows


@given(_tables())
def test_selections_on_columns_pick_the_rows_the_object_functions_pick(
    case: tuple[list[Participation], Period, dict[str, Period | None] | None],
) -> None:
    rows, period, windows = case
    columns = ParticipationColumns.from_rows(rows)
    for on_objects, on_columns in (
        (present_in, present_rows_in),
        (exits_in, exit_rows_in),
        (entries_in, entry_rows_in),
    ):
        expected = on_objects(rows, period, windows=windows)
        positions = on_columns(columns, period, windows=windows).tolist()
        assert [rows[i] for i in positions] == expected  # the same rows, in the same order


@given(_tables())
def test_a_calculator_sees_the_same_rows_from_objects_and_from_columns(
    case: tuple[list[Participation], Period, dict[str, Period | None] | None],
) -> None:
    rows, period, _ = case
    data = territoires.demo.build(participations=0)
    contract = data.contracts[0]
    actions = contract.actions
    moved = [attrs.evolve(r, action=actions[i % len(actions)].id) for i, r in enumerate(rows)]
    given_objects = IndicatorInput(
        contract=contract, actions=actions, participations=moved, reports=(), period=period
    )
    given_columns = IndicatorInput(
        contract=contract,
        actions=actions,
        participations=_columnar(moved),
        reports=(),
        period=period,
    )
    assert list(given_columns.present) == list(given_objects.present)
    assert list(given_columns.exits) == list(given_objects.exits)
    assert list(given_columns.present_columns.rows()) == list(given_objects.present)


# -- indicators ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _reference_calculators() -> Iterator[None]:
    """Run the national set with its calculators on objects (the reference implementation)."""
    kept = builtin_indicators.INDICATORS
    builtin_indicators.INDICATORS = tuple(
        attrs.evolve(indicator, compute=builtin_indicators.REFERENCE[indicator.name])
        if indicator.name in builtin_indicators.REFERENCE
        else indicator
        for indicator in kept
    )
    try:
        yield
    finally:
        builtin_indicators.INDICATORS = kept


def _reference(data: Dataset, period: Period | str) -> IndicatorTable:
    with _reference_calculators():
        return compute_indicators(
            data, period=period, plugins=get_plugin_manager(autoload=False), allow_invalid=True
        )


@st.composite
def _periods_over(draw: st.DrawFn, data: Dataset) -> Period:
    """A period around the rows' dates, so that the tables count persons."""
    days = [d for row in data.participations for d in (row.entry_date, row.exit_date) if d]
    if not days:
        return draw(strategies.periods())
    day = draw(st.sampled_from(days))
    before = draw(st.integers(0, 400))
    after = draw(st.none() | st.integers(0, 400))
    end = None if after is None else day + dt.timedelta(days=after)
    return Period(day - dt.timedelta(days=before), end)


@settings(_SLOW, max_examples=40)
@given(strategies.consistent_datasets(max_contracts=3, max_participations=30), st.data())
def test_tables_on_columns_are_the_reference_tables(data: Dataset, draw: st.DataObject) -> None:
    """Every cell, value and suppression: columns against objects, both calculators."""
    period = draw.draw(_periods_over(data))
    reference = _reference(data, period)
    columnar = attrs.evolve(data, participations=_columnar(list(data.participations)))
    plugins = get_plugin_manager(autoload=False)
    for dataset in (data, columnar):
        # Random territories need not agree with the official geography: not the point here.
        table = compute_indicators(dataset, period=period, plugins=plugins, allow_invalid=True)
        assert list(table) == list(reference)
        assert list(table.published()) == list(reference.published())
    persons = {row.person for row in present_in(data.participations, period)}
    event("counts persons" if persons else "counts no person")


@pytest.mark.parametrize("period", ["2020", "2021", "2022-S1"])
def test_the_demo_tables_on_columns_are_the_reference_tables(period: str, tmp_path: Path) -> None:
    data = territoires.demo.build(participations=3000)
    loaded = territoires.load(territoires.dump(data, tmp_path / "demo.json"))
    reference = _reference(data, period)
    plugins = get_plugin_manager(autoload=False)
    assert list(compute_indicators(loaded, period=period, plugins=plugins)) == list(reference)
    assert list(compute_indicators(data, period=period, plugins=plugins)) == list(reference)


def test_the_reference_covers_every_calculator_that_reads_rows() -> None:
    """Every built-in that counts persons from rows (all but the reports') has a reference."""
    from_rows = {
        indicator.name
        for indicator in builtin_indicators.INDICATORS
        if indicator.counts_persons and indicator.name != "reported_beneficiaries"
    }
    assert set(builtin_indicators.REFERENCE) == from_rows
    for name, reference in builtin_indicators.REFERENCE.items():
        registered = next(i for i in builtin_indicators.INDICATORS if i.name == name)
        assert registered.compute is not reference  # the engine runs the columnar one


# -- writing ---------------------------------------------------------------------------------------


@given(_ROWS, st.booleans())
def test_columns_are_written_as_the_objects_are(rows: list[Participation], french: bool) -> None:
    """A CSV written from the columns is byte for byte the one written from the objects."""
    from territoires.io import _tables

    from_objects, from_columns = io.StringIO(), io.StringIO()
    _tables.write_participations(Participations(rows), from_objects, french=french)
    _tables.write_participations(_columnar(rows), from_columns, french=french)
    assert from_columns.getvalue() == from_objects.getvalue()
