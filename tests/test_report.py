"""The steering-committee report: its sections, languages, secrecy, self-containment and command.

Reports are built from the demo with few participations (the report's cost is in the charts,
not the data), with the built-in plugins only. Commands run in-process through
:func:`territoires.cli.main`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

import territoires
import territoires.io
from hostile_inputs_text import brest_dataset
from strategies import texts
from territoires import cli
from territoires._printable import find_unsafe
from territoires.disclosure import CellStatus
from territoires.measures import Dimension
from territoires.model import AdministrativeStatus, AgeBand, Participation, Sex, TargetKind
from territoires.plugins import get_plugin_manager
from territoires.report import Report, build_report, render_html
from territoires.report._html import esc

BUILTINS = get_plugin_manager(autoload=False)
TODAY = dt.date(2022, 1, 15)
SECTIONS = ("contracts", "cohorts", "budget", "targets", "beneficiaries", "steering", "provenance")
CHARTS = 4  # cohorts, budget by theme, budget by funder, beneficiaries
HAS_MATPLOTLIB = True
try:
    import matplotlib  # noqa: F401
except ImportError:  # pragma: no cover - CI installs the 'report' extra
    HAS_MATPLOTLIB = False


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed plugins stay out of the commands."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture(scope="module")
def demo() -> territoires.Dataset:
    """A small demo: every contract, few participations."""
    return territoires.demo.build(participations=400)


@pytest.fixture(scope="module")
def report(demo: territoires.Dataset) -> Report:
    """The French report of 2021 on the small demo."""
    return build_report(demo, period="2021", plugins=BUILTINS, today=TODAY)


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    """Its page."""
    return render_html(report)


def section(page: str, key: str) -> str:
    """The HTML of the section ``key`` of a page."""
    match = re.search(rf'<section id="{key}">(.*?)</section>', page, re.DOTALL)
    assert match is not None, f"no section {key!r}"
    return match.group(1)


def row_cells(text: str, label: str) -> list[list[str]]:
    """The cells (tags removed) of every table row whose header is ``label`` (maybe isolated)."""
    header = rf"(?:<bdi>)?{re.escape(label)}(?:</bdi>)?"
    rows = re.findall(rf'<tr><th scope="row">{header}</th>(.*?)</tr>', text, re.DOTALL)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td.*?</td>", r)]
        for r in rows
    ]


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


# -- content --------------------------------------------------------------------------------------


def test_the_page_has_every_section_in_french_by_default(page: str, report: Report) -> None:
    """A report is in French unless asked, with its title, period, sections and threshold."""
    assert page.startswith("<!DOCTYPE html>\n")
    assert '<html lang="fr">' in page
    assert "<h1>Rapport au comité de pilotage — année 2021</h1>" in page
    assert "01/01/2021 – 31/12/2021" in page
    assert "Rapport produit le</dt><dd>15 janvier 2022" in page
    assert "aucun effectif de moins de 11 personnes n&#x27;est publié" in page
    for number, key in enumerate(SECTIONS, start=1):
        assert re.search(rf'<section id="{key}">\n<h2>{number}\. ', page), key
    contracts = section(page, "contracts")
    assert contracts.count("<tr>") == 1 + 18  # the header and one row per contract
    assert "<code>242100410</code>" in contracts
    assert row_cells(contracts, "Dijon Métropole")[0][2] == "12/06/2019"  # signed on
    assert "en cours" in contracts  # the status on 31 December 2021, in French
    cohorts = section(page, "cohorts")
    assert "2019 — 1re cohorte" in cohorts
    assert "2021 — 2e cohorte" in cohorts
    assert [c.year for c in report.cohorts] == [2019, 2021]
    assert [c.total for c in report.cohorts] == [11, 7]  # the seed's two cohorts
    budget = section(page, "budget")
    assert "apprentissage du français" in budget
    assert "P104 action 15 (réfugiés)" in budget
    total = report.budgets[0].committed
    assert f"{int(total):,} €".replace(",", " ") in budget  # French thousands separator
    assert "Dépensé" in budget
    assert "Objectif" in section(page, "targets")
    assert "Catégorie de public" in section(page, "beneficiaries")
    assert "janvier 2022" in section(page, "steering")
    provenance = section(page, "provenance")
    assert f"territoires {territoires.__version__}" in provenance
    assert "Licence Ouverte 2.0" in provenance


def test_targets_are_shown_beside_the_indicator(
    demo: territoires.Dataset, report: Report, page: str
) -> None:
    """Each action's target is shown with the period's value and, like with like, achievement.

    A target of 2021 gives an achievement; a whole-action target beside the value of 2021
    alone gives none (version 0.2: the action started before 2021).
    """
    assert report.targets
    published = next(t for t in report.targets if t.status is CellStatus.PUBLISHED and t.value)
    action = demo.action(published.action)
    assert action is not None
    yearly = any(g.kind is TargetKind.PERIOD and g.year == 2021 for g in action.targets)
    expected = published.value / published.target if yearly else None
    assert published.achievement == expected
    cells = row_cells(section(page, "targets"), published.territory_name)
    shown = [c for c in cells if c[0] == published.action_title]
    assert [str(int(published.value)), str(int(published.target))] in [c[2:4] for c in shown]


def test_the_english_report_has_english_labels(tmp_path: Path) -> None:
    """``--lang en`` writes the same report with English labels, dates and amounts."""
    target = tmp_path / "report.html"
    code, _ = run("report", "--period", "2021", "--lang", "en", "-o", str(target))
    assert code == cli.EXIT_OK
    page = target.read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "<h1>Steering committee report — year 2021</h1>" in page
    assert "SYNTHETIC DATA" in page
    assert "DONNÉES SYNTHÉTIQUES" not in page
    assert "Contracts and status" in page
    assert "Contrats et statut" not in page
    assert "2019-06-12" in section(page, "contracts")  # ISO dates in English
    assert "French language" in section(page, "budget")
    assert re.search(r"€\d{1,3}(,\d{3})+<", section(page, "budget"))


def test_a_territory_scope_reports_its_contracts_only(demo: territoires.Dataset) -> None:
    """A report restricted to a territory lists its contracts and totals its figures there."""
    scoped = build_report(
        demo, period="2021", territories=["200040715"], plugins=BUILTINS, today=TODAY
    )
    assert [c.id for c in scoped.contracts] == ["ctair-grenoble"]
    assert [p.reference for p in scoped.places] == ["200040715"]
    assert {b.place.reference for b in scoped.budgets} == {"200040715"}
    assert "<bdi>Grenoble-Alpes-Métropole</bdi> (200040715)" in render_html(scoped)


def test_a_synthetic_dataset_carries_the_banner(demo: territoires.Dataset, page: str) -> None:
    """The demo's report says at the top that its data is synthetic; real data has no banner."""
    banner = re.search(r'<p class="banner" id="synthetic" role="note">(.*?)</p>', page)
    assert banner is not None
    assert "DONNÉES SYNTHÉTIQUES" in banner.group(1)
    assert page.index('id="synthetic"') < page.index("<h1>")
    real = attrs.evolve(demo, info=attrs.evolve(demo.info, synthetic=False))
    report = build_report(real, period="2021", plugins=BUILTINS, today=TODAY)
    assert 'id="synthetic"' not in render_html(report)


# -- disclosure control -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_cells() -> territoires.Dataset:
    """40 refugees and 4 stateless persons in one action: the 4 must never be shown."""
    base = territoires.demo.build(participations=0)
    action = base.contract("ctair-dijon").actions[0]  # runs through 2021
    rows = []
    for index in range(44):
        rows.append(
            Participation(
                id=f"row-{index}",
                person=f"P{index:04d}",
                action=action.id,
                entry_date=dt.date(2021, 3, 1),
                status=AdministrativeStatus.STATELESS
                if index < 4
                else AdministrativeStatus.REFUGEE,
                sex=Sex.MALE,
                age_band=AgeBand.FROM_26_TO_39,
            )
        )
    return attrs.evolve(base, participations=tuple(rows), reports=())


def test_suppressed_cells_are_shown_as_secret_never_with_their_value(
    small_cells: territoires.Dataset,
) -> None:
    """A count under the threshold and its complement appear as secret, and their values nowhere.

    Both alike: the page never tells which one is under the threshold (primary) and which one
    hides it (secondary), since that alone would tell the attacker which holds 1 to 10 persons.
    """
    report = build_report(small_cells, period="2021", plugins=BUILTINS, today=TODAY)
    (by_category,) = [b for b in report.beneficiaries if b.dimension is Dimension.PUBLIC_CATEGORY]
    statuses = {c.category: (c.status, c.value) for c in by_category.cells}
    assert statuses == {
        "refugee": (CellStatus.SUPPRESSED, None),
        "stateless": (CellStatus.SUPPRESSED, None),
    }
    page = render_html(report)
    persons = section(page, "beneficiaries")
    assert row_cells(persons, "apatride") == [["secret"]]
    assert row_cells(persons, "réfugié") == [["secret"]]
    assert row_cells(persons, "Total")[0] == ["44"]
    # Neither value is printed in the section, as text or as a chart label.
    text = re.sub(r"<[^>]+>", " ", persons)
    assert not re.search(r"(?<![\d,.])(4|40)(?![\d,.])", text)
    assert "secret statistique : un effectif de moins de 11 personnes" in persons  # the legend
    for telling in ("primaire", "secondaire", "&lt; 11"):
        assert telling not in page
    if HAS_MATPLOTLIB:
        chart = re.search(r"<svg.*?</svg>", persons, re.DOTALL)
        assert chart is not None
        assert "secret" in chart.group(0)


# -- a self-contained, deterministic page -------------------------------------------------------


def test_the_page_loads_nothing_from_outside(page: str) -> None:
    """No script, stylesheet, image, font or frame is fetched: every link is within the page."""
    for tag in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "@font-face",
    ):
        assert tag not in page.lower(), tag
    assert not re.search(r"\bsrc\s*=", page)
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)
    for reference in re.findall(r'\bhref\s*=\s*"([^"]*)"', page):
        assert reference.startswith("#"), reference
    # Addresses of sources are text; the page forbids itself any fetch.
    assert not re.search(r"=\s*\"[^\"]*https?://", page)
    assert "default-src &#x27;none&#x27;" in page


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib is not installed")
def test_charts_are_inline_svg_when_matplotlib_is_installed(page: str) -> None:
    """With matplotlib, each chart is an inline SVG whose text stays text, with unique ids."""
    charts = re.findall(r"<svg.*?</svg>", page, re.DOTALL)
    assert len(charts) == CHARTS
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page
    assert all('role="img"' in chart and "<text" in chart for chart in charts)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "territoires[report]" not in page


def test_without_matplotlib_the_page_has_tables_and_a_note_per_chart(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib, the tables are all there and each chart is a note on how to add it."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    page = render_html(report)
    assert "<svg" not in page
    notes = re.findall(r'<p class="note chart-missing">(.*?)</p>', page)
    assert len(notes) == CHARTS
    assert html.unescape(notes[0]).endswith(
        'pip install "territoires[report]" ajoute les graphiques.'
    )
    assert section(page, "budget").count("<table>") == 2


def test_the_same_report_always_renders_the_same_page(
    demo: territoires.Dataset, report: Report, page: str
) -> None:
    """Rendering is deterministic: no date, random id or salt changes between two renders."""
    assert render_html(report) == page
    again = build_report(demo, period="2021", plugins=BUILTINS, today=TODAY)
    assert again == report


def test_export_writes_the_page(report: Report, page: str, tmp_path: Path) -> None:
    """Exporting a report as ``html`` writes the page in UTF-8 to the path given."""
    target = territoires.export(
        report, format="html", path=tmp_path / "copil.html", plugins=BUILTINS
    )
    assert target.read_text(encoding="utf-8") == page


# -- the command -----------------------------------------------------------------------------------


def test_the_command_writes_the_report_of_last_year_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``territoires report`` writes report.html for the last full year and says so in one line."""
    monkeypatch.chdir(tmp_path)
    code, out = run("report")
    assert code == cli.EXIT_OK
    last = territoires.Period.year(dt.date.today().year - 1)
    assert out == f"wrote report.html ({last}, 18 contracts, synthetic data)\n"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "DONNÉES SYNTHÉTIQUES" in page


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2021-S3"], "'2021-S3' is not a period"),
        (["--threshold", "few"], "threshold 'few'"),
        (["--territory", "69123"], "no contract of the dataset lies there"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad period, threshold or territory exits 2 with one line and writes nothing."""
    target = tmp_path / "report.html"
    code, out = run("report", *argv, "-o", str(target))
    assert code == cli.EXIT_USAGE
    assert out == ""
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert not target.exists()


def test_a_failing_render_leaves_the_previous_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is replaced only once complete: a failure keeps the old one and no temporary."""
    from territoires import report as module

    target = tmp_path / "report.html"
    target.write_text("<p>the previous report</p>", encoding="utf-8")

    def fail(report: Report) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(module, "render_html", fail)
    code, _ = run("report", "--period", "2021", "-o", str(target))
    assert code == cli.EXIT_USAGE
    assert "No space left on device" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "<p>the previous report</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# -- text from the data -------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(texts(), texts())
def test_text_from_the_data_is_isolated_and_never_raw(name: str, title: str) -> None:
    """Names and titles are each in a <bdi>; no control or bidi character reaches the page."""
    dataset = brest_dataset(territory=name)
    source = territoires.Source(title=title, url=title, note=title)
    info = attrs.evolve(dataset.info, title=title, description=title, sources=(source,))
    page = render_html(
        build_report(attrs.evolve(dataset, info=info), period="2020", plugins=BUILTINS, today=TODAY)
    )
    assert find_unsafe(page, keep="\t\n\r") == []
    assert f"<bdi>{esc(name)}</bdi>" in page
    assert page.count(f"<bdi>{esc(title)}</bdi>") >= 6  # subtitle, provenance, source (3)


def test_a_report_with_a_ledger_is_recorded_and_certified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --ledger the report is recorded, certified beside it, and says so in one paragraph."""
    monkeypatch.chdir(tmp_path)
    code, _ = run("report", "--period", "2021", "--ledger", "ledger.json", "--release", "COPIL")
    assert code == cli.EXIT_OK
    ledger = territoires.io.load_ledger(tmp_path / "ledger.json")
    assert [release.label for release in ledger.releases] == ["COPIL"]
    certificate = json.loads((tmp_path / "report.html.certificate.json").read_text("utf-8"))
    assert certificate["protected"] is True
    assert "report.html" in certificate["certifies"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<p class="note audit">Contrôle du secret' in page
    assert "aucune des" in page


def test_a_report_that_earlier_releases_expose_says_so_and_names_the_cells() -> None:
    """The report of S1 says how many suppressed cells earlier releases expose, and which.

    The year and S2 released the old way give S1 back (25 - 20 = 5).
    """
    from territoires.indicators import compute_indicators
    from territoires.publication import Ledger, release_of
    from test_publication_linked import S1, S2, THREE_PERIODS, THRESHOLD, YEAR

    ledger = Ledger()
    for period in (YEAR, S2):
        old = compute_indicators(
            THREE_PERIODS, period=period, threshold=THRESHOLD, plugins=BUILTINS, audit=False
        )
        ledger = ledger.with_release(release_of(old, fingerprint="v1", label=period))
    report = build_report(
        THREE_PERIODS,
        period=S1,
        threshold=THRESHOLD,
        plugins=BUILTINS,
        today=TODAY,
        ledger=ledger,
        fingerprint="v1",
    )
    assert report.audit is not None
    exposed = [cell.label for cell in report.audit.exposed]
    assert "reported_beneficiaries national 2022-S1" in exposed
    page = render_html(report)
    paragraph = re.search(r'<p class="note audit exposed">(.*?)</p>', page)
    assert paragraph is not None
    text = html.unescape(paragraph.group(1))
    assert text.startswith(
        f"Contrôle du secret : {len(exposed)} des {len(report.audit.hidden)} cases secrètes"
    )
    assert exposed[0] in text
    assert "aucune des" not in page  # never both verdicts
