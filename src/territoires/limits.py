"""The bounds of what territoires reads: every limit in one place, each with why it is what it is.

Readers check these limits *before* doing the work they bound (a file's size from its
metadata, a line's length as it is met, a workbook part's size from its zip header and again
while it is inflated), so that hostile input is refused in bounded time and memory with one
problem naming the file, instead of running for minutes or ending in a traceback.

The reading limits are generous: a national file of several million rows is far inside them.
A library user who trusts a larger file can raise one for the process, before reading::

    import territoires.limits
    territoires.limits.MAX_FILE_BYTES = 8 * 2**30

Readers look the limits up on this module each time they read, so such a change is seen.
The bounds of amounts and counts are invariants of the model (:mod:`territoires.model`
checks them whatever the source of a value) and are not meant to be changed.

This module imports nothing: the model and the readers both depend on it.

.. versionadded:: 0.1
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "MAX_AMOUNT",
    "MAX_COLUMNS",
    "MAX_COUNT",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PROBLEMS",
    "MAX_PROBLEMS_SHOWN",
    "MAX_QUERY_LENGTH",
    "MAX_TARGET",
    "MAX_TARGET_DECIMALS",
    "MAX_WORKBOOK_BYTES",
    "MAX_WORKBOOK_PART_BYTES",
]

MAX_FILE_BYTES = 2 * 2**30
"""Largest file read (2 GiB), checked on its size before reading: a JSON document of about
8 million participation rows, a CSV table of about 20 million. A larger file would not fit in
the memory of the machines territoires runs on once decoded."""

MAX_LINE_BYTES = 2**20
"""Longest line of a CSV table (1 MiB), checked as the file is read: a participation row is
about 100 bytes, so a longer line is no table row (a binary file, a JSON document on one line,
an attack)."""

MAX_COLUMNS = 200
"""Most columns a CSV table's header may have, checked on the header before any row is read:
the participations table has 13 and the reports table 9."""

MAX_DEPTH = 100
"""Deepest nesting of arrays and objects in a JSON document, a data-package descriptor or the
hidden sheet of a workbook: a territoires document needs about 10 levels."""

MAX_WORKBOOK_PART_BYTES = 512 * 2**20
"""Largest inflated size of one part of a workbook (512 MiB), checked on the zip's declared
sizes and again while inflating (declared sizes can lie): a sheet of about a million rows."""

MAX_WORKBOOK_BYTES = 2 * 2**30
"""Largest inflated size of all the parts of a workbook together (2 GiB)."""

MAX_PROBLEMS = 10_000
"""Most problems a reader keeps for one file; past it, problems are counted, not kept, so that
a file with ten million bad cells costs bounded memory. The last problem kept then says how
many more there were (code ``too-many-problems``)."""

MAX_PROBLEMS_SHOWN = 100
"""Most problems the command line prints as text, followed by a line counting the others;
``--format json`` gives every problem kept (at most :data:`MAX_PROBLEMS` per file)."""

MAX_QUERY_LENGTH = 200
"""Longest search query of :meth:`territoires.geo.Geography.search` and ``territoires geo``, in
characters: the longest official name of a territory has about 150."""

MAX_AMOUNT = Decimal(10) ** 15
"""Largest amount in euros (a million billion: a thousand times the State's yearly budget),
with at most two decimals. Amounts are summed and formatted exactly; the bound keeps every
sum of millions of them inside the 28 digits :mod:`decimal` computes exactly, where
``1E+1000000`` would overflow when rounded to cents."""

MAX_COUNT = 10**8
"""Largest count of persons (a hundred million: more than the population of France), for
report counts, estimated beneficiaries and populations."""

MAX_TARGET = Decimal(10) ** 15
"""Largest absolute value of a target (an amount, a count or a rate)."""

MAX_TARGET_DECIMALS = 6
"""Most decimals of a target value."""
