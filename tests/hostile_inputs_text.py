"""Generators of the hostile corpus for text attacks: CSV rows split, spoofed and driving names.

Each writes a small dataset, Brest's contract of the demo cut down to one action (a JSON
document ``d.json``), with one hostile text put where a person or a spreadsheet reads it, and
the persons to screen beside it (``persons.json``). See hostile.py for the case format.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs

import territoires
from hostile import generator
from territoires import Dataset

FORMULA = "=cmd|' /C calc'!A0"
"""What a spreadsheet runs when a cell starts with it (the OWASP example)."""

SPLIT_TITLE = "Contrat de Brest\r" + FORMULA
"""A title whose bare carriage return used to end its CSV row: the formula became a cell."""

SPOOFED_NAME = "Brest M\u00e9tropole \u202egnp.exe\u202c (\u2067\u05d0\u2069)"
"""A territory name with a right-to-left override (shows ``exe.png``) and an isolate."""

DRIVING_NAME = "Brest \x1b]0;pwned\x07\x1b[2J\x1b[31mM\u00e9tropole\x9b0m"
"""A territory name with escape sequences: retitle the window, clear the screen, red, C1 CSI."""

DRIVING_TITLE = "Contrats \x1b[1A\x1b[2Kno problems"
"""A dataset title that moves the cursor up and erases the line above."""


def brest_dataset(
    *, title: str = "Contrat de Brest", territory: str = "Brest Métropole"
) -> Dataset:
    """Brest's contract of the demo, one action, its parties, one territory, no participation."""
    demo = territoires.demo.build(participations=0)
    contract = demo.contract("ctair-brest")
    assert contract is not None
    action = contract.actions[0]
    contract = attrs.evolve(contract, title=title, actions=(action,), amendments=())
    used = {s.party for s in contract.signatories} | set(action.operators)
    used |= {line.funder for line in action.funding}
    place = demo.territory(contract.territory)
    assert place is not None
    return Dataset(
        info=territoires.DatasetInfo(title="Brest"),
        territories=(attrs.evolve(place, name=territory),),
        parties=tuple(p for p in demo.parties if p.id in used),
        contracts=(contract,),
    )


def _write(folder: Path, dataset: Dataset) -> Path:
    persons = {
        "schema": "territoires/1",
        "persons": [
            {
                "id": "P-0001",
                "status": "refugee",
                "status_date": "2019-03-03",
                "birth_date": "1990-05-01",
                "residence": "29019",
            }
        ],
    }
    (folder / "persons.json").write_text(json.dumps(persons), encoding="utf-8")
    return territoires.dump(dataset, folder / "d.json")


@generator
def split_title(folder: Path) -> Path:
    """A contract and its action titled with a bare carriage return before a formula."""
    dataset = brest_dataset(title=SPLIT_TITLE)
    contract = dataset.contracts[0]
    action = attrs.evolve(contract.actions[0], title="Ateliers\r" + FORMULA)
    contract = attrs.evolve(contract, actions=(action,))
    return _write(folder, attrs.evolve(dataset, contracts=(contract,)))


@generator
def spoofed_name(folder: Path) -> Path:
    """A territory whose name holds a right-to-left override and an isolate."""
    return _write(folder, brest_dataset(territory=SPOOFED_NAME))


@generator
def driving_names(folder: Path) -> Path:
    """A territory name and a dataset title holding terminal escape sequences."""
    dataset = brest_dataset(territory=DRIVING_NAME)
    info = attrs.evolve(dataset.info, title=DRIVING_TITLE)
    return _write(folder, attrs.evolve(dataset, info=info))
