"""The workbook format: the one import path for seeds and user data.

A workbook is a folder of CSV files (or an .xlsx with the same sheet names). Every sheet has a
header row with exactly the columns in `SHEETS`, in that order; an empty cell means no value.
CSV files are UTF-8, comma-separated, standard quoting. Rows that name a parent come after
the parent's row. Multi-valued cells (`covers`, `skills`) are separated by `;`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from registry.importer.workbook_format import COLUMNS

# The one list of sheets and columns is the importer's (in load order); seeds write exactly it.
SHEETS: dict[str, list[str]] = {sheet: list(columns) for sheet, columns in COLUMNS.items()}

LIST_SEPARATOR = ";"

PLACE_KINDS = (
    "district",
    "subdistrict",
    "community",
    "grid",
    "estate",
    "building",
    "unit",
    "household",
)
ORG_KINDS = (
    "district_committee",
    "working_committee",
    "party_committee",
    "general_branch",
    "branch",
    "group",
    "functional",
)
GENDERS = ("male", "female")
MEMBER_STATUSES = ("full", "probationary")
OFFICE_ROLES = (
    "secretary",
    "deputy_secretary",
    "committee_member",
    "organisation_member",
    "publicity_member",
    "discipline_member",
    "group_leader",
)
SKILLS = (
    "law",
    "accounting",
    "construction",
    "elevator",
    "fire_safety",
    "property_management",
    "medical",
    "it",
    "mediation",
    "publicity",
    "elderly_care",
    "education",
)

# "Today" for generated data, so that seeds do not depend on the clock they are built on.
REFERENCE_DATE = date(2026, 11, 29)

Row = Sequence[str]


class CsvWorkbook:
    """A CSV workbook written as its rows come: every sheet of `SHEETS` open at once, rows
    appended to any of them in any order (a generator need not hold a sheet to write it).

        with CsvWorkbook(folder) as book:
            book.write("places", rows)
        book.counts  # rows written per sheet

    Output is byte-stable: UTF-8 without BOM, `\\n` line endings, minimal quoting."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.counts: dict[str, int] = {sheet: 0 for sheet in SHEETS}
        self._handles: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}

    def __enter__(self) -> CsvWorkbook:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for sheet, columns in SHEETS.items():
            handle = open(self.out_dir / f"{sheet}.csv", "w", encoding="utf-8", newline="")
            self._handles[sheet] = handle
            self._writers[sheet] = csv.writer(handle, lineterminator="\n")
            self._writers[sheet].writerow(columns)
        return self

    def __exit__(self, *_: object) -> None:
        for handle in self._handles.values():
            handle.close()

    def write(self, sheet: str, rows: Iterable[Row]) -> None:
        """Append rows (sequences of strings in the column order of `SHEETS`, "" for no
        value) to a sheet."""
        if sheet not in SHEETS:
            raise ValueError(f"unknown sheets: {[sheet]}")
        width, writer = len(SHEETS[sheet]), self._writers[sheet]
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{sheet}: row {row!r} has {len(row)} cells, want {width}")
            writer.writerow(row)
            self.counts[sheet] += 1

    def flush(self, sheet: str) -> Path:
        """Flush a sheet's file so far, to read it back while writing; return its path."""
        self._handles[sheet].flush()
        return self.out_dir / f"{sheet}.csv"


def write_csv_workbook(out_dir: Path, rows_by_sheet: Mapping[str, Iterable[Row]]) -> dict[str, int]:
    """Write one `<sheet>.csv` per sheet of `SHEETS` into `out_dir` (see `CsvWorkbook`); return
    rows written per sheet."""
    unknown = set(rows_by_sheet) - set(SHEETS)
    if unknown:
        raise ValueError(f"unknown sheets: {sorted(unknown)}")
    with CsvWorkbook(out_dir) as book:
        for sheet, rows in rows_by_sheet.items():
            book.write(sheet, rows)
    return book.counts


def read_csv_workbook(folder: Path) -> dict[str, list[dict[str, str]]]:
    """Read a CSV workbook back as dict rows per sheet; the header must match `SHEETS` exactly."""
    sheets: dict[str, list[dict[str, str]]] = {}
    for sheet, columns in SHEETS.items():
        with open(Path(folder) / f"{sheet}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            if header != columns:
                raise ValueError(f"{sheet}.csv: header {header} != {columns}")
            sheets[sheet] = [dict(zip(columns, row, strict=True)) for row in reader]
    return sheets


def split_list(cell: str) -> list[str]:
    """Split a `;`-separated cell into its values (an empty cell gives an empty list)."""
    return [value for value in cell.split(LIST_SEPARATOR) if value]
