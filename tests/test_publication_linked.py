"""Publications over periods and releases: what a new table gives back, checked by an attacker.

The attacker here is written in the test, independently of the library's auditor and
protector: it reads the published rows of one additive indicator (operator-reported
beneficiaries) in every release, writes every relation that holds between them (each
breakdown adds up to its total, the action, its contract, its territory and the national
row are one and the same figure here, and the year is the sum of its two semesters since
every report covers one semester) and asks HiGHS for the smallest and largest whole value of
each suppressed cell. A cell is exposed when that interval is a single value or lies within
``[1, threshold - 1]``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import territoires
from territoires import (
    Action,
    ActionReport,
    AgeBand,
    Contract,
    ContractKind,
    Dataset,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Theme,
)
from territoires.disclosure import audit
from territoires.indicators import IndicatorTable, compute_indicators
from territoires.plugins import get_plugin_manager
from territoires.publication import Ledger, release_of

BUILTINS = get_plugin_manager(autoload=False)
GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole
SPAN = Period(dt.date(2019, 1, 1), dt.date(2023, 12, 31))
S1, S2, YEAR = "2022-S1", "2022-S2", "2022"
INDICATOR = "reported_beneficiaries"
THRESHOLD = 11


def _dataset(reports: Iterable[tuple[str, PublicCategory, Sex, AgeBand, int]]) -> Dataset:
    """One Grenoble contract, one action "a1" whose operator reports its beneficiaries."""
    by_period: dict[str, list[ReportCount]] = defaultdict(list)
    for period, category, sex, band, count in reports:
        by_period[period].append(
            ReportCount(category=category, sex=sex, age_band=band, count=count)
        )
    return Dataset(
        contracts=(
            Contract(
                id="c",
                kind=ContractKind.CTAIR,
                territory=GRENOBLE,
                title="CTAIR",
                period=SPAN,
                public=PublicScope(categories=frozenset(PublicCategory)),
                signed_on=SPAN.start,
                actions=(Action(id="a1", title="A1", theme=Theme.HOUSING, period=SPAN),),
            ),
        ),
        reports=tuple(
            ActionReport(
                id=f"r-{period.lower()}",
                action="a1",
                period=territoires.indicators.parse_period(period),
                counts=tuple(counts),
            )
            for period, counts in sorted(by_period.items())
        ),
    )


# The case: 5 beneficiaries in the first semester, 20 in the second, 25 in the year.
REFUGEE, FEMALE, MALE = PublicCategory.REFUGEE, Sex.FEMALE, Sex.MALE
YOUNG, ADULT = AgeBand.FROM_18_TO_25, AgeBand.FROM_26_TO_39
THREE_PERIODS = _dataset([(S1, REFUGEE, FEMALE, YOUNG, 5), (S2, REFUGEE, MALE, ADULT, 20)])


def _compute(data: Dataset, period: str, **options: Any) -> IndicatorTable:
    options.setdefault("threshold", THRESHOLD)
    return compute_indicators(
        data, period=period, indicators=[INDICATOR], plugins=BUILTINS, **options
    )


def _publish(
    data: Dataset, periods: Sequence[str], ledger: Ledger | None = None, fingerprint: str = "v1"
) -> tuple[dict[str, IndicatorTable], Ledger]:
    """Publish ``periods`` one after the other, each recorded in the ledger."""
    ledger = ledger if ledger is not None else Ledger()
    engine = {}
    for period in periods:
        table = _compute(data, period, ledger=ledger, fingerprint=fingerprint)
        ledger = ledger.with_release(release_of(table, fingerprint=fingerprint, label=period))
        engine[period] = table
    return engine, ledger


# -- the independent attacker ---------------------------------------------------------------------

Cell = tuple[str, str | None, str | None, dt.date]  # level, dimension, category, period start


def _cells(tables: Iterable[IndicatorTable]) -> dict[tuple[Any, ...], Decimal | None]:
    """The published rows of the indicator: (level, dimension, category, start, end) → value."""
    found: dict[tuple[Any, ...], Decimal | None] = {}
    for table in tables:
        for row in table.published():
            if row.indicator != INDICATOR:
                continue
            dimension = row.dimension.value if row.dimension else None
            key = (row.level.value, dimension, row.category, row.period.start, row.period.end)
            value = row.value if row.status.value == "published" else None
            if key in found and found[key] is not None and value is None:
                continue  # published in one release, hidden in another: it is known
            found[key] = value
    return found


def attacker_intervals(
    tables: Iterable[IndicatorTable],
) -> dict[tuple[Any, ...], tuple[int, int | None]]:
    """Every hidden cell's whole-number interval, from the published rows and the relations."""
    cells = _cells(tables)
    hidden = [key for key, value in cells.items() if value is None]
    column = {key: index for index, key in enumerate(hidden)}
    rows: list[tuple[dict[int, int], int]] = []  # sum(coefficient * x) == constant

    def equation(terms: Sequence[tuple[tuple[Any, ...], int]]) -> None:
        coefficients: dict[int, int] = defaultdict(int)
        constant = 0
        for key, sign in terms:
            if key not in cells:
                return  # a cell nobody published nor hid: the relation tells nothing
            value = cells[key]
            if value is None:
                coefficients[column[key]] += sign
            else:
                constant -= sign * int(value)
        if any(coefficients.values()):
            rows.append((dict(coefficients), constant))

    levels = ("action", "contract", "territory", "national")
    periods = {(key[3], key[4]) for key in cells}
    breakdowns: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for key in cells:
        if key[1] is not None:
            breakdowns[key[0], key[1], key[3], key[4]].append(key)
    for (level, _, start, end), parts in breakdowns.items():
        equation([((level, None, None, start, end), 1), *((part, -1) for part in parts)])
    for key in cells:
        if key[0] != "action":
            continue
        for level in levels[1:]:  # one action: every level holds the same figure
            equation([(key, 1), ((level, *key[1:]), -1)])
    year = next((p for p in periods if p[0].month == 1 and p[1].month == 12), None)
    if year is not None:
        halves = sorted(p for p in periods if p != year)
        if len(halves) == 2:
            for key in cells:
                if (key[3], key[4]) == year:
                    parts = [((*key[:3], *half), -1) for half in halves]
                    equation([(key, 1), *parts])
    found: dict[tuple[Any, ...], tuple[int, int | None]] = {}
    if not hidden:
        return found
    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    width = len(hidden)
    model.addVars(width, np.zeros(width), np.full(width, highspy.kHighsInf))
    model.changeColsIntegrality(
        width, np.arange(width, dtype=np.int32), np.full(width, highspy.HighsVarType.kInteger)
    )
    for coefficients, constant in rows:
        indices = np.array(list(coefficients), dtype=np.int32)
        values = np.array(list(coefficients.values()), dtype=float)
        model.addRow(constant, constant, len(indices), indices, values)
    for key, index in column.items():
        bounds: list[int | None] = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            costs = np.zeros(width)
            costs[index] = 1.0
            model.changeColsCost(width, np.arange(width, dtype=np.int32), costs)
            model.changeObjectiveSense(sense)
            model.run()
            status = model.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(round(model.getInfo().objective_function_value))
            else:
                assert status in (
                    highspy.HighsModelStatus.kUnbounded,
                    highspy.HighsModelStatus.kUnboundedOrInfeasible,
                ), status
                bounds.append(None)
        low, high = bounds
        found[key] = (low or 0, high)
    return found


def exposed(tables: Iterable[IndicatorTable], threshold: int = THRESHOLD) -> list[str]:
    """The hidden cells the attacker recovers or places inside ``[1, threshold - 1]``."""
    return sorted(
        f"{key[0]} {key[1]}={key[2]} {key[3]}..{key[4]}: [{low}, {high}]"
        for key, (low, high) in attacker_intervals(tables).items()
        if low == high or (low >= 1 and high is not None and high <= threshold - 1)
    )


# -- the three periods --------------------------------------------------------------------


def test_each_period_protected_alone_gives_the_first_semester_back() -> None:
    """Protected one by one, S1 = 5 is suppressed but the year 25 minus S2 20 gives it."""
    alone = {period: _compute(THREE_PERIODS, period) for period in (S1, S2, YEAR)}
    national = {p: t.get(INDICATOR, level="national") for p, t in alone.items()}
    assert national[S1].status.suppressed
    assert (national[S2].value, national[YEAR].value) == (Decimal(20), Decimal(25))
    found = exposed(alone.values())
    assert any("national None=None 2022-01-01..2022-06-30: [5, 5]" in cell for cell in found)


def test_with_a_ledger_the_year_keeps_the_first_semester_hidden() -> None:
    """Published after S1 and S2 with the ledger, the year is suppressed: nothing comes back."""
    engine, _ = _publish(THREE_PERIODS, [S1, S2, YEAR])
    year = engine[YEAR].get(INDICATOR, level="national")
    assert year.status.suppressed
    assert exposed(engine.values()) == []
    report = engine[YEAR].audit
    assert report is not None
    assert report.protected
    assert any(reason == "linked" for _, reason, _ in report.withheld)


def test_the_library_auditor_agrees_on_the_three_releases() -> None:
    """disclosure.audit names S1 in the old tables, and finds the ledger's tables protected."""
    alone = {period: _compute(THREE_PERIODS, period).published() for period in (S1, S2, YEAR)}
    old = audit(alone, plugins=BUILTINS, threshold=THRESHOLD)
    assert any(
        cell.indicator == INDICATOR and cell.level == "national" and cell.period.end.month == 6
        for cell in old.exposed
    )
    engine, _ = _publish(THREE_PERIODS, [S1, S2, YEAR])
    new = audit(
        {p: t.published() for p, t in engine.items()}, plugins=BUILTINS, threshold=THRESHOLD
    )
    assert new.protected, [cell.label for cell in new.exposed]


def test_the_same_data_and_ledger_give_the_same_pattern() -> None:
    """The pattern is deterministic: computed twice, every status is the same."""
    first, _ = _publish(THREE_PERIODS, [S1, S2, YEAR])
    second, _ = _publish(THREE_PERIODS, [S1, S2, YEAR])
    for period in first:
        assert [row.status for row in first[period]] == [row.status for row in second[period]]


# -- the rules across releases ---------------------------------------------------------------------


def test_a_cell_hidden_before_stays_hidden_at_a_lower_threshold() -> None:
    """Released at 11 (5 persons: hidden), S1 computed again at 3 does not publish it."""
    engine, ledger = _publish(THREE_PERIODS, [S1])
    assert engine[S1].get(INDICATOR, level="national").status.suppressed
    again = _compute(THREE_PERIODS, S1, threshold=3, ledger=ledger, fingerprint="v1")
    assert again.get(INDICATOR, level="national").status.suppressed
    fresh = _compute(THREE_PERIODS, S1, threshold=3)
    assert fresh.get(INDICATOR, level="national").value == Decimal(5)
    assert "hidden_before" in {reason for _, reason, _ in again.audit.withheld}  # type: ignore[union-attr]


@pytest.mark.parametrize(("late", "withheld"), [(3, True), (15, False)])
def test_a_revision_by_a_few_persons_is_withheld(late: int, withheld: bool) -> None:
    """S2 = 20 published; late reports add 3 persons (withheld: 23 - 20 = 3) or 15 (shown)."""
    _, ledger = _publish(THREE_PERIODS, [S2])
    revised = _dataset(
        [
            (S1, REFUGEE, FEMALE, YOUNG, 5),
            (S2, REFUGEE, MALE, ADULT, 20),
            (S2, PublicCategory.SUBSIDIARY_PROTECTION, MALE, ADULT, late),
        ]
    )
    table = _compute(revised, S2, ledger=ledger, fingerprint="v2")
    national = table.get(INDICATOR, level="national")
    assert national.status.suppressed is withheld
    reasons = {reason for _, reason, _ in table.audit.withheld}  # type: ignore[union-attr]
    assert ("revision" in reasons) is withheld


# -- the property ----------------------------------------------------------------------------------

CATEGORIES = [PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION]
SEXES = [Sex.FEMALE, Sex.MALE]


@st.composite
def report_sets(draw: st.DrawFn) -> Dataset:
    """One action's reports for both semesters of 2022: a few small and large counts."""
    rows = []
    for period in (S1, S2):
        for category in CATEGORIES:
            for sex in SEXES:
                count = draw(st.sampled_from([0, 0, 1, 2, 4, 7, 12, 15, 30]))
                if count:
                    rows.append((period, category, sex, AgeBand.FROM_26_TO_39, count))
    return _dataset(rows)


@settings(max_examples=12, deadline=None)
@given(data=report_sets(), order=st.sampled_from([[S1, S2, YEAR], [YEAR, S1, S2], [S2, YEAR]]))
def test_no_sequence_of_releases_gives_a_cell_back(data: Dataset, order: list[str]) -> None:
    """Whatever is published in whatever order with the ledger, the attacker recovers nothing."""
    engine, _ = _publish(data, order)
    assert exposed(engine.values()) == []


def test_the_attacker_sees_what_the_protector_would_miss_without_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the relation year = S1 + S2 in the protector's system, the property fails."""
    from territoires import _attack

    monkeypatch.setattr(_attack._Builder, "_time", lambda self, cells: None)
    engine, _ = _publish(THREE_PERIODS, [S1, S2, YEAR])
    assert exposed(engine.values()) != []


# -- what no new table can mend ------------------------------------------------------------------


def test_a_cell_earlier_releases_give_away_is_named_on_stderr_with_exit_1(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year (25) and S2 (20) released the old way, S1 is 25 - 20 = 5 whatever it hides.

    The CLI still writes S1 and records it (the committee has the figures already), but says
    on stderr which cells the earlier releases expose, and exits 1.
    """
    import io

    from territoires.cli import EXIT_DATA, main
    from territoires.io import fingerprint, load_ledger, record_release

    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    data = tmp_path / "data.json"
    territoires.dump(THREE_PERIODS, data)
    ledger = tmp_path / "ledger.json"
    print_ = fingerprint(territoires.load(data))
    for period in (YEAR, S2):
        old = _compute(THREE_PERIODS, period, audit=False)
        record_release(ledger, release_of(old, fingerprint=print_, label=period))
    before = load_ledger(ledger)
    out = io.StringIO()
    code = main(
        [
            "indicators",
            str(data),
            "--period",
            S1,
            "--indicator",
            INDICATOR,
            "--threshold",
            str(THRESHOLD),
            "--format",
            "csv",
            "--ledger",
            str(ledger),
            "--release",
            S1,
            "--lang",
            "en",
        ],
        out=out,
    )
    err = capsys.readouterr().err
    assert code == EXIT_DATA, err
    assert "remain exposed by earlier releases" in err
    table = _compute(THREE_PERIODS, S1, ledger=before, fingerprint=print_)
    assert table.audit is not None
    labels = [cell.label for cell in table.audit.exposed]
    assert "reported_beneficiaries national 2022-S1" in labels  # the 25 - 20 = 5
    assert f"warning: {len(labels)} suppressed cells remain exposed" in err
    assert "Traceback" not in err
    assert f"{INDICATOR},national" in out.getvalue()  # the table is written all the same
    assert [release.label for release in load_ledger(ledger).releases] == [YEAR, S2, S1]


def test_a_complement_is_looked_for_behind_hidden_cells_when_nothing_near_helps() -> None:
    """What pins an exposed cell may lie several relations away, behind hidden cells.

    Exposed cell e; the cells it shares relations with are hidden (h1, then h2); the published
    cells are p3, three relations away, and p4, four. Nearby (the default reach) nothing is
    found; looking further finds the nearest, p3, even though p4 has smaller counts.
    """
    from types import SimpleNamespace

    from territoires import _linked

    def cell(name: str) -> Any:
        return (INDICATOR, "action", name, None, None, dt.date(2022, 1, 1), dt.date(2022, 6, 30))

    e, h1, h2, p3, p4 = (cell(name) for name in ("e", "h1", "h2", "p3", "p4"))
    attack = SimpleNamespace(
        links=[(e, h1), (h1, h2), (h2, p3), (p3, p4)],
        hidden=[SimpleNamespace(cell=c) for c in (e, h1, h2)],
    )
    pattern = _linked.Pattern(attack, {}, (e,), ())  # type: ignore[arg-type]
    candidates = {p3: ((40,), 0), p4: ((12,), 1)}
    assert _linked.complements(pattern, candidates) == {}
    assert _linked.complements(pattern, candidates, reach=_linked.REACH) == {e: p3}
    assert _linked.complements(pattern, candidates, reach=2) == {}  # p3 is 3 relations away
