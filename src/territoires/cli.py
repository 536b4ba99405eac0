r"""The ``territoires`` command: a thin layer over the public API.

Exit codes: 0 success, 1 problems found in the data, 2 usage error, unreadable input or a
plugin that failed while doing what was asked. Problems are printed one per line as
``file:record:field: message [code]``; ``--format json`` prints them for machines. The
problems ``validate`` finds are its result, on standard output; the problems that keep another
command from reading its input go to standard error, with faults and progress, so that
standard output holds results only. Control and bidirectional formatting characters from the
data are shown as escapes (``\u202e``) except in a CSV table, which is data. Without a path,
commands work on the embedded demo dataset.

A faulty plugin never stops a command; each of its faults is one line on standard error,
naming the plugin, its distribution, the hook and the cause, and how to disable it. What the
exit code says depends on whether the request needed the plugin:

- A plugin that fails to load (import, registration, a hook that does not exist) or an
  item it registers that is refused is left out, and the command runs without it: its exit
  code is the usual one. If the request names what the plugin would have registered
  (``--indicator 69123.x``, ``--format markdown``), it is unknown, which is a usage error (2).
- A plugin that fails while the command runs (a calculator, an eligibility rule, a
  ``validate_dataset`` check, a format writer) leaves the answer incomplete: the command
  still prints what it could compute (the other indicators; decisions whose failing rule is
  unknown; the other problems), then exits with 2, since the request needed that plugin.
  ``validate`` is one such command: asked to run every check, it cannot say "no problems"
  with a status of 0 when a check could not run.
- ``territoires plugins`` lists the plugins that failed and exits with 2 if any did: its
  job is to report on them.

While a command runs, whatever a plugin writes to standard output (``print()``, or a write
to file descriptor 1) goes to standard error, so that results on standard output stay clean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import territoires
from territoires import limits, wording
from territoires._enum import Lang
from territoires._messages import say
from territoires._printable import printable
from territoires._stdout import ResultsOutput
from territoires._template import write_plugin
from territoires._terminal import Progress, render_table, shown_stream
from territoires.disclosure import parse_threshold
from territoires.exceptions import InvalidDataError, PluginError, Terminated, TerritoiresError
from territoires.formats import ExportFormat
from territoires.indicators import parse_period
from territoires.measures import category_label
from territoires.model import ContractStatus, Dataset, Person
from territoires.overview import BudgetLine, Overview, overview
from territoires.plugins import (
    ALLOW_LIST,
    DEFAULT_PLUGINS,
    DISABLE_AUTOLOAD,
    PluginManager,
    get_plugin_manager,
)
from territoires.problems import Problem, ProblemCode, Severity, omitted
from territoires.wording import SYNTHETIC_BANNER, euros, integer
from territoires.wording import date_short as format_date

if TYPE_CHECKING:
    from territoires.indicators import Level

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

_T = TypeVar("_T")

EXIT_OK = 0
"""The command did its work, and the data has no error."""
EXIT_DATA = 1
"""The data has problems of severity error; the command lists them."""
EXIT_USAGE = 2
"""A usage error, an unreadable input, or a plugin that failed doing what was asked."""

# Problems that mean "this is not readable input" rather than "this data has problems".
_UNREADABLE = frozenset(
    {
        ProblemCode.UNREADABLE,
        ProblemCode.EMPTY_FILE,
        ProblemCode.BINARY_FILE,
        ProblemCode.ENCODING,
        ProblemCode.INVALID_JSON,
        ProblemCode.UNKNOWN_FORMAT,
        ProblemCode.UNSUPPORTED_SCHEMA,
        ProblemCode.LINE_TOO_LONG,
        ProblemCode.TOO_LARGE,
        ProblemCode.TOO_DEEP,
    }
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)"
            ) from None


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be zero or more")
    return value


def _participation_count(text: str) -> int:
    value = _positive(text)
    if value > territoires.demo.MAX_PARTICIPATIONS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is more than {territoires.demo.MAX_PARTICIPATIONS:,} rows"
        )
    return value


# -- loading ------------------------------------------------------------------------------------


STDIN = "-"
"""The path that names standard input (for inputs) or standard output (for ``-o``)."""
_STDIN_LABEL = "<stdin>"


class _Refused(Exception):
    """A request the command refuses before doing anything: exit 2 with one line (the message)."""


def _stdin_bytes() -> bytes:
    """Return standard input, read within the readers' bound on a file's size."""
    stream = getattr(sys.stdin, "buffer", None)
    chunks: list[bytes] = []
    size = 0
    while size <= limits.MAX_FILE_BYTES:
        if stream is not None:
            chunk = stream.read(min(1 << 20, limits.MAX_FILE_BYTES + 1 - size))
        else:  # a text stream without bytes underneath (a test's StringIO)
            chunk = sys.stdin.read(1 << 20).encode("utf-8")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limits.MAX_FILE_BYTES:
        raise _Problems(
            [
                Problem(
                    code=ProblemCode.TOO_LARGE,
                    message=f"standard input holds more than the {limits.MAX_FILE_BYTES:,} "
                    "bytes territoires reads (territoires.limits.MAX_FILE_BYTES)",
                    file=_STDIN_LABEL,
                    expected=f"at most {limits.MAX_FILE_BYTES:,} bytes",
                )
            ]
        )
    return b"".join(chunks)


def _stdin_suffix(data: bytes) -> str:
    """The suffix that makes the readers read ``data`` as what it is (JSON, workbook, table)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return ".json"
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    return ".csv"  # read line by line, so that the bound on a line's length holds too


def _from_stdin(read: Callable[[Path], _T]) -> _T:
    """Call ``read`` on standard input spooled to a private file, which the readers check as any."""
    import tempfile

    data = _stdin_bytes()
    with tempfile.TemporaryDirectory(prefix="territoires-stdin-") as folder:
        path = Path(folder) / f"stdin{_stdin_suffix(data)}"
        path.write_bytes(data)
        del data
        try:
            return read(path)
        except _Problems as exc:
            raise _Problems(_relabel(exc.problems, path), code=exc.code) from None


def _relabel(problems: Sequence[Problem], path: Path) -> list[Problem]:
    """Problems of the spooled file, said of standard input."""
    return [p.located(file=_STDIN_LABEL) if p.file == str(path) else p for p in problems]


def _load(
    path: str | None,
    encoding: str | None,
    progress: Progress,
    warnings: list[Problem] | None = None,
) -> tuple[Dataset, str]:
    """Return the dataset at ``path`` (the demo for None, stdin for ``-``) and a label.

    Exits on unreadable input. Warnings met while reading go to ``warnings`` when given
    (``validate`` lists them with the rest), otherwise to standard error: the output stays
    what the command produces.
    """
    if path is None:
        with progress.doing("demo"):
            return territoires.demo.build(), "demo"
    if path == STDIN:

        def read(spooled: Path) -> tuple[Dataset, str]:
            found: list[Problem] = []
            dataset, _ = _load(str(spooled), encoding, progress, found)
            _warn(_relabel(found, spooled), warnings)
            return dataset, _STDIN_LABEL

        return _from_stdin(read)
    with progress.doing("reading", path=path):
        dataset, problems = territoires.read(path, encoding=encoding)
    if dataset is None:
        raise _Problems(problems)
    _warn(problems, warnings)
    return dataset, path


def _warn(problems: Sequence[Problem], warnings: list[Problem] | None) -> None:
    """Add ``problems`` to ``warnings`` when given, otherwise print them on standard error."""
    if warnings is not None:
        warnings.extend(problems)
        return
    for problem in problems:
        sys.stderr.write(problem.format() + "\n")


def _load_persons(path: str, encoding: str | None) -> tuple[Person, ...]:
    """Return the persons at ``path`` (stdin for ``-``); exit with every problem when unreadable."""
    if path == STDIN:
        return _from_stdin(lambda spooled: _load_persons(str(spooled), encoding))
    try:
        return territoires.load_persons(path, encoding=encoding)
    except territoires.DataError as exc:
        raise _Problems(exc.problems) from None


class _PluginFaults:
    """The plugin faults of one command: printed as they are met, and counted in its exit code.

    Faults met while the manager is built (a plugin or an item left out) are printed at once
    and leave the exit code alone; faults met afterwards, while the command does what was
    asked, make it 2 (see the module). :func:`main` makes one per command.
    """

    def __init__(self) -> None:
        self.manager: PluginManager | None = None
        self._loading = 0  # how many faults were met while loading
        self._shown = 0  # how many faults are printed
        self._named: set[str] = set()  # the plugins whose first fault said how to disable them

    def load(self) -> PluginManager:
        """Build the plugin manager of the command and print the faults met loading it."""
        self.manager = get_plugin_manager()
        self._loading = len(self.manager.errors)
        self.show()
        return self.manager

    def show(self) -> None:
        """Print the faults not printed yet, one line each, on standard error."""
        if self.manager is None:
            return
        for error in self.manager.errors[self._shown :]:
            shown_stream(sys.stderr).write(f"territoires: {error}{self._disable(error)}\n")
        self._shown = len(self.manager.errors)

    def shown(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a fault printed already (a writer's fault is also raised)."""
        return self.manager is not None and any(
            str(error) == str(exc) for error in self.manager.errors[: self._shown]
        )

    def exit_code(self, code: int) -> int:
        """Return the command's exit code, 2 if a plugin failed while the command ran."""
        self.show()
        if self.manager is not None and len(self.manager.errors) > self._loading:
            return max(code, EXIT_USAGE)
        return code

    def _disable(self, error: PluginError) -> str:
        """How to disable the plugin, said once per plugin."""
        if error.plugin in self._named:
            return ""
        self._named.add(error.plugin)
        if error.plugin in DEFAULT_PLUGINS:
            return " (a bug of territoires: please report it)"
        uninstall = f"pip uninstall {error.distribution}, or " if error.distribution else ""
        return (
            f" (to disable the plugin: {uninstall}name the plugins to load in {ALLOW_LIST}, "
            f"or set {DISABLE_AUTOLOAD}=1 to load none)"
        )


def _plugins(args: argparse.Namespace) -> PluginManager:
    """Return the plugin manager of the command; faults met loading it are printed."""
    faults: _PluginFaults = args.plugin_faults
    return faults.load()


class _Problems(Exception):
    def __init__(self, problems: Sequence[Problem], *, code: int | None = None) -> None:
        super().__init__(len(problems))
        self.problems = list(problems)
        self.code = code  # None: what the problems say (see _exit_code)


def _print_problems(problems: Sequence[Problem], fmt: str, out: TextIO, lang: Lang = "fr") -> None:
    """Print problems: all of them as JSON, the first ``limits.MAX_PROBLEMS_SHOWN`` as text.

    Readers keep at most ``limits.MAX_PROBLEMS`` per file and count the others; as text, a
    last line counts every problem not printed.
    """
    if fmt == "json":
        json.dump({"problems": [p.to_dict() for p in problems]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    listed = [p for p in problems if p.code is not ProblemCode.TOO_MANY_PROBLEMS]
    shown = listed[: limits.MAX_PROBLEMS_SHOWN]
    for problem in shown:
        out.write(problem.format() + "\n")
    rest = len(listed) - len(shown) + omitted(problems)
    if rest:
        out.write(say("more-problems", lang, rest=rest, shown=len(shown)) + "\n")


_INVALID_SHOWN = 10
"""How many errors a command refusing invalid data prints (``validate`` lists them all)."""


def _lang(args: argparse.Namespace) -> Lang:
    """The language of the command's messages: its ``--lang``, French by default."""
    lang: Lang = getattr(args, "lang", None) or "fr"
    return lang


def _dataset_path(args: argparse.Namespace) -> str | None:
    """The dataset argument of the command (None for the demo)."""
    path: str | None = getattr(args, "path", None)
    return path


def _print_invalid(exc: InvalidDataError, args: argparse.Namespace, fmt: str, out: TextIO) -> None:
    """Say why nothing was written: the errors' count, the first ones, how to see them all."""
    path = _dataset_path(args)
    label = _STDIN_LABEL if path == STDIN else path or "demo"
    problems = [p if p.file else p.located(file=label) for p in exc.problems]
    if fmt == "json":
        _print_problems(problems, fmt, out)
        return
    lang = _lang(args)
    command = f" {_quoted(path)}" if path else ""
    out.write(
        "territoires: "
        + say("invalid-data", lang, label=label, errors=len(problems), path=command)
        + "\n"
    )
    for problem in problems[:_INVALID_SHOWN]:
        out.write(problem.format() + "\n")
    if len(problems) > _INVALID_SHOWN:
        out.write(
            say("more-problems", lang, rest=len(problems) - _INVALID_SHOWN, shown=_INVALID_SHOWN)
            + "\n"
        )


def _quoted(path: str) -> str:
    """``path`` as a POSIX shell reads it back: quoted when it holds spaces and such."""
    if path and all(c.isalnum() or c in "@%+=:,./-_" for c in path):
        return printable(path)
    return printable("'" + path.replace("'", "'\"'\"'") + "'")


def _exit_code(problems: Sequence[Problem]) -> int:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if not errors:
        return EXIT_OK
    if any(p.code in _UNREADABLE for p in errors):
        return EXIT_USAGE
    return EXIT_DATA


# -- commands -----------------------------------------------------------------------------------


def _summary(dataset: Dataset) -> dict[str, int]:
    return {
        "territories": len(dataset.territories),
        "parties": len(dataset.parties),
        "contracts": len(dataset.contracts),
        "actions": sum(len(c.all_actions()) for c in dataset.contracts),
        "participations": len(dataset.participations),
        "reports": len(dataset.reports),
    }


def _cmd_validate(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    problems: list[Problem] = []
    dataset, label = _load(args.path, args.encoding, progress, warnings=problems)
    manager = _plugins(args)
    loaded = len(manager.errors)
    with progress.doing("checking"):
        geography = None if args.no_geography else territoires.OFFICIAL_GEOGRAPHY
        problems += territoires.validate(dataset, geography=geography, plugins=manager)
    failed = {error.plugin for error in manager.errors[loaded:]}
    for_file = [p if p.file else p.located(file=label) for p in problems]
    if args.format == "json":
        json.dump(
            {"summary": _summary(dataset), "problems": [p.to_dict() for p in for_file]},
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
    else:
        lang = _lang(args)
        _print_problems(for_file, "text", out, lang)
        errors = sum(p.severity is Severity.ERROR for p in for_file)
        warnings = len(for_file) - errors
        verdict = (
            say("no-problems", lang)
            if not for_file
            else say("problems-found", lang, errors=errors, warnings=warnings)
        )
        if dataset.info.synthetic:
            verdict += say("synthetic-note", lang)
        if failed:  # "no problems" is then only what the checks that ran could say
            verdict += say("incomplete-checks", lang, plugins=len(failed))
        counts = say("dataset-counts", lang, **_summary(dataset))
        out.write(say("validate-summary", lang, label=label, counts=counts, verdict=verdict))
        out.write("\n")
    return _exit_code(for_file)


def _cmd_show(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    dataset, label = _load(args.path, args.encoding, progress)
    on: dt.date = args.on or dt.date.today()
    lang: Lang = args.lang
    seen = overview(dataset, on=on)
    if args.format == "json":
        json.dump(
            _overview_json(seen, dataset.info.title or label, dataset.info.synthetic),
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    fr = lang == "fr"
    out.write(f"{printable(dataset.info.title or label)}\n")
    if dataset.info.synthetic:
        out.write(f"*** {SYNTHETIC_BANNER[lang]} ***\n")
    out.write(("Situation au " if fr else "Situation on ") + format_date(on, lang) + "\n\n")
    headers = (
        ["Cohorte", "Contrat", "Territoire", "Type", "Signature", "Fin (avenants)", "Statut",
         "Actions ouvertes", "Engagé", "Dépensé"]
        if fr
        else ["Cohort", "Contract", "Territory", "Kind", "Signed", "End (amended)", "Status",
              "Open actions", "Committed", "Spent"]
    )  # fmt: skip
    rows = [
        [
            str(line.cohort),
            line.id,
            line.territory_name,
            line.kind.value.upper(),
            wording.approximate_date(line.signature, lang, short=True),
            format_date(line.period.end, lang) + (" *" if line.prolonged else ""),
            line.status.label(lang) + (" ≈" if line.status_approximate else ""),
            integer(line.open_actions, lang),
            euros(line.committed, lang),
            "—" if line.spent is None else euros(line.spent, lang),
        ]
        for line in seen.contracts
    ]
    title = "Contrats par cohorte" if fr else "Contracts by cohort"
    out.write(render_table(headers, rows, numeric=[False] * 7 + [True] * 3, title=title))
    out.write("\n" + ("* prolongé par avenant" if fr else "* prolonged by an avenant") + "\n")
    if any(line.status_approximate or line.committees_approximate for line in seen.contracts):
        out.write(
            "≈ approximatif : les sources ne donnent pas le jour de la signature"
            if fr
            else "≈ approximate: the sources do not give the signing day"
        )
        out.write("\n")
    out.write("\n")
    upcoming = [s for s in seen.steering if s.dates]
    if upcoming:
        out.write(
            render_table(
                ["Contrat", "Prochain comité de pilotage"]
                if fr
                else ["Contract", "Next steering committee"],
                [
                    [s.contract, format_date(s.dates[0], lang) + (" ≈" if s.approximate else "")]
                    for s in upcoming
                ],
                title=(
                    "Comités de pilotage à venir (à partir de la date)"
                    if fr
                    else "Upcoming steering committees (from the date on)"
                ),
            )
            + "\n\n"
        )
    statuses = list(ContractStatus)
    out.write(
        render_table(
            ["Cohorte" if fr else "Cohort", *[s.label(lang) for s in statuses], "Total"],
            [
                [
                    str(cohort.year),
                    *[integer(dict(cohort.statuses).get(s, 0), lang) for s in statuses],
                    integer(cohort.total, lang),
                ]
                for cohort in seen.cohorts
            ],
            numeric=[False, *[True] * (len(statuses) + 1)],
            title=("Statut des contrats par cohorte" if fr else "Contract status by cohort"),
        )
        + "\n\n"
    )
    budget = seen.budget
    for title_fr, title_en, lines, head_fr, head_en in (
        ("Budget par thème", "Budget by theme", budget.by_theme, "Thème", "Theme"),
        ("Budget par financeur", "Budget by funder", budget.by_funder, "Financeur", "Funder"),
    ):
        table_rows = [
            [
                line.category.label(lang),
                euros(line.committed, lang),
                "—" if line.spent is None else euros(line.spent, lang),
                "—" if line.share is None else wording.percent(line.share, lang),
            ]
            for line in lines
        ]
        table_rows.append(
            [
                "Total",
                euros(budget.committed, lang),
                "—" if budget.spent is None else euros(budget.spent, lang),
                wording.percent(Decimal(100), lang) if budget.committed else "—",
            ]
        )
        out.write(
            render_table(
                [
                    head_fr if fr else head_en,
                    "Engagé" if fr else "Committed",
                    "Dépensé" if fr else "Spent",
                    "Part" if fr else "Share",
                ],
                table_rows,
                numeric=[False, True, True, True],
                title=(title_fr if fr else title_en)
                + (
                    " (contrats tels qu'amendés à la date)"
                    if fr
                    else " (contracts as amended on the date)"
                ),
            )
            + "\n\n"
        )
    counts_line = say("dataset-counts", lang, **_summary(dataset))
    out.write(counts_line + "\n")
    return EXIT_OK


def _overview_json(seen: Overview, title: str, synthetic: bool) -> dict[str, Any]:
    """The overview for machines: ISO dates, euros as decimal strings, enum values."""

    def day(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    def money(value: Decimal | None) -> str | None:
        return None if value is None else format(value, "f")

    def lines(found: Sequence[BudgetLine]) -> dict[str, dict[str, str | None]]:
        return {
            line.category.value: {"committed": money(line.committed), "spent": money(line.spent)}
            for line in found
        }

    return {
        "dataset": title,
        "synthetic": synthetic,
        "on": seen.on.isoformat(),
        "contracts": [
            {
                "contract": line.id,
                "cohort": line.cohort,
                "kind": line.kind.value,
                "territory": line.territory,
                "territory_name": line.territory_name,
                "signed_on": day(line.signed_on),
                "signed_precision": (
                    line.signature.precision.value if line.signature is not None else None
                ),
                "status_approximate": line.status_approximate,
                "start": line.period.start.isoformat(),
                "end": day(line.period.end),
                "amendments": line.amendments,
                "status": line.status.value,
                "actions": line.open_actions,
                "committed": money(line.committed),
                "spent": money(line.spent),
                "next_steering_committee": day(line.next_committees[0])
                if line.next_committees
                else None,
            }
            for line in seen.contracts
        ],
        "budget_by_theme": lines(seen.budget.by_theme),
        "budget_by_funder": lines(seen.budget.by_funder),
    }


def _cmd_geo(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.geo import get_geography

    geography = get_geography()
    lang: Lang = args.lang
    results = geography.search(args.query, limit=args.limit)
    alias = geography.alias(args.query.strip())
    notice = None
    if alias is not None:
        from territoires.geo import resolve

        notice = resolve(args.query.strip(), geography=geography).notice(lang)
    if args.format == "json":
        json.dump(
            {
                "vintage": geography.vintage,
                "millesime": geography.millesime,
                "notice": notice,
                "results": [
                    {
                        "id": t.id,
                        "kind": t.kind.value,
                        "name": t.name,
                        "population": t.population,
                        "parents": list(t.parents),
                    }
                    for t in results
                ],
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK if results else EXIT_DATA
    if not results:  # a problem, not a result: on standard error
        hint = _suggestions(geography.suggest(args.query), lang)
        sys.stderr.write(say("no-territory-match", lang, query=args.query, hint=hint) + "\n")
        return EXIT_DATA
    rows = []
    for t in results:
        parents = []
        for ref in t.parents:
            parent = geography.lookup(ref)
            parents.append(parent.name if parent else ref)
        rows.append(
            [
                t.id,
                t.kind.label(lang),
                t.name,
                integer(t.population, lang) if t.population is not None else "—",
                ", ".join(parents),
            ]
        )
    headers = (
        ["Référence", "Type", "Nom", "Population", "Appartient à"]
        if lang == "fr"
        else ["Reference", "Kind", "Name", "Population", "Part of"]
    )
    out.write(render_table(headers, rows, numeric=[False, False, False, True, False]) + "\n")
    if notice is not None:
        out.write(printable(notice) + "\n")
    out.write(f"({geography.vintage})\n")
    return EXIT_OK


def _cmd_registry(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires import registry

    lang: Lang = args.lang
    fr = lang == "fr"
    try:
        found = registry.load(args.file) if args.file else registry.entries()
    except territoires.DataError as exc:
        raise _Problems(exc.problems) from None
    if args.id:
        known = {e.id: e for e in found}
        missing = [i for i in args.id if i not in known]
        if missing:
            raise territoires.UnknownContractError(
                missing, list(known), " in the registry of contracts"
            )
        found = tuple(known[i] for i in args.id)
    if args.format == "json":
        json.dump(
            {"contracts": [_registry_json(e) for e in found]}, out, ensure_ascii=False, indent=2
        )
        out.write("\n")
        return EXIT_OK
    headers = (
        ["Contrat", "Territoire", "Code", "Type", "Signataire", "Cohorte", "Signé",
         "Annoncé pour le", "Fiabilité", "Sources"]
        if fr
        else ["Contract", "Territory", "Code", "Kind", "Signatory", "Cohort", "Signed",
              "Scheduled for", "Reliability", "Sources"]
    )  # fmt: skip
    rows = [
        [
            e.id,
            e.name,
            e.territory,
            e.kind.value.upper(),
            e.signatory_kind.label(lang),
            str(e.cohort),
            wording.approximate_date(e.signed, lang, short=True)
            if e.signed is not None
            else ("aucune source" if fr else "no source"),
            wording.approximate_date(e.scheduled, lang, short=True),
            e.reliability.label(lang),
            integer(len(e.sources), lang),
        ]
        for e in found
    ]
    title = "Contrats connus des sources publiques" if fr else "Contracts known from public sources"
    out.write(render_table(headers, rows, numeric=[False] * 9 + [True], title=title) + "\n")
    if args.id:
        for e in found:
            out.write(f"\n{e.id}\n")
            for source in e.sources:
                where = source.url or ("(sans adresse)" if fr else "(no address)")
                out.write(f"  - {printable(source.title)}: {printable(source.facts)}\n    {where}")
                out.write(
                    f" ({'lu' if fr else 'read'} {wording.approximate_date(source.read, lang)}, "
                    f"{'fiabilité' if fr else 'reliability'} {source.reliability.label(lang)})\n"
                )
    out.write(
        "\n"
        + (
            "Fiabilité : la plus faible des sources du contrat. Détail et adresses : "
            "territoires registry --id ID, ou --format json."
            if fr
            else "Reliability: the lowest of the contract's sources. Details and addresses: "
            "territoires registry --id ID, or --format json."
        )
        + "\n"
    )
    return EXIT_OK


def _registry_json(e: Any) -> dict[str, Any]:
    def text(value: Any) -> str | None:
        return None if value is None else str(value.text())

    return {
        "id": e.id,
        "name": e.name,
        "territory": e.territory,
        "kind": e.kind.value,
        "signatory_kind": e.signatory_kind.value,
        "signatories": list(e.signatories),
        "cohort": e.cohort,
        "signed": text(e.signed),
        "signed_precision": e.signed.precision.value if e.signed is not None else None,
        "scheduled": text(e.scheduled),
        "drafting": text(e.drafting),
        "start": text(e.start),
        "end": text(e.end),
        "public": sorted(c.value for c in e.public),
        "diair_signs": e.diair_signs,
        "amendments": [
            {
                "signed": text(a.signed),
                "title": a.title,
                "diair_signs": a.diair_signs,
                "note": a.note,
            }
            for a in e.amendments
        ],
        "reliability": e.reliability.value,
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "read": text(s.read),
                "reliability": s.reliability.value,
                "facts": s.facts,
            }
            for s in e.sources
        ],
        "note": e.note,
    }


def _check_folder(path: str | None, lang: Lang) -> None:
    """Refuse an output whose folder does not exist: the command line creates no folder."""
    if path is None or path == STDIN:
        return
    folder = Path(path).parent
    if not folder.exists():
        raise _Refused(
            say("missing-folder", lang, path=printable(path), folder=printable(str(folder)))
        )


def _cmd_demo(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    _check_folder(args.out, _lang(args))
    with progress.doing("generating", rows=args.participations or 6000):
        dataset = territoires.demo.build(seed=args.seed, participations=args.participations)
    lang = _lang(args)
    if args.out is None:
        counts = say("dataset-counts", lang, **_summary(dataset))
        out.write(say("demo-summary", lang, title=dataset.info.title, counts=counts) + "\n")
        return EXIT_OK
    wrote = say("demo-wrote", lang, path=args.out, participations=len(dataset.participations))
    if args.out == STDIN:  # the JSON document on standard output, the line on standard error
        import tempfile

        with tempfile.TemporaryDirectory(prefix="territoires-out-") as folder:
            territoires.dump(dataset, Path(folder) / "demo.json")
            out.write((Path(folder) / "demo.json").read_text(encoding="utf-8"))
        sys.stderr.write(wrote + "\n")
        return EXIT_OK
    with progress.doing("writing", path=args.out):
        written = territoires.dump(dataset, args.out)
    out.write(
        say("demo-wrote", lang, path=written, participations=len(dataset.participations)) + "\n"
    )
    return EXIT_OK


def _registered_names(manager: PluginManager, name: str) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for family, catalogue in (
        ("rules", manager.rules),
        ("indicators", manager.indicators),
        ("formats", manager.formats),
    ):
        for registration in catalogue.registrations():
            if registration.plugin.name == name:
                label = registration.item.name
                if registration.replaced is not None:
                    label += f" (replaces {registration.replaced.name})"
                names.setdefault(family, []).append(label)
    return names


_PLUGIN_COLUMNS = ("plugin", "distribution", "status", "hooks", "registers")


def _cmd_plugins(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    manager = _plugins(args)
    faults: dict[str, list[str]] = defaultdict(list)
    for error in manager.errors:
        faults[error.plugin].append(f"{error.hook}: {error.cause}")
    loaded = [info for info in manager.plugin_infos() if args.all or not info.builtin]
    entries: list[dict[str, Any]] = [
        {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "builtin": info.builtin,
            "module": info.module,
            "status": "failed" if failed else "faulty" if faults[info.name] else "ok",
            "hooks": [] if failed else manager.hooks_of(info.name),
            "registers": {} if failed else _registered_names(manager, info.name),
            "errors": faults[info.name],
        }
        for info, failed in [
            *((info, False) for info in loaded),
            *((info, True) for info in manager.left_out()),
        ]
    ]
    if args.format == "json":
        json.dump(
            {"plugins": entries, "errors": [str(e) for e in manager.errors]},
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
    elif entries:
        lang = _lang(args)
        headers = [say(f"plugins-{key}", lang) for key in _PLUGIN_COLUMNS]
        rows = [
            [
                entry["name"],
                f"{entry['distribution'] or '—'} {entry['version'] or ''}".strip(),
                say(f"plugin-{entry['status']}", lang)
                + (f" ({'; '.join(entry['errors'])})" if entry["status"] == "failed" else ""),
                ", ".join(entry["hooks"]) or "—",
                "; ".join(f"{k}: {', '.join(v)}" for k, v in entry["registers"].items()) or "—",
            ]
            for entry in entries
        ]
        if all(entry["status"] == "ok" for entry in entries):  # the column says nothing then
            headers, rows = headers[:2] + headers[3:], [row[:2] + row[3:] for row in rows]
        out.write(render_table(headers, rows) + "\n")
    else:
        out.write(say("no-plugin", _lang(args)) + "\n")
    return EXIT_USAGE if manager.errors else EXIT_OK


def _levels(chosen: Sequence[str]) -> list[Level]:
    from territoires.indicators import Level

    return list(Level) if "all" in chosen else [Level.from_value(v) for v in chosen]


_LANG_HELP = "language of the output and of the messages: fr (default) or en"


def _cmd_export(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    """Export what ``--what`` names; ``territoires report`` is this command with its defaults."""
    from territoires.formats import ExportKind

    lang = _lang(args)
    manager = _plugins(args)
    known = manager.formats
    if args.to not in known:
        raise territoires.FormatError(
            f"no export format named {args.to!r} (available: {', '.join(sorted(known))})"
        )
    chosen = known[args.to]
    what = ExportKind.from_value(args.what)
    if what not in chosen.kinds:
        can = ", ".join(sorted(k.value for k in chosen.kinds))
        raise territoires.FormatError(
            f"format {args.to!r} cannot export {what.label_en}s (--what {can})"
        )
    to_stdout = args.output == STDIN
    if to_stdout and chosen.folder:
        raise _Refused(say("folder-output-on-stdout", lang, format=args.to))
    _check_folder(args.output, lang)
    _check_folder(getattr(args, "ledger", None), lang)
    if args.path == STDIN and args.persons == STDIN:
        raise _Refused(say("stdin-twice", lang))
    options = {"dialect": args.dialect} if args.dialect else None
    threshold = parse_threshold(args.threshold)
    period = parse_period(args.period)
    dataset, _ = _load(args.path, args.encoding, progress)
    territories = _territories(args, dataset)
    obj: Any = dataset
    inputs = [args.path] if args.path and args.path != STDIN else []
    notes: list[str] = []  # what the "wrote" line says of the output, in brackets
    if what is ExportKind.DECISIONS and args.persons and args.persons != STDIN:
        inputs.append(args.persons)
    # Refused before any work: writing over an input loses it (unless nothing would be lost).
    same_form = what is ExportKind.DATASET and _same_form(args.path, chosen)
    whole = args.with_participations or not dataset.participations
    if not to_stdout:
        _refuse_overwriting(
            args.output,
            [*inputs, *([args.ledger] if getattr(args, "ledger", None) else [])],
            lossless=same_form and whole,
            hint="add --with-participations to rewrite the dataset whole" if same_form else None,
        )
    ledger, fingerprint = _ledger(args, dataset, what, progress)
    data_errors = 0
    if what is ExportKind.INDICATORS:
        from territoires.indicators import compute_indicators

        with progress.doing("indicators"):
            obj = compute_indicators(
                dataset,
                period=period,
                territories=territories,
                level=_levels(args.level or [_DEFAULT_LEVEL]),
                indicators=args.indicator or None,
                threshold=threshold,
                plugins=manager,
                ledger=ledger,
                fingerprint=fingerprint,
                allow_invalid=args.allow_invalid,
            )
        data_errors = obj.data_errors
    elif what is ExportKind.DECISIONS:
        from territoires.eligibility import screen

        if not args.persons:
            raise territoires.FormatError("--what decisions needs --persons FILE")
        data_errors = _check_valid(dataset, manager, args.allow_invalid)
        persons = _load_persons(args.persons, args.encoding)
        on: dt.date = args.on or dt.date.today()
        with progress.doing("screening", persons=len(persons)):
            obj = list(screen(persons, dataset, on=on, plugins=manager))
    elif what is ExportKind.REPORT:
        from territoires.report import build_report

        with progress.doing("report"):
            obj = build_report(
                dataset,
                period=period,
                territories=territories,
                lang=lang,
                threshold=threshold,
                plugins=manager,
                ledger=ledger,
                fingerprint=fingerprint,
                allow_invalid=args.allow_invalid,
            )
        data_errors = obj.data_errors
        if territories and not obj.contracts:
            raise _Refused(say("no-contract-there", lang, territories=", ".join(territories)))
        notes.append(say("report-details", lang, period=str(period), contracts=len(obj.contracts)))
    elif what is ExportKind.SUBSIDIES:
        from territoires.subsidies import subsidies

        with progress.doing("subsidies"):
            try:
                obj = subsidies(dataset, allow_invalid=args.allow_invalid, plugins=manager)
            except territoires.DataError as exc:
                raise _Problems(exc.problems) from None
        data_errors = obj.data_errors
        notes.append(say("subsidy-rows", lang, rows=len(obj)))
    else:
        data_errors = _check_valid(dataset, manager, args.allow_invalid)
    if dataset.info.synthetic:
        notes.append(say("synthetic", lang))
    if data_errors:
        notes.append(say("data-errors", lang, errors=data_errors))
    left_out = (
        say("participations-left-out", lang)
        if what is ExportKind.DATASET
        and dataset.participations
        and not args.with_participations
        and chosen.person_level
        else ""
    )
    with progress.doing("writing", path=f"{args.output} ({args.to})"):
        written = _export(
            obj,
            format=args.to,
            path=args.output,
            plugins=manager,
            participations=args.with_participations,
            options=options,
            out=out,
        )
    if data_errors:
        sys.stderr.write(say("allowed-invalid", lang, errors=data_errors) + "\n")
    if what is ExportKind.REPORT:
        wrote = say("wrote-report", lang, path=written, notes=", ".join(notes))
    else:
        bracket = f" ({'; '.join(notes)})" if notes else ""
        wrote = say("wrote", lang, path=written, format=args.to, notes=bracket) + left_out
    if to_stdout:  # the output is the file itself: the line goes with the messages
        sys.stderr.write(wrote + "\n")
        if what in (ExportKind.INDICATORS, ExportKind.REPORT):
            sys.stderr.write(say("no-certificate-on-stdout", lang) + "\n")
    else:
        out.write(wrote + "\n")
    if what in (ExportKind.INDICATORS, ExportKind.REPORT):
        if what is ExportKind.INDICATORS:
            return _after_publication(args, obj, fingerprint, progress)
        # The report shows three tables protected together: the ledger records all three.
        return _after_publication(args, obj.table, fingerprint, progress, tables=obj.tables)
    return EXIT_OK


_DEFAULT_LEVEL = "all"
"""The default of ``--level`` wherever it exists (``indicators``, ``export``): every level, so
that a figure read in the terminal is the figure of the exported file."""


def _territories(args: argparse.Namespace, dataset: Dataset) -> list[str] | None:
    """The references ``--territory`` names: codes, names, communes within a contract's place.

    A reference of the dataset or of the official geography is kept; a name is looked up as
    ``territoires geo`` does and stands for the best match that concerns a contract; a
    commune (or any place) lying within a contract's territory stands for that territory, so
    that ``--territory Grenoble`` reports on the Métropole's contract. An unknown name or
    one that concerns no contract is refused with the nearest names.
    """
    given: list[str] | None = getattr(args, "territory", None)
    if not given:
        return None
    from territoires.geo import get_geography

    geography = get_geography()
    lang = _lang(args)
    contracts = list(dict.fromkeys(contract.territory for contract in dataset.contracts))
    found: list[str] = []
    for text in given:
        if text in contracts or dataset.territory(text) is not None:
            found.append(text)
            continue
        known = geography.lookup(text)
        candidates = [known] if known is not None else geography.search(text, limit=10)
        if not candidates:
            hint = _suggestions(geography.suggest(text), lang)
            raise _Refused(say("unknown-territory", lang, query=text, hint=hint))
        for candidate in candidates:
            places = _contract_places(candidate.id, contracts, geography)
            if places is not None:
                found.extend(places)
                break
        else:
            if known is not None:  # an official place without contract: kept, as the API does
                found.append(known.id)
                continue
            names = ", ".join(f"{t.name} ({t.id})" for t in candidates[:5])
            raise _Refused(say("no-contract-territory", lang, query=text, names=names))
    return list(dict.fromkeys(found))


def _contract_places(reference: str, contracts: Sequence[str], geography: Any) -> list[str] | None:
    """What ``reference`` selects among the contracts' territories, None if it concerns none."""
    if reference in contracts:
        return [reference]
    if any(geography.is_within(place, reference) for place in contracts):
        return [reference]  # it holds contracts' territories: the engines select them
    around = [place for place in contracts if geography.is_within(reference, place)]
    return around or None


def _suggestions(names: Sequence[str], lang: Lang) -> str:
    return say("did-you-mean", lang, names=", ".join(names)) if names else ""


def _check_valid(dataset: Dataset, manager: PluginManager, allow_invalid: bool) -> int:
    """The errors ``territoires validate`` finds in ``dataset``; refused unless allowed."""
    found = [
        problem
        for problem in territoires.validate(dataset, plugins=manager)
        if problem.severity is Severity.ERROR
    ]
    if found and not allow_invalid:
        raise InvalidDataError(found)
    return len(found)


def _export(obj: Any, *, format: str, path: str, out: TextIO, **given: Any) -> Path:
    """:func:`territoires.export`, to standard output for ``-``: the file's bytes, as written."""
    if path != STDIN:
        written: Path = territoires.export(
            obj, format=format, path=path, allow_invalid=True, **given
        )
        return written
    import tempfile

    with tempfile.TemporaryDirectory(prefix="territoires-out-") as folder:
        chosen = given["plugins"].formats[format]
        target = Path(folder) / f"output{chosen.suffix}"
        territoires.export(obj, format=format, path=target, allow_invalid=True, **given)
        data = target.read_bytes()
    binary = getattr(out, "buffer", None)
    if binary is not None:
        out.flush()
        binary.write(data)
        binary.flush()
    else:
        out.write(data.decode("utf-8"))
    return Path(STDIN)


def _same_form(path: str | None, chosen: ExportFormat) -> bool:
    """Whether ``chosen`` writes a dataset in the form the input ``path`` is read as."""
    from territoires.formats import ExportKind

    if path is None or ExportKind.DATASET not in chosen.reads:
        return False
    source = Path(path)
    if source.is_dir() or source.name == "datapackage.json":
        return chosen.name == "datapackage"
    return chosen.name == source.suffix.lower().lstrip(".")


def _refuse_overwriting(
    target: str, inputs: Sequence[str], *, lossless: bool, hint: str | None
) -> None:
    """Refuse to write over an input being read, unless the output holds all of it again."""
    from territoires.io import overlapping_input

    found = overlapping_input(target, inputs)
    if found is None:
        return
    itself = Path(found).resolve() == Path(target).resolve()
    if lossless and itself:
        return  # the input rewritten whole, in its own form: nothing is lost
    advice = f", or {hint}" if hint and itself else ""
    raise territoires.WriteError(
        target, f"it is the input being read ({found}); write to another path{advice}"
    )


def _cmd_template(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.forms import form_name, operators_of, write_templates

    lang = _lang(args)
    folder = Path(args.output)
    if not folder.is_dir():
        raise _Refused(
            say("missing-folder", lang, path=printable(args.output), folder=printable(args.output))
        )
    dataset, _ = _load(args.path, args.encoding, progress)
    with progress.doing("writing", path=args.output):
        written = write_templates(
            dataset, args.contract, folder, operators=args.operator, csv_forms=args.csv
        )
    contract = dataset.contract(args.contract)
    assert contract is not None  # write_templates found it
    actions = operators_of(contract)
    names = {
        form_name(contract.id, operator, suffix): operator
        for operator in actions
        for suffix in (".xlsx", ".csv")
    }
    for path in written:
        operator = names[path.name]
        out.write(
            say("form-wrote", lang, path=path, operator=operator, actions=len(actions[operator]))
            + "\n"
        )
    return EXIT_OK


def _cmd_collect(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.forms import collect

    lang = _lang(args)
    _check_folder(args.output, lang)
    inputs = [*args.forms, *([args.into] if args.into and args.into != STDIN else [])]
    _refuse_overwriting(args.output, inputs, lossless=False, hint=None)
    dataset, _ = _load(args.into, args.encoding, progress)
    with progress.doing("reading", path=f"{len(args.forms)} forms"):
        try:
            result = collect(dataset, args.forms, encoding=args.encoding)
        except territoires.DataError as exc:
            raise _Problems(exc.problems) from None
    with progress.doing("writing", path=args.output):
        written = territoires.dump(result.dataset, args.output)
    out.write(
        say(
            "collect-wrote",
            lang,
            path=written,
            forms=result.forms,
            added=result.added,
            replaced=result.replaced,
            unchanged=result.unchanged,
        )
        + "\n"
    )
    return EXIT_OK


def _cmd_new_plugin(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.geo import get_geography

    territory = get_geography().get(args.territory)
    _check_folder(str(Path(args.out) / "package"), _lang(args))  # the folder to write into
    root = write_plugin(Path(args.out), args.name, territory.id, territory.name)
    out.write(say("new-plugin-wrote", _lang(args), path=root) + "\n")
    return EXIT_OK


_OUTCOME_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}


def _cmd_eligibility(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.eligibility import check_eligibility, screen

    lang: Lang = args.lang
    fr = lang == "fr"
    if args.data is not None:
        if args.path is not None:
            raise _Refused(say("data-twice", lang, first=args.path, second=args.data))
        sys.stderr.write(say("data-deprecated", lang) + "\n")
        args.path = args.data
    if args.path == STDIN and args.persons == STDIN:
        raise _Refused(say("stdin-twice", lang))
    persons = _load_persons(args.persons, args.encoding)
    manager = _plugins(args)
    dataset, _ = _load(args.path, args.encoding, progress)
    on: dt.date = args.on or dt.date.today()
    if args.action:
        contract = dataset.contract_of(args.action)
        if contract is None:
            raise territoires.FormatError(f"no action {args.action!r} in the dataset")
        decisions = [
            check_eligibility(person, args.action, contract, on=on, plugins=manager)
            for person in persons
        ]
    else:
        with progress.doing("screening", persons=len(persons)):
            decisions = list(screen(persons, dataset, on=on, plugins=manager))
    if args.format == "json":
        json.dump(
            {"on": on.isoformat(), "decisions": [d.to_dict() for d in decisions]},
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    if not decisions:
        out.write(say("no-open-action", lang, date=format_date(on, lang)) + "\n")
        return EXIT_OK
    if args.action:
        for decision in decisions:
            out.write(
                f"{decision.person} — {decision.action} ({decision.contract}), "
                f"{format_date(on, lang)} : {decision.outcome.label(lang)}\n"
                if fr
                else f"{decision.person} — {decision.action} ({decision.contract}), "
                f"{format_date(on, lang)}: {decision.outcome.label(lang)}\n"
            )
            out.write(
                render_table(
                    ["", "Règle" if fr else "Rule", "Motif" if fr else "Reason", "Source"],
                    [
                        [
                            _OUTCOME_MARK[v.outcome.value],
                            v.label(lang),
                            v.verdict.reason(lang),
                            v.source.title,
                        ]
                        for v in decision.verdicts
                    ],
                )
                + "\n"
            )
            for notice in decision.notices:
                out.write(f"! {notice.text(lang)}\n")
            out.write("\n")
        return EXIT_OK
    shown = decisions if args.all else [d for d in decisions if d.outcome.value != "not_eligible"]
    rows = []
    for decision in shown:
        blocking = decision.reasons(
            territoires.Outcome.NOT_MET
            if decision.outcome.value == "not_eligible"
            else territoires.Outcome.UNKNOWN,
            lang,
        )
        rows.append(
            [
                decision.person,
                decision.contract,
                decision.action,
                decision.outcome.label(lang),
                blocking[0] if blocking else "",
            ]
        )
    headers = (
        ["Personne", "Contrat", "Action", "Décision", "Premier motif"]
        if fr
        else ["Person", "Contract", "Action", "Decision", "First reason"]
    )
    if rows:
        out.write(render_table(headers, rows) + "\n")
    hidden = len(decisions) - len(shown)
    if hidden:
        out.write(say("hidden-decisions", lang, hidden=hidden) + "\n")
    notices = {n for d in decisions for n in d.notices}
    for notice in sorted(notices, key=lambda n: n.text_en):
        out.write(f"! {notice.text(lang)}\n")
    eligible = sum(1 for d in decisions if d.eligible)
    out.write(say("eligible-decisions", lang, eligible=eligible, total=len(decisions)) + "\n")
    return EXIT_OK


def _amount(value: Decimal, unit: str, lang: Lang) -> str:
    return wording.amount(value, unit, lang)  # the same figure reads the same everywhere


def _status_text(row: Any, lang: Lang) -> str:
    # One word for every suppressed cell: telling primary from secondary would say which
    # cells hold fewer persons than the threshold.
    if row.status.suppressed:
        return "secret" if lang == "fr" else "suppressed"
    if row.status.value == "undefined":
        return "—"
    return ""


def _cmd_indicators(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.indicators import Level, compute_indicators, since_start

    manager = _plugins(args)
    lang = _lang(args)
    threshold = parse_threshold(args.threshold)
    period = parse_period(args.period)
    levels = _levels(args.level or [_DEFAULT_LEVEL])
    _check_folder(args.ledger, lang)
    dataset, label = _load(args.path, args.encoding, progress)
    territories = _territories(args, dataset)
    if args.cumulative:
        period = since_start(dataset, period)
    ledger, fingerprint = _ledger(args, dataset, None, progress)
    with progress.doing("indicators"):
        table = compute_indicators(
            dataset,
            period=period,
            territories=territories,
            level=levels,
            indicators=args.indicator or None,
            threshold=threshold,
            plugins=manager,
            ledger=ledger,
            fingerprint=fingerprint,
            allow_invalid=args.allow_invalid,
        )
    if table.data_errors:
        sys.stderr.write(say("allowed-invalid", lang, errors=table.data_errors) + "\n")
    if args.format in ("json", "csv"):
        from territoires.io import writers

        writers.write_indicators_to(table, out, format=args.format)
        return _after_publication(args, table, fingerprint, progress)
    fr = lang == "fr"
    out.write(f"{printable(dataset.info.title or label)}\n")
    if table.synthetic:
        out.write(f"*** {SYNTHETIC_BANNER[lang]} ***\n")
    if table.data_errors:
        out.write(f"*** {say('data-errors', lang, errors=table.data_errors).upper()} ***\n")
    start, end = format_date(table.period.start, lang), format_date(table.period.end, lang)
    out.write(
        f"Indicateurs du {start} au {end} ; secret statistique : moins de {threshold} personnes\n\n"
        if fr
        else f"Indicators from {start} to {end}; disclosure control: fewer than {threshold} "
        "persons\n\n"
    )
    for level in reversed(Level):
        if level not in levels:
            continue
        rows = [_indicator_line(table, row, lang) for row in table.select(level=level)]
        if not rows:
            continue
        headers = (
            ["Où", "Indicateur", "Ventilation", "Valeur", "Cible", "Secret"]
            if fr
            else ["Where", "Indicator", "Breakdown", "Value", "Target", "Disclosure"]
        )
        numeric = [False, False, False, True, True, False]
        if level is Level.NATIONAL:  # one place: no "where" column
            headers, numeric, rows = headers[1:], numeric[1:], [r[1:] for r in rows]
        title = level.label(lang).capitalize()
        out.write(render_table(headers, rows, numeric=numeric, title=title) + "\n\n")
    return _after_publication(args, table, fingerprint, progress)


def _ledger(
    args: argparse.Namespace, dataset: Any, what: Any, progress: Progress
) -> tuple[Any, str | None]:
    """The ledger of ``--ledger`` and the dataset's fingerprint, or (None, None)."""
    if not getattr(args, "ledger", None):
        if getattr(args, "release", None):
            raise territoires.FormatError("--release names a release of --ledger: give both")
        return None, None
    from territoires.formats import ExportKind
    from territoires.io import fingerprint, load_ledger

    if what is not None and what not in (ExportKind.INDICATORS, ExportKind.REPORT):
        raise territoires.FormatError("--ledger records indicators and reports only")
    with progress.doing("ledger", path=args.ledger):
        ledger = load_ledger(args.ledger)
        return ledger, fingerprint(dataset)


def _after_publication(
    args: argparse.Namespace,
    table: Any,
    fingerprint: str | None,
    progress: Progress,
    *,
    tables: Sequence[Any] = (),
) -> int:
    """Record the release (``table``, or ``tables``) in ``--ledger``; warn of exposed cells."""
    audit = table.audit
    if getattr(args, "ledger", None) and fingerprint is not None:
        from territoires.io import record_release
        from territoires.publication import release_of

        with progress.doing("recording", path=args.ledger):
            record_release(
                args.ledger,
                release_of(tables or table, fingerprint=fingerprint, label=args.release),
            )
    if audit is not None and audit.exposed:
        shown = "; ".join(cell.label for cell in audit.exposed[:10])
        more = len(audit.exposed) - 10
        sys.stderr.write(
            printable(
                say("exposed-by-releases", _lang(args), exposed=len(audit.exposed), shown=shown)
                + (say("and-more", _lang(args), more=more) if more > 0 else "")
            )
            + "\n"
        )
        return EXIT_DATA
    return EXIT_OK


_TARGET_KINDS: dict[str, dict[str, str]] = {
    "fr": {"period": "période", "action": "action entière", "contract": "contrat entier"},
    "en": {"period": "period", "action": "whole action", "contract": "whole contract"},
}
"""What the target column says a target is for (see :class:`~territoires.TargetKind`)."""


def _indicator_line(table: Any, row: Any, lang: Lang) -> list[str]:
    definition = table.indicators[row.indicator]
    name = definition.label_fr if lang == "fr" else definition.label_en
    where = row.action or row.contract or row.territory
    breakdown = ""
    if row.dimension is not None:
        category = category_label(row.dimension, row.category, lang)
        breakdown = f"{row.dimension.label(lang)} : {category}"
        if lang == "en":
            breakdown = breakdown.replace(" : ", ": ")
    value = _amount(row.value, row.unit.value, lang) if row.value is not None else ""
    target = ""
    if row.target is not None:
        target = _amount(row.target, row.unit.value, lang)
        if row.achievement is not None:
            target += f" ({wording.percent(row.achievement * 100, lang)})"
        if row.target_kind is not None:
            target += f" [{_TARGET_KINDS[lang][row.target_kind.value]}]"
    return [
        where,
        name if row.dimension is None else "",
        breakdown,
        value,
        target,
        _status_text(row, lang),
    ]


def _cmd_audit(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    """Audit published indicator files, with what a ledger says was published before."""
    from territoires.disclosure import audit
    from territoires.io import load_ledger, load_table

    threshold = None if args.threshold is None else parse_threshold(args.threshold)
    tables: dict[str, Any] = {}
    for path in args.files:
        with progress.doing("reading", path=path):
            try:
                table = load_table(path)
            except territoires.DataError as exc:
                # Input that is not a table cannot be audited: a usage error, never "exposed".
                raise _Problems(exc.problems, code=EXIT_USAGE) from None
        tables[_unique(Path(path).name or path, tables, path)] = table
    earlier: list[tuple[str, Any]] = []
    if args.ledger is not None:
        if not Path(args.ledger).exists():
            # load_ledger reads a missing ledger as an empty one (a first release); auditing
            # against nothing while asked for a ledger would say "protected" for the wrong reason.
            raise territoires.FormatError(f"{args.ledger}: no ledger there")
        with progress.doing("ledger", path=args.ledger):
            try:
                ledger = load_ledger(args.ledger)
            except territoires.DataError as exc:
                raise _Problems(exc.problems, code=EXIT_USAGE) from None
        names: dict[str, None] = dict.fromkeys(tables)
        for release in ledger.releases:
            for table in release.published_tables():
                name = _unique(f"{release.name} ({table.period})", names, release.released)
                names[name] = None
                earlier.append((name, table))
    manager = _plugins(args)
    with progress.doing("auditing", tables=len(tables) + len(earlier)):
        report = audit(
            tables,
            threshold=threshold,
            plugins=manager,
            labels=args.labels,
            earlier=earlier,
        )
    labelled = {cell.status for cell in report.hidden} & {"primary", "secondary"}
    if labelled and not args.labels:
        sys.stderr.write(
            "territoires: the files tell primary from secondary suppression, which an attacker "
            "reads too: audit with --labels\n"
        )
    if args.format == "json":
        json.dump(report.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_audit(report, out, _lang(args))
    return EXIT_DATA if report.exposed else EXIT_OK


def _unique(name: str, taken: Any, qualifier: object) -> str:
    """``name``, or ``name [qualifier]`` (then numbered) if it is taken already."""
    if name not in taken:
        return name
    name = f"{name} [{qualifier}]"
    number = 2
    found = name
    while found in taken:
        found = f"{name} #{number}"
        number += 1
    return found


def _print_audit(report: Any, out: TextIO, lang: Lang = "fr") -> None:
    """The audit as text: a summary line, then one line per exposed cell."""
    exposed = report.exposed
    verdict = (
        say("audit-exposed", lang, exposed=len(exposed))
        if exposed
        else say("audit-protected", lang)
    )
    out.write(
        say(
            "audit-summary",
            lang,
            tables=len(report.tables),
            cells=report.cells,
            hidden=len(report.hidden),
            verdict=verdict,
        )
        + "\n"
    )
    if len(report.states) > 1:
        states = " | ".join(", ".join(state) for state in report.states)
        out.write(say("audit-states", lang, states=len(report.states), listed=states) + "\n")
    for cell in exposed:
        why = ", ".join(exposure.label(lang) for exposure in cell.exposures)
        counts = ", ".join(f"{count.count} {count}" for count in cell.counts)
        by = "; ".join(cell.sources) or "—"
        out.write(say("audit-exposed-cell", lang, cell=cell.label, why=why, counts=counts, by=by))
        out.write("\n")


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``territoires`` command (used by the docs too)."""
    parser = _Parser(
        prog="territoires",
        description="Territorial integration contracts (CTAIR, CTAI, PTAI): check, show, "
        "export. Without PATH, commands use the embedded demo dataset (synthetic activity).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {territoires.__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def data_command(
        name: str, help_: str, formats: Sequence[str] = ("text", "json")
    ) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_, description=help_)
        command.add_argument(
            "path",
            nargs="?",
            help="a .json document, a .csv table or a data-package folder; - for standard "
            "input (default: the demo)",
        )
        command.add_argument(
            "--encoding", help="encoding of CSV input when not UTF-8 (e.g. cp1252)"
        )
        command.add_argument(
            "--format",
            choices=list(formats),
            default=formats[0],
            help=f"output format (default: {formats[0]})",
        )
        return command

    def scope_options(
        command: argparse.ArgumentParser, *, levels: str | None, hint: str = ""
    ) -> None:
        """The options that choose which protected indicators to compute (``levels``: default)."""
        command.add_argument(
            "--period", help=f"{hint}2021, 2021-S1 or 2021-01-01..2021-06-30 (default: last year)"
        )
        command.add_argument(
            "--territory", action="append", help=f"{hint}a territory to restrict to (repeatable)"
        )
        if levels is not None:
            command.add_argument(
                "--level",
                action="append",
                choices=["action", "contract", "territory", "national", "all"],
                help=f"levels (repeatable; default: {levels}, as everywhere)",
            )
            command.add_argument(
                "--indicator", action="append", help="an indicator (repeatable; default: all)"
            )
        command.add_argument(
            "--threshold", default="11", help="smallest count of persons published, or a preset"
        )
        command.add_argument(
            "--ledger",
            metavar="PATH",
            help=f"{hint}the publication ledger (private JSON, created if absent): protect "
            "together with every earlier release, then record this one",
        )
        command.add_argument(
            "--release", metavar="LABEL", help="with --ledger: what the release is for, in words"
        )

    def add_lang(command: argparse.ArgumentParser) -> None:
        command.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)

    def add_allow_invalid(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--allow-invalid",
            action="store_true",
            help="compute from a dataset with errors anyway (territoires validate lists them); "
            "the output then says how many errors its data has",
        )

    validate = data_command("validate", "check a dataset and list every problem")
    validate.add_argument(
        "--no-geography",
        action="store_true",
        help="do not check territory codes against the official geography",
    )
    add_lang(validate)
    validate.set_defaults(handler=_cmd_validate)

    show = data_command(
        "show", "contracts by cohort, kind and status on a date; budget by theme and funder"
    )
    show.add_argument("--on", type=_date, help="date of the situation (default: today)")
    add_lang(show)
    show.set_defaults(handler=_cmd_show)

    geo = commands.add_parser(
        "geo",
        help="find territories of the official geography by name or code",
        description="find territories of the official geography by name or code",
    )
    geo.add_argument("query", help='a name ("clermont ferrand") or a reference (69123, dep:69)')
    geo.add_argument("--limit", type=_positive, default=10, help="most names to list (default: 10)")
    add_lang(geo)
    geo.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    geo.set_defaults(handler=_cmd_geo)

    template = commands.add_parser(
        "template",
        help="write one form per operator of a contract: its actions, typed columns, lists",
        description="write one workbook per operator of a contract, holding its actions only: "
        "typed columns, drop-down lists, a protected header and an 'À lire' sheet",
    )
    template.add_argument(
        "path",
        nargs="?",
        help="a .json document, a .csv table or a data-package folder; - for standard "
        "input (default: the demo)",
    )
    template.add_argument("--encoding", help="encoding of CSV input when not UTF-8 (e.g. cp1252)")
    template.add_argument("--contract", required=True, help="the contract whose operators fill")
    template.add_argument(
        "--operator", action="append", help="only this operator (repeatable; default: all)"
    )
    template.add_argument(
        "--csv",
        action="store_true",
        help="also write each form as an empty CSV table in the excel-fr dialect",
    )
    template.add_argument(
        "-o", "--output", required=True, metavar="FOLDER", help="the folder to write the forms in"
    )
    add_lang(template)
    template.set_defaults(handler=_cmd_template)

    collect_ = commands.add_parser(
        "collect",
        help="merge operators' filled forms into a dataset, every problem of every form at once",
        description="merge operators' filled forms (.xlsx, or .csv in the excel-fr dialect) "
        "into a dataset; nothing is written while any form holds a problem",
    )
    collect_.add_argument("forms", nargs="+", help="the forms (CONTRACT--OPERATOR.xlsx or .csv)")
    collect_.add_argument(
        "--into",
        help="the dataset the forms were written for (default: the demo); - for standard input",
    )
    collect_.add_argument("--encoding", help="encoding of CSV input when not UTF-8 (e.g. cp1252)")
    collect_.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="the merged dataset: a folder (data package), or a .json or .xlsx file",
    )
    add_lang(collect_)
    collect_.set_defaults(handler=_cmd_collect)

    registry_ = commands.add_parser(
        "registry",
        help="the contracts known from public sources, with their dates and sources",
        description="the contracts known from public sources (CTAIR and CTAI), with their "
        "dates as precisely as the sources give them and every source",
    )
    registry_.add_argument(
        "file", nargs="?", help="a registry file in the same TOML format (default: the bundled one)"
    )
    registry_.add_argument(
        "--id", action="append", help="a contract to detail with its sources (repeatable)"
    )
    add_lang(registry_)
    registry_.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    registry_.set_defaults(handler=_cmd_registry)

    demo = commands.add_parser(
        "demo",
        help="write the demo dataset (real territories, synthetic activity)",
        description="write the demo dataset: the 18 CTAIR territories with synthetic activity",
    )
    demo.add_argument(
        "--participations",
        type=_participation_count,
        help=f"number of rows (default 6,000, at most {territoires.demo.MAX_PARTICIPATIONS:,})",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=territoires.demo.DEFAULT_SEED,
        help="seed of the synthetic activity: the same seed gives the same data",
    )
    demo.add_argument(
        "--out",
        help="a folder (data package) or a .json file to write, in an existing folder; - for "
        "a JSON document on standard output",
    )
    add_lang(demo)
    demo.set_defaults(handler=_cmd_demo)

    plugins = commands.add_parser(
        "plugins",
        help="list installed plugins, their hooks and what they register",
        description="list installed plugins, their hooks and what they register",
    )
    plugins.add_argument("--all", action="store_true", help="include the built-in plugins")
    plugins.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    add_lang(plugins)
    plugins.set_defaults(handler=_cmd_plugins)

    export = commands.add_parser(
        "export",
        help="write a dataset, indicators, decisions or a report in a registered format",
        description="write a dataset (without its participations unless asked), its "
        "disclosure-controlled indicators, eligibility decisions or the steering-committee "
        "report in a registered format (territoires plugins --all lists them), atomically",
    )
    export.add_argument(
        "path",
        nargs="?",
        help="the dataset to export; - for standard input (default: the demo)",
    )
    export.add_argument(
        "--what",
        choices=["dataset", "indicators", "decisions", "report", "subsidies"],
        default="dataset",
        help="what to export (default: dataset)",
    )
    export.add_argument("--format", dest="to", required=True, help="name of the format")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        help="file or folder to write, in an existing folder; - for standard output",
    )
    export.add_argument(
        "--dialect",
        choices=["default", "excel-fr"],
        help="CSV dialect: excel-fr writes ';', decimal commas, DD/MM/YYYY and a BOM",
    )
    export.add_argument(
        "--with-participations",
        action="store_true",
        help="include the participations (pseudonymous rows) in a dataset export",
    )
    scope_options(export, levels=_DEFAULT_LEVEL, hint="indicators, report: ")
    add_allow_invalid(export)
    export.add_argument(
        "--persons", help="decisions: the JSON or CSV file of persons; - for standard input"
    )
    export.add_argument("--on", type=_date, help="decisions: date (default: today)")
    add_lang(export)
    export.add_argument("--encoding", help="encoding of CSV input when not UTF-8")
    export.set_defaults(handler=_cmd_export)

    report = commands.add_parser(
        "report",
        help="write the steering-committee report of a period as one HTML file",
        description="write the steering-committee report of a period as one self-contained "
        "HTML file (contracts, cohorts, budget, targets, protected counts, next committees), "
        "atomically; charts need the 'report' extra (matplotlib)",
    )
    report.add_argument(
        "path",
        nargs="?",
        help="the dataset to report on; - for standard input (default: the demo)",
    )
    report.add_argument("--encoding", help="encoding of CSV input when not UTF-8")
    scope_options(report, levels=None)
    add_allow_invalid(report)
    add_lang(report)
    report.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="file to write, in an existing folder; - for standard output (default: report.html)",
    )

    # The report is an export: the same code writes it, with the report's defaults.
    report.set_defaults(
        handler=_cmd_export,
        what="report",
        to="html",
        dialect=None,
        with_participations=False,
        level=None,
        indicator=None,
        persons=None,
        on=None,
    )

    indicators = data_command(
        "indicators",
        "compute the indicators of a period, disclosure-controlled",
        formats=("table", "csv", "json"),
    )
    scope_options(indicators, levels=_DEFAULT_LEVEL)
    indicators.add_argument(
        "--cumulative",
        action="store_true",
        help="count from the earliest contract start to the end of --period, so that targets "
        "of whole actions and contracts get an achievement",
    )
    add_allow_invalid(indicators)
    add_lang(indicators)
    indicators.set_defaults(handler=_cmd_indicators)

    eligibility = commands.add_parser(
        "eligibility",
        help="explain whether persons are eligible to actions on a date",
        description="explain whether persons are eligible to the actions of the dataset on a "
        "date: every rule's verdict with its reason and source",
    )
    eligibility.add_argument("persons", help="a JSON or CSV file of persons; - for standard input")
    eligibility.add_argument(
        "path",
        nargs="?",
        help="the dataset of contracts: a .json document or a data-package folder; - for "
        "standard input (default: the demo)",
    )
    eligibility.add_argument(
        "--data", default=None, help="deprecated: give the dataset after the persons file"
    )
    eligibility.add_argument("--action", help="the action to explain (default: every open one)")
    eligibility.add_argument("--on", type=_date, help="date of the decision (default: today)")
    add_lang(eligibility)
    eligibility.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    eligibility.add_argument("--encoding", help="encoding of CSV input (persons, dataset)")
    eligibility.add_argument(
        "--all", action="store_true", help="list not eligible decisions too (summary)"
    )
    eligibility.set_defaults(handler=_cmd_eligibility)

    audit = commands.add_parser(
        "audit",
        help="check that no suppressed cell of published indicator files can be recovered",
        description="check that no suppressed cell of published indicator files (JSON, CSV, "
        "data packages, written by territoires or by another tool with the same columns) can "
        "be recovered from them together, and from the releases of a ledger: exit 0 when "
        "every suppressed cell is protected, 1 when one is exposed (each named, with the "
        "relations that expose it)",
    )
    audit.add_argument("files", nargs="+", metavar="FILE", help="a published indicator table")
    audit.add_argument(
        "--ledger",
        metavar="PATH",
        help="a publication ledger: the FILEs are audited with what it released",
    )
    audit.add_argument(
        "--threshold",
        help="smallest count of persons published, or a preset (default: the files')",
    )
    audit.add_argument(
        "--labels",
        action="store_true",
        help="assume the attacker reads primary and secondary labels, where files show them",
    )
    audit.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    add_lang(audit)
    audit.set_defaults(handler=_cmd_audit)

    new_plugin = commands.add_parser(
        "new-plugin",
        help="write a ready-to-install plugin package for a territory",
        description="write a ready-to-install plugin package for a territory",
    )
    new_plugin.add_argument("name", help="short name, e.g. lyon-jeunes")
    new_plugin.add_argument(
        "--territory", required=True, help="code of the territory (69123, 200046977, dep:69)"
    )
    new_plugin.add_argument(
        "--out", default=".", help="an existing folder to write into (default: here)"
    )
    add_lang(new_plugin)
    new_plugin.set_defaults(handler=_cmd_new_plugin)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; return its exit code.

    Args:
        argv: Arguments (``sys.argv[1:]`` by default).
        out: Where results go (standard output by default); the problems ``validate``
            finds go there too. Problems with the input of other commands, faults and
            progress go to standard error. While the command runs, anything else written to
            standard output (a plugin's ``print()``; with the default, any write to file
            descriptor 1) goes to standard error.

    .. versionadded:: 0.1
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, TextIO, Progress], int] = args.handler
    fmt = getattr(args, "format", "text")
    faults = args.plugin_faults = _PluginFaults()
    errors = shown_stream(sys.stderr)
    code = EXIT_OK
    # Results go to their own stream; a plugin's writes to standard output go to stderr.
    with ResultsOutput(out) as results:
        # A CSV table or a file written to standard output (-o -) is data, kept exact; the
        # rest is shown as it is.
        exact = fmt == "csv" or STDIN in (getattr(args, "output", None), getattr(args, "out", None))
        stream = results.stream if exact else shown_stream(results.stream)
        try:
            try:
                code = handler(args, stream, Progress(lang=_lang(args)))
            except _Problems as exc:
                code = exc.code or _exit_code(exc.problems) or EXIT_DATA
                # The problems are what validate gives; for another command, what it needs
                # first, on standard error, as text or (--format json) as JSON.
                shown = stream if args.command == "validate" else errors
                _print_problems(exc.problems, fmt, shown, _lang(args))
            except InvalidDataError as exc:
                # Nothing was written: the engines refuse before any output is opened.
                _print_invalid(exc, args, fmt, errors)
                code = EXIT_DATA
            results.stream.flush()  # a reader gone away (``| head``) is met here, not at exit
        except BrokenPipeError:
            results.silence()  # stop quietly, without a traceback at exit
        except _Refused as exc:
            errors.write(f"territoires: {exc}\n")
            code = EXIT_USAGE
        except (TerritoiresError, OSError) as exc:
            faults.show()  # the plugins' faults first: they may be why
            if not faults.shown(exc):
                errors.write(f"territoires: {exc}\n")
            code = EXIT_USAGE
        except Terminated as exc:
            errors.write(f"territoires: terminated ({signal.Signals(exc.signal).name})\n")
            return 128 + exc.signal
        except KeyboardInterrupt:
            errors.write("territoires: interrupted\n")
            return 130
    return faults.exit_code(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
