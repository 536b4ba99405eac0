"""The demo report in a real browser: headless Chromium renders it with no console message.

The page forbids itself any fetch (Content-Security-Policy ``default-src 'none'``), so a
resource it tried to load would show as a console message here. The screenshot is kept in
``build/report.png`` for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import territoires
from territoires.plugins import get_plugin_manager
from territoires.report import build_report

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 2400
TIMEOUT = 120  # seconds; a cold start of Chromium in CI takes a few


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable, or a skip saying how to install it."""
    found = _chromium()
    if found is None:
        pytest.skip("chromium is not installed: apt-get install chromium (CI installs it)")
    return found


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The French report of 2021 on the demo, written to a file."""
    builtins = get_plugin_manager(autoload=False)
    report = build_report(
        territoires.demo.build(participations=2_000),
        period="2021",
        plugins=builtins,
        today=dt.date(2022, 1, 15),
    )
    target = tmp_path_factory.mktemp("report") / "report.html"
    return territoires.export(report, format="html", path=target, plugins=builtins)


def browse(chromium: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium, cut off from the network's background services."""
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={WIDTH},{HEIGHT}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    """The lines of Chromium's log that report the page's console or an uncaught error."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_report_renders_in_chromium(chromium: str, report_file: Path, tmp_path: Path) -> None:
    """Chromium draws the page (a screenshot that is not blank) and logs no console message."""
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    screenshot = build / "report.png"
    screenshot.unlink(missing_ok=True)
    result = browse(
        chromium, tmp_path / "profile", f"--screenshot={screenshot}", report_file.as_uri()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    data = screenshot.read_bytes()
    assert png_size(data) == (WIDTH, HEIGHT)
    assert len(data) > 50_000  # a blank page of this size compresses to a few kilobytes
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib, not with us
        return
    with Image.open(screenshot) as image:
        darkest, lightest = image.convert("L").getextrema()
    assert darkest < 64 < lightest  # dark text on a light page


def test_the_rendered_page_holds_the_tables_and_charts(
    chromium: str, report_file: Path, tmp_path: Path
) -> None:
    """The DOM Chromium builds has every section, its tables and, with matplotlib, the charts."""
    result = browse(chromium, tmp_path / "profile", "--dump-dom", report_file.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    dom = result.stdout
    for key in ("scorecard", "contracts", "cohorts", "budget", "beneficiaries", "steering"):
        assert f'<section id="{key}">' in dom
    assert dom.count("<table>") >= 7
    try:
        import matplotlib  # noqa: F401
    except ImportError:  # pragma: no cover - CI installs the 'report' extra
        assert "<figure" not in dom
        return
    charts = re.findall(r"<figure>\s*<svg[^>]*>", dom)
    assert len(charts) == 4
    assert all('role="img"' in chart for chart in charts)
    bars = re.findall(r'<svg class="bar[^"]*"[^>]*>', dom)  # the actions' progress bars
    assert bars
    assert all('role="img"' in bar and "aria-label=" in bar for bar in bars)
