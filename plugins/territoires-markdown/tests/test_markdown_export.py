"""Tests of the territoires-markdown plugin: the ``markdown`` export format."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import attrs
import pytest

import territoires
import territoires_markdown as plugin
from territoires import (
    Action,
    Contract,
    ContractKind,
    Dataset,
    DatasetInfo,
    ExportKind,
    Funding,
    FundingSource,
    Period,
    PluginError,
    PublicCategory,
    PublicScope,
    Territory,
    TerritoryKind,
    Theme,
)
from territoires.testing import plugin_manager

_UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


@functools.cache
def demo() -> Dataset:
    """The demo dataset, small: real territories, synthetic activity."""
    return territoires.demo.build(participations=300)


def table_rows(text: str, header_start: str) -> list[str]:
    """Return the lines of the table whose header starts with ``header_start``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> int:
    """Count the cells of a table row: unescaped pipes, minus the outer one."""
    return len(_UNESCAPED_PIPE.findall(row)) - 1


def small_dataset(**info: str) -> Dataset:
    """A one-contract dataset whose territory name and title are chosen by the test."""
    territory = Territory(code="69123", kind=TerritoryKind.COMMUNE, name="Lyon")
    contract = Contract(
        id="ctai-lyon",
        kind=ContractKind.CTAI,
        territory="69123",
        title="CTAI Lyon",
        period=Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31)),
        public=PublicScope(categories=frozenset({PublicCategory.REFUGEE})),
        signed_on=dt.date(2022, 12, 15),
        actions=(
            Action(
                id="lyon-01",
                title="Logement",
                theme=Theme.HOUSING,
                period=Period(dt.date(2023, 1, 1), dt.date(2025, 12, 31)),
                funding=(
                    Funding(
                        funder="etat",
                        source=FundingSource.P104_ACTION_15,
                        year=2023,
                        committed=Decimal("1234567.50"),
                        spent=Decimal("1000000"),
                    ),
                ),
            ),
        ),
    )
    return Dataset(
        info=DatasetInfo(created=dt.date(2024, 6, 30), **info),
        territories=(territory,),
        contracts=(contract,),
    )


def export(dataset: Dataset, path: Path) -> str:
    """Export through the engine with a fresh manager holding the plugin; return the text."""
    manager = plugin_manager(plugin)
    # Hand-made datasets with odd names need not agree with the official geography.
    territoires.export(dataset, format="markdown", path=path, plugins=manager, allow_invalid=True)
    return path.read_text(encoding="utf-8")


# -- registration -------------------------------------------------------------------------------


def test_the_format_is_registered():
    """The plugin registers ``markdown`` for datasets, writing .md files, reading nothing back."""
    manager = plugin_manager(plugin)
    assert manager.errors == []
    chosen = manager.formats["markdown"]
    assert chosen.suffix == ".md"
    assert chosen.media_type == "text/markdown"
    assert chosen.kinds == frozenset({ExportKind.DATASET})
    assert chosen.read is None
    assert not chosen.folder
    assert manager.formats.registration("markdown").plugin.name == plugin.__name__


def test_the_entry_point_is_declared_once_installed():
    """Installed, the distribution exposes the plugin under the entry point markdown."""
    try:
        dist = metadata.distribution("territoires-markdown")
    except metadata.PackageNotFoundError:
        pytest.skip("territoires-markdown is not installed (pip install -e it)")
    points = [ep for ep in dist.entry_points if ep.group == "territoires"]
    assert [(ep.name, ep.value) for ep in points] == [("markdown", plugin.__name__)]


# -- the document -------------------------------------------------------------------------------


def test_the_demo_exports_with_tables_and_the_synthetic_notice(tmp_path):
    """The demo gives a title, the bilingual synthetic notice, the contracts and the budget."""
    data = demo()
    text = export(data, tmp_path / "x.md")
    assert text.startswith(f"# {plugin.escape_text(data.info.title)}\n")
    assert "Données synthétiques / synthetic data" in text
    assert "Situation au 30/06/2026" in text
    contracts = table_rows(text, "| Contrat / Contract")
    assert len(contracts) == 2 + len(data.contracts) + 1  # header, rule, rows, total
    for contract in data.contracts:
        assert any(row.startswith(f"| {contract.id} |") for row in contracts)
    budget = table_rows(text, "| Thème / Theme")
    assert len(budget) > 3
    assert budget[-1].startswith("| **Total**")
    for table in (contracts, budget):
        assert len({cells(row) for row in table}) == 1


def test_contracts_total_and_budget_total_agree(tmp_path):
    """The committed total of the contracts table equals the budget table's."""
    text = export(demo(), tmp_path / "x.md")
    contracts_total = table_rows(text, "| Contrat / Contract")[-1].split(" | ")[-1]
    budget_total = table_rows(text, "| Thème / Theme")[-1].split(" | ")[1]
    assert contracts_total.rstrip(" |") == budget_total


def test_no_person_level_data_is_written(tmp_path):
    """Participations appear as a count only: no pseudonym, participation id or birth fact."""
    data = demo()
    text = export(data, tmp_path / "x.md")
    assert f"{len(data.participations)} participations" in text
    for row in data.participations:
        assert row.person not in text
        assert row.id not in text


def test_the_output_is_deterministic(tmp_path):
    """The same dataset gives the same bytes: the situation date is the dataset's, not today."""
    first = export(demo(), tmp_path / "a.md")
    second = export(demo(), tmp_path / "b.md")
    assert first == second
    assert demo().info.created == dt.date(2026, 6, 30)
    assert "Situation au 30/06/2026 (date de production du jeu de données" in first


def test_without_creation_date_the_last_contract_end_is_used():
    """A dataset with no creation date is described at the latest end of its contracts."""
    data = attrs.evolve(small_dataset(), info=DatasetInfo(title="Sans date"))
    text = plugin.render(data)
    assert "Situation au 31/12/2025 (fin du dernier contrat" in text
    assert "| ctai-lyon | CTAI | Lyon (69123) | 15/12/2022 |" in text
    assert "| en cours |" in text


def test_amounts_are_whole_euros_in_french():
    """Euros are rounded half up after summing, with French separators."""
    text = plugin.render(small_dataset(title="Lyon"))
    assert "1\u202f234\u202f568\u00a0€" in text
    assert "| 1\u202f000\u202f000\u00a0€ |" in text


def test_real_data_has_no_synthetic_notice():
    """A dataset not marked synthetic carries no synthetic notice."""
    text = plugin.render(small_dataset(title="Bilan réel"))
    assert "synthetic data" not in text
    assert "synthétiques" not in text


# -- escaping -----------------------------------------------------------------------------------


def test_a_title_with_a_pipe_and_a_newline_stays_one_heading(tmp_path):
    """A title with ``|`` and a line break is one escaped heading line."""
    text = export(small_dataset(title="Bilan | CTAI\nLyon #2"), tmp_path / "x.md")
    assert text.splitlines()[0] == r"# Bilan \| CTAI Lyon \#2"
    assert text.splitlines()[1] == ""


def test_cells_with_pipes_newlines_and_backslashes_keep_the_table_shape(tmp_path):
    """A territory name with ``|``, a newline and a backslash stays inside its cell."""
    data = small_dataset(title="Lyon")
    odd = Territory(code="69123", kind=TerritoryKind.COMMUNE, name="Lyon | Ville\nde C:\\|")
    text = export(attrs.evolve(data, territories=(odd,)), tmp_path / "x.md")
    rows = table_rows(text, "| Contrat / Contract")
    assert len({cells(row) for row in rows}) == 1
    assert r"Lyon \| Ville<br>de C:\\\| (69123)" in rows[2]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", r"a\|b"),
        ("a\\b", r"a\\b"),
        ("a\\|b", r"a\\\|b"),
        ("line 1\r\nline 2\rline 3", "line 1<br>line 2<br>line 3"),
        ("<script>", r"\<script\>"),
        ("*gras* _it_ `code` [lien]", r"\*gras\* \_it\_ \`code\` \[lien\]"),
        ("", ""),
    ],
)
def test_escape_cell(raw, escaped):
    """Each special character is escaped once; line breaks become <br>."""
    assert plugin.escape_cell(raw) == escaped


# -- atomicity ----------------------------------------------------------------------------------


def test_a_writer_failure_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    """A failure halfway through writing raises PluginError and keeps the old file as it was."""
    target = tmp_path / "x.md"
    target.write_text("previous report\n", encoding="utf-8")

    def broken(seen: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plugin, "_budget_table", broken)
    with pytest.raises(PluginError, match="disk on fire"):
        territoires.export(demo(), format="markdown", path=target, plugins=plugin_manager(plugin))
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.md"]


# -- command line -------------------------------------------------------------------------------


def test_the_command_line_exports_markdown_once_installed(tmp_path):
    """``territoires export --format markdown -o OUT`` writes the demo's tables and exits 0."""
    from territoires.cli import main
    from territoires.plugins import get_plugin_manager

    if "markdown" not in get_plugin_manager().formats:
        pytest.skip(
            "the markdown format is not installed for the command line: "
            "pip install -e plugins/territoires-markdown (make does it)"
        )
    out = tmp_path / "demo.md"
    stdout = io.StringIO()
    argv = ["export", "--format", "markdown", "-o", str(out), "--lang", "en"]
    assert main(argv, out=stdout) == 0
    assert "as markdown (synthetic data)" in stdout.getvalue()
    text = out.read_text(encoding="utf-8")
    assert "Données synthétiques / synthetic data" in text
    assert "## Budget par thème / Budget by theme" in text
