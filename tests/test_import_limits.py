"""What an import reads is bounded before it is parsed, and CSV files saved by Chinese Excel
read as they were typed."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from registry.importer import ImportFailed, RowProblem, import_workbook, reading
from tests.support import Registry, write_workbook
from tests.workbooks import two_communities


async def refused(registry: Registry, source: Path) -> list[RowProblem]:
    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, source)
    return failed.value.problems


def bomb(path: Path, unpacked: int) -> Path:
    """An .xlsx whose one worksheet is a single cell of `unpacked` bytes of one letter: a few
    hundred KB on disk."""
    book = Workbook()
    book.active.title = "places"
    book.active.append(["code", "parent", "kind", "name"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    head, tail = parts[sheet].split(b"</sheetData>")
    cell = b'<row r="2"><c r="D2" t="inlineStr"><is><t>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name != sheet:
                target.writestr(name, data)
        with target.open(sheet, "w") as out:
            out.write(head + cell)
            chunk = b"A" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                out.write(chunk)
            out.write(b"</t></is></c></row></sheetData>" + tail)
    return path


async def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused_unread(
    registry: Registry, tmp_path: Path
) -> None:
    source = bomb(tmp_path / "bomb.xlsx", 200 * 1024 * 1024)
    assert source.stat().st_size < 1024 * 1024

    tracemalloc.start()
    started = time.perf_counter()
    problems = await refused(registry, source)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [(p.sheet, p.row) for p in problems] == [("workbook", None)]
    assert "unpacks to" in problems[0].message
    assert peak < 20 * 1024 * 1024, f"{peak:,} bytes taken to refuse it"
    assert seconds < 5
    assert await registry.count("place") == 0


async def test_a_cell_longer_than_any_value_is_named_in_the_report(
    registry: Registry, tmp_path: Path
) -> None:
    rows = two_communities()
    rows["places"][3]["name"] = "长" * (reading.MAX_CELL_CHARACTERS + 1)
    problems = await refused(registry, write_workbook(tmp_path / "long", rows))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("places", 5, "name")]
    assert f"{reading.MAX_CELL_CHARACTERS:,}" in problems[0].message


async def test_a_file_that_is_not_an_xlsx_is_refused_with_what_to_do(
    registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "register.xlsx"
    source.write_bytes(b"name,code\n" * 10)
    problems = await refused(registry, source)
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
    assert [(p.sheet, p.row) for p in problems] == [("places", None)]
    assert "CSV UTF-8" in problems[0].message
