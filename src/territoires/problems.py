"""Problems found in data: what :meth:`.Dataset.validate` and :func:`territoires.load` report.

A :class:`Problem` says where (file, record, field path), what (the offending value and what
was expected) and which rule (a stable :class:`ProblemCode`). Problems are collected, never
raised one at a time, so a user fixes a file in one pass.

This module imports nothing from the rest of the package but the enum base class and
``territoires._printable``, which shows control characters visibly.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from territoires._enum import LabelledEnum
from territoires._printable import printable

__all__ = ["Problem", "ProblemCode", "Severity", "format_value", "omitted", "too_many"]


class Severity(LabelledEnum):
    """How serious a problem is: errors make the data unusable, warnings deserve a look."""

    ERROR = ("error", "erreur", "error")
    WARNING = ("warning", "avertissement", "warning")


class ProblemCode(LabelledEnum):
    """Stable codes of every problem the library reports.

    The value (``"duplicate-id"``) is what tools match on; it never changes meaning. The
    labels say in words what the code covers.
    """

    # Reading files
    UNREADABLE = (
        "unreadable",
        "fichier illisible (absent, dossier, droits)",
        "file cannot be read (missing, a directory, permissions)",
    )
    EMPTY_FILE = ("empty-file", "fichier vide", "the file is empty")
    BINARY_FILE = (
        "binary-file",
        "fichier binaire ou encodage non textuel",
        "binary file or not a text encoding",
    )
    ENCODING = (
        "encoding",
        "texte non décodable dans l'encodage attendu",
        "text cannot be decoded in the expected encoding",
    )
    LINE_TOO_LONG = (
        "line-too-long",
        "ligne trop longue pour un tableau",
        "a line is too long for a table",
    )
    INVALID_JSON = ("invalid-json", "JSON invalide ou tronqué", "invalid or truncated JSON")
    TOO_LARGE = (
        "too-large",
        "fichier, partie de classeur ou en-tête au-delà des limites de lecture",
        "file, workbook part or header beyond the reading limits",
    )
    TOO_DEEP = (
        "too-deep",
        "imbrication JSON trop profonde",
        "JSON nested too deeply",
    )
    UNKNOWN_FORMAT = (
        "unknown-format",
        "format de fichier non reconnu",
        "file format not recognised",
    )
    UNSUPPORTED_SCHEMA = (
        "unsupported-schema",
        "version de schéma absente ou non prise en charge",
        "schema version missing or not supported",
    )
    TOO_MANY_PROBLEMS = (
        "too-many-problems",
        "autres problèmes comptés mais non listés",
        "further problems counted but not listed",
    )
    # Structure of records
    DUPLICATE_KEY = (
        "duplicate-key",
        "clé en double dans un objet JSON",
        "key repeated in a JSON object",
    )
    MISSING_FIELD = ("missing-field", "champ obligatoire absent", "required field missing")
    UNKNOWN_FIELD = ("unknown-field", "champ inconnu", "unknown field")
    MISSING_COLUMN = ("missing-column", "colonne obligatoire absente", "required column missing")
    UNKNOWN_COLUMN = ("unknown-column", "colonne inconnue", "unknown column")
    WRONG_TYPE = ("wrong-type", "type de valeur inattendu", "value of the wrong type")
    INVALID_VALUE = ("invalid-value", "valeur invalide", "invalid value")
    INVALID_DATE = ("invalid-date", "date invalide", "invalid date")
    INVALID_NUMBER = ("invalid-number", "nombre invalide", "invalid number")
    UNKNOWN_ENUM = (
        "unknown-enum",
        "valeur hors de la liste autorisée",
        "value not in the allowed list",
    )
    INVALID_CODE = (
        "invalid-code",
        "code officiel mal formé (INSEE, SIREN, SIRET)",
        "malformed official code (INSEE, SIREN, SIRET)",
    )
    INCONSISTENT_ROWS = (
        "inconsistent-rows",
        "lignes d'un même enregistrement en désaccord",
        "rows of one record disagree",
    )
    # Cross-record checks
    DUPLICATE_ID = ("duplicate-id", "identifiant en double", "duplicate id")
    UNKNOWN_REFERENCE = (
        "unknown-reference",
        "référence à un enregistrement inexistant",
        "reference to a record that does not exist",
    )
    UNKNOWN_TERRITORY = (
        "unknown-territory",
        "territoire absent de la géographie officielle",
        "territory not in the official geography",
    )
    TERRITORY_MISMATCH = (
        "territory-mismatch",
        "territoire en désaccord avec la géographie officielle",
        "territory disagrees with the official geography",
    )
    MILLESIME_AHEAD = (
        "millesime-ahead",
        "code d'un millésime du COG postérieur à celui de la géographie",
        "code of a COG millésime later than the geography's",
    )
    FORMER_CODE = (
        "former-code",
        "code d'un territoire qui n'existe plus dans le millésime de la géographie",
        "code of a territory that no longer exists in the geography's millésime",
    )
    PERIOD_OUTSIDE_CONTRACT = (
        "period-outside-contract",
        "période de l'action hors de celle du contrat (avenants compris)",
        "action period outside the contract's (as amended)",
    )
    PUBLIC_WIDER_THAN_CONTRACT = (
        "public-wider-than-contract",
        "public de l'action plus large que celui du contrat",
        "action public wider than the contract's",
    )
    PARTICIPATION_BEFORE_ACTION = (
        "participation-before-action",
        "entrée dans l'action avant son début",
        "participation entered before its action started",
    )
    PARTICIPATION_AFTER_ACTION = (
        "participation-after-action",
        "entrée dans l'action après sa fin",
        "participation entered after its action ended",
    )
    SPENT_ABOVE_COMMITTED = (
        "spent-above-committed",
        "dépense supérieure à l'engagement",
        "amount spent above amount committed",
    )
    AMENDMENT_BEFORE_SIGNATURE = (
        "amendment-before-signature",
        "avenant en vigueur avant la signature du contrat",
        "amendment in force before the contract was signed",
    )
    REPORT_OUTSIDE_ACTION = (
        "report-outside-action",
        "compte rendu hors de la période de l'action",
        "report period outside the action's",
    )
    PARTICIPATION_OPEN_AFTER_ACTION = (
        "participation-open-after-action",
        "participation sans sortie à la fin de son action (ou de son contrat)",
        "participation without an exit when its action (or contract) ended",
    )
    REPORT_OUTSIDE_WINDOW = (
        "report-outside-window",
        "compte rendu hors des jours où l'action compte (contrat terminé ou pas commencé)",
        "report period outside the days its action counts (contract ended or not begun)",
    )
    CONTRACT_WITHOUT_HOUSING = (
        "contract-without-housing",
        "contrat sans action pour l'accès au logement (obligatoire depuis 2021)",
        "contract without an action on access to housing (required since 2021)",
    )
    P104_12_FOR_REFUGEES_ONLY = (
        "p104-12-for-refugees-only",
        "action réservée aux réfugiés financée sur l'action 12 du P104 (primo-arrivants)",
        "action for refugees only funded by P104 action 12 (newcomers)",
    )
    # Operators' forms
    PERSONAL_DATA = (
        "personal-data",
        "donnée personnelle (nom, adresse électronique, téléphone) au lieu d'un pseudonyme",
        "personal data (a name, an e-mail address, a phone number) instead of a pseudonym",
    )
    UNKNOWN_SHEET = (
        "unknown-sheet",
        "feuille que le formulaire n'a pas",
        "a sheet the form does not have",
    )
    DUPLICATE_PARTICIPATION = (
        "duplicate-participation",
        "même participation envoyée par deux opérateurs",
        "the same participation sent by two operators",
    )
    # Publishing subsidies in the SCDL format
    SCDL_MISSING_VALUE = (
        "scdl-missing-value",
        "valeur obligatoire du format SCDL subventions absente",
        "required value of the SCDL subsidies format missing",
    )
    SCDL_INVALID_VALUE = (
        "scdl-invalid-value",
        "valeur contraire au format SCDL subventions",
        "value the SCDL subsidies format does not allow",
    )
    # Text shown to people
    SUSPICIOUS_TEXT = (
        "suspicious-text",
        "caractère de contrôle ou de mise en forme bidirectionnelle dans un texte",
        "control or bidirectional formatting character in a text",
    )


def format_value(value: object, limit: int = 60) -> str:
    """Return a short, printable representation of an offending value.

    Dates are shown in ISO form and amounts as plain numbers; long values are cut in the
    middle so a 1 GB line never floods a terminal.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        # Positional notation of 1E+999999999 would be a billion characters.
        plain = not value.is_finite() or -40 < int(value.as_tuple().exponent) < 40
        text = format(value, "f") if plain else str(value)
    elif type(value) is int and value.bit_length() > 256:
        # repr() of an int of more than 4,300 digits raises ValueError (Python 3.11+).
        text = f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"
    else:
        text = repr(value)
    if len(text) > limit:
        half = (limit - 3) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text


_MAX_WHERE = 120
_MAX_TEXT = 400


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def _clip_where(text: str | None) -> str | None:
    return _cut(text, _MAX_WHERE)


def _clip_text(text: str | None) -> str | None:
    return _cut(text, _MAX_TEXT)


def _clip_message(text: str) -> str:
    return _cut(text, _MAX_TEXT) or ""


@attrs.frozen(kw_only=True)
class Problem:
    """One problem found in data.

    Attributes:
        code: Stable code of the rule that failed.
        message: What is wrong, in plain words.
        file: The file the record comes from, if any.
        record: The record: its ``id`` or ``line N`` of a table.
        field: Where the value is: its path from the root of the document
            (``contracts[3].actions[0].funding[1].committed``), or the column of a table row.
        value: Printable form of the offending value (see :func:`format_value`).
        expected: What was expected instead.
        severity: :attr:`Severity.ERROR` unless the data stays usable.

    Texts are cut in the middle beyond a few hundred characters, so that a 1 GB line in a
    file never becomes a 1 GB line on a terminal.

    .. versionadded:: 0.1
    """

    code: ProblemCode
    message: str = attrs.field(converter=_clip_message)
    file: str | None = None
    record: str | None = attrs.field(default=None, converter=_clip_where)
    field: str | None = attrs.field(default=None, converter=_clip_where)
    value: str | None = attrs.field(default=None, converter=_clip_text)
    expected: str | None = attrs.field(default=None, converter=_clip_text)
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        r"""Return the problem as one line: ``file:record:field: message [code]``.

        Without a file (a problem found in memory) the line starts at the record. Control
        and bidirectional formatting characters, which a file name, an id or a message may
        hold, are shown as their escapes (``\u001b``): the line is printable text, on one line.

        Example:
            >>> Problem(code=ProblemCode.DUPLICATE_ID, message="id used twice",
            ...         file="d.json", record="c1", field="id").format()
            'd.json:c1:id: id used twice [duplicate-id]'
        """
        parts = (
            (self.record, self.field) if self.file is None else (self.file, self.record, self.field)
        )
        where = ":".join(part or "" for part in parts)
        text = f"{where}: {self.message}" if where.strip(":") else self.message
        counted = self.code is ProblemCode.TOO_MANY_PROBLEMS  # its value is in the message
        if self.value is not None and self.value not in self.message and not counted:
            text += f" (got {self.value})"
        return printable(f"{text} [{self.code.value}]")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (for ``--format json``)."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "record": self.record,
            "field": self.field,
            "value": self.value,
            "expected": self.expected,
        }

    def located(self, *, file: str | None = None, prefix: str | None = None) -> Problem:
        """Return a copy with ``file`` set and ``prefix`` prepended to the field path."""
        field = self.field
        if prefix:
            field = (
                prefix
                if not field
                else (f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}")
            )
        return attrs.evolve(self, file=file if file is not None else self.file, field=field)


def omitted(problems: Iterable[Problem]) -> int:
    """Return how many problems were counted but not kept (see ``too-many-problems``).

    A reader that meets more than ``territoires.limits.MAX_PROBLEMS`` problems in a file
    keeps the first ones and ends them with one ``too-many-problems`` problem whose ``value``
    is the number of the others.

    .. versionadded:: 0.1
    """
    return sum(
        int(p.value or 0)
        for p in problems
        if p.code is ProblemCode.TOO_MANY_PROBLEMS and (p.value or "").isdigit()
    )


def too_many(count: int, file: str | None) -> Problem:
    """Return the problem closing a list cut at ``limits.MAX_PROBLEMS``: ``count`` more."""
    return Problem(
        code=ProblemCode.TOO_MANY_PROBLEMS,
        message=f"{count:,} more problems found and not listed (the first ones are listed)",
        file=file,
        value=str(count),
        expected="fewer problems: fix the ones listed and read the file again",
    )


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Return the problems of severity error."""
    return [p for p in problems if p.severity is Severity.ERROR]
