"""What an import reads is bounded before it is parsed, and CSV files saved by Chinese Excel
read as they were typed."""

from __future__ import annotations

import base64
import os
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

import pytest
from openpyxl import Workbook

from registry.importer import ImportFailed, RowProblem, archive, import_workbook, reading
from tests.support import Registry, write_workbook
from tests.workbooks import two_communities

MB = 1024 * 1024


async def refused(registry: Registry, source: Path) -> list[RowProblem]:
    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, source)
    return failed.value.problems


def with_cell(path: Path, text: Iterable[bytes]) -> Path:
    """An .xlsx whose places sheet holds one cell of `text`, written piece by piece into the
    sheet's XML."""
    book = Workbook()
    book.active.title = "places"
    book.active.append(["code", "parent", "kind", "name"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    # The sheet's dimension grows by the row, or a reader may stop before it.
    xml = parts[sheet].replace(b'ref="A1:D1"', b'ref="A1:D2"')
    head, tail = xml.split(b"</sheetData>")
    cell = b'<row r="2"><c r="D2" t="inlineStr"><is><t>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name != sheet:
                target.writestr(name, data)
        with target.open(sheet, "w") as out:
            out.write(head + cell)
            for piece in text:
                out.write(piece)
            out.write(b"</t></is></c></row></sheetData>" + tail)
    return path


def bomb(path: Path, unpacked: int) -> Path:
    """An .xlsx whose one cell is `unpacked` bytes of one letter: a few hundred KB on disk."""
    return with_cell(path, (b"A" * MB for _ in range(unpacked // MB)))


def noise(path: Path, unpacked: int) -> Path:
    """An .xlsx whose one cell is `unpacked` bytes of random letters, which pack no better
    than real text: no packing ratio gives it away."""
    pieces = (base64.b64encode(os.urandom(MB * 3 // 4)) for _ in range(unpacked // MB))
    return with_cell(path, pieces)


def refused_within(
    seconds: float, megabytes: int
) -> Callable[[Registry, Path], Awaitable[list[RowProblem]]]:
    """An import that must be refused in at most `seconds` and `megabytes` of memory, which
    is far less than parsing what it refuses would take."""

    async def run(registry: Registry, source: Path) -> list[RowProblem]:
        tracemalloc.start()
        started = time.perf_counter()
        try:
            problems = await refused(registry, source)
        finally:
            taken = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert peak < megabytes * MB, f"{peak:,} bytes taken to refuse it"
        assert taken < seconds, f"{taken:.1f} s taken to refuse it"
        assert await registry.count("place") == 0
        return problems

    return run


async def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused_unread(
    registry: Registry, tmp_path: Path
) -> None:
    source = bomb(tmp_path / "bomb.xlsx", 200 * MB)
    assert source.stat().st_size < MB

    problems = await refused_within(5, 20)(registry, source)

    assert [(p.sheet, p.row, p.code) for p in problems] == [("workbook", None, "LIMIT_EXCEEDED")]
    assert problems[0].params == {"limit": "packing ratio", "value": archive.MAX_PACKING}


async def test_a_cell_of_megabytes_is_refused_before_the_sheet_is_parsed(
    registry: Registry, tmp_path: Path
) -> None:
    """Given a sheet with one 20 MB cell that packs like any text, when it is imported, then
    it is refused naming the sheet and the limit, in far less memory than the cell takes."""
    source = noise(tmp_path / "long.xlsx", 20 * MB)

    problems = await refused_within(10, 5)(registry, source)

    assert [(p.sheet, p.row, p.code) for p in problems] == [("places", None, "LIMIT_EXCEEDED")]
    assert problems[0].params == {
        "limit": "characters in one cell", "value": archive.MAX_CELL_CHARACTERS
    }  # fmt: skip


async def test_a_sheet_over_the_limit_of_one_part_is_refused_unread(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_PART_BYTES", MB)
    source = noise(tmp_path / "large.xlsx", 2 * MB)

    problems = await refused_within(5, 5)(registry, source)

    assert [(p.sheet, p.code) for p in problems] == [("workbook", "LIMIT_EXCEEDED")]
    assert problems[0].params == {"limit": "unpacked bytes of one part", "value": MB}
    assert "xl/worksheets/sheet1.xml" in problems[0].message


async def test_a_csv_file_over_the_limit_of_one_sheet_is_refused_unread(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_workbook(tmp_path / "large", two_communities())
    monkeypatch.setattr(reading, "MAX_CSV_BYTES", (folder / "places.csv").stat().st_size - 1)

    problems = await refused(registry, folder)

    assert [(p.sheet, p.row, p.code) for p in problems] == [("places", None, "LIMIT_EXCEEDED")]
    assert problems[0].params["limit"] == "bytes of one sheet"


async def test_a_cell_longer_than_any_value_is_named_in_the_report(
    registry: Registry, tmp_path: Path
) -> None:
    rows = two_communities()
    rows["places"][3]["name"] = "长" * (archive.MAX_CELL_CHARACTERS + 1)
    problems = await refused(registry, write_workbook(tmp_path / "long", rows))
    assert [(p.sheet, p.row, p.column, p.code) for p in problems] == [
        ("places", 5, "name", "LIMIT_EXCEEDED")
    ]
    assert problems[0].params["value"] == archive.MAX_CELL_CHARACTERS


async def test_a_file_that_is_not_an_xlsx_is_refused_with_what_to_do(
    registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "register.xlsx"
    source.write_bytes(b"name,code\n" * 10)
    problems = await refused(registry, source)
    assert [(p.sheet, p.code) for p in problems] == [("workbook", "INVALID")]
    assert "not an .xlsx workbook" in problems[0].message


async def test_a_damaged_xlsx_is_refused_with_what_to_do(
    registry: Registry, tmp_path: Path
) -> None:
    source = noise(tmp_path / "damaged.xlsx", 2 * MB)
    with zipfile.ZipFile(source) as archive:
        header = archive.getinfo("xl/worksheets/sheet1.xml").header_offset
    data = bytearray(source.read_bytes())
    # The sheet's packed bytes start after its local header (30 bytes, its name, its extra
    # field): all ones there is a block type deflate does not have, so unpacking fails at once,
    # before any text could be read (damage further in may sit in a stored block and pass).
    name_length, extra_length = struct.unpack("<HH", data[header + 26 : header + 30])
    at = header + 30 + name_length + extra_length
    data[at : at + 200] = b"\xff" * 200
    source.write_bytes(bytes(data))
    problems = await refused(registry, source)
    assert [(p.sheet, p.code) for p in problems] == [("workbook", "INVALID")]
    assert "not an .xlsx workbook" in problems[0].message


def save_as(folder: Path, encoding: str) -> Path:
    """The two-community workbook as CSV files in another encoding, as Excel saves them."""
    utf8 = write_workbook(folder / "utf8", two_communities())
    target = folder / encoding
    target.mkdir()
    for path in utf8.iterdir():
        (target / path.name).write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return target


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
async def test_csv_files_saved_by_chinese_excel_import_like_their_utf8_twin(
    registry: Registry, tmp_path: Path, encoding: str
) -> None:
    await import_workbook(registry.db, save_as(tmp_path, encoding))
    api = await registry.client()
    names = await api('{ place(code: "A") { name } member: members(first: 1) { nodes { name } } }')
    assert names["place"]["name"] == "A社区"
    assert names["member"]["nodes"][0]["name"] == "A党员1"


async def test_bytes_that_are_no_text_are_refused_with_how_to_save_them(
    registry: Registry, tmp_path: Path
) -> None:
    folder = write_workbook(tmp_path / "bad", two_communities())
    (folder / "places.csv").write_bytes(b"code,parent,kind,name\n\x81\xff\xfe\x80,,,\n")
    problems = await refused(registry, folder)
    assert [(p.sheet, p.row, p.code) for p in problems] == [("places", None, "BAD_ENCODING")]
    assert problems[0].params == {"file": "places.csv", "encodings": ["UTF-8", "UTF-16", "GB18030"]}
    assert "CSV UTF-8" in problems[0].message


async def test_a_csv_cell_longer_than_the_csv_reader_takes_is_named_by_its_row(
    registry: Registry, tmp_path: Path
) -> None:
    rows = two_communities()
    rows["places"][3]["name"] = "长" * 200_000
    problems = await refused(registry, write_workbook(tmp_path / "long", rows))
    assert [(p.sheet, p.row, p.code) for p in problems] == [("places", 5, "LIMIT_EXCEEDED")]
    assert problems[0].params == {
        "limit": "characters in one cell", "value": archive.MAX_CELL_CHARACTERS
    }  # fmt: skip
