"""`gridreg bench --incremental`: one-row imports into a registry of the synthetic scale.

An organiser's everyday import names a handful of rows: a member's new phone, a new household.
Its cost must follow the workbook, not the registry. The figures are the median wall times of
importing a workbook of one row into the database (loaded with the synthetic workbook first if
it does not hold it yet), every run writing something: the first member of the synthetic
workbook with another phone, and a new household beside the first member's home (which moves
its building's tally).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from benchmarks.timing import median_ms
from registry.core.db import Database
from registry.importer import import_workbook

# A one-row workbook in a folder, for the n-th run: what it is, and how it is written.
OneRow = tuple[str, Callable[[Path, Path, int], Path]]


def _first_member(workbook: Path) -> tuple[list[str], list[str]]:
    with (workbook / "members.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), next(reader)


def _write(folder: Path, sheet: str, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{sheet}.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return folder


def member_phone(workbook: Path, folder: Path, run: int) -> Path:
    """The first member row of `workbook`, with a phone of this run."""
    header, first = _first_member(workbook)
    first[header.index("phone")] = f"139{run:08d}"
    return _write(folder, "members", [header, first])


def new_household(workbook: Path, folder: Path, run: int) -> Path:
    """A household of this run beside the first member's home."""
    header, first = _first_member(workbook)
    home = first[header.index("household")]
    unit = home.rsplit("-", 1)[0]
    rows = [["code", "parent", "kind", "name"], [f"{unit}-X{run}", unit, "household", f"X{run}"]]
    return _write(folder, "places", rows)


ONE_ROW: tuple[OneRow, ...] = (
    ("import of a one-row workbook (a member's phone)", member_phone),
    ("import of a one-row workbook (a new household)", new_household),
)


async def one_row_import_ms(url: str, workbook: Path, repeats: int) -> list[tuple[str, float]]:
    """Median milliseconds of each one-row import (`ONE_ROW`) into the database at `url`."""
    db = Database(url)
    runs = 0
    figures: list[tuple[str, float]] = []
    try:
        with TemporaryDirectory(prefix="gridreg-bench-") as folder:
            for what, write in ONE_ROW:

                async def once(write: Callable[[Path, Path, int], Path] = write) -> None:
                    nonlocal runs
                    runs += 1
                    await import_workbook(db, write(workbook, Path(folder) / str(runs), runs))

                figures.append((what, await median_ms(once, repeats)))
    finally:
        await db.dispose()
    return figures
