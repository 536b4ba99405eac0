"""A minimal web application embedding territoires, with the standard library only (wsgiref).

Run ``python examples/webapp.py [PORT]`` and open http://127.0.0.1:8000/ (port 8000 unless
given). It serves:

``GET /indicators?period=2021``
    the indicator table of the period as JSON, every count of persons protected by disclosure
    control, written by the ``json`` export format; ``territory=CODE`` (repeatable) restricts
    the rows to territories, ``level=national`` (repeatable) to levels, ``indicator=NAME``
    (repeatable) to indicators, and ``format=csv`` asks another registered format.
``GET /report?period=2021``
    the steering-committee report of the period as one HTML page; ``territory=CODE``
    (repeatable) and ``lang=en`` as for ``territoires report``.

A request the application cannot answer as asked (a period that names no period, a territory
that does not exist, a parameter it does not know) gets ``400 Bad Request`` with a one-line
message; never a traceback.

The dataset is loaded once, at start-up: the file or folder named by the environment variable
``TERRITOIRES_WEBAPP_DATA`` (a ``.json`` document, a data-package folder...), or the embedded
demo, whose activity is synthetic. The disclosure threshold is the server's choice
(``TERRITOIRES_WEBAPP_THRESHOLD``, 11 by default, a number or a preset read by
:func:`territoires.disclosure.parse_threshold`), never the visitor's.

Example:
    >>> import json
    >>> from wsgiref.util import setup_testing_defaults
    >>> from territoires.plugins import get_plugin_manager
    >>> app = make_app(load_dataset(None), plugins=get_plugin_manager(autoload=False))
    >>> environ = {"PATH_INFO": "/indicators", "QUERY_STRING": "period=2021&level=national"}
    >>> setup_testing_defaults(environ)
    >>> answer = []
    >>> body = b"".join(app(environ, lambda status, headers: answer.append(status)))
    >>> answer, json.loads(body)["synthetic"]
    (['200 OK'], True)
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import territoires
from territoires.disclosure import DEFAULT_THRESHOLD, parse_threshold
from territoires.formats import ExportKind
from territoires.indicators import Level, compute_indicators, parse_period
from territoires.model import Period
from territoires.plugins import PluginManager, get_plugin_manager
from territoires.report import build_report, render_html

DATA_VARIABLE = "TERRITOIRES_WEBAPP_DATA"
THRESHOLD_VARIABLE = "TERRITOIRES_WEBAPP_THRESHOLD"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Page = tuple[str, bytes]  # content type, body

# The library's errors that say what is wrong with what the visitor asked: a period that names
# no period, a territory or an indicator that does not exist. Anything else is the server's
# fault: wsgiref answers 500 and logs the traceback on the server's side only.
BAD_INPUT = (
    territoires.FormatError,
    territoires.UnknownTerritoryError,
    territoires.UnknownIndicatorError,
)
LEVELS = tuple(level.value for level in Level)

# The report is self-contained (inline CSS, inline SVG): the browser needs nothing else.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class BadRequest(Exception):
    """The request cannot be answered as asked; the message says why, in one line."""


def load_dataset(path: str | None) -> territoires.Dataset:
    """Return the dataset to serve: the file or folder at ``path``, or the demo without one.

    Raises:
        DataError: the file cannot be read or holds problems (``.problems`` lists them).
    """
    return territoires.load(path) if path else territoires.demo.build()


def parameters(
    query: str, allowed: Iterable[str], repeatable: Iterable[str]
) -> dict[str, list[str]]:
    """Return the parameters of a query string; refuse unknown or repeated ones.

    Example:
        >>> parameters("period=2021&territory=44109&territory=31555", ["period", "territory"],
        ...            ["territory"])
        {'period': ['2021'], 'territory': ['44109', '31555']}
    """
    try:
        found = parse_qs(
            query, keep_blank_values=True, strict_parsing=bool(query), max_num_fields=50
        )
    except ValueError as exc:
        raise BadRequest(f"unreadable query string: {exc}") from None
    known = list(allowed)
    for name, values in found.items():
        if name not in known:
            raise BadRequest(f"unknown parameter {name!r} (parameters: {', '.join(known)})")
        if len(values) > 1 and name not in repeatable:
            raise BadRequest(f"parameter {name!r} is given {len(values)} times; give it once")
    return found


def _one(found: Mapping[str, list[str]], name: str, default: str) -> str:
    """The value of a parameter given at most once, or ``default``."""
    return found.get(name, [default])[0]


def _period(found: Mapping[str, list[str]]) -> Period:
    period = _one(found, "period", "")
    if not period:
        raise BadRequest("parameter 'period' is required: ?period=2021, 2021-S1 or FROM..TO")
    return parse_period(period)  # the library's grammar, as --period on the command line


def make_app(
    dataset: territoires.Dataset,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    plugins: PluginManager | None = None,
) -> Application:
    """Return the WSGI application serving ``dataset``.

    Args:
        dataset: The data, loaded once; it is immutable, so every request can share it.
        threshold: The smallest count of persons published, chosen by whoever runs the server.
        plugins: The plugin manager; by default the installed plugins are loaded once, here.

    Raises:
        PluginError: a plugin is faulty: better refuse to start than serve partial results.
    """
    manager = plugins if plugins is not None else get_plugin_manager()
    formats = manager.formats  # building the registries runs the plugins' registration hooks
    manager.raise_errors()
    served = {
        name: chosen
        for name, chosen in formats.items()
        if ExportKind.INDICATORS in chosen.kinds and not chosen.folder
    }

    def indicators(query: str) -> Page:
        found = parameters(
            query,
            ["period", "territory", "level", "indicator", "format"],
            ["territory", "level", "indicator"],
        )
        name = _one(found, "format", "json")
        if name not in served:
            raise BadRequest(f"no format {name!r} for indicators (formats: {', '.join(served)})")
        levels = found.get("level")
        for level in levels or ():
            if level not in LEVELS:
                raise BadRequest(f"level {level!r}: use {', '.join(LEVELS)}")
        table = compute_indicators(
            dataset,
            period=_period(found),
            territories=found.get("territory"),
            level=levels,
            indicators=found.get("indicator"),
            threshold=threshold,
            plugins=manager,
        )
        chosen = served[name]
        with tempfile.TemporaryDirectory() as folder:  # formats write files: write, then read
            target = Path(folder) / f"indicators{chosen.suffix}"
            territoires.export(table, format=name, path=target, plugins=manager)
            body = target.read_bytes()
        charset = "; charset=utf-8" if chosen.media_type.startswith("text/") else ""
        return chosen.media_type + charset, body

    def report(query: str) -> Page:
        found = parameters(query, ["period", "territory", "lang"], ["territory"])
        asked = _one(found, "lang", "fr")
        if asked not in ("fr", "en"):
            raise BadRequest(f"lang {asked!r}: use fr or en")
        lang: Literal["fr", "en"] = "en" if asked == "en" else "fr"
        territories = found.get("territory")
        built = build_report(
            dataset,
            period=_period(found),
            territories=territories,
            lang=lang,
            threshold=threshold,
            plugins=manager,
        )
        if territories and not built.contracts:
            raise BadRequest(f"no contract of the dataset lies in {', '.join(territories)}")
        return "text/html; charset=utf-8", render_html(built).encode("utf-8")

    def home(query: str) -> Page:
        parameters(query, [], [])
        lines = [
            f"territoires {territoires.__version__}: {dataset.info.title or 'dataset'}",
            "synthetic data (demo)" if dataset.info.synthetic else "",
            "GET /indicators?period=2021[&territory=CODE][&level=national][&format=csv]",
            "GET /report?period=2021[&territory=CODE][&lang=en]",
        ]
        return "text/plain; charset=utf-8", "\n".join(line for line in lines if line).encode()

    routes: dict[str, Callable[[str], Page]] = {
        "/": home,
        "/indicators": indicators,
        "/report": report,
    }

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        route = routes.get(path)
        if route is None:
            return _answer(start_response, "404 Not Found", f"no page {path!r}: try / for the list")
        if environ["REQUEST_METHOD"] != "GET":
            return _answer(start_response, "405 Method Not Allowed", "only GET", [("Allow", "GET")])
        try:
            content_type, body = route(environ.get("QUERY_STRING", ""))
        except (BadRequest, *BAD_INPUT) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return _answer(start_response, "400 Bad Request", message)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        if content_type.startswith("text/html"):
            headers.append(("Content-Security-Policy", REPORT_POLICY))
        start_response("200 OK", [*headers, ("X-Content-Type-Options", "nosniff")])
        return [body]

    return app


def _answer(
    start_response: StartResponse,
    status: str,
    message: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    """Answer with a one-line plain-text message."""
    body = (message + "\n").encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
            *(extra or []),
        ],
    )
    return [body]


def main(argv: list[str] | None = None) -> int:
    """Load the dataset, then serve it on 127.0.0.1 until interrupted; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and not args[0].isdigit()):
        print("usage: python examples/webapp.py [PORT]", file=sys.stderr)
        return 2
    port = int(args[0]) if args else 8000
    path = os.environ.get(DATA_VARIABLE)
    try:
        app = make_app(
            load_dataset(path), threshold=parse_threshold(os.environ.get(THRESHOLD_VARIABLE))
        )
    except territoires.DataError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return 1
    except (territoires.TerritoiresError, OSError) as exc:
        print(f"webapp: {exc}", file=sys.stderr)
        return 2
    with make_server("127.0.0.1", port, app) as server:
        print(f"serving {path or 'the demo (synthetic data)'} on http://127.0.0.1:{port}/")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
