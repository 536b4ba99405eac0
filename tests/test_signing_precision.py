"""Signing dates known to the day, the month, the year, or not at all (signed, date unknown).

Real cases: Dijon signed on 12 June 2019 (Diair); Grenoble's signing is known to the year 2019
only (20 June was the scheduled day); Metz joined in December 2022 (tout-metz); Millau's page
says the contract is signed without a date (Ville de Millau), from 1 October 2025 (lepolitique.net).
"""

from __future__ import annotations

import datetime as dt
import io

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from territoires import cli, demo, registry
from territoires.model import (
    ApproximateDate,
    Contract,
    ContractKind,
    ContractStatus,
    DatePrecision,
    FundingSource,
    Period,
    PublicCategory,
    PublicScope,
)
from territoires.overview import overview

BPI = PublicScope(
    categories=frozenset({PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION})
)


def _contract(signed_on: dt.date | None, precision: DatePrecision, start: dt.date) -> Contract:
    return Contract(
        id="c",
        kind=ContractKind.CTAIR,
        territory="200040715",
        title="CTAIR Grenoble-Alpes-Métropole",
        period=Period(start, dt.date(start.year + 2, 12, 31)),
        public=BPI,
        signed_on=signed_on,
        signed_precision=precision,
    )


GRENOBLE = _contract(dt.date(2019, 1, 1), DatePrecision.YEAR, dt.date(2019, 6, 20))
METZ = _contract(dt.date(2022, 12, 1), DatePrecision.MONTH, dt.date(2023, 1, 1))
MILLAU = _contract(None, DatePrecision.UNKNOWN, dt.date(2025, 10, 1))


def test_a_signing_known_to_the_year_counts_from_the_start_of_the_period() -> None:
    """Grenoble: signed in 2019, started 20 June 2019: active from then, approximate before."""
    assert GRENOBLE.signature.text() == "2019"
    assert GRENOBLE.signed_from == dt.date(2019, 6, 20)
    assert GRENOBLE.status(dt.date(2019, 3, 1)) is ContractStatus.DRAFT
    assert GRENOBLE.status_is_approximate(dt.date(2019, 3, 1))
    assert GRENOBLE.status(dt.date(2019, 7, 1)) is ContractStatus.ACTIVE
    assert not GRENOBLE.status_is_approximate(dt.date(2020, 1, 1))
    assert not GRENOBLE.status_is_approximate(dt.date(2018, 12, 31))


def test_a_signing_known_to_the_month_before_the_period() -> None:
    """Metz: December 2022, period from January 2023: signed, never active, in December."""
    assert METZ.signed_from == dt.date(2022, 12, 31)
    assert METZ.status(dt.date(2022, 12, 15)) is ContractStatus.DRAFT
    assert METZ.status_is_approximate(dt.date(2022, 12, 15))
    assert METZ.status(dt.date(2022, 12, 31)) is ContractStatus.SIGNED
    assert METZ.status(dt.date(2023, 1, 2)) is ContractStatus.ACTIVE


def test_a_contract_signed_on_an_unknown_date() -> None:
    """Millau: signed, date unknown: active during its period, approximate only before it."""
    assert MILLAU.is_signed
    assert MILLAU.signature == ApproximateDate(None, DatePrecision.UNKNOWN)
    assert MILLAU.status(dt.date(2026, 1, 1)) is ContractStatus.ACTIVE
    assert not MILLAU.status_is_approximate(dt.date(2026, 1, 1))
    assert MILLAU.status_is_approximate(dt.date(2025, 9, 1))
    assert MILLAU.calendar_is_approximate()
    assert next(MILLAU.steering_calendar()) == dt.date(2025, 10, 1)


def test_a_signing_known_to_the_day_is_exact() -> None:
    dijon = _contract(dt.date(2019, 6, 12), DatePrecision.DAY, dt.date(2019, 6, 12))
    assert dijon.status(dt.date(2019, 6, 11)) is ContractStatus.DRAFT
    assert not dijon.status_is_approximate(dt.date(2019, 6, 11))
    assert not dijon.calendar_is_approximate()


@pytest.mark.parametrize(
    ("signed_on", "precision", "words"),
    [
        (dt.date(2025, 10, 1), DatePrecision.UNKNOWN, "no signed_on with precision 'unknown'"),
        (None, DatePrecision.YEAR, "a signed_on date to go with precision 'year'"),
        (None, DatePrecision.MONTH, "a signed_on date to go with precision 'month'"),
    ],
)
def test_a_precision_that_contradicts_the_date_is_refused(
    signed_on: dt.date | None, precision: DatePrecision, words: str
) -> None:
    with pytest.raises(territoires.InvalidValueError, match=words):
        _contract(signed_on, precision, dt.date(2025, 10, 1))


@given(
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    st.sampled_from([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]),
    st.integers(-400, 400),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
)
def test_status_is_exact_outside_the_uncertain_days(
    signed: dt.date, precision: DatePrecision, offset: int, on: dt.date
) -> None:
    """Outside the days called approximate, the status is the same whatever the signing day."""
    contract = _contract(signed, precision, signed + dt.timedelta(days=offset))
    signature = contract.signature
    assert signature is not None
    if contract.status_is_approximate(on):
        return
    for day in {signature.earliest, signature.latest}:
        assert day is not None
        exact = attrs.evolve(contract, signed_on=day, signed_precision=DatePrecision.DAY)
        assert exact.status(on) is contract.status(on)


def test_show_marks_approximate_statuses_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo shows "en 2019" where only the year is public and "≈" on uncertain statuses."""
    dataset = demo.build()
    seen = overview(dataset, on=dt.date(2021, 6, 30))
    lines = {line.id: line for line in seen.contracts}
    assert lines["ctair-dijon"].signature.text() == "2019-06-12"
    assert lines["ctair-grenoble"].signature.text() == "2019"
    assert lines["ctair-tours"].status_approximate  # signed in 2021, day unknown, on 30 June
    assert not lines["ctair-le-havre"].status_approximate
    out = io.StringIO()
    assert cli.main(["show", "--on", "2021-06-30"], out=out) == 0
    text = out.getvalue()
    assert "en 2019" in text
    assert "12/06/2019" in text
    assert "≈ approximatif" in text


# -- the demo, as its sources give it ------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset() -> territoires.Dataset:
    return demo.build()


def test_the_demo_takes_its_dates_and_publics_from_the_registry(
    dataset: territoires.Dataset,
) -> None:
    for entry in demo.seed_contracts():
        contract = dataset.contract(entry.id)
        assert contract.signature is not None
        assert contract.signed_precision is entry.signed.precision, entry.id
        assert contract.signature.earliest <= contract.signed_from <= contract.signature.latest
        assert contract.public.categories == entry.public, entry.id
        if entry.scheduled is not None:  # the demo starts such a contract on that day
            assert contract.period.start == entry.scheduled.on
    rennes = dataset.contract("ctair-rennes")
    assert rennes.period.start > registry.entry("ctair-rennes").drafting.latest


def test_the_demo_names_the_diair_nowhere_as_a_signatory(dataset: territoires.Dataset) -> None:
    assert all(s.party != "diair" for c in dataset.contracts for s in c.signatories)


def test_the_demo_funds_no_refugee_only_action_on_p104_action_12(
    dataset: territoires.Dataset,
) -> None:
    """Action 12 funds newcomers who signed the CIR; refugee-only actions are on action 15."""
    protected = {PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION}
    checked = 0
    for contract in dataset.contracts:
        final = contract.as_of(dt.date.max)
        for action in final.actions:
            lines = [f for f in action.funding if f.source is FundingSource.P104_ACTION_12]
            if lines:
                checked += 1
                assert not action.public_in(final).categories <= protected, action.id
    assert checked > 0  # Grenoble's avenant funds its actions opened to newcomers
