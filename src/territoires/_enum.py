"""The base class of every enumeration of the package: a stable value and two labels."""

from __future__ import annotations

import enum
from typing import Literal, Self, cast

from territoires.exceptions import InvalidValueError, did_you_mean

Lang = Literal["fr", "en"]


class LabelledEnum(enum.Enum):
    """An enumeration whose members carry a stable string value and French and English labels.

    Members are declared as ``NAME = ("value", "libellé", "label")``. The value is what files
    hold and never changes; the labels are for people.
    """

    _value_: str
    label_fr: str
    label_en: str

    # Members are singletons compared by identity, so the identity hash is consistent with
    # equality, and computed in C: Enum's own __hash__ is Python code, and enumeration members
    # are dictionary keys on every hot path (CSV columns, eligibility screening).
    __hash__ = object.__hash__

    def __new__(cls, value: str, label_fr: str, label_en: str) -> Self:
        member = object.__new__(cls)
        member._value_ = value
        member.label_fr = label_fr
        member.label_en = label_en
        return member

    def label(self, lang: Lang = "fr") -> str:
        """Return the label in ``lang`` (``"fr"`` by default, or ``"en"``)."""
        return self.label_fr if lang == "fr" else self.label_en

    def __str__(self) -> str:
        return self._value_

    @classmethod
    def from_value(cls, value: str) -> Self:
        """Return the member whose value is ``value``.

        Raises:
            InvalidValueError: ``value`` is not the value of any member (also a
                ``ValueError``); the message suggests the closest values and lists them all.
        """
        member = cls._value2member_map_.get(value)
        if member is None:
            values = cls.values()
            hint = did_you_mean(value, values) if isinstance(value, str) else ""
            raise InvalidValueError(
                cls.__name__,
                value,
                f"a value that is one of {', '.join(values)}",
                code="unknown-enum",
                hint=hint,
            )
        return cast(Self, member)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Return the values of every member, in declaration order."""
        return tuple(m.value for m in cls)
