r"""Numbers, amounts, dates, periods and plurals as people read them, in French and English.

Every output written for people (the terminal, the steering-committee report, the exports
that format figures, the example plugins) formats its figures here, so that the same figure
reads the same everywhere. The rules:

- **Thousands**: a narrow no-break space in French (``1 234 567``, U+202F), a comma in
  English (``1,234,567``). A number is never truncated: a count that is not whole keeps
  two decimals (``12,50``).
- **Euros**: whole euros, rounded half up after summing; ``1 234 568 €`` (a no-break
  space, U+00A0, before the sign) and ``€1,234,568``.
- **Percents**: one decimal, ``45,3 %`` (a no-break space before the sign, as French
  typography wants) and ``45.3%``.
- **Rates per 10,000 inhabitants**: two decimals, ``3,25`` and ``3.25``.
- **Dates**: long as prose writes them (``1er avril 2024``, ``1 April 2024``), short as
  forms do (``01/04/2024``, ``2024-04-01``).
- **Plurals**: French puts 0 and 1 in the singular, English only 1.

The functions take ``lang`` (``"fr"`` or ``"en"``); none depends on the process's locale.

Example:
    >>> from decimal import Decimal
    >>> euros(Decimal("1234567.50"), "fr") == "1\u202f234\u202f568\u00a0€"
    True
    >>> euros(Decimal("1234567.50"), "en"), percent(Decimal("45.25"), "en")
    ('€1,234,568', '45.3%')
    >>> count(0, "action", "actions", "fr"), count(0, "action", "actions", "en")
    ('0 action', '0 actions')

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar, cast

from territoires._enum import Lang
from territoires.exceptions import WrongTypeError
from territoires.measures import Unit
from territoires.model.dates import ApproximateDate
from territoires.model.enums import DatePrecision
from territoires.model.period import Period

__all__ = [
    "NARROW_NBSP",
    "NBSP",
    "SYNTHETIC_BANNER",
    "amount",
    "approximate_date",
    "compact_euros",
    "count",
    "date_en",
    "date_fr",
    "date_long",
    "date_short",
    "euros",
    "integer",
    "number",
    "ordinal",
    "per_10000",
    "percent",
    "period_dates",
    "period_label",
    "plural",
    "short_en",
    "short_fr",
]

NARROW_NBSP = "\u202f"
"""The French thousands separator (espace fine insécable)."""

NBSP = "\u00a0"
"""The space before ``€`` and ``%`` in French (espace insécable): the sign never starts a line."""

DASH = "—"
"""What stands for a missing value."""

_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
# Fixed lists rather than strftime("%B"), which follows the process's locale.
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

SYNTHETIC_BANNER: dict[Lang, str] = {
    "fr": "DONNÉES SYNTHÉTIQUES : activité, montants et bénéficiaires générés pour la démo.",
    "en": "SYNTHETIC DATA: activity, amounts and beneficiaries generated for demonstration.",
}
"""The banner every output of a synthetic dataset carries, terminal and report alike."""


# -- numbers ------------------------------------------------------------------------------------


_Formatter = TypeVar("_Formatter", bound=Callable[..., str])
_NUMBER = (int, Decimal, float)


def _given(
    kinds: tuple[type, ...], expected: str, *, optional: bool = False
) -> Callable[[_Formatter], _Formatter]:
    """Refuse a first argument that is not one of ``kinds`` with :class:`WrongTypeError`.

    Without it, a text given for a number fails deep inside ``format`` with a ``TypeError``
    naming no argument; the formatters are public, and plugins call them.
    """

    def wrap(function: _Formatter) -> _Formatter:
        name = function.__code__.co_varnames[0]

        @functools.wraps(function)
        def checked(value: object, *args: object, **kwargs: object) -> str:
            if value is None and optional:
                return function(value, *args, **kwargs)
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise WrongTypeError(name, value, expected)
            return function(value, *args, **kwargs)

        return cast(_Formatter, checked)

    return wrap


def _grouped(text: str, lang: Lang) -> str:
    """``text`` (Python's ``,`` grouping and ``.`` decimal point) in the writing of ``lang``."""
    if lang == "fr":
        return text.replace(",", NARROW_NBSP).replace(".", ",")
    return text


@_given((int,), "a whole number (int)")
def integer(value: int, lang: Lang = "fr") -> str:
    """Return a whole number with the thousands separator of ``lang``.

    Args:
        value: The number.
        lang: ``fr`` (narrow no-break spaces) or ``en`` (commas).

    Returns:
        ``1 234 567`` or ``1,234,567``.

    Example:
        >>> integer(1234567, "en")
        '1,234,567'
    """
    return _grouped(f"{value:,}", lang)


@_given(_NUMBER, "a number (int, Decimal or float)")
def number(value: Decimal | int | float, lang: Lang = "fr", digits: int = 2) -> str:
    """Return a number with ``digits`` decimals (rounded half up), thousands grouped.

    Example:
        >>> number(Decimal("1234.5"), "en"), number(3, "en", 0)
        ('1,234.50', '3')
    """
    exponent = Decimal(1).scaleb(-digits)
    rounded = Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,00"
    return _grouped(f"{rounded:,.{digits}f}", lang)


@_given((int, Decimal), "a number of things (int or Decimal)")
def count(value: int | Decimal, singular: str, plural_form: str, lang: Lang = "fr") -> str:
    """Return a count followed by the word it counts, in the right number.

    A whole count is written as an integer; a count that is not whole (an average, a
    pro-rated figure) keeps two decimals rather than being truncated.

    Example:
        >>> count(1, "contrat", "contrats", "fr"), count(2500, "contract", "contracts", "en")
        ('1 contrat', '2,500 contracts')
    """
    text = _count_text(value, lang)
    return f"{text} {plural(value, singular, plural_form, lang)}"


def _count_text(value: int | Decimal, lang: Lang) -> str:
    if isinstance(value, int) or value == value.to_integral_value():
        return integer(int(value), lang)
    return number(value, lang, 2)


@_given((int, Decimal), "a number of things (int or Decimal)")
def plural(value: int | Decimal, singular: str, plural_form: str, lang: Lang = "fr") -> str:
    """Return ``singular`` or ``plural_form`` for ``value``: French treats 0 and 1 as singular.

    Example:
        >>> plural(0, "avenant", "avenants", "fr"), plural(0, "avenant", "avenants", "en")
        ('avenant', 'avenants')
    """
    if lang == "fr":
        return singular if -2 < value < 2 else plural_form
    return singular if value == 1 else plural_form


@_given((int,), "a whole number (int)")
def ordinal(value: int, lang: Lang = "fr") -> str:
    """Return an ordinal: ``1re``, ``2e`` / ``1st``, ``2nd``, ``11th``.

    Example:
        >>> ordinal(1, "fr"), ordinal(2, "fr"), ordinal(22, "en"), ordinal(12, "en")
        ('1re', '2e', '22nd', '12th')
    """
    if lang == "fr":
        return "1re" if value == 1 else f"{value}e"
    if 10 <= value % 100 <= 20:
        return f"{value}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


@_given(_NUMBER, "an amount in euros (Decimal)")
def euros(value: Decimal, lang: Lang = "fr") -> str:
    """Return an amount in whole euros, rounded half up.

    Example:
        >>> euros(Decimal("0.5"), "en"), euros(Decimal("-1500"), "en")
        ('€1', '-€1,500')
    """
    whole = int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if lang == "fr":
        return f"{integer(whole, lang)}{NBSP}€"
    sign = "-" if whole < 0 else ""
    return f"{sign}€{integer(abs(whole), lang)}"


@_given(_NUMBER, "an amount in euros (Decimal)")
def compact_euros(value: Decimal | float, lang: Lang = "fr") -> str:
    """Return an amount for a chart's axis: ``1,2 M€``, ``152 k€`` / ``€1.2M``, ``€152k``.

    Example:
        >>> compact_euros(1_250_000, "en"), compact_euros(152_400, "en")
        ('€1.2M', '€152k')
    """
    number_ = float(value)
    if abs(number_) >= 1_000_000:
        text, suffix = f"{number_ / 1_000_000:.1f}", "M"
    elif abs(number_) >= 1_000:
        text, suffix = f"{number_ / 1_000:.0f}", "k"
    else:
        text, suffix = f"{number_:.0f}", ""
    if lang == "fr":
        return f"{text.replace('.', ',')}{NBSP}{suffix}€"
    return f"€{text}{suffix}"


@_given(_NUMBER, "a percentage (Decimal)")
def percent(value: Decimal | float, lang: Lang = "fr", digits: int = 1) -> str:
    r"""Return a percentage (``value`` already multiplied by 100): ``45,3 %`` / ``45.3%``.

    Example:
        >>> percent(Decimal("45.25"), "fr") == "45,3\u00a0%"
        True
    """
    text = number(value, lang, digits)
    return f"{text}{NBSP}%" if lang == "fr" else f"{text}%"


@_given(_NUMBER, "a rate per 10,000 (Decimal)")
def per_10000(value: Decimal | float, lang: Lang = "fr") -> str:
    """Return a rate per 10,000 inhabitants with two decimals: ``3,25`` / ``3.25``."""
    return number(value, lang, 2)


@_given(_NUMBER, "a value (Decimal)")
def amount(value: Decimal, unit: Unit | str, lang: Lang = "fr") -> str:
    """Return an indicator's value in its unit: euros, persons, count, percent, rate.

    Args:
        value: The value, percentages already multiplied by 100.
        unit: A :class:`~territoires.measures.Unit`, or its value (``"euros"``...).
        lang: ``fr`` or ``en``.

    Returns:
        The value as every output shows it; a count that is not whole keeps two decimals.

    Example:
        >>> amount(Decimal("12"), "persons", "en"), amount(Decimal("12.5"), "persons", "en")
        ('12', '12.50')
    """
    if not isinstance(unit, (str, Unit)):
        raise WrongTypeError("unit", unit, "a territoires.measures.Unit or its value")
    kind = unit if isinstance(unit, str) else unit.value
    if kind == "euros":
        return euros(value, lang)
    if kind == "percent":
        return percent(value, lang)
    if kind == "per_10000":
        return per_10000(value, lang)
    return _count_text(value, lang)


# -- dates --------------------------------------------------------------------------------------


@_given((dt.date,), "a datetime.date")
def date_fr(day: dt.date) -> str:
    """Return a date as French prose writes it: ``1er avril 2024``, ``3 mars 2019``.

    Example:
        >>> date_fr(dt.date(2024, 4, 1)), date_fr(dt.date(2019, 3, 3))
        ('1er avril 2024', '3 mars 2019')
    """
    number_ = "1er" if day.day == 1 else str(day.day)
    return f"{number_} {_MONTHS_FR[day.month - 1]} {day.year}"


@_given((dt.date,), "a datetime.date")
def date_en(day: dt.date) -> str:
    """Return a date as English prose writes it: ``1 April 2024``.

    Example:
        >>> date_en(dt.date(2024, 4, 1))
        '1 April 2024'
    """
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


@_given((dt.date,), "a datetime.date")
def short_fr(day: dt.date) -> str:
    """Return ``03/03/2019``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@_given((dt.date,), "a datetime.date")
def short_en(day: dt.date) -> str:
    """Return ``2019-03-03``."""
    return day.isoformat()


@_given((dt.date,), "a datetime.date or None", optional=True)
def date_long(day: dt.date | None, lang: Lang = "fr") -> str:
    """Return a date as prose writes it (``1er avril 2024`` / ``1 April 2024``); ``—`` if None."""
    if day is None:
        return DASH
    return date_fr(day) if lang == "fr" else date_en(day)


@_given((ApproximateDate,), "a territoires.ApproximateDate or None", optional=True)
def approximate_date(
    value: ApproximateDate | None, lang: Lang = "fr", *, short: bool = False
) -> str:
    """Return a date with the precision its source gives; ``—`` if None.

    To the day as :func:`date_long` (or :func:`date_short` with ``short``), to the month
    ``juin 2019`` / ``June 2019``, to the year ``en 2019`` / ``in 2019``, and ``date inconnue``
    / ``date unknown`` for a date known only to exist.

    Example:
        >>> june = ApproximateDate(dt.date(2019, 6, 1), DatePrecision.MONTH)
        >>> approximate_date(june), approximate_date(ApproximateDate.parse("2019"), "en")
        ('juin 2019', 'in 2019')
    """
    if value is None:
        return DASH
    fr = lang == "fr"
    day = value.on
    if day is None:
        return "date inconnue" if fr else "date unknown"
    if value.precision is DatePrecision.YEAR:
        return f"en {day.year}" if fr else f"in {day.year}"
    if value.precision is DatePrecision.MONTH:
        month = _MONTHS_FR[day.month - 1] if fr else _MONTHS_EN[day.month - 1]
        return f"{month} {day.year}"
    return date_short(day, lang) if short else date_long(day, lang)


@_given((dt.date,), "a datetime.date or None", optional=True)
def date_short(day: dt.date | None, lang: Lang = "fr") -> str:
    """Return a date as a table writes it (``12/06/2019`` / ``2019-06-12``); ``—`` if None."""
    if day is None:
        return DASH
    return short_fr(day) if lang == "fr" else short_en(day)


@_given((Period,), "a territoires.Period")
def period_dates(period: Period, lang: Lang = "fr") -> str:
    """Return a period by its dates: ``01/01/2021 – 31/12/2021``; ``01/01/2021 – …`` if open."""
    end = "…" if period.end is None else date_short(period.end, lang)
    return f"{date_short(period.start, lang)} – {end}"


@_given((Period,), "a territoires.Period")
def period_label(period: Period, lang: Lang = "fr") -> str:
    """Return a period as a title says it: ``année 2021``, ``1er semestre 2021``, or its dates.

    Example:
        >>> from territoires.model.period import Period
        >>> period_label(Period.semester(2021, 2), "en")
        'second half of 2021'
    """
    start, end = period.start, period.end
    fr = lang == "fr"
    if end is None:
        return f"depuis le {date_long(start, lang)}" if fr else f"from {date_long(start, lang)}"
    if period == Period.year(start.year):
        return f"année {start.year}" if fr else f"year {start.year}"
    for half in (1, 2):
        if period == Period.semester(start.year, half):
            if fr:
                return f"{'1er' if half == 1 else '2e'} semestre {start.year}"
            return f"{'first' if half == 1 else 'second'} half of {start.year}"
    if fr:
        return f"du {date_long(start, lang)} au {date_long(end, lang)}"
    return f"{date_long(start, lang)} to {date_long(end, lang)}"
