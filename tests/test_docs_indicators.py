"""The indicator catalogue cannot drift from the built-in indicators."""

import importlib.util
from pathlib import Path
from types import ModuleType

from territoires.builtins.indicators import INDICATORS

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_indicator_catalogue", ROOT / "scripts" / "gen_indicator_catalogue.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_catalogue_is_what_the_generator_writes() -> None:
    """docs/reference/indicators.md is regenerated whenever an indicator changes."""
    committed = (ROOT / "docs" / "reference" / "indicators.md").read_text(encoding="utf-8")
    assert committed == _generator().render(), "run python scripts/gen_indicator_catalogue.py"


def test_every_builtin_indicator_has_a_definition_in_both_languages() -> None:
    """Each national indicator is defined in French and English in the catalogue."""
    page = (ROOT / "docs" / "reference" / "indicators.md").read_text(encoding="utf-8")
    for indicator in INDICATORS:
        assert indicator.description_fr.strip()
        assert indicator.description_en.strip()
        assert f"## `{indicator.name}`" in page
