"""Generators of the hostile corpus for the bounded, strict readers (see hostile.py).

Large inputs cost little to make: the limits are checked before the work, so a sparse file or
a workbook that declares its inflated size is enough to prove the refusal comes early.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from hostile import generator


def _document(folder: Path, name: str, participations: int = 20) -> str:
    import territoires

    path = territoires.dump(territoires.demo.build(participations=participations), folder / name)
    return path.read_text(encoding="utf-8")


@generator
def huge_amount(folder: Path) -> Path:
    """The demo document with an amount of a million digits, ``1e1000000`` euros."""
    text = _document(folder, "amount.json")
    start = text.index('"committed": "')
    end = text.index('"', start + len('"committed": "'))
    path = folder / "amount.json"
    path.write_text(text[:start] + '"committed": 1e1000000' + text[end + 1 :], encoding="utf-8")
    return path


@generator
def count_of_5000_digits(folder: Path) -> Path:
    """A reports CSV whose count has 5,000 digits (``int()`` refuses past 4,300)."""
    path = folder / "reports.csv"
    path.write_text(
        "id,action,period_start,period_end,spent,category,sex,age_band,count\n"
        f"r1,a1,2021-01-01,2021-06-30,100,refugee,female,18-25,{'9' * 5000}\n",
        encoding="utf-8",
    )
    return path


@generator
def deep_json(folder: Path) -> Path:
    """A document nested 100,000 levels deep in its ``info``."""
    path = folder / "deep.json"
    depth = 100_000
    path.write_text(
        '{"schema": "territoires/1", "info": ' + "[" * depth + "]" * depth + "}\n",
        encoding="utf-8",
    )
    return path


@generator
def deep_descriptor(folder: Path) -> Path:
    """A data package whose descriptor is nested 100,000 levels deep."""
    package = folder / "package"
    package.mkdir()
    depth = 100_000
    (package / "datapackage.json").write_text(
        '{"resources": [], "x": ' + "[" * depth + "]" * depth + "}\n", encoding="utf-8"
    )
    return package


@generator
def zip_bomb_workbook(folder: Path) -> Path:
    """A small workbook whose shared strings declare and inflate to 600 MiB of one letter."""
    path = folder / "bomb.xlsx"
    chunk = b"<si><t>" + b"A" * (2**20 - 16) + b"</t></si>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for _ in range(600):
                part.write(chunk)
    return path


@generator
def wide_header(folder: Path) -> Path:
    """A CSV whose header has 300,000 columns (under the line limit, over the column one)."""
    path = folder / "wide.csv"
    path.write_text(",".join(["id", "person", *("c" for _ in range(300_000))]) + "\n")
    return path


@generator
def one_long_line(folder: Path) -> Path:
    """A CSV of one line of 1 GB, sparse on disk: refused after its first mebibyte."""
    path = folder / "line.csv"
    with open(path, "wb") as stream:
        stream.write(b"id,person," + b"x" * 2**21)
        stream.truncate(2**30)
    return path


@generator
def many_problems(folder: Path) -> Path:
    """A participations CSV of 200,000 rows, each with a date that is no date."""
    path = folder / "many.csv"
    rows = "".join(f"p{i},X{i},a1,someday,refugee\n" for i in range(200_000))
    path.write_text("id,person,action,entry_date,status\n" + rows, encoding="utf-8")
    return path


@generator
def mac_line_endings(folder: Path) -> Path:
    """A participations CSV of 30 rows with bare CR line ends ("CSV Macintosh")."""
    path = folder / "mac.csv"
    rows = [f"p{i},X{i},a1,2021-01-0{1 + i % 9},refugee" for i in range(30)]
    path.write_bytes("\r".join(["id,person,action,entry_date,status", *rows, ""]).encode())
    return path


@generator
def multipart_package(folder: Path) -> Path:
    """A data package whose participations come in two parts, the header in the first."""
    import territoires

    package = folder / "package"
    territoires.dump(territoires.demo.build(participations=40), package)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    lines = (package / "participations.csv").read_text(encoding="utf-8").splitlines(True)
    (package / "participations.csv").unlink()
    (package / "part-1.csv").write_text("".join(lines[:21]), encoding="utf-8")
    (package / "part-2.csv").write_text("".join(lines[21:]), encoding="utf-8")
    for resource in descriptor["resources"]:
        if resource["name"] == "participations":
            resource["path"] = ["part-1.csv", "part-2.csv"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return package


@generator
def future_schema_package(folder: Path) -> Path:
    """A data package declaring a territoires schema version this one does not know."""
    import territoires

    package = folder / "package"
    territoires.dump(territoires.demo.build(participations=10), package)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["territoires"]["schema"] = "territoires/9"
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return package
