"""Dates and amounts in sentences, in French and English."""

from __future__ import annotations

import datetime as dt

from territoires._enum import Lang

__all__ = ["SYNTHETIC_BANNER", "date_en", "date_fr", "short_en", "short_fr"]

_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
# Fixed lists rather than strftime("%B"), which follows the process's locale.
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_fr(day: dt.date) -> str:
    """Return a date as French prose writes it: ``1er avril 2024``, ``3 mars 2019``.

    Example:
        >>> date_fr(dt.date(2024, 4, 1)), date_fr(dt.date(2019, 3, 3))
        ('1er avril 2024', '3 mars 2019')
    """
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS_FR[day.month - 1]} {day.year}"


def date_en(day: dt.date) -> str:
    """Return a date as English prose writes it: ``1 April 2024``.

    Example:
        >>> date_en(dt.date(2024, 4, 1))
        '1 April 2024'
    """
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def short_fr(day: dt.date) -> str:
    """Return ``03/03/2019``."""
    return f"{day:%d/%m/%Y}"


def short_en(day: dt.date) -> str:
    """Return ``2019-03-03``."""
    return day.isoformat()


SYNTHETIC_BANNER: dict[Lang, str] = {
    "fr": "DONNÉES SYNTHÉTIQUES : activité, montants et bénéficiaires générés pour la démo.",
    "en": "SYNTHETIC DATA: activity, amounts and beneficiaries generated for demonstration.",
}
"""The banner every output of a synthetic dataset carries, terminal and report alike."""
