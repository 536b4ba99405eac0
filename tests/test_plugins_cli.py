"""The command line and plugins: ``territoires plugins``, faulty plugins, validate and export.

Plugins are installed as fake distributions on ``sys.path`` (see :mod:`test_plugins`), and
every test names the ones it installs in ``TERRITOIRES_PLUGINS``, so that example plugins
installed in the environment do not change what the commands print.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import territoires
from territoires import cli
from territoires.plugins import DEFAULT_PLUGINS
from test_plugins import BUILTIN, ENVIRONMENT, VERSION, Installed, Site, open_site

HOOKS = "register_eligibility_rules, register_export_formats, register_indicators"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A temporary folder on ``sys.path`` to install fake plugin distributions into."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    fake = open_site(tmp_path, monkeypatch)
    yield fake
    fake.close()


def allow(monkeypatch: pytest.MonkeyPatch, *installed: Installed) -> None:
    """Let the commands load only ``installed`` of the installed plugins."""
    monkeypatch.setenv("TERRITOIRES_PLUGINS", ",".join(p.name for p in installed) or ",")


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def errors_of(capsys: pytest.CaptureFixture[str], *texts: str) -> list[str]:
    """Check that nothing printed holds a traceback; return the lines of standard error."""
    captured = capsys.readouterr()
    for text in (*texts, captured.out, captured.err):
        assert "Traceback" not in text
    return captured.err.splitlines()


def row_of(out: str, name: str) -> str:
    """The line of the ``territoires plugins`` table that lists plugin ``name``."""
    (row,) = [line for line in out.splitlines() if line.split("  ")[0] == name]
    return row


# -- territoires plugins --------------------------------------------------------------------------


def test_plugins_lists_an_installed_plugin(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``territoires plugins`` shows a plugin's distribution, version, hooks and names."""
    good = site.install("good", name="lyon", distribution="territoires-lyon")
    allow(monkeypatch, good)
    code, out = run("plugins")
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    row = row_of(out, "lyon")
    assert f"territoires-lyon {VERSION}" in row
    assert HOOKS in row
    assert "rules: 69123.cir_signe; indicators: 69123.participants; formats: summary" in row
    assert BUILTIN not in out


def test_plugins_all_includes_the_builtins(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``territoires plugins --all`` lists the built-in plugins, first, with what they register."""
    good = site.install("good", name="lyon")
    allow(monkeypatch, good)
    code, out = run("plugins", "--all")
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    row = row_of(out, BUILTIN)
    assert f"territoires {territoires.__version__}" in row
    assert "formats: json, csv, datapackage" in row
    assert out.index(BUILTIN) < out.index("lyon  ")


def test_plugins_json_output_parses(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format json`` prints one document describing each plugin for machines."""
    good = site.install("good", name="lyon", distribution="territoires-lyon")
    local = site.install("replaces_json", name="lyon-json")
    allow(monkeypatch, good, local)
    code, out = run("plugins", "--all", "--format", "json")
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    document = json.loads(out)
    assert document["errors"] == []
    entries = {entry["name"]: entry for entry in document["plugins"]}
    assert list(entries) == [*DEFAULT_PLUGINS, "lyon", "lyon-json"]
    assert entries["lyon"] == {
        "name": "lyon",
        "distribution": "territoires-lyon",
        "version": VERSION,
        "builtin": False,
        "module": good.module,
        "hooks": HOOKS.split(", "),
        "registers": {
            "rules": ["69123.cir_signe"],
            "indicators": ["69123.participants"],
            "formats": ["summary"],
        },
    }
    assert entries[BUILTIN]["builtin"] is True
    assert entries[BUILTIN]["registers"] == {"formats": ["csv", "datapackage", "xlsx", "html"]}
    assert entries["lyon-json"]["registers"] == {"formats": [f"json (replaces {BUILTIN})"]}


def test_plugins_says_when_none_is_installed(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without installed plugins, ``territoires plugins`` says so and points to ``--all``."""
    site.install("good")
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, out = run("plugins")
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    assert out == "no plugin installed (--all lists the built-ins too)\n"


FAULTS = [
    pytest.param("import_error", "import", "RuntimeError: this plugin is broken on purpose"),
    pytest.param("raises", "register_indicators", "raised ValueError: indicator table missing"),
    pytest.param(
        "returns_string",
        "register_indicators",
        "returned '69123.jeunes' (a str); expected Indicator objects",
    ),
    pytest.param(
        "returns_non_indicator", "register_indicators", "returned 42 (a int); expected Indicator"
    ),
    pytest.param("returns_dict", "register_indicators", "(a dict); expected Indicator"),
    pytest.param("unnamespaced", "register_indicators", "name 'jeunes' has no namespace: "),
    pytest.param("collides_json", "register_export_formats", "'json' is already registered"),
    pytest.param("typo_hook", "check_pending", "unknown hook 'register_indicator' in plugin "),
    pytest.param("bad_argument", "registration", "Plugin 'faulty' for hook"),
]


@pytest.mark.parametrize(("stem", "hook", "cause"), FAULTS)
def test_a_faulty_plugin_gives_one_line_and_exit_code_2(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stem: str,
    hook: str,
    cause: str,
) -> None:
    """Each fault is one line naming plugin, distribution, version, hook and cause; exit 2."""
    good = site.install("good", name="lyon")
    faulty = site.install(stem, name="faulty", distribution="territoires-faulty")
    allow(monkeypatch, good, faulty)
    code, out = run("plugins")
    (line,) = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert line.startswith(f"territoires: plugin 'faulty' (territoires-faulty {VERSION}), {hook}: ")
    assert cause in line
    assert "69123.participants" in row_of(out, "lyon")


def test_several_faulty_plugins_give_one_line_each(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three faulty plugins give three lines, in loading order, and the listing still shows."""
    plugins = [
        site.install("import_error", name="a-import"),
        site.install("raises", name="b-raises"),
        site.install("returns_string", name="c-string"),
        site.install("good", name="d-good"),
    ]
    allow(monkeypatch, *plugins)
    code, out = run("plugins", "--format", "json")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert [line.split("'")[1] for line in lines] == ["a-import", "b-raises", "c-string"]
    assert all(line.startswith("territoires: plugin '") for line in lines)
    document = json.loads(out)
    assert [f"territoires: {error}" for error in document["errors"]] == lines
    assert [entry["name"] for entry in document["plugins"]] == ["b-raises", "c-string", "d-good"]


def test_the_installed_command_prints_each_fault_once(site: Site) -> None:
    """Run as a program (no pytest logging), a fault still shows as exactly one line."""
    faulty = site.install("raises", name="faulty", distribution="territoires-faulty")
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    environment["PYTHONPATH"] = site.pythonpath()
    environment["TERRITOIRES_PLUGINS"] = faulty.name
    result = subprocess.run(
        [sys.executable, "-m", "territoires", "plugins"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == cli.EXIT_USAGE
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"territoires: {faulty.prefix('register_indicators')}"
        "raised ValueError: indicator table missing"
    ]


# -- validate -----------------------------------------------------------------------------------


def test_validate_with_a_raising_plugin_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``territoires validate`` stops with exit 2 and one line when a plugin's check raises."""
    raising = site.install("validate_raises", name="checker", distribution="territoires-checker")
    allow(monkeypatch, raising)
    code, out = run("validate")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert lines == [
        f"territoires: plugin 'checker' (territoires-checker {VERSION}), validate_dataset: "
        "raised KeyError: 'referent'"
    ]
    assert out == ""


def test_validate_prints_the_problems_plugins_find(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Problems found by a plugin's check print like the core's, and make the exit code 1."""
    checker = site.install("validate_problems")
    allow(monkeypatch, checker)
    code, out = run("validate")
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_DATA
    lines = out.splitlines()
    contracts = territoires.demo.build(participations=0).contracts
    assert lines[:-1] == [
        f"demo:{contract.id}:referent: Lyon policy: every contract needs a local referent "
        "[invalid-value]"
        for contract in contracts
    ]
    assert lines[-1].endswith(f": {len(contracts)} errors, 0 warnings (synthetic data)")


# -- export -------------------------------------------------------------------------------------


def test_export_json_writes_a_dataset_that_loads_back_equal(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``export --format json --with-participations`` writes the demo, which loads back equal.

    Without the flag, the participations are left out, and the command says so.
    """
    allow(monkeypatch, site.install("good"))
    target = tmp_path / "demo.json"
    code, out = run("export", "--format", "json", "--with-participations", "-o", str(target))
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    assert out == f"wrote {target} as json (synthetic data)\n"
    assert territoires.load(target) == territoires.demo.build()
    code, out = run("export", "--format", "json", "-o", str(target))
    assert code == cli.EXIT_OK
    assert out == (
        f"wrote {target} as json (synthetic data); participations left out "
        "(--with-participations to include them)\n"
    )
    written = territoires.load(target)
    assert written.participations == ()
    assert written.contracts == territoires.demo.build().contracts


def test_export_to_a_plugin_format(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``territoires export`` writes in a format an installed plugin registers."""
    allow(monkeypatch, site.install("good"))
    target = tmp_path / "summary.json"
    code, out = run("export", "--format", "summary", "-o", str(target))
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    assert json.loads(target.read_text(encoding="utf-8"))["contracts"] == 18


def test_export_to_an_unknown_format_lists_the_formats(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--format nope`` exits 2 with one line listing the registered formats."""
    allow(monkeypatch, site.install("good"))
    target = tmp_path / "out"
    code, out = run("export", "--format", "nope", "-o", str(target))
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert lines == [
        "territoires: no export format named 'nope' (available: csv, datapackage, html, json, "
        "summary, xlsx)"
    ]
    assert not target.exists()


def test_export_with_a_raising_writer_exits_2_and_keeps_the_file(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plugin writer failing halfway: exit 2, one line naming the plugin, old file intact."""
    plugin = site.install("writer_raises", name="halfway-writer")
    allow(monkeypatch, plugin)
    target = tmp_path / "out.csv"
    target.write_bytes(b"previous\n")
    code, out = run("export", "--format", "halfway", "-o", str(target))
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    hook = "writer of format 'halfway'"
    assert lines == [
        f"territoires: {plugin.prefix(hook)}raised RuntimeError: disk quota of the plugin exceeded"
    ]
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "site-packages"]


def test_export_with_a_faulty_format_plugin_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plugin whose formats are refused stops ``export`` with exit 2, writing nothing."""
    faulty = site.install("collides_json", name="faulty", distribution="territoires-faulty")
    allow(monkeypatch, faulty)
    target = tmp_path / "demo.json"
    code, out = run("export", "--format", "json", "-o", str(target))
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert lines == [
        f"territoires: {faulty.prefix('register_export_formats')}'json' is already registered "
        f"by the built-in '{BUILTIN}'; declare replaces='json' to replace it"
    ]
    assert not target.exists()


def test_export_with_a_plugin_that_fails_to_import_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plugin that cannot be imported stops ``export`` with exit 2 and writes nothing."""
    broken = site.install("import_error", name="broken")
    allow(monkeypatch, broken)
    target = tmp_path / "demo.json"
    code, out = run("export", "--format", "json", "-o", str(target))
    (line,) = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert line.startswith(f"territoires: {broken.prefix('import')}RuntimeError: ")
    assert not target.exists()
