"""The domain model: frozen attrs classes with invariants, no I/O.

Every class is re-exported from :mod:`territoires`. The model imports nothing from the rest of
the package but :mod:`territoires.exceptions` and :mod:`territoires.problems`.
"""

from territoires.model.contract import (
    Action,
    ActionFunding,
    Amendment,
    Contract,
    Diagnostic,
    EligibilityTerms,
    Funding,
    GovernanceBody,
    Signatory,
    Source,
    Target,
)
from territoires.model.dataset import Dataset, DatasetInfo, Gazetteer
from territoires.model.dates import ApproximateDate
from territoires.model.enums import (
    AdministrativeStatus,
    AgeBand,
    AidNature,
    ContractKind,
    ContractStatus,
    DatePrecision,
    EmploymentOutcome,
    FrenchLevel,
    FundingSource,
    GovernanceKind,
    GovernanceLevel,
    HousingOutcome,
    LabelledEnum,
    PartyKind,
    PaymentConditions,
    PublicCategory,
    Sex,
    SignatoryRole,
    TargetKind,
    TerritoryKind,
    Theme,
    WindowStart,
)
from territoires.model.period import Period
from territoires.model.person import ActionReport, Participation, Person, ReportCount
from territoires.model.scope import PublicScope
from territoires.model.territory import Party, Territory

__all__ = [
    "Action",
    "ActionFunding",
    "ActionReport",
    "AdministrativeStatus",
    "AgeBand",
    "AidNature",
    "Amendment",
    "ApproximateDate",
    "Contract",
    "ContractKind",
    "ContractStatus",
    "Dataset",
    "DatasetInfo",
    "DatePrecision",
    "Diagnostic",
    "EligibilityTerms",
    "EmploymentOutcome",
    "FrenchLevel",
    "Funding",
    "FundingSource",
    "Gazetteer",
    "GovernanceBody",
    "GovernanceKind",
    "GovernanceLevel",
    "HousingOutcome",
    "LabelledEnum",
    "Participation",
    "Party",
    "PartyKind",
    "PaymentConditions",
    "Period",
    "Person",
    "PublicCategory",
    "PublicScope",
    "ReportCount",
    "Sex",
    "Signatory",
    "SignatoryRole",
    "Source",
    "Target",
    "TargetKind",
    "Territory",
    "TerritoryKind",
    "Theme",
    "WindowStart",
]
