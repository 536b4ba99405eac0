"""The public of a contract or an action: who it is for."""

from __future__ import annotations

from typing import Any

import attrs

from territoires.model import _validators as v
from territoires.model.enums import PublicCategory

__all__ = ["PublicScope"]


def _max_not_below_min(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    v.optional(v.age)(instance, attribute, value)
    low = getattr(instance, "min_age", None)
    if isinstance(value, int) and isinstance(low, int) and value < low:
        raise v.fail(attribute, value, f"a maximum age of at least the minimum age ({low})")


@attrs.frozen(kw_only=True)
class PublicScope:
    """Who a contract or an action is for.

    Attributes:
        categories: Public categories admitted (refugees, subsidiary protection, stateless,
            temporary protection, other newcomers); at least one.
        min_age: Youngest admitted age in completed years, if any.
        max_age: Oldest admitted age in completed years, inclusive: ``25`` means "under 26".
        max_years_since_status: The status (or first permit) must have been obtained less than
            this many years before the date (five for primo-arrivants), if any.
        residence: References of the territories where the person must live; empty means the
            contract's territory.
        cir_required: Whether the republican integration contract (CIR) must have been signed.

    Example:
        >>> bpi = PublicScope(categories=frozenset({PublicCategory.REFUGEE}))
        >>> young = PublicScope(categories=frozenset({PublicCategory.REFUGEE}), max_age=25)
        >>> young.is_within(bpi), bpi.is_within(young)
        (True, False)

    .. versionadded:: 0.1
    """

    categories: frozenset[PublicCategory] = attrs.field(
        validator=v.members_of(PublicCategory, non_empty=True)
    )
    min_age: int | None = attrs.field(default=None, validator=v.optional(v.age))
    max_age: int | None = attrs.field(default=None, validator=_max_not_below_min)
    max_years_since_status: int | None = attrs.field(default=None, validator=v.optional(v.years))
    residence: frozenset[str] = attrs.field(
        default=frozenset(), validator=v.territory_reference_set
    )
    cir_required: bool = attrs.field(default=False, validator=v.boolean)

    def widening_over(self, other: PublicScope) -> list[str]:
        """Return, in words, every way this public is wider than ``other`` (empty if within).

        Residence is compared by reference only; a commune inside an EPCI listed by ``other``
        needs the geography and is checked by :meth:`Dataset.validate`.
        """
        reasons: list[str] = []
        extra = self.categories - other.categories
        if extra:
            names = ", ".join(sorted(c.value for c in extra))
            reasons.append(f"categories {names} are not in the wider public")
        if other.min_age is not None and (self.min_age is None or self.min_age < other.min_age):
            reasons.append(f"admits ages below {other.min_age}")
        if other.max_age is not None and (self.max_age is None or self.max_age > other.max_age):
            reasons.append(f"admits ages above {other.max_age}")
        if other.max_years_since_status is not None and (
            self.max_years_since_status is None
            or self.max_years_since_status > other.max_years_since_status
        ):
            reasons.append(f"admits statuses older than {other.max_years_since_status} years")
        if other.cir_required and not self.cir_required:
            reasons.append("does not require the CIR")
        return reasons

    def is_within(self, other: PublicScope) -> bool:
        """Return True when every person this public admits is admitted by ``other`` too."""
        return not self.widening_over(other)

    def with_categories(self, *categories: PublicCategory) -> PublicScope:
        """Return this public extended to ``categories`` (an avenant opening the public)."""
        return attrs.evolve(self, categories=self.categories | frozenset(categories))
