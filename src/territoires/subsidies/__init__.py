"""Subsidies in the national SCDL "subventions" format (version 2.1.1).

Collectivités must publish the subsidies they grant above €23,000 (décret 2017-779 and the
arrêté du 17 novembre 2017), and the national data model is the SCDL "subventions" schema,
version 2.1.1 (https://schema.data.gouv.fr/scdl/subventions/2.1.1/): one row per subsidy and
beneficiary. The funding lines of a contract that a collectivité grants to an operator are
exactly those subsidies. :func:`subsidies` turns them into SCDL rows; ``territoires export
--what subsidies --format scdl`` writes them as CSV (UTF-8, comma, ISO dates, decimal point,
SIRET as digits, never as a number in scientific notation).

Which lines: every funding line of every action, avenants included, whose funder is a party
of kind *collectivité*, unless the collectivité runs the action itself (it is then its own
operator, and pays no subsidy). The State's lines (préfectures, P104, P147) are not a
collectivité's subsidies and are left out. Each SCDL field comes from:

- ``nomAttribuant``, ``idAttribuant``: the funder's ``name`` and ``siret``;
- ``dateConvention``, ``referenceDecision``: the line's ``convention_on`` and ``decision``;
- ``nomBeneficiaire``, ``idBeneficiaire``, ``rnaBeneficiaire``: the beneficiary's ``name``,
  ``siret`` and ``rna``; the beneficiary is the line's ``beneficiary``, else the action's only
  operator;
- ``objet``: the action's title; ``montant``: the line's ``committed`` euros;
- ``nature``, ``conditionsVersement``, ``datesPeriodeVersement``, ``notificationUE``: the
  line's ``nature``, ``payment_conditions``, ``payment_period`` and ``eu_notified``;
- ``pourcentageSubvention``: the line's ``share`` (1 by default); ``dispositifAide``: its
  ``aid_scheme``; ``idRAE`` (business aids only) stays empty.

A required value that is missing is never written as a blank: :func:`subsidies` raises
:class:`~territoires.DataError` listing every missing value at once, each problem naming the
funding line (``contracts[0].actions[2].funding[1]``) and the field.

Example:
    >>> import territoires
    >>> from territoires.subsidies import subsidies
    >>> table = subsidies(territoires.demo.build(participations=0))
    >>> row = table.rows[0].row()
    >>> row["nomAttribuant"], len(row["idAttribuant"]), row["notificationUE"]
    ('Brest', 14, 'non')

.. versionadded:: 0.2
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any, Final

import attrs

from territoires._validate import count_errors
from territoires.exceptions import DataError
from territoires.model.contract import Action, Contract, Funding
from territoires.model.dataset import Dataset
from territoires.model.enums import AidNature, PartyKind, PaymentConditions
from territoires.model.period import Period
from territoires.model.territory import Party
from territoires.plugins import PluginManager
from territoires.problems import Problem, ProblemCode

__all__ = [
    "FIELDS",
    "SCHEMA_FILE",
    "Subsidy",
    "SubsidyTable",
    "missing_identifier",
    "schema",
    "subsidies",
]

FIELDS: Final = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
"""The SCDL "subventions" 2.1.1 fields, in the order of the schema and of the files."""

SCHEMA_FILE: Final = "scdl-subventions-2.1.1.json"
"""The Table Schema of SCDL "subventions" 2.1.1 shipped in this package (see :func:`schema`)."""

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def schema() -> dict[str, Any]:
    """Return the Table Schema of SCDL "subventions" 2.1.1 that the project ships.

    It is written from the schema's documentation (sources in its ``description``); a
    validator such as frictionless checks an export against it.
    """
    text = resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def missing_identifier(row: Mapping[str, str]) -> bool:
    """True when a row gives neither ``idBeneficiaire`` nor ``rnaBeneficiaire``.

    SCDL 2.1.0 added this "one of them is required" check, which a Table Schema cannot
    express: check it beside the schema.
    """
    return not row.get("idBeneficiaire") and not row.get("rnaBeneficiaire")


def _amount(value: Decimal) -> str:
    """Euros with a decimal point and no grouping: ``30000``, ``1234.5``."""
    return format(value.normalize(), "f")


def _share(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


@attrs.frozen(kw_only=True)
class Subsidy:
    """One subsidy to one beneficiary: a row of SCDL "subventions".

    Attributes:
        contract: Id of the contract.
        action: Id of the action.
        line: Where the funding line is in the dataset (``contracts[0].actions[2].funding[1]``).
        year: Budget year of the line.
        grantor: Official name of the granting collectivité.
        grantor_siret: Its SIRET.
        convention_on: Date of the agreement.
        decision: Reference of the act that grants it, if any.
        beneficiary: Official name of the beneficiary.
        beneficiary_siret: Its SIRET, if any.
        beneficiary_rna: Its RNA number, if any.
        purpose: What the subsidy is for (the action's title).
        amount: Euros committed.
        nature: Cash, in kind, or both.
        payment_conditions: Single, staged or other payments.
        payment_period: The day, or first and last days, of the payments.
        eu_notified: Whether the aid was notified to the European Commission.
        share: Share of the amount for this beneficiary (0.01 to 1).
        aid_scheme: Id of the aid scheme, if any.
    """

    contract: str
    action: str
    line: str
    year: int
    grantor: str
    grantor_siret: str
    convention_on: dt.date
    decision: str | None
    beneficiary: str
    beneficiary_siret: str | None
    beneficiary_rna: str | None
    purpose: str
    amount: Decimal
    nature: frozenset[AidNature]
    payment_conditions: PaymentConditions
    payment_period: Period
    eu_notified: bool
    share: Decimal
    aid_scheme: str | None

    def row(self) -> dict[str, str]:
        """Return the row as SCDL texts, keyed by field name, in the order of :data:`FIELDS`."""
        period = self.payment_period
        assert period.end is not None
        dates = period.start.isoformat()
        if period.end != period.start:
            dates += "/" + period.end.isoformat()
        natures = [n.label_fr for n in AidNature if n in self.nature]
        values = {
            "nomAttribuant": self.grantor,
            "idAttribuant": self.grantor_siret,
            "dateConvention": self.convention_on.isoformat(),
            "referenceDecision": self.decision or "",
            "nomBeneficiaire": self.beneficiary,
            "idBeneficiaire": self.beneficiary_siret or "",
            "rnaBeneficiaire": self.beneficiary_rna or "",
            "objet": self.purpose,
            "montant": _amount(self.amount),
            "nature": ";".join(natures),
            "conditionsVersement": self.payment_conditions.label_fr,
            "datesPeriodeVersement": dates,
            "idRAE": "",
            "notificationUE": "oui" if self.eu_notified else "non",
            "pourcentageSubvention": _share(self.share),
            "dispositifAide": self.aid_scheme or "",
        }
        return {name: values[name] for name in FIELDS}


@attrs.frozen(kw_only=True)
class SubsidyTable:
    """The subsidies of a dataset, ready to be exported (``--what subsidies``).

    Attributes:
        rows: One subsidy per funding line of a collectivité, in dataset order.
        synthetic: Whether the dataset is synthetic (the demo).
        data_errors: How many errors the dataset had (0 unless computed with
            ``allow_invalid=True``).
    """

    rows: tuple[Subsidy, ...]
    synthetic: bool = False
    data_errors: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Subsidy]:
        return iter(self.rows)


def _lines(dataset: Dataset) -> Iterator[tuple[Contract, Action, Funding, str]]:
    """Every funding line with its action and where it is, avenants included."""
    for ci, contract in enumerate(dataset.contracts):
        root = f"contracts[{ci}]"
        for ai, action in enumerate(contract.actions):
            for fi, funding in enumerate(action.funding):
                yield contract, action, funding, f"{root}.actions[{ai}].funding[{fi}]"
        every = {a.id: a for a in contract.all_actions()}
        for mi, amendment in enumerate(contract.amendments):
            mroot = f"{root}.amendments[{mi}]"
            for ai, action in enumerate(amendment.actions_added):
                for fi, funding in enumerate(action.funding):
                    yield contract, action, funding, f"{mroot}.actions_added[{ai}].funding[{fi}]"
            for fi, added in enumerate(amendment.funding_added):
                target = every.get(added.action)
                if target is not None:
                    path = f"{mroot}.funding_added[{fi}].funding"
                    yield contract, target, added.funding, path


class _Rows:
    """Builds the rows, collecting a problem for every required value that is missing."""

    def __init__(self, dataset: Dataset) -> None:
        self.parties = {p.id: (i, p) for i, p in enumerate(dataset.parties)}
        self.problems: list[Problem] = []

    def missing(self, contract: Contract, field: str, scdl: str, message: str, fix: str) -> None:
        self.problems.append(
            Problem(
                code=ProblemCode.SCDL_MISSING_VALUE,
                message=f"SCDL {scdl}: {message}",
                record=contract.id,
                field=field,
                expected=fix,
            )
        )

    def invalid(
        self, contract: Contract, field: str, scdl: str, message: str, value: str, fix: str
    ) -> None:
        self.problems.append(
            Problem(
                code=ProblemCode.SCDL_INVALID_VALUE,
                message=f"SCDL {scdl}: {message}",
                record=contract.id,
                field=field,
                value=value,
                expected=fix,
            )
        )

    def formula(self, contract: Contract, field: str, scdl: str, text: str) -> None:
        if text.startswith(_FORMULA_STARTS):
            self.invalid(
                contract,
                field,
                scdl,
                "a text a spreadsheet would run as a formula",
                text,
                "a text that does not start with =, +, -, @ or a tab",
            )

    def party(self, party_id: str) -> tuple[int, Party] | None:
        return self.parties.get(party_id)

    def subsidy(
        self, contract: Contract, action: Action, funding: Funding, line: str
    ) -> Subsidy | None:
        before = len(self.problems)
        grantor = self.party(funding.funder)
        assert grantor is not None
        gi, funder = grantor
        what = f"the funding line of {funding.year} ({funding.committed} €) of action {action.id!r}"
        if funder.siret is None:
            self.missing(
                contract,
                f"{line}.funder",
                "idAttribuant",
                f"{what} is granted by {funder.id!r}, which has no SIRET",
                f"the SIRET of the collectivité in parties[{gi}].siret",
            )
        beneficiary: Party | None = None
        if funding.beneficiary is not None:
            found = self.party(funding.beneficiary)
            beneficiary = found[1] if found is not None else None
        elif len(action.operators) == 1:
            found = self.party(action.operators[0])
            beneficiary = found[1] if found is not None else None
        else:
            count = len(action.operators)
            self.missing(
                contract,
                f"{line}.beneficiary",
                "nomBeneficiaire",
                f"{what} names no beneficiary, and the action has {count} operators",
                "the id of the operator that receives it",
            )
        if beneficiary is not None and beneficiary.siret is None and beneficiary.rna is None:
            bi = self.parties[beneficiary.id][0]
            self.missing(
                contract,
                f"{line}.beneficiary",
                "idBeneficiaire",
                f"{what} goes to {beneficiary.id!r}, which has neither SIRET nor RNA number",
                f"parties[{bi}].siret, or parties[{bi}].rna for an association",
            )
        for attribute, scdl, fix in (
            ("convention_on", "dateConvention", "the date of the agreement (YYYY-MM-DD)"),
            ("payment_conditions", "conditionsVersement", "single, staged or other"),
            ("payment_period", "datesPeriodeVersement", "the day or period of the payments"),
            ("eu_notified", "notificationUE", "true or false"),
        ):
            if getattr(funding, attribute) is None:
                self.missing(
                    contract, f"{line}.{attribute}", scdl, f"{what} has no {attribute}", fix
                )
        if not funding.nature:
            self.missing(
                contract,
                f"{line}.nature",
                "nature",
                f"{what} has no nature",
                "cash, in_kind or both",
            )
        if len(action.title) > 255:
            self.invalid(
                contract,
                f"{line}.objet",
                "objet",
                f"the title of action {action.id!r} is over 255 characters",
                action.title,
                "a title under 256 characters",
            )
        self.formula(contract, f"{line}.objet", "objet", action.title)
        self.formula(contract, f"{line}.funder", "nomAttribuant", funder.name)
        if beneficiary is not None:
            self.formula(contract, f"{line}.beneficiary", "nomBeneficiaire", beneficiary.name)
        if funding.decision is not None:
            self.formula(contract, f"{line}.decision", "referenceDecision", funding.decision)
        if len(self.problems) > before or beneficiary is None:
            return None
        assert funder.siret is not None
        assert funding.convention_on is not None
        assert funding.payment_conditions is not None
        assert funding.payment_period is not None
        assert funding.eu_notified is not None
        return Subsidy(
            contract=contract.id,
            action=action.id,
            line=line,
            year=funding.year,
            grantor=funder.name,
            grantor_siret=funder.siret,
            convention_on=funding.convention_on,
            decision=funding.decision,
            beneficiary=beneficiary.name,
            beneficiary_siret=beneficiary.siret,
            beneficiary_rna=beneficiary.rna,
            purpose=action.title,
            amount=funding.committed,
            nature=funding.nature,
            payment_conditions=funding.payment_conditions,
            payment_period=funding.payment_period,
            eu_notified=funding.eu_notified,
            share=funding.share if funding.share is not None else Decimal(1),
            aid_scheme=funding.aid_scheme,
        )


def _only(operators: tuple[str, ...]) -> str | None:
    return operators[0] if len(operators) == 1 else None


def subsidies(
    dataset: Dataset,
    *,
    allow_invalid: bool = False,
    plugins: PluginManager | None = None,
) -> SubsidyTable:
    """Return the subsidies a collectivité grants to an operator, as SCDL rows.

    Args:
        dataset: The dataset.
        allow_invalid: True computes the rows from a dataset with errors anyway.
        plugins: The plugin manager whose checks ``validate`` runs; the default one otherwise.

    Raises:
        InvalidDataError: the dataset has errors and ``allow_invalid`` is False.
        DataError: a required SCDL value is missing (or breaks the format); ``problems``
            lists every one, each naming the contract, the funding line and the field.
    """
    from territoires.model._validators import check_instance

    check_instance("dataset", dataset, Dataset, "a territoires.Dataset (load a path first)")
    errors = count_errors(dataset, allow_invalid=allow_invalid, plugins=plugins)
    builder = _Rows(dataset)
    rows = []
    for contract, action, funding, line in _lines(dataset):
        granted = builder.party(funding.funder)
        if granted is None or granted[1].kind is not PartyKind.COLLECTIVITE:
            continue
        if (funding.beneficiary or _only(action.operators)) == funding.funder:
            continue  # the collectivité runs the action itself: no subsidy
        row = builder.subsidy(contract, action, funding, line)
        if row is not None:
            rows.append(row)
    if builder.problems:
        raise DataError(builder.problems)
    return SubsidyTable(rows=tuple(rows), synthetic=dataset.info.synthetic, data_errors=errors)
