"""`gridreg bench --incremental`: a one-row import into a registry of the synthetic scale.

An organiser's everyday import names a handful of rows: a member's new phone, a new household.
Its cost must follow the workbook, not the registry. The figure is the median wall time of
importing a workbook of one `members` row (the first member of the synthetic workbook, its
phone changed on every run, so that every run writes an update) into the database, which is
loaded with the synthetic workbook first if it does not hold it yet.
"""

from __future__ import annotations

import csv
from pathlib import Path
from tempfile import TemporaryDirectory

from benchmarks.timing import median_ms
from registry.core.db import Database
from registry.importer import import_workbook

WHAT = "import of a one-row workbook (a member's phone)"


def one_member_row(workbook: Path, folder: Path, phone: str) -> Path:
    """A workbook in `folder` of the first member row of `workbook`, with this phone."""
    with (workbook / "members.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        first = next(reader)
    first[header.index("phone")] = phone
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "members.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, first])
    return folder


async def one_row_import_ms(url: str, workbook: Path, repeats: int) -> float:
    """Median milliseconds of importing one changed member row into the database at `url`."""
    db = Database(url)
    runs = 0
    try:
        with TemporaryDirectory(prefix="gridreg-bench-") as folder:

            async def once() -> None:
                nonlocal runs
                runs += 1
                phone = f"139{runs:08d}"
                await import_workbook(db, one_member_row(workbook, Path(folder) / str(runs), phone))

            return await median_ms(once, repeats)
    finally:
        await db.dispose()

