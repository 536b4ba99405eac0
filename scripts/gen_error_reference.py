"""Generate the reference of problems and errors, docs/reference/errors.md, from the code.

- Every member of ``territoires.problems.ProblemCode``, in the order and under the headings of
  its source (the ``# Heading`` comments of the class body), with its value and its French and
  English labels, and whether the command line treats it as unreadable input (exit status 2).
- ``territoires.problems.Severity``, with its values and labels.
- Every exception of ``territoires.exceptions``, as a tree rooted at ``TerritoiresError``: its
  built-in bases, its docstring summary and its structured attributes (its ``Args:``).

Usage (from the repository, with territoires installed)::

    python scripts/gen_error_reference.py            # write docs/reference/errors.md
    python scripts/gen_error_reference.py --check    # exit 1 with a diff if it is stale

``tests/test_docs_site.py`` fails while the committed page differs from what this writes.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _generated
from gen_hook_reference import inline

from territoires import cli, exceptions, problems

ROOT = _generated.ROOT
OUTPUT = ROOT / "docs" / "reference" / "errors.md"
SCRIPT = "gen_error_reference.py"

INTRO = """\
# Problems and errors

territoires reports what is wrong with data as **problems**, all at once, and raises an
**exception** only when it cannot go on. A problem ({class}`territoires.Problem`) says where (file,
record, field path), what (the offending value and what was expected, in French and English)
and how serious it is; its code, below, is stable: tools may match on it. The command line
prints one problem per line, `file:record:field: message [code]`, and exits with status 1 when
there is an error, or 2 when the input could not be read at all (see the
[command line](cli.md#exit-codes)).
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def summary(obj: object) -> str:
    """Return the first paragraph of the docstring of ``obj``, in Markdown."""
    text = inspect.cleandoc(getattr(obj, "__doc__", None) or "").split("\n\n", 1)[0]
    return inline(" ".join(text.split()))


def section_docs(obj: object, title: str) -> dict[str, str]:
    """Return the entries of the Google-style section ``title`` of the docstring of ``obj``."""
    lines = inspect.cleandoc(getattr(obj, "__doc__", None) or "").splitlines()
    try:
        start = lines.index(f"{title}:") + 1
    except ValueError:
        return {}
    found: dict[str, str] = {}
    name = None
    for line in lines[start:]:
        if line.strip() and not line.startswith(" "):
            break
        match = re.match(r"^    (\w+)(?: \([^)]*\))?: (.*)$", line)
        if match:
            name = match[1]
            found[name] = match[2].strip()
        elif name is not None and line.strip():
            found[name] += " " + line.strip()
    return {key: inline(text) for key, text in found.items()}


def code_groups() -> list[tuple[str, list[problems.ProblemCode]]]:
    """Return the members of ProblemCode under the ``# Heading`` comments of its source."""
    source = inspect.getsource(problems.ProblemCode).splitlines()
    groups: list[tuple[str, list[problems.ProblemCode]]] = []
    for line in source:
        heading = re.match(r"^    # (?P<title>\S.*)$", line)
        member = re.match(r"^    (?P<name>[A-Z][A-Z0-9_]*) = ", line)
        if heading:
            groups.append((heading["title"], []))
        elif member:
            if not groups:
                groups.append(("Problems", []))
            groups[-1][1].append(problems.ProblemCode[member["name"]])
    listed = [code for _, codes in groups for code in codes]
    if listed != list(problems.ProblemCode):
        raise ValueError(f"{SCRIPT} did not find every ProblemCode member in its source")
    return groups


def codes_section() -> list[str]:
    """Return the section of problem codes."""
    unreadable = getattr(cli, "_UNREADABLE", frozenset())
    lines = ["## Problem codes", "", summary(problems.ProblemCode), ""]
    lines += [
        "*Exit* is the status the command line exits with when a problem of severity error "
        "has this code: 2 means the input could not be read as a dataset at all.",
        "",
    ]
    for title, codes in code_groups():
        lines += [
            f"### {title}",
            "",
            "| Code | French | English | Exit |",
            "| --- | --- | --- | --- |",
        ]
        for code in codes:
            status = cli.EXIT_USAGE if code in unreadable else cli.EXIT_DATA
            lines.append(
                f"| `{code.value}` | {_cell(code.label_fr)} | {_cell(code.label_en)} | {status} |"
            )
        lines.append("")
    lines += ["## Severities", "", summary(problems.Severity), ""]
    lines += ["| Severity | French | English |", "| --- | --- | --- |"]
    for severity in problems.Severity:
        lines.append(f"| `{severity.value}` | {severity.label_fr} | {severity.label_en} |")
    return [*lines, ""]


def _exception_classes() -> list[type[BaseException]]:
    found = [getattr(exceptions, name) for name in exceptions.__all__]
    return [cls for cls in found if isinstance(cls, type) and issubclass(cls, BaseException)]


def exception_entry(cls: type[BaseException], depth: int) -> list[str]:
    """Return the list item of one exception and its structured attributes."""
    builtins = [base.__name__ for base in cls.__bases__ if base.__module__ == "builtins"]
    also = f" (derives from `{'`, `'.join(builtins)}`)" if builtins else ""
    indent = "  " * depth
    lines = [
        f"{indent}- {{class}}`~territoires.{cls.__name__}`{also}: {summary(cls)}",
    ]
    for name, text in section_docs(cls, "Args").items():
        lines.append(f"{indent}  - `.{name}`: {text}")
    return lines


def exceptions_section() -> list[str]:
    """Return the section of exceptions, as a tree rooted at TerritoiresError."""
    classes = _exception_classes()
    root = exceptions.TerritoiresError
    lines = ["## Exceptions", "", summary(exceptions), ""]
    lines += [
        "Each one keeps structured attributes (listed under it) and builds its message from "
        "them; each also derives from the built-in exception it resembles, so "
        "`except ValueError` keeps working.",
        "",
    ]

    def walk(cls: type[BaseException], depth: int) -> None:
        lines.extend(exception_entry(cls, depth))
        children = [c for c in classes if cls in c.__bases__]
        for child in sorted(children, key=classes.index):
            walk(child, depth + 1)

    walk(root, 0)
    # Not errors: a request to stop, let through wherever Ctrl-C is (plugin guards included).
    stops = [c for c in classes if issubclass(c, KeyboardInterrupt)]
    outside = [c for c in classes if not issubclass(c, root) and c not in stops]
    if outside:
        raise ValueError(f"exceptions outside TerritoiresError: {outside}")
    if stops:
        lines += ["", "Not an error, but a request to stop, raised while a file is written:", ""]
        for cls in stops:
            lines.extend(exception_entry(cls, 0))
    return [*lines, ""]


def render() -> str:
    """Return the whole page of problems and errors."""
    lines = [_generated.header(SCRIPT, "src/territoires/problems.py and exceptions.py"), INTRO]
    lines += codes_section()
    lines += exceptions_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the page of problems and errors, or with ``--check`` compare it."""
    return _generated.main(
        argv, render=render, output=OUTPUT, script=SCRIPT, description=__doc__.split("\n", 1)[0]
    )


if __name__ == "__main__":
    sys.exit(main())
