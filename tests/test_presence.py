"""Presence that ends: a participation counts only within its action's window.

The window of an action is its period as amended, within its contract's period as amended,
ended the day before an avenant closes it (:meth:`Action.window_in`). A participation without
an exit date used to count in every later period; these tests pin that it stops with its
action, with its contract, with a closure by avenant, and that a prolongation by avenant
keeps it counting. A property checks that no participation is ever counted in a period that
shares no day with its action's window.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given

import territoires
from territoires import (
    Action,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Amendment,
    Contract,
    ContractKind,
    Dataset,
    Participation,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Severity,
    Sex,
    Theme,
)
from territoires.cli import main
from territoires.indicators import Level, compute_indicators
from territoires.measures import IndicatorInput, entries_in, exits_in, present_in, windows_of
from territoires.plugins import get_plugin_manager

D = dt.date
END_2021 = D(2021, 12, 31)
SIGNED = D(2019, 7, 1)
BUILTINS = get_plugin_manager(autoload=False)
REFUGEES = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))


def _action(action_id: str, start: dt.date, end: dt.date | None, **changes: object) -> Action:
    return Action(
        id=action_id,
        title=f"Action {action_id}",
        theme=Theme.FRENCH_LANGUAGE,
        period=Period(start, end),
        **changes,  # type: ignore[arg-type]
    )


def _contract(
    actions: tuple[Action, ...],
    end: dt.date | None = END_2021,
    amendments: tuple[Amendment, ...] = (),
    start: dt.date = SIGNED,
) -> Contract:
    return Contract(
        id="ctair-brest",
        kind=ContractKind.CTAIR,
        territory="242900314",  # Brest Métropole
        title="CTAIR Brest métropole",
        period=Period(start, end),
        public=REFUGEES,
        signed_on=D(2019, 7, 1),
        actions=actions,
        amendments=amendments,
    )


def _row(
    number: int, action: str, entry: dt.date, exit_date: dt.date | None = None
) -> Participation:
    return Participation(
        id=f"part-{number}",
        person=f"P{number:02d}",
        action=action,
        entry_date=entry,
        exit_date=exit_date,
        status=AdministrativeStatus.REFUGEE,
        sex=Sex.FEMALE,
        age_band=AgeBand.FROM_26_TO_39,
    )


def _beneficiaries(data: Dataset, period: str, action: str) -> int:
    """Beneficiaries of ``action`` in ``period``, nothing suppressed (threshold 1)."""
    found = territoires.validate(data, plugins=BUILTINS)  # official geography
    errors = [p for p in found if p.severity is Severity.ERROR]
    assert errors == []  # the figures are about valid data, which outputs accept
    table = compute_indicators(
        data,
        period=period,
        indicators=["beneficiaries"],
        level="action",
        threshold=1,
        plugins=BUILTINS,
        audit=False,
    )
    found = table.select("beneficiaries", level=Level.ACTION, action=action, dimension=None)
    if not found:
        return 0
    (row,) = found
    assert row.value is not None
    return int(row.value)


def _data(contract: Contract, *rows: Participation) -> Dataset:
    return Dataset(contracts=(contract,), participations=rows)


def test_open_participation_stops_counting_after_its_action_ended() -> None:
    """Entered in 2020 with no exit, in an action ending in June 2021: counted in 2021, not 2022."""
    # The contract runs to 2023, so only the action's own end stops the count.
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2021, 6, 30)),), D(2023, 12, 31))
    data = _data(contract, _row(1, "brest-01", D(2020, 3, 2)))
    assert _beneficiaries(data, "2021", "brest-01") == 1  # present from January to June
    assert _beneficiaries(data, "2021-S2", "brest-01") == 0  # the action had ended
    assert _beneficiaries(data, "2022", "brest-01") == 0


def test_open_participation_stops_counting_while_its_contract_has_ended() -> None:
    """Between the contract's end and a later avenant prolonging it, nobody counts."""
    # Grenoble's case: the CTAIR ended on 31 December 2021 and its avenant, in force from
    # 29 June 2022, prolonged it to 2023. The action was planned to 2023 from the start
    # (valid: within the contract as finally amended). On 30 June 2022, the end of the first
    # half, the avenant is not yet in force: the contract, as amended then, had ended.
    prolonged = Amendment(id="avenant-1", effective_on=D(2022, 7, 1), new_end=D(2023, 12, 31))
    contract = _contract(
        (_action("grenoble-01", D(2019, 9, 1), D(2023, 12, 31)),), amendments=(prolonged,)
    )
    data = _data(contract, _row(1, "grenoble-01", D(2020, 3, 2)))
    assert _beneficiaries(data, "2021", "grenoble-01") == 1
    assert _beneficiaries(data, "2022-S1", "grenoble-01") == 0  # no contract in force
    assert _beneficiaries(data, "2022-S2", "grenoble-01") == 1  # prolonged, counts again
    assert _beneficiaries(data, "2022", "grenoble-01") == 1  # the year ends prolonged


def test_open_participation_stops_counting_after_an_avenant_closed_its_action() -> None:
    """An avenant closing the action on 1 July 2021 ends the count on 30 June 2021."""
    closing = Amendment(id="avenant-1", effective_on=D(2021, 7, 1), actions_closed=("brest-01",))
    contract = _contract(
        (_action("brest-01", D(2019, 9, 1), D(2021, 12, 31)),), amendments=(closing,)
    )
    data = _data(contract, _row(1, "brest-01", D(2020, 3, 2)), _row(2, "brest-01", D(2021, 3, 1)))
    assert _beneficiaries(data, "2021-S1", "brest-01") == 2
    assert _beneficiaries(data, "2021-S2", "brest-01") == 0
    # Over the whole year both were present in the first half.
    assert _beneficiaries(data, "2021", "brest-01") == 2


def test_open_participation_still_counts_after_a_prolongation_by_avenant() -> None:
    """An avenant prolonging the contract (and the actions running to its end) keeps counting."""
    prolonged = Amendment(id="avenant-1", effective_on=D(2021, 11, 1), new_end=D(2023, 12, 31))
    contract = _contract(
        (_action("brest-01", D(2019, 9, 1), D(2021, 12, 31)),), amendments=(prolonged,)
    )
    data = _data(contract, _row(1, "brest-01", D(2020, 3, 2)))
    assert _beneficiaries(data, "2022", "brest-01") == 1
    assert _beneficiaries(data, "2023", "brest-01") == 1
    assert _beneficiaries(data, "2024", "brest-01") == 0


def test_exit_after_the_window_is_no_exit_of_any_period() -> None:
    """An exit recorded after the action ended is not an exit of its period, one within is."""
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2021, 6, 30)),), D(2023, 12, 31))
    late = _row(1, "brest-01", D(2020, 3, 2), D(2021, 9, 30))
    on_time = _row(2, "brest-01", D(2020, 3, 2), D(2021, 6, 30))
    amended = contract.as_of(D(2021, 12, 31))
    windows = windows_of(amended, amended.actions)
    assert exits_in([late, on_time], Period.year(2021), windows=windows) == [on_time]
    # Without windows (the former rule), both are exits of 2021.
    assert exits_in([late, on_time], Period.year(2021)) == [late, on_time]


def test_rows_of_actions_outside_the_table_never_count() -> None:
    """A table counts only the rows of its own actions, whatever rows it is handed."""
    contract = _contract(
        (
            _action("brest-01", D(2019, 9, 1), D(2021, 12, 31)),
            _action("brest-02", D(2019, 9, 1), D(2021, 12, 31)),
        )
    )
    rows = [_row(1, "brest-01", D(2020, 3, 2)), _row(2, "brest-02", D(2020, 3, 2))]
    facts = IndicatorInput(
        contract=contract,
        actions=contract.actions[:1],
        participations=rows,
        reports=(),
        period=Period.year(2021),
    )
    assert [row.id for row in facts.present] == ["part-1"]
    assert [row.id for row in entries_in(rows, Period.year(2020), windows=facts.windows)] == [
        "part-1"
    ]


def test_an_ended_contract_counts_nobody_in_the_year_after() -> None:
    """Every built-in person count of an ended contract is empty the year after it ended."""
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2021, 12, 31)),))
    data = _data(
        contract, *(_row(n, "brest-01", D(2020, 1, 1) + dt.timedelta(days=n)) for n in range(30))
    )
    table = compute_indicators(data, period="2022", threshold=1, plugins=BUILTINS, audit=False)
    counted = [
        row
        for row in table.select(level="contract", dimension=None)
        if row.indicator in {"beneficiaries", "actions"} and row.value
    ]
    assert counted == []
    assert _beneficiaries(data, "2021", "brest-01") == 30


# -- property ------------------------------------------------------------------------------------

_DAYS = st.integers(min_value=0, max_value=6 * 365)
_START = D(2019, 1, 1)


def _day(offset: int) -> dt.date:
    return _START + dt.timedelta(days=offset)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Contract, list[Participation], Period]:
    """A contract of one action (maybe closed or prolonged by avenant), rows and a period."""
    contract_start = draw(st.integers(min_value=0, max_value=400))
    contract_end = contract_start + draw(st.integers(min_value=30, max_value=1200))
    action_start = contract_start + draw(st.integers(min_value=0, max_value=300))
    action_end = draw(st.none() | st.integers(min_value=action_start, max_value=contract_end + 400))
    amendments = []
    if draw(st.booleans()):
        amendments.append(
            Amendment(
                id="avenant-1",
                effective_on=_day(draw(_DAYS)),
                actions_closed=("a1",),
            )
        )
    if draw(st.booleans()):
        amendments.append(
            Amendment(
                id="avenant-2",
                effective_on=_day(draw(_DAYS)),
                new_end=_day(contract_end + draw(st.integers(min_value=1, max_value=800))),
            )
        )
    action = _action("a1", _day(action_start), None if action_end is None else _day(action_end))
    contract = _contract((action,), _day(contract_end), tuple(amendments), _day(contract_start))
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        entry = draw(st.integers(min_value=action_start, max_value=action_start + 1500))
        stay = draw(st.none() | st.integers(min_value=0, max_value=900))
        rows.append(_row(number, "a1", _day(entry), None if stay is None else _day(entry + stay)))
    start = draw(_DAYS)
    period = Period(_day(start), _day(start + draw(st.integers(min_value=0, max_value=400))))
    return contract, rows, period


@given(_cases())
def test_no_participation_counts_in_a_period_disjoint_from_its_window(
    case: tuple[Contract, list[Participation], Period],
) -> None:
    """Whatever the avenants, a row present or exiting in a period lies in its window then."""
    contract, rows, period = case
    assert period.end is not None
    amended = contract.as_of(period.end)  # as the engine amends it
    (action,) = amended.actions
    window = action.window_in(amended)
    facts = IndicatorInput(
        contract=amended, actions=amended.actions, participations=rows, reports=(), period=period
    )
    for row in facts.present:
        assert window.overlaps(period)
        assert row.entry_date <= (window.end or dt.date.max)
        assert row.exit_date is None or row.exit_date >= window.start
        # The days it counts in the period are the same from either side.
        first = max(row.entry_date, window.start, period.start)
        last = min(row.exit_date or dt.date.max, window.end or dt.date.max, period.end)
        assert first <= last
    for row in facts.exits:
        assert row.exit_date is not None
        assert row.exit_date in window
        assert row.exit_date in period
    # And nothing is left out: every row with a day in the window and the period is present.
    for row in rows:
        first = max(row.entry_date, window.start, period.start)
        last = min(row.exit_date or dt.date.max, window.end or dt.date.max, period.end)
        if first <= last:
            assert row in facts.present
    assert present_in(rows, period, windows={}) == []


# -- validate --------------------------------------------------------------------------------------


def _validate(data: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``territoires validate`` on ``data`` written to a file; exit code and all output."""
    path = territoires.dump(data, tmp_path / "data.json")
    out = io.StringIO()
    code = main(["validate", str(path)], out=out)
    return code, out.getvalue() + capsys.readouterr().err


def test_validate_warns_about_participations_still_open_after_their_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows with no exit (or a later one) when an ended action stopped counting: one warning."""
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2021, 6, 30)),), D(2023, 12, 31))
    data = _data(
        contract,
        _row(1, "brest-01", D(2020, 3, 2)),  # no exit
        _row(2, "brest-01", D(2020, 3, 2), D(2021, 9, 30)),  # left after the action ended
        _row(3, "brest-01", D(2020, 3, 2), D(2021, 6, 30)),  # left on its last day: fine
        _row(4, "brest-01", D(2021, 1, 4), D(2022, 1, 31)),  # later than anything: the horizon
    )
    code, text = _validate(data, tmp_path, capsys)
    assert code == 0  # a warning never blocks
    lines = [line for line in text.splitlines() if "participation-open-after-action" in line]
    assert len(lines) == 1
    (line,) = lines
    assert ":part-1:participations[0].exit_date:" in line
    assert "and 2 more participations of action 'brest-01'" in line
    assert "2021-06-30" in line


def test_validate_does_not_warn_before_the_data_reaches_the_action_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An action ending after the latest date the data records has open rows legitimately."""
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2021, 12, 31)),))
    data = _data(contract, _row(1, "brest-01", D(2020, 3, 2)), _row(2, "brest-01", D(2021, 5, 3)))
    code, text = _validate(data, tmp_path, capsys)
    assert code == 0
    assert "participation-open-after-action" not in text


def test_validate_warns_about_a_report_outside_its_action_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report after the contract ended, within the action's own dates, is a warning."""
    # The action is planned to mid-2022 but the contract ends in 2021: the second half of
    # 2022 is outside the window. (The action outside its contract is an error of its own.)
    contract = _contract((_action("brest-01", D(2019, 9, 1), D(2022, 6, 30)),))
    late = ActionReport(
        id="brest-01-2022-s1",
        action="brest-01",
        period=Period.semester(2022, 1),
        counts=(ReportCount(category=PublicCategory.REFUGEE, sex=Sex.FEMALE,
                            age_band=AgeBand.FROM_26_TO_39, count=12),),
    )  # fmt: skip
    data = Dataset(contracts=(contract,), reports=(late,))
    _, text = _validate(data, tmp_path, capsys)
    (line,) = [line for line in text.splitlines() if "report-outside-window" in line]
    assert ":brest-01-2022-s1:reports[0].period:" in line
    # And indicators leave it out, as the warning says (the calculator itself: the dataset
    # has an error, period-outside-contract, which outputs refuse).
    facts = IndicatorInput(
        contract=contract,
        actions=contract.actions,
        participations=(),
        reports=(late,),
        period=Period.semester(2022, 1),
    )
    assert BUILTINS.indicators["reported_beneficiaries"].compute(facts) == {}
    inside = attrs.evolve(late, period=Period.semester(2021, 2))
    facts = attrs.evolve(facts, reports=(inside,), period=Period.semester(2021, 2))
    assert BUILTINS.indicators["reported_beneficiaries"].compute(facts) != {}
