"""What an .xlsx unpacks to, checked before a byte of it is parsed.

An .xlsx is a zip of XML parts. A few hundred KB can unpack to gigabytes, and one cell can
hold hundreds of megabytes that a parser keeps in memory at once. Both are refused here, from
the zip's directory and then one streamed pass over its parts, in memory that does not grow
with the file (zipfile never unpacks more of a part than the size its directory declares).
The limits are far above any real register: a district of 360,000 households unpacks to
sheets of about 70 MB, and no value gridreg keeps is longer than MAX_CELL_CHARACTERS.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from registry.core.errors import ErrorCode
from registry.importer.report import LIMIT_EXCEEDED, RowProblem

MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # all parts together
MAX_PART_BYTES = 256 * 1024 * 1024  # one part: a sheet, or the text its sheets share
# A part larger than a megabyte may unpack to at most this many times its packed size:
# worksheets of real registers pack 5-20 times, zip bombs thousands of times.
MAX_PACKING = 100
# A CSV sheet is read from disk and parsed as it streams, its rows held compactly, so its
# bound is far above an .xlsx part's: a city of 7.5 million households is a places.csv of
# about 510 MB. A zip of CSV files unpacks to at most MAX_CSV_SHEETS of them.
MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024
MAX_CSV_SHEETS = 4
MAX_CELL_CHARACTERS = 10_000  # no value gridreg keeps is longer (suggestions are the longest)
# Bytes between two tags: a cell's text, or an attribute. Ten bytes are the most one
# character takes in XML ("&#1114111;"), so a cell over this is over MAX_CELL_CHARACTERS.
MAX_TEXT_BYTES = 10 * MAX_CELL_CHARACTERS

_CHUNK = 1024 * 1024
_MB = 1024 * 1024


def archive_problem(path: Path) -> RowProblem | None:
    """Why an .xlsx must not be parsed (not a zip, unpacking to too much, or holding a text
    longer than any cell may be), or None."""
    if not path.exists():
        return _problem(f"{path} does not exist", ErrorCode.NOT_FOUND)
    try:
        with zipfile.ZipFile(path) as archive:
            return _size_problem(path.name, archive.infolist()) or _text_problem(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
            NotImplementedError, RuntimeError):  # fmt: skip  # RuntimeError: encrypted
        return _problem(f"{path.name} is not an .xlsx workbook (save it from Excel as .xlsx)")


def zip_problem(path: Path) -> RowProblem | None:
    """Why a zip of CSV files must not be unpacked (not a zip, or unpacking to too much), or
    None. Its CSV files are then bounded as any CSV file is."""
    try:
        with zipfile.ZipFile(path) as archive:
            csv_limits = (MAX_CSV_SHEETS * MAX_CSV_BYTES, MAX_CSV_BYTES)
            return _size_problem(path.name, archive.infolist(), *csv_limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return _problem(f"{path.name} is not a zip of CSV files (zip places.csv, ... together)")


def _size_problem(
    name: str,
    parts: list[zipfile.ZipInfo],
    total_limit: int | None = None,
    part_limit: int | None = None,
) -> RowProblem | None:
    """Why a zip unpacks to too much (by default an .xlsx's limits), or None."""
    # Read at call time, so that the limits can be lowered (tests) or raised in one place.
    total_limit = MAX_UNPACKED_BYTES if total_limit is None else total_limit
    part_limit = MAX_PART_BYTES if part_limit is None else part_limit
    unpacked = sum(part.file_size for part in parts)
    if unpacked > total_limit:
        return _over(
            f"{name} unpacks to {unpacked:,} bytes, over the limit of {total_limit:,}; "
            "split it, or import it as CSV files",
            "unpacked bytes", total_limit,
        )  # fmt: skip
    for part in parts:
        if part.file_size > part_limit:
            return _over(
                f"{name}: {part.filename} unpacks to {part.file_size:,} bytes, over the limit "
                f"of {part_limit:,} for one part; split the sheet, or import CSV files",
                "unpacked bytes of one part", part_limit,
            )  # fmt: skip
        packed = max(part.compress_size, 1)
        if part.file_size > _MB and part.file_size > MAX_PACKING * packed:
            return _over(
                f"{name}: {part.filename} unpacks to {part.file_size:,} bytes from {packed:,}, "
                f"more than {MAX_PACKING} times, as no worksheet does; it is not read",
                "packing ratio", MAX_PACKING,
            )  # fmt: skip
    return None


def _text_problem(archive: zipfile.ZipFile) -> RowProblem | None:
    """The first part holding more than MAX_TEXT_BYTES between two tags, read in chunks."""
    sheets = _sheet_titles(archive)
    for part in archive.infolist():
        if not part.filename.endswith((".xml", ".rels", ".vml")):
            continue  # images and other binary parts are never parsed
        with archive.open(part) as stream:
            too_long = _has_long_text(stream)
        if too_long:
            sheet = sheets.get(part.filename)
            return _over(
                f"{part.filename if sheet is None else 'the sheet'} holds a text of more than "
                f"{MAX_TEXT_BYTES:,} bytes; no cell may hold more than "
                f"{MAX_CELL_CHARACTERS:,} characters",
                "characters in one cell", MAX_CELL_CHARACTERS, sheet or "workbook",
            )  # fmt: skip
    return None


def _has_long_text(stream: IO[bytes]) -> bool:
    # `run` carries the bytes since the last "<" across chunks; splitting in C keeps a
    # 70 MB sheet to well under a second.
    run = 0
    while chunk := stream.read(_CHUNK):
        pieces = chunk.split(b"<")
        if len(pieces) == 1:
            run += len(chunk)
        else:
            longest = max(run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
            if longest > MAX_TEXT_BYTES:
                return True
            run = len(pieces[-1])
        if run > MAX_TEXT_BYTES:
            return True
    return False


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """The part of each sheet and the sheet's title, to name it as Excel does; {} for a
    workbook whose index cannot be read (the parts are then named by their path)."""
    main, ns_rel = "http://schemas.openxmlformats.org/", "package/2006/relationships"
    try:
        book = ElementTree.fromstring(_small(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_small(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ValueError, ElementTree.ParseError):
        return {}
    targets = {  # relative to xl/, or absolute (openpyxl writes "/xl/worksheets/...")
        rel.get("Id"): posixpath.normpath(posixpath.join("/xl", rel.get("Target", "")))[1:]
        for rel in rels.iter(f"{{{main}{ns_rel}}}Relationship")
    }
    rel_id = f"{{{main}officeDocument/2006/relationships}}id"
    return {
        targets[sheet.get(rel_id)]: sheet.get("name", "")
        for sheet in book.iter(f"{{{main}spreadsheetml/2006/main}}sheet")
        if sheet.get(rel_id) in targets
    }


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > _MB:
        raise ValueError(f"{name} is larger than a workbook's index is")
    return archive.read(name)


def _problem(message: str, code: str = ErrorCode.INVALID) -> RowProblem:
    return RowProblem("workbook", None, None, message, code)


def _over(message: str, limit: str, value: int, sheet: str = "workbook") -> RowProblem:
    return RowProblem(sheet, None, None, message, LIMIT_EXCEEDED, {"limit": limit, "value": value})
