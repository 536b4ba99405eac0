"""Bounded, strict readers: duplicate keys, depth, sizes, line ends and the limits module."""

from __future__ import annotations

import io
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import territoires
from territoires import ProblemCode, limits
from territoires.cli import main
from territoires.exceptions import InvalidValueError
from territoires.geo import get_geography
from territoires.io import _strict
from territoires.io._converter import make_converter, structure_records
from territoires.io._json import read_json
from territoires.io._package import read_descriptor
from territoires.io._tables import read_participations
from territoires.io._text import ReadFailure, line_and_column, read_bytes
from territoires.model import Funding, FundingSource, ReportCount
from territoires.model.enums import AgeBand, PublicCategory, Sex
from territoires.problems import Problem, omitted

CONVERTER = make_converter()
ROW = {"id": "p1", "person": "X1", "action": "a1", "entry_date": "2021-01-04", "status": "refugee"}


def _codes(problems: list[Problem]) -> list[str]:
    return [p.code.value for p in problems]


# -- duplicate keys -----------------------------------------------------------------------------

json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4))
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


def _with_repeated_key(value: Any, key: str) -> str:
    """JSON text of ``value`` (an object) with ``key`` written twice in it."""
    members = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in value.items() if k != key]
    members += [f"{json.dumps(key)}: 1", f"{json.dumps(key)}: 2"]
    return "{" + ", ".join(members) + "}"


@given(json_values, st.text(max_size=3), st.integers(0, 4))
def test_a_key_repeated_at_any_depth_is_a_problem(value: Any, key: str, depth: int) -> None:
    """Any JSON text with a key twice in one object, however deep, gives a duplicate-key problem."""
    obj = value if isinstance(value, dict) else {}
    text = _with_repeated_key(obj, key)
    for _ in range(depth):
        text = '{"inner": [' + text + "]}"
    problems = _strict.duplicate_key_problems(text, "f.json")
    assert _codes(problems) == ["duplicate-key"]
    assert problems[0].field is not None
    assert problems[0].field.endswith(key)


@given(json_values)
def test_json_without_repeated_keys_has_no_duplicate_problem(value: Any) -> None:
    """A JSON text written from a Python value (keys unique) never gives a duplicate-key problem."""
    assert _strict.duplicate_key_problems(json.dumps(value), "f.json") == []


@pytest.mark.parametrize(
    ("text", "record", "field"),
    [
        ('{"schema": "territoires/1", "schema": "territoires/1"}', None, "schema"),
        ('{"schema": "territoires/1", "info": {"title": "a", "title": "b"}}', None, "info.title"),
        (
            '{"schema": "territoires/1", "contracts": [{"id": "c1", "id": "c2"}]}',
            "contracts[0]",
            "contracts[0].id",
        ),
        (
            '{"schema": "territoires/1", "participations": [{"id": "p1", "person": "X1", '
            '"action": "a1", "action": "a2", "entry_date": "2021-01-04", "status": "refugee"}]}',
            "p1",
            "participations[0].action",
        ),
    ],
)
def test_the_fast_reader_refuses_a_repeated_key_naming_record_and_field(
    text: str, record: str | None, field: str
) -> None:
    """The document reader names the record and the key path of a key given twice."""
    dataset, problems = read_json(text.encode(), "d.json", CONVERTER)
    assert dataset is None
    assert [(p.code.value, p.record, p.field) for p in problems] == [
        ("duplicate-key", record, field)
    ]


@settings(max_examples=30)
@given(st.lists(st.sampled_from(["sex", "age_band", "exit_date", "residence"]), max_size=4))
def test_defaults_written_out_are_no_repeated_keys(explicit: list[str]) -> None:
    """Rows giving default values explicitly (or not) read as the same rows, without problems."""
    defaults = {"sex": "unspecified", "age_band": "unknown", "exit_date": None, "residence": None}
    row = {**ROW, **{name: defaults[name] for name in explicit}}
    document = {"schema": "territoires/1", "participations": [row, {**ROW, "id": "p2"}]}
    dataset, problems = read_json(json.dumps(document).encode(), "d.json", CONVERTER)
    assert problems == []
    assert dataset is not None
    assert len(dataset.participations) == 2


def test_a_colon_inside_texts_is_no_repeated_key() -> None:
    """Ids holding ':' and escaped colons are read, not mistaken for repeated keys."""
    row = {**ROW, "id": "p:1", "action": "a:1"}
    text = json.dumps({"schema": "territoires/1", "participations": [row]}).replace(
        "p:1", "p\\u003a1"
    )
    dataset, problems = read_json(text.encode(), "d.json", CONVERTER)
    assert problems == []
    assert dataset is not None
    assert dataset.participations[0].id == "p:1"


def test_a_repeated_key_in_a_package_descriptor_is_a_problem(tmp_path: Path) -> None:
    """The descriptor of a data package is read strictly too."""
    data = b'{"resources": [{"name": "dataset", "path": "a.json", "path": "b.json"}]}'
    _, problems = read_descriptor(tmp_path, data)
    assert [(p.code.value, p.field) for p in problems] == [("duplicate-key", "resources[0].path")]


def test_a_repeated_key_in_a_persons_file_is_a_problem(tmp_path: Path) -> None:
    """A file of persons with a key twice in a person is refused, naming the key."""
    path = tmp_path / "persons.json"
    path.write_text('[{"id": "X1", "status": "refugee", "status": "student"}]')
    with pytest.raises(territoires.DataError) as raised:
        territoires.load_persons(path)
    assert [(p.code.value, p.field) for p in raised.value.problems] == [
        ("duplicate-key", "[0].status")
    ]


# -- depth --------------------------------------------------------------------------------------


@settings(max_examples=20)
@given(st.integers(limits.MAX_DEPTH + 1, 20_000), st.sampled_from("[{"))
def test_nesting_beyond_the_limit_is_refused_without_recursion_error(
    depth: int, bracket: str
) -> None:
    """Any document nested deeper than MAX_DEPTH gives a too-deep problem, never an exception."""
    opening, closing = ("[", "]") if bracket == "[" else ('{"a": ', "}")
    text = '{"schema": "territoires/1", "info": ' + opening * depth + "0" + closing * depth + "}"
    dataset, problems = read_json(text.encode(), "d.json", CONVERTER)
    assert dataset is None
    assert _codes(problems) == ["too-deep"]


# -- files --------------------------------------------------------------------------------------


def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """A named pipe is refused by its kind: reading it would wait forever."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    dataset, problems = territoires.read(path)
    assert dataset is None
    assert [(p.code.value, p.file) for p in problems] == [("unreadable", str(path))]
    assert "named pipe" in problems[0].message


def test_a_character_device_is_refused() -> None:
    """/dev/zero is refused by its kind instead of filling the memory."""
    _, problems = territoires.read("/dev/zero")
    assert _codes(problems) == ["unreadable"]
    assert "character device" in problems[0].message


def test_a_file_above_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size limit is checked on the file's size, and can be raised by a trusting user."""
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"schema": "territoires/1", "participations": [ROW]}))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 50)
    _, problems = territoires.read(path)
    assert _codes(problems) == ["too-large"]
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10_000)
    assert territoires.load(path).participations[0].id == "p1"


def test_a_long_line_after_the_first_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table line longer than the limit is refused wherever it is, naming its line."""
    monkeypatch.setattr(limits, "MAX_LINE_BYTES", 1024)
    path = tmp_path / "p.csv"
    path.write_text(
        "id,person,action,entry_date,status\np1,X1,a1,2021-01-04,refugee\n" + "x" * 5000
    )
    with pytest.raises(ReadFailure) as raised:
        read_bytes(path, lines=True)
    assert (raised.value.problem.code, raised.value.problem.record) == (
        ProblemCode.LINE_TOO_LONG,
        "line 3",
    )


def _workbook_with_part(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"A" * size)
    return buffer.getvalue()


def test_a_workbook_part_that_lies_about_its_size_is_refused_while_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip declaring a small part that inflates to more is refused, never inflated whole."""
    pytest.importorskip("openpyxl")
    monkeypatch.setattr(limits, "MAX_WORKBOOK_PART_BYTES", 4 * 2**20)
    data = bytearray(_workbook_with_part(8 * 2**20))
    # Declare 100 bytes in the local header and in the central directory.
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    dataset, problems = territoires.read(path)
    # zipfile stops at the declared size and fails the CRC; the count while inflating is
    # there for readers that would not.
    assert dataset is None
    assert _codes(problems) in (["too-large"], ["unknown-format"])


# -- line ends, encodings, locations ------------------------------------------------------------

rows = st.lists(
    st.tuples(st.integers(0, 999), st.integers(1, 28)), min_size=1, max_size=20, unique=True
)


@given(rows, st.booleans())
def test_cr_lf_and_crlf_files_read_the_same_rows(
    table: list[tuple[int, int]], quoted: bool
) -> None:
    """A table reads the same whether its lines end with LF, CRLF or a lone CR."""
    lines = ["id,person,action,entry_date,status"]
    for number, day in table:
        person = f'"X{number}"' if quoted else f"X{number}"
        lines.append(f"p{number},{person},a1,2021-01-{day:02d},refugee")
    results = []
    for end in ("\n", "\r\n", "\r"):
        read, problems = read_participations(end.join(lines) + end, "p.csv")
        assert problems == []
        results.append(read)
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == len(table)


@given(st.lists(st.sampled_from(["\n", "\r\n", "\r", "a", "é"]), max_size=30))
def test_line_and_column_count_every_kind_of_line_end(pieces: list[str]) -> None:
    """The line of an offset is the number of line ends before it, CR, LF and CRLF alike."""
    text = "".join(pieces)
    data = text.encode()
    line, _ = line_and_column(data, len(data))
    assert line == len(text.splitlines()) + (1 if text.endswith(("\n", "\r")) or not text else 0)


def test_a_utf8_file_with_bom_declared_cp1252_is_read_as_utf8(tmp_path: Path) -> None:
    """The BOM wins over a wrong declared encoding: the header is read, accents kept."""
    path = tmp_path / "p.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid;person;action;entry_date;status\np1;X1;a1;04/01/2021;refugee\n"
    )
    dataset = territoires.load(path, encoding="cp1252")
    assert dataset.participations[0].id == "p1"


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["1e1000000", "1" + "0" * 60, "1000000000000000.01"])
def test_amounts_beyond_the_bound_are_refused_naming_the_field(amount: str) -> None:
    """An amount above MAX_AMOUNT, as a JSON number or a text, is a problem on its field."""
    for raw in (amount.encode(), json.dumps(amount).encode()):
        text = b'[{"funder": "f1", "source": "other", "year": 2021, "committed": ' + raw + b"}]"
        records = msgspec.json.Decoder(float_hook=Decimal).decode(text)
        problems: list[Problem] = []
        structure_records(CONVERTER, records, Funding, "funding", problems, "f.json")
        # As a text, 1e1000000 is no plain decimal number: refused before its size matters.
        assert [p.field for p in problems] == ["funding[0].committed"]
        assert problems[0].code.value in ("invalid-value", "invalid-number")


def test_the_model_bounds_amounts_and_counts() -> None:
    """Amounts and counts beyond the limits break the model's invariants, wherever built."""
    with pytest.raises(InvalidValueError):
        Funding(funder="f1", source=FundingSource.OTHER, year=2021, committed=limits.MAX_AMOUNT + 1)
    with pytest.raises(InvalidValueError):
        ReportCount(
            category=PublicCategory.REFUGEE,
            sex=Sex.FEMALE,
            age_band=AgeBand.UNKNOWN,
            count=limits.MAX_COUNT + 1,
        )
    assert (
        Funding(
            funder="f1", source=FundingSource.OTHER, year=2021, committed=limits.MAX_AMOUNT
        ).committed
        == limits.MAX_AMOUNT
    )


def test_a_json_integer_of_thousands_of_digits_is_a_problem() -> None:
    """Msgspec's out-of-range error on a huge integer becomes an invalid-number problem."""
    text = '{"schema": "territoires/1", "info": {"title": ' + "9" * 5000 + "}}"
    _, problems = read_json(text.encode(), "d.json", CONVERTER)
    assert _codes(problems) == ["invalid-number"]


# -- problems printed ---------------------------------------------------------------------------


def test_a_reader_keeps_at_most_max_problems_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past MAX_PROBLEMS a table reader counts problems instead of keeping them."""
    monkeypatch.setattr(limits, "MAX_PROBLEMS", 10)
    text = "id,person,action,entry_date,status\n" + "".join(
        f"p{i},X{i},a1,never,refugee\n" for i in range(25)
    )
    _, problems = read_participations(text, "p.csv")
    assert len(problems) == 11
    assert problems[-1].code is ProblemCode.TOO_MANY_PROBLEMS
    assert omitted(problems) == 15


def test_the_cli_prints_the_first_problems_and_counts_the_others(tmp_path: Path) -> None:
    """As text, validate prints MAX_PROBLEMS_SHOWN problems then one line counting the rest."""
    path = tmp_path / "p.csv"
    path.write_text(
        "id,person,action,entry_date,status\n"
        + "".join(f"p{i},X{i},a1,never,refugee\n" for i in range(150))
    )
    out = io.StringIO()
    assert main(["validate", str(path), "--lang", "en"], out=out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == limits.MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == f"… and 50 more problems ({limits.MAX_PROBLEMS_SHOWN} shown)"


# -- geography ----------------------------------------------------------------------------------


def test_a_search_query_longer_than_the_limit_is_refused() -> None:
    """Geography.search refuses queries beyond MAX_QUERY_LENGTH; suggest gives nothing."""
    geography = get_geography()
    with pytest.raises(InvalidValueError):
        geography.search("a" * (limits.MAX_QUERY_LENGTH + 1))
    assert geography.suggest("a" * (limits.MAX_QUERY_LENGTH + 1)) == []
    assert geography.search("lyon" + " " * (limits.MAX_QUERY_LENGTH - 4))


def test_a_resource_territoires_does_not_read_is_a_warning_not_a_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A publisher's extra resource (a notice) is said, and the data still reads."""
    from territoires import cli

    folder = territoires.dump(territoires.demo.build(participations=20), tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "notice", "path": "notice.pdf"})
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    dataset, problems = territoires.read(folder)
    assert dataset is not None
    assert [(p.severity.value, p.code.value, p.record) for p in problems] == [
        ("warning", "unknown-field", "notice")
    ]
    out = io.StringIO()
    assert cli.main(["show", str(folder)], out=out) == 0
    warning = problems[0].format()
    assert capsys.readouterr().err == warning + "\n"
    assert warning not in out.getvalue()
    out = io.StringIO()
    assert cli.main(["validate", str(folder), "--no-geography"], out=out) == 0
    assert warning in out.getvalue().splitlines()
