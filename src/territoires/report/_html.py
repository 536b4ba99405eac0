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

from territoires._enum import Lang
from territoires._printable import printable
from territoires._terminal import euros, format_date, integer
from territoires.disclosure import CellStatus
from territoires.measures import Dimension
from territoires.model.enums import ContractKind
from territoires.report import _charts, _order
from territoires.report._text import (
    BANNER,
    CHARTS_MISSING,
    amount,
    day,
    percent,
    period_label,
    rank,
    secret,
    words,
)

if TYPE_CHECKING:
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
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
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
  a { color: inherit; text-decoration: none; }
}
"""

_SECTIONS = ("contracts", "cohorts", "budget", "targets", "beneficiaries", "steering", "provenance")


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
            self.contracts(),
            self.cohorts(),
            self.budget(),
            self.targets(),
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

    def contracts(self) -> str:
        report, lang = self.report, self.lang
        if not report.contracts:
            return self.section("contracts", [f"<p>{esc(self.w('no_contract'))}</p>"])
        rows = []
        for line in report.contracts:
            start, end = (
                _nowrap(format_date(d, lang)) for d in (line.period.start, line.period.end)
            )
            period = f"{start} – {end}"
            if line.prolonged:
                period += f" <em>({esc(self.w('prolonged'))})</em>"
            signed = format_date(line.signed_on, lang) if line.signed_on else self.w("not_signed")
            rows.append(
                [
                    bdi(line.territory_name),
                    f"<code>{esc(line.territory)}</code>",
                    esc(line.kind.value.upper()),
                    _nowrap(signed),
                    period,
                    esc(integer(line.amendments, lang)),
                    _nowrap(line.status.label(lang)),
                ]
            )
        headers = [
            self.w(k)
            for k in ("territory", "code", "kind", "signed", "contract_period", "avenants")
        ]
        table = _table(
            [*headers, self.w("status")],
            rows,
            numeric=[False, False, False, False, False, True, False],
        )
        intro = esc(self.w("contracts_on", day=day(report.on, lang)))
        return self.section("contracts", [f"<p>{intro}</p>", table])

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

    def targets(self) -> str:
        report, lang = self.report, self.lang
        if not report.targets:
            return self.section("targets", [f"<p>{esc(self.w('no_targets'))}</p>"])
        rows, classes = [], []
        for line in report.targets:
            shown = amount(line.value, line.unit, lang) if line.value is not None else ""
            value, kind = self.value_cell(line.value, line.status, shown)
            achieved = (
                esc(percent(line.achievement * 100, lang, 0))
                if line.achievement is not None
                else "—"
            )
            rows.append(
                [
                    bdi(line.territory_name),
                    bdi(line.action_title),
                    bdi(line.indicator_label),
                    value,
                    esc(amount(line.target, line.unit, lang)),
                    achieved,
                ]
            )
            classes.append(["", "", "", kind, "", ""])
        headers = [
            self.w(k)
            for k in ("territory", "action", "indicator", "value", "target", "achievement")
        ]
        table = _table(
            headers,
            rows,
            numeric=[False, False, False, True, True, True],
            classes=classes,
        )
        return self.section(
            "targets", [f"<p>{esc(self.w('targets_intro'))}</p>", table, self.legend()]
        )

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
