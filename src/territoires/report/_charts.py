"""The report's charts: matplotlib figures saved as SVG text, ready to inline in HTML.

matplotlib is optional: every function returns None when it is not installed, and the page
shows a note instead. Figures are drawn on the Agg canvas (never a window, never pyplot's
global state) inside ``rc_context``, so the caller's settings are left alone. The output is
deterministic: text stays text (``svg.fonttype = "none"``), ids are hashed with a fixed salt
then prefixed with the chart's own id (several charts share one page), and no date or
creator is written.

Charts are legible in black and white: series differ by hatching as well as by colour, and
bars carry their values as text. A suppressed count has no bar, only the word "secret".
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from territoires._enum import Lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["budget_chart", "cohort_chart", "persons_chart"]

_RC: dict[Any, Any] = {  # keys typed as literals by matplotlib's stubs
    "svg.fonttype": "none",
    "svg.hashsalt": "territoires-report",
    "text.parse_math": False,  # a "$" in a label is a dollar, not mathematics
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
INK = "#1b1b1b"
FILLS = ("#35557f", "#ffffff", "#b9c7d9")  # dark, white (hatched), light: apart in grey too
HATCHES = ("", "////", "..")
_WIDTH = 7.0  # inches: the width of the page's text column


def _draw(chart_id: str, label: str, height: float, draw: Callable[[Figure], None]) -> str | None:
    """Draw a figure with ``draw`` and return it as an inline ``<svg>`` element."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(_WIDTH, height), layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_METADATA)
    return _inline(buffer.getvalue(), chart_id, label)


_ID = re.compile(r'\bid="([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_HREF = re.compile(r'\b(?:xlink:)?href="#([^"]+)"')
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _inline(svg: str, chart_id: str, label: str) -> str:
    """Make matplotlib's SVG document an element of an HTML page.

    The XML prolog and doctype go (HTML parses inline SVG without them, and the doctype
    names a URL); the namespace declarations too, which HTML does not need; every id is
    prefixed by ``chart_id`` so that two charts never share one.
    """
    svg = svg[svg.index("<svg") :]
    svg = _NAMESPACES.sub("", svg)
    svg = _ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = _HREF.sub(lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    head = f'<svg id="{chart_id}" role="img" aria-label="{escape(label)}"'
    return head + svg[len("<svg") :].rstrip() + "\n"


def _style(axes: Axes) -> None:
    axes.tick_params(colors=INK, labelcolor=INK, length=3)
    for spine in axes.spines.values():
        spine.set_color(INK)


def cohort_chart(
    chart_id: str,
    label: str,
    years: Sequence[int],
    series: Sequence[tuple[str, Sequence[int]]],
    lang: Lang,
) -> str | None:
    """Contracts by year of signature, stacked by kind; every year between shown, even empty.

    Args:
        chart_id: Id of the ``<svg>`` element (and prefix of its inner ids).
        label: What the chart shows (its accessible name).
        years: The years, consecutive.
        series: One ``(kind label, counts by year)`` per kind of contract.
        lang: Language of the numbers.
    """

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        _style(axes)
        positions = list(range(len(years)))
        bottom = [0] * len(years)
        for index, (name, counts) in enumerate(series):
            style = index % len(FILLS)
            axes.bar(
                positions,
                counts,
                bottom=bottom,
                width=0.6,
                color=FILLS[style],
                hatch=HATCHES[style],
                edgecolor=INK,
                linewidth=0.8,
                label=name,
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        for position, total in zip(positions, bottom, strict=True):
            axes.annotate(
                str(total),
                (position, total),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=INK,
                fontweight="bold",
            )
        axes.set_xticks(positions, [str(year) for year in years])
        # A fixed slot per year: one cohort gives a bar, not a wall.
        axes.set_xlim(-0.75, max(len(years), 4) - 0.25)
        axes.set_ylim(0, max([*bottom, 1]) * 1.2)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        if len(series) > 1:
            axes.legend(frameon=False, loc="upper left")

    return _draw(chart_id, label, 2.4, draw)


def budget_chart(
    chart_id: str,
    label: str,
    lines: Sequence[tuple[str, Decimal, Decimal | None]],
    names: tuple[str, str],
    lang: Lang,
) -> str | None:
    """Committed and spent euros side by side for each line (theme or funder).

    Args:
        chart_id: Id of the ``<svg>`` element.
        label: What the chart shows.
        lines: ``(label, committed, spent or None)`` per line, in display order (top first).
        names: Legend names of the committed and the spent series.
        lang: Language of the amounts.
    """
    from territoires.wording import compact_euros

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        _style(axes)
        count = len(lines)
        top = [count - 1 - i for i in range(count)]
        committed = [float(c) for _, c, _ in lines]
        spent = [float(s) if s is not None else 0.0 for _, _, s in lines]
        height = 0.38
        bars = (
            (committed, [p + height / 2 for p in top], 0, names[0]),
            (spent, [p - height / 2 for p in top], 1, names[1]),
        )
        for values, where, style, name in bars:
            axes.barh(
                where,
                values,
                height=height,
                color=FILLS[style],
                hatch=HATCHES[style],
                edgecolor=INK,
                linewidth=0.8,
                label=name,
            )
            for value, y in zip(values, where, strict=True):
                axes.annotate(
                    compact_euros(value, lang),
                    (value, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    color=INK,
                    fontsize=8,
                )
        axes.set_yticks(top, [name for name, _, _ in lines])
        axes.set_xlim(0, max([*committed, *spent, 1.0]) * 1.18)
        axes.xaxis.set_major_formatter(lambda x, _: compact_euros(x, lang))
        axes.legend(frameon=False, loc="lower right")

    return _draw(chart_id, label, 0.9 + 0.42 * max(len(lines), 1), draw)


def persons_chart(
    chart_id: str,
    label: str,
    panels: Sequence[tuple[str, Sequence[tuple[str, Decimal | None, str]]]],
    lang: Lang,
) -> str | None:
    """Counts of persons in horizontal bars, one panel per dimension.

    A suppressed count comes without a value and is drawn as a gap labelled with its mark
    (``secret (< 11)``): no bar, no number.

    Args:
        chart_id: Id of the ``<svg>`` element.
        label: What the chart shows.
        panels: ``(title, [(category label, value or None, mark when suppressed)])`` each.
        lang: Language of the numbers.
    """
    from territoires.wording import integer

    def draw(figure: Figure) -> None:
        heights = [max(len(bars), 1) for _, bars in panels]
        grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
        largest = max(
            [float(value) for _, bars in panels for _, value, _ in bars if value is not None]
            + [1.0]
        )
        for index, (title, bars) in enumerate(panels):
            axes = figure.add_subplot(grid[index])
            _style(axes)
            top = [len(bars) - 1 - i for i in range(len(bars))]
            for (_, value, mark), y in zip(bars, top, strict=True):
                if value is None:
                    axes.annotate(
                        mark,
                        (0, y),
                        xytext=(3, 0),
                        textcoords="offset points",
                        va="center",
                        color=INK,
                        fontstyle="italic",
                    )
                    continue
                axes.barh(
                    [y],
                    [float(value)],
                    height=0.6,
                    color=FILLS[0],
                    edgecolor=INK,
                    linewidth=0.8,
                )
                axes.annotate(
                    integer(int(value), lang),
                    (float(value), y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    color=INK,
                )
            axes.set_yticks(top, [name for name, _, _ in bars])
            axes.set_ylim(-0.6, len(bars) - 0.4)
            axes.set_xlim(0, largest * 1.25)
            axes.xaxis.set_visible(False)
            axes.spines["bottom"].set_visible(False)
            axes.set_title(title, loc="left", fontsize=9, fontweight="bold", color=INK)

    rows = sum(max(len(bars), 1) for _, bars in panels)
    return _draw(chart_id, label, 0.6 + 0.5 * len(panels) + 0.28 * rows, draw)
