"""A good plugin for Lyon (69123): one eligibility rule, one indicator and one export format."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from territoires import (
    Aggregation,
    Dataset,
    EligibilityRule,
    ExportFormat,
    ExportKind,
    Indicator,
    IndicatorInput,
    RuleInput,
    Source,
    Unit,
    Verdict,
    hookimpl,
)
from territoires.measures import Persons

RULE = "69123.cir_signe"
INDICATOR = "69123.participants"
FORMAT = "summary"


def has_cir(facts: RuleInput) -> Verdict:
    """Met when the person signed the republican integration contract (CIR)."""
    if facts.person.cir_date is None:
        return Verdict.unknown("date de signature du CIR inconnue", "CIR date unknown")
    return Verdict.met("CIR signé", "CIR signed")


def participants(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    """Distinct persons in the table."""
    return {(): Persons.of(row.person for row in facts.participations)}


def write_summary(dataset: Dataset, path: Path) -> None:
    """Write how many records of each kind the dataset holds, as JSON."""
    counts = {"contracts": len(dataset.contracts), "participations": len(dataset.participations)}
    path.write_text(json.dumps(counts), encoding="utf-8")


@hookimpl
def register_eligibility_rules() -> list[EligibilityRule]:
    """Register the CIR rule."""
    return [
        EligibilityRule(
            name=RULE,
            label_fr="CIR signé",
            label_en="CIR signed",
            source=Source(title="Contrat territorial de Lyon, article 3"),
            check=has_cir,
        )
    ]


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the participants indicator."""
    return [
        Indicator(
            name=INDICATOR,
            label_fr="Participants",
            label_en="Participants",
            unit=Unit.PERSONS,
            over_time=Aggregation.DISTINCT_COUNT,
            over_territory=Aggregation.DISTINCT_COUNT,
            counts_persons=True,
            compute=participants,
        )
    ]


@hookimpl
def register_export_formats() -> Iterator[ExportFormat]:
    """Register the summary format (written as a generator, which the manager accepts)."""
    yield ExportFormat(
        name=FORMAT,
        label_fr="résumé",
        label_en="summary",
        suffix=".json",
        media_type="application/json",
        kinds=frozenset({ExportKind.DATASET}),
        write=write_summary,
    )
