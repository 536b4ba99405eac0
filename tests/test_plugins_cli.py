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


def disable(plugin: Installed) -> str:
    """What the first fault line of ``plugin`` ends with: how to disable it."""
    return (
        f" (to disable the plugin: pip uninstall {plugin.distribution}, or name the plugins to "
        "load in TERRITOIRES_PLUGINS, or set TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD=1 to load none)"
    )


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
        "status": "ok",
        "hooks": HOOKS.split(", "),
        "registers": {
            "rules": ["69123.cir_signe"],
            "indicators": ["69123.participants"],
            "formats": ["summary"],
        },
        "errors": [],
    }
    assert entries[BUILTIN]["builtin"] is True
    builtin = ["csv", "datapackage", "xlsx", "html", "scdl"]
    assert entries[BUILTIN]["registers"] == {"formats": builtin}
    assert entries["lyon-json"]["registers"] == {"formats": [f"json (replaces {BUILTIN})"]}


def test_plugins_says_when_none_is_installed(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without installed plugins, ``territoires plugins`` says so and points to ``--all``."""
    site.install("good")
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, out = run("plugins", "--lang", "en")
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
    code, out = run("plugins", "--lang", "en")
    (line,) = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert line.startswith(f"territoires: plugin 'faulty' (territoires-faulty {VERSION}), {hook}: ")
    assert line.endswith(disable(faulty))
    assert cause in line
    assert "69123.participants" in row_of(out, "lyon")
    assert row_of(out, "faulty").split()[3] in {"ok", "failed", "faulty"}


def test_several_faulty_plugins_give_one_line_each(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three faulty plugins give three lines, in loading order, and the listing shows them all.

    The one that failed to import is listed last, as failed, with its distribution and error.
    """
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
    document = json.loads(out)
    assert lines == [
        f"territoires: {error}{disable(plugin)}"
        for error, plugin in zip(document["errors"], plugins, strict=False)
    ]
    entries = [
        (entry["name"], entry["distribution"], entry["status"], entry["errors"])
        for entry in document["plugins"]
    ]
    assert entries == [
        (
            "b-raises",
            "territoires-test-b-raises",
            "faulty",
            ["register_indicators: raised ValueError: indicator table missing"],
        ),
        (
            "c-string",
            "territoires-test-c-string",
            "faulty",
            [
                "register_indicators: returned '69123.jeunes' (a str); expected Indicator objects "
                "(a list, or a single one)"
            ],
        ),
        ("d-good", "territoires-test-d-good", "ok", []),
        (
            "a-import",
            "territoires-test-a-import",
            "failed",
            ["import: raised RuntimeError: this plugin is broken on purpose"],
        ),
    ]


def test_plugins_lists_a_plugin_that_failed_to_import_as_failed(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text listing shows a plugin that could not be imported, as failed, with its error.

    It used to say "no plugin installed".
    """
    broken = site.install("import_error", name="broken", distribution="territoires-broken")
    allow(monkeypatch, broken)
    code, out = run("plugins", "--lang", "en")
    (line,) = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert line == (
        f"territoires: plugin 'broken' (territoires-broken {VERSION}), import: raised "
        f"RuntimeError: this plugin is broken on purpose{disable(broken)}"
    )
    row = row_of(out, "broken")
    assert f"territoires-broken {VERSION}" in row
    assert "failed (import: raised RuntimeError: this plugin is broken on purpose)" in row
    _, out = run("plugins")  # in French by default, the same row
    assert "non chargée (import: raised RuntimeError: this plugin is broken on purpose)" in (
        row_of(out, "broken")
    )
    assert out.splitlines()[0].split()[:3] == ["Extension", "Distribution", "État"]


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
        f"raised ValueError: indicator table missing{disable(faulty)}"
    ]


# -- validate -----------------------------------------------------------------------------------


def test_validate_with_a_raising_plugin_checks_the_rest_and_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plugin's check that raises: the other checks run and print, one line names it, exit 2.

    The validation asked for is incomplete, so the summary says so and the status is 2.
    """
    raising = site.install("validate_raises", name="checker", distribution="territoires-checker")
    allow(monkeypatch, raising)
    code, out = run("validate", "--lang", "en")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert lines == [
        f"territoires: plugin 'checker' (territoires-checker {VERSION}), validate_dataset: "
        f"raised KeyError: 'referent'{disable(raising)}"
    ]
    assert out.startswith("demo: ")
    assert out.endswith(
        ": no problems (synthetic data); incomplete: the checks of 1 plugin failed\n"
    )


def test_validate_prints_the_problems_plugins_find(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Problems found by a plugin's check print like the core's, and make the exit code 1."""
    checker = site.install("validate_problems")
    allow(monkeypatch, checker)
    code, out = run("validate", "--lang", "en")
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
    code, out = run(
        "export", "--format", "json", "--with-participations", "-o", str(target), "--lang", "en"
    )
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    assert out == f"wrote {target} as json (synthetic data)\n"
    assert territoires.load(target) == territoires.demo.build()
    code, out = run("export", "--format", "json", "-o", str(target), "--lang", "en")
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
        "scdl, summary, xlsx)"
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
        f"territoires: {plugin.prefix(hook)}raised RuntimeError: disk quota of the plugin "
        f"exceeded{disable(plugin)}"
    ]
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "site-packages"]


def test_export_with_a_refused_format_writes_with_the_builtin_and_names_the_plugin(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plugin's format refused at loading is left out: the built-in writes, one line, exit 0."""
    faulty = site.install("collides_json", name="faulty", distribution="territoires-faulty")
    allow(monkeypatch, faulty)
    target = tmp_path / "demo.json"
    code, out = run("export", "--format", "json", "-o", str(target))
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_OK
    assert lines == [
        f"territoires: {faulty.prefix('register_export_formats')}'json' is already registered "
        f"by the built-in '{BUILTIN}'; declare replaces='json' to replace it{disable(faulty)}"
    ]
    assert territoires.load(target).contracts == territoires.demo.build().contracts


def test_export_with_a_plugin_that_fails_to_import_still_exports(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plugin that cannot be imported does not stop an export it is not needed for: exit 0."""
    broken = site.install("import_error", name="broken")
    allow(monkeypatch, broken)
    target = tmp_path / "demo.json"
    code, out = run("export", "--format", "json", "-o", str(target), "--lang", "en")
    (line,) = errors_of(capsys, out)
    assert code == cli.EXIT_OK
    assert line.startswith(f"territoires: {broken.prefix('import')}raised RuntimeError: ")
    assert out.startswith(f"wrote {target} as json (synthetic data)")
    assert territoires.load(target).contracts == territoires.demo.build().contracts


def test_export_to_the_format_of_a_plugin_that_failed_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Asking for a format the failed plugin would have registered is a usage error: exit 2.

    The plugin's fault comes first, then the unknown format, so the reader sees why.
    """
    broken = site.install("import_error", name="broken")
    allow(monkeypatch, broken)
    target = tmp_path / "out.md"
    code, out = run("export", "--format", "markdown", "-o", str(target))
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert lines[0].startswith(f"territoires: {broken.prefix('import')}")
    assert lines[1:] == [
        "territoires: no export format named 'markdown' (available: csv, datapackage, html, "
        "json, scdl, xlsx)"
    ]
    assert not target.exists()


# -- faults while a command runs ------------------------------------------------------------------


def test_a_raising_calculator_leaves_the_other_indicators_and_exits_2(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plugin's calculator that raises: the national indicators print, its cells are absent.

    One line names the plugin, its distribution and the indicator; the request (every
    indicator) needed it, so the status is 2.
    """
    fragile = site.install("calculator_raises", name="fragile")
    allow(monkeypatch, fragile)
    code, out = run("indicators", "--period", "2021", "--format", "csv")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    hook = "calculator of indicator '69123.fragile'"
    assert lines == [
        f"territoires: {fragile.prefix(hook)}raised ValueError: no housing table for this "
        f"contract{disable(fragile)}"
    ]
    monkeypatch.setenv("TERRITOIRES_PLUGINS", ",")
    code, without = run("indicators", "--period", "2021", "--format", "csv")
    assert code == cli.EXIT_OK
    assert out == without


def test_a_raising_calculator_not_asked_for_changes_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Indicators that do not need the faulty plugin are computed as usual: exit 0, no line."""
    allow(monkeypatch, site.install("calculator_raises"))
    code, out = run(
        "indicators",
        "--period",
        "2021",
        "--format",
        "csv",
        "--indicator",
        "contracts",
        "--level",
        "national",
    )
    assert errors_of(capsys, out) == []
    assert code == cli.EXIT_OK
    assert len(out.splitlines()) == 4


def test_an_indicator_of_a_plugin_that_failed_to_import_is_unknown(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for an indicator only the failed plugin would register is a usage error: exit 2."""
    broken = site.install("import_error", name="broken")
    allow(monkeypatch, broken)
    code, out = run("indicators", "--period", "2021", "--indicator", "69123.logement")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert lines[0].startswith(f"territoires: {broken.prefix('import')}")
    assert lines[1].startswith("territoires: no indicator named '69123.logement' (registered: ")


@pytest.mark.parametrize("command", [["validate"], ["indicators", "--period", "2021"], ["show"]])
def test_a_plugin_that_fails_to_import_does_not_stop_a_command(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    """The built-ins and the other plugins run; the fault is one line; the status is as usual."""
    broken = site.install("import_error", name="broken")
    good = site.install("good", name="lyon")
    allow(monkeypatch, broken, good)
    code, out = run(*command)
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_OK
    assert len(lines) == (0 if command == ["show"] else 1)  # show loads no plugin
    if command[0] == "indicators":
        assert "Participants" in out  # the good plugin's indicator


def test_a_raising_rule_makes_its_verdict_unknown_naming_the_plugin(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule that raises: its verdict is unknown with a reason naming the plugin, never eligible.

    The other rules still give their verdicts; the status is 2.
    """
    rule = site.install("rule_raises", name="quartier", distribution="territoires-quartier")
    allow(monkeypatch, rule)
    persons = str(Path(__file__).parent / "data" / "persons" / "one.json")
    argv = ["eligibility", persons, "--action", "grenoble-02", "--on", "2021-04-01"]
    code, out = run(*argv, "--format", "json")
    lines = errors_of(capsys, out)
    assert code == cli.EXIT_USAGE
    hook = "check of rule '69123.quartier'"
    assert lines == [f"territoires: {rule.prefix(hook)}raised KeyError: 'quartier'{disable(rule)}"]
    (decision,) = json.loads(out)["decisions"]
    assert decision["outcome"] == "undetermined"
    verdicts = {v["rule"]: v for v in decision["verdicts"]}
    assert verdicts["69123.quartier"]["outcome"] == "unknown"
    assert verdicts["69123.quartier"]["reason_en"] == (
        "not evaluated: the plugin 'quartier' (territoires-quartier) failed "
        "(raised KeyError: 'quartier')"
    )
    assert {v["outcome"] for r, v in verdicts.items() if r != "69123.quartier"} == {"met"}


def test_a_plugin_that_prints_leaves_the_results_clean_in_process(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process, what a plugin prints goes to standard error, never into the results."""
    chatty = site.install("prints", name="bavard")
    allow(monkeypatch, chatty)
    argv = ["indicators", "--period", "2021", "--format", "csv", "--indicator", "69123.bavard"]
    code, out = run(*argv, "--level", "national")
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK
    assert out.splitlines()[1:] == [
        "69123.bavard,national,FR,,,2021-01-01,2021-12-31,,,6000,persons,,,,published,11,true,0"
    ]
    assert captured.out == ""
    assert "bavard: registering" in captured.err.splitlines()
    assert "bavard: computing ctair-lyon" in captured.err.splitlines()


def test_a_plugin_that_prints_leaves_standard_output_clean(site: Site) -> None:
    """Run as a program, a plugin's print() and writes to descriptor 1 go to standard error."""
    chatty = site.install("prints", name="bavard")
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    environment.update(PYTHONPATH=site.pythonpath(), TERRITOIRES_PLUGINS=chatty.name)
    argv = ["indicators", "--period", "2021", "--format", "json", "--indicator", "69123.bavard"]
    argv += ["--level", "national"]
    result = subprocess.run(
        [sys.executable, "-m", "territoires", *argv],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == cli.EXIT_OK, result.stderr
    (row,) = json.loads(result.stdout)["rows"]
    assert (row["indicator"], row["value"]) == ("69123.bavard", "6000")
    errors = result.stderr.splitlines()
    assert "bavard: registering" in errors
    assert "bavard: computing ctair-lyon" in errors
    assert "bavard: fd 1 for ctair-lyon" in errors


def test_standard_output_is_restored_after_the_command(site: Site) -> None:
    """After ``main()`` returns, the program's own prints and fd-1 writes go to stdout again."""
    chatty = site.install("prints", name="bavard")
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    environment.update(PYTHONPATH=site.pythonpath(), TERRITOIRES_PLUGINS=chatty.name)
    script = (
        "import os, sys\n"
        "from territoires.cli import main\n"
        "print('before')\n"
        "code = main(['plugins', '--format', 'json'])\n"
        "print('after', code)\n"
        "sys.stdout.flush()\n"
        "os.write(1, b'fd after\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "before"
    assert lines[-2:] == ["after 0", "fd after"]
    assert json.loads("\n".join(lines[1:-2]))["plugins"][0]["name"] == "bavard"
    assert result.stderr.splitlines() == ["bavard: registering"]


def test_a_reader_that_goes_away_while_a_plugin_prints_gets_no_traceback(site: Site) -> None:
    """``indicators --format csv | head -1`` with a printing plugin: exit 0, no traceback."""
    chatty = site.install("prints", name="bavard")
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    environment.update(PYTHONPATH=site.pythonpath(), TERRITOIRES_PLUGINS=chatty.name)
    process = subprocess.Popen(
        [sys.executable, "-m", "territoires", "indicators", "--level", "all", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline().startswith(b"indicator,level,")
    process.stdout.close()  # what `| head -1` does once it has its line
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) == cli.EXIT_OK
    assert "Traceback" not in error
    assert "Exception ignored" not in error
