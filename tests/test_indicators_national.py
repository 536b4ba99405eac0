"""The national set of indicators, worked out by hand, and each definition on its edges.

The first part is the "done when" of the indicator engine: a small dataset (two territories,
three contracts, six actions, 46 participations of 41 pseudonymous persons, four reports,
funding lines) whose every figure for 2021 is written out below, at action, contract,
territory and national level, totals and breakdowns, with the disclosure status of every
cell at the thresholds 3 and 11, and a comment saying why each cell is suppressed; then the
same case published every semester with a publication ledger and revised after a late report
(operator-reported beneficiaries, every level, every status with its reasoning). The second
part pins each definition of the national set on the cases its description names: presence
and exits on the edges of a period, unknown sex or age left out of shares, durable outcomes,
reports only for actions without individual rows, annual budget lines.

Built-in indicators only (``autoload=False``): the example plugins installed in the
environment do not take part.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest

import territoires
from territoires import (
    Action,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Amendment,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    EmploymentOutcome,
    FrenchLevel,
    Funding,
    FundingSource,
    HousingOutcome,
    Participation,
    Party,
    PartyKind,
    Period,
    PublicCategory,
    PublicScope,
    ReportCount,
    Severity,
    Sex,
    Target,
    TargetKind,
    Territory,
    TerritoryKind,
    Theme,
)
from territoires.disclosure import CellStatus
from territoires.indicators import IndicatorTable, Level, compute_indicators
from territoires.plugins import get_plugin_manager
from territoires.publication import Ledger, release_of

D = dt.date
BUILTINS = get_plugin_manager(autoload=False)
YEAR = Period.year(2021)
GRENOBLE = "200040715"  # Grenoble-Alpes-Métropole
DIJON = "242100410"  # Dijon Métropole


class Places:
    """A gazetteer with round populations, so that rates per 10,000 are easy to check by hand.

    Grenoble-Alpes-Métropole has 300,000 inhabitants here and Dijon Métropole 200,000 (the
    official figures are 449,509 and 258,630).
    """

    territories: ClassVar[dict[str, Territory]] = {
        GRENOBLE: Territory(
            code=GRENOBLE,
            kind=TerritoryKind.METRO,
            name="Grenoble-Alpes-Métropole",
            population=300_000,
        ),
        DIJON: Territory(
            code=DIJON, kind=TerritoryKind.METRO, name="Dijon Métropole", population=200_000
        ),
    }

    def lookup(self, reference: str) -> Territory | None:
        """Return the territory, if it is one of the two."""
        return self.territories.get(reference)

    def suggest(self, reference: str) -> list[str]:
        """Suggest nothing."""
        return []

    def is_within(self, member: str, container: str) -> bool:
        """A territory lies only within itself."""
        return member == container


PLACES = Places()

# -- the dataset ----------------------------------------------------------------------------------

R = AdministrativeStatus.REFUGEE  # category "refugee"
S = AdministrativeStatus.SUBSIDIARY_PROTECTION  # category "subsidiary_protection"
N = AdministrativeStatus.FAMILY_PERMIT  # category "other_newcomer"
F, M, U = Sex.FEMALE, Sex.MALE, Sex.UNSPECIFIED
Y, A, OLD, K = AgeBand.FROM_18_TO_25, AgeBand.FROM_26_TO_39, AgeBand.FROM_40, AgeBand.UNKNOWN

# Who each person is: status, sex and age band (the same in every participation).
PEOPLE = {
    "P01": (R, F, Y), "P02": (R, F, A), "P03": (R, F, A), "P04": (R, F, OLD),
    "P05": (R, M, Y), "P06": (R, M, Y), "P07": (R, M, Y), "P08": (R, M, Y),
    "P09": (R, M, Y), "P10": (R, M, A), "P11": (R, M, A), "P12": (R, M, A),
    "P13": (N, M, A), "P14": (N, M, A), "P15": (N, M, OLD), "P16": (R, F, A),
    "P17": (R, M, Y), "P18": (R, F, A), "P19": (S, M, Y), "P20": (N, M, OLD),
    "P21": (R, F, Y), "P22": (R, F, A), "P23": (R, F, OLD), "P24": (R, M, Y),
    "P25": (R, M, A), "P26": (N, M, A), "P27": (N, M, OLD), "P28": (R, F, Y),
    "P29": (R, F, Y), "P30": (R, F, Y), "P31": (R, F, Y), "P32": (R, F, A),
    "P33": (R, F, A), "P34": (R, M, Y), "P35": (R, M, Y), "P36": (R, M, A),
    "P37": (S, M, A), "P38": (S, M, OLD), "P39": (S, M, OLD), "P40": (R, F, A),
    "P41": (N, U, K),
}  # fmt: skip


def _party(party_id: str, kind: PartyKind, name: str) -> Party:
    return Party(id=party_id, kind=kind, name=name)


def _line(source: FundingSource, committed: int, spent: str | None, year: int = 2021) -> Funding:
    """A funding line; the State pays P104/EU lines, the métropole the collectivité ones."""
    funder = "metropole" if source is FundingSource.COLLECTIVITE else "etat"
    return Funding(
        funder=funder,
        source=source,
        year=year,
        committed=Decimal(committed),
        spent=None if spent is None else Decimal(spent),
    )


P104_12, P104_15 = FundingSource.P104_ACTION_12, FundingSource.P104_ACTION_15
LOCAL, EU = FundingSource.COLLECTIVITE, FundingSource.EU_FUNDS
BPI = PublicScope(
    categories=frozenset(
        {
            PublicCategory.REFUGEE,
            PublicCategory.SUBSIDIARY_PROTECTION,
            PublicCategory.OTHER_NEWCOMER,
        }
    )
)
UNTIL_JUNE_2021 = Period(D(2019, 9, 1), D(2021, 6, 30))

G_FRENCH = Action(
    id="g-french",
    title="Français langue d'intégration",
    theme=Theme.FRENCH_LANGUAGE,
    period=UNTIL_JUNE_2021,  # prolonged with the contract by the avenant
    funding=(
        _line(P104_15, 30_000, "28000"),
        _line(LOCAL, 10_000, "10000"),
        _line(P104_15, 25_000, "25000", year=2020),  # another year: never in 2021
    ),
    targets=(
        Target(indicator="beneficiaries", value=Decimal(20), year=2021),
        Target(indicator="beneficiaries", value=Decimal(99), year=2020),  # not this year's
    ),
)
G_JOBS = Action(
    id="g-jobs",
    title="Accompagnement vers l'emploi",
    theme=Theme.EMPLOYMENT_TRAINING,
    period=UNTIL_JUNE_2021,
    funding=(_line(P104_15, 20_000, None), _line(LOCAL, 5_000, "4000")),
    targets=(Target(indicator="committed_euros", value=Decimal(50_000), year=2021),),
)
G_HOUSING = Action(
    id="g-housing",
    title="Accès au logement",
    theme=Theme.HOUSING,
    period=Period(D(2021, 3, 1), D(2023, 12, 31)),
    funding=(_line(P104_12, 40_000, "36500.50"),),
    targets=(Target(indicator="share_women", value=Decimal(40), year=2021),),
)
D_FRENCH = Action(
    id="d-french",
    title="Ateliers sociolinguistiques",
    theme=Theme.FRENCH_LANGUAGE,
    period=Period(D(2019, 9, 1), D(2022, 6, 30)),
    funding=(
        _line(P104_15, 50_000, "45000"),
        _line(LOCAL, 5_000, "5000"),
        _line(EU, 10_000, None, year=2022),  # next year: never in 2021
    ),
    targets=(Target(indicator="beneficiaries", value=Decimal(10)),),  # every year
)
D_HEALTH = Action(
    id="d-health",
    title="Accès aux soins",
    theme=Theme.HEALTH,
    period=Period(D(2021, 3, 1), D(2022, 6, 30)),
)
D_HOUSING = Action(
    id="d-housing",
    title="Hébergement et logement (comptes rendus seulement)",
    theme=Theme.HOUSING,
    period=Period(D(2019, 9, 1), D(2022, 6, 30)),
    funding=(_line(LOCAL, 12_000, "11000"),),
)

CTAIR_GRENOBLE = Contract(
    id="ctair-grenoble",
    kind=ContractKind.CTAIR,
    territory=GRENOBLE,
    title="CTAIR Grenoble-Alpes-Métropole",
    period=Period(D(2019, 6, 20), D(2021, 6, 30)),
    public=BPI,
    signed_on=D(2019, 6, 20),
    actions=(G_FRENCH, G_JOBS),
    # Without this avenant the contract would have ended on 30 June 2021.
    amendments=(Amendment(id="avenant-1", effective_on=D(2021, 6, 1), new_end=D(2022, 12, 31)),),
)
CTAI_GRENOBLE = Contract(
    id="ctai-grenoble",
    kind=ContractKind.CTAI,
    territory=GRENOBLE,
    title="CTAI Grenoble-Alpes-Métropole",
    period=Period(D(2021, 3, 1), D(2023, 12, 31)),
    public=BPI,
    signed_on=D(2021, 2, 15),
    actions=(G_HOUSING,),
)
CTAIR_DIJON = Contract(
    id="ctair-dijon",
    kind=ContractKind.CTAIR,
    territory=DIJON,
    title="CTAIR Dijon Métropole",
    period=Period(D(2019, 6, 12), D(2022, 6, 30)),
    public=BPI,
    signed_on=D(2019, 6, 12),
    actions=(D_FRENCH, D_HEALTH, D_HOUSING),
)

E = EmploymentOutcome
H = HousingOutcome
L = FrenchLevel
# (person, action, entry, exit, extra facts at exit); entries default to 1 February 2021 and,
# for actions starting in March 2021, to 15 March 2021.
ROWS: tuple[tuple[str, str, str | None, str | None, dict[str, Any]], ...] = (
    # g-french: 15 persons present in 2021 (4 women), two rows outside the year.
    *((f"P{n:02d}", "g-french", None, None, {}) for n in range(1, 14)),
    ("P14", "g-french", "2020-01-15", "2021-01-01", {}),  # leaves on the first day: present
    ("P15", "g-french", "2021-12-31", None, {}),  # enters on the last day: present
    # P16 left the day before the year starts: neither present nor an exit of 2021.
    ("P16", "g-french", "2020-03-01", "2020-12-31", {"employment": E.PERMANENT_JOB}),
    ("P17", "g-french", "2022-01-01", None, {}),  # enters the day after the year ends
    # g-jobs: 6 persons, three of them also in g-french; five exits.
    ("P05", "g-jobs", None, "2021-03-01", {"employment": E.FIXED_TERM_6M}),
    ("P06", "g-jobs", None, "2021-05-01", {}),  # exit without a recorded situation
    ("P07", "g-jobs", None, "2022-01-01", {"employment": E.PERMANENT_JOB}),  # exit in 2022
    ("P18", "g-jobs", None, "2021-06-30", {"employment": E.PERMANENT_JOB}),
    ("P19", "g-jobs", None, "2021-09-15", {"employment": E.SHORT_JOB}),
    ("P20", "g-jobs", None, "2021-12-31", {"employment": E.QUALIFYING_TRAINING}),
    # g-housing (the CTAI): 8 persons, P01 also in the CTAIR; five exits with housing.
    ("P01", "g-housing", None, None, {}),
    ("P21", "g-housing", None, "2021-04-30", {"housing": H.DURABLE_HOUSING}),
    ("P22", "g-housing", None, "2021-08-31", {"housing": H.TEMPORARY_HOUSING}),
    ("P23", "g-housing", None, None, {}),
    ("P24", "g-housing", None, "2021-10-10", {"housing": H.DURABLE_HOUSING}),
    ("P25", "g-housing", None, "2021-11-30", {"housing": H.EMERGENCY_SHELTER}),
    ("P26", "g-housing", None, "2021-12-01", {"housing": H.DURABLE_HOUSING}),
    ("P27", "g-housing", None, None, {}),
    # d-french: 12 persons; four exits with levels of French.
    ("P28", "d-french", None, "2021-06-30", {"french_entry": L.A1, "french_exit": L.A2}),
    ("P29", "d-french", None, "2021-06-30", {"french_entry": L.A1, "french_exit": L.A1}),
    ("P30", "d-french", None, "2021-12-15", {"french_entry": L.PRE_A1, "french_exit": L.A1}),
    ("P31", "d-french", None, "2021-12-20", {"french_entry": L.A2}),  # exit level unknown
    *((f"P{n:02d}", "d-french", None, None, {}) for n in range(32, 40)),
    # d-health: 3 persons, P28 also in d-french, P41 of unknown sex and age.
    ("P28", "d-health", None, None, {}),
    ("P40", "d-health", None, None, {}),
    ("P41", "d-health", None, None, {}),
)
LATE_START = {"g-housing", "d-health"}


def _participation(
    number: int, row: tuple[str, str, str | None, str | None, dict[str, Any]]
) -> Participation:
    person, action, entry, exit_, facts = row
    status, sex, band = PEOPLE[person]
    default = "2021-03-15" if action in LATE_START else "2021-02-01"
    return Participation(
        id=f"part-{number:03d}",
        person=person,
        action=action,
        entry_date=D.fromisoformat(entry or default),
        exit_date=None if exit_ is None else D.fromisoformat(exit_),
        status=status,
        sex=sex,
        age_band=band,
        **facts,
    )


def _count(status: PublicCategory, sex: Sex, band: AgeBand, count: int) -> ReportCount:
    return ReportCount(category=status, sex=sex, age_band=band, count=count)


REFUGEE, NEWCOMER = PublicCategory.REFUGEE, PublicCategory.OTHER_NEWCOMER
REPORTS = (
    # d-housing shares no individual data: its two semesters are counted...
    ActionReport(
        id="r-2021-s1",
        action="d-housing",
        period=Period.semester(2021, 1),
        counts=(_count(REFUGEE, F, Y, 4), _count(REFUGEE, M, A, 6), _count(NEWCOMER, M, OLD, 2)),
    ),
    ActionReport(
        id="r-2021-s2",
        action="d-housing",
        period=Period.semester(2021, 2),
        counts=(_count(REFUGEE, F, Y, 3), _count(REFUGEE, M, A, 5)),
    ),
    # ...but not a report straddling 2020 and 2021,
    ActionReport(
        id="r-straddling",
        action="d-housing",
        period=Period(D(2020, 10, 1), D(2021, 3, 31)),
        counts=(_count(REFUGEE, F, Y, 9),),
    ),
    # ...nor the report of an action whose individual rows are counted already.
    ActionReport(
        id="r-d-french",
        action="d-french",
        period=YEAR,
        counts=(_count(REFUGEE, M, A, 50),),
    ),
)

DATA = Dataset(
    info=DatasetInfo(title="Cas calculé à la main (synthétique)", synthetic=True),
    territories=tuple(Places.territories.values()),
    parties=(
        _party("etat", PartyKind.STATE, "État (Diair)"),
        _party("metropole", PartyKind.COLLECTIVITE, "Métropole"),
    ),
    contracts=(CTAIR_GRENOBLE, CTAI_GRENOBLE, CTAIR_DIJON),
    participations=tuple(_participation(n, row) for n, row in enumerate(ROWS, start=1)),
    reports=REPORTS,
)

# -- the expected table ---------------------------------------------------------------------------
#
# One line per cell: indicator, entity, breakdown ("-" for the total), value, status at
# threshold 3, status at threshold 11. Entities: "A:" action, "C:" contract, "T:" territory,
# "FR" national. Statuses: "pub" published, "P" primary, "S" secondary. The value is the one
# published at threshold 1 (where nothing is suppressed); at 3 and 11 it is published only
# with "pub".
#
# Persons (distinct at every level above the action; P01 is in both Grenoble contracts, P05-P07
# in both CTAIR Grenoble actions, P28 in both Dijon actions):
#   g-french 15, g-jobs 6 → ctair-grenoble 18; g-housing 8 = ctai-grenoble → Grenoble 25;
#   d-french 12, d-health 3 → ctair-dijon 14 = Dijon → national 39.
# Rates count (numerator, denominator) persons: a rate is suppressed when either is below the
# threshold (and not 0). Euros and numbers of contracts and actions count no person: always
# published.
#
# How secondary suppressions arise (each group is "total = sum of parts"; a group with exactly
# one suppressed cell gives it away, so another cell of the group is suppressed: the smallest
# published part, or the total when no part is left; when the suppressed cell is the total, the
# smallest part). Cells are suppressed by increasing count (1s first, then 2s...), and each
# group is repaired as soon as it has one suppressed cell.

NON_PERSONS = """
contracts C:ctair-grenoble -                              1
contracts C:ctair-grenoble contract_kind=ctair            1
contracts C:ctair-grenoble contract_status=active         1  # thanks to the avenant
contracts C:ctai-grenoble  -                              1
contracts C:ctai-grenoble  contract_kind=ctai             1
contracts C:ctai-grenoble  contract_status=active         1
contracts C:ctair-dijon    -                              1
contracts C:ctair-dijon    contract_kind=ctair            1
contracts C:ctair-dijon    contract_status=active         1
contracts T:200040715      -                              2
contracts T:200040715      contract_kind=ctai             1
contracts T:200040715      contract_kind=ctair            1
contracts T:200040715      contract_status=active         2
contracts T:242100410      -                              1
contracts T:242100410      contract_kind=ctair            1
contracts T:242100410      contract_status=active         1
contracts FR               -                              3
contracts FR               contract_kind=ctai             1
contracts FR               contract_kind=ctair            2
contracts FR               contract_status=active         3

actions A:g-french         -                              1
actions A:g-french         theme=french_language          1
actions A:g-jobs           -                              1
actions A:g-jobs           theme=employment_training      1
actions C:ctair-grenoble   -                              2
actions C:ctair-grenoble   theme=employment_training      1
actions C:ctair-grenoble   theme=french_language          1
actions A:g-housing        -                              1
actions A:g-housing        theme=housing                  1
actions C:ctai-grenoble    -                              1
actions C:ctai-grenoble    theme=housing                  1
actions A:d-french         -                              1
actions A:d-french         theme=french_language          1
actions A:d-health         -                              1
actions A:d-health         theme=health                   1
actions A:d-housing        -                              1
actions A:d-housing        theme=housing                  1
actions C:ctair-dijon      -                              3
actions C:ctair-dijon      theme=french_language          1
actions C:ctair-dijon      theme=health                   1
actions C:ctair-dijon      theme=housing                  1
actions T:200040715        -                              3
actions T:200040715        theme=employment_training      1
actions T:200040715        theme=french_language          1
actions T:200040715        theme=housing                  1
actions T:242100410        -                              3
actions T:242100410        theme=french_language          1
actions T:242100410        theme=health                   1
actions T:242100410        theme=housing                  1
actions FR                 -                              6
actions FR                 theme=employment_training      1
actions FR                 theme=french_language          2
actions FR                 theme=health                   1
actions FR                 theme=housing                  2

# Committed: 2021 lines only (g-french's 2020 line and d-french's 2022 line are left out).
committed_euros A:g-french       -                        40000
committed_euros A:g-french       theme=french_language    40000
committed_euros A:g-french       funder=collectivite      10000
committed_euros A:g-french       funder=p104_15           30000
committed_euros A:g-jobs         -                        25000
committed_euros A:g-jobs         theme=employment_training 25000
committed_euros A:g-jobs         funder=collectivite      5000
committed_euros A:g-jobs         funder=p104_15           20000
committed_euros C:ctair-grenoble -                        65000
committed_euros C:ctair-grenoble theme=employment_training 25000
committed_euros C:ctair-grenoble theme=french_language    40000
committed_euros C:ctair-grenoble funder=collectivite      15000
committed_euros C:ctair-grenoble funder=p104_15           50000
committed_euros A:g-housing      -                        40000
committed_euros A:g-housing      theme=housing            40000
committed_euros A:g-housing      funder=p104_12           40000
committed_euros C:ctai-grenoble  -                        40000
committed_euros C:ctai-grenoble  theme=housing            40000
committed_euros C:ctai-grenoble  funder=p104_12           40000
committed_euros A:d-french       -                        55000
committed_euros A:d-french       theme=french_language    55000
committed_euros A:d-french       funder=collectivite      5000
committed_euros A:d-french       funder=p104_15           50000
committed_euros A:d-housing      -                        12000
committed_euros A:d-housing      theme=housing            12000
committed_euros A:d-housing      funder=collectivite      12000
committed_euros C:ctair-dijon    -                        67000
committed_euros C:ctair-dijon    theme=french_language    55000
committed_euros C:ctair-dijon    theme=housing            12000
committed_euros C:ctair-dijon    funder=collectivite      17000
committed_euros C:ctair-dijon    funder=p104_15           50000
committed_euros T:200040715      -                        105000
committed_euros T:200040715      theme=employment_training 25000
committed_euros T:200040715      theme=french_language    40000
committed_euros T:200040715      theme=housing            40000
committed_euros T:200040715      funder=collectivite      15000
committed_euros T:200040715      funder=p104_12           40000
committed_euros T:200040715      funder=p104_15           50000
committed_euros T:242100410      -                        67000
committed_euros T:242100410      theme=french_language    55000
committed_euros T:242100410      theme=housing            12000
committed_euros T:242100410      funder=collectivite      17000
committed_euros T:242100410      funder=p104_15           50000
committed_euros FR               -                        172000
committed_euros FR               theme=employment_training 25000
committed_euros FR               theme=french_language    95000
committed_euros FR               theme=housing            52000
committed_euros FR               funder=collectivite      32000
committed_euros FR               funder=p104_12           40000
committed_euros FR               funder=p104_15           100000

# Spent: lines without a known amount spent (g-jobs' P104 line) are left out.
spent_euros A:g-french       -                            38000
spent_euros A:g-french       theme=french_language        38000
spent_euros A:g-french       funder=collectivite          10000
spent_euros A:g-french       funder=p104_15               28000
spent_euros A:g-jobs         -                            4000
spent_euros A:g-jobs         theme=employment_training    4000
spent_euros A:g-jobs         funder=collectivite          4000
spent_euros C:ctair-grenoble -                            42000
spent_euros C:ctair-grenoble theme=employment_training    4000
spent_euros C:ctair-grenoble theme=french_language        38000
spent_euros C:ctair-grenoble funder=collectivite          14000
spent_euros C:ctair-grenoble funder=p104_15               28000
spent_euros A:g-housing      -                            36500.50
spent_euros A:g-housing      theme=housing                36500.50
spent_euros A:g-housing      funder=p104_12               36500.50
spent_euros C:ctai-grenoble  -                            36500.50
spent_euros C:ctai-grenoble  theme=housing                36500.50
spent_euros C:ctai-grenoble  funder=p104_12               36500.50
spent_euros A:d-french       -                            50000
spent_euros A:d-french       theme=french_language        50000
spent_euros A:d-french       funder=collectivite          5000
spent_euros A:d-french       funder=p104_15               45000
spent_euros A:d-housing      -                            11000
spent_euros A:d-housing      theme=housing                11000
spent_euros A:d-housing      funder=collectivite          11000
spent_euros C:ctair-dijon    -                            61000
spent_euros C:ctair-dijon    theme=french_language        50000
spent_euros C:ctair-dijon    theme=housing                11000
spent_euros C:ctair-dijon    funder=collectivite          16000
spent_euros C:ctair-dijon    funder=p104_15               45000
spent_euros T:200040715      -                            78500.50
spent_euros T:200040715      theme=employment_training    4000
spent_euros T:200040715      theme=french_language        38000
spent_euros T:200040715      theme=housing                36500.50
spent_euros T:200040715      funder=collectivite          14000
spent_euros T:200040715      funder=p104_12               36500.50
spent_euros T:200040715      funder=p104_15               28000
spent_euros T:242100410      -                            61000
spent_euros T:242100410      theme=french_language        50000
spent_euros T:242100410      theme=housing                11000
spent_euros T:242100410      funder=collectivite          16000
spent_euros T:242100410      funder=p104_15               45000
spent_euros FR               -                            139500.50
spent_euros FR               theme=employment_training    4000
spent_euros FR               theme=french_language        88000
spent_euros FR               theme=housing                47500.50
spent_euros FR               funder=collectivite          30000
spent_euros FR               funder=p104_12               36500.50
spent_euros FR               funder=p104_15               73000

# Co-funding: collectivité committed / all committed, a ratio of sums at every level.
cofunding_rate A:g-french       -                         25.00   # 10,000 / 40,000
cofunding_rate A:g-french       theme=french_language     25.00
cofunding_rate A:g-jobs         -                         20.00   # 5,000 / 25,000
cofunding_rate A:g-jobs         theme=employment_training 20.00
cofunding_rate C:ctair-grenoble -                         23.08   # 15,000 / 65,000 (mean: 22.50)
cofunding_rate C:ctair-grenoble theme=employment_training 20.00
cofunding_rate C:ctair-grenoble theme=french_language     25.00
cofunding_rate A:g-housing      -                         0.00    # State only
cofunding_rate A:g-housing      theme=housing             0.00
cofunding_rate C:ctai-grenoble  -                         0.00
cofunding_rate C:ctai-grenoble  theme=housing             0.00
cofunding_rate A:d-french       -                         9.09    # 5,000 / 55,000
cofunding_rate A:d-french       theme=french_language     9.09
cofunding_rate A:d-housing      -                         100.00  # 12,000 / 12,000
cofunding_rate A:d-housing      theme=housing             100.00
cofunding_rate C:ctair-dijon    -                         25.37   # 17,000 / 67,000
cofunding_rate C:ctair-dijon    theme=french_language     9.09
cofunding_rate C:ctair-dijon    theme=housing             100.00
cofunding_rate T:200040715      -                         14.29   # 15,000 / 105,000
cofunding_rate T:200040715      theme=employment_training 20.00
cofunding_rate T:200040715      theme=french_language     25.00
cofunding_rate T:200040715      theme=housing             0.00
cofunding_rate T:242100410      -                         25.37
cofunding_rate T:242100410      theme=french_language     9.09
cofunding_rate T:242100410      theme=housing             100.00
cofunding_rate FR               -                         18.60   # 32,000 / 172,000
cofunding_rate FR               theme=employment_training 20.00
cofunding_rate FR               theme=french_language     15.79   # 15,000 / 95,000
cofunding_rate FR               theme=housing             23.08   # 12,000 / 52,000
"""

PERSONS = """
# -- beneficiaries --------------------------------------------------------------------------
# Linked to the shares below: each share of women (women among women + men) and under 26
# (18-25 among 18-25 + 26-39 + 40+) has a numerator and a denominator of its own, each the sum
# of its categories here, and the total is its denominator plus the categories it leaves out
# (unspecified sex, unknown age). A share follows both: it goes when its women or 18-25 go,
# or when its denominator does. Never the other way: a suppressed share leaves its counts.
# Threshold 3 (counts 1 and 2 primary), the 1s first:
# - g-jobs has one woman: its men (5) are the complement in its breakdown by sex. She is also
#   part of ctair-grenoble's women (5 = g-french 4 + g-jobs 1), so g-french's women (4) are
#   suppressed, hence g-french's men (11) in g-french's breakdown by sex.
# - g-jobs has one person aged 26-39: g-french's 26-39 (7) protects it in ctair-grenoble's
#   26-39; g-french's breakdown by age then has one suppressed band, and its 40+ (2, primary
#   anyway) goes with it. ctair-grenoble's subsidiary protection (1) is protected by its other
#   newcomers (4), Grenoble's (1) by Grenoble's other newcomers (6).
# - d-health (3 persons) shows only its total: its other cells are 1s and 2s. In
#   ctair-dijon's refugees, women, 18-25 and 26-39 each is protected by d-french's (9, 6, 6,
#   4), and d-french's breakdowns, each left with one suppressed cell, lose their subsidiary
#   protection (3), men (6) and 40+ (2, primary anyway).
# - Dijon = ctair-dijon: the other newcomer, unspecified sex and unknown age (1 each) are
#   primary; their complements are subsidiary protection (3), men (6) and 40+ (2). The
#   unspecified and the unknown are also the only suppressed parts of "total (14) =
#   denominator + left out": both denominators (13) go, and both shares with them
#   (published, 53.85 % = 7/13 or 6 / 46.15 % = 13 gave back 14 - 13 = 1). The 18-25 (6) and
#   26-39 (5) stay: the 40+ and unknown are hidden together (3). d-health's denominators (2)
#   go the same way.
# - Nationally, unspecified sex and unknown age (1 each) are primary: women (15) and 40+ (7)
#   are the complements, and both denominators (38 of 39) go with both shares. National women
#   = Grenoble's + Dijon's: Dijon's (7, the smaller) goes, then ctair-dijon's below it.
#   National men (23) has Dijon's men suppressed: Grenoble's men (17) go, then Grenoble's
#   women in its breakdown by sex, then below them ctai-grenoble's women (4, the smaller part)
#   and men, and g-housing's. The national 18-25 (15) and 26-39 (16) stay, with the 40+ and
#   unknown hidden together (8); Dijon's 40+ (2) is hidden beside the national one, so
#   Grenoble's (5) stays.
# Then the 2s:
# - g-housing = ctai-grenoble: other newcomers (2) are primary, refugees (6) their
#   complement; 40+ (2) too, with 18-25 (3, tied with 26-39, first) as complement.
#   ctai-grenoble's refugees and 18-25 are then the only suppressed parts of Grenoble's:
#   ctair-grenoble's refugees (13) go, then below them g-jobs' (4, the smaller part);
#   ctair-grenoble's 18-25 (7) goes, then its 40+ (3, smaller than 26-39) and below, g-jobs'
#   18-25 (4, the smaller part). Grenoble's 40+ (5) has both its parts hidden and stays.
# - Suppressed as complements of other shares (see below), ctair-grenoble's share of women and
#   g-french's share under 26 leave their counts published: ctair-grenoble's women (5) and men
#   (13), g-french's 18-25 (6).
# Threshold 11: nearly every cell under the national level is below 11 (primary). Of the
# others, g-french's total (15) protects g-jobs' (6) in ctair-grenoble's total, ctair-grenoble's
# (18) protects ctai-grenoble's (8) in Grenoble's, and d-french's (12) protects d-health's
# (3). g-french's refugees (12) and men (11) are the complements of its other newcomers (3)
# and women (4), ctair-grenoble's men (13) of its women (5). ctair-grenoble's refugees (13)
# protect ctai-grenoble's (6) in Grenoble's refugees; Grenoble's refugees (18), men (17) and
# 26-39 (11) protect Dijon's (10, 6, 5) in the national ones. National women (15) are the
# complement of the unspecified (1). As at 3, the national unspecified and unknown take both
# national denominators (38) and shares, and the national 18-25 (15) and 26-39 (16) stay.
beneficiaries A:g-french       -                        15  pub S
beneficiaries A:g-french       public_category=other_newcomer 3 pub P
beneficiaries A:g-french       public_category=refugee  12  pub S
beneficiaries A:g-french       sex=female               4   S   P
beneficiaries A:g-french       sex=male                 11  S   S
beneficiaries A:g-french       age_band=18-25           6   pub P
beneficiaries A:g-french       age_band=26-39           7   S   P
beneficiaries A:g-french       age_band=40+             2   P   P
beneficiaries A:g-jobs         -                        6   pub P
beneficiaries A:g-jobs         public_category=other_newcomer 1 P P
beneficiaries A:g-jobs         public_category=refugee  4   S   P
beneficiaries A:g-jobs         public_category=subsidiary_protection 1 P P
beneficiaries A:g-jobs         sex=female               1   P   P
beneficiaries A:g-jobs         sex=male                 5   S   P
beneficiaries A:g-jobs         age_band=18-25           4   S   P
beneficiaries A:g-jobs         age_band=26-39           1   P   P
beneficiaries A:g-jobs         age_band=40+             1   P   P
beneficiaries C:ctair-grenoble -                        18  pub S
beneficiaries C:ctair-grenoble public_category=other_newcomer 4 S P
beneficiaries C:ctair-grenoble public_category=refugee  13  S   S
beneficiaries C:ctair-grenoble public_category=subsidiary_protection 1 P P
beneficiaries C:ctair-grenoble sex=female               5   pub P
beneficiaries C:ctair-grenoble sex=male                 13  pub S
beneficiaries C:ctair-grenoble age_band=18-25           7   S   P
beneficiaries C:ctair-grenoble age_band=26-39           8   pub P
beneficiaries C:ctair-grenoble age_band=40+             3   S   P
beneficiaries A:g-housing      -                        8   pub P
beneficiaries A:g-housing      public_category=other_newcomer 2 P P
beneficiaries A:g-housing      public_category=refugee  6   S   P
beneficiaries A:g-housing      sex=female               4   S   P
beneficiaries A:g-housing      sex=male                 4   S   P
beneficiaries A:g-housing      age_band=18-25           3   S   P
beneficiaries A:g-housing      age_band=26-39           3   pub P
beneficiaries A:g-housing      age_band=40+             2   P   P
beneficiaries C:ctai-grenoble  -                        8   pub P
beneficiaries C:ctai-grenoble  public_category=other_newcomer 2 P P
beneficiaries C:ctai-grenoble  public_category=refugee  6   S   P
beneficiaries C:ctai-grenoble  sex=female               4   S   P
beneficiaries C:ctai-grenoble  sex=male                 4   S   P
beneficiaries C:ctai-grenoble  age_band=18-25           3   S   P
beneficiaries C:ctai-grenoble  age_band=26-39           3   pub P
beneficiaries C:ctai-grenoble  age_band=40+             2   P   P
beneficiaries A:d-french       -                        12  pub S
beneficiaries A:d-french       public_category=refugee  9   S   P
beneficiaries A:d-french       public_category=subsidiary_protection 3 S P
beneficiaries A:d-french       sex=female               6   S   P
beneficiaries A:d-french       sex=male                 6   S   P
beneficiaries A:d-french       age_band=18-25           6   S   P
beneficiaries A:d-french       age_band=26-39           4   S   P
beneficiaries A:d-french       age_band=40+             2   P   P
beneficiaries A:d-health       -                        3   pub P
beneficiaries A:d-health       public_category=other_newcomer 1 P P
beneficiaries A:d-health       public_category=refugee  2   P   P
beneficiaries A:d-health       sex=female               2   P   P
beneficiaries A:d-health       sex=unspecified          1   P   P
beneficiaries A:d-health       age_band=18-25           1   P   P
beneficiaries A:d-health       age_band=26-39           1   P   P
beneficiaries A:d-health       age_band=unknown         1   P   P
beneficiaries C:ctair-dijon    -                        14  pub pub
beneficiaries C:ctair-dijon    public_category=other_newcomer 1 P P
beneficiaries C:ctair-dijon    public_category=refugee  10  pub P
beneficiaries C:ctair-dijon    public_category=subsidiary_protection 3 S P
beneficiaries C:ctair-dijon    sex=female               7   S   P
beneficiaries C:ctair-dijon    sex=male                 6   S   P
beneficiaries C:ctair-dijon    sex=unspecified          1   P   P
beneficiaries C:ctair-dijon    age_band=18-25           6   pub P
beneficiaries C:ctair-dijon    age_band=26-39           5   pub P
beneficiaries C:ctair-dijon    age_band=40+             2   P   P
beneficiaries C:ctair-dijon    age_band=unknown         1   P   P
beneficiaries T:200040715      -                        25  pub pub
beneficiaries T:200040715      public_category=other_newcomer 6 S P
beneficiaries T:200040715      public_category=refugee  18  pub S
beneficiaries T:200040715      public_category=subsidiary_protection 1 P P
beneficiaries T:200040715      sex=female               8   S   P
beneficiaries T:200040715      sex=male                 17  S   S
beneficiaries T:200040715      age_band=18-25           9   pub P
beneficiaries T:200040715      age_band=26-39           11  pub S
beneficiaries T:200040715      age_band=40+             5   pub P
beneficiaries T:242100410      -                        14  pub pub
beneficiaries T:242100410      public_category=other_newcomer 1 P P
beneficiaries T:242100410      public_category=refugee  10  pub P
beneficiaries T:242100410      public_category=subsidiary_protection 3 S P
beneficiaries T:242100410      sex=female               7   S   P
beneficiaries T:242100410      sex=male                 6   S   P
beneficiaries T:242100410      sex=unspecified          1   P   P
beneficiaries T:242100410      age_band=18-25           6   pub P
beneficiaries T:242100410      age_band=26-39           5   pub P
beneficiaries T:242100410      age_band=40+             2   P   P
beneficiaries T:242100410      age_band=unknown         1   P   P
beneficiaries FR               -                        39  pub pub
beneficiaries FR               public_category=other_newcomer 7 pub P
beneficiaries FR               public_category=refugee  28  pub pub
beneficiaries FR               public_category=subsidiary_protection 4 pub P
beneficiaries FR               sex=female               15  S   S
beneficiaries FR               sex=male                 23  pub pub
beneficiaries FR               sex=unspecified          1   P   P
beneficiaries FR               age_band=18-25           15  pub pub
beneficiaries FR               age_band=26-39           16  pub pub
beneficiaries FR               age_band=40+             7   S   P
beneficiaries FR               age_band=unknown         1   P   P

# -- shares of persons (women among known sex, under 26 among known age) -------------------
# Each share follows its numerator and denominator (see beneficiaries). At 3: g-jobs' share of
# women (1/6) and d-health's shares (2/2; 1/2) are primary. The shares of ctair-dijon, Dijon
# and the nation follow their denominators, the other shares their women or 18-25, except
# Grenoble's under 26 (9/25: its three bands are published and no age is unknown) and two
# complements. g-french's under 26 (6/15) protects g-jobs' in ctair-grenoble's, and
# ctair-grenoble's of women (5/18) protects ctai-grenoble's in Grenoble's, each repaired
# while the share above was still published (numerators come last in cell order; the share
# above follows its own later). Their counts stay published, so both can be recomputed from
# them, which gives nothing away: their counts are public, and the shares above are hidden.
# Published, the others gave suppressed cells back: 26.67 % × 15 = 4 women (g-french),
# 50.00 % × 8 = 4 (g-housing, ctai-grenoble), 50.00 % × 12 = 6 (d-french), 32.00 % × 25 = 8
# (Grenoble), only 7/13 fits 53.85 % among 14 persons (ctair-dijon, Dijon: 1 unspecified),
# 39.47 % with 23 men = 15 women and 1 unspecified (national); 66.67 % × 6 = 4 aged 18-25
# (g-jobs), 38.89 % × 18 = 7 (ctair-grenoble), 37.50 % × 8 = 3 (g-housing, ctai-grenoble),
# 50.00 % × 12 = 6 (d-french), 6 / 46.15 % = 13 of known age (ctair-dijon, Dijon: 1 unknown),
# 15 / 39.47 % = 38 (national: 1 unknown).
# At 11 every share under the national level counts fewer than 11 women or under-26s
# (primary); the national ones follow their denominators (38), the share of women its women
# (15) too.
share_women A:g-french         -                        26.67  S   P   # 4/15
share_women A:g-jobs           -                        16.67  P   P   # 1/6
share_women C:ctair-grenoble   -                        27.78  S   P   # 5/18
share_women A:g-housing        -                        50.00  S   P   # 4/8
share_women C:ctai-grenoble    -                        50.00  S   P
share_women A:d-french         -                        50.00  S   P   # 6/12
share_women A:d-health         -                        100.00 P   P   # 2/2, P41 unspecified
share_women C:ctair-dijon      -                        53.85  S   P   # 7/13
share_women T:200040715        -                        32.00  S   P   # 8/25
share_women T:242100410        -                        53.85  S   P
share_women FR                 -                        39.47  S   S   # 15/38
share_under_26 A:g-french      -                        40.00  S   P   # 6/15
share_under_26 A:g-jobs        -                        66.67  S   P   # 4/6
share_under_26 C:ctair-grenoble -                       38.89  S   P   # 7/18
share_under_26 A:g-housing     -                        37.50  S   P   # 3/8
share_under_26 C:ctai-grenoble -                        37.50  S   P
share_under_26 A:d-french      -                        50.00  S   P   # 6/12
share_under_26 A:d-health      -                        50.00  P   P   # 1/2, P41 unknown
share_under_26 C:ctair-dijon   -                        46.15  S   P   # 6/13
share_under_26 T:200040715     -                        36.00  pub P   # 9/25
share_under_26 T:242100410     -                        46.15  S   P
share_under_26 FR              -                        39.47  S   S   # 15/38

# -- exit rates: only g-jobs (employment), g-housing (housing) and d-french (French) have
# exits; the levels above repeat them. One woman left g-jobs (1/1) and two women left
# g-housing (1/2): primary at 3; the men (2/3) are primary too (2 < 3).
exit_employment_rate A:g-jobs         -          75.00  pub P  # P05, P18, P20 of P05, P18, P19, P20
exit_employment_rate A:g-jobs         sex=female 100.00 P   P
exit_employment_rate A:g-jobs         sex=male   66.67  P   P
exit_employment_rate C:ctair-grenoble -          75.00  pub P
exit_employment_rate C:ctair-grenoble sex=female 100.00 P   P
exit_employment_rate C:ctair-grenoble sex=male   66.67  P   P
exit_employment_rate T:200040715      -          75.00  pub P
exit_employment_rate T:200040715      sex=female 100.00 P   P
exit_employment_rate T:200040715      sex=male   66.67  P   P
exit_employment_rate FR               -          75.00  pub P
exit_employment_rate FR               sex=female 100.00 P   P
exit_employment_rate FR               sex=male   66.67  P   P
exit_housing_rate A:g-housing         -          60.00  pub P  # P21, P24, P26 of five
exit_housing_rate A:g-housing         sex=female 50.00  P   P
exit_housing_rate A:g-housing         sex=male   66.67  P   P
exit_housing_rate C:ctai-grenoble     -          60.00  pub P
exit_housing_rate C:ctai-grenoble     sex=female 50.00  P   P
exit_housing_rate C:ctai-grenoble     sex=male   66.67  P   P
exit_housing_rate T:200040715         -          60.00  pub P
exit_housing_rate T:200040715         sex=female 50.00  P   P
exit_housing_rate T:200040715         sex=male   66.67  P   P
exit_housing_rate FR                  -          60.00  pub P
exit_housing_rate FR                  sex=female 50.00  P   P
exit_housing_rate FR                  sex=male   66.67  P   P
exit_french_progress_rate A:d-french  -          66.67  P   P  # P28, P30 of P28-P30
exit_french_progress_rate C:ctair-dijon -        66.67  P   P
exit_french_progress_rate T:242100410 -          66.67  P   P
exit_french_progress_rate FR          -          66.67  P   P

# -- per 10,000 inhabitants (contract level and above; Grenoble's population counts once) ---
# At 11, ctai-grenoble (8 persons) is primary; ctair-grenoble is its complement in Grenoble.
beneficiaries_per_10000 C:ctair-grenoble -       0.60  pub S    # 18 / 300,000
beneficiaries_per_10000 C:ctai-grenoble  -       0.27  pub P    # 8 / 300,000
beneficiaries_per_10000 C:ctair-dijon    -       0.70  pub pub  # 14 / 200,000
beneficiaries_per_10000 T:200040715      -       0.83  pub pub  # 25 / 300,000
beneficiaries_per_10000 T:242100410      -       0.70  pub pub
beneficiaries_per_10000 FR               -       0.78  pub pub  # 39 / 500,000

# -- reported beneficiaries: d-housing's two semesters (the levels above repeat them) --------
# Other newcomers (2) and 40+ (2) are primary at 3 and 11; refugees (18) are their complement,
# and 18-25 (7, smaller than 26-39) at 3. At 11 women (7) and 18-25 (7) are primary, men
# (13) the complement; 26-39 (11) stays published with two bands suppressed beside it.
reported_beneficiaries A:d-housing   -                               20 pub pub
reported_beneficiaries A:d-housing   public_category=other_newcomer  2  P   P
reported_beneficiaries A:d-housing   public_category=refugee         18 S   S
reported_beneficiaries A:d-housing   sex=female                      7  pub P
reported_beneficiaries A:d-housing   sex=male                        13 pub S
reported_beneficiaries A:d-housing   age_band=18-25                  7  S   P
reported_beneficiaries A:d-housing   age_band=26-39                  11 pub pub
reported_beneficiaries A:d-housing   age_band=40+                    2  P   P
reported_beneficiaries C:ctair-dijon -                               20 pub pub
reported_beneficiaries C:ctair-dijon public_category=other_newcomer  2  P   P
reported_beneficiaries C:ctair-dijon public_category=refugee         18 S   S
reported_beneficiaries C:ctair-dijon sex=female                      7  pub P
reported_beneficiaries C:ctair-dijon sex=male                        13 pub S
reported_beneficiaries C:ctair-dijon age_band=18-25                  7  S   P
reported_beneficiaries C:ctair-dijon age_band=26-39                  11 pub pub
reported_beneficiaries C:ctair-dijon age_band=40+                    2  P   P
reported_beneficiaries T:242100410   -                               20 pub pub
reported_beneficiaries T:242100410   public_category=other_newcomer  2  P   P
reported_beneficiaries T:242100410   public_category=refugee         18 S   S
reported_beneficiaries T:242100410   sex=female                      7  pub P
reported_beneficiaries T:242100410   sex=male                        13 pub S
reported_beneficiaries T:242100410   age_band=18-25                  7  S   P
reported_beneficiaries T:242100410   age_band=26-39                  11 pub pub
reported_beneficiaries T:242100410   age_band=40+                    2  P   P
reported_beneficiaries FR            -                               20 pub pub
reported_beneficiaries FR            public_category=other_newcomer  2  P   P
reported_beneficiaries FR            public_category=refugee         18 S   S
reported_beneficiaries FR            sex=female                      7  pub P
reported_beneficiaries FR            sex=male                        13 pub S
reported_beneficiaries FR            age_band=18-25                  7  S   P
reported_beneficiaries FR            age_band=26-39                  11 pub pub
reported_beneficiaries FR            age_band=40+                    2  P   P
"""

STATUS = {"pub": CellStatus.PUBLISHED, "P": CellStatus.PRIMARY, "S": CellStatus.SECONDARY}
LEVEL_OF = {"A": Level.ACTION, "C": Level.CONTRACT, "T": Level.TERRITORY}

Key = tuple[str, Level, str, str | None, str | None]


def _key(indicator: str, entity: str, breakdown: str) -> Key:
    if entity == "FR":
        level, entity_id = Level.NATIONAL, "FR"
    else:
        prefix, entity_id = entity.split(":", 1)
        level = LEVEL_OF[prefix]
    dimension, category = (None, None) if breakdown == "-" else breakdown.split("=")
    return indicator, level, entity_id, dimension, category


def _parse(text: str) -> dict[Key, tuple[Decimal, dict[int, CellStatus]]]:
    """Read an expected table: {cell: (value, {threshold: status})}."""
    cells: dict[Key, tuple[Decimal, dict[int, CellStatus]]] = {}
    for line in text.splitlines():
        fields = line.split("#")[0].split()
        if not fields:
            continue
        key = _key(*fields[:3])
        assert key not in cells, f"{key} written twice"
        statuses = {3: STATUS[fields[4]], 11: STATUS[fields[5]]} if len(fields) > 4 else {}
        cells[key] = (Decimal(fields[3]), statuses)
    return cells


EXPECTED = {**_parse(NON_PERSONS), **_parse(PERSONS)}


def _observed(table: IndicatorTable) -> dict[Key, tuple[Decimal | None, CellStatus]]:
    cells = {}
    for row in table:
        entity = row.action or row.contract or row.territory
        key = (
            row.indicator,
            row.level,
            entity,
            row.dimension.value if row.dimension else None,
            row.category,
        )
        assert key not in cells, f"{key} appears twice"
        cells[key] = (row.value, row.status)
    return cells


def _compute(threshold: int, **options: Any) -> IndicatorTable:
    return compute_indicators(
        DATA,
        period="2021",
        threshold=threshold,
        plugins=BUILTINS,
        geography=PLACES,
        **options,
    )


# -- the hand-computed case -----------------------------------------------------------------------


def test_the_hand_computed_dataset_is_sound() -> None:
    """The hand-built dataset passes the core checks, so the figures below are about valid data."""
    assert DATA.validate() == []


def test_every_figure_matches_the_hand_computation_without_suppression() -> None:
    """At threshold 1 nothing is suppressed and every cell has exactly its hand-computed value."""
    observed = _observed(_compute(1))
    assert set(observed) == set(EXPECTED)
    mismatches = {
        key: (value, EXPECTED[key][0])
        for key, (value, status) in observed.items()
        if status is not CellStatus.PUBLISHED or value != EXPECTED[key][0]
    }
    assert mismatches == {}


@pytest.mark.parametrize("threshold", [3, 11])
def test_every_status_matches_the_hand_computation(threshold: int) -> None:
    """At thresholds 3 and 11 each cell has its hand-worked status under the rules of one table.

    The table above is worked out with the rules of one table (primary secrecy, then no group
    with a single suppressed cell): ``audit=False``. What the audit adds is the next test.
    """
    observed = _observed(_compute(threshold, audit=False))
    assert set(observed) == set(EXPECTED)
    expected = {
        key: (
            value
            if statuses.get(threshold, CellStatus.PUBLISHED) is CellStatus.PUBLISHED
            else None,
            statuses.get(threshold, CellStatus.PUBLISHED),
        )
        for key, (value, statuses) in EXPECTED.items()
    }
    wrong = {
        key: (observed[key], expected[key]) for key in expected if observed[key] != expected[key]
    }
    assert wrong == {}


# What the audit adds to the rules of one table: each cell below is published by those rules
# but lets an attacker solving the table's equations together pin down a count behind a
# suppressed cell. The exposure rule is per count: a suppressed share is exposed when its
# numerator is known exactly (or either count is known to lie in [1, threshold - 1]).
AUDIT_ADDS = {
    # At 11, nationally: 39 beneficiaries, 15 aged 18-25, 16 aged 26-39 (published), 40+
    # (7) and unknown (1) primary. The share of under-26s is suppressed with them (its
    # denominator, 38, leaves out the unknown band), but its numerator, the under-26s, is the
    # published 18-25 count, nobody being under 18: known exactly, 15. Suppressing 18-25
    # leaves it anywhere from 0 to 23 (18-25 + 40+ + unknown = 39 - 16).
    11: {"beneficiaries FR age_band=18-25"},
    # At 3 the audit adds cells by the same rule at every level (each would give back the
    # numerator of a suppressed share: of under-26s, of women). The rules of one table, run
    # again with those cells hidden, repair the groups they fall in: they hide more
    # complements (the totals of d-french and d-health among them) and publish two cells
    # they had hidden, no longer needed ("+"). The result is audited again: protected.
    3: {
        "beneficiaries A:g-french public_category=other_newcomer",
        "beneficiaries A:g-french public_category=refugee",
        "beneficiaries A:g-french age_band=18-25",
        "+beneficiaries C:ctair-grenoble public_category=other_newcomer",
        "beneficiaries C:ctair-grenoble sex=female",
        "beneficiaries C:ctair-grenoble sex=male",
        "beneficiaries A:g-housing age_band=26-39",
        "beneficiaries C:ctai-grenoble age_band=26-39",
        "beneficiaries A:d-french -",
        "beneficiaries A:d-health -",
        "beneficiaries C:ctair-dijon age_band=18-25",
        "beneficiaries C:ctair-dijon age_band=26-39",
        "beneficiaries T:200040715 age_band=18-25",
        "beneficiaries T:200040715 age_band=26-39",
        "beneficiaries T:200040715 age_band=40+",
        "beneficiaries T:242100410 age_band=18-25",
        "beneficiaries T:242100410 age_band=26-39",
        "beneficiaries FR age_band=18-25",
        "+beneficiaries FR age_band=40+",
        "share_under_26 T:200040715 -",
    },
}


def _name(row: Any) -> str:
    level = row.level.value
    entity = {
        "action": f"A:{row.action}",
        "contract": f"C:{row.contract}",
        "territory": f"T:{row.territory}",
    }.get(level, "FR")
    breakdown = f"{row.dimension.value}={row.category}" if row.dimension else "-"
    return f"{row.indicator} {entity} {breakdown}"


@pytest.mark.parametrize("threshold", [3, 11])
def test_the_audit_adds_exactly_the_cells_a_solver_would_give_back(threshold: int) -> None:
    """The audited table is the hand-worked one with the changes listed above, nothing else."""
    audited = _compute(threshold)
    rules = _compute(threshold, audit=False)
    changed = {
        ("+" if before.status.suppressed else "") + _name(row)
        for row, before in zip(audited, rules, strict=True)
        if row.status is not before.status
    }
    assert changed == AUDIT_ADDS[threshold]
    for row, before in zip(audited, rules, strict=True):
        if before.status is CellStatus.PRIMARY:
            assert row.status is CellStatus.PRIMARY  # a small count is always hidden
    assert audited.audit is not None
    assert audited.audit.protected


# -- the same case published every semester, then revised ------------------------------------
#
# Operator-reported beneficiaries (``reported_beneficiaries``, a sum) at threshold 3, published
# as a steering committee would: 2021-S1, then 2021-S2, then the year, each with the ledger of
# the releases before, then the year again after a late report. Only d-housing reports without
# individual rows (d-french's report is left out: its rows are counted; the report straddling
# 2020 and 2021 lies within no semester and no year), so the contract ctair-dijon, the
# territory Dijon and the nation hold the same figures as the action: every line below holds
# at the four levels. Reports of d-housing:
#   S1: refugee woman 18-25: 4, refugee man 26-39: 6, newcomer man 40+: 2 → 12
#   S2: refugee woman 18-25: 3, refugee man 26-39: 5                      → 8
#   year = S1 + S2 (each report lies within one semester)                  → 20
# Categories without anyone in the period have no row (S2 has no newcomer nor 40+).
#
# period  breakdown                       value status why
SEMESTERS = """
2021-S1  -                               12  pub
2021-S1  public_category=other_newcomer  2   P   2 < 3
2021-S1  public_category=refugee         10  S   12 = newcomer + refugee: the only other part
2021-S1  sex=female                      4   pub
2021-S1  sex=male                        8   pub
2021-S1  age_band=18-25                  4   S   12 = 4 + 6 + 2: the smallest published part
2021-S1  age_band=26-39                  6   pub
2021-S1  age_band=40+                    2   P   2 < 3
2021-S2  -                               8   pub nothing below 3. The ledger holds S1; the year
2021-S2  public_category=refugee         8   pub   S1 + S2 implies hides its newcomers, S1's + 0,
2021-S2  sex=female                      3   pub   still anywhere in [0, 12]: nothing withheld
2021-S2  sex=male                        5   pub
2021-S2  age_band=18-25                  3   pub
2021-S2  age_band=26-39                  5   pub
2021     -                               20  pub
2021     public_category=other_newcomer  2   P   2 < 3
2021     public_category=refugee         18  S   the only other part. The attacker knows
2021     sex=female                      7   pub   refugee = S1 refugee + 8, S1 refugee + S1
2021     sex=male                        13  pub   newcomer = 12: newcomer anywhere in [0, 12]
2021     age_band=18-25                  7   S   20 = 7 + 11 + 2: the smallest published part
2021     age_band=26-39                  11  pub
2021     age_band=40+                    2   P   2 < 3
"""

# The late report: a newcomer woman 18-25 in S2 (another state of the data: new fingerprint).
# The year is published again from it, with the ledger of the three releases.
#
# breakdown                       value status withheld      why
REVISED = """
-                               21  S   revision      was 20: the difference, 1, is a person
public_category=other_newcomer  3   S   hidden_before 3 is not small, but 2021 hid it
public_category=refugee         18  S   hidden_before unchanged, 2021 hid it
sex=female                      8   S   revision      was 7: 1 person
sex=male                        13  pub -             unchanged
age_band=18-25                  8   S   hidden_before 2021 hid it
age_band=26-39                  11  pub -             unchanged
age_band=40+                    2   P   hidden_before 2 < 3, and 2021 hid it
"""
LEVELS = {
    Level.ACTION: "d-housing",
    Level.CONTRACT: "ctair-dijon",
    Level.TERRITORY: DIJON,
    Level.NATIONAL: "FR",
}
STATUS = {"pub": CellStatus.PUBLISHED, "P": CellStatus.PRIMARY, "S": CellStatus.SECONDARY}


def _reported(table: IndicatorTable) -> dict[tuple[Level, str], tuple[Decimal | None, CellStatus]]:
    """The reported beneficiaries of the Dijon entities: (level, breakdown) → value, status."""
    found = {}
    for row in table:
        if row.indicator != "reported_beneficiaries" or row.level not in LEVELS:
            continue
        if (row.action or row.contract or row.territory or "FR") != LEVELS[row.level]:
            continue
        breakdown = "-" if row.dimension is None else f"{row.dimension.value}={row.category}"
        found[row.level, breakdown] = (row.counts[0] if row.counts else None, row.status)
    return found


def test_the_hand_case_published_every_semester_then_revised() -> None:
    """Every status of S1, S2, the year and the revised year, as worked out above."""
    ledger = Ledger()
    tables = {}
    for period in ("2021-S1", "2021-S2", "2021"):
        table = _reported_table(DATA, period, ledger, "v1")
        ledger = ledger.with_release(release_of(table, fingerprint="v1", label=period))
        tables[period] = table
        assert table.audit is not None
        assert table.audit.protected
        assert table.audit.withheld == ()
    for line in SEMESTERS.strip().splitlines():
        period, breakdown, value, status = line.split()[:4]
        observed = _reported(tables[period])
        for level in LEVELS:
            assert observed[level, breakdown] == (int(value), STATUS[status]), (period, line)
    for period, table in tables.items():  # no other row: empty categories are left out
        rows = [line for line in SEMESTERS.strip().splitlines() if line.split()[0] == period]
        assert len(_reported(table)) == len(rows) * len(LEVELS)

    late = ActionReport(
        id="r-2021-s2-late",
        action="d-housing",
        period=Period.semester(2021, 2),
        counts=(_count(NEWCOMER, F, Y, 1),),
    )
    revised = _reported_table(attrs.evolve(DATA, reports=(*REPORTS, late)), "2021", ledger, "v2")
    assert revised.audit is not None
    withheld = {label: reason for label, reason, _ in revised.audit.withheld}
    observed = _reported(revised)
    assert len(observed) == len(REVISED.strip().splitlines()) * len(LEVELS)
    for line in REVISED.strip().splitlines():
        breakdown, value, status, reason = line.split()[:4]
        for level, entity in LEVELS.items():
            assert observed[level, breakdown] == (int(value), STATUS[status]), line
            where = "national" if level is Level.NATIONAL else f"{level.value} {entity}"
            label = f"reported_beneficiaries {where}" + (
                "" if breakdown == "-" else f" {breakdown}"
            )
            assert withheld.get(f"{label} 2021") == (None if reason == "-" else reason), line


def _reported_table(data: Dataset, period: str, ledger: Ledger, fingerprint: str) -> IndicatorTable:
    return compute_indicators(
        data,
        period=period,
        indicators=["reported_beneficiaries"],
        plugins=BUILTINS,
        threshold=3,
        geography=Places(),
        ledger=ledger,
        fingerprint=fingerprint,
    )


def test_both_kinds_of_suppression_happen_at_every_level() -> None:
    """The hand case has primary and secondary secrets at every level, action to national."""
    for threshold in (3, 11):
        seen = {
            (key[1], statuses[threshold])
            for key, (_, statuses) in EXPECTED.items()
            if threshold in statuses
        }
        for level in Level:
            assert (level, CellStatus.PRIMARY) in seen
            assert (level, CellStatus.SECONDARY) in seen


def test_targets_and_achievement_at_action_level() -> None:
    """An action's target of the period is shown, with its achievement if the value is public.

    With the rules of one table (``audit=False``), whose statuses are worked out above.
    """
    at_3, at_11 = _compute(3, audit=False), _compute(11, audit=False)

    def target(table: IndicatorTable, indicator: str, action: str) -> tuple[object, ...]:
        row = table.get(indicator, level="action", action=action)
        return row.value, row.target, row.achievement

    # g-french: 15 beneficiaries for a 2021 target of 20 (the 2020 target is not this year's).
    assert target(at_3, "beneficiaries", "g-french") == (Decimal(15), Decimal(20), Decimal("0.75"))
    # At 11 the value is secret: the target is shown, the achievement would give the value away.
    assert target(at_11, "beneficiaries", "g-french") == (None, Decimal(20), None)
    # d-french: a target without year is for the whole action (started 1 September 2019):
    # it is shown beside 2021 but not compared with one year's count (before version 0.2 it
    # was: "12 for 10", 120 %, however many years the 10 were meant to cover).
    assert target(at_3, "beneficiaries", "d-french") == (Decimal(12), Decimal(10), None)
    assert at_3.get("beneficiaries", level="action", action="d-french").target_kind is (
        TargetKind.ACTION
    )
    # From the action's start to the end of 2021 the count is cumulative, and compared: its
    # 12 persons all entered on 1 February 2021, so 12 for 10 again, now like with like.
    whole = compute_indicators(
        DATA,
        period=Period(D(2019, 9, 1), D(2021, 12, 31)),
        threshold=3,
        plugins=BUILTINS,
        geography=PLACES,
        audit=False,
    )
    assert target(whole, "beneficiaries", "d-french") == (Decimal(12), Decimal(10), Decimal("1.2"))
    # Euros are never secret: 25,000 committed for 50,000.
    for table in (at_3, at_11):
        assert target(table, "committed_euros", "g-jobs") == (
            Decimal(25_000),
            Decimal(50_000),
            Decimal("0.5"),
        )
    # A percent target is in percent: 50 % of women for 40 %, where nothing is suppressed.
    assert target(_compute(1), "share_women", "g-housing") == (
        Decimal("50.00"),
        Decimal(40),
        Decimal("1.25"),
    )
    # At 3 the share is secret (50 % of its 8 persons would give back its 4 women, suppressed in
    # its breakdown by sex): the target still shows, with no achievement.
    assert target(at_3, "share_women", "g-housing") == (None, Decimal(40), None)
    # Only action totals carry targets.
    for row in at_3:
        if row.target is not None:
            assert row.level is Level.ACTION
            assert row.dimension is None
    assert at_3.get("beneficiaries", level="contract", contract="ctair-grenoble").target is None
    assert at_3.get("beneficiaries", level="action", action="g-jobs").target is None


def test_a_target_of_another_year_is_not_shown() -> None:
    """In 2020 the 2021 target of g-french is not shown; the 2020 one is."""
    table = compute_indicators(DATA, period="2020", threshold=1, plugins=BUILTINS, geography=PLACES)
    row = table.get("beneficiaries", level="action", action="g-french")
    # In 2020: P14 (entered January 2020) and P16 (left 31 December 2020).
    assert (row.value, row.target) == (Decimal(2), Decimal(99))
    semester = compute_indicators(
        DATA, period="2021-S1", threshold=1, plugins=BUILTINS, geography=PLACES
    )
    assert semester.get("beneficiaries", level="action", action="g-french").target is None
    # d-french's whole-action target shows on every period, without achievement on a semester.
    found = semester.get("beneficiaries", level="action", action="d-french")
    assert (found.target, found.achievement) == (10, None)


def test_presence_ends_with_the_action_in_the_hand_computed_case() -> None:
    """g-jobs counts P07 in 2022 only because the avenant prolonged it; without, it stops.

    Presence within the action's window (version 0.2) changes no figure above: every row
    lies within its action's window in 2021. g-jobs was planned to 30 June 2021, the end of
    the CTAIR, and the avenant in force from 1 June 2021 prolongs the contract to the end of
    2022, and with it g-jobs, which ran to the former end. So P07, who left on 1 January
    2022, is a beneficiary and an exit (into a permanent job) of 2022. Without the avenant
    the window of g-jobs ends on 30 June 2021: P07 counts until then, and the exit recorded
    in 2022 is an exit of no period.
    """

    def g_jobs(data: Dataset, period: str) -> dict[str, Decimal | None]:
        table = compute_indicators(
            data, period=period, threshold=1, plugins=BUILTINS, geography=PLACES, audit=False
        )
        return {
            row.indicator: row.value
            for row in table.select(level="action", action="g-jobs", dimension=None)
        }

    with_avenant = g_jobs(DATA, "2022")
    assert with_avenant["beneficiaries"] == 1
    assert with_avenant["exit_employment_rate"] == 100
    unamended = attrs.evolve(CTAIR_GRENOBLE, amendments=())
    # Without the avenant, g-french's entries after 30 June 2021 (P15, P17) would be errors:
    # they go too, so that the data stays valid (two warnings remain: rows still open).
    ctair = {"g-french", "g-jobs"}
    without = attrs.evolve(
        DATA,
        contracts=tuple(unamended if c.id == unamended.id else c for c in DATA.contracts),
        participations=tuple(
            p
            for p in DATA.participations
            if p.action not in ctair or p.entry_date <= D(2021, 6, 30)
        ),
    )
    found = territoires.validate(without, geography=PLACES, plugins=BUILTINS)
    assert {p.severity for p in found} == {Severity.WARNING}
    assert "beneficiaries" not in g_jobs(without, "2022")
    assert "exit_employment_rate" not in g_jobs(without, "2022")
    # In the first half of 2021, P07 (and the five others) still count.
    assert g_jobs(without, "2021-S1")["beneficiaries"] == 6


# -- each definition on its edges -----------------------------------------------------------------

SPAN = Period(D(2019, 1, 1), D(2023, 12, 31))


def _small(rows: list[Participation], *actions: Action) -> Dataset:
    """One Grenoble contract running 2019-2023 with ``actions`` (by default one, "a1")."""
    chosen = actions or (Action(id="a1", title="A1", theme=Theme.HOUSING, period=SPAN),)
    return Dataset(
        contracts=(
            Contract(
                id="c",
                kind=ContractKind.CTAI,
                territory=GRENOBLE,
                title="CTAI",
                period=SPAN,
                public=BPI,
                signed_on=SPAN.start,
                actions=chosen,
            ),
        ),
        participations=tuple(rows),
    )


def _person(number: int, **facts: Any) -> Participation:
    """Person ``number`` in a1 from February 2021, leaving on 30 June 2021 unless told."""
    facts.setdefault("exit_date", D(2021, 6, 30))
    return Participation(
        id=f"p{number}",
        person=f"P{number}",
        action="a1",
        entry_date=D(2021, 2, 1),
        status=R,
        **facts,
    )


def _value(data: Dataset, indicator: str, period: str = "2021") -> Decimal | None:
    table = compute_indicators(
        data, period=period, threshold=1, plugins=BUILTINS, geography=PLACES, level="national"
    )
    return table.get(indicator).value


def test_shares_leave_out_unknown_sex_and_age() -> None:
    """Shares of women and of under-26s are taken among the persons whose sex or age is known."""
    rows = [
        _person(1, sex=F, age_band=AgeBand.UNDER_18),
        _person(2, sex=F, age_band=Y),
        _person(3, sex=M, age_band=OLD),
        _person(4, sex=U, age_band=K),
    ]
    assert _value(_small(rows), "share_women") == Decimal("66.67")  # 2 of 3, not 2 of 4
    assert _value(_small(rows), "share_under_26") == Decimal("66.67")  # under 18 counts


def test_exit_rates_count_the_durable_outcomes_among_recorded_exits() -> None:
    """CDI, CDD of six months or more, qualifying training are durable; unrecorded exits are out."""
    outcomes = [*EmploymentOutcome, None]
    rows = [_person(n, employment=outcome) for n, outcome in enumerate(outcomes)]
    # Three durable of the six recorded outcomes.
    assert _value(_small(rows), "exit_employment_rate") == Decimal("50.00")
    housing = [_person(n, housing=outcome) for n, outcome in enumerate([*HousingOutcome, None])]
    assert _value(_small(housing), "exit_housing_rate") == Decimal("20.00")  # 1 of 5
    # Persons still in the action are not exits, whatever is recorded.
    staying = [
        _person(1, exit_date=None, employment=E.PERMANENT_JOB),
        _person(2, employment=E.NONE),
    ]
    assert _value(_small(staying), "exit_employment_rate") == Decimal("0.00")


def test_french_progress_needs_a_level_at_entry_and_at_exit() -> None:
    """Progress in French is a higher CEFR level at exit, among exits assessed at both ends."""
    rows = [
        _person(1, french_entry=L.A1, french_exit=L.A2),  # progress
        _person(2, french_entry=L.B1, french_exit=L.A2),  # regress
        _person(3, french_entry=L.A2, french_exit=L.A2),  # same level
        _person(4, french_entry=L.PRE_A1),  # exit level unknown: left out
        _person(5, french_exit=L.C1),  # entry level unknown: left out
    ]
    assert _value(_small(rows), "exit_french_progress_rate") == Decimal("33.33")


def test_reports_add_up_over_successive_periods() -> None:
    """Reported beneficiaries count the reports within the period: S1 12, S2 8, the year 20."""
    assert _value(DATA, "reported_beneficiaries", "2021-S1") == 12
    assert _value(DATA, "reported_beneficiaries", "2021-S2") == 8
    # The straddling report (2020-10-01..2021-03-31) lies within neither year.
    assert _value(DATA, "reported_beneficiaries", "2021") == 20
    assert _value(DATA, "reported_beneficiaries", "2020-01-01..2021-12-31") == 29


def test_budget_lines_count_for_every_year_a_period_touches() -> None:
    """Funding lines are annual: a semester counts its whole year, a range each year it touches."""
    table = compute_indicators(
        DATA, period="2021-S1", threshold=1, plugins=BUILTINS, geography=PLACES
    )
    assert table.get("committed_euros", level="action", action="g-french").value == 40_000
    straddling = compute_indicators(
        DATA, period="2020-07-01..2021-06-30", threshold=1, plugins=BUILTINS, geography=PLACES
    )
    # 2020's 25,000 and 2021's 40,000.
    assert straddling.get("committed_euros", level="action", action="g-french").value == 65_000
    assert straddling.get("spent_euros", level="action", action="g-french").value == 63_000


def test_actions_are_counted_while_they_run() -> None:
    """An action counts in a period it overlaps, unless an avenant closed it by the start."""

    def running(action_id: str, period: Period, closed_on: dt.date | None = None) -> Action:
        return Action(
            id=action_id, title=action_id, theme=Theme.CULTURE, period=period, closed_on=closed_on
        )

    data = _small(
        [],
        running("whole", SPAN),
        running("ends-before", Period(D(2019, 1, 1), D(2020, 12, 31))),
        running("starts-last-day", Period(D(2021, 12, 31), D(2022, 12, 31))),
        running("closed-on-start", SPAN, closed_on=D(2021, 1, 1)),
        running("closed-next-day", SPAN, closed_on=D(2021, 1, 2)),
    )
    table = compute_indicators(data, period="2021", threshold=1, plugins=BUILTINS, geography=PLACES)
    counted = {r.action for r in table.select("actions", level="action", dimension=None)}
    assert counted == {"whole", "starts-last-day", "closed-next-day"}
    assert table.get("actions").value == 3


@pytest.mark.parametrize(
    ("period", "statuses"),
    [
        ("2020", {"active": 2, "draft": 1}),  # the CTAI is signed in February 2021
        ("2021-S1", {"active": 3}),  # the avenant of 1 June prolongs the CTAIR Grenoble
        ("2023", {"active": 1, "ended": 2}),
    ],
)
def test_contracts_are_counted_by_status_at_the_end_of_the_period(
    period: str, statuses: dict[str, int]
) -> None:
    """Each contract counts once, in its status on the period's last day, avenants included."""
    table = compute_indicators(DATA, period=period, threshold=1, plugins=BUILTINS, geography=PLACES)
    rows = table.select("contracts", level="national", dimension="contract_status")
    assert {r.category: r.value for r in rows} == statuses
    assert table.get("contracts").value == 3


def test_a_territory_without_known_population_has_no_rate_per_10000() -> None:
    """Without a population for the contract's territory, no rate per 10,000 is made up."""
    rows = [_person(1), _person(2)]
    moved = attrs.evolve(_small(rows).contracts[0], territory="69123")  # unknown to PLACES
    table = compute_indicators(
        Dataset(contracts=(moved,), participations=tuple(rows)),
        period="2021",
        threshold=1,
        plugins=BUILTINS,
        geography=PLACES,
        allow_invalid=True,  # the contract's territory is unknown to PLACES: that is the case
    )
    assert table.select("beneficiaries_per_10000") == []
    assert table.get("beneficiaries").value == 2


def test_a_ratio_over_zero_is_undefined_not_suppressed() -> None:
    """A co-funding rate over zero euros is marked undefined, with no value, at any threshold."""
    free = Action(
        id="a1",
        title="Free",
        theme=Theme.CULTURE,
        period=SPAN,
        funding=(_line(LOCAL, 0, None),),
    )
    for threshold in (1, 11):
        table = compute_indicators(
            _small([], free),
            period="2021",
            threshold=threshold,
            plugins=BUILTINS,
            geography=PLACES,
            allow_invalid=True,  # the funder is not declared as a party: not what is tested
        )
        rate = table.get("cofunding_rate")
        assert (rate.value, rate.status) == (None, CellStatus.UNDEFINED)
        assert table.get("committed_euros").value == 0
