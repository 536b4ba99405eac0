"""The plugin template written by ``territoires new-plugin NAME --territory CODE``."""

from __future__ import annotations

import re
from pathlib import Path

from territoires._version import __version__
from territoires.exceptions import FormatError
from territoires.io import atomic_output

__all__ = ["MAX_NAME_LENGTH", "PLUGIN_NAME", "check_plugin_name", "plugin_files", "write_plugin"]

PLUGIN_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", re.ASCII)
"""What a plugin's short name may be: lowercase ASCII words of letters and digits, joined by
single hyphens, the first starting with a letter (``lyon-jeunes``).

Every such name becomes, without any change of meaning:

- the entry-point name (``lyon-jeunes``) and, prefixed, a distribution name already in the
  normalised form of PEP 503 (``territoires-lyon-jeunes``), valid under PEP 508;
- a Python package name (``territoires_lyon_jeunes``): an identifier, never a keyword, since
  it starts with ``territoires_``;
- a folder name on every system (no separator, no dot, no reserved device name such as
  ``con``, since it starts with ``territoires-``).
"""

MAX_NAME_LENGTH = 64
"""The longest short name: a wheel's file name (``territoires_NAME-VERSION-py3-none-any.whl``)
must fit in the 255 bytes of a file name, with room for the versions a plugin will have."""

_PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "{dist}"
version = "0.1.0"
description = "territoires plugin for {territory_name} ({territory})"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["territoires>={major_minor}.0.dev0"]

[project.optional-dependencies]
test = ["pytest>=8"]

# territoires finds the plugin through this entry point.
[project.entry-points.territoires]
{name} = "{package}"

[tool.hatch.build.targets.wheel]
packages = ["src/{package}"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

_MODULE = '''\
"""territoires plugin for {territory_name} ({territory}).

Registers one local indicator, in the namespace of the territory's code: the number of
distinct participants living in {territory_name} who entered an action during the period.
Add your own rules, indicators and export formats next to it.
"""

from __future__ import annotations

from collections.abc import Mapping

from territoires import (
    Aggregation,
    Dimension,
    Indicator,
    IndicatorInput,
    Source,
    Unit,
    hookimpl,
)
from territoires.measures import Persons, entries_in

TERRITORY = "{territory}"


def residents(facts: IndicatorInput) -> Mapping[tuple[str, ...], Persons]:
    """Distinct participants living in the territory, by sex, entered during the period.

    Only entries while their action ran count (``windows``: each action's period within the
    contract's, up to its closure), as for the built-in indicators.
    """
    counts: dict[tuple[str, ...], set[str]] = {{}}
    for row in entries_in(facts.participations, facts.period, windows=facts.windows):
        if row.residence is None:
            continue
        inside = (
            row.residence == TERRITORY
            if facts.geography is None
            else facts.geography.is_within(row.residence, TERRITORY)
        )
        if inside:
            counts.setdefault((row.sex.value,), set()).add(row.person)
    return {{key: Persons.of(ids) for key, ids in counts.items()}}


@hookimpl
def register_indicators() -> list[Indicator]:
    """Register the plugin's indicators."""
    return [
        Indicator(
            name=f"{{TERRITORY}}.participants_residents",
            label_fr="Participants résidant dans le territoire",
            label_en="Participants living in the territory",
            unit=Unit.PERSONS,
            over_time=Aggregation.DISTINCT_COUNT,
            over_territory=Aggregation.DISTINCT_COUNT,
            counts_persons=True,
            compute=residents,
            dimensions=(Dimension.SEX,),
            description_fr="Personnes distinctes entrées dans une action pendant la période "
            "et résidant dans le territoire.",
            description_en="Distinct persons who entered an action during the period and live "
            "in the territory.",
            source=Source(title="Plugin {dist}"),
        )
    ]
'''

_TEST = '''\
"""Tests of the {dist} plugin."""

import datetime as dt

import {package}
from territoires import Period, demo
from territoires.geo import get_geography
from territoires.measures import IndicatorInput
from territoires.testing import plugin_manager

NAME = f"{{{package}.TERRITORY}}.participants_residents"


def test_the_indicator_is_registered_without_errors():
    """The plugin registers its indicator under the territory's namespace, and nothing fails."""
    manager = plugin_manager({package})
    assert NAME in manager.indicators
    assert manager.errors == []


def test_the_indicator_counts_distinct_residents():
    """Counted persons live in the territory and are counted once each."""
    data = demo.build(participations=300)
    indicator = plugin_manager({package}).indicators[NAME]
    contract = data.contracts[0]
    facts = IndicatorInput(
        contract=contract,
        actions=contract.actions,
        participations=data.participations,
        reports=(),
        period=Period(dt.date(2019, 1, 1), dt.date(2030, 12, 31)),
        geography=get_geography(),
    )
    result = indicator.compute(facts)
    for key, persons in result.items():
        assert key[0] in {{"female", "male", "unspecified"}}
        assert persons.value == len(persons.ids)
'''

_README = """\
# {dist}

A [territoires](https://example.invalid/territoires) plugin for {territory_name}
(`{territory}`). It registers, in the namespace `{territory}.`:

- `{territory}.participants_residents`: distinct participants living in the territory.

## Install and check

```sh
pip install -e .
territoires plugins          # lists {name} and what it registers
pip install -e '.[test]' && pytest
```

Names registered by a plugin must start with its namespace (here the territory's code), must
be unique, and may replace a built-in only by declaring `replaces="<name>"`.
"""


def check_plugin_name(name: str) -> None:
    """Refuse a short name that cannot become a distribution, a package, a folder and a wheel.

    Raises:
        FormatError: ``name`` does not match :data:`PLUGIN_NAME` or is longer than
            :data:`MAX_NAME_LENGTH`; the message says what is allowed.
    """
    allowed = (
        f"lowercase letters and digits, words joined by single '-', starting with a letter, "
        f"at most {MAX_NAME_LENGTH} characters (e.g. lyon-jeunes)"
    )
    shown = repr(name) if len(name) <= 80 else repr(name[:77]) + "..."
    if PLUGIN_NAME.fullmatch(name) is None:
        raise FormatError(f"plugin name {shown} must be {allowed}")
    if len(name) > MAX_NAME_LENGTH:
        raise FormatError(
            f"plugin name {shown} is {len(name)} characters long; it must be {allowed}"
        )


def plugin_files(name: str, territory: str, territory_name: str) -> dict[str, str]:
    """Return the files of a new plugin package, by relative path.

    Raises:
        FormatError: ``name`` cannot be a plugin's name (see :func:`check_plugin_name`).
    """
    check_plugin_name(name)
    package = "territoires_" + name.replace("-", "_")
    dist = f"territoires-{name}"
    major_minor = ".".join(__version__.split(".")[:2])
    values = {
        "name": name,
        "package": package,
        "dist": dist,
        "territory": territory,
        "territory_name": territory_name,
        "major_minor": major_minor,
    }
    return {
        "pyproject.toml": _PYPROJECT.format(**values),
        "README.md": _README.format(**values),
        f"src/{package}/__init__.py": _MODULE.format(**values),
        "tests/test_plugin.py": _TEST.format(**values),
    }


def write_plugin(folder: Path, name: str, territory: str, territory_name: str) -> Path:
    """Write a new plugin package into ``folder / territoires-NAME`` and return that path.

    The package appears whole or not at all: it is written through the library's one atomic
    routine (:func:`territoires.io.atomic_output`).

    Raises:
        FileExistsError: the package folder exists already.
        WriteError: the folder cannot be written (no room, no permission), naming it.
    """
    files = plugin_files(name, territory, territory_name)
    root = folder / f"territoires-{name}"
    if root.exists() or root.is_symlink():
        raise FileExistsError(f"{root} exists already: choose another name or folder")
    with atomic_output(root, folder=True) as where:
        for relative, text in files.items():
            path = where / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root
