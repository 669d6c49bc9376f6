"""Reading a workbook: a folder of CSV files or an .xlsx, as rows of text per sheet.

Row numbers are the ones a person sees in Excel or a CSV editor: the header is row 1.
Cells are stripped text ("" for no value); rows with no value at all are skipped; columns
outside the ones a sheet knows are ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from registry.importer.report import RowProblem
from registry.importer.workbook_format import COLUMNS, REQUIRED, Sheet


def read_workbook(source: Path) -> tuple[dict[str, Sheet], list[RowProblem]]:
    """The sheets of a workbook (absent sheets are left out) and problems with its shape."""
    source = Path(source)
    if source.is_dir():
        raw = _csv_sheets(source)
    elif source.suffix.lower() in {".xlsx", ".xlsm"}:
        raw = _xlsx_sheets(source)
    elif not source.exists():
        return {}, [RowProblem("workbook", None, None, f"{source} does not exist")]
    else:
        message = f"{source} is neither a folder of CSV files nor an .xlsx workbook"
        return {}, [RowProblem("workbook", None, None, message)]
    sheets: dict[str, Sheet] = {}
    problems: list[RowProblem] = []
    found = False
    for name, records in raw:
        found = True
        sheet, sheet_problems = _sheet(name, records)
        problems.extend(sheet_problems)
        if sheet is not None:
            sheets[name] = sheet
    if not found:
        names = ", ".join(COLUMNS)
        message = f"no sheets found; name them {names} (CSV files: places.csv, ...)"
        problems.append(RowProblem("workbook", None, None, message))
    return sheets, problems


def _sheet(
    name: str, records: Iterator[tuple[int, list[str]]]
) -> tuple[Sheet | None, list[RowProblem]]:
    first = next(records, None)
    if first is None:
        return Sheet(name, frozenset()), []
    header = [cell.strip().lower() for cell in first[1]]
    missing = [c for c in COLUMNS[name] if c in REQUIRED[name] and c not in header]
    if missing:
        return None, [
            RowProblem(name, 1, column, f"the header has no {column!r} column; add it")
            for column in missing
        ]
    positions = [(c, header.index(c)) for c in COLUMNS[name] if c in header]
    sheet = Sheet(name, frozenset(c for c, _ in positions))
    for number, cells in records:
        width = len(cells)
        row = {c: (cells[i].strip() if i < width else "") for c, i in positions}
        if any(row.values()):
            sheet.rows.append((number, row))
    return sheet, []


def _csv_sheets(folder: Path) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        if path.exists():
            yield name, _csv_records(path)


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    # utf-8-sig: Excel writes a byte-order mark in front of UTF-8 CSV files.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from enumerate(csv.reader(handle), start=1)


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        by_name = {title.strip().lower(): title for title in book.sheetnames}
        for name in COLUMNS:
            if name in by_name:
                rows = book[by_name[name]].iter_rows(values_only=True)
                yield name, ((n, [_text(v) for v in row]) for n, row in enumerate(rows, 1))
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell as the text a person typed: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
