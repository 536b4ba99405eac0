"""Generate the command-line reference, docs/reference/cli.md, from the argparse parser.

``territoires.cli.build_parser()`` is the parser the command runs with; this script walks it:
every command in the order of ``territoires --help``, its description, its usage line, and a
table of its arguments (option strings, what they accept, default, help text). The exit codes
come from the ``EXIT_*`` constants of ``territoires.cli`` and their docstrings. Usage lines are
formatted 100 columns wide whatever the terminal, so the page depends on the code alone.

Usage (from the repository, with territoires installed)::

    python scripts/gen_cli_reference.py            # write docs/reference/cli.md
    python scripts/gen_cli_reference.py --check    # exit 1 with a diff if it is stale

``tests/test_docs_site.py`` fails while the committed page differs from what this writes.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import itertools
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _generated

from territoires import cli

ROOT = _generated.ROOT
OUTPUT = ROOT / "docs" / "reference" / "cli.md"
SCRIPT = "gen_cli_reference.py"
WIDTH = 100

# What each ``type=`` of the parser accepts, in words. A new type stops the generator until it
# is described here.
TYPES = {
    "_date": "a date, `YYYY-MM-DD` or `DD/MM/YYYY`",
    "_positive": "a whole number, 0 or more (`1_000` is accepted)",
    "_participation_count": "a whole number, 0 to 100,000,000 (`1_000` is accepted)",
    "int": "a whole number",
}

# Exit statuses that are not EXIT_* constants: (status, meaning, text that must be in main()).
OTHER_EXITS = ((130, "interrupted (Ctrl-C)", "return 130"),)

INTRO = """\
# Command line

`territoires` checks, shows, exports and reports on a dataset from the command line. It is a
thin layer over the Python API: each command calls the functions described in the
[API reference](api/index.md). Install the package and run `territoires --help`, or
`python -m territoires`.

Commands that take a `path` read a `.json` document, a `.csv` table, a data-package folder or an
`.xlsx` workbook (see the [data format](data-format.md)); without a path they work on the
embedded demo dataset, whose activity is synthetic. Problems are printed one per line, as
`file:record:field: message [code]` (the codes are listed in [problems and errors](errors.md));
`--format json` prints them for programs. Every command also takes `-h` (`--help`).

The conventions every command follows:

- **Results on standard output**; problems, warnings and progress on standard error (the
  problems `validate` finds are its result, on standard output). `territoires indicators
  data.csv --format csv > table.csv` leaves nothing but the table in `table.csv`.
- **Outputs only from valid data.** `indicators`, `export` and `report` refuse a dataset with
  errors (those `territoires validate` lists; warnings never block): they exit with status 1,
  print the number of errors and the first ones on standard error, and write nothing.
  `--allow-invalid` produces the output anyway, and the output says from how many errors
  (`data_errors` in JSON and CSV, a line in the workbook and in the terminal's table).
- **`-` is standard input** for a dataset or a file of persons (within the same bounds as a
  file), and **standard output** for `-o`.
- **No folder is created**: writing into a folder that does not exist exits with status 2,
  naming it.
- **Messages in the language of `--lang`**, French by default, with their plurals.
- `--level` defaults to every level wherever it exists. `--territory` takes a code, a name
  (as `territoires geo` finds it), or a commune within a contract's territory.
"""


@contextmanager
def _columns(width: int) -> Iterator[None]:
    """Make argparse format for ``width`` columns, whatever the terminal."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width + 2)  # argparse keeps two columns of margin
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _cell(text: str) -> str:
    """Escape ``text`` for a cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def commands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """Return ``(name, help, parser)`` for each command, in the order of ``--help``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def _accepts(action: argparse.Action) -> str:
    """Say what an argument accepts: a flag, choices, a described type, or a value."""
    if action.nargs == 0:
        return "flag"
    if action.choices is not None:
        return "one of " + ", ".join(f"`{choice}`" for choice in action.choices)
    kind = action.type
    if kind is None:
        return "text"
    name = getattr(kind, "__name__", repr(kind))
    if name not in TYPES:
        raise ValueError(
            f"argument {action.dest!r} has type {name!r}, which {SCRIPT} does not describe: "
            "add it to TYPES"
        )
    return TYPES[name]


def _default(action: argparse.Action) -> str:
    if action.required:
        return "required"
    default = action.default
    if not action.option_strings and action.nargs == "?" and default is None:
        return "optional"
    if default is None or default is argparse.SUPPRESS or action.nargs == 0:
        return ""
    return f"`{default}`"


def _name(action: argparse.Action, formatter: argparse.HelpFormatter) -> str:
    if not action.option_strings:
        return f"`{action.dest}`"
    metavar = ""
    if action.nargs != 0:
        default = formatter._get_default_metavar_for_optional(action)
        metavar = " " + formatter._format_args(action, default)
    return ", ".join(f"`{option}{metavar}`" for option in action.option_strings)


def _help(action: argparse.Action, formatter: argparse.HelpFormatter) -> str:
    text = _sentence(formatter._expand_help(action)) if action.help else ""
    if isinstance(action, argparse._AppendAction) and "repeatable" not in text:
        text = f"{text} Repeatable.".strip()
    return text


def arguments_table(parser: argparse.ArgumentParser, *, top: bool = False) -> list[str]:
    """Return the Markdown table of the arguments of ``parser``, in the order of ``--help``.

    ``-h``/``--help`` is listed for the top-level parser only: every command has it.
    """
    formatter = parser._get_formatter()
    rows = ["| Argument | Accepts | Default | Description |", "| --- | --- | --- | --- |"]
    positionals = [a for a in parser._actions if not a.option_strings]
    optionals = [a for a in parser._actions if a.option_strings]
    for action in [*positionals, *optionals]:
        if isinstance(action, argparse._SubParsersAction):
            continue
        special = isinstance(action, argparse._HelpAction | argparse._VersionAction)
        if isinstance(action, argparse._HelpAction) and not top:
            continue
        cells = (
            _name(action, formatter),
            "" if special else _accepts(action),
            "" if special else _default(action),
            _help(action, formatter),
        )
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return rows


def usage(parser: argparse.ArgumentParser) -> list[str]:
    """Return the usage lines of ``parser``, as ``--help`` shows them, in a text block."""
    with _columns(WIDTH):
        text = parser.format_usage().rstrip("\n")
    return ["```text", *text.splitlines(), "```"]


def exit_codes() -> list[str]:
    """Return the table of exit statuses: the EXIT_* constants with their docstrings."""
    tree = ast.parse(inspect.getsource(cli))
    documented: dict[str, str] = {}
    body = tree.body
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.startswith("EXIT_")
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            documented[node.targets[0].id] = following.value.value
    constants = sorted(
        (value, name) for name, value in vars(cli).items() if name.startswith("EXIT_")
    )
    rows = ["| Status | Constant | Meaning |", "| --- | --- | --- |"]
    for value, name in constants:
        if name not in documented:
            raise ValueError(f"territoires.cli.{name} has no docstring: say what it means")
        meaning = _sentence(inspect.cleandoc(documented[name]))
        rows.append(f"| {value} | `{name}` | {_cell(meaning)} |")
    main_source = inspect.getsource(cli.main)
    for value, meaning, evidence in OTHER_EXITS:
        if evidence not in main_source:
            raise ValueError(f"territoires.cli.main no longer has {evidence!r}: update OTHER_EXITS")
        rows.append(f"| {value} | | {_sentence(meaning)} |")
    return rows


def render(parser: argparse.ArgumentParser | None = None) -> str:
    """Return the whole command-line reference page."""
    parser = parser or cli.build_parser()
    lines = [_generated.header(SCRIPT, "src/territoires/cli.py"), INTRO]
    lines += ["| Command | What it does |", "| --- | --- |"]
    found = commands(parser)
    for name, help_, _ in found:
        lines.append(f"| [`{name}`](#territoires-{name}) | {_cell(_sentence(help_))} |")
    lines += ["", "## `territoires`", "", _sentence(parser.description or ""), ""]
    lines += [*usage(parser), "", *arguments_table(parser, top=True), ""]
    for name, help_, sub in found:
        lines += [f"## `territoires {name}`", ""]
        lines += [_sentence(sub.description or help_), ""]
        lines += [*usage(sub), "", *arguments_table(sub), ""]
    lines += ["## Exit codes", "", *exit_codes(), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the command-line reference, or with ``--check`` compare it."""
    return _generated.main(
        argv,
        render=render,
        output=OUTPUT,
        script=SCRIPT,
        description=__doc__.split("\n", 1)[0],
    )


if __name__ == "__main__":
    sys.exit(main())
