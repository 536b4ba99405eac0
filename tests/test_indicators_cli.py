"""``territoires indicators``: the national set on the demo, protected, in three formats.

Every command runs in-process through :func:`territoires.cli.main` on the embedded demo, with
installed plugins disabled (``TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD=1``) except in the test of
the Lyon example plugin. Usage errors exit with status 2 and one line on standard error,
never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from territoires.cli import EXIT_OK, EXIT_USAGE, main
from territoires.disclosure import THRESHOLDS
from territoires.plugins import get_plugin_manager

BUILTINS = get_plugin_manager(autoload=False)
LYON_INDICATOR = "200046977.logement_durable_6_mois"
COLUMNS = [
    "indicator",
    "level",
    "territory",
    "contract",
    "action",
    "period_start",
    "period_end",
    "dimension",
    "category",
    "value",
    "unit",
    "target",
    "target_kind",
    "achievement",
    "status",
    "threshold",
    "synthetic",
    "data_errors",
]
STATUSES = {"published", "suppressed", "undefined"}  # published: never primary or secondary


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed plugins stay out (the plugin test lets them in again)."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


def run(*args: str) -> tuple[int, str]:
    """Run ``territoires indicators ARGS``; return the exit code and what it printed."""
    out = io.StringIO()
    code = main(["indicators", *args], out=out)
    return code, out.getvalue()


def rows_of(*args: str) -> list[dict[str, str]]:
    """Run the command in CSV and read its rows back."""
    code, text = run(*args, "--format", "csv")
    assert code == EXIT_OK
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_the_national_set_is_printed_with_the_synthetic_banner() -> None:
    """--level national prints every national indicator, the synthetic banner, secrets marked."""
    code, text = run("--period", "2021", "--level", "national")
    assert code == EXIT_OK
    assert "DONNÉES SYNTHÉTIQUES" in text
    assert "Indicateurs du 01/01/2021 au 31/12/2021" in text
    assert "secret statistique : moins de 11 personnes" in text
    for indicator in BUILTINS.indicators.values():
        assert indicator.label_fr in text
    # One word for every suppressed cell: primary and secondary are never told apart.
    secrets = [line for line in text.splitlines() if line.endswith("  secret")]
    assert secrets
    assert "secondaire" not in text
    assert "(< 11)" not in text
    # National rows only: no section for other levels, no "where" column.
    assert "\nNational\n" in text
    for title in ("Territoire", "Contrat", "Action"):
        assert f"\n{title}\n" not in text


def test_english_labels_with_lang_en() -> None:
    """--lang en prints the banner, the header, the labels and the secrets in English."""
    code, text = run("--period", "2021", "--lang", "en")
    assert code == EXIT_OK
    assert "SYNTHETIC DATA" in text
    assert "Indicators from 2021-01-01 to 2021-12-31" in text
    assert "fewer than 11 persons" in text
    for indicator in BUILTINS.indicators.values():
        assert indicator.label_en in text
    assert any(line.endswith("  suppressed") for line in text.splitlines())
    assert "secondary" not in text
    assert "secret" not in text


def test_level_all_prints_every_level() -> None:
    """--level all prints a section per level, from national down to actions."""
    code, text = run("--period", "2021", "--level", "all")
    assert code == EXIT_OK
    titles = ["\nNational\n", "\nTerritoire\n", "\nContrat\n", "\nAction\n"]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "ctair-grenoble" in text  # the "where" column names contracts and actions


def test_levels_can_be_chosen_one_by_one() -> None:
    """--level is repeatable and keeps the levels named."""
    rows = rows_of("--period", "2021", "--level", "contract", "--level", "territory")
    assert {r["level"] for r in rows} == {"contract", "territory"}


def test_one_indicator() -> None:
    """--indicator beneficiaries computes that indicator alone, with its breakdowns."""
    rows = rows_of("--period", "2021", "--indicator", "beneficiaries", "--level", "all")
    assert {r["indicator"] for r in rows} == {"beneficiaries"}
    assert {r["dimension"] for r in rows} == {"", "public_category", "sex", "age_band"}
    assert {r["level"] for r in rows} == {"action", "contract", "territory", "national"}
    code, text = run("--period", "2021", "--indicator", "beneficiaries")
    assert code == EXIT_OK
    assert "Bénéficiaires" in text
    assert "Contrats" not in text


def test_one_territory() -> None:
    """--territory 200040715 keeps Grenoble's rows of the full table, and the national ones."""
    rows = rows_of("--period", "2021", "--territory", "200040715", "--level", "all")
    assert {r["contract"] for r in rows} - {""} == {"ctair-grenoble"}
    assert {r["territory"] for r in rows} == {"200040715", "FR"}
    everything = rows_of("--period", "2021", "--level", "all")
    assert rows == [r for r in everything if r["territory"] in ("200040715", "FR")]


def _statuses(*args: str) -> dict[tuple[str, ...], str]:
    rows = rows_of("--period", "2021", "--level", "all", *args)
    return {tuple(r[c] for c in COLUMNS[:9]): r["status"] for r in rows}


def test_a_lower_threshold_publishes_more_and_presets_are_names() -> None:
    """--threshold 3 suppresses fewer cells than 11; a preset name gives its threshold.

    Not a subset: the audit may choose other complements at another threshold (a cell hidden
    at 3 to protect a 2 may be published at 11, where other cells protect it).
    """
    at_3, at_11 = _statuses("--threshold", "3"), _statuses()
    assert at_3.keys() == at_11.keys()
    suppressed_3 = {k for k, s in at_3.items() if s == "suppressed"}
    suppressed_11 = {k for k, s in at_11.items() if s == "suppressed"}
    assert len(suppressed_3) < len(suppressed_11)
    assert _statuses("--threshold", "insee_entreprises") == at_3  # INSEE: 3
    for preset, threshold in THRESHOLDS.items():
        # One indicator that counts no persons: the threshold is what is checked here.
        code, text = run(
            "--period",
            "2021",
            "--threshold",
            preset,
            "--format",
            "json",
            "--indicator",
            "contracts",
        )
        assert code == EXIT_OK
        assert json.loads(text)["threshold"] == threshold


def test_the_table_shows_the_threshold_in_force() -> None:
    """The header of the table names the threshold given; secrets do not (it would tell them)."""
    code, text = run("--period", "2021", "--threshold", "cnil_sniiram")
    assert code == EXIT_OK
    assert "moins de 20 personnes" in text
    assert "(< 20)" not in text


def test_csv_has_stable_columns_and_secret_cells_without_value() -> None:
    """--format csv writes a row per cell under fixed columns; a secret cell has no value."""
    rows = rows_of("--period", "2021", "--level", "national")
    assert rows
    assert {r["level"] for r in rows} == {"national"}
    assert {r["status"] for r in rows} <= STATUSES
    for r in rows:
        assert (r["value"] == "") is (r["status"] != "published")
        assert (r["period_start"], r["period_end"]) == ("2021-01-01", "2021-12-31")
    assert any(r["status"] == "suppressed" for r in rows)
    beneficiaries = next(
        r for r in rows if r["indicator"] == "beneficiaries" and not r["dimension"]
    )
    assert int(beneficiaries["value"]) > 0
    assert beneficiaries["unit"] == "persons"


def test_json_gives_the_period_threshold_and_rows_with_status() -> None:
    """--format json holds the period, threshold, synthetic flag and every row with its status."""
    code, text = run("--period", "2021-S1", "--format", "json", "--level", "all")
    assert code == EXIT_OK
    document: dict[str, Any] = json.loads(text)
    assert document["schema"] == "territoires-indicators/1"
    assert document["period"] == {"start": "2021-01-01", "end": "2021-06-30"}
    assert document["threshold"] == 11
    assert document["synthetic"] is True
    assert document["data_errors"] == 0
    assert document["rows"]
    for record in document["rows"]:
        assert list(record) == COLUMNS[:-3]  # threshold, synthetic, data_errors given once
        assert record["status"] in STATUSES
        assert (record["value"] is None) is (record["status"] != "published")
    levels = {record["level"] for record in document["rows"]}
    assert levels == {"action", "contract", "territory", "national"}


@pytest.mark.parametrize(
    "period", ["2021-13", "2021-S3", "2021-06-30..2021-01-01", "l'an dernier", "0000"]
)
def test_a_bad_period_exits_2_with_one_line(
    period: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A period that cannot be read is a usage error: exit 2, one line on stderr, no traceback."""
    code, text = run("--period", period)
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert text == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("territoires: ")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("threshold", ["0", "-3", "onze", "2.5"])
def test_a_bad_threshold_exits_2_with_one_line(
    threshold: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A threshold that is neither a whole number of at least 1 nor a preset is a usage error."""
    code, _ = run("--period", "2021", f"--threshold={threshold}")
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert captured.err.count("\n") == 1
    assert "insee_entreprises" in captured.err  # the presets are listed


def test_an_unknown_indicator_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """--indicator with a name nobody registered is a usage error naming it, not a traceback."""
    code, text = run("--period", "2021", "--indicator", "nope")
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert text == ""
    assert captured.err.count("\n") == 1
    assert "nope" in captured.err


def test_the_lyon_plugin_indicator_is_listed_for_lyon_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the Lyon example plugin installed, its indicator is listed for Lyon only."""
    monkeypatch.delenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD")
    if LYON_INDICATOR not in get_plugin_manager().indicators:
        pytest.skip(f"{LYON_INDICATOR} is not registered (install territoires-lyon-logement)")
    rows = rows_of(
        "--period", "2021", "--indicator", LYON_INDICATOR, "--level", "all", "--threshold", "1"
    )
    assert {r["indicator"] for r in rows} == {LYON_INDICATOR}
    assert {r["level"] for r in rows} >= {"contract", "territory", "national"}
    assert {r["contract"] for r in rows} - {""} == {"ctair-lyon"}
    assert {r["territory"] for r in rows} == {"200046977", "FR"}
    assert all(r["unit"] == "percent" for r in rows)
    code, text = run("--period", "2021", "--lang", "en")
    assert code == EXIT_OK
    assert "Share of participants in durable housing six months after entry" in text


def test_a_release_label_without_a_ledger_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--release names a release of --ledger: alone, it is refused in one line, exit 2."""
    code, text = run("--period", "2021", "--release", "COPIL 2021")
    assert code == EXIT_USAGE
    assert text == ""
    assert "--release names a release of --ledger" in capsys.readouterr().err
