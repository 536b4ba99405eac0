"""``territoires eligibility``: the summary, the explanation of one action, JSON, bad input.

The command runs in-process on the embedded demo with the persons of
``tests/data/persons/list.json``: P-0001, a refugee protected in 2019 living in
Saint-Martin-d'Hères; P-0002, a newcomer whose first permit was issued on 29 February 2020,
living in Grenoble; P-0003, a student. Installed plugins are not loaded
(``TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD``), except in the test of the Grenoble example plugin.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import territoires
from territoires import cli
from territoires.eligibility import Decision, check_eligibility, screen
from territoires.plugins import get_plugin_manager

PERSONS = Path(__file__).resolve().parent / "data" / "persons"
LIST = str(PERSONS / "list.json")
ON = "2022-09-01"
PLUGIN_RULE = "200040715.moins_de_26_ans_metropole"
ENVIRONMENT = (
    "TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD",
    "TERRITOIRES_PLUGINS",
    "TERRITOIRES_TRACE_PLUGINS",
)


@pytest.fixture(autouse=True)
def _builtin_rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the command with the built-in rules only, whatever the calling shell sets."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture(scope="module")
def demo() -> territoires.Dataset:
    """The embedded demo dataset, as the command without --data sees it."""
    return territoires.demo.build()


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def no_traceback(capsys: pytest.CaptureFixture[str], *texts: str) -> str:
    """Check that nothing printed holds a traceback; return standard error."""
    captured = capsys.readouterr()
    for text in (*texts, captured.out, captured.err):
        assert "Traceback" not in text
    return captured.err


def explained(demo: territoires.Dataset, action: str, on: dt.date) -> list[Decision]:
    """The decisions the command explains for ``action``, from the library."""
    contract = demo.contract_of(action)
    assert contract is not None
    manager = get_plugin_manager(autoload=False)
    return [
        check_eligibility(person, action, contract, on=on, plugins=manager)
        for person in territoires.load_persons(LIST)
    ]


# -- summary ------------------------------------------------------------------------------------


def test_the_summary_lists_eligible_decisions_and_counts_the_hidden_ones(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --all, eligible decisions are listed and the not eligible ones only counted."""
    code, out = run("eligibility", LIST, "--on", ON)
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    screening = screen(
        territoires.load_persons(LIST),
        demo,
        on=dt.date(2022, 9, 1),
        plugins=get_plugin_manager(autoload=False),
    )
    eligible = screening.eligible()
    hidden = sum(1 for d in screening if d.outcome.value == "not_eligible")
    assert eligible
    assert hidden
    lines = out.splitlines()
    assert lines[0].split() == ["Personne", "Contrat", "Action", "Décision", "Premier", "motif"]
    rows = [line.split() for line in lines[2:] if line.startswith("P-")]
    assert sorted(rows) == sorted(
        [d.person, d.contract, d.action, "éligible"]
        for d in screening
        if d.outcome.value != "not_eligible"
    )
    assert {row[0] for row in rows} == {"P-0001", "P-0002"}  # the student is never eligible
    assert hidden > 1  # the plural forms below
    assert len(eligible) > 1
    assert f"{hidden} décisions non éligibles non affichées (--all pour tout voir)" in lines
    assert lines[-1] == f"{len(eligible)} décisions éligibles sur {len(screening)}"


def test_the_summary_with_all_shows_the_not_eligible_decisions_and_their_first_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --all every decision is listed, the not eligible ones with their first reason."""
    code, out = run("eligibility", LIST, "--on", ON, "--all", "--lang", "en")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Person", "Contract", "Action", "Decision"]
    assert not any("not shown" in line for line in lines)
    total = int(lines[-1].split()[-1])
    rows = [line for line in lines if line.startswith("P-")]
    assert len(rows) == total
    student = [row for row in rows if row.startswith("P-0003") and "grenoble-02" in row]
    assert len(student) == 1
    assert "not eligible" in student[0]
    assert "status 'foreign student': never eligible" in student[0]
    dijon = next(row for row in rows if row.startswith("P-0001") and "dijon-01" in row)
    assert "lives in Saint-Martin-d'Hères (38421), outside the action's territory" in dijon


# -- explanation of one action ------------------------------------------------------------------

LABELS = {
    "fr": [
        "action ouverte à la date",
        "primo-arrivant depuis moins de 5 ans",
        "statut non exclu",
        "résidence dans le territoire",
        "statut dans le public de l'action",
    ],
    "en": [
        "action open on the date",
        "newcomer for less than 5 years",
        "status not excluded",
        "residence in the territory",
        "status within the action's public",
    ],
}
REASONS = {
    "fr": [
        "réside à Saint-Martin-d'Hères (38421), dans Grenoble-Alpes-Métropole (200040715)",
        "premier titre obtenu le 29 février 2020, moins de 5 ans avant le 1er septembre 2022",
        "statut « étudiant étranger » : jamais éligible (ni primo-arrivant, ni BPI)",
        "commune de résidence inconnue",
    ],
    "en": [
        "lives in Saint-Martin-d'Hères (38421), in Grenoble-Alpes-Métropole (200040715)",
        "first permit issued on 29 February 2020, less than 5 years before 1 September 2022",
        "status 'foreign student': never eligible (neither a newcomer nor a BPI)",
        "commune of residence unknown",
    ],
}
HEADINGS = {
    "fr": [
        "P-0001 — grenoble-02 (ctair-grenoble), 01/09/2022 : éligible",
        "P-0002 — grenoble-02 (ctair-grenoble), 01/09/2022 : éligible",
        "P-0003 — grenoble-02 (ctair-grenoble), 01/09/2022 : non éligible",
    ],
    "en": [
        "P-0001 — grenoble-02 (ctair-grenoble), 2022-09-01: eligible",
        "P-0002 — grenoble-02 (ctair-grenoble), 2022-09-01: eligible",
        "P-0003 — grenoble-02 (ctair-grenoble), 2022-09-01: not eligible",
    ],
}


@pytest.mark.parametrize(
    ("lang", "argv"), [("fr", ()), ("fr", ("--lang", "fr")), ("en", ("--lang", "en"))]
)
def test_action_explains_every_verdict_in_the_chosen_language(
    lang: str,
    argv: tuple[str, ...],
    demo: territoires.Dataset,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--action explains every rule's verdict with label, reason and source; French by default."""
    code, out = run("eligibility", LIST, "--action", "grenoble-02", "--on", ON, *argv)
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("P-")] == HEADINGS[lang]
    other = "en" if lang == "fr" else "fr"
    for label in LABELS[lang]:
        assert sum(label in line for line in lines) == 3, label  # once per person
    for label in LABELS[other]:
        assert label not in out
    for reason in REASONS[lang]:
        assert reason in out
    for reason in REASONS[other]:
        assert reason not in out
    for decision in explained(demo, "grenoble-02", dt.date(2022, 9, 1)):
        for verdict in decision.verdicts:
            mark = {"met": "✓", "not_met": "✗", "unknown": "?"}[verdict.outcome.value]
            row = [
                line
                for line in lines
                if line.startswith(f"{mark}  {verdict.label(lang)}")  # type: ignore[arg-type]
                and verdict.verdict.reason(lang) in line
            ]
            assert row, (decision.person, verdict.rule)
            assert verdict.source.title in row[0]


def test_action_output_says_when_a_rule_is_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A student without commune gets "?" on residence beside the "✗" marks that exclude them."""
    code, out = run("eligibility", LIST, "--action", "grenoble-02", "--on", ON, "--lang", "en")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    block = out.split("P-0003 — ")[1]
    assert "?  residence in the territory" in block
    assert "✗  status not excluded" in block
    assert "✓  action open on the date" in block


def test_json_output_has_every_verdict_with_both_reasons_and_source(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json is parseable and carries each verdict's reasons in French and English."""
    code, out = run("eligibility", LIST, "--action", "grenoble-02", "--on", ON, "--format", "json")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    data = json.loads(out)
    assert data["on"] == ON
    expected = explained(demo, "grenoble-02", dt.date(2022, 9, 1))
    assert [d["person"] for d in data["decisions"]] == ["P-0001", "P-0002", "P-0003"]
    assert [d["outcome"] for d in data["decisions"]] == [
        "eligible",
        "eligible",
        "not_eligible",
    ]
    for entry, decision in zip(data["decisions"], expected, strict=True):
        assert entry == decision.to_dict()
        assert len(entry["verdicts"]) == len(decision.verdicts) == 5
        for verdict in entry["verdicts"]:
            assert verdict["reason_fr"]
            assert verdict["reason_en"]
            assert verdict["source"]
            assert verdict["outcome"] in ("met", "not_met", "unknown")


def test_json_summary_has_every_decision(
    demo: territoires.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json without --action gives every decision, not eligible ones included."""
    code, out = run("eligibility", LIST, "--on", ON, "--format", "json")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    decisions = json.loads(out)["decisions"]
    screening = screen(
        territoires.load_persons(LIST),
        demo,
        on=dt.date(2022, 9, 1),
        plugins=get_plugin_manager(autoload=False),
    )
    assert decisions == [d.to_dict() for d in screening]


def test_a_date_may_be_given_the_french_way(capsys: pytest.CaptureFixture[str]) -> None:
    """--on 01/09/2022 means 1 September 2022, like --on 2022-09-01."""
    assert run("eligibility", LIST, "--on", "01/09/2022") == run("eligibility", LIST, "--on", ON)
    no_traceback(capsys)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "exit_code", "count"),
    [
        ("bad.csv", cli.EXIT_DATA, 4),
        ("bad-status.json", cli.EXIT_DATA, 1),
        ("name-like-id.json", cli.EXIT_DATA, 1),
        ("unknown-field.json", cli.EXIT_DATA, 1),
        ("truncated.json", cli.EXIT_USAGE, 1),
        ("empty.json", cli.EXIT_USAGE, 1),
        ("schema-v2.json", cli.EXIT_USAGE, 1),
    ],
)
def test_a_bad_persons_file_prints_one_line_per_problem_and_exits_1_or_2(
    name: str, exit_code: int, count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Problems in the persons file: one ``file:record:field: message [code]`` line each."""
    path = str(PERSONS / name)
    code, out = run("eligibility", path, "--on", ON)
    err = no_traceback(capsys, out)
    assert code == exit_code
    assert out == ""  # the problems are no result: they go to standard error
    lines = err.splitlines()
    assert len(lines) == count
    for line in lines:
        assert line.startswith(f"{path}:")
        assert line.endswith("]")


def test_a_bad_persons_file_in_json_format_lists_the_problems(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --format json the problems of the persons file are printed as JSON, on stderr."""
    code, out = run("eligibility", str(PERSONS / "bad.csv"), "--format", "json")
    err = no_traceback(capsys, out)
    assert code == cli.EXIT_DATA
    assert out == ""
    problems = json.loads(err)["problems"]
    assert sorted((p["record"], p["field"], p["code"]) for p in problems) == [
        ("line 2", "status", "unknown-enum"),
        ("line 3", "status_date", "invalid-date"),
        ("line 4", "id", "invalid-value"),
        ("line 5", "birth_year", "invalid-value"),
    ]


def test_an_unknown_action_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """--action naming no action of the dataset exits 2 with one message naming it."""
    code, out = run("eligibility", LIST, "--action", "nulle-part", "--on", ON)
    err = no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert err.splitlines() == ["territoires: no action 'nulle-part' in the dataset"]


def test_a_missing_persons_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A persons file that does not exist is unreadable input: exit 2, one line."""
    path = str(PERSONS / "no-such-file.json")
    code, out = run("eligibility", path, "--on", ON)
    err = no_traceback(capsys, out)
    assert code == cli.EXIT_USAGE
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"{path}:")
    assert line.endswith("[unreadable]")


# -- the Grenoble example plugin ----------------------------------------------------------------


def test_the_grenoble_plugin_rule_is_explained_on_grenoble_jeunes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The installed Grenoble example plugin's rule is explained on grenoble-jeunes, FR and EN."""
    monkeypatch.delenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD")
    if PLUGIN_RULE not in get_plugin_manager().rules:
        pytest.skip(f"the Grenoble example plugin ({PLUGIN_RULE}) is not installed")
    code, out = run("eligibility", LIST, "--action", "grenoble-jeunes", "--on", "2021-04-01")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert out.count("Moins de 26 ans et résidant dans Grenoble-Alpes-Métropole") == 3
    assert "né(e) le 01/05/1990, 30 ans le 01/04/2021 : 26 ans ou plus" in out
    assert "Grenoble-Alpes-Métropole, programmes pour les moins de 26 ans (MUST-a-Lab)" in out
    code, out = run(
        "eligibility", LIST, "--action", "grenoble-jeunes", "--on", "2021-04-01", "--lang", "en"
    )
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert out.count("Under 26 and living in Grenoble-Alpes-Métropole") == 3
    assert "born on 1990-05-01, aged 30 on 2021-04-01: 26 or older" in out
    code, out = run("eligibility", LIST, "--action", "grenoble-02", "--on", "2021-04-01")
    no_traceback(capsys, out)
    assert code == cli.EXIT_OK
    assert "Moins de 26 ans" not in out  # the rule concerns actions for the young only
