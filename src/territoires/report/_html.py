r"""The report as one HTML page: inline style, inline SVG, no script, nothing fetched.

Every text that comes from data or labels goes through :func:`esc`: HTML-escaped, its control
and bidirectional formatting characters shown as escapes (``\u202e``, see
:mod:`territoires._printable`), so that no name can be spoofed by a right-to-left override.
Every text from the data is also isolated, ``<bdi>`` (:func:`bdi`): the direction of an Arabic
or Hebrew name cannot reorder the words, numbers and punctuation around it. Charts get their
labels escaped the same way; each label is a text element of its own. A
Content-Security-Policy in the page itself forbids any fetch (``default-src 'none'``), so even
a browser that opens the file online loads nothing but the file.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from territoires import wording
from territoires._enum import Lang
from territoires._printable import printable
from territoires.disclosure import CellStatus
from territoires.measures import Dimension, Unit
from territoires.model.enums import ContractKind, TargetKind
from territoires.report import (
    WELL_BEHIND,
    ActionProgress,
    ContractSection,
    Figure,
    ProgressState,
    _charts,
    _order,
)
from territoires.report._text import BANNER, CHARTS_MISSING, secret, words
from territoires.wording import date_long as day
from territoires.wording import date_short as format_date
from territoires.wording import euros, integer, percent, period_label
from territoires.wording import ordinal as rank

if TYPE_CHECKING:
    from territoires.overview import ContractLine
    from territoires.report import Breakdown, Budget, BudgetLine, Count, Place, Report

__all__ = ["render"]

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)

_CSS = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --accent: #35557f; --warn: #7a3e00; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; line-height: 1.45; }
body { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; margin: 0.4rem 0 0.2rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
h4 { font-size: 0.98rem; margin: 1.1rem 0 0.3rem; }
p.subtitle { margin: 0 0 1rem; color: var(--muted); }
.banner { border: 3px double var(--warn); color: var(--warn); background: #fff4e5;
  padding: 0.6rem 0.9rem; font-weight: 700; margin: 0 0 1rem; }
.banner span { display: block; font-weight: 400; color: var(--ink); margin-top: 0.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
nav ol { columns: 2; margin: 0.4rem 0 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
tfoot td, tfoot th { border-top: 2px solid var(--ink); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.num small { white-space: normal; display: inline-block; max-width: 9rem; }
th { hyphens: auto; overflow-wrap: break-word; }
.nw { white-space: nowrap; }
td.secret { font-style: italic; color: var(--warn); }
td.secret::before { content: "▨ "; }
code { font-size: 0.9em; }
figure { margin: 0.8rem 0 1.2rem; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.3rem; }
p.note { font-size: 0.9rem; color: var(--muted); border-left: 3px solid var(--rule);
  padding-left: 0.6rem; }
.legend dt { font-style: italic; color: var(--warn); }
.legend dd { margin: 0 0 0.3rem 1.2rem; }
.legend { font-size: 0.9rem; }
ul.sources li { margin-bottom: 0.3rem; }
.url { overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 0.85em; }
svg.bar { vertical-align: middle; }
svg.bar .fill { fill: #35557f; }
svg.bar.behind .fill { fill: #7a3e00; }
span.pct { margin-left: 0.3rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
span.flag { color: var(--warn); font-size: 0.88rem; }
section.contract { border-top: 1px solid var(--rule); margin-top: 1.5rem; }
ul.avenants li { margin-bottom: 0.2rem; }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: var(--muted);
  border-top: 1px solid var(--rule); padding-top: 0.6rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  nav { display: none; }
  .banner { background: none; color: #000; border-color: #000; }
  td.secret, .legend dt { color: #000; }
  h2 { border-color: #000; break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
  section#contracts, section.contract { break-before: page; page-break-before: always; }
  section.contract:first-of-type { break-before: auto; page-break-before: auto; }
  section.contract { border-top: none; }
  svg.bar .fill { fill: #555; }
  svg.bar.behind .fill { fill: #000; }
  span.flag { color: #000; }
  a { color: inherit; text-decoration: none; }
}
"""

_SECTIONS = (
    "scorecard",
    "contracts",
    "cohorts",
    "budget",
    "beneficiaries",
    "steering",
    "provenance",
)


def esc(text: object) -> str:
    """Escape ``text`` for HTML (content and attributes), its unsafe characters shown.

    Tabs and line breaks stay: HTML shows them as spaces.
    """
    return html.escape(printable(str(text), keep="\t\n\r"), quote=True)


def bdi(text: object) -> str:
    """Return a text from the data escaped and isolated, so it cannot reorder its neighbours."""
    return f"<bdi>{esc(text)}</bdi>"


def shown(text: str) -> str:
    """Return a text from the data for a chart label: unsafe characters shown as escapes."""
    return printable(text, keep="\t\n\r")


_NUM = ' class="num"'


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[bool],
    caption: str | None = None,
    footer: Sequence[str] | None = None,
    classes: Sequence[Sequence[str]] | None = None,
) -> str:
    """A table, one row per line; cells are HTML already escaped, the first a row header."""

    def line(cells: Sequence[str], extra: Sequence[str]) -> str:
        out = []
        for column, (cell, right) in enumerate(zip(cells, numeric, strict=True)):
            names = " ".join(n for n in ("num" if right else "", extra[column]) if n)
            kind = f' class="{names}"' if names else ""
            tag, scope = ("th", ' scope="row"') if column == 0 else ("td", "")
            out.append(f"<{tag}{scope}{kind}>{cell}</{tag}>")
        return "<tr>" + "".join(out) + "</tr>"

    out = ["<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    head = "".join(
        f'<th scope="col"{_NUM if right else ""}>{esc(header)}</th>'
        for header, right in zip(headers, numeric, strict=True)
    )
    out.append(f"<thead><tr>{head}</tr></thead>")
    out.append("<tbody>")
    for index, row in enumerate(rows):
        out.append(line(row, classes[index] if classes is not None else [""] * len(row)))
    out.append("</tbody>")
    if footer is not None:
        out.append(f"<tfoot>{line(footer, [''] * len(footer))}</tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _nowrap(text: str) -> str:
    """``text`` escaped, kept on one line (a date, a status)."""
    return f'<span class="nw">{esc(text)}</span>'


def _figure(svg: str | None, caption: str, lang: Lang) -> str:
    """A chart with its caption (HTML, escaped already), or the note saying how to get charts."""
    if svg is None:
        return f'<p class="note chart-missing">{esc(CHARTS_MISSING[lang])}</p>'
    return f"<figure>\n{svg}<figcaption>{caption}</figcaption>\n</figure>"


class _Page:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.lang: Lang = report.lang
        self.charts = 0

    def w(self, key: str, **values: object) -> str:
        return words(key, self.lang, **values)

    def chart_id(self, name: str) -> str:
        self.charts += 1
        return f"chart-{self.charts}-{name}"

    def render(self) -> str:
        report, lang = self.report, self.lang
        title = self.w("title")
        heading = f"{title} — {period_label(report.period, lang)}"
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(_CSP)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="territoires {esc(report.version)}">',
            f"<title>{esc(heading)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            self.header(heading),
            self.contents(),
            "<main>",
            self.scorecard(),
            self.contracts(),
            self.cohorts(),
            self.budget(),
            self.beneficiaries(),
            self.steering(),
            self.provenance(),
            "</main>",
            self.footer(),
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    # -- header -------------------------------------------------------------------------------

    def banner(self) -> str:
        if not self.report.synthetic:
            return ""
        return (
            f'<p class="banner" id="synthetic" role="note">⚠ {esc(BANNER[self.lang])}'
            f"<span>{esc(self.w('synthetic_note'))}</span></p>"
        )

    def errors_banner(self) -> str:
        """The warning of a report built from invalid data (``allow_invalid``)."""
        errors = self.report.data_errors
        if not errors:
            return ""
        said = wording.count(errors, "erreur", "erreurs", "fr")
        if self.lang == "en":
            said = wording.count(errors, "error", "errors", "en")
        return (
            f'<p class="banner" id="data-errors" role="alert">⚠ '
            f"{esc(self.w('data_errors', errors=said))}</p>"
        )

    def header(self, heading: str) -> str:
        report, lang = self.report, self.lang
        end = report.period.end
        dates = (
            f"{format_date(report.period.start, lang)} – {format_date(end, lang)}"
            if end
            else format_date(report.period.start, lang)
        )
        if report.scope is None:
            scope = esc(f"{self.w('all_contracts')} ({integer(len(report.contracts), lang)})")
        else:
            scope = ", ".join(
                f"{bdi(p.name)} ({esc(p.reference)})" for p in report.places
            ) or ", ".join(bdi(reference) for reference in report.scope)
        facts = [
            (self.w("period"), esc(f"{period_label(report.period, lang)} ({dates})")),
            (self.w("scope"), scope),
            (self.w("generated"), esc(day(report.generated_on, lang))),
            (self.w("threshold"), esc(self.w("threshold_rule", n=report.threshold))),
        ]
        items = "\n".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
        subtitle = report.info.title
        return "\n".join(
            [
                "<header>",
                self.banner(),
                self.errors_banner(),
                f"<h1>{esc(heading)}</h1>",
                f'<p class="subtitle">{bdi(subtitle)}</p>' if subtitle else "",
                f'<dl class="facts">\n{items}\n</dl>',
                "</header>",
            ]
        )

    def contents(self) -> str:
        items = "".join(f'<li><a href="#{key}">{esc(self.w(key))}</a></li>' for key in _SECTIONS)
        return f'<nav aria-label="{esc(self.w("contents"))}"><ol>{items}</ol></nav>'

    def section(self, key: str, body: Sequence[str]) -> str:
        number = _SECTIONS.index(key) + 1
        title = f"{number}. {self.w(key)}"
        inner = "\n".join(part for part in body if part)
        return f'<section id="{key}">\n<h2>{esc(title)}</h2>\n{inner}\n</section>'

    # -- sections -----------------------------------------------------------------------------

    def scorecard(self) -> str:
        report, lang = self.report, self.lang
        if not report.sections:
            return self.section("scorecard", [f"<p>{esc(self.w('no_contract'))}</p>"])
        rows = []
        for section in report.sections:
            line = section.line
            rows.append(
                [
                    f'<a href="#contract-{esc(line.id)}">{bdi(line.territory_name)}</a>',
                    esc(line.kind.value.upper()),
                    _nowrap(line.status.label(lang)),
                    esc(wording.euros(line.committed, lang)),
                    esc(wording.euros(line.spent, lang)) if line.spent is not None else "—",
                    esc(wording.integer(section.count(ProgressState.ON_TRACK), lang)),
                    esc(wording.integer(section.count(ProgressState.BEHIND), lang)),
                    esc(wording.integer(section.without_report, lang)),
                    esc(wording.integer(section.count(ProgressState.NOT_ASSESSED), lang)),
                    esc(wording.integer(section.count(ProgressState.NO_TARGET), lang)),
                ]
            )
        headers = [
            self.w(k)
            for k in (
                "territory",
                "kind",
                "status",
                "committed",
                "spent",
                "on_track",
                "behind",
                "without_report",
                "not_assessed",
                "no_target",
            )
        ]
        table = _table(headers, rows, numeric=[False, False, False, *[True] * 7])
        intro = esc(self.w("scorecard_intro", day=wording.date_long(report.on, lang)))
        return self.section("scorecard", [f"<p>{intro}</p>", table])

    def contracts(self) -> str:
        report = self.report
        if not report.sections:
            return self.section("contracts", [f"<p>{esc(self.w('no_contract'))}</p>"])
        body = [self.contract(section) for section in report.sections]
        body.append(self.legend())
        return self.section("contracts", body)

    def contract(self, section: ContractSection) -> str:
        line, lang = section.line, self.lang
        signed = (
            wording.approximate_date(line.signature, lang)
            if line.signature is not None
            else self.w("not_signed")
        )
        if line.signature is not None and line.signature.is_approximate:
            signed += f" ({self.w('signing_day_unknown')})"
        dates = wording.period_dates(line.period, lang)
        if line.prolonged:
            dates += f" ({self.w('prolonged')})"
        facts = [
            (self.w("kind"), esc(line.kind.value.upper())),
            (self.w("code"), f"<code>{esc(line.territory)}</code>"),
            (
                self.w("status"),
                esc(line.status.label(lang))
                + (f" ({esc(self.w('approximate'))})" if line.status_approximate else ""),
            ),
            (self.w("signed"), esc(signed)),
            (self.w("contract_period"), esc(dates)),
            (self.w("open_actions"), esc(wording.integer(line.open_actions, lang))),
        ]
        items = "\n".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
        parts = [
            f'<section class="contract" id="contract-{esc(line.id)}">',
            f"<h3>{bdi(line.territory_name)} — {esc(line.kind.value.upper())} "
            f"<code>{esc(line.id)}</code></h3>",
            f'<dl class="facts">\n{items}\n</dl>',
            f"<h4>{esc(self.w('dates_avenants'))}</h4>",
            self.avenants(line),
            f"<h4>{esc(self.w('contract_budget'))}</h4>",
            self.contract_budget(line),
            *(
                [f"<h4>{esc(self.w('contract_targets'))}</h4>", self.contract_targets(section)]
                if section.targets
                else []
            ),
            f"<h4>{esc(self.w('actions_heading'))}</h4>",
            self.actions(section),
            "</section>",
        ]
        return "\n".join(parts)

    def avenants(self, line: ContractLine) -> str:
        lang = self.lang
        if not line.in_force:
            return f"<p>{esc(self.w('no_avenant'))}</p>"
        items = []
        for amendment in line.in_force:
            text = self.w(
                "avenant_line",
                title=amendment.title or amendment.id,
                day=wording.date_long(amendment.effective_on, lang),
            )
            if amendment.signed_on is not None:
                text += self.w("avenant_signed", day=wording.date_long(amendment.signed_on, lang))
            changes = []
            if amendment.new_end is not None:
                changes.append(
                    self.w("changes_end", day=wording.date_long(amendment.new_end, lang))
                )
            if amendment.public_added:
                publics = ", ".join(sorted(p.label(lang) for p in amendment.public_added))
                changes.append(self.w("changes_public", publics=publics))
            if amendment.funding_added:
                added = sum((f.funding.committed for f in amendment.funding_added), Decimal(0))
                changes.append(self.w("changes_funding", amount=wording.euros(added, lang)))
            if amendment.actions_added:
                titles = ", ".join(a.title for a in amendment.actions_added)
                changes.append(self.w("changes_added", actions=titles))
            if amendment.actions_closed:
                changes.append(
                    self.w("changes_closed", actions=", ".join(amendment.actions_closed))
                )
            said = "; ".join(changes) if changes else self.w("changes_none")
            items.append(
                f"<li>{bdi(text)} : {bdi(said)}</li>"
                if lang == "fr"
                else f"<li>{bdi(text)}: {bdi(said)}</li>"
            )
        return '<ul class="avenants">' + "".join(items) + "</ul>"

    def contract_budget(self, line: ContractLine) -> str:
        lang, budget = self.lang, line.budget
        if not budget.by_funder:
            return f"<p>{esc(self.w('no_budget'))}</p>"

        def spent(value: Decimal | None) -> str:
            return esc(wording.euros(value, lang)) if value is not None else "—"

        rows = [
            [
                bdi(item.category.label(lang)),
                esc(wording.euros(item.committed, lang)),
                spent(item.spent),
                esc(wording.percent(item.share, lang)) if item.share is not None else "—",
            ]
            for item in budget.by_funder
        ]
        footer = [
            esc(self.w("total")),
            esc(wording.euros(budget.committed, lang)),
            spent(budget.spent),
            esc(wording.percent(Decimal(100), lang)) if budget.committed else "—",
        ]
        headers = [self.w("funder"), self.w("committed"), self.w("spent"), self.w("share")]
        return _table(headers, rows, numeric=[False, True, True, True], footer=footer)

    def actions(self, section: ContractSection) -> str:
        lang = self.lang
        if not section.actions:
            return f"<p>{esc(self.w('no_action'))}</p>"
        headers = [self.w("action"), *self.progress_headers(), self.w("flags")]
        rows, classes = [], []
        for action in section.actions:
            flags = []
            if action.state is ProgressState.BEHIND:
                flags.append(self.w("flag_behind"))
            if action.no_report:
                flags.append(self.w("flag_no_report"))
            if action.open_after_end:
                flags.append(self.w("flag_open"))
            flag_html = "<br>".join(f'<span class="flag">⚑ {esc(f)}</span>' for f in flags)
            window = esc(wording.period_dates(action.window, lang))
            title = f"{bdi(action.title)}<br><small>{window}</small>"
            if not action.indicators:
                rows.append([title, "—", "—", "—", "—", "—", "—", flag_html])
                classes.append([""] * 8)
                continue
            for index, progress in enumerate(action.indicators):
                cells, kinds = self.progress_cells(progress)
                rows.append(
                    [
                        title if index == 0 else "",
                        *cells,
                        flag_html if index == 0 else "",
                    ]
                )
                classes.append(["", *kinds, ""])
        return _table(
            headers,
            rows,
            numeric=[False, False, True, True, True, True, False, False],
            classes=classes,
        )

    def progress_headers(self) -> list[str]:
        """Indicator, previous period, period, since the start, target, progress."""
        report, lang = self.report, self.lang
        previous = (
            wording.period_label(report.previous, lang) if report.previous is not None else "—"
        )
        return [
            self.w("indicator"),
            previous,
            wording.period_label(report.period, lang),
            self.w("since_start"),
            self.w("target"),
            self.w("progress"),
        ]

    def progress_cells(self, progress: ActionProgress) -> tuple[list[str], list[str]]:
        """The cells of :meth:`progress_headers` for one indicator, and their classes."""
        cells, kinds = [], []
        for figure in (progress.previous, progress.current, progress.cumulative):
            text, kind = self.figure_cell(figure, progress.unit)
            cells.append(text)
            kinds.append(kind)
        target = "—"
        if progress.target is not None:
            kind = self.w("kind_" + (progress.target_kind or TargetKind.ACTION).value)
            target = (
                f"{esc(wording.amount(progress.target, progress.unit, self.lang))}<br><small>"
                f"{esc(self.w('target_kind'))} {esc(kind)}</small>"
            )
        return (
            [bdi(progress.indicator_label), *cells, target, self.bar(progress)],
            ["", *kinds, "", ""],
        )

    def contract_targets(self, section: ContractSection) -> str:
        """The contract's own targets, against its values at contract level."""
        rows, classes = [], []
        for progress in section.targets:
            cells, kinds = self.progress_cells(progress)
            rows.append(cells)
            classes.append(kinds)
        return _table(
            self.progress_headers(),
            rows,
            numeric=[False, True, True, True, True, False],
            classes=classes,
        )

    def figure_cell(self, figure: Figure | None, unit: Unit) -> tuple[str, str]:
        if figure is None:
            return "—", ""
        text = wording.amount(figure.value, unit, self.lang) if figure.value is not None else ""
        return self.value_cell(figure.value, figure.status, text)

    def bar(self, progress: ActionProgress) -> str:
        """An accessible progress bar in inline SVG: nothing when the value is not shown."""
        compared = progress.compared
        if (
            progress.target is None
            or not progress.target
            or progress.prorated is None
            or compared is None
            or not compared.shown
            or compared.value is None
            or progress.achievement is None
        ):
            return "—"
        lang, unit = self.lang, progress.unit
        share = min(max(progress.achievement, Decimal(0)), Decimal(1))
        expected = min(max(progress.prorated / progress.target, Decimal(0)), Decimal(1))
        width, height = 120, 12
        filled = int((share * width).to_integral_value())
        mark = int((expected * width).to_integral_value())
        label = self.w(
            "bar_label",
            value=wording.amount(compared.value, unit, lang),
            target=wording.amount(progress.target, unit, lang),
            share=wording.percent(100 * progress.achievement, lang),
            prorated=wording.amount(progress.prorated, unit, lang),
        )
        state = "behind" if progress.state is ProgressState.BEHIND else "ok"
        return (
            f'<svg class="bar {state}" role="img" aria-label="{esc(label)}" width="{width}" '
            f'height="{height + 4}" viewBox="0 0 {width} {height + 4}">'
            f"<title>{esc(label)}</title>"
            f'<rect x="0.5" y="2.5" width="{width - 1}" height="{height - 1}" fill="#fff" '
            'stroke="#1b1b1b"/>'
            f'<rect x="0.5" y="2.5" width="{max(filled - 1, 0)}" height="{height - 1}" '
            'class="fill"/>'
            f'<line x1="{mark}" y1="0" x2="{mark}" y2="{height + 4}" stroke="#1b1b1b" '
            'stroke-width="2" stroke-dasharray="2 1"/>'
            "</svg>"
            f'<span class="pct">{esc(wording.percent(100 * progress.achievement, lang))}</span>'
        )

    def cohorts(self) -> str:
        report, lang = self.report, self.lang
        if not report.cohorts:
            return self.section("cohorts", [f"<p>{esc(self.w('no_contract'))}</p>"])
        first, last = report.cohorts[0].year, report.cohorts[-1].year
        years = list(range(first, last + 1))
        counts = {c.year: dict(c.kinds) for c in report.cohorts}
        kinds = [k for k in ContractKind if any(k in c for c in counts.values())]
        series = [(k.value.upper(), [counts.get(y, {}).get(k, 0) for y in years]) for k in kinds]
        caption = self.w("cohorts_caption")
        svg = _charts.cohort_chart(self.chart_id("cohorts"), caption, years, series, lang)
        rows = []
        for index, cohort in enumerate(report.cohorts, start=1):
            kinds_text = ", ".join(f"{n} {k.value.upper()}" for k, n in cohort.kinds)
            rows.append(
                [
                    esc(f"{cohort.year} — {self.w('cohort_n', rank=rank(index, lang))}"),
                    esc(integer(cohort.total, lang)),
                    esc(kinds_text),
                    ", ".join(bdi(name) for name in cohort.territories),
                ]
            )
        table = _table(
            [self.w("year"), self.w("count_contracts"), self.w("kind"), self.w("territories")],
            rows,
            numeric=[False, True, False, False],
        )
        return self.section("cohorts", [_figure(svg, caption, lang), table])

    def budget(self) -> str:
        body = [f"<p>{esc(self.w('budget_intro'))}</p>"]
        several = len(self.report.places) > 1
        for budget in self.report.budgets:
            if several:
                body.append(f"<h3>{bdi(budget.place.name)} ({esc(budget.place.reference)})</h3>")
            body.append(self.budget_of(budget, heading="h4" if several else "h3"))
        return self.section("budget", body)

    def budget_of(self, budget: Budget, *, heading: str) -> str:
        lang = self.lang
        if not budget.by_theme and not budget.by_funder and not budget.committed:
            return f"<p>{esc(self.w('no_budget'))}</p>"
        parts = []
        names = (self.w("committed"), self.w("spent"))
        for key, lines, chart_key in (
            ("by_theme", budget.by_theme, "chart_budget_theme"),
            ("by_funder", budget.by_funder, "chart_budget_funder"),
        ):
            caption = f"{self.w(chart_key)} — {shown(budget.place.name)}"
            svg = _charts.budget_chart(
                self.chart_id(f"budget-{key}"),
                caption,
                [(shown(line.label), line.committed, line.spent) for line in lines],
                names,
                lang,
            )
            parts.append(f"<{heading}>{esc(self.w(key))}</{heading}>")
            html_caption = f"{esc(self.w(chart_key))} — {bdi(budget.place.name)}"
            parts.append(_figure(svg, html_caption, lang))
            parts.append(self.budget_table(budget, lines, theme=key == "by_theme"))
        return "\n".join(parts)

    def budget_table(self, budget: Budget, lines: Sequence[BudgetLine], *, theme: bool) -> str:
        lang = self.lang

        def spent(value: Decimal | None) -> str:
            return esc(euros(value, lang) if value is not None else self.w("spent_unknown"))

        def share(value: Decimal) -> str:
            if not budget.committed:
                return "—"
            return esc(percent(100 * value / budget.committed, lang, 0))

        def cofunding(value: Decimal | None) -> str:
            return esc(percent(value, lang)) if value is not None else "—"

        headers = [self.w("theme" if theme else "funder"), self.w("committed"), self.w("spent")]
        headers.append(self.w("share"))
        rows = [
            [
                bdi(line.label),
                esc(euros(line.committed, lang)),
                spent(line.spent),
                share(line.committed),
            ]
            + ([cofunding(line.cofunding)] if theme else [])
            for line in lines
        ]
        footer = [
            esc(self.w("total")),
            esc(euros(budget.committed, lang)),
            spent(budget.spent),
            esc(percent(Decimal(100), lang, 0)) if budget.committed else "—",
        ]
        if theme:
            headers.append(self.w("cofunding"))
            footer.append(cofunding(budget.cofunding))
        numeric = [False, True, True, True, True][: len(headers)]
        return _table(headers, rows, numeric=numeric, footer=footer)

    def value_cell(self, value: Decimal | None, status: CellStatus, text: str) -> tuple[str, str]:
        """The text and class of a cell that may be suppressed: never a suppressed value."""
        if status.suppressed:
            return esc(secret(status, self.lang)), "secret"
        if value is None:
            return "—", ""
        return esc(text), ""

    def legend(self) -> str:
        n = self.report.threshold
        word = secret(CellStatus.SUPPRESSED, self.lang)
        return (
            f'<dl class="legend" aria-label="{esc(self.w("secret_legend"))}">'
            f"<dt>{esc(word)}</dt><dd>{esc(self.w('secret_meaning', n=n))}</dd>"
            "</dl>"
        )

    def beneficiaries(self) -> str:
        report = self.report
        body = [f"<p>{esc(self.w('beneficiaries_intro'))}</p>"]
        by_place: dict[str, list[Breakdown]] = defaultdict(list)
        for breakdown in report.beneficiaries:
            by_place[breakdown.place.reference].append(breakdown)
        several = len(report.places) > 1
        for place in report.places:
            found = by_place.get(place.reference, [])
            if several:
                body.append(f"<h3>{bdi(place.name)} ({esc(place.reference)})</h3>")
            if not found:
                body.append(f"<p>{esc(self.w('no_beneficiaries'))}</p>")
                continue
            body.append(self.persons_chart(place, found))
            body.extend(self.persons_tables(found))
        body.append(self.legend())
        body.append(f'<p class="note">{esc(self.w("secret_chart"))}</p>')
        body.append(self.certificate())
        return self.section("beneficiaries", body)

    def certificate(self) -> str:
        """The audit of the counts shown, in one paragraph a committee member understands."""
        audit = self.report.audit
        if audit is None:
            return ""
        small = self.report.threshold - 1
        if audit.exposed:
            shown = ", ".join(cell.label for cell in audit.exposed[:5])
            more = len(audit.exposed) - 5
            if more > 0:
                shown += f" (+{more})"
            text = self.w(
                "audit_exposed",
                exposed=len(audit.exposed),
                hidden=len(audit.hidden),
                small=small,
                cells_list=shown,
            )
            return f'<p class="note audit exposed">{esc(text)}</p>'
        against = self.w("audit_against", releases=len(audit.releases)) if audit.releases else ""
        extra = self.w("audit_more", withheld=len(audit.withheld)) if audit.withheld else ""
        text = self.w(
            "audit_protected",
            cells=audit.cells,
            against=against,
            solver=audit.solver,
            hidden=len(audit.hidden),
            small=small,
            more=extra,
        )
        return f'<p class="note audit">{esc(text)}</p>'

    def persons_chart(self, place: Place, found: Sequence[Breakdown]) -> str:
        main = found[0].indicator
        panels = [
            (
                b.dimension.label(self.lang).capitalize(),
                [(shown(c.label), c.value, secret(c.status, self.lang)) for c in b.cells],
            )
            for b in found
            if b.indicator == main
        ]
        caption = f"{self.w('chart_beneficiaries')} — {shown(place.name)}"
        svg = _charts.persons_chart(self.chart_id("beneficiaries"), caption, panels, self.lang)
        html_caption = f"{esc(self.w('chart_beneficiaries'))} — {bdi(place.name)}"
        return _figure(svg, html_caption, self.lang)

    def persons_tables(self, found: Sequence[Breakdown]) -> list[str]:
        """One table per dimension, one column per indicator, categories in their order."""
        lang = self.lang
        indicators = list(dict.fromkeys(b.indicator for b in found))
        labels = {b.indicator: b.indicator_label for b in found}
        tables = []
        for dimension in dict.fromkeys(b.dimension for b in found):
            of = {b.indicator: b for b in found if b.dimension is dimension}
            categories: dict[str, str] = {}
            for indicator in indicators:
                if indicator in of:
                    for count in of[indicator].cells:
                        categories.setdefault(count.category or "", count.label)
            rows, classes = [], []
            ordered = sorted(categories.items(), key=lambda item: _order(dimension, item[0]))
            for category, label in ordered:
                row, kinds = [bdi(label)], [""]
                for indicator in indicators:
                    text, kind = "—", ""  # the indicator has no row at this place
                    if indicator in of:
                        cells = of[indicator].cells
                        cell = next((c for c in cells if c.category == category), None)
                        # No row for a category: no one in it, a zero that reveals no one.
                        text, kind = self.count_cell(cell) if cell else ("0", "")
                    row.append(text)
                    kinds.append(kind)
                rows.append(row)
                classes.append(kinds)
            footer = [esc(self.w("total"))]
            for indicator in indicators:
                footer.append(self.count_cell(of[indicator].total if indicator in of else None)[0])
            tables.append(
                _table(
                    [dimension.label(lang).capitalize(), *(labels[i] for i in indicators)],
                    rows,
                    numeric=[False, *[True] * len(indicators)],
                    caption=_dimension_caption(dimension, lang),
                    footer=footer,
                    classes=classes,
                )
            )
        return tables

    def count_cell(self, cell: Count | None) -> tuple[str, str]:
        if cell is None:
            return "—", ""
        text = integer(int(cell.value), self.lang) if cell.value is not None else ""
        return self.value_cell(cell.value, cell.status, text)

    def steering(self) -> str:
        report, lang = self.report, self.lang
        if not report.steering:
            return self.section("steering", [f"<p>{esc(self.w('no_contract'))}</p>"])
        rows = []
        for line in report.steering:
            if line.dates:
                text = ", ".join(day(d, lang) for d in line.dates)
                if line.approximate:
                    text += f" ({self.w('approximate')}: {self.w('signing_day_unknown')})"
            elif line.ends_on is not None:
                text = self.w("none_after", day=day(line.ends_on, lang))
            else:
                text = self.w("none_calendar")
            rows.append([bdi(line.territory_name), esc(text)])
        table = _table([self.w("territory"), self.w("next_dates")], rows, numeric=[False, False])
        return self.section("steering", [f"<p>{esc(self.w('steering_intro'))}</p>", table])

    def provenance(self) -> str:
        report, lang = self.report, self.lang
        info = report.info
        facts = [(self.w("dataset"), bdi(info.title) if info.title else "—")]
        if info.description:
            facts.append((self.w("description"), bdi(info.description)))
        if info.licence:
            facts.append((self.w("licence"), bdi(info.licence)))
        if info.created:
            facts.append((self.w("created"), esc(day(info.created, lang))))
        facts.append((self.w("software"), esc(f"territoires {report.version}")))
        facts.append((self.w("threshold"), esc(self.w("threshold_rule", n=report.threshold))))
        items = "\n".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
        body = [f'<dl class="facts">\n{items}\n</dl>']
        note = self.w("synthetic_note") if report.synthetic else self.w("real_note")
        body.append(f'<p class="note"><strong>{esc(note)}</strong></p>')
        if info.sources:
            sources = []
            for source in info.sources:
                # Addresses are shown as text, not links: the page refers to nothing outside it.
                text = bdi(source.title)
                if source.url:
                    text += f' — <span class="url">{bdi(source.url)}</span>'
                if source.note:
                    text += f" <em>({bdi(source.note)})</em>"
                sources.append(f"<li>{text}</li>")
            body.append(f"<h3>{esc(self.w('sources'))}</h3>")
            body.append('<ul class="sources">' + "".join(sources) + "</ul>")
        body.append(f"<h3>{esc(self.w('rules'))}</h3>")
        share = wording.percent(100 * WELL_BEHIND, lang, 0)
        rules = [
            self.w("rule_window"),
            self.w("rule_kinds"),
            self.w("rule_prorated"),
            self.w("rule_behind", share=share),
            self.w("rule_no_report"),
            self.w("rule_open"),
        ]
        body.append('<ul class="rules">' + "".join(f"<li>{esc(r)}</li>" for r in rules) + "</ul>")
        if report.definitions:
            body.append(f"<h3>{esc(self.w('definitions'))}</h3>")
            body.append(
                '<dl class="definitions">'
                + "".join(
                    f"<dt>{bdi(d.label)} <code>{esc(d.name)}</code></dt>"
                    f"<dd>{bdi(d.description)}</dd>"
                    for d in report.definitions
                )
                + "</dl>"
            )
        return self.section("provenance", body)

    def footer(self) -> str:
        report, lang = self.report, self.lang
        parts = [
            f"territoires {report.version}",
            f"{self.w('generated')} {day(report.generated_on, lang)}",
            self.w("offline"),
        ]
        if report.synthetic:
            parts.insert(0, BANNER[lang])
        return f"<footer><p>{' · '.join(esc(p) for p in parts)}</p></footer>"


def _dimension_caption(dimension: Dimension, lang: Lang) -> str:
    joined = "par" if lang == "fr" else "by"
    return f"{words('beneficiaries', lang)} {joined} {dimension.label(lang)}"


def render(report: Report) -> str:
    """Return the page of ``report``."""
    return _Page(report).render()
