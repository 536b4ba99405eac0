"""territoires: French territorial integration contracts (CTAIR, CTAI, PTAI) as typed data.

The domain model (:mod:`territoires.model`), the file forms (:func:`load`, :func:`dump`),
whole-dataset checks (:func:`validate`) and the official geography (:mod:`territoires.geo`)
are available from this package.

Example:
    >>> import territoires
    >>> demo = territoires.demo.build()
    >>> demo.info.synthetic
    True
    >>> territoires.validate(demo)
    []
"""

from __future__ import annotations

from importlib import metadata as _metadata

from territoires._validate import OFFICIAL_GEOGRAPHY, validate
from territoires.exceptions import (
    DataError,
    FormatError,
    InvalidCodeError,
    InvalidValueError,
    TerritoiresError,
    UnknownTerritoryError,
)
from territoires.io import dump, load, make_converter, read
from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    Amendment,
    Contract,
    ContractKind,
    ContractStatus,
    Dataset,
    DatasetInfo,
    Diagnostic,
    EmploymentOutcome,
    FrenchLevel,
    Funding,
    FundingSource,
    Gazetteer,
    GovernanceBody,
    GovernanceKind,
    GovernanceLevel,
    HousingOutcome,
    Participation,
    Party,
    PartyKind,
    Period,
    Person,
    PublicCategory,
    PublicScope,
    ReportCount,
    Sex,
    Signatory,
    SignatoryRole,
    Source,
    Target,
    Territory,
    TerritoryKind,
    Theme,
)
from territoires.problems import Problem, ProblemCode, Severity

from . import demo

try:
    __version__ = _metadata.version("territoires")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    from territoires._version import __version__

__all__ = [
    "OFFICIAL_GEOGRAPHY",
    "Action",
    "ActionFunding",
    "ActionReport",
    "AdministrativeStatus",
    "AgeBand",
    "Amendment",
    "Contract",
    "ContractKind",
    "ContractStatus",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "Diagnostic",
    "EmploymentOutcome",
    "FormatError",
    "FrenchLevel",
    "Funding",
    "FundingSource",
    "Gazetteer",
    "GovernanceBody",
    "GovernanceKind",
    "GovernanceLevel",
    "HousingOutcome",
    "InvalidCodeError",
    "InvalidValueError",
    "Participation",
    "Party",
    "PartyKind",
    "Period",
    "Person",
    "Problem",
    "ProblemCode",
    "PublicCategory",
    "PublicScope",
    "ReportCount",
    "Severity",
    "Sex",
    "Signatory",
    "SignatoryRole",
    "Source",
    "Target",
    "TerritoiresError",
    "Territory",
    "TerritoryKind",
    "Theme",
    "UnknownTerritoryError",
    "__version__",
    "demo",
    "dump",
    "load",
    "make_converter",
    "read",
    "validate",
]
