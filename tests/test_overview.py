"""The read model of "the contracts on a date", and ``territoires show`` reading it."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

import territoires
from territoires import cli
from territoires.exceptions import UnknownTerritoryError
from territoires.model import ContractStatus
from territoires.overview import TerritoryScope, overview


@pytest.fixture(scope="module")
def demo() -> territoires.Dataset:
    """The demo's contracts, no participation."""
    return territoires.demo.build(participations=0)


def test_a_committee_on_the_date_itself_is_the_next_one(demo: territoires.Dataset) -> None:
    """Next committees are those on or after the date: Lyon's of 28 April 2020, on that day."""
    on = dt.date(2020, 4, 28)
    line = overview(demo, on=on).contract("ctair-lyon")
    assert line is not None
    assert line.next_committees == (dt.date(2020, 4, 28), dt.date(2020, 10, 28))
    code, out = _run("show", "--format", "json", "--on", "2020-04-28")
    assert code == 0
    lyon = next(c for c in json.loads(out)["contracts"] if c["contract"] == "ctair-lyon")
    assert lyon["next_steering_committee"] == "2020-04-28"


def test_a_contract_of_a_commune_within_a_listed_territory_is_in_scope(
    demo: territoires.Dataset,
) -> None:
    """Asking for a département keeps the contracts of its communes and EPCI, and no other."""
    seen = overview(demo, on=dt.date(2021, 12, 31), territories=["dep:69"])
    assert [line.id for line in seen.contracts] == ["ctair-lyon"]
    scope = seen.scope
    assert scope.contains("69123")  # Lyon, the commune, within the département
    assert not scope.contains("75056")
    assert TerritoryScope(references=None).contains("75056")


def test_an_unknown_territory_is_refused_with_suggestions(demo: territoires.Dataset) -> None:
    """A reference found nowhere raises UnknownTerritoryError, as the indicators do."""
    with pytest.raises(UnknownTerritoryError):
        overview(demo, on=dt.date(2021, 12, 31), territories=["99999"])


def test_budget_lines_add_up_and_shares_make_one_hundred(demo: territoires.Dataset) -> None:
    """Themes and funders each sum to the total committed; shares to 100 %."""
    seen = overview(demo, on=dt.date(2021, 12, 31))
    budget = seen.budget
    for lines in (budget.by_theme, budget.by_funder):
        assert sum((line.committed for line in lines), Decimal(0)) == budget.committed
        shares = sum((line.share or Decimal(0) for line in lines), Decimal(0))
        assert abs(shares - 100) < Decimal("1e-20")
    assert budget.committed == sum((line.committed for line in seen.contracts), Decimal(0))


def test_cohorts_count_contracts_by_year_and_status(demo: territoires.Dataset) -> None:
    """The seed's two cohorts, 11 in 2019 and 7 in 2021, with their statuses on the date."""
    seen = overview(demo, on=dt.date(2021, 12, 31))
    assert [(c.year, c.total) for c in seen.cohorts] == [(2019, 11), (2021, 7)]
    for cohort in seen.cohorts:
        assert sum(n for _, n in cohort.statuses) == cohort.total
    statuses = {line.status for line in seen.contracts}
    assert statuses <= set(ContractStatus)


def test_a_date_that_is_not_a_date_is_refused(demo: territoires.Dataset) -> None:
    """``on="2021-12-31"`` raises a domain error saying a datetime.date is expected."""
    with pytest.raises(territoires.TerritoiresError, match=r"datetime\.date"):
        overview(demo, on="2021-12-31")  # type: ignore[arg-type]


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli.main(list(argv), out=out), out.getvalue()
