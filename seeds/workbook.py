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


def write_csv_workbook(out_dir: Path, rows_by_sheet: Mapping[str, Iterable[Row]]) -> dict[str, int]:
    """Write one `<sheet>.csv` per sheet of `SHEETS` into `out_dir`; return rows written per sheet.

    Rows are sequences of strings in the column order of `SHEETS` (use "" for no value).
    Output is byte-stable: UTF-8 without BOM, `\\n` line endings, minimal quoting.
    """
    unknown = set(rows_by_sheet) - set(SHEETS)
    if unknown:
        raise ValueError(f"unknown sheets: {sorted(unknown)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for sheet, columns in SHEETS.items():
        rows = rows_by_sheet.get(sheet, ())
        with open(out_dir / f"{sheet}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            count = 0
            for row in rows:
                if len(row) != len(columns):
                    raise ValueError(
                        f"{sheet}: row {row!r} has {len(row)} cells, want {len(columns)}"
                    )
                writer.writerow(row)
                count += 1
        counts[sheet] = count
    return counts


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
