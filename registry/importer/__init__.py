"""The one import path for seeds and user data: a workbook of places, organisations, members
and offices, upserted by the user's own codes.

    report = await import_workbook(db, Path("seeds/cuntan"))

The whole workbook is read and validated against itself and the stored registry first; on any
problem `ImportFailed` lists every bad cell and nothing is written. Otherwise everything is
written in one transaction. Of the stored registry it reads only what the workbook names
(`registry.importer.stored`), so a workbook of a few rows imports as quickly into a city as into
a sub-district.

The change log gets a row for every place, organisation and member created or changed (as
the API's writes record them, so that history "as of" a date before the import is right), and
one summary row per sheet that changed (entity = the sheet, entity_id 0, action "import",
after = its counts), all sharing the import's request id.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import SYSTEM, Actor
from registry.audit.changelog import Recorder
from registry.core.db import Database
from registry.core.errors import ErrorCode
from registry.importer.containment import containment_problems, ties_of
from registry.importer.progress import Tracker
from registry.importer.reading import read_workbook
from registry.importer.report import ImportFailed, ImportReport, RowProblem
from registry.importer.stored import lock_tables, read_stored
from registry.importer.validation import validate
from registry.importer.workbook_format import Sheet
from registry.importer.writing import write_plan

__all__ = ["ImportFailed", "ImportReport", "RowProblem", "import_workbook"]


class _Rehearsed(Exception):
    """Ends a dry run's transaction (rolled back), carrying what it would have changed."""

    def __init__(self, counts: dict[str, dict[str, int]]) -> None:
        self.counts = counts


async def import_workbook(
    db: Database,
    source: Path,
    *,
    actor: Actor = SYSTEM,
    progress: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import a workbook (a folder of CSV files, an .xlsx, or a .zip of CSV files) into the
    registry.

    Raises ImportFailed, having written nothing, when any row is wrong. Imports change whole
    trees, so they need an unscoped token that may write. A `dry_run` checks and writes
    exactly as an import does, then rolls back: its report (not `written`) says what the
    import would change, and nothing is kept."""
    _require_import_rights(actor)
    with Tracker(progress) as tracker:
        # Reading a large workbook takes seconds of CPU: off the event loop, so that a server
        # importing an upload keeps answering other requests.
        sheets, problems = await asyncio.to_thread(read_workbook, Path(source), tracker)
        if problems:
            raise ImportFailed(problems)
        try:
            counts, request_id = await _import(db, source, sheets, actor, tracker, dry_run)
        except _Rehearsed as rehearsal:
            return ImportReport(rehearsal.counts, "", written=False)
    written = sum(c["created"] + c["updated"] for c in counts.values())
    if written:
        await _refresh_statistics(db, written)
    return ImportReport(counts, request_id)


async def _import(
    db: Database,
    source: Path,
    sheets: dict[str, Sheet],
    actor: Actor,
    tracker: Tracker,
    dry_run: bool,
) -> tuple[dict[str, dict[str, int]], str]:
    async with db.write() as session:
        await lock_tables(session)
        stored = await read_stored(session, sheets)
        plan, problems = await asyncio.to_thread(validate, sheets, stored, tracker)
        if problems:
            raise ImportFailed(problems)
        # The plan holds what is written; of the sheets only the organisations' rows are
        # read again (the containment check), so the others' cells go before writing.
        for name, sheet in sheets.items():
            if name != "organisations":
                sheet.rows.clear()
        recorder = Recorder(session, actor.token_id, message=f"import {Path(source).name}")
        organisations = sheets.get("organisations")
        before = await ties_of(session, organisations)
        counts = await write_plan(session, plan, tracker, recorder)
        # Containment is a rule over the stored trees: checked on what was written,
        # before anything commits (a refusal rolls the whole import back).
        with tracker.step("checking the trees"):
            await _analyse_written(session, counts)
            problems = await containment_problems(session, organisations, before)
        if problems:
            raise ImportFailed(problems)
        await recorder.record_many([
            (sheet, 0, "import", None, sheet_counts)
            for sheet, sheet_counts in counts.items()
            if sheet_counts["created"] or sheet_counts["updated"]
        ])  # fmt: skip
        if dry_run:
            raise _Rehearsed(counts)  # leaves the transaction, rolling it back
    return counts, recorder.request_id


async def _analyse_written(session: AsyncSession, counts: dict[str, dict[str, int]]) -> None:
    """On PostgreSQL, after a bulk write, ANALYZE the trees inside the import's transaction
    (it counts the rows the transaction inserted): the containment check's joins, planned on
    the statistics of empty tables, took minutes over a district instead of a second."""
    if session.get_bind().dialect.name != "postgresql":
        return
    created = sum(c["created"] for c in counts.values())
    if created >= BULK_ANALYZE_ROWS:
        await session.execute(text("ANALYZE place, organisation, coverage"))


# Rows created from which an import re-analyses the trees before checking them.
BULK_ANALYZE_ROWS = 10_000


async def _refresh_statistics(db: Database, written: int) -> None:
    # PostgreSQL plans subtree range joins badly without statistics, and a bulk import
    # changes them wholesale; SQLite's queries are written not to depend on them. An import
    # of a few rows into a large registry moves no figure the planner uses (autovacuum's own
    # ANALYZE follows a tenth of a table changing), and ANALYZE of a city takes seconds.
    if db.is_sqlite:
        return
    async with db.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        rows, never = (await connection.execute(text(_STATISTICS))).one()
        if never or written * STATISTICS_SHARE >= rows:
            await connection.execute(text("ANALYZE"))


# ANALYZE after an import that wrote at least 1/STATISTICS_SHARE of the rows the planner
# thinks the registry's main tables hold (or when they were never analysed).
STATISTICS_SHARE = 10
_STATISTICS = """SELECT coalesce(sum(greatest(reltuples, 0)), 0),
coalesce(bool_or(reltuples < 0), true) FROM pg_class
WHERE relname IN ('place', 'organisation', 'member') AND relkind = 'r'"""


def _require_import_rights(actor: Actor) -> None:
    if not actor.can_write or not actor.unscoped:
        who = "this token may only read" if not actor.can_write else "this token is scoped"
        message = f"{who}; imports need an unscoped admin token"
        raise ImportFailed([RowProblem("workbook", None, None, message, ErrorCode.FORBIDDEN)])
