"""One wording for every output: numbers, euros, percents, dates and plurals, fr and en.

Properties first: every number reads back to what was formatted (nothing truncated), the
terminal's tables never cut a figure, and the terminal, the HTML report and the Markdown
plugin write the same figure the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import territoires
import territoires_markdown
from territoires import cli, wording
from territoires._terminal import render_table
from territoires.measures import Unit
from territoires.model import Funding, FundingSource, Period
from territoires.plugins import get_plugin_manager
from territoires.report import build_report, render_html
from territoires.wording import NARROW_NBSP, NBSP

LANGS = st.sampled_from(["fr", "en"])
AMOUNTS = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)


def read_number(text: str, lang: str) -> Decimal:
    """Read back a number as wording writes it."""
    if lang == "fr":
        return Decimal(text.replace(NARROW_NBSP, "").replace(",", "."))
    return Decimal(text.replace(",", ""))


@given(st.integers(min_value=-(10**15), max_value=10**15), LANGS)
def test_an_integer_reads_back_whole(value: int, lang: str) -> None:
    """Every digit of a whole number is written, grouped by three with the language's mark."""
    text = wording.integer(value, lang)  # type: ignore[arg-type]
    assert read_number(text, lang) == value
    assert " " not in text  # never a breakable space inside a number


@given(AMOUNTS, LANGS)
def test_a_count_that_is_not_whole_keeps_its_decimals(value: Decimal, lang: str) -> None:
    """A count of persons is never truncated: 12.5 reads 12,50, not 12."""
    text = wording.amount(value, Unit.PERSONS, lang)  # type: ignore[arg-type]
    assert read_number(text, lang) == value


@given(AMOUNTS, LANGS)
def test_euros_are_whole_rounded_half_up(value: Decimal, lang: str) -> None:
    """An amount reads as whole euros, rounded half up, the sign where the language puts it."""
    text = wording.euros(value, lang)  # type: ignore[arg-type]
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if lang == "fr":
        assert text.endswith(f"{NBSP}€")
        assert read_number(text[:-2], "fr") == whole
    else:
        assert read_number(text.replace("€", ""), "en") == whole


@given(AMOUNTS, LANGS)
def test_percents_have_one_decimal_and_french_spacing(value: Decimal, lang: str) -> None:
    """``45,3 %`` with a no-break space in French, ``45.3%`` in English."""
    text = wording.percent(value, lang)  # type: ignore[arg-type]
    number = text.removesuffix(f"{NBSP}%") if lang == "fr" else text.removesuffix("%")
    assert number != text
    assert read_number(number, lang) == value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@given(AMOUNTS, LANGS)
def test_rates_per_10000_have_two_decimals(value: Decimal, lang: str) -> None:
    """A rate per 10,000 inhabitants keeps two decimals everywhere."""
    text = wording.amount(value, Unit.PER_10000, lang)  # type: ignore[arg-type]
    assert read_number(text, lang) == value
    assert re.search(r"[.,]\d\d$", text)


@given(st.dates(), LANGS)
def test_short_and_long_dates(day: dt.date, lang: str) -> None:
    """Short dates read back; long dates name the month in the language, 1er in French."""
    short = wording.date_short(day, lang)  # type: ignore[arg-type]
    if lang == "fr":
        assert dt.datetime.strptime(short, "%d/%m/%Y").date() == day
    else:
        assert dt.date.fromisoformat(short) == day
    long = wording.date_long(day, lang)  # type: ignore[arg-type]
    assert long.endswith(str(day.year))
    assert long.startswith("1er ") == (lang == "fr" and day.day == 1)


def test_plurals_follow_each_language() -> None:
    """French puts 0 and 1 in the singular, English only 1."""
    assert [wording.count(n, "erreur", "erreurs", "fr") for n in (0, 1, 2)] == [
        "0 erreur",
        "1 erreur",
        "2 erreurs",
    ]
    assert [wording.count(n, "error", "errors", "en") for n in (0, 1, 2)] == [
        "0 errors",
        "1 error",
        "2 errors",
    ]
    assert wording.count(1500, "error", "errors", "en") == "1,500 errors"


@given(
    st.lists(
        st.lists(st.one_of(AMOUNTS, st.integers(-(10**12), 10**12)), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    ),
    LANGS,
)
def test_the_terminal_table_never_truncates_a_number(rows: list[list[object]], lang: str) -> None:
    """Every number of a terminal table is written whole, in its column, however wide."""
    cells = [
        [
            wording.integer(v, lang)  # type: ignore[arg-type]
            if isinstance(v, int)
            else wording.amount(v, Unit.PERSONS, lang)  # type: ignore[arg-type]
            for v in row
        ]
        for row in rows
    ]
    text = render_table(["a", "b", "c"], cells, numeric=[True] * 3)
    lines = text.splitlines()[2:]
    for line, row in zip(lines, cells, strict=True):
        assert re.split(" +", line.strip(" ")) == row  # ASCII spaces pad; numbers hold none


# -- the same figure through the three doors ----------------------------------------------------


def _one_contract(amount: Decimal) -> territoires.Dataset:
    """Brest's contract alone, its first action funded with ``amount``, dated for everyone."""
    demo = territoires.demo.build(participations=0)
    contract = demo.contract("ctair-brest")
    assert contract is not None
    action = contract.actions[0]
    line = Funding(
        funder=action.funding[0].funder,
        source=FundingSource.P104_ACTION_15,
        year=2021,
        committed=amount,
    )
    action = attrs.evolve(action, funding=(line,))
    contract = attrs.evolve(contract, actions=(action,), amendments=())
    info = attrs.evolve(demo.info, created=dt.date(2021, 12, 31))
    return attrs.evolve(demo, info=info, contracts=(contract,), participations=(), reports=())


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed plugins stay out of the commands."""
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.decimals(min_value=Decimal(0), max_value=Decimal("1e9"), places=2))
def test_show_the_report_and_markdown_write_the_same_euros(amount: Decimal) -> None:
    """A contract's committed euros read the same in the terminal, the HTML and Markdown."""
    data = _one_contract(amount)
    expected = wording.euros(amount, "fr")
    # The terminal: territoires show, on the day the dataset was produced.
    terminal = _show(data)
    assert expected in terminal
    # The HTML report of 2021 (its date: 31 December 2021).
    report = build_report(
        data,
        period=Period.year(2021),
        plugins=get_plugin_manager(autoload=False),
        today=dt.date(2022, 1, 15),
    )
    page = render_html(report)
    scorecard = page.split('<section id="scorecard">', 1)[1].split("</section>", 1)[0]
    assert f">{expected}<" in scorecard
    # The Markdown plugin, situated on the date the dataset was produced.
    markdown = territoires_markdown.render(data)
    assert f"| {expected} |" in markdown


def _show(data: territoires.Dataset) -> str:
    """What ``territoires show`` prints for ``data`` on 31 December 2021."""
    with tempfile.TemporaryDirectory() as folder:
        path = territoires.dump(data, Path(folder) / "d.json")
        out = io.StringIO()
        assert cli.main(["show", str(path), "--on", "2021-12-31"], out=out) == 0
        return out.getvalue()
