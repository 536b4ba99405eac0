"""Targets compared like with like: one period, the whole action, the whole contract.

A target says what it is for (:class:`TargetKind`). A yearly target is compared with that
year only; a whole-action target (the demo's brest-01: 70 beneficiaries over 2019–2021) with
the count since the action's start, never with one year's; a contract target likewise on the
contract's row. Tables say which kind they show.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import territoires
from territoires import (
    Action,
    Contract,
    ContractKind,
    Dataset,
    InvalidValueError,
    Period,
    PublicCategory,
    PublicScope,
    Severity,
    Target,
    TargetKind,
    Theme,
)
from territoires.cli import main
from territoires.indicators import IndicatorTable, Level, compute_indicators, since_start
from territoires.plugins import get_plugin_manager

BUILTINS = get_plugin_manager(autoload=False)
DEMO = territoires.demo.build()  # targets are drawn for its 6,000 rows


def _table(data: Dataset, period: Period | str, level: str = "action") -> IndicatorTable:
    return compute_indicators(
        data,
        period=period,
        indicators=["beneficiaries"],
        level=level,
        threshold=1,
        plugins=BUILTINS,
        geography=None,
        audit=False,
    )


# -- the demo's brest-01 --------------------------------------------------------------------------


def test_a_whole_action_target_gets_no_achievement_from_one_year() -> None:
    """brest-01's 2019–2021 target is shown beside 2021 alone, with no achievement."""
    row = _table(DEMO, "2021").get("beneficiaries", level="action", action="brest-01")
    assert row.value is not None
    assert (row.target, row.target_kind, row.achievement) == (
        Decimal(70),
        TargetKind.ACTION,
        None,
    )


def test_a_yearly_target_wins_over_the_whole_action_one_on_its_year() -> None:
    """brest-07 has both: 2021 shows its 2021 target, with an achievement."""
    row = _table(DEMO, "2021").get("beneficiaries", level="action", action="brest-07")
    assert (row.target, row.target_kind) == (Decimal(40), TargetKind.PERIOD)
    assert row.value is not None
    assert row.achievement == row.value / Decimal(40)


def test_a_whole_action_target_is_compared_with_the_cumulative_period() -> None:
    """From the first contract's start to the end of 2021, brest-01 gets its achievement."""
    period = since_start(DEMO, "2021")
    assert period == Period(dt.date(2019, 6, 12), dt.date(2021, 12, 31))
    row = _table(DEMO, period).get("beneficiaries", level="action", action="brest-01")
    assert row.target_kind is TargetKind.ACTION
    assert row.value is not None
    assert row.achievement == row.value / Decimal(70)
    # brest-07 over the same span: its yearly targets do not apply, the whole-action one does.
    both = _table(DEMO, period).get("beneficiaries", level="action", action="brest-07")
    assert (both.target, both.target_kind) == (Decimal(70), TargetKind.ACTION)
    assert both.achievement is not None


def test_a_period_starting_after_the_action_gives_no_achievement() -> None:
    """A span that leaves out the action's first months is not cumulative: no achievement."""
    row = _table(DEMO, "2020-01-01..2021-12-31").get(
        "beneficiaries", level="action", action="brest-01"
    )
    assert row.target == Decimal(70)
    assert row.achievement is None


def test_a_contract_target_goes_on_the_contract_row_only_cumulatively() -> None:
    """Brest's contract target shows on its contract row; achievement only since its start."""
    (goal,) = DEMO.contract("ctair-brest").targets  # type: ignore[union-attr]
    assert goal.kind is TargetKind.CONTRACT
    year = _table(DEMO, "2021", level="contract").get(
        "beneficiaries", level="contract", contract="ctair-brest"
    )
    assert (year.target, year.target_kind, year.achievement) == (
        goal.value,
        TargetKind.CONTRACT,
        None,
    )
    whole = _table(DEMO, since_start(DEMO, "2021"), level="contract").get(
        "beneficiaries", level="contract", contract="ctair-brest"
    )
    assert whole.value is not None
    assert whole.achievement == whole.value / goal.value


def test_the_demo_shows_every_kind_of_target() -> None:
    """The demo has whole-action, yearly and contract targets, so outputs show each kind."""
    kinds = {t.kind for c in DEMO.contracts for t in c.targets}
    kinds |= {t.kind for c in DEMO.contracts for a in c.all_actions() for t in a.targets}
    assert kinds == set(TargetKind)


# -- periods and semesters ----------------------------------------------------------------------


def _one_action(*targets: Target) -> Dataset:
    contract = attrs.evolve(
        DEMO.contract("ctair-brest"),  # type: ignore[arg-type]
        actions=(
            Action(
                id="brest-fle",
                title="Français langue étrangère",
                theme=Theme.FRENCH_LANGUAGE,
                period=Period(dt.date(2019, 9, 1), dt.date(2021, 12, 31)),
                targets=targets,
            ),
        ),
        targets=(),
    )
    rows = tuple(
        attrs.evolve(row, action="brest-fle")
        for row in DEMO.participations
        if row.action == "brest-01"
    )
    # The demo's parties and territories stay: the data is valid, as outputs require.
    data = attrs.evolve(DEMO, contracts=(contract,), participations=rows, reports=())
    found = territoires.validate(data, plugins=BUILTINS)
    assert [p for p in found if p.severity is Severity.ERROR] == []
    return data


def test_a_semester_target_applies_to_its_semester_only() -> None:
    """A target for 2021-S1 shows on 2021-S1, not on 2021-S2 nor on the year 2021."""
    data = _one_action(Target(indicator="beneficiaries", value=Decimal(20), year=2021, semester=1))
    first = _table(data, "2021-S1").get("beneficiaries", level="action", action="brest-fle")
    assert (first.target, first.target_kind) == (Decimal(20), TargetKind.PERIOD)
    assert first.achievement is not None
    for other in ("2021-S2", "2021"):
        row = _table(data, other).get("beneficiaries", level="action", action="brest-fle")
        assert (row.target, row.target_kind, row.achievement) == (None, None, None)


def test_a_yearly_target_is_not_compared_with_another_span() -> None:
    """A target for 2020 is absent from 2021 and from 2019–2021."""
    data = _one_action(Target(indicator="beneficiaries", value=Decimal(30), year=2020))
    for period in ("2021", "2019-01-01..2021-12-31"):
        row = _table(data, period).get("beneficiaries", level="action", action="brest-fle")
        assert row.target is None
    row = _table(data, "2020").get("beneficiaries", level="action", action="brest-fle")
    assert row.target == Decimal(30)


# -- the model's rules ----------------------------------------------------------------------------


def test_the_kind_defaults_from_the_year() -> None:
    """Files without kinds keep their meaning: a year means that period, none the action."""
    assert Target(indicator="beneficiaries", value=Decimal(1), year=2021).kind is TargetKind.PERIOD
    assert Target(indicator="beneficiaries", value=Decimal(1)).kind is TargetKind.ACTION


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": TargetKind.PERIOD}, "kind", "a year"),
        ({"semester": 1}, "semester", "unless the target gives its year"),
        ({"year": 2021, "semester": 3}, "semester", r"1 \(January to June\) or 2"),
        ({"year": 2021, "kind": TargetKind.ACTION}, "kind", "is of kind 'period'"),
        ({"year": 2021, "kind": TargetKind.CONTRACT}, "kind", "no year"),
    ],
)
def test_inconsistent_targets_are_refused_in_plain_words(
    fields: dict[str, object], field: str, words: str
) -> None:
    """A target of one period needs a year; a semester needs a year; the others have none."""
    with pytest.raises(InvalidValueError, match=words) as caught:
        Target(indicator="beneficiaries", value=Decimal(1), **fields)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_actions_and_contracts_hold_only_their_kinds() -> None:
    """An action refuses a contract target; a contract refuses a whole-action target."""
    contract_goal = Target(indicator="beneficiaries", value=Decimal(5), kind=TargetKind.CONTRACT)
    action_goal = Target(indicator="beneficiaries", value=Decimal(5))
    base = DEMO.contracts[0]
    with pytest.raises(InvalidValueError, match="targets of kind 'period' or 'action'"):
        attrs.evolve(base.actions[0], targets=(contract_goal,))
    with pytest.raises(InvalidValueError, match="targets of kind 'period' or 'contract'"):
        attrs.evolve(base, targets=(action_goal,))


# -- files -----------------------------------------------------------------------------------------


def _contract_with_targets() -> Contract:
    return Contract(
        id="ctai-metz",
        kind=ContractKind.CTAI,
        territory="57463",
        title="CTAI Metz",
        period=Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31)),
        public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
        targets=(
            Target(indicator="beneficiaries", value=Decimal(300), kind=TargetKind.CONTRACT),
            Target(indicator="beneficiaries", value=Decimal(60), year=2024, semester=2),
        ),
        actions=(
            Action(
                id="metz-01",
                title="Accueil",
                theme=Theme.ACCESS_TO_RIGHTS,
                period=Period(dt.date(2023, 3, 1), dt.date(2025, 12, 31)),
                targets=(
                    Target(indicator="beneficiaries", value=Decimal(120)),
                    Target(indicator="beneficiaries", value=Decimal(50), year=2024),
                ),
            ),
        ),
    )


def test_targets_of_every_kind_read_back_and_old_files_keep_their_meaning(
    tmp_path: Path,
) -> None:
    """Kinds and semesters survive a file; a target written without kind reads as before."""
    data = Dataset(contracts=(_contract_with_targets(),))
    path = territoires.dump(data, tmp_path / "data.json")
    assert territoires.load(path) == data
    document = json.loads(path.read_text(encoding="utf-8"))
    written = document["contracts"][0]
    # Kinds the year already gives are not written: files stay as they were.
    assert written["actions"][0]["targets"] == [
        {"indicator": "beneficiaries", "value": "120"},
        {"indicator": "beneficiaries", "value": "50", "year": 2024},
    ]
    assert written["targets"][0]["kind"] == "contract"
    assert written["targets"][1] == {
        "indicator": "beneficiaries",
        "value": "60",
        "year": 2024,
        "semester": 2,
    }


def test_a_file_with_an_inconsistent_target_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole-action target given a year is refused by validate with its field path."""
    data = Dataset(contracts=(_contract_with_targets(),))
    path = territoires.dump(data, tmp_path / "data.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["contracts"][0]["actions"][0]["targets"][1]["kind"] = "action"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    code = main(["validate", str(path)], out=out)
    assert code == 1
    # Problems on either stream: the command line may print them on standard error.
    shown = out.getvalue() + capsys.readouterr().err
    assert "contracts[0].actions[0].targets[1].kind" in shown
    assert "is of kind 'period'" in shown


# -- the command line ------------------------------------------------------------------------------


def _csv(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    assert main(["indicators", *args, "--format", "csv"], out=out) == 0
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _brest_01(rows: list[dict[str, str]]) -> dict[str, str]:
    (row,) = [r for r in rows if r["action"] == "brest-01" and not r["dimension"]]
    return row


def test_indicators_cumulative_gives_whole_action_targets_an_achievement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--cumulative`` counts from the first contract's start; the CSV says the target kind."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    common = ("--period", "2021", "--level", "action", "--indicator", "beneficiaries")
    year = _brest_01(_csv(*common))
    assert (year["target"], year["target_kind"], year["achievement"]) == ("70", "action", "")
    cumulative = _brest_01(_csv(*common, "--cumulative"))
    assert cumulative["period_start"] == "2019-06-12"
    assert cumulative["period_end"] == "2021-12-31"
    assert cumulative["target_kind"] == "action"
    assert Decimal(cumulative["achievement"]) == Decimal(cumulative["value"]) / 70


def test_the_terminal_table_says_what_each_target_is_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The target column names the kind: a yearly target, a whole action, a whole contract."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    out = io.StringIO()
    code = main(
        ["indicators", "--period", "2021", "--level", "action", "--level", "contract",
         "--indicator", "beneficiaries", "--territory", "242900314"],
        out=out,
    )  # fmt: skip
    assert code == 0
    text = out.getvalue()
    for kind in ("[période]", "[action entière]", "[contrat entier]"):
        assert kind in text


def test_since_start_refuses_what_has_no_start() -> None:
    """No contract, or an end before every start, is a domain error saying what is expected."""
    with pytest.raises(InvalidValueError, match="at least one contract"):
        since_start(Dataset(), "2021")
    with pytest.raises(InvalidValueError, match="on or after the first contract's start"):
        since_start(DEMO, "2018")


def test_rows_without_targets_have_no_kind() -> None:
    """Breakdowns and levels above the contract never carry a target or a kind."""
    table = compute_indicators(
        DEMO,
        period=since_start(DEMO, "2021"),
        indicators=["beneficiaries"],
        threshold=1,
        plugins=BUILTINS,
        geography=None,
        audit=False,
    )
    for row in table:
        if row.dimension is not None or row.level in (Level.TERRITORY, Level.NATIONAL):
            assert (row.target, row.target_kind, row.achievement) == (None, None, None)
