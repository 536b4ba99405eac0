"""The base class of every enumeration of the package: a stable value and two labels."""

from __future__ import annotations

import difflib
import enum
from typing import Literal, Self, cast

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
            ValueError: ``value`` is not the value of any member; the message lists the
                accepted values, after the closest ones. Public functions turn it into a
                :class:`~territoires.InvalidArgumentError` naming their argument (this
                module sits below the errors and cannot raise them).
        """
        member = cls._value2member_map_.get(value)
        if member is None:
            values = cls.values()
            close = difflib.get_close_matches(value, values, n=3) if isinstance(value, str) else []
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            raise ValueError(f"{value!r} is not one of: {', '.join(values)}{hint}")
        return cast(Self, member)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Return the values of every member, in declaration order."""
        return tuple(m.value for m in cls)
