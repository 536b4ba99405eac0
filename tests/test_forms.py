"""Operators' forms: templates out, filled forms back in, every problem at its cell.

The forms are those of the demo's Nantes contract (real territory, synthetic operators and
activity). Filling a form is done here as an operator's spreadsheet would: cells typed in the
Participations sheet of the workbook territoires wrote, saved under the same name.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import territoires
from territoires import cli, demo
from territoires.model import AdministrativeStatus, AgeBand, Participation, Sex

openpyxl = pytest.importorskip("openpyxl")

from territoires.forms import (  # noqa: E402  (after the skip: the forms need openpyxl)
    FORM_ROWS,
    Collected,
    _personal,
    collect,
    form_name,
    operators_of,
    write_templates,
)

CONTRACT = "ctair-nantes"


@pytest.fixture(scope="module")
def dataset() -> territoires.Dataset:
    return demo.build(participations=200)


@pytest.fixture(scope="module")
def operators(dataset: territoires.Dataset) -> dict[str, list[str]]:
    contract = dataset.contract(CONTRACT)
    assert contract is not None
    return {o: [a.id for a in actions] for o, actions in operators_of(contract).items()}


@pytest.fixture
def forms(dataset: territoires.Dataset, tmp_path: Path) -> list[Path]:
    folder = tmp_path / "forms"
    folder.mkdir()
    return write_templates(dataset, CONTRACT, folder)


def _fill(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Participations") -> None:
    """Type ``rows`` into a form below its header, as an operator would, and save it."""
    workbook = openpyxl.load_workbook(path)
    cells = workbook[sheet]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cells.cell(row=number, column=column).value = value  # None empties the cell
    workbook.save(path)


def _row(pid: str, person: str, action: str, entry: dt.date) -> list[object]:
    return [pid, person, action, entry, None, "refugee", "female", "26-39", "44109"]


def _form_of(forms: list[Path], operator: str) -> Path:
    return next(p for p in forms if p.name == form_name(CONTRACT, operator))


def _start(dataset: territoires.Dataset, action: str) -> dt.date:
    contract = dataset.contract(CONTRACT)
    assert contract is not None
    found = next(a for a in contract.as_of(dt.date.max).actions if a.id == action)
    return found.period.start


# -- the templates ---------------------------------------------------------------------------------


def test_one_form_per_operator_with_its_actions_only(
    forms: list[Path], operators: dict[str, list[str]]
) -> None:
    assert sorted(p.name for p in forms) == sorted(form_name(CONTRACT, o) for o in operators)
    for operator, actions in operators.items():
        workbook = openpyxl.load_workbook(_form_of(forms, operator))
        assert workbook.sheetnames[0] == "À lire"
        lists = workbook["Listes"]
        listed = [c.value for c in lists["A"][1:] if c.value is not None]
        assert listed == actions
        assert lists.sheet_state == "hidden"
        readme = "\n".join(
            str(c.value) for row in workbook["À lire"].iter_rows() for c in row if c.value
        )
        assert "pseudonyme" in readme
        assert "jamais son nom" in readme
        for action in actions:
            assert action in readme


def test_the_form_has_drop_down_lists_dates_and_a_protected_header(forms: list[Path]) -> None:
    workbook = openpyxl.load_workbook(forms[0])
    sheet = workbook["Participations"]
    assert [c.value for c in sheet[1]][:4] == ["id", "person", "action", "entry_date"]
    assert sheet.protection.sheet
    assert sheet["A1"].protection.locked
    # Every row below the header takes its column's style: open to the operator, typed.
    assert not any(sheet.column_dimensions[letter].protection.locked for letter in "ABCDEFGHIJKLM")
    assert sheet.column_dimensions["D"].number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["I"].number_format == "@"  # a commune code keeps its 0
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert rules[f"C2:C{FORM_ROWS + 1}"].type == "list"  # the operator's actions
    assert rules[f"F2:F{FORM_ROWS + 1}"].type == "list"  # statuses
    assert rules[f"D2:D{FORM_ROWS + 1}"].type == "date"
    assert all(rule.showErrorMessage for rule in rules.values())


def test_the_same_templates_are_the_same_bytes(
    dataset: territoires.Dataset, forms: list[Path], tmp_path: Path
) -> None:
    again = tmp_path / "again"
    again.mkdir()
    for first, second in zip(forms, write_templates(dataset, CONTRACT, again), strict=True):
        assert first.read_bytes() == second.read_bytes()


def test_the_template_command_refuses_a_missing_folder_and_an_unknown_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    missing = tmp_path / "nowhere"
    assert cli.main(["template", "--contract", CONTRACT, "-o", str(missing)], out=out) == 2
    assert str(missing) in capsys.readouterr().err
    assert cli.main(["template", "--contract", "ctair-nante", "-o", str(tmp_path)], out=out) == 2
    err = capsys.readouterr().err
    assert "ctair-nantes" in err  # the suggestion
    assert "Traceback" not in err
    assert out.getvalue() == ""


# -- collecting ----------------------------------------------------------------------------------


def _digests(paths: Sequence[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_collecting_merges_the_rows_and_twice_changes_nothing(
    dataset: territoires.Dataset, forms: list[Path], operators: dict[str, list[str]]
) -> None:
    operator, actions = next((o, a) for o, a in operators.items() if not o.startswith("col-"))
    start = _start(dataset, actions[0])
    _fill(
        _form_of(forms, operator),
        [_row("f-1", "PX0001", actions[0], start), _row("f-2", "PX0002", actions[0], start)],
    )
    before = _digests(forms)
    first = collect(dataset, forms)
    assert (first.added, first.replaced, first.unchanged) == (2, 0, 0)
    assert len(first.dataset.participations) == len(dataset.participations) + 2
    again = collect(first.dataset, forms)
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 2)
    assert again.dataset == first.dataset
    assert _digests(forms) == before  # the forms are only read
    # A corrected row replaces the one sent before.
    _fill(_form_of(forms, operator), [_row("f-1", "PX0001", actions[0], start + dt.timedelta(1))])
    fixed = collect(first.dataset, [_form_of(forms, operator)])
    assert (fixed.added, fixed.replaced, fixed.unchanged) == (0, 1, 1)


def test_an_empty_form_is_no_problem(dataset: territoires.Dataset, forms: list[Path]) -> None:
    result = collect(dataset, forms)
    assert result == Collected(dataset=dataset, forms=len(forms), added=0, replaced=0, unchanged=0)


_PSEUDONYMS = st.from_regex(r"P[0-9A-F]{6}", fullmatch=True)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_valid_participations_written_into_a_form_come_back_identical(
    dataset: territoires.Dataset,
    operators: dict[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    operator = data.draw(st.sampled_from(sorted(operators)), label="operator")
    actions = operators[operator]
    contract = dataset.contract(CONTRACT)
    assert contract is not None
    final = contract.as_of(dt.date.max)
    windows = {a.id: a.window_in(final) for a in final.actions if a.id in actions}
    count = data.draw(st.integers(1, 6), label="rows")
    rows: list[Participation] = []
    for index in range(count):
        action = data.draw(st.sampled_from(actions))
        window = windows[action]
        last = window.end or dt.date(2026, 6, 30)
        entry = data.draw(st.dates(window.start, last))
        exit_ = data.draw(st.none() | st.dates(entry, last))
        rows.append(
            Participation(
                id=f"form-{index}",
                person=data.draw(_PSEUDONYMS),
                action=action,
                entry_date=entry,
                exit_date=exit_,
                status=data.draw(st.sampled_from(list(AdministrativeStatus))),
                sex=data.draw(st.sampled_from(list(Sex))),
                age_band=data.draw(st.sampled_from(list(AgeBand))),
                residence=data.draw(st.sampled_from([None, "44109", "44143"])),
            )
        )
    keys = {(r.person, r.action, r.entry_date) for r in rows}
    if len(keys) < len(rows):
        return  # the same participation twice in one form is another test's
    folder = tmp_path_factory.mktemp("forms")
    (path,) = write_templates(dataset, CONTRACT, folder, operators=[operator])
    columns = [a.name for a in attrs.fields(Participation)]
    _fill(
        path,
        [
            [
                getattr(r, c).value if hasattr(getattr(r, c), "value") else getattr(r, c)
                for c in columns
            ]
            for r in rows
        ],
    )
    result = collect(dataset, [path])
    assert result.added == len(rows)
    back = {p.id: p for p in result.dataset.participations}
    assert [back[r.id] for r in rows] == rows


# -- what a form must not hold -----------------------------------------------------------------


def _problems(dataset: territoires.Dataset, paths: Sequence[Path]) -> list[str]:
    with pytest.raises(territoires.DataError) as caught:
        collect(dataset, paths)
    return [p.format() for p in caught.value.problems]


def test_personal_data_is_refused_without_being_echoed(
    dataset: territoires.Dataset, forms: list[Path], operators: dict[str, list[str]]
) -> None:
    operator, actions = next(iter(operators.items()))
    path = _form_of(forms, operator)
    start = _start(dataset, actions[0])
    _fill(
        path,
        [
            _row("f-1", "Jean Dupont", actions[0], start),
            _row("f-2", "jean.dupont@example.org", actions[0], start),
            _row("f-3", "06 12 34 56 78", actions[0], start),
        ],
    )
    lines = _problems(dataset, [path])
    said = "personal data: this cell holds"
    assert lines == [
        f"{path}:Participations!B2:person: {said} a name (J*** D***) [personal-data]",
        f"{path}:Participations!B3:person: {said} an e-mail address (j***@e***) [personal-data]",
        f"{path}:Participations!B4:person: {said} a phone number (06******78) [personal-data]",
    ]
    printed = "\n".join(lines)
    for secret in ("Dupont", "example.org", "34 56"):
        assert secret not in printed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Jean Dupont", "a name"),
        ("DUPONT Jean", "a name"),
        ("Marie-Claire Dubois", "a name"),
        ("j.dupont@example.org", "an e-mail address"),
        ("0612345678", "a phone number"),
        ("+33 6 12 34 56 78", "a phone number"),
        ("P7F3A9C", None),
        ("123456789", None),
        ("refugee", None),
        ("26-39", None),
    ],
)
def test_what_counts_as_personal_data(text: str, kind: str | None) -> None:
    assert _personal(text) == kind


def test_the_wrong_sheets_cells_and_actions_are_each_reported(
    dataset: territoires.Dataset, forms: list[Path], operators: dict[str, list[str]]
) -> None:
    operator, actions = next(iter(operators.items()))
    foreign = next(
        a for o, acts in operators.items() if o != operator for a in acts if a not in actions
    )
    path = _form_of(forms, operator)
    start = _start(dataset, actions[0])
    _fill(
        path,
        [
            _row("f-1", "PX1", actions[0], start),
            _row("f-2", "PX2", foreign, _start(dataset, foreign)),
            [*_row("f-3", "PX3", actions[0], start)[:3], "=TODAY()", None, "refugee"],
            [*_row("f-4", "PX4", actions[0], start)[:3], "hier", None, "refugie"],
        ],
    )
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Notes")
    workbook.save(path)
    lines = _problems(dataset, [path])
    assert f"{path}:Notes:: a sheet the form does not have: 'Notes' [unknown-sheet]" in lines
    assert f"{path}:Participations!D4:entry_date: a formula in a data cell [invalid-value]" in lines
    assert any(line.startswith(f"{path}:Participations!D5:entry_date:") for line in lines)
    assert any(
        line.startswith(f"{path}:Participations!F5:status:") and "refugee" in line for line in lines
    )
    # The foreign action is reported once the form reads (the other problems come first).
    _fill(
        path,
        [
            _row("f-1", "PX1", actions[0], start),
            _row("f-2", "PX2", foreign, _start(dataset, foreign)),
            [None] * 9,
            [None] * 9,
        ],
    )
    workbook = openpyxl.load_workbook(path)
    del workbook["Notes"]
    workbook.save(path)
    lines = _problems(dataset, [path])
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:Participations!C3:action: action {foreign!r} is not one")


def test_the_same_participation_sent_by_two_operators_names_both(
    dataset: territoires.Dataset, forms: list[Path], operators: dict[str, list[str]]
) -> None:
    contract = dataset.contract(CONTRACT)
    assert contract is not None
    shared = next((a for a in contract.as_of(dt.date.max).actions if len(a.operators) > 1), None)
    if shared is None:  # pragma: no cover - the demo's Nantes contract has one
        pytest.skip("no action with two operators")
    first, second = (_form_of(forms, o) for o in shared.operators[:2])
    start = shared.period.start
    _fill(first, [_row("a-1", "PX9", shared.id, start)])
    _fill(second, [_row("b-1", "PX9", shared.id, start)])
    (line,) = _problems(dataset, [first, second])
    assert line.startswith(f"{second}:Participations!2:2:")
    assert f"is in {first} (Participations!2:2)" in line
    assert line.endswith("[duplicate-participation]")


def test_a_form_of_unknown_origin_is_refused(dataset: territoires.Dataset, tmp_path: Path) -> None:
    stray = tmp_path / "participations.csv"
    stray.write_text("id;person;action;entry_date;status\n", encoding="utf-8")
    (line,) = _problems(dataset, [stray])
    assert "cannot tell which operator sent this form" in line


def test_a_csv_form_in_the_excel_fr_dialect(
    dataset: territoires.Dataset, operators: dict[str, list[str]], tmp_path: Path
) -> None:
    operator, actions = next(iter(operators.items()))
    start = _start(dataset, actions[0])
    path = tmp_path / form_name(CONTRACT, operator, ".csv")
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["id", "person", "action", "entry_date", "status", "residence"])
        writer.writerow(["c-1", "PX7", actions[0], f"{start:%d/%m/%Y}", "refugee", "44109"])
        writer.writerow(["c-2", "Jean Dupont", actions[0], f"{start:%d/%m/%Y}", "refugee", ""])
    (line,) = _problems(dataset, [path])
    assert line == f"{path}:line 3:: personal data: a cell holds a name (J*** D***) [personal-data]"
    path.write_text(
        path.read_text(encoding="utf-8-sig").splitlines()[0]
        + "\n"
        + path.read_text(encoding="utf-8-sig").splitlines()[1]
        + "\n",
        encoding="utf-8-sig",
    )
    result = collect(dataset, [path])
    assert result.added == 1
    (row,) = [p for p in result.dataset.participations if p.id == "c-1"]
    assert row.entry_date == start


# -- the command -----------------------------------------------------------------------------------


def test_the_commands_write_forms_then_merge_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "data.json"
    territoires.dump(demo.build(participations=100), source)
    folder = tmp_path / "forms"
    folder.mkdir()
    out = io.StringIO()
    assert (
        cli.main(
            ["template", str(source), "--contract", CONTRACT, "-o", str(folder), "--lang", "en"],
            out=out,
        )
        == 0
    )
    written = sorted(folder.glob("*.xlsx"))
    assert len(out.getvalue().splitlines()) == len(written) > 1
    out = io.StringIO()
    merged = tmp_path / "merged"
    code = cli.main(
        ["collect", *map(str, written), "--into", str(source), "-o", str(merged)], out=out
    )
    assert code == 0, capsys.readouterr().err
    assert "formulaires lus" in out.getvalue()
    assert territoires.load(merged) == territoires.load(source)
    # A form with a problem: exit 1, the problem on standard error, nothing written.
    shutil.copy(written[0], tmp_path / "copy.xlsx")
    _fill(written[0], [["x-1", "Jean Dupont"]])
    out = io.StringIO()
    again = tmp_path / "again"
    code = cli.main(
        ["collect", *map(str, written), "--into", str(source), "-o", str(again), "--lang", "en"],
        out=out,
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "[personal-data]" in err
    assert "Traceback" not in err
    assert out.getvalue() == ""
    assert not again.exists()
    # Writing over a form is refused.
    code = cli.main(
        ["collect", str(written[1]), "--into", str(source), "-o", str(written[1])],
        out=io.StringIO(),
    )
    assert code == 2
    assert "input being read" in capsys.readouterr().err


def test_a_row_the_dataset_refuses_is_reported_at_its_cell(
    dataset: territoires.Dataset, forms: list[Path], operators: dict[str, list[str]]
) -> None:
    """Well formed but wrong once merged: an entry after its action ended (validate's rule)."""
    contract = dataset.contract(CONTRACT)
    assert contract is not None
    final = contract.as_of(dt.date.max)
    operator, action = next(
        (o, a)
        for o, acts in operators.items()
        for a in final.actions
        if a.id in acts and a.period.end is not None and a.period.end < dt.date(2025, 1, 1)
    )
    assert action.period.end is not None
    late = action.period.end + dt.timedelta(days=30)
    path = _form_of(forms, operator)
    _fill(path, [_row("late-1", "PX5", action.id, late)])
    (line,) = _problems(dataset, [path])
    assert line.startswith(f"{path}:Participations!D2:entry_date: entered on {late}")
    assert line.endswith("[participation-after-action]")
