"""Ids an import hands out, and the batches its bulk statements go in."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.db import copy_rows

BATCH = 5_000  # rows per executemany, and ids per IN (...) list: under every driver's limit


def batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Ids:
    """Ids of one tree or table after the import: stored ones, and new ones handed out here."""

    def __init__(self, stored: dict[str, int], next_id: int) -> None:
        self.stored = stored
        self.new: dict[str, int] = {}
        self.next_id = next_id

    def assign(self, code: str) -> int:
        self.new[code] = self.next_id
        self.next_id += 1
        return self.new[code]

    def __getitem__(self, code: str) -> int:
        found = self.new.get(code)
        return found if found is not None else self.stored[code]

    def get(self, code: str | None) -> int | None:
        return None if code is None else self[code]


async def insert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    advance: Callable[[int], None] | None = None,
) -> None:
    """Insert new rows (dicts with the same keys) in batches, in the session's transaction:
    COPY on PostgreSQL (a district's places load several times faster than by INSERT),
    executemany elsewhere. Rows go in their order, so parents may precede children.
    `advance` is told the rows of each batch written (a progress bar)."""
    if not rows:
        return
    connection = await session.connection()
    copying = COPY and connection.dialect.name == "postgresql"
    columns = list(rows[0])
    for chunk in batches(rows, COPY_BATCH if copying else BATCH):
        if copying:
            records = [tuple(r[c] for c in columns) for r in chunk]
            await copy_rows(connection, table.name, columns, records)
        else:
            await session.execute(insert(table), list(chunk))
        if advance is not None:
            advance(len(chunk))


COPY_BATCH = 50_000  # rows per COPY: bounded tuples in memory, few round trips
COPY = True  # False: INSERT on PostgreSQL too (tests compare the two)
