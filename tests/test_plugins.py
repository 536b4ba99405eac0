"""The plugin machinery: loading, fault attribution, registries, validation and export hooks.

Test-only plugins live in ``tests/plugins/`` as plain modules, never as a package on
``sys.path``: a top-level ``plugins`` name would clash with the example plugins of the
repository, and one of them raises on import on purpose. Tests get them in two ways:

- :func:`load_plugin` imports a file by path under a private module name that is not kept in
  ``sys.modules``, for tests that register plugins directly;
- the :func:`site` fixture "installs" one as a fake distribution (a ``*.dist-info`` folder with
  ``METADATA`` and ``entry_points.txt`` beside a copy of the module) in a temporary folder put
  on ``sys.path``, so :mod:`importlib.metadata` finds it exactly as it finds a pip-installed
  plugin, without installing anything.

Example plugins of the repository may be installed in the environment that runs these tests;
tests that load installed plugins name the ones they install in an allow-list, so that what
they check does not depend on what else is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import shutil
import sys
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import territoires
from strategies import PLUGIN_EXCEPTIONS
from territoires import (
    Aggregation,
    EligibilityRule,
    ExportFormat,
    ExportKind,
    Indicator,
    PluginError,
    Problem,
    Source,
    TerritoiresError,
    Unit,
    Verdict,
    hookimpl,
)
from territoires import plugins as plugins_module
from territoires.measures import Total
from territoires.plugins import (
    DEFAULT_PLUGINS,
    Catalogue,
    PluginInfo,
    PluginManager,
    get_plugin_manager,
)
from territoires.testing import plugin_manager

pytest_plugins = ["pytester"]

PLUGINS = Path(__file__).parent / "plugins"


def local(catalogue: Catalogue[Any]) -> list[str]:
    """The names a catalogue holds from plugins other than the built-ins, in order."""
    return [r.item.name for r in catalogue.registrations() if not r.plugin.builtin]


BUILTIN = "territoires.builtins.formats"
BUILTINS = list(DEFAULT_PLUGINS)  # every built-in plugin, in registration order
BUILTIN_FORMATS = ["json", "csv", "datapackage", "xlsx", "html", "scdl"]
VERSION = "1.2.3"
ENVIRONMENT = (
    "TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD",
    "TERRITOIRES_PLUGINS",
    "TERRITOIRES_TRACE_PLUGINS",
)


def load_plugin(stem: str) -> types.ModuleType:
    """Import ``tests/plugins/STEM.py`` as a new module object, without keeping it imported."""
    spec = importlib.util.spec_from_file_location(
        f"territoires_test_plugins.{stem}", PLUGINS / f"{stem}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@attrs.frozen
class Installed:
    """A fake distribution of a test-only plugin, as :class:`Site` wrote it."""

    name: str
    distribution: str
    version: str
    module: str

    def prefix(self, hook: str) -> str:
        """The start of the message of this plugin's errors in ``hook``."""
        return f"plugin {self.name!r} ({self.distribution} {self.version}), {hook}: "


class Site:
    """A folder on ``sys.path`` where fake distributions of test-only plugins are installed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def install(
        self,
        stem: str,
        *,
        name: str | None = None,
        distribution: str | None = None,
        version: str = VERSION,
    ) -> Installed:
        """Install ``tests/plugins/STEM.py`` under the entry-point name ``name``."""
        name = name or stem.replace("_", "-")
        distribution = distribution or f"territoires-test-{name}"
        module = f"territoires_test_plugin_{distribution}_{name}".replace("-", "_")
        shutil.copyfile(PLUGINS / f"{stem}.py", self.root / f"{module}.py")
        info = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[territoires]\n{name} = {module}\n", encoding="utf-8"
        )
        importlib.invalidate_caches()
        self.modules.append(module)
        return Installed(name=name, distribution=distribution, version=version, module=module)

    def close(self) -> None:
        """Forget the modules of the plugins that were imported."""
        for module in self.modules:
            sys.modules.pop(module, None)
        importlib.invalidate_caches()

    def pythonpath(self) -> str:
        """A ``PYTHONPATH`` value that shows these distributions to a child process."""
        return os.pathsep.join([str(self.root), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )


def open_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """Make a temporary folder, put it on ``sys.path`` and return it as a :class:`Site`."""
    root = tmp_path / "site-packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return Site(root)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A temporary folder on ``sys.path`` to install fake plugin distributions into."""
    fake = open_site(tmp_path, monkeypatch)
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _no_plugin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test without the plugin environment variables of the calling shell."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)


def manager_of(*installed: Installed) -> PluginManager:
    """A manager loading only ``installed`` of the installed plugins (and the built-ins)."""
    return get_plugin_manager(allow=[plugin.name for plugin in installed])


def third_party(manager: PluginManager) -> list[str]:
    """Names of the plugins of ``manager`` that are not built-ins, in registration order."""
    return [info.name for info in manager.plugin_infos() if not info.builtin]


def build(manager: PluginManager) -> None:
    """Build the registries of ``manager``, which calls the registration hooks."""
    assert len(manager.formats) >= len(BUILTIN_FORMATS)


@pytest.fixture(scope="module")
def dataset() -> territoires.Dataset:
    """A small demo dataset (18 contracts)."""
    return territoires.demo.build(participations=60)


# -- loading installed plugins ------------------------------------------------------------------


def test_an_installed_plugin_is_loaded_through_its_entry_point(site: Site) -> None:
    """A plugin installed with an entry point in the ``territoires`` group is loaded and named."""
    good = site.install("good", name="lyon", distribution="territoires-lyon")
    manager = manager_of(good)
    build(manager)
    assert manager.errors == []
    assert third_party(manager) == ["lyon"]
    info = manager.info("lyon")
    assert (info.distribution, info.version, info.builtin) == ("territoires-lyon", VERSION, False)
    assert info.module == good.module
    assert manager.hooks_of("lyon") == [
        "register_eligibility_rules",
        "register_export_formats",
        "register_indicators",
    ]
    assert manager.indicators.registration("69123.participants").plugin == info
    assert manager.rules.registration("69123.cir_signe").plugin == info
    assert manager.formats.registration("summary").plugin == info


FAULTS = [
    pytest.param(
        "import_error",
        "import",
        "RuntimeError: this plugin is broken on purpose",
        id="fails-to-import",
    ),
    pytest.param(
        "raises",
        "register_indicators",
        "raised ValueError: indicator table missing",
        id="raises-in-hook",
    ),
    pytest.param(
        "returns_string",
        "register_indicators",
        "returned '69123.jeunes' (a str); expected Indicator objects",
        id="returns-a-string",
    ),
    pytest.param(
        "returns_non_indicator",
        "register_indicators",
        "returned 42 (a int); expected Indicator",
        id="returns-a-list-with-a-non-indicator",
    ),
    pytest.param(
        "unnamespaced",
        "register_indicators",
        "name 'jeunes' has no namespace",
        id="unnamespaced-name",
    ),
    pytest.param(
        "collides_json",
        "register_export_formats",
        "'json' is already registered by the built-in 'territoires.builtins.formats'; "
        "declare replaces='json' to replace it",
        id="collides-with-a-builtin",
    ),
    pytest.param(
        "typo_hook", "check_pending", "unknown hook 'register_indicator'", id="typo-in-hook-name"
    ),
    pytest.param(
        "bad_argument",
        "registration",
        "{'dataset'} are declared in the hookimpl but can not be found in the hookspec",
        id="unknown-hook-argument",
    ),
]


@pytest.mark.parametrize(("stem", "hook", "cause"), FAULTS)
def test_a_faulty_plugin_gets_one_error_naming_it_and_the_others_still_work(
    site: Site, stem: str, hook: str, cause: str
) -> None:
    """A fault gives one PluginError naming plugin, distribution, version, hook and cause."""
    good = site.install("good")
    faulty = site.install(stem, name="faulty", distribution="territoires-faulty")
    manager = manager_of(good, faulty)
    assert manager.formats["summary"] is not None
    assert list(manager.formats)[: len(BUILTIN_FORMATS)] == BUILTIN_FORMATS
    assert "69123.participants" in manager.indicators
    assert "69123.cir_signe" in manager.rules
    (error,) = manager.errors
    assert isinstance(error, PluginError)
    assert (error.plugin, error.distribution, error.version, error.hook) == (
        "faulty",
        "territoires-faulty",
        VERSION,
        hook,
    )
    assert cause in error.cause
    assert str(error) == faulty.prefix(hook) + error.cause


def test_a_plugin_returning_a_mapping_gets_one_error_saying_so(site: Site) -> None:
    """A dict of indicators is rejected as a whole, with one error saying a dict was returned."""
    faulty = site.install("returns_dict")
    manager = manager_of(faulty)
    build(manager)
    assert "69123.un" not in manager.indicators
    (error,) = manager.errors
    assert error.hook == "register_indicators"
    assert "(a dict)" in error.cause


def test_a_wrong_item_leaves_out_only_that_item(site: Site) -> None:
    """The good indicators of a plugin that also returns a wrong object are still registered."""
    faulty = site.install("returns_non_indicator")
    manager = manager_of(faulty)
    assert local(manager.indicators) == ["69123.bon"]
    assert len(manager.errors) == 1


def test_a_plugin_error_is_a_territoires_error_and_a_runtime_error() -> None:
    """Code catching TerritoiresError or RuntimeError also catches a faulty plugin."""
    error = PluginInfo(name="p", distribution="d", version="2.0").error("hook", "cause")
    assert isinstance(error, TerritoiresError)
    assert isinstance(error, RuntimeError)
    assert str(error) == "plugin 'p' (d 2.0), hook: cause"
    assert str(PluginError("p", "import", "gone")) == "plugin 'p', import: gone"


def test_an_error_message_is_one_line_even_when_the_cause_is_not(site: Site) -> None:
    """A PluginError fits on one line, as the command line prints one line per fault."""
    faulty = site.install("bad_argument")
    manager = manager_of(faulty)
    (error,) = manager.errors
    assert "\n" not in str(error)


def test_faults_are_found_when_the_registries_are_built_and_only_then(site: Site) -> None:
    """Building the registries runs every registration hook once, so faults show before use."""
    faulty = site.install("raises")
    also = site.install("returns_string")
    manager = manager_of(faulty, also)
    assert "summary" not in manager.formats
    assert sorted(error.plugin for error in manager.errors) == ["raises", "returns-string"]
    assert local(manager.indicators) == []
    assert all(entry.plugin.builtin for entry in manager.rules.registrations())
    assert list(manager.formats) == BUILTIN_FORMATS
    assert len(manager.errors) == 2


def test_a_fault_is_recorded_once_when_the_registries_are_rebuilt() -> None:
    """Adding a plugin after the registries were built does not record old faults twice."""
    manager = plugin_manager(load_plugin("raises"))
    build(manager)
    assert len(manager.errors) == 1
    manager.add(load_plugin("good"), PluginInfo(name="good", distribution=None, version=None))
    assert "69123.participants" in manager.indicators
    assert len(manager.errors) == 1


def test_raise_errors_raises_the_first_fault(site: Site) -> None:
    """``raise_errors()`` raises the first PluginError met, and nothing when all is well."""
    broken = site.install("import_error", name="a-broken")
    raising = site.install("raises", name="b-raising")
    manager = manager_of(broken, raising)
    build(manager)
    assert [error.plugin for error in manager.errors] == ["a-broken", "b-raising"]
    with pytest.raises(PluginError) as caught:
        manager.raise_errors()
    assert caught.value is manager.errors[0]
    healthy = manager_of(site.install("good"))
    build(healthy)
    healthy.raise_errors()


def test_two_distributions_with_the_same_entry_point_name_are_reported(site: Site) -> None:
    """A second plugin under a name already taken is reported; the one loaded works."""
    first = site.install("good", name="lyon", distribution="territoires-lyon-a")
    site.install("good", name="lyon", distribution="territoires-lyon-b")
    manager = manager_of(first)
    build(manager)
    assert third_party(manager) == ["lyon"]
    assert "69123.participants" in manager.indicators
    (error,) = manager.errors
    assert error.hook == "import"
    assert error.cause == "another plugin is registered under this name"
    assert {error.distribution, manager.info("lyon").distribution} == {
        "territoires-lyon-a",
        "territoires-lyon-b",
    }


# -- environment variables --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "yes"])
def test_disable_autoload_loads_no_installed_plugin(
    site: Site, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """With TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD set, only the built-ins are loaded."""
    site.install("good")
    site.install("import_error")
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", value)
    manager = get_plugin_manager()
    assert third_party(manager) == []
    assert list(manager.formats) == BUILTIN_FORMATS
    assert manager.errors == []


@pytest.mark.parametrize("value", ["0", ""])
def test_disable_autoload_set_to_zero_or_empty_loads_them(
    site: Site, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD=0 (or empty) leaves auto-loading on."""
    good = site.install("good")
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", value)
    monkeypatch.setenv("TERRITOIRES_PLUGINS", good.name)
    assert third_party(get_plugin_manager()) == [good.name]


def test_autoload_argument_overrides_the_environment(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``get_plugin_manager(autoload=False)`` loads no installed plugin whatever the environment."""
    good = site.install("good")
    monkeypatch.setenv("TERRITOIRES_PLUGINS", good.name)
    assert third_party(get_plugin_manager(autoload=False)) == []
    assert third_party(get_plugin_manager()) == [good.name]


@pytest.mark.parametrize("by", ["entry-point", "distribution"])
def test_allow_list_loads_only_the_named_plugins(
    site: Site, monkeypatch: pytest.MonkeyPatch, by: str
) -> None:
    """TERRITOIRES_PLUGINS=a loads only plugin a, named by entry point or distribution."""
    wanted = site.install("good", name="a", distribution="territoires-alpha")
    site.install("good_other", name="b", distribution="territoires-beta")
    site.install("import_error", name="c", distribution="territoires-gamma")
    chosen = wanted.name if by == "entry-point" else wanted.distribution
    monkeypatch.setenv("TERRITOIRES_PLUGINS", f" {chosen} ,")
    manager = get_plugin_manager()
    build(manager)
    assert third_party(manager) == ["a"]
    assert manager.errors == []
    assert "200046977.actions" not in manager.indicators


def test_trace_logs_every_hook_call(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, dataset: Any
) -> None:
    """TERRITOIRES_TRACE_PLUGINS=1 logs each hook call with its plugin on territoires.plugins."""
    good = site.install("good", name="lyon")
    checker = site.install("validate_problems", name="checker")
    monkeypatch.setenv("TERRITOIRES_TRACE_PLUGINS", "1")
    with caplog.at_level(logging.INFO, logger="territoires.plugins"):
        manager = manager_of(good, checker)
        build(manager)
        territoires.validate(dataset, geography=None, plugins=manager)
    messages = [r.getMessage() for r in caplog.records if r.name == "territoires.plugins"]
    for call in (
        "lyon.register_indicators",
        "lyon.register_eligibility_rules",
        "lyon.register_export_formats",
        f"{BUILTIN}.register_export_formats",
        "checker.validate_dataset",
    ):
        assert any(message.startswith(f"{call} took ") for message in messages), call


def test_trace_shows_where_a_plugin_failed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With TERRITOIRES_TRACE_PLUGINS=1, a fault is logged with the plugin's traceback."""
    monkeypatch.setenv("TERRITOIRES_TRACE_PLUGINS", "1")
    with caplog.at_level(logging.INFO, logger="territoires.plugins"):
        get_plugin_manager(autoload=False, plugins=[("raising", load_plugin("raises"))])
    (record,) = [r for r in caplog.records if r.exc_info is not None]
    assert record.getMessage() == (
        "plugin 'raising', register_indicators: raised ValueError: indicator table missing"
    )
    assert "raises.py" in caplog.text  # the plugin's own frame, where to look


def test_no_trace_without_the_variable(
    site: Site, caplog: pytest.LogCaptureFixture, dataset: Any
) -> None:
    """Without TERRITOIRES_TRACE_PLUGINS, hook calls are not logged."""
    good = site.install("good", name="lyon")
    with caplog.at_level(logging.DEBUG, logger="territoires.plugins"):
        build(manager_of(good))
    assert not [r for r in caplog.records if " took " in r.getMessage()]


# -- registries ---------------------------------------------------------------------------------


def test_registries_keep_registration_order_with_builtins_first() -> None:
    """Items are listed built-ins first, then plugin by plugin in the order they were added."""
    manager = get_plugin_manager(
        autoload=False,
        plugins=[("second", load_plugin("good_other")), ("first", load_plugin("good"))],
    )
    assert list(manager.formats) == [*BUILTIN_FORMATS, "count", "summary"]
    assert [r.plugin.name for r in manager.formats.registrations()] == [
        *[BUILTIN] * len(BUILTIN_FORMATS),
        "second",
        "first",
    ]
    assert local(manager.indicators) == ["200046977.actions", "69123.participants"]
    assert [info.name for info in manager.plugin_infos()] == [*BUILTINS, "second", "first"]


def test_unregister_forgets_the_plugin_so_adding_it_back_puts_it_last() -> None:
    """An unregistered plugin is forgotten: added back, it and its items come after the others."""
    good = load_plugin("good")
    manager = get_plugin_manager(
        autoload=False, plugins=[("first", good), ("second", load_plugin("good_other"))]
    )
    manager.unregister(plugin=good)
    assert "69123.participants" not in manager.indicators
    assert manager.info("first") == PluginInfo(name="first", distribution=None, version=None)
    manager.add(good, PluginInfo(name="first", distribution=None, version=None))
    assert [info.name for info in manager.plugin_infos()] == [*BUILTINS, "second", "first"]
    assert local(manager.indicators) == ["200046977.actions", "69123.participants"]


def test_a_plugin_registered_with_pluggy_register_is_not_ignored() -> None:
    """A plugin added with the inherited pluggy ``register()`` contributes to the registries."""
    manager = get_plugin_manager(autoload=False)
    manager.register(load_plugin("good"), name="lyon")
    assert manager.hooks_of("lyon")
    assert "69123.participants" in manager.indicators


def test_a_duplicate_name_names_both_plugins(site: Site) -> None:
    """A name registered by two plugins is kept for the first; the error names both."""
    first = site.install("good", name="lyon", distribution="territoires-lyon")
    second = site.install("duplicate", name="lyon-bis", distribution="territoires-lyon-bis")
    manager = manager_of(first, second)
    registration = manager.indicators.registration("69123.participants")
    assert registration.plugin.name == "lyon"
    assert registration.item.label_en == "Participants"
    (error,) = manager.errors
    assert str(error).startswith(second.prefix("register_indicators"))
    assert "'69123.participants' is already registered by plugin" in error.cause
    assert "territoires-lyon'" in error.cause or "'lyon'" in error.cause


def test_replacing_a_builtin_format_is_declared_and_visible(site: Site, tmp_path: Path) -> None:
    """A format declared ``replaces="json"`` takes the built-in's place, and says it replaced it."""
    local = site.install("replaces_json", name="lyon-json")
    manager = manager_of(local)
    assert manager.errors == []
    assert list(manager.formats) == BUILTIN_FORMATS
    registration = manager.formats.registration("json")
    assert registration.plugin.name == "lyon-json"
    assert registration.replaced is not None
    assert (registration.replaced.name, registration.replaced.builtin) == (BUILTIN, True)
    assert manager.formats.registration("csv").replaced is None
    target = territoires.export(
        territoires.demo.build(participations=0),
        format="json",
        path=tmp_path / "out.json",
        plugins=manager,
    )
    assert target.read_text(encoding="utf-8") == '{"title": "replaced"}\n'


def test_a_collision_with_a_builtin_keeps_the_builtin(site: Site) -> None:
    """A format named like a built-in without ``replaces`` is refused; the built-in stays."""
    manager = manager_of(site.install("collides_json"))
    registration = manager.formats.registration("json")
    assert registration.plugin.builtin
    assert registration.replaced is None
    assert len(manager.errors) == 1


def _format(name: str, replaces: str | None = None) -> ExportFormat:
    return ExportFormat(
        name=name,
        label_fr=name,
        label_en=name,
        suffix=".txt",
        media_type="text/plain",
        kinds=frozenset({ExportKind.DATASET}),
        write=lambda obj, path: path.write_text("x", encoding="utf-8"),
        replaces=replaces,
    )


def _formats_plugin(*formats: ExportFormat) -> object:
    return types.SimpleNamespace(register_export_formats=hookimpl(lambda: list(formats)))


def test_replaces_naming_no_builtin_is_an_error() -> None:
    """Declaring ``replaces`` for a built-in that does not exist is reported, not ignored."""
    manager = get_plugin_manager(
        autoload=False, plugins=[("p", _formats_plugin(_format("markdown", replaces="markdown")))]
    )
    assert "markdown" not in manager.formats
    (error,) = manager.errors
    assert "no built-in has that name" in error.cause


def test_only_one_plugin_may_replace_a_builtin() -> None:
    """A second plugin replacing the same built-in is refused; the first replacement stays."""
    manager = get_plugin_manager(
        autoload=False,
        plugins=[
            ("p", _formats_plugin(_format("csv", replaces="csv"))),
            ("q", _formats_plugin(_format("csv", replaces="csv"))),
        ],
    )
    assert manager.formats.registration("csv").plugin.name == "p"
    (error,) = manager.errors
    assert error.plugin == "q"


BUILTIN_INDICATOR = "beneficiaires"


def _indicator(name: str, replaces: str | None = None) -> Indicator:
    return Indicator(
        name=name,
        label_fr=name,
        label_en=name,
        unit=Unit.COUNT,
        over_time=Aggregation.SUM,
        over_territory=Aggregation.SUM,
        counts_persons=False,
        compute=lambda facts: {(): Total(Decimal(0))},
        replaces=replaces,
    )


def test_a_plugin_can_replace_a_builtin_indicator(monkeypatch: pytest.MonkeyPatch) -> None:
    """An indicator declaring ``replaces`` with a built-in indicator's name replaces it."""
    builtin = types.ModuleType("territoires_test_builtin_indicators")
    builtin.register_indicators = hookimpl(  # type: ignore[attr-defined]
        lambda: [_indicator(BUILTIN_INDICATOR)]
    )
    monkeypatch.setitem(sys.modules, builtin.__name__, builtin)
    monkeypatch.setattr(
        plugins_module, "DEFAULT_PLUGINS", (*plugins_module.DEFAULT_PLUGINS, builtin.__name__)
    )
    outcomes = {}
    for name in (BUILTIN_INDICATOR, f"69123.{BUILTIN_INDICATOR}"):
        local = types.SimpleNamespace(
            register_indicators=hookimpl(
                lambda name=name: [_indicator(name, replaces=BUILTIN_INDICATOR)]
            )
        )
        manager = get_plugin_manager(autoload=False, plugins=[("lyon", local)])
        replaced = name in manager.indicators and manager.indicators.registration(name).replaced
        outcomes[name] = replaced or [str(error) for error in manager.errors]
    assert any(
        isinstance(outcome, PluginInfo) and outcome.builtin for outcome in outcomes.values()
    ), outcomes


# Two independent plugins: names in different namespaces, formats with different names.
_WORD = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_FORMAT = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True).filter(
    lambda name: name not in BUILTIN_FORMATS
)


def _rule(name: str) -> EligibilityRule:
    return EligibilityRule(
        name=name,
        label_fr=name,
        label_en=name,
        source=Source(title="test"),
        check=lambda facts: Verdict.met("oui", "yes"),
    )


def _plugin(namespace: str, words: frozenset[str], formats: frozenset[str]) -> object:
    return types.SimpleNamespace(
        register_eligibility_rules=hookimpl(lambda: [_rule(f"{namespace}.{w}") for w in words]),
        register_indicators=hookimpl(lambda: (_indicator(f"{namespace}.{w}") for w in words)),
        register_export_formats=hookimpl(lambda: [_format(f) for f in formats]),
    )


@given(
    words_a=st.frozensets(_WORD, max_size=4),
    words_b=st.frozensets(_WORD, max_size=4),
    formats=st.frozensets(_FORMAT, max_size=6),
    split=st.integers(min_value=0, max_value=6),
)
def test_registries_do_not_depend_on_the_order_of_independent_plugins(
    words_a: frozenset[str], words_b: frozenset[str], formats: frozenset[str], split: int
) -> None:
    """Two independent plugins give the same registries, each item attributed to its plugin."""
    ordered = sorted(formats)
    a = ("lyon", _plugin("69123", words_a, frozenset(ordered[:split])))
    b = ("metropole", _plugin("200046977", words_b, frozenset(ordered[split:])))
    forward = get_plugin_manager(autoload=False, plugins=[a, b])
    backward = get_plugin_manager(autoload=False, plugins=[b, a])
    for family in ("rules", "indicators", "formats"):
        one = getattr(forward, family)
        other = getattr(backward, family)
        assert set(one) == set(other)
        for name in one:
            assert one[name] == other[name]
            assert one.registration(name).plugin == other.registration(name).plugin
            if one.registration(name).plugin.builtin and name not in BUILTIN_FORMATS:
                continue  # the national rules, registered by their own built-in plugin
            expected = (
                BUILTIN
                if name in BUILTIN_FORMATS
                else "lyon"
                if name.startswith("69123.") or name in ordered[:split]
                else "metropole"
            )
            assert one.registration(name).plugin.name == expected
    assert forward.errors == backward.errors == []
    size = len(BUILTIN_FORMATS)
    assert list(forward.formats)[:size] == list(backward.formats)[:size] == BUILTIN_FORMATS


# -- validate -----------------------------------------------------------------------------------


def test_validate_adds_the_problems_of_plugins(site: Site, dataset: Any) -> None:
    """``territoires.validate`` returns the core's problems followed by the plugins' problems."""
    checker = site.install("validate_problems")
    assert territoires.validate(dataset, plugins=manager_of()) == []
    manager = manager_of(checker)
    problems = territoires.validate(dataset, plugins=manager)
    assert [p.record for p in problems] == [c.id for c in dataset.contracts]
    assert {p.message for p in problems} == {"Lyon policy: every contract needs a local referent"}
    assert all(isinstance(p, Problem) for p in problems)
    assert manager.errors == []


def test_validate_records_a_raising_plugin_and_keeps_the_others(site: Site, dataset: Any) -> None:
    """A raising ``validate_dataset`` is recorded in the manager; other plugins still check."""
    checker = site.install("validate_problems", name="checker")
    raising = site.install("validate_raises", name="raising")
    manager = manager_of(checker, raising)
    problems = territoires.validate(dataset, geography=None, plugins=manager)
    assert len(problems) == len(dataset.contracts)
    (error,) = manager.errors
    assert str(error) == raising.prefix("validate_dataset") + "raised KeyError: 'referent'"
    with pytest.raises(PluginError):
        manager.raise_errors()


@pytest.mark.parametrize(
    "returned", ["not a problem", 42, [Problem.__name__]], ids=["str", "int", "list-of-str"]
)
def test_validate_dataset_returning_the_wrong_type_is_recorded(
    returned: object, dataset: Any
) -> None:
    """A ``validate_dataset`` that returns something else than problems is recorded, not used."""
    plugin = types.SimpleNamespace(validate_dataset=hookimpl(lambda dataset: returned))
    manager = get_plugin_manager(autoload=False, plugins=[("odd", plugin)])
    assert territoires.validate(dataset, geography=None, plugins=manager) == []
    (error,) = manager.errors
    assert error.hook == "validate_dataset"
    assert "expected Problem objects" in error.cause


# -- export -------------------------------------------------------------------------------------


def test_a_plugin_format_exports(site: Site, tmp_path: Path, dataset: Any) -> None:
    """A format registered by a plugin is used by ``territoires.export``.

    Its writer sees the participations only when the caller asks for them explicitly.
    """
    manager = manager_of(site.install("good"))
    target = territoires.export(
        dataset, format="summary", path=tmp_path / "s.json", plugins=manager, participations=True
    )
    assert target.read_text(encoding="utf-8") == (
        f'{{"contracts": {len(dataset.contracts)}, "participations": 60}}'
    )
    territoires.export(dataset, format="summary", path=target, plugins=manager)
    assert target.read_text(encoding="utf-8") == (
        f'{{"contracts": {len(dataset.contracts)}, "participations": 0}}'
    )


def test_a_raising_writer_names_the_plugin_and_keeps_the_previous_file(
    site: Site, tmp_path: Path, dataset: Any
) -> None:
    """A plugin writer failing halfway gives a PluginError; the previous file is untouched."""
    plugin = site.install("writer_raises", name="halfway-writer")
    manager = manager_of(plugin)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "contracts.csv"
    previous = b"contract_id\r\nprevious export\r\n\xff"
    target.write_bytes(previous)
    with pytest.raises(PluginError) as caught:
        territoires.export(dataset, format="halfway", path=target, plugins=manager)
    error = caught.value
    assert str(error) == (
        plugin.prefix("writer of format 'halfway'")
        + "raised RuntimeError: disk quota of the plugin exceeded"
    )
    assert isinstance(error.__cause__, RuntimeError)
    assert target.read_bytes() == previous
    assert sorted(p.name for p in folder.iterdir()) == ["contracts.csv"]


def _writing(name: str, exc: BaseException) -> ExportFormat:
    def write(obj: object, path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise exc

    return attrs.evolve(_format(name), write=write)


def test_a_writer_that_exits_is_a_plugin_error_and_the_previous_file_stays(
    tmp_path: Path, dataset: Any
) -> None:
    """``sys.exit()`` in a plugin's writer is a PluginError naming it; nothing is replaced."""
    plugin = _formats_plugin(_writing("sortie", SystemExit(3)))
    manager = get_plugin_manager(autoload=False, plugins=[("lyon", plugin)])
    target = tmp_path / "out.txt"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(PluginError) as caught:
        territoires.export(dataset, format="sortie", path=target, plugins=manager)
    assert str(caught.value) == "plugin 'lyon', writer of format 'sortie': raised SystemExit: 3"
    assert manager.errors == [caught.value]
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize(
    ("exc", "raised"),
    [(ValueError("bad cell"), PluginError), (OSError(28, "No space left on device"), OSError)],
    ids=["bug", "disk-full"],
)
def test_a_builtin_writer_bug_is_named_and_its_os_errors_pass(
    tmp_path: Path, dataset: Any, exc: BaseException, raised: type[BaseException]
) -> None:
    """A built-in writer's bug is a PluginError naming it; a full disk, a WriteError naming it."""
    manager = get_plugin_manager(autoload=False, builtins=False)
    manager.add(
        _formats_plugin(_writing("plat", exc)),
        PluginInfo(
            name=BUILTIN, distribution="territoires", version=territoires.__version__, builtin=True
        ),
    )
    with pytest.raises(raised) as caught:
        territoires.export(dataset, format="plat", path=tmp_path / "out.txt", plugins=manager)
    if raised is PluginError:
        assert str(caught.value).startswith(
            f"plugin '{BUILTIN}' (territoires {territoires.__version__}), writer of format "
            "'plat': raised ValueError: bad cell"
        )
    else:
        assert isinstance(caught.value, territoires.WriteError)
        assert str(caught.value) == f"cannot write {tmp_path / 'out.txt'}: No space left on device"
        assert caught.value.__cause__ is None  # the temporary path it held is not shown
    assert list(tmp_path.iterdir()) == []


# -- the plugin boundary: whatever a plugin raises ----------------------------------------------


def _raising_plugin(exc: BaseException) -> object:
    def register_indicators() -> list[Indicator]:
        raise exc

    return types.SimpleNamespace(register_indicators=hookimpl(register_indicators))


@pytest.mark.parametrize(
    "exc", PLUGIN_EXCEPTIONS, ids=[type(e).__name__ for e in PLUGIN_EXCEPTIONS]
)
def test_whatever_a_hook_raises_becomes_one_plugin_error_and_the_rest_runs(
    exc: BaseException,
) -> None:
    """SystemExit, GeneratorExit or any BaseException in a hook is a PluginError naming it."""
    manager = get_plugin_manager(
        autoload=False,
        plugins=[("faulty", _raising_plugin(exc)), ("good", load_plugin("good"))],
    )
    assert "69123.participants" in manager.indicators
    assert "beneficiaries" in manager.indicators
    (error,) = manager.errors
    assert (error.plugin, error.hook) == ("faulty", "register_indicators")
    assert error.cause == f"raised {plugins_module.describe_exception(exc)}"
    assert error.__cause__ is exc


def test_keyboard_interrupt_in_a_hook_is_the_users_and_propagates() -> None:
    """Ctrl-C during a plugin's hook stops the program: it is never taken for a fault."""
    with pytest.raises(KeyboardInterrupt):
        get_plugin_manager(
            autoload=False, plugins=[("faulty", _raising_plugin(KeyboardInterrupt()))]
        )


def test_a_plugin_that_exits_when_imported_is_left_out_and_the_others_load(site: Site) -> None:
    """``sys.exit(3)`` at import is a fault of that plugin; the good one is loaded."""
    exits = site.install("import_exits", name="a-exits")
    good = site.install("good", name="b-good")
    manager = manager_of(exits, good)
    assert third_party(manager) == ["b-good"]
    (error,) = manager.errors
    assert str(error) == exits.prefix("import") + "raised SystemExit: 3"
    assert [info.name for info in manager.left_out()] == ["a-exits"]


@pytest.mark.parametrize(
    ("stem", "hook"),
    [("import_error", "import"), ("typo_hook", "check_pending"), ("bad_argument", "registration")],
)
def test_left_out_lists_the_plugins_that_could_not_be_loaded(
    site: Site, stem: str, hook: str
) -> None:
    """A plugin refused at import, registration or check is listed by ``left_out()``."""
    faulty = site.install(stem, name="faulty", distribution="territoires-faulty")
    manager = manager_of(faulty, site.install("good"))
    (info,) = manager.left_out()
    assert (info.name, info.distribution, info.version) == ("faulty", "territoires-faulty", VERSION)
    assert [error.hook for error in manager.errors] == [hook]
    assert "faulty" not in third_party(manager)


def test_guarded_returns_the_result_or_the_recorded_fault() -> None:
    """``guarded`` returns what the call returns, or the PluginError it recorded."""
    manager = get_plugin_manager(autoload=False)
    info = PluginInfo(name="lyon", distribution="territoires-lyon", version="1.0")
    assert manager.guarded(info, "calculator of indicator '69123.x'", lambda: 42) == 42
    assert manager.errors == []

    def fail() -> int:
        raise SystemExit(3)

    error = manager.guarded(info, "calculator of indicator '69123.x'", fail)
    assert isinstance(error, PluginError)
    assert str(error) == (
        "plugin 'lyon' (territoires-lyon 1.0), calculator of indicator '69123.x': "
        "raised SystemExit: 3"
    )
    assert manager.errors == [error]


def test_a_hook_failing_again_is_recorded_once_with_its_first_cause() -> None:
    """A rule failing for every person is one fault, not one per person."""
    manager = get_plugin_manager(autoload=False)
    info = PluginInfo(name="lyon", distribution=None, version=None)
    causes = []
    for person in range(100):

        def fail(person: int = person) -> None:
            raise KeyError(f"P{person}")

        error = manager.guarded(info, "check of rule '69123.y'", fail)
        assert isinstance(error, PluginError)
        causes.append(error.cause)
    assert causes[:2] == ["raised KeyError: 'P0'", "raised KeyError: 'P1'"]
    assert [error.cause for error in manager.errors] == ["raised KeyError: 'P0'"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), FileNotFoundError("gone")])
def test_guarded_lets_keyboard_interrupt_and_the_passing_types_through(
    exc: BaseException,
) -> None:
    """KeyboardInterrupt and the types a boundary lets pass propagate as they are."""
    manager = get_plugin_manager(autoload=False)
    info = PluginInfo(name="lyon", distribution=None, version=None)

    def fail() -> None:
        raise exc

    with pytest.raises(type(exc)):
        manager.guarded(info, "writer of format 'x'", fail, passes=(OSError,))
    assert manager.errors == []


def test_a_memory_error_keeps_nothing_of_the_plugin_alive() -> None:
    """The traceback of a MemoryError is dropped, so the plugin's frames and data are freed."""
    manager = get_plugin_manager(autoload=False)
    info = PluginInfo(name="lyon", distribution=None, version=None)

    def hungry() -> None:
        ballast = bytearray(1_000_000)  # what a plugin holds when memory runs out
        raise MemoryError(len(ballast))

    error = manager.guarded(info, "calculator of indicator '69123.x'", hungry)
    assert isinstance(error, PluginError)
    assert isinstance(error.__cause__, MemoryError)
    assert error.__cause__.__traceback__ is None


@given(
    failing=st.lists(st.booleans(), min_size=1, max_size=5),
    which=st.sampled_from(PLUGIN_EXCEPTIONS),
)
def test_a_faulty_plugin_never_changes_what_the_others_register(
    failing: list[bool], which: BaseException
) -> None:
    """The registries with faulty plugins are those of the healthy plugins alone."""
    plugins = [
        (
            f"p{n}",
            _raising_plugin(which) if fails else _plugin(f"t{n}", frozenset({"a"}), frozenset()),
        )
        for n, fails in enumerate(failing)
    ]
    healthy = [pair for pair, fails in zip(plugins, failing, strict=True) if not fails]
    with_faults = get_plugin_manager(autoload=False, plugins=plugins)
    without = get_plugin_manager(autoload=False, plugins=healthy)
    assert list(with_faults.indicators) == list(without.indicators)
    assert list(with_faults.rules) == list(without.rules)
    assert [error.plugin for error in with_faults.errors] == [
        name for (name, _), fails in zip(plugins, failing, strict=True) if fails
    ]


def test_a_share_of_a_missing_breakdown_is_left_out_naming_its_plugin(site: Site) -> None:
    """A share declared on a breakdown nobody registered is refused at loading, by name.

    The plugin's sound indicator is registered, and so are the built-ins.
    """
    plugin = site.install("bad_share", name="bad-share", distribution="territoires-bad-share")
    manager = manager_of(plugin)
    assert local(manager.indicators) == ["69123.part_femmes"]
    (error,) = manager.errors
    assert str(error) == plugin.prefix("register_indicators") + (
        "indicator '69123.part_femmes_par_theme' is left out: it is a share of "
        "'beneficiaries' by theme, but no registered indicator has that breakdown"
    )


def test_an_indicator_linked_to_one_left_out_is_left_out_too() -> None:
    """A rate counting the persons of a refused share is refused in turn, each with its error."""
    share = load_plugin("bad_share")
    rate = attrs.evolve(_indicator("t.taux"), counts_as=share.BAD)
    manager = get_plugin_manager(
        autoload=False,
        plugins=[
            ("share", share),
            ("rate", types.SimpleNamespace(register_indicators=hookimpl(lambda: [rate]))),
        ],
    )
    assert "t.taux" not in manager.indicators
    assert share.GOOD in manager.indicators
    assert [(error.plugin, error.cause) for error in manager.errors] == [
        (
            "share",
            f"indicator {share.BAD!r} is left out: it is a share of 'beneficiaries' by theme, "
            "but no registered indicator has that breakdown",
        ),
        (
            "rate",
            f"indicator 't.taux' is left out: it counts the persons of {share.BAD!r}, which is "
            "not registered",
        ),
    ]


# -- territoires.testing ------------------------------------------------------------------------


def test_plugin_manager_helper_registers_only_what_it_is_given(site: Site) -> None:
    """``territoires.testing.plugin_manager`` gives a fresh manager without installed plugins."""
    installed = site.install("good")
    other = load_plugin("good_other")
    manager = plugin_manager(other)
    assert third_party(manager) == [other.__name__]
    assert installed.name not in [info.name for info in manager.plugin_infos()]
    assert local(manager.indicators) == ["200046977.actions"]
    assert list(manager.formats) == [*BUILTIN_FORMATS, "count"]
    assert manager.errors == []
    assert plugin_manager(other) is not manager
    bare = plugin_manager(other, builtins=False)
    assert list(bare.formats) == ["count"]


def test_plugin_manager_helper_reports_faults_like_the_real_one() -> None:
    """The test helper records a faulty plugin's error, so plugin tests can assert on it."""
    manager = plugin_manager(load_plugin("raises"))
    build(manager)
    (error,) = manager.errors
    assert error.hook == "register_indicators"
    assert error.plugin == "territoires_test_plugins.raises"


PLUGIN_UNDER_TEST = '''
"""A plugin under test in a plugin author's project."""

from decimal import Decimal

from territoires import Aggregation, Indicator, Unit, hookimpl
from territoires.measures import Total


@hookimpl
def register_indicators():
    return [
        Indicator(
            name="69123.mine",
            label_fr="mien",
            label_en="mine",
            unit=Unit.COUNT,
            over_time=Aggregation.SUM,
            over_territory=Aggregation.SUM,
            counts_persons=False,
            compute=lambda facts: {(): Total(Decimal(0))},
        )
    ]
'''

TEST_OF_THE_PLUGIN = """
import my_plugin


def test_with_the_fixture(territoires_plugins):
    manager = territoires_plugins(my_plugin)
    assert "69123.mine" in manager.indicators
    assert manager.indicators.registration("69123.mine").plugin.name == "my_plugin"
    assert [i.name for i in manager.plugin_infos() if not i.builtin] == ["my_plugin"]
    assert "json" in manager.formats
    assert manager.errors == []
    assert territoires_plugins(my_plugin) is not manager


def test_without_builtins(territoires_plugins):
    assert list(territoires_plugins(my_plugin, builtins=False).formats) == []
"""


def test_the_territoires_plugins_fixture_works_in_a_plugin_authors_conftest(
    pytester: pytest.Pytester, site: Site
) -> None:
    """``pytest_plugins = ["territoires.testing"]`` gives the ``territoires_plugins`` fixture."""
    site.install("import_error")
    site.install("good")
    pytester.makeconftest('pytest_plugins = ["territoires.testing"]\n')
    pytester.makepyfile(my_plugin=PLUGIN_UNDER_TEST, test_my_plugin=TEST_OF_THE_PLUGIN)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=0, errors=0)
