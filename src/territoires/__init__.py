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

import logging as _logging

from territoires._validate import OFFICIAL_GEOGRAPHY, validate

# The build reads the version from _version.py too; importing importlib.metadata instead
# would cost a third of the package's import time.
from territoires._version import __version__
from territoires.eligibility import (
    Decision,
    Eligibility,
    check_eligibility,
    iter_screen,
    screen,
)
from territoires.exceptions import (
    DataError,
    FormatError,
    InconsistentError,
    InvalidArgumentError,
    InvalidCodeError,
    InvalidDataError,
    InvalidValueError,
    PluginError,
    RowLookupError,
    Terminated,
    TerritoiresError,
    UnknownActionError,
    UnknownContractError,
    UnknownIndicatorError,
    UnknownNameError,
    UnknownTerritoryError,
    WriteError,
    WrongTypeError,
)
from territoires.export import export
from territoires.formats import ExportFormat, ExportKind
from territoires.hookspecs import hookimpl
from territoires.io import dump, load, load_persons, make_converter, read
from territoires.measures import Aggregation, Dimension, Indicator, IndicatorInput, Unit
from territoires.model import (
    Action,
    ActionFunding,
    ActionReport,
    AdministrativeStatus,
    AgeBand,
    AidNature,
    Amendment,
    ApproximateDate,
    Contract,
    ContractKind,
    ContractStatus,
    Dataset,
    DatasetInfo,
    DatePrecision,
    Diagnostic,
    EligibilityTerms,
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
    PaymentConditions,
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
    TargetKind,
    Territory,
    TerritoryKind,
    Theme,
    WindowStart,
)
from territoires.parameters import DatedValue, Parameter
from territoires.problems import Problem, ProblemCode, Severity
from territoires.rules import EligibilityRule, Notice, Outcome, RuleInput, Verdict

from . import demo

# A library logs, it never prints: without a handler configured by the application, nothing
# from territoires' loggers reaches standard error (the CLI prints what users must see).
_logging.getLogger("territoires").addHandler(_logging.NullHandler())

__all__ = [
    "OFFICIAL_GEOGRAPHY",
    "Action",
    "ActionFunding",
    "ActionReport",
    "AdministrativeStatus",
    "AgeBand",
    "Aggregation",
    "AidNature",
    "Amendment",
    "ApproximateDate",
    "Contract",
    "ContractKind",
    "ContractStatus",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "DatePrecision",
    "DatedValue",
    "Decision",
    "Diagnostic",
    "Dimension",
    "Eligibility",
    "EligibilityRule",
    "EligibilityTerms",
    "EmploymentOutcome",
    "ExportFormat",
    "ExportKind",
    "FormatError",
    "FrenchLevel",
    "Funding",
    "FundingSource",
    "Gazetteer",
    "GovernanceBody",
    "GovernanceKind",
    "GovernanceLevel",
    "HousingOutcome",
    "InconsistentError",
    "Indicator",
    "IndicatorInput",
    "InvalidArgumentError",
    "InvalidCodeError",
    "InvalidDataError",
    "InvalidValueError",
    "Notice",
    "Outcome",
    "Parameter",
    "Participation",
    "Party",
    "PartyKind",
    "PaymentConditions",
    "Period",
    "Person",
    "PluginError",
    "Problem",
    "ProblemCode",
    "PublicCategory",
    "PublicScope",
    "ReportCount",
    "RowLookupError",
    "RuleInput",
    "Severity",
    "Sex",
    "Signatory",
    "SignatoryRole",
    "Source",
    "Target",
    "TargetKind",
    "Terminated",
    "TerritoiresError",
    "Territory",
    "TerritoryKind",
    "Theme",
    "Unit",
    "UnknownActionError",
    "UnknownContractError",
    "UnknownIndicatorError",
    "UnknownNameError",
    "UnknownTerritoryError",
    "Verdict",
    "WindowStart",
    "WriteError",
    "WrongTypeError",
    "__version__",
    "check_eligibility",
    "demo",
    "dump",
    "export",
    "hookimpl",
    "iter_screen",
    "load",
    "load_persons",
    "make_converter",
    "read",
    "screen",
    "validate",
]
