"""The report's scorecard and its section per contract, read through ``territoires report``.

One crafted contract (Brest's, from the demo) holds four actions whose figures are worked out
by hand below; the command writes the page and the tests read it as a committee member would.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import territoires
from territoires import cli, wording
from territoires.model import (
    Action,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Funding,
    FundingSource,
    Participation,
    Period,
    PublicCategory,
    ReportCount,
    Sex,
    Target,
    TargetKind,
    Theme,
)
from territoires.plugins import get_plugin_manager
from territoires.report import ProgressState, Report, build_report, render_html

BUILTINS = get_plugin_manager(autoload=False)
TODAY = dt.date(2022, 1, 15)


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed plugins stay out of the commands."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


def _rows(
    action: str, prefix: str, n: int, entry: dt.date, exit: dt.date | None
) -> list[Participation]:
    return [
        Participation(
            id=f"{prefix}-{i}",
            person=f"{prefix}{i:04d}",
            action=action,
            entry_date=entry,
            exit_date=exit,
            status=AdministrativeStatus.REFUGEE,
            sex=Sex.FEMALE,
            age_band=AgeBand.FROM_26_TO_39,
        )
        for i in range(n)
    ]


def crafted() -> territoires.Dataset:
    """Brest's contract (9 August 2019 – 31 December 2021) with four actions.

    - ``b-french``, 2020–2021 (731 days), whole-action target 60: 15 persons in 2020 (left on
      31 December 2020), 14 entered in 2021. Previous period 15, period 14, since the start
      29. Prorated target at the end of 2021: the whole window has elapsed, 60; 29 is below
      75 % of 60 (45): well behind.
    - ``b-jobs``, 2021, whole-action target 20: 22 persons in 2021, on track (22 ≥ 15).
    - ``b-housing``, January–June 2021, no target: 12 persons still open (no exit date) after
      its end: flagged.
    - ``b-rights``, 2021, its operator reports counts: a report for the first half only, so
      the period is not covered: flagged "no report".
    """
    demo = territoires.demo.build(participations=0)
    base = demo.contract("ctair-brest")
    assert base is not None
    funder = base.actions[0].funding[0].funder
    line = Funding(
        funder=funder, source=FundingSource.P104_ACTION_15, year=2021, committed=Decimal("50000")
    )

    def action(ident: str, theme: Theme, period: Period, *targets: Target) -> Action:
        return Action(
            id=ident,
            title=f"Action {ident}",
            theme=theme,
            period=period,
            operators=base.actions[0].operators,
            funding=(line,),
            targets=targets,
        )

    year = Period.year(2021)
    actions = (
        action(
            "b-french",
            Theme.FRENCH_LANGUAGE,
            Period(dt.date(2020, 1, 1), dt.date(2021, 12, 31)),
            Target(indicator="beneficiaries", value=Decimal(60)),
        ),
        action(
            "b-jobs",
            Theme.EMPLOYMENT_TRAINING,
            year,
            Target(indicator="beneficiaries", value=Decimal(20)),
        ),
        action("b-housing", Theme.HOUSING, Period.semester(2021, 1)),
        action("b-rights", Theme.ACCESS_TO_RIGHTS, year),
    )
    contract = attrs.evolve(base, actions=actions, amendments=())
    rows = [
        *_rows("b-french", "F", 15, dt.date(2020, 3, 1), dt.date(2020, 12, 31)),
        *_rows("b-french", "G", 14, dt.date(2021, 3, 1), None),
        *_rows("b-jobs", "J", 22, dt.date(2021, 2, 1), None),
        *_rows("b-housing", "H", 12, dt.date(2021, 2, 1), None),
    ]
    report = ActionReport(
        id="r-rights-s1",
        action="b-rights",
        period=Period.semester(2021, 1),
        counts=(
            ReportCount(
                category=PublicCategory.REFUGEE,
                sex=Sex.MALE,
                age_band=AgeBand.FROM_26_TO_39,
                count=30,
            ),
        ),
    )
    return attrs.evolve(
        demo,
        contracts=(contract,),
        participations=tuple(rows),
        reports=(report,),
    )


def run(*argv: str) -> int:
    """Run the command in-process; return its exit code."""
    return cli.main(list(argv), out=io.StringIO())


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The French report of 2021 on the crafted dataset, written by ``territoires report``."""
    folder = tmp_path_factory.mktemp("crafted")
    data = territoires.dump(crafted(), folder / "brest.json")
    out = folder / "report.html"
    assert run("report", str(data), "--period", "2021", "-o", str(out)) == cli.EXIT_OK
    return out.read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, tags removed, spaces of every kind made plain."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def action_row(page: str, ident: str) -> str:
    """The text of the first table row of the action ``ident``."""
    match = re.search(rf"<tr><th scope=\"row\"><bdi>Action {ident}</bdi>.*?</tr>", page, re.S)
    assert match is not None, ident
    return text_of(match.group(0))


def test_the_first_section_is_a_scorecard_of_the_contracts(page: str) -> None:
    """The scorecard comes first: status, euros and the actions on track, behind, unreported."""
    first = re.search(r'<section id="(\w+)">', page)
    assert first is not None
    assert first.group(1) == "scorecard"
    scorecard = page.split('<section id="scorecard">', 1)[1].split("</section>", 1)[0]
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", scorecard.split("<tbody>")[1])
    texts = [text_of(c).strip() for c in cells]
    # Brest: ended? no, active on 31 December 2021; 4 × 50,000 € committed.
    assert texts[:4] == ["Brest Métropole", "CTAIR", "en cours", "200 000 €"]
    # On track 1 (b-jobs), behind 1 (b-french), without report 1 (b-rights), not assessed
    # 0, without target 2 (b-housing, b-rights).
    assert texts[5:] == ["1", "1", "1", "0", "2"]


def test_each_contract_has_its_printed_page_with_every_action(page: str) -> None:
    """A section per contract, a page break before it in print, actions without targets too."""
    assert page.count('<section class="contract" id="contract-') == 1
    assert "section#contracts, section.contract { break-before: page;" in page
    section = page.split('<section class="contract" id="contract-ctair-brest">', 1)[1]
    for ident in ("b-french", "b-jobs", "b-housing", "b-rights"):
        assert f"Action {ident}" in section, ident
    assert "Budget par financeur" in section
    assert "P104 action 15" in section


def test_the_previous_period_and_the_cumulative_value_stand_beside_the_period(page: str) -> None:
    """b-french: 2020 gave 15, 2021 gives 14, 29 since the start, against a target of 60."""
    assert "année 2020" in page
    assert "année 2021" in page
    row = action_row(page, "b-french")
    assert " 15 14 29 60 Objectif pour l'action entière " in row


def test_an_action_well_behind_its_prorated_target_is_flagged(page: str) -> None:
    """29 since the start for a whole-action target of 60, all elapsed: well behind."""
    row = action_row(page, "b-french")
    assert "très en retard sur l'objectif proratisé" in row
    assert "48,3 %" in row  # 29 / 60
    assert "très en retard" not in action_row(page, "b-jobs")  # 22 for 20: on track


def test_the_progress_bar_is_an_accessible_svg(page: str) -> None:
    """The bar says in words what it draws: value, target, share and what was expected."""
    bar = re.search(r'<svg class="bar behind" role="img" aria-label="([^"]+)"', page)
    assert bar is not None
    assert html.unescape(bar.group(1)) == (
        "29 sur un objectif de 60 (48,3\u00a0%) ; attendu à la fin de la période : 60"
    )


def test_open_participations_after_the_end_and_missing_reports_are_flagged(page: str) -> None:
    """b-housing ended in June with persons still open; b-rights has no report for S2."""
    assert "participations encore ouvertes après la fin de l'action" in action_row(
        page, "b-housing"
    )
    assert "aucun compte rendu reçu pour la période" in action_row(page, "b-rights")
    assert "aucun compte rendu" not in action_row(page, "b-jobs")  # individual data


def test_the_report_defines_its_rules(page: str) -> None:
    """Prorated, well behind, kinds of target and flags are defined at the end of the report."""
    rules = text_of(page.split('<ul class="rules">', 1)[1].split("</ul>", 1)[0])
    assert "Objectif proratisé : l'objectif multiplié par la part écoulée" in rules
    assert "inférieure à 75 % de l'objectif proratisé" in rules


def test_the_sections_are_built_from_the_api_too() -> None:
    """build_report gives each action its state: the page and the API agree."""
    report = build_report(crafted(), period="2021", plugins=BUILTINS, today=TODAY)
    (section,) = report.sections
    states = {a.id: a.state for a in section.actions}
    assert states == {
        "b-french": ProgressState.BEHIND,
        "b-jobs": ProgressState.ON_TRACK,
        "b-housing": ProgressState.NO_TARGET,
        "b-rights": ProgressState.NO_TARGET,
    }
    french = section.actions[0].indicators[0]
    assert french.target_kind is TargetKind.ACTION
    assert (french.previous, french.current, french.cumulative) != (None, None, None)
    assert report.previous == Period.year(2020)
    assert len(report.tables) == 3


# -- suppression everywhere ---------------------------------------------------------------------


def hidden_dataset() -> territoires.Dataset:
    """b-french with 30 persons in 2020 and 4 in 2021: the 4 are hidden, and so must stay.

    Published alone, the period (4) is suppressed; but 34 since the start minus 30 in 2020
    would give it back: protected together, a second figure is hidden too.
    """
    data = crafted()
    rows = [
        *_rows("b-french", "F", 30, dt.date(2020, 3, 1), dt.date(2020, 12, 31)),
        *_rows("b-french", "G", 4, dt.date(2021, 3, 1), dt.date(2021, 4, 1)),
        *_rows("b-jobs", "J", 22, dt.date(2021, 2, 1), None),
    ]
    return attrs.evolve(data, participations=tuple(rows), reports=())


def test_a_suppressed_value_appears_nowhere_in_the_page_bars_included(tmp_path: Path) -> None:
    """The period's 4 is secret, and neither its bar nor previous and cumulative give it back."""
    data = territoires.dump(hidden_dataset(), tmp_path / "d.json")
    out = tmp_path / "r.html"
    assert run("report", str(data), "--period", "2021", "-o", str(out)) == cli.EXIT_OK
    page = out.read_text(encoding="utf-8")
    match = re.search(r"<tr><th scope=\"row\"><bdi>Action b-french</bdi>.*?</tr>", page, re.S)
    assert match is not None
    row = match.group(0)
    values = [text_of(c).strip() for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', row)]
    previous, current, cumulative = values[:3]
    assert current == "secret"
    # Whatever is published beside it, the difference never gives the 4 back.
    assert "secret" in (previous, cumulative)
    assert "<svg" not in row  # no bar for a value not shown
    assert not re.search(r"(?<![\d,.])4(?![\d,.])", text_of(row).replace("2021", ""))


def test_the_three_tables_are_protected_together() -> None:
    """Through the API: no published pair among the tables gives back a hidden action value."""
    report = build_report(hidden_dataset(), period="2021", plugins=BUILTINS, today=TODAY)
    french = report.sections[0].actions[0].indicators[0]
    assert french.current.value is None
    assert french.current.status.suppressed
    published = [f for f in (french.previous, french.cumulative) if f is not None and f.shown]
    assert len(published) < 2
    assert french.state is ProgressState.NOT_ASSESSED


# -- avenants and the data-errors banner --------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report() -> Report:
    """The 2021 report of the demo's contracts, without participations (fast)."""
    demo = territoires.demo.build(participations=0)
    return build_report(demo, period="2021", plugins=BUILTINS, today=TODAY)


def test_each_avenant_says_its_date_and_what_it_changed(demo_report: Report) -> None:
    """Dijon's avenant in force on 31 December 2021: its dates, the new end, the euros added."""
    section = next(s for s in demo_report.sections if s.line.id == "ctair-dijon")
    (avenant,) = section.line.in_force
    added = sum((line.funding.committed for line in avenant.funding_added), Decimal(0))
    page = render_html(demo_report)
    dijon = page.split('<section class="contract" id="contract-ctair-dijon">', 1)[1]
    items = text_of(dijon.split('<ul class="avenants">', 1)[1].split("</ul>", 1)[0])
    assert "en vigueur le 16 décembre 2021 (signé le 16 décembre 2021)" in items
    assert "fin reportée au 31 décembre 2025" in items
    assert f"financements ajoutés : {text_of(wording.euros(added, 'fr'))}" in items


@pytest.mark.parametrize(
    ("errors", "lang", "said"),
    [
        (1, "fr", "1 erreur :"),
        (2, "fr", "2 erreurs :"),
        (1, "en", "1 error:"),
        (2, "en", "2 errors:"),
    ],
)
def test_a_report_built_from_invalid_data_says_so_at_the_top(
    demo_report: Report, errors: int, lang: str, said: str
) -> None:
    """Report.data_errors puts a banner before the title, with the count and its plural."""
    page = render_html(attrs.evolve(demo_report, data_errors=errors, lang=lang))
    banner = re.search(r'<p class="banner" id="data-errors" role="alert">(.*?)</p>', page)
    assert banner is not None
    assert said in text_of(banner.group(1))
    assert page.index('id="data-errors"') < page.index("<h1>")
    assert 'id="data-errors"' not in render_html(demo_report)
