"""One workbook format: the seeds write exactly the sheets and columns the importer reads."""

from __future__ import annotations

from pathlib import Path

from registry.importer.workbook_format import COLUMNS
from seeds.workbook import SHEETS, read_csv_workbook, write_csv_workbook


def test_seeds_write_every_sheet_and_column_the_importer_reads(tmp_path: Path) -> None:
    assert {sheet: tuple(columns) for sheet, columns in SHEETS.items()} == COLUMNS
    assert "pairings" in SHEETS
    write_csv_workbook(
        tmp_path, {"pairings": [["M1", "household_contact", "H1", "2025-01-01", ""]]}
    )
    for sheet, columns in COLUMNS.items():
        header = (tmp_path / f"{sheet}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(columns), sheet
    assert read_csv_workbook(tmp_path)["pairings"][0]["kind"] == "household_contact"
