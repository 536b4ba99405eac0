"""The indicator how-to builds a plugin that works: written, installed, listed, computed, tested.

``docs/how-to/write-an-indicator-plugin.md`` is followed as a reader would (see
``test_docs_howto_pages.py`` for the markers): ``territoires new-plugin`` writes the package in
a temporary folder, the page's blocks replace its module and its tests, ``pip install -e .``
installs it through its entry point, and the page's commands and Python blocks must print what
the page shows. Then this module checks, independently of the page's wording, that the
installed plugin is loaded through its entry point and that its indicator appears, computed,
in the output of :func:`~territoires.indicators.compute_indicators`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from territoires import demo
from territoires.indicators import compute_indicators
from territoires.plugins import get_plugin_manager
from test_docs_howto_pages import HOWTO, Session, unmarked

PAGE = HOWTO / "write-an-indicator-plugin.md"
PLUGIN = "nantes-fle"
INDICATOR = "44109.sorties_a2"


def test_every_runnable_block_of_the_page_is_marked() -> None:
    """Every python and console block of the page is run, written, checked or skipped."""
    assert not unmarked(PAGE)


@pytest.fixture
def followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A reader of the page, in a temporary folder (the test plays the page)."""
    root = tmp_path / "reader"
    root.mkdir()
    reader = Session(PAGE, root, monkeypatch)
    try:
        yield reader
    finally:
        reader.close()


def test_following_the_page_gives_an_installed_plugin_whose_indicator_is_computed(
    followed: Session,
) -> None:
    """The page runs as written; its plugin is then loaded by entry point and computes values."""
    followed.play()
    package = followed.root / f"territoires-{PLUGIN}"
    module = package / "src" / "territoires_nantes_fle" / "__init__.py"
    assert followed.installed == [PLUGIN]
    assert module in followed.written, "the page writes the plugin module"
    assert package / "tests" / "test_plugin.py" in followed.written

    # Loaded the way territoires loads installed plugins: through the entry point.
    manager = get_plugin_manager(allow=[PLUGIN])
    assert manager.errors == []
    info = manager.info(PLUGIN)
    assert (info.distribution, info.builtin) == (f"territoires-{PLUGIN}", False)
    assert Path(info.module.replace(".", "/")).name == "territoires_nantes_fle"
    assert manager.indicators.registration(INDICATOR).plugin == info

    table = compute_indicators(demo.build(), period="2021", plugins=manager)
    rows = table.select(INDICATOR)
    assert {row.level.value for row in rows} == {"action", "contract", "territory", "national"}
    assert {row.contract for row in rows if row.contract} == {"ctair-nantes"}
    total = table.get(INDICATOR, level="contract", contract="ctair-nantes")
    assert total.status.value == "published"
    assert total.value is not None
    assert total.value > 0
    assert table.get("beneficiaries", level="national").value  # the national ones still there

    # The command line sees it too, as the page says.
    printed = followed.territoires(["plugins", "--format", "json"])
    (entry,) = json.loads(printed)["plugins"]
    assert entry["registers"] == {"indicators": [INDICATOR]}
