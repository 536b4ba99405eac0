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
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import territoires
from territoires import limits
from territoires._enum import Lang
from territoires._printable import printable
from territoires._stdout import ResultsOutput
from territoires._template import write_plugin
from territoires._terminal import (
    Progress,
    euros,
    format_date,
    integer,
    render_table,
    shown_stream,
)
from territoires._wording import SYNTHETIC_BANNER
from territoires.disclosure import parse_threshold
from territoires.exceptions import PluginError, Terminated, TerritoiresError
from territoires.formats import ExportFormat
from territoires.indicators import parse_period
from territoires.measures import category_label
from territoires.model import ContractStatus, Dataset, FundingSource, Person, Theme
from territoires.plugins import (
    ALLOW_LIST,
    DEFAULT_PLUGINS,
    DISABLE_AUTOLOAD,
    PluginManager,
    get_plugin_manager,
)
from territoires.problems import Problem, ProblemCode, Severity, omitted

if TYPE_CHECKING:
    from territoires.indicators import Level

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

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


def _load(
    path: str | None,
    encoding: str | None,
    progress: Progress,
    warnings: list[Problem] | None = None,
) -> tuple[Dataset, str]:
    """Return the dataset at ``path`` (or the demo) and a label; exit on unreadable input.

    Warnings met while reading go to ``warnings`` when given (``validate`` lists them with
    the rest), otherwise to standard error: the output stays what the command produces.
    """
    if path is None:
        with progress.step("building the demo dataset"):
            return territoires.demo.build(), "demo"
    with progress.step(f"reading {path}"):
        dataset, problems = territoires.read(path, encoding=encoding)
    if dataset is None:
        raise _Problems(problems)
    if warnings is not None:
        warnings.extend(problems)
    else:
        for problem in problems:
            sys.stderr.write(problem.format() + "\n")
    return dataset, path


def _load_persons(path: str, encoding: str | None) -> tuple[Person, ...]:
    """Return the persons at ``path``; exit with every problem when they cannot be read."""
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


def _print_problems(problems: Sequence[Problem], fmt: str, out: TextIO) -> None:
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
        out.write(f"… and {rest:,} more problems ({len(shown):,} shown)\n")


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
    with progress.step("checking references, periods and publics"):
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
        _print_problems(for_file, "text", out)
        counts = ", ".join(f"{v} {k}" for k, v in _summary(dataset).items())
        errors = sum(p.severity is Severity.ERROR for p in for_file)
        warnings = len(for_file) - errors
        verdict = "no problems" if not for_file else f"{errors} errors, {warnings} warnings"
        synthetic = " (synthetic data)" if dataset.info.synthetic else ""
        if failed:  # "no problems" is then only what the checks that ran could say
            synthetic += f"; incomplete: the checks of {len(failed)} plugin(s) failed"
        out.write(f"{label}: {counts}: {verdict}{synthetic}\n")
    return _exit_code(for_file)


def _cmd_show(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    dataset, label = _load(args.path, args.encoding, progress)
    on: dt.date = args.on or dt.date.today()
    lang: Lang = args.lang
    contracts = sorted(
        dataset.contracts,
        key=lambda c: (c.signed_on or dt.date.max, c.id),
    )
    rows: list[dict[str, Any]] = []
    by_theme: dict[Theme, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_source: dict[FundingSource, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for contract in contracts:
        amended = contract.as_of(on)
        committed = Decimal(0)
        for action in amended.actions:
            for line in action.funding:
                committed += line.committed
                spent = line.spent or Decimal(0)
                by_theme[action.theme][0] += line.committed
                by_theme[action.theme][1] += spent
                by_source[line.source][0] += line.committed
                by_source[line.source][1] += spent
        territory = dataset.territory(contract.territory)
        next_copil = None
        if amended.period.end is not None or amended.governance:
            try:
                next_copil = next((d for d in contract.steering_calendar() if d >= on), None)
            except ValueError:
                next_copil = None
        rows.append(
            {
                "contract": contract.id,
                "cohort": contract.signed_on.year if contract.signed_on else None,
                "kind": contract.kind.value,
                "territory": contract.territory,
                "territory_name": territory.name if territory else contract.territory,
                "signed_on": contract.signed_on,
                "start": amended.period.start,
                "end": amended.period.end,
                "amendments": len(contract.amendments_in_force(on)),
                "status": contract.status(on),
                "actions": sum(1 for a in amended.actions if a.is_open(on)),
                "committed": committed,
                "next_steering_committee": next_copil,
            }
        )
    if args.format == "json":
        json.dump(
            {
                "dataset": dataset.info.title or label,
                "synthetic": dataset.info.synthetic,
                "on": on.isoformat(),
                "contracts": [
                    {
                        **row,
                        "status": row["status"].value,
                        "signed_on": row["signed_on"] and row["signed_on"].isoformat(),
                        "start": row["start"].isoformat(),
                        "end": row["end"] and row["end"].isoformat(),
                        "committed": format(row["committed"], "f"),
                        "next_steering_committee": row["next_steering_committee"]
                        and row["next_steering_committee"].isoformat(),
                    }
                    for row in rows
                ],
                "budget_by_theme": {
                    t.value: {"committed": format(v[0], "f"), "spent": format(v[1], "f")}
                    for t, v in by_theme.items()
                },
                "budget_by_funder": {
                    s.value: {"committed": format(v[0], "f"), "spent": format(v[1], "f")}
                    for s, v in by_source.items()
                },
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    fr = lang == "fr"
    title = dataset.info.title or label
    out.write(f"{printable(title)}\n")
    if dataset.info.synthetic:
        out.write(f"*** {SYNTHETIC_BANNER[lang]} ***\n")
    out.write(("Situation au " if fr else "Situation on ") + format_date(on, lang) + "\n\n")
    # Contracts by cohort
    headers = (
        [
            "Cohorte",
            "Contrat",
            "Territoire",
            "Type",
            "Signé le",
            "Fin (avenants)",
            "Statut",
            "Actions",
            "Engagé",
        ]
        if fr
        else [
            "Cohort",
            "Contract",
            "Territory",
            "Kind",
            "Signed",
            "End (amended)",
            "Status",
            "Actions",
            "Committed",
        ]
    )
    table_rows = [
        [
            str(row["cohort"] or "—"),
            row["contract"],
            row["territory_name"],
            row["kind"].upper(),
            format_date(row["signed_on"], lang),
            format_date(row["end"], lang) + (" *" if row["amendments"] else ""),
            row["status"].label(lang),
            str(row["actions"]),
            euros(row["committed"], lang),
        ]
        for row in rows
    ]
    out.write(
        render_table(
            headers,
            table_rows,
            numeric=[False, False, False, False, False, False, False, True, True],
            title="Contrats par cohorte" if fr else "Contracts by cohort",
        )
    )
    out.write("\n" + ("* prolongé par avenant" if fr else "* prolonged by an avenant") + "\n\n")
    upcoming = [row for row in rows if row["next_steering_committee"] is not None]
    if upcoming:
        out.write(
            render_table(
                ["Contrat", "Prochain comité de pilotage"]
                if fr
                else ["Contract", "Next steering committee"],
                [
                    [row["contract"], format_date(row["next_steering_committee"], lang)]
                    for row in sorted(upcoming, key=lambda r: r["next_steering_committee"])
                ],
                title="Comités de pilotage à venir" if fr else "Upcoming steering committees",
            )
            + "\n\n"
        )
    # Status by cohort
    cohorts = sorted({row["cohort"] for row in rows if row["cohort"]})
    statuses = list(ContractStatus)
    counts = {
        (c, s): sum(1 for r in rows if r["cohort"] == c and r["status"] is s)
        for c in cohorts
        for s in statuses
    }
    out.write(
        render_table(
            ["Cohorte" if fr else "Cohort", *[s.label(lang) for s in statuses], "Total"],
            [
                [
                    str(c),
                    *[str(counts[c, s]) for s in statuses],
                    str(sum(counts[c, s] for s in statuses)),
                ]
                for c in cohorts
            ],
            numeric=[False, *[True] * (len(statuses) + 1)],
            title=("Statut des contrats par cohorte" if fr else "Contract status by cohort"),
        )
        + "\n\n"
    )
    # Budget
    for title_fr, title_en, table in (
        ("Budget par thème", "Budget by theme", by_theme),
        ("Budget par financeur", "Budget by funder", by_source),
    ):
        ordered = sorted(table.items(), key=lambda kv: -kv[1][0])
        total_c = sum((v[0] for _, v in ordered), Decimal(0))
        total_s = sum((v[1] for _, v in ordered), Decimal(0))
        out.write(
            render_table(
                [
                    "Thème"
                    if table is by_theme and fr
                    else "Theme"
                    if table is by_theme
                    else "Financeur"
                    if fr
                    else "Funder",
                    "Engagé" if fr else "Committed",
                    "Dépensé" if fr else "Spent",
                    "Part" if fr else "Share",
                ],
                [
                    [
                        key.label(lang),
                        euros(v[0], lang),
                        euros(v[1], lang),
                        f"{(100 * v[0] / total_c):.0f} %" if total_c else "—",
                    ]
                    for key, v in ordered
                ]
                + [["Total", euros(total_c, lang), euros(total_s, lang), "100 %"]],
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
    counts_line = ", ".join(f"{integer(v, lang)} {k}" for k, v in _summary(dataset).items())
    out.write(counts_line + "\n")
    return EXIT_OK


def _cmd_geo(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.geo import get_geography

    geography = get_geography()
    lang: Lang = args.lang
    results = geography.search(args.query, limit=args.limit)
    if args.format == "json":
        json.dump(
            {
                "vintage": geography.vintage,
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
    if not results:
        suggestions = geography.suggest(args.query)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        out.write(f"no territory matches {args.query!r}{hint}\n")
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
    out.write(f"({geography.vintage})\n")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    with progress.step(
        f"generating the demo dataset ({integer(args.participations or 6000, 'en')} participations)"
    ):
        dataset = territoires.demo.build(seed=args.seed, participations=args.participations)
    if args.out is None:
        counts = ", ".join(f"{v} {k}" for k, v in _summary(dataset).items())
        out.write(f"{dataset.info.title}\n{counts}\n")
        out.write("Use --out DIR (a data package) or --out FILE.json to write it.\n")
        return EXIT_OK
    with progress.step(f"writing {args.out}"):
        written = territoires.dump(dataset, args.out)
    out.write(f"wrote {written} ({len(dataset.participations)} participations, synthetic)\n")
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
        headers = ["Plugin", "Distribution", "Status", "Hooks", "Registers"]
        rows = [
            [
                entry["name"],
                f"{entry['distribution'] or '—'} {entry['version'] or ''}".strip(),
                entry["status"]
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
        out.write("no plugin installed (--all lists the built-ins too)\n")
    return EXIT_USAGE if manager.errors else EXIT_OK


def _levels(chosen: Sequence[str]) -> list[Level]:
    from territoires.indicators import Level

    return list(Level) if "all" in chosen else [Level.from_value(v) for v in chosen]


_LANG_HELP = "language of the output: fr (default) or en"


def _cmd_export(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    """Export what ``--what`` names; ``territoires report`` is this command with its defaults."""
    from territoires.formats import ExportKind

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
    options = {"dialect": args.dialect} if args.dialect else None
    threshold = parse_threshold(args.threshold)
    period = parse_period(args.period)
    dataset, _ = _load(args.path, args.encoding, progress)
    obj: Any = dataset
    inputs = [args.path] if args.path else []
    note = ""
    if what is ExportKind.DECISIONS and args.persons:
        inputs.append(args.persons)
    # Refused before any work: writing over an input loses it (unless nothing would be lost).
    same_form = what is ExportKind.DATASET and _same_form(args.path, chosen)
    whole = args.with_participations or not dataset.participations
    _refuse_overwriting(
        args.output,
        [*inputs, *([args.ledger] if getattr(args, "ledger", None) else [])],
        lossless=same_form and whole,
        hint="add --with-participations to rewrite the dataset whole" if same_form else None,
    )
    ledger, fingerprint = _ledger(args, dataset, what, progress)
    if what is ExportKind.INDICATORS:
        from territoires.indicators import compute_indicators

        with progress.step("computing indicators"):
            obj = compute_indicators(
                dataset,
                period=period,
                territories=args.territory or None,
                level=_levels(args.level or ["all"]),
                indicators=args.indicator or None,
                threshold=threshold,
                plugins=manager,
                ledger=ledger,
                fingerprint=fingerprint,
            )
    elif what is ExportKind.DECISIONS:
        from territoires.eligibility import screen

        if not args.persons:
            raise territoires.FormatError("--what decisions needs --persons FILE")
        persons = _load_persons(args.persons, args.encoding)
        on: dt.date = args.on or dt.date.today()
        with progress.step(f"screening {len(persons)} persons"):
            obj = list(screen(persons, dataset, on=on, plugins=manager))
    elif what is ExportKind.REPORT:
        from territoires.report import build_report

        with progress.step("computing the report"):
            obj = build_report(
                dataset,
                period=period,
                territories=args.territory or None,
                lang=args.lang,
                threshold=threshold,
                plugins=manager,
                ledger=ledger,
                fingerprint=fingerprint,
            )
        if args.territory and not obj.contracts:
            raise territoires.FormatError(
                f"--territory {', '.join(args.territory)}: no contract of the dataset lies there"
            )
        count = len(obj.contracts)
        note = f", {period}, {count} contract{'' if count == 1 else 's'}"
    elif dataset.participations and not args.with_participations and chosen.person_level:
        note = "; participations left out (--with-participations to include them)"
    with progress.step(f"writing {args.output} ({args.to})"):
        written = territoires.export(
            obj,
            format=args.to,
            path=args.output,
            plugins=manager,
            participations=args.with_participations,
            options=options,
        )
    synthetic = " (synthetic data)" if dataset.info.synthetic else ""
    if what is ExportKind.REPORT:
        synthetic = ", synthetic data" if dataset.info.synthetic else ""
        out.write(f"wrote {written} ({note[2:]}{synthetic})\n")
    else:
        out.write(f"wrote {written} as {args.to}{synthetic}{note}\n")
    if what in (ExportKind.INDICATORS, ExportKind.REPORT):
        engine = obj if what is ExportKind.INDICATORS else obj.table
        return _after_publication(args, engine, fingerprint, progress)
    return EXIT_OK


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


def _cmd_new_plugin(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.geo import get_geography

    territory = get_geography().get(args.territory)
    root = write_plugin(Path(args.out), args.name, territory.id, territory.name)
    out.write(
        f"wrote {root}: install it with `pip install -e {root}`, then `territoires plugins`\n"
    )
    return EXIT_OK


_OUTCOME_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}


def _cmd_eligibility(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    from territoires.eligibility import check_eligibility, screen

    lang: Lang = args.lang
    fr = lang == "fr"
    persons = _load_persons(args.persons, args.encoding)
    manager = _plugins(args)
    dataset, _ = _load(args.data, None, progress)
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
        with progress.step(f"screening {len(persons)} persons"):
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
        out.write(
            ("aucune action ouverte le " if fr else "no action open on ")
            + format_date(on, lang)
            + "\n"
        )
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
        out.write(
            f"{hidden} décision(s) non éligible(s) non affichée(s) (--all pour tout voir)\n"
            if fr
            else f"{hidden} not eligible decision(s) not shown (--all shows every one)\n"
        )
    notices = {n for d in decisions for n in d.notices}
    for notice in sorted(notices, key=lambda n: n.text_en):
        out.write(f"! {notice.text(lang)}\n")
    eligible = sum(1 for d in decisions if d.eligible)
    out.write(
        f"{eligible} décision(s) éligible(s) sur {len(decisions)}\n"
        if fr
        else f"{eligible} eligible decision(s) out of {len(decisions)}\n"
    )
    return EXIT_OK


def _amount(value: Decimal, unit: str, lang: Lang) -> str:
    if unit == "euros":
        return euros(value, lang)
    if unit in ("percent", "per_10000"):
        text = f"{value:.1f}"
        text = text.replace(".", ",") if lang == "fr" else text
        return f"{text} %" if unit == "percent" else text
    return integer(int(value), lang)


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
    threshold = parse_threshold(args.threshold)
    period = parse_period(args.period)
    levels = _levels(args.level or ["national"])
    dataset, label = _load(args.path, args.encoding, progress)
    if args.cumulative:
        period = since_start(dataset, period)
    ledger, fingerprint = _ledger(args, dataset, None, progress)
    with progress.step("computing indicators"):
        table = compute_indicators(
            dataset,
            period=period,
            territories=args.territory or None,
            level=levels,
            indicators=args.indicator or None,
            threshold=threshold,
            plugins=manager,
            ledger=ledger,
            fingerprint=fingerprint,
        )
    if args.format in ("json", "csv"):
        from territoires.io import writers

        writers.write_indicators_to(table, out, format=args.format)
        return _after_publication(args, table, fingerprint, progress)
    lang: Lang = args.lang
    fr = lang == "fr"
    out.write(f"{printable(dataset.info.title or label)}\n")
    if table.synthetic:
        out.write(f"*** {SYNTHETIC_BANNER[lang]} ***\n")
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
    with progress.step(f"reading the ledger {args.ledger}"):
        ledger = load_ledger(args.ledger)
        return ledger, fingerprint(dataset)


def _after_publication(
    args: argparse.Namespace, table: Any, fingerprint: str | None, progress: Progress
) -> int:
    """Record the release in ``--ledger``; warn of exposed cells (exit 1), if any."""
    audit = table.audit
    if getattr(args, "ledger", None) and fingerprint is not None:
        from territoires.io import record_release
        from territoires.publication import release_of

        with progress.step(f"recording the release in {args.ledger}"):
            record_release(
                args.ledger, release_of(table, fingerprint=fingerprint, label=args.release)
            )
    if audit is not None and audit.exposed:
        shown = "; ".join(cell.label for cell in audit.exposed[:10])
        more = len(audit.exposed) - 10
        sys.stderr.write(
            printable(
                f"warning: {len(audit.exposed)} suppressed cells remain exposed by earlier "
                f"releases (the certificate gives each interval): {shown}"
                + (f"; … and {more} more" if more > 0 else "")
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
            target += f" ({row.achievement * 100:.0f} %)"
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
        with progress.step(f"reading {path}"):
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
        with progress.step(f"reading the ledger {args.ledger}"):
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
    with progress.step(f"auditing {len(tables) + len(earlier)} tables"):
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
        _print_audit(report, out)
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


def _print_audit(report: Any, out: TextIO) -> None:
    """The audit as text: a summary line, then one line per exposed cell."""
    exposed = report.exposed
    verdict = f"{len(exposed)} exposed" if exposed else "protected"
    plural = "" if len(report.tables) == 1 else "s"
    out.write(
        f"{len(report.tables)} table{plural}, {report.cells} cells, "
        f"{len(report.hidden)} suppressed: {verdict}\n"
    )
    if len(report.states) > 1:
        out.write(
            f"audited as {len(report.states)} states of the data (revised figures), newest "
            "first: " + " | ".join(", ".join(state) for state in report.states) + "\n"
        )
    for cell in exposed:
        why = ", ".join(exposure.label_en for exposure in cell.exposures)
        counts = ", ".join(f"{count.count} {count}" for count in cell.counts)
        by = "; ".join(cell.sources) or "—"
        out.write(f"{cell.label}: {why}; {counts}; by: {by}\n")


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
            help="a .json document, a .csv table or a data-package folder (default: the demo)",
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
                help=f"levels (repeatable; default: {levels})",
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

    validate = data_command("validate", "check a dataset and list every problem")
    validate.add_argument(
        "--no-geography",
        action="store_true",
        help="do not check territory codes against the official geography",
    )
    validate.set_defaults(handler=_cmd_validate)

    show = data_command(
        "show", "contracts by cohort, kind and status on a date; budget by theme and funder"
    )
    show.add_argument("--on", type=_date, help="date of the situation (default: today)")
    show.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)
    show.set_defaults(handler=_cmd_show)

    geo = commands.add_parser(
        "geo",
        help="find territories of the official geography by name or code",
        description="find territories of the official geography by name or code",
    )
    geo.add_argument("query", help='a name ("clermont ferrand") or a reference (69123, dep:69)')
    geo.add_argument("--limit", type=_positive, default=10, help="most names to list (default: 10)")
    geo.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)
    geo.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    geo.set_defaults(handler=_cmd_geo)

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
    demo.add_argument("--out", help="a folder (data package) or a .json file to write")
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
    plugins.set_defaults(handler=_cmd_plugins)

    export = commands.add_parser(
        "export",
        help="write a dataset, indicators, decisions or a report in a registered format",
        description="write a dataset (without its participations unless asked), its "
        "disclosure-controlled indicators, eligibility decisions or the steering-committee "
        "report in a registered format (territoires plugins --all lists them), atomically",
    )
    export.add_argument("path", nargs="?", help="the dataset to export (default: the demo)")
    export.add_argument(
        "--what",
        choices=["dataset", "indicators", "decisions", "report"],
        default="dataset",
        help="what to export (default: dataset)",
    )
    export.add_argument("--format", dest="to", required=True, help="name of the format")
    export.add_argument("-o", "--output", required=True, help="file or folder to write")
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
    scope_options(export, levels="all", hint="indicators, report: ")
    export.add_argument("--persons", help="decisions: the JSON or CSV file of persons")
    export.add_argument("--on", type=_date, help="decisions: date (default: today)")
    export.add_argument("--lang", choices=["fr", "en"], default="fr", help="report language")
    export.add_argument("--encoding", help="encoding of CSV input when not UTF-8")
    export.set_defaults(handler=_cmd_export)

    report = commands.add_parser(
        "report",
        help="write the steering-committee report of a period as one HTML file",
        description="write the steering-committee report of a period as one self-contained "
        "HTML file (contracts, cohorts, budget, targets, protected counts, next committees), "
        "atomically; charts need the 'report' extra (matplotlib)",
    )
    report.add_argument("path", nargs="?", help="the dataset to report on (default: the demo)")
    report.add_argument("--encoding", help="encoding of CSV input when not UTF-8")
    scope_options(report, levels=None)
    report.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)
    report.add_argument(
        "-o", "--output", default="report.html", help="file to write (default: report.html)"
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
    scope_options(indicators, levels="national")
    indicators.add_argument(
        "--cumulative",
        action="store_true",
        help="count from the earliest contract start to the end of --period, so that targets "
        "of whole actions and contracts get an achievement",
    )
    indicators.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)
    indicators.set_defaults(handler=_cmd_indicators)

    eligibility = commands.add_parser(
        "eligibility",
        help="explain whether persons are eligible to actions on a date",
        description="explain whether persons are eligible to the actions of the dataset on a "
        "date: every rule's verdict with its reason and source",
    )
    eligibility.add_argument("persons", help="a JSON or CSV file of persons")
    eligibility.add_argument(
        "--data", help="the dataset of contracts (default: the demo)", default=None
    )
    eligibility.add_argument("--action", help="the action to explain (default: every open one)")
    eligibility.add_argument("--on", type=_date, help="date of the decision (default: today)")
    eligibility.add_argument("--lang", choices=["fr", "en"], default="fr", help=_LANG_HELP)
    eligibility.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    eligibility.add_argument("--encoding", help="encoding of a CSV file of persons")
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
    new_plugin.add_argument("--out", default=".", help="folder to write into (default: here)")
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
        # A CSV table on standard output is data, kept exact; the rest is shown as it is.
        stream = results.stream if fmt == "csv" else shown_stream(results.stream)
        try:
            try:
                code = handler(args, stream, Progress())
            except _Problems as exc:
                code = exc.code or _exit_code(exc.problems) or EXIT_DATA
                # The problems are what validate gives; for another command, what it needs
                # first, on standard error, as text or (--format json) as JSON.
                shown = stream if args.command == "validate" else errors
                _print_problems(exc.problems, fmt, shown)
            results.stream.flush()  # a reader gone away (``| head``) is met here, not at exit
        except BrokenPipeError:
            results.silence()  # stop quietly, without a traceback at exit
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
