"""Whole-dataset checks of territoires.validate: texts that spoof or drive a display."""

from __future__ import annotations

import io
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

import territoires
from hostile_inputs_text import brest_dataset
from strategies import texts
from territoires import cli
from territoires._printable import find_unsafe
from territoires.plugins import get_plugin_manager
from territoires.problems import ProblemCode, Severity

BREST = brest_dataset()


def suspicious(dataset: territoires.Dataset) -> list[territoires.Problem]:
    """The suspicious-text problems validate finds in ``dataset`` (no geography, no plugin)."""
    manager = get_plugin_manager(autoload=False)
    found = territoires.validate(dataset, geography=None, plugins=manager)
    return [p for p in found if p.code is ProblemCode.SUSPICIOUS_TEXT]


def with_description(text: str) -> territoires.Dataset:
    """Brest's dataset, its action described by ``text``."""
    (contract,) = BREST.contracts
    action = attrs.evolve(contract.actions[0], description=text)
    return attrs.evolve(BREST, contracts=(attrs.evolve(contract, actions=(action,)),))


def test_a_bidi_override_in_a_title_is_a_warning_naming_record_and_field() -> None:
    """The problem names the contract and the title's path, says which character, warns."""
    (contract,) = BREST.contracts
    spoofed = attrs.evolve(contract, title="Contrat \u202egnp.exe")
    (problem,) = suspicious(attrs.evolve(BREST, contracts=(spoofed,)))
    assert problem.severity is Severity.WARNING
    assert (problem.record, problem.field) == ("ctair-brest", "contracts[0].title")
    assert problem.message.startswith("title holds U+202E RIGHT-TO-LEFT OVERRIDE: ")
    assert problem.value == repr("Contrat \u202egnp.exe")
    assert "\u202e" not in problem.format()


def test_names_of_territories_parties_and_the_dataset_are_looked_at() -> None:
    """A territory's and a party's name and the dataset's title each get their warning."""
    dataset = attrs.evolve(
        BREST,
        info=attrs.evolve(BREST.info, title="Brest\x07"),
        territories=(attrs.evolve(BREST.territories[0], name="Brest\x1b[2J"),),
        parties=(attrs.evolve(BREST.parties[0], name="Asso\u2066"), *BREST.parties[1:]),
    )
    found = {(p.record, p.field) for p in suspicious(dataset)}
    assert found == {
        ("info", "info.title"),
        ("242900314", "territories[0].name"),
        (BREST.parties[0].id, "parties[0].name"),
    }


@pytest.mark.parametrize("text", ["ligne 1\nligne 2", "ligne 1\r\nligne 2", "a\tb", ""])
def test_line_breaks_and_tabs_belong_in_a_paragraph(text: str) -> None:
    """A description may hold line feeds, CRLF and tabs without a warning."""
    assert suspicious(with_description(text)) == []


@pytest.mark.parametrize("text", ["a\rb", "a\x1b[31m", "a\u202eb", "a\x85"])
def test_other_characters_are_suspicious_in_a_paragraph_too(text: str) -> None:
    """A bare CR, an escape, an override or a C1 control in a description is a warning."""
    (problem,) = suspicious(with_description(text))
    assert problem.field == "contracts[0].actions[0].description"


@settings(max_examples=30, deadline=None)
@given(texts())
def test_a_name_is_suspicious_exactly_when_it_holds_such_a_character(name: str) -> None:
    """A party's name gets one warning when it holds a control or bidi character, else none."""
    party = attrs.evolve(BREST.parties[0], name=name)
    found = suspicious(attrs.evolve(BREST, parties=(party, *BREST.parties[1:])))
    assert len(found) == (1 if find_unsafe(name) else 0)


def test_warnings_leave_the_exit_status_at_zero(tmp_path: Path) -> None:
    """The validate command prints the warning and exits 0: the data stays usable."""
    (contract,) = BREST.contracts
    path = territoires.dump(
        attrs.evolve(BREST, contracts=(attrs.evolve(contract, title="Contrat\r=1+1"),)),
        tmp_path / "d.json",
    )
    out = io.StringIO()
    assert cli.main(["validate", str(path)], out=out) == 0, out.getvalue()
    assert "contracts[0].title: title holds U+000D (control character): " in out.getvalue()
    assert find_unsafe(out.getvalue(), keep="\n") == []
