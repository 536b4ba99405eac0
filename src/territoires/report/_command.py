"""``territoires report``: write the steering-committee report of a period as one HTML file.

The handler follows the command line's conventions (:mod:`territoires.cli`): usage errors and
unreadable input raise, and :func:`territoires.cli.main` turns them into one line and exit
code 2. The file is written atomically: the page is rendered into a temporary file next to
the target, which replaces the target only once complete, so a failure leaves any previous
report as it was.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from territoires._terminal import Progress
from territoires.exceptions import FormatError
from territoires.indicators import parse_period
from territoires.io._atomic import atomic_text_file
from territoires.report import build_report, render_html

__all__ = ["run"]


def run(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    """Build the report the arguments ask for and write it; return the exit code.

    Raises:
        FormatError: a bad ``--period`` or ``--threshold``, or a territory with no contract.
        UnknownTerritoryError: a territory that no geography knows.
    """
    # Imported here: the command line imports this module lazily, and not the reverse.
    from territoires.cli import EXIT_OK, _default_period, _load, _plugins, _threshold

    period = parse_period(args.period or _default_period())
    threshold = _threshold(args.threshold)
    manager = _plugins(args)
    dataset, _ = _load(args.path, args.encoding, progress)
    with progress.step("computing the report"):
        report = build_report(
            dataset,
            period=period,
            territories=args.territory or None,
            lang=args.lang,
            threshold=threshold,
            plugins=manager,
        )
    if args.territory and not report.contracts:
        raise FormatError(
            f"--territory {', '.join(args.territory)}: no contract of the dataset lies there"
        )
    target = Path(args.output)
    with progress.step(f"writing {target}"), atomic_text_file(target, newline="") as stream:
        stream.write(render_html(report))
    note = ", synthetic data" if report.synthetic else ""
    count = len(report.contracts)
    contracts = f"{count} contract{'' if count == 1 else 's'}"
    out.write(f"wrote {target} ({period}, {contracts}{note})\n")
    return EXIT_OK
