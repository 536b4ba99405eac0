"""Every example of ``examples/`` runs, and does what its docstring says.

Each example has its tests here, named in :data:`TESTED`; an example added to ``examples/``
without tests makes :func:`test_every_example_is_tested` fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import attrs
import pytest

import territoires
from territoires.testing import plugin_manager

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

TESTED: dict[str, tuple[str, ...]] = {
    "quickstart": ("test_quickstart_writes_reloads_and_checks_the_demo",),
    "webapp": (
        "test_the_webapp_serves_protected_indicators_as_json",
        "test_the_webapp_serves_indicators_in_another_format",
        "test_the_webapp_serves_the_report_as_html",
        "test_bad_input_gets_a_400_with_one_line",
        "test_unknown_pages_and_methods_are_refused",
        "test_the_threshold_is_the_servers_choice",
        "test_the_webapp_loads_the_dataset_named_by_its_variable",
        "test_the_webapp_refuses_to_start_on_unreadable_data",
    ),
}
"""The examples, by file stem, and the tests of each in this module."""


def test_every_example_is_tested() -> None:
    """Each ``examples/*.py`` file has tests in this module, and no test names a missing one."""
    found = {path.stem for path in EXAMPLES.glob("*.py")}
    assert found == set(TESTED), (
        f"examples without tests here: {sorted(found - set(TESTED))}; "
        f"tests of examples that no longer exist: {sorted(set(TESTED) - found)}"
    )
    missing = [name for names in TESTED.values() for name in names if name not in globals()]
    assert not missing, f"TESTED names tests that do not exist: {missing}"


def _environment() -> dict[str, str]:
    """This process's environment, without the variables that change what territoires loads."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TERRITOIRES_") and key not in {"PYTHONPATH", "PYTHONHOME"}
    }
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


# -- quickstart ------------------------------------------------------------------------------------


def test_quickstart_writes_reloads_and_checks_the_demo(tmp_path: Path) -> None:
    """``quickstart.py FOLDER`` writes the demo there, reads it back and finds no problem."""
    folder = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py"), str(folder)],
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("18 contracts, ")
    assert lines[-1] == "0 problems"
    assert (folder / "datapackage.json").is_file()
    assert territoires.load(folder) == territoires.demo.build()


# -- webapp ----------------------------------------------------------------------------------------


def _import_example(stem: str) -> types.ModuleType:
    """Import ``examples/STEM.py`` as a module, without keeping it in ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(f"example_{stem}", EXAMPLES / f"{stem}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@attrs.frozen
class Answer:
    """What a WSGI application answered."""

    status: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8")


def call(app: Any, path: str, query: str = "", method: str = "GET") -> Answer:
    """Call the WSGI application ``app`` as a server would, without a socket."""
    environ: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method}
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks = app(environ, lambda status, headers: started.append((status, headers)))
    body = b"".join(chunks)
    (status, headers), *more = started
    assert not more, "start_response called twice"
    return Answer(status, dict(headers), body)


@pytest.fixture(scope="module")
def webapp() -> types.ModuleType:
    """The ``examples/webapp.py`` module."""
    return _import_example("webapp")


@pytest.fixture(scope="module")
def app(webapp: types.ModuleType) -> Any:
    """The web application serving the demo, with the built-in plugins only."""
    return webapp.make_app(webapp.load_dataset(None), plugins=plugin_manager())


def test_the_webapp_serves_protected_indicators_as_json(app: Any) -> None:
    """``/indicators?period=2021`` answers the disclosure-controlled table as JSON."""
    answer = call(app, "/indicators", "period=2021&territory=44109&level=contract")
    assert answer.status == "200 OK"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Content-Length"] == str(len(answer.body))
    document = json.loads(answer.body)
    assert document["synthetic"] is True
    assert document["threshold"] == 11
    assert document["period"] == {"start": "2021-01-01", "end": "2021-12-31"}
    rows = document["rows"]
    assert rows
    assert {row["contract"] for row in rows} == {"ctair-nantes"}
    statuses = {row["status"] for row in rows}
    assert "published" in statuses
    assert "suppressed" in statuses, "the demo has small cells to protect"
    assert not statuses & {"primary", "secondary"}  # a published output never tells them apart
    assert all(row["value"] is None for row in rows if row["status"] in {"primary", "secondary"})


def test_the_webapp_serves_indicators_in_another_format(app: Any) -> None:
    """``format=csv`` asks the ``csv`` export format, with its media type."""
    answer = call(app, "/indicators", "period=2021&level=national&indicator=beneficiaries")
    assert answer.status == "200 OK"
    csv_answer = call(
        app, "/indicators", "period=2021&level=national&indicator=beneficiaries&format=csv"
    )
    assert csv_answer.status == "200 OK"
    assert csv_answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_answer.text.splitlines()[0].startswith("indicator,level,territory,")


def test_the_webapp_serves_the_report_as_html(app: Any) -> None:
    """``/report?period=2021`` answers the steering-committee report as one HTML page."""
    answer = call(app, "/report", "period=2021&territory=44109&lang=en")
    assert answer.status == "200 OK"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.text.startswith("<!DOCTYPE html>")
    assert "SYNTHETIC" in answer.text


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        ("/indicators", "period=20x1", "'20x1' is not a period"),
        ("/indicators", "", "parameter 'period' is required"),
        ("/indicators", "period=2021&territory=99999", "unknown territory '99999'"),
        ("/indicators", "period=2021&indicator=nope", "no indicator named 'nope'"),
        ("/indicators", "period=2021&level=everywhere", "level 'everywhere'"),
        ("/indicators", "period=2021&threshold=1", "unknown parameter 'threshold'"),
        ("/indicators", "period=2021&period=2022", "parameter 'period' is given 2 times"),
        ("/indicators", "period=2021&format=datapackage", "no format 'datapackage'"),
        ("/indicators", "period&&x", "unreadable query string"),
        ("/report", "period=2021-S3", "'2021-S3' is not a period"),
        ("/report", "period=2021&lang=de", "lang 'de'"),
        ("/report", "period=2021&territory=38185", "no contract of the dataset lies in 38185"),
    ],
    ids=[
        "bad-period",
        "no-period",
        "unknown-territory",
        "unknown-indicator",
        "bad-level",
        "threshold-is-not-the-visitors",
        "repeated",
        "folder-format",
        "unreadable-query",
        "report-bad-period",
        "report-bad-lang",
        "report-no-contract",
    ],
)
def test_bad_input_gets_a_400_with_one_line(app: Any, path: str, query: str, message: str) -> None:
    """A request the app cannot answer gets 400 and one line of plain text, no traceback."""
    answer = call(app, path, query)
    assert answer.status == "400 Bad Request"
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    (line,) = answer.text.splitlines()
    assert message in line
    assert "Traceback" not in answer.text


def test_unknown_pages_and_methods_are_refused(app: Any) -> None:
    """An unknown path gets 404, another method than GET gets 405; the home page lists routes."""
    assert call(app, "/nowhere").status == "404 Not Found"
    refused = call(app, "/indicators", "period=2021", method="POST")
    assert refused.status == "405 Method Not Allowed"
    assert refused.headers["Allow"] == "GET"
    home = call(app, "/")
    assert home.status == "200 OK"
    assert "GET /indicators?period=2021" in home.text


def test_the_threshold_is_the_servers_choice(webapp: types.ModuleType) -> None:
    """A server started with another threshold publishes cells by that threshold."""
    app5 = webapp.make_app(territoires.demo.build(), threshold=5, plugins=plugin_manager())
    document = json.loads(call(app5, "/indicators", "period=2021&level=national").body)
    assert document["threshold"] == 5
    assert webapp.parse_threshold("dgfip") == 11
    with pytest.raises(territoires.FormatError, match="threshold 'low'"):
        webapp.parse_threshold("low")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No variable of the calling shell changes what the example loads."""
    for name in list(os.environ):
        if name.startswith("TERRITOIRES_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TERRITOIRES_DISABLE_PLUGIN_AUTOLOAD", "1")
    return monkeypatch


def test_the_webapp_loads_the_dataset_named_by_its_variable(
    webapp: types.ModuleType, tmp_path: Path
) -> None:
    """``load_dataset(path)`` reads a file; without a path it is the demo."""
    small = territoires.demo.build(participations=50)
    path = territoires.dump(small, tmp_path / "data.json")
    assert webapp.load_dataset(str(path)) == small
    assert webapp.load_dataset(None).info.synthetic


def test_the_webapp_refuses_to_start_on_unreadable_data(
    webapp: types.ModuleType,
    tmp_path: Path,
    clean_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``main()`` with a missing dataset or a bad port says so in one line, serving nothing."""
    clean_environment.setenv(webapp.DATA_VARIABLE, str(tmp_path / "missing.json"))
    assert webapp.main([]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "missing.json" in line
    assert webapp.main(["eighty"]) == 2
    assert capsys.readouterr().err == "usage: python examples/webapp.py [PORT]\n"
