"""attrs validators of the model, raising :class:`InvalidValueError` with plain-words messages.

Each validator states an invariant as a civil servant would ("an amount in euros, zero or more,
with at most two decimals") and names the attribute. They never coerce: parsing happens at the
edges.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import string
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeGuard

import attrs

from territoires import limits
from territoires.exceptions import (
    DATE_EXPECTED,
    InvalidCodeError,
    InvalidValueError,
    WrongTypeError,
)
from territoires.model import codes

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


class Shape:
    """The shape of an id: an ASCII letter or digit, then allowed characters, up to a length.

    Besides checking one value, :meth:`all_match` checks a whole column in a few C-level
    passes over the column joined by newlines, instead of one regex call per value.
    """

    def __init__(self, others: str, max_length: int) -> None:
        self.pattern = re.compile(f"[A-Za-z0-9][A-Za-z0-9{others}]{{0,{max_length - 1}}}")
        self.fullmatch = self.pattern.fullmatch
        alphanumeric = string.ascii_letters + string.digits
        self._first = frozenset(alphanumeric)
        self._allowed = (alphanumeric + others + "\n").encode("ascii")
        self._bad_start = re.compile(f"\n[^{re.escape(alphanumeric)}]")
        self.max_length = max_length

    def all_match(self, values: Sequence[str]) -> bool:
        """Return True when every value has the shape (False as soon as one does not)."""
        if not values:
            return True
        lengths = list(map(len, values))
        if min(lengths) < 1 or max(lengths) > self.max_length:
            return False
        joined = "\n".join(values)
        if not joined.isascii() or joined.count("\n") != len(values) - 1:
            return False  # a non-ASCII character, or a value hiding a newline
        # Deleting every allowed byte must leave nothing; then each value must start well.
        if joined.encode("ascii").translate(None, self._allowed):
            return False
        return joined[0] in self._first and self._bad_start.search(joined) is None


IDENTIFIER = Shape("_.:/-", 100)
PSEUDONYM = Shape("_.:-", 64)
_IDENTIFIER = IDENTIFIER.pattern
_PSEUDONYM = PSEUDONYM.pattern
_YEARS = range(1990, 2101)

ID_EXPECTED = "an identifier of 1 to 100 letters, digits, '-', '_', '.', ':' or '/', no spaces"
PSEUDONYM_EXPECTED = (
    "a pseudonymous id of 1 to 64 letters, digits, '-', '_', '.' or ':' "
    "(never a name or an e-mail address)"
)
MONEY_EXPECTED = (
    f"an amount in euros (Decimal) of at most {limits.MAX_AMOUNT:,}, zero or more, "
    "with at most two decimals"
)
COUNT_EXPECTED = f"a whole number, zero or more, at most {limits.MAX_COUNT:,}"
TARGET_EXPECTED = (
    f"a finite decimal number between -{limits.MAX_TARGET:,} and {limits.MAX_TARGET:,}, "
    f"with at most {limits.MAX_TARGET_DECIMALS} decimals"
)


def fail(attribute: attrs.Attribute[Any], value: object, expected: str) -> InvalidValueError:
    """Build the error for ``attribute`` holding ``value`` instead of ``expected``."""
    return InvalidValueError(attribute.name, value, expected)


def identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a stable record id."""
    if not isinstance(value, str) or _IDENTIFIER.fullmatch(value) is None:
        raise fail(attribute, value, ID_EXPECTED)


def identifiers(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a tuple of record ids."""
    if not isinstance(value, tuple):
        raise fail(attribute, value, "a tuple of identifiers")
    for item in value:
        if not isinstance(item, str) or _IDENTIFIER.fullmatch(item) is None:
            raise fail(attribute, item, ID_EXPECTED)


def pseudonym(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a pseudonymous person id."""
    if not isinstance(value, str) or _PSEUDONYM.fullmatch(value) is None:
        raise fail(attribute, value, PSEUDONYM_EXPECTED)


def text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a non-blank text."""
    if not isinstance(value, str) or not value.strip():
        raise fail(attribute, value, "a non-empty text")


def any_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a text, possibly empty."""
    if not isinstance(value, str):
        raise fail(attribute, value, "a text")


def member_of(enum_type: type[enum.Enum]) -> Validator:
    """Check that the value is a member of ``enum_type`` (not its string value)."""
    expected = f"a {enum_type.__name__} member (one of: {', '.join(m.value for m in enum_type)})"

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_type):
            raise fail(attribute, value, expected)

    return check


def members_of(enum_type: type[enum.Enum], *, non_empty: bool = False) -> Validator:
    """Check a frozenset of ``enum_type`` members."""
    expected = f"a frozenset of {enum_type.__name__} members"

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, frozenset) or not all(isinstance(m, enum_type) for m in value):
            raise fail(attribute, value, expected)
        if non_empty and not value:
            raise fail(attribute, value, "at least one category")

    return check


def tuple_of(item_type: type[Any] | tuple[type[Any], ...]) -> Validator:
    """Check a tuple whose items are all instances of ``item_type``."""
    name = (
        item_type.__name__
        if isinstance(item_type, type)
        else " or ".join(t.__name__ for t in item_type)
    )

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise fail(attribute, value, f"a tuple of {name}")
        for item in value:
            if not isinstance(item, item_type):
                raise fail(attribute, item, f"a {name}")

    return check


def instance(item_type: type[Any]) -> Validator:
    """Check an instance of ``item_type``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, item_type):
            raise fail(attribute, value, f"a {item_type.__name__}")

    return check


def is_date(value: object) -> TypeGuard[dt.date]:
    """True for a ``datetime.date`` that is not a ``datetime``."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def date(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a calendar date (a ``datetime.date``, not a datetime)."""
    if not is_date(value):
        raise not_a_date(attribute.name, value)


def not_a_date(name: str, value: object) -> WrongTypeError:
    """The error for ``value`` given as ``name`` where a ``datetime.date`` is expected.

    The model never parses (a text is the edges' job), so a text is refused with a message
    that says how to make a date of it.
    """
    if isinstance(value, dt.datetime):
        return WrongTypeError(name, value, "a datetime.date, not a datetime (call its .date())")
    return WrongTypeError(name, value, DATE_EXPECTED)


DATASET_EXPECTED = "a territoires.Dataset (territoires.load(path) reads one from a file)"


def check_instance(name: str, value: object, cls: type, expected: str) -> None:
    """Raise :class:`WrongTypeError` unless ``value`` is a ``cls``, saying what to give.

    For the arguments of public functions, which would otherwise fail deep inside with an
    ``AttributeError`` naming no argument (a path given for a dataset, an id for a contract).
    """
    if not isinstance(value, cls):
        raise WrongTypeError(name, value, expected)


def check_date(name: str, value: object) -> dt.date:
    """Return ``value`` if it is a ``datetime.date``; raise :class:`WrongTypeError` otherwise.

    For the date arguments of the model's methods (``Contract.as_of(on)``...).
    """
    if not is_date(value):
        raise not_a_date(name, value)
    return value


def year(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a plausible calendar year of the policy (1990-2100)."""
    if type(value) is not int or value not in _YEARS:
        raise fail(attribute, value, "a year between 1990 and 2100")


def year_of_birth(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a plausible year of birth (1890-2100)."""
    if type(value) is not int or not 1890 <= value <= 2100:
        raise fail(attribute, value, "a year of birth between 1890 and 2100")


def count(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a count of persons: a whole number, zero or more, at most ``limits.MAX_COUNT``."""
    if type(value) is not int or not 0 <= value <= limits.MAX_COUNT:
        raise fail(attribute, value, COUNT_EXPECTED)


def years(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a number of years of a rule: a whole number between 0 and 150."""
    if type(value) is not int or not 0 <= value <= 150:
        raise fail(attribute, value, "a whole number of years between 0 and 150")


def age(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check an age in completed years."""
    if type(value) is not int or not 0 <= value <= 130:
        raise fail(attribute, value, "an age in years between 0 and 130")


def money(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check an amount in euros: a finite Decimal from 0 to ``limits.MAX_AMOUNT``, 2 decimals.

    The bound keeps sums and formatting exact: ``1E+1000000`` would pass every other check
    and then overflow when quantized to cents.
    """
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or value.is_signed()  # negative amounts, and -0.00 which would print as "-0,00 €"
        or int(value.as_tuple().exponent) < -2
        or value > limits.MAX_AMOUNT
    ):
        raise fail(attribute, value, MONEY_EXPECTED)


def finite_decimal(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a target value: a finite Decimal within ``limits.MAX_TARGET``, few decimals."""
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or abs(value) > limits.MAX_TARGET
        or int(value.as_tuple().exponent) < -limits.MAX_TARGET_DECIMALS
    ):
        raise fail(attribute, value, TARGET_EXPECTED)


def boolean(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a boolean."""
    if not isinstance(value, bool):
        raise fail(attribute, value, "true or false")


def optional(validator: Validator) -> Validator:
    """Accept None, else apply ``validator``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def commune_code(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check the shape of an INSEE commune code."""
    if not isinstance(value, str) or not codes.is_commune_code(value):
        raise InvalidCodeError(
            attribute.name,
            value,
            "an INSEE commune code of 5 characters (e.g. 69123, 2A004, 97411)",
        )


def territory_reference(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a territory reference: commune code, SIREN, ``dep:XX`` or ``reg:XX``."""
    if not isinstance(value, str) or not codes.is_territory_reference(value):
        raise InvalidCodeError(attribute.name, value, codes.REFERENCE_EXPECTED)


def _territory_collection(
    kind: type[tuple[Any, ...]] | type[frozenset[Any]], expected: str
) -> Validator:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise fail(attribute, value, expected)
        for item in value:
            if not isinstance(item, str) or not codes.is_territory_reference(item):
                raise InvalidCodeError(attribute.name, item, codes.REFERENCE_EXPECTED)

    return check


territory_reference_tuple = _territory_collection(
    tuple, "a tuple of territory references, nearest first"
)
territory_reference_set = _territory_collection(frozenset, "a frozenset of territory references")


def siren(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a SIREN: 9 digits and a valid Luhn key."""
    if not isinstance(value, str) or not codes.is_siren(value):
        raise InvalidCodeError(attribute.name, value, "a SIREN of 9 digits with a valid key")


def siret(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check a SIRET: 14 digits and valid keys."""
    if not isinstance(value, str) or not codes.is_siret(value):
        raise InvalidCodeError(attribute.name, value, "a SIRET of 14 digits with a valid key")


def unique(values: Iterable[Any]) -> list[Any]:
    """Return the values that appear more than once, in first-seen order."""
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated
