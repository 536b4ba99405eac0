"""What users read cites the public sources themselves, never the project's own notes.

The project's facts file (``domain.md``) is not shipped: a docstring, a page, a message or a
plugin that sent readers to it would send them nowhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOWN = ["src", "docs", "examples", "plugins", "README.md"]
SUFFIXES = {".py", ".md", ".toml", ".txt", ".json", ".rst", ".html", ".css"}


def _files() -> list[Path]:
    found = []
    for name in SHOWN:
        path = ROOT / name
        if path.is_file():
            found.append(path)
            continue
        for file in path.rglob("*"):
            if file.suffix in SUFFIXES and "_build" not in file.parts and ".venv" not in file.parts:
                found.append(file)
    return sorted(found)


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_user_visible_text_cites_the_projects_facts_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert "domain.md" not in text, f"{path.relative_to(ROOT)} cites domain.md"


def test_the_newcomer_window_cites_its_sources() -> None:
    """The five-year window cites the 2021 call, the budget documents and the action-12 calls."""
    from territoires.parameters import NEWCOMER_WINDOW_YEARS

    (value,) = NEWCOMER_WINDOW_YEARS.values
    cited = f"{value.source.title} {value.source.note}"
    for source in ("20 janvier 2021", "budget.gouv.fr", "action-12", "Savoie"):
        assert source in cited
