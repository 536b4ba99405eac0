"""Generators of the hostile corpus for the write path: inputs beside outputs, leftovers."""

from __future__ import annotations

import os
from pathlib import Path

from hostile import generator

# A process id above the kernel's largest (pid_max is at most 2**22): never a running process.
DEAD_PID = 9_999_999


def _demo(participations: int = 200) -> object:
    import territoires

    return territoires.demo.build(participations=participations)


@generator
def demo_package(folder: Path) -> Path:
    """The demo with 200 participations as a data-package folder."""
    import territoires

    return territoires.dump(_demo(), folder / "pkg")  # type: ignore[arg-type]


@generator
def demo_and_persons(folder: Path) -> Path:
    """The demo as JSON, and beside it a CSV of two pseudonymous persons (persons.csv)."""
    import territoires

    (folder / "persons.csv").write_text(
        "id,status,status_date,birth_year,residence\n"
        "X81F2,refugee,2020-03-01,1990,38185\n"
        "K20P7,subsidiary_protection,2021-06-15,2001,69123\n",
        encoding="utf-8",
    )
    return territoires.dump(_demo(), folder / "d.json")  # type: ignore[arg-type]


@generator
def demo_and_fifo(folder: Path) -> Path:
    """The demo as JSON, and beside it a named pipe, out.json, given as the output."""
    import territoires

    os.mkfifo(folder / "out.json")
    return territoires.dump(_demo(), folder / "d.json")  # type: ignore[arg-type]


@generator
def demo_and_leftovers(folder: Path) -> Path:
    """The demo as JSON, and the work folders two killed exports to out.json left behind."""
    import territoires

    for token in ("k1llEd", "0ther"):
        work = folder / f".out.json.territoires-{DEAD_PID}-{token}.tmp"
        work.mkdir()
        (work / "out.json").write_bytes(b'{"schema": "territoires/1", "half')
        (work / ".sheet1.xml").write_bytes(b"<worksheet>" * 1000)
    (folder / "out.json").write_text("the previous export\n", encoding="utf-8")
    return territoires.dump(_demo(), folder / "d.json")  # type: ignore[arg-type]


@generator
def form_with_personal_data(folder: Path) -> Path:
    """The demo as d.json, and a Nantes operator's form with personal data and a formula.

    A name, an e-mail address and a phone number where pseudonyms go, a formula for a date.
    """
    import datetime as dt

    import openpyxl

    import territoires
    from territoires.forms import write_templates

    dataset = _demo()
    territoires.dump(dataset, folder / "d.json")  # type: ignore[arg-type]
    (form,) = write_templates(dataset, "ctair-nantes", folder, operators=["asso-nantes-3"])  # type: ignore[arg-type]
    workbook = openpyxl.load_workbook(form)
    sheet = workbook["Participations"]
    rows = [
        ["p-1", "Jean Dupont", "nantes-03", dt.date(2021, 3, 8), None, "refugee"],
        ["p-2", "jean.dupont@example.org", "nantes-03", dt.date(2021, 3, 8), None, "refugee"],
        ["p-3", "+33 6 12 34 56 78", "nantes-03", dt.date(2021, 3, 8), None, "refugee"],
        ["p-4", "PX04", "nantes-03", "=TODAY()", None, "refugee"],
    ]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column).value = value
    workbook.save(form)
    return form
