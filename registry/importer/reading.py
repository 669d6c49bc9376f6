"""Reading a workbook: a folder of CSV files or an .xlsx, as rows of text per sheet.

Row numbers are the ones a person sees in Excel or a CSV editor: the header is row 1.
Cells are stripped text ("" for no value); rows with no value at all are skipped; columns
outside the ones a sheet knows are ignored.

What is read is bounded before it is parsed: an .xlsx is checked by `archive` (what it
unpacks to, and that no text in it is longer than a cell may be), a CSV file by its size
(MAX_CSV_BYTES, far larger: it is decoded and parsed as it streams from disk), and
no cell longer than any value gridreg keeps is taken. CSV files may be UTF-8 (with or without
the mark Excel writes), UTF-16 with its mark, or GB18030/GBK, which Chinese Excel saves as
"CSV".
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from registry.core.errors import ErrorCode
from registry.importer.archive import (
    MAX_CELL_CHARACTERS,
    MAX_CSV_BYTES,
    archive_problem,
    zip_problem,
)
from registry.importer.progress import STEP, Tracker
from registry.importer.report import BAD_ENCODING, LIMIT_EXCEEDED, RowProblem
from registry.importer.workbook_format import (
    COLUMNS,
    REPEATING,
    REPEATING_IN,
    REQUIRED,
    Sheet,
)

ENCODINGS = ("UTF-8", "UTF-16", "GB18030")  # of CSV files, as Excel saves them


class Unreadable(Exception):
    """A sheet that cannot be read as text (from `row` on, if known); the message says why
    and what to do, the code and parameters say it for programs."""

    def __init__(
        self,
        message: str,
        code: str = ErrorCode.INVALID,
        row: int | None = None,
        **params: object,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.row = row
        self.params = params

    def problem(self, sheet: str) -> RowProblem:
        """The problem as the import report shows it."""
        return RowProblem(sheet, self.row, None, str(self), self.code, self.params)


def read_workbook(
    source: Path, tracker: Tracker | None = None
) -> tuple[dict[str, Sheet], list[RowProblem]]:
    """The sheets of a workbook (absent sheets are left out) and problems with its shape: a
    folder of CSV files, an .xlsx, or a .zip of CSV files (as a browser uploads a folder).
    `tracker` shows each sheet's reading as it goes."""
    source = Path(source)
    tracker = tracker or Tracker(shown=False)
    if source.suffix.lower() == ".zip" and source.is_file():
        return _zipped_csv(source, tracker)
    if source.is_dir():
        raw = _csv_sheets(source, tracker)
    elif source.suffix.lower() in {".xlsx", ".xlsm"}:
        if problem := archive_problem(source):
            return {}, [problem]
        raw = _xlsx_sheets(source, tracker)
    elif not source.exists():
        message = f"{source} does not exist"
        return {}, [RowProblem("workbook", None, None, message, ErrorCode.NOT_FOUND)]
    else:
        message = f"{source} is neither a folder of CSV files nor an .xlsx workbook"
        return {}, [RowProblem("workbook", None, None, message)]
    sheets: dict[str, Sheet] = {}
    problems: list[RowProblem] = []
    found = False
    for name, records in raw:
        found = True
        try:
            sheet, sheet_problems = _sheet(name, records)
        except Unreadable as unreadable:
            problems.append(unreadable.problem(name))
            continue
        problems.extend(sheet_problems)
        if sheet is not None:
            sheets[name] = sheet
    if not found:
        names = ", ".join(COLUMNS)
        message = f"no sheets found; name them {names} (CSV files: places.csv, ...)"
        problems.append(RowProblem("workbook", None, None, message))
    return sheets, problems


def _zipped_csv(path: Path, tracker: Tracker) -> tuple[dict[str, Sheet], list[RowProblem]]:
    """The CSV files of a zip, wherever in it they lie (a zipped folder holds folder/x.csv),
    unpacked to a private folder and read as a folder is. Its sizes are checked first."""
    if problem := zip_problem(path):
        return {}, [problem]
    with TemporaryDirectory(prefix="gridreg-import-") as folder, zipfile.ZipFile(path) as archive:
        for part in archive.infolist():
            name = posixpath.basename(part.filename)
            if part.is_dir() or name.startswith(".") or not name.lower().endswith(".csv"):
                continue  # folders, macOS's ._ shadows, anything but CSV files
            target = Path(folder) / name.lower()
            if target.exists():
                message = f"{path.name} holds {name} twice; keep one"
                return {}, [RowProblem("workbook", None, None, message, ErrorCode.DUPLICATE)]
            with archive.open(part) as packed, target.open("wb") as unpacked:
                shutil.copyfileobj(packed, unpacked)
        return read_workbook(Path(folder), tracker)


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
    problems: list[RowProblem] = []
    # One string per distinct value of a repeating column (see REPEATING).
    repeating = REPEATING | REPEATING_IN.get(name, frozenset())
    shared: list[dict[str, str] | None] = [{} if c in repeating else None for c, _ in positions]
    for number, cells in records:
        width = len(cells)
        row = tuple(cells[i].strip() if i < width else "" for _, i in positions)
        if not any(row):
            continue
        long = [at for at, value in enumerate(row) if len(value) > MAX_CELL_CHARACTERS]
        for at in long:
            message = (
                f"the cell holds {len(row[at]):,} characters; no value is longer than "
                f"{MAX_CELL_CHARACTERS:,}"
            )
            params = {"limit": "characters in one cell", "value": MAX_CELL_CHARACTERS}
            problems.append(
                RowProblem(name, number, positions[at][0], message, LIMIT_EXCEEDED, params)
            )
        if not long:
            sheet.rows.add(number, tuple(
                value if seen is None else seen.setdefault(value, value)
                for value, seen in zip(row, shared, strict=True)
            ))  # fmt: skip
    return sheet, problems


def _csv_sheets(
    folder: Path, tracker: Tracker
) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        if path.exists():
            yield name, _csv_records(path, tracker)


def _csv_records(path: Path, tracker: Tracker) -> Iterator[tuple[int, list[str]]]:
    if (size := path.stat().st_size) > MAX_CSV_BYTES:
        raise Unreadable(
            f"{path.name} holds {size:,} bytes, over the limit of {MAX_CSV_BYTES:,} for one "
            "sheet; split it",
            LIMIT_EXCEEDED, limit="bytes of one sheet", value=MAX_CSV_BYTES,
        )  # fmt: skip
    encoding = _encoding(path)
    number = 0
    stage = f"reading {path.name}"
    tracker.start(stage, size, unit="bytes")
    # Decoded and parsed as it is read: a sheet's text is never held whole. The bar follows
    # the bytes taken from the file (ahead of the parser by at most one buffer).
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        try:
            for number, cells in enumerate(csv.reader(text), start=1):
                if number % STEP == 0:
                    tracker.update(stage, raw.tell())
                yield number, cells
            tracker.update(stage, size)
        except csv.Error as bad:
            if "field larger than field limit" not in str(bad):
                raise Unreadable(f"{path.name} is not a CSV file gridreg can read: {bad}") from None
            # The csv module stops at a cell over its own limit, far above any value's.
            raise Unreadable(
                f"a cell holds more than {csv.field_size_limit():,} characters; no value is "
                f"longer than {MAX_CELL_CHARACTERS:,}",
                LIMIT_EXCEEDED, number + 1, limit="characters in one cell",
                value=MAX_CELL_CHARACTERS,
            ) from None  # fmt: skip


def _encoding(path: Path) -> str:
    """The encoding of a CSV file: UTF-16 or UTF-8 by its byte-order mark, else UTF-8 if all
    of it is that, else GB18030 (which reads GBK and GB2312), as Chinese Excel saves "CSV".
    Checked in chunks, in memory that does not grow with the file."""
    with path.open("rb") as data:
        head = data.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8-sig", "gb18030"]
        for encoding in candidates:
            data.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := data.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise Unreadable(
        f"{path.name} is not text in UTF-8, UTF-16 or GBK; save it from Excel as "
        "\"CSV UTF-8 (comma delimited)\"",
        BAD_ENCODING, file=path.name, encodings=list(ENCODINGS),
    )  # fmt: skip


_CHUNK = 4 * 1024 * 1024


def _xlsx_sheets(
    path: Path, tracker: Tracker
) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        by_name = {title.strip().lower(): title for title in book.sheetnames}
        for name in COLUMNS:
            if name in by_name:
                sheet = book[by_name[name]]
                yield name, _xlsx_records(sheet, f"reading {name}", tracker)
    finally:
        book.close()


def _xlsx_records(sheet: Any, stage: str, tracker: Tracker) -> Iterator[tuple[int, list[str]]]:
    # The sheet's dimension (its last row) is what Excel wrote; absent, the bar has no total.
    tracker.start(stage, sheet.max_row)
    number = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number % STEP == 0:
            tracker.update(stage, number)
        yield number, [_text(v) for v in row]
    tracker.update(stage, number, total=number)


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
