"""Rules of the sources that `validate` warns about: housing since 2021, P104 action 12.

Since 2021 every contract includes a housing action; P104 action 12 is for newcomers. Real
cases: the 2021 rule (https://www.mairesdefrance.com/m/article/?id=644, and the European
Commission's page on "Territoires d'intégration"); P104 action 12 for primo-arrivants who signed
the CIR, action 15 for refugees (the Charente call for projects of P104 actions 12 and 15).
Grenoble's avenant of June 2022 opened its CTAIR to newcomers: action 12 may fund it from then.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

import territoires
from territoires import demo
from territoires.model import (
    Action,
    ActionFunding,
    Amendment,
    Contract,
    ContractKind,
    Dataset,
    Funding,
    FundingSource,
    Party,
    PartyKind,
    Period,
    PublicCategory,
    PublicScope,
    Theme,
)
from territoires.problems import ProblemCode, Severity

D = dt.date
BPI = PublicScope(
    categories=frozenset({PublicCategory.REFUGEE, PublicCategory.SUBSIDIARY_PROTECTION})
)
STATE = Party(id="pref-12", kind=PartyKind.PREFECTURE, name="Préfecture (Aveyron)")


def _action(theme: Theme, *, source: FundingSource = FundingSource.P104_ACTION_15,
            public: PublicScope | None = None, action_id: str = "a1") -> Action:  # fmt: skip
    return Action(
        id=action_id,
        title="Action",
        theme=theme,
        period=Period(D(2025, 10, 1), D(2028, 9, 30)),
        public=public,
        funding=(Funding(funder=STATE.id, source=source, year=2026, committed=Decimal(20000)),),
    )


MILLAU_START = D(2025, 10, 1)


def _dataset(*actions: Action, kind: ContractKind = ContractKind.CTAI,
             start: dt.date = MILLAU_START, public: PublicScope = BPI,
             amendments: tuple[Amendment, ...] = ()) -> Dataset:  # fmt: skip
    contract = Contract(
        id="ctai-millau",
        kind=kind,
        territory="12145",
        title="CTAI Millau",
        period=Period(start, D(2028, 9, 30)),
        public=public,
        actions=actions,
        amendments=amendments,
    )
    return Dataset(parties=(STATE,), contracts=(contract,))


def _codes(dataset: Dataset, code: ProblemCode) -> list[territoires.Problem]:
    found = [p for p in territoires.validate(dataset) if p.code is code]
    assert all(p.severity is Severity.WARNING for p in found)
    return found


# -- a housing action in every contract since 2021 ------------------------------------------------


def test_a_ctai_without_a_housing_action_is_warned() -> None:
    (problem,) = _codes(
        _dataset(_action(Theme.FRENCH_LANGUAGE)), ProblemCode.CONTRACT_WITHOUT_HOUSING
    )
    assert problem.record == "ctai-millau"
    assert problem.field == "contracts[0].actions"
    assert "mairesdefrance.com" in problem.message


def test_a_housing_action_satisfies_the_rule_even_added_by_an_avenant() -> None:
    assert not _codes(
        _dataset(_action(Theme.FRENCH_LANGUAGE), _action(Theme.HOUSING, action_id="a2")),
        ProblemCode.CONTRACT_WITHOUT_HOUSING,
    )
    avenant = Amendment(
        id="avenant-1",
        effective_on=D(2026, 6, 1),
        actions_added=(_action(Theme.HOUSING, action_id="a2"),),
    )
    assert not _codes(
        _dataset(_action(Theme.FRENCH_LANGUAGE), amendments=(avenant,)),
        ProblemCode.CONTRACT_WITHOUT_HOUSING,
    )


@pytest.mark.parametrize(
    ("kind", "start"),
    [(ContractKind.PTAI, D(2025, 10, 1)), (ContractKind.CTAIR, D(2019, 6, 12))],
)
def test_projects_and_contracts_before_2021_are_not_held_to_the_rule(
    kind: ContractKind, start: dt.date
) -> None:
    action = attrs.evolve(_action(Theme.FRENCH_LANGUAGE), period=Period(start, D(2028, 9, 30)))
    dataset = _dataset(action, kind=kind, start=start)
    assert not _codes(dataset, ProblemCode.CONTRACT_WITHOUT_HOUSING)


# -- P104 action 12 for newcomers --------------------------------------------------------------


def test_action_12_on_an_action_for_refugees_only_is_warned() -> None:
    dataset = _dataset(
        _action(Theme.HOUSING, source=FundingSource.P104_ACTION_12),
        _action(
            Theme.FRENCH_LANGUAGE,
            source=FundingSource.P104_ACTION_12,
            public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
            action_id="a2",
        ),
    )
    found = _codes(dataset, ProblemCode.P104_12_FOR_REFUGEES_ONLY)
    assert [p.field for p in found] == [
        "contracts[0].actions[0].funding[0].source",
        "contracts[0].actions[1].funding[0].source",
    ]
    assert "action 15" in found[0].message


def test_action_12_is_right_once_the_public_admits_newcomers() -> None:
    newcomers = BPI.with_categories(PublicCategory.OTHER_NEWCOMER)
    dataset = _dataset(
        _action(Theme.HOUSING, source=FundingSource.P104_ACTION_12), public=newcomers
    )
    assert not _codes(dataset, ProblemCode.P104_12_FOR_REFUGEES_ONLY)
    refugees_action = _dataset(
        _action(Theme.HOUSING, source=FundingSource.P104_ACTION_15), public=BPI
    )
    assert not _codes(refugees_action, ProblemCode.P104_12_FOR_REFUGEES_ONLY)


def test_grenobles_avenant_funds_on_action_12_only_what_it_opened() -> None:
    """The demo's Grenoble: no warning; moving the avenant to 2023 makes its 2022 lines wrong."""
    dataset = demo.build(participations=0)
    assert not _codes(dataset, ProblemCode.P104_12_FOR_REFUGEES_ONLY)
    grenoble = dataset.contract("ctair-grenoble")
    (avenant,) = grenoble.amendments
    late = attrs.evolve(avenant, effective_on=D(2023, 1, 2))
    moved = attrs.evolve(grenoble, amendments=(late,))
    contracts = tuple(moved if c.id == grenoble.id else c for c in dataset.contracts)
    found = _codes(
        attrs.evolve(dataset, contracts=contracts), ProblemCode.P104_12_FOR_REFUGEES_ONLY
    )
    assert found
    assert all(".funding_added[" in p.field for p in found)
    assert all("(2022)" in p.message for p in found)
    lines: tuple[ActionFunding, ...] = avenant.funding_added
    assert {line.funding.year for line in lines} >= {2022}
