"""Whole-column checks of id shapes agree with checking each value."""

from hypothesis import given
from hypothesis import strategies as st

from territoires.model import _validators as v

ID_LIKE = st.text(
    alphabet=st.sampled_from("aZ09_.:/-é \n\t\x00"), min_size=0, max_size=8
) | st.text(max_size=3)


@given(st.lists(ID_LIKE | st.from_regex(v.IDENTIFIER.pattern, fullmatch=True), max_size=6))
def test_a_column_of_ids_is_valid_exactly_when_each_id_is(values: list[str]) -> None:
    """The fast column check accepts a column if and only if every id has the shape."""
    assert v.IDENTIFIER.all_match(values) == all(v.IDENTIFIER.fullmatch(x) for x in values)


@given(st.lists(ID_LIKE | st.from_regex(v.PSEUDONYM.pattern, fullmatch=True), max_size=6))
def test_a_column_of_pseudonyms_is_valid_exactly_when_each_one_is(values: list[str]) -> None:
    """Pseudonyms get the same guarantee, with their own characters and length."""
    assert v.PSEUDONYM.all_match(values) == all(v.PSEUDONYM.fullmatch(x) for x in values)


def test_over_long_ids_are_refused_by_the_column_check() -> None:
    """An id one character over the limit fails the column check as it fails alone."""
    assert v.IDENTIFIER.all_match(["a" * 100])
    assert not v.IDENTIFIER.all_match(["a" * 101])
    assert not v.PSEUDONYM.all_match(["P" * 65])
