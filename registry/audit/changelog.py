"""The change log: every write records who, when, what, before and after."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.models import Change

CHANGE: Table = Change.metadata.tables[Change.__tablename__]
BULK_ROWS = 5_000  # change rows per insert-many: under every driver's parameter limit

# One change: entity, entity id, action, before, after.
Entry = tuple[str, int, str, dict[str, Any] | None, dict[str, Any] | None]


@dataclass
class Recorder:
    """Writes change rows for one request, all sharing its request id."""

    session: AsyncSession
    token_id: int | None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    message: str | None = None

    def record(
        self,
        entity: str,
        entity_id: int,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Add one change row to the current transaction."""
        self.session.add(Change(**self._row((entity, entity_id, action, before, after))))

    async def record_many(self, entries: Sequence[Entry]) -> int:
        """Write many change rows at once: what a bulk write such as an import changed, object
        by object, in the rows `record` writes. Straight to the driver (COPY on PostgreSQL,
        executemany on SQLite), with JSON encoded by orjson: through SQLAlchemy's statement
        and type handling the change rows of a district import doubled its time."""
        if not entries:
            return 0
        at = datetime.now(UTC)
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            await _copy(connection, self._tuples(entries, at, _json_text))
        else:
            stamp = at.replace(tzinfo=None).isoformat(sep=" ")  # as SQLAlchemy stores it
            for start in range(0, len(entries), BULK_ROWS):
                rows = self._tuples(entries[start : start + BULK_ROWS], stamp, _json_text)
                await connection.exec_driver_sql(_SQLITE_INSERT, rows)
        return len(entries)

    def _tuples(self, entries: Iterable[Entry], at: Any, encode: Any) -> list[tuple[Any, ...]]:
        return [
            (at, self.token_id, self.request_id, entity, entity_id, action,
             encode(before), encode(after), self.message)
            for entity, entity_id, action, before, after in entries
        ]  # fmt: skip

    def _row(self, entry: Entry) -> dict[str, Any]:
        entity, entity_id, action, before, after = entry
        return {
            # Python's clock, not the database's: one moment for a whole request, on both
            # databases alike.
            "at": datetime.now(UTC),
            "token_id": self.token_id,
            "request_id": self.request_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "before": _jsonable(before),
            "after": _jsonable(after),
            "message": self.message,
        }


_COLUMNS = ("at", "token_id", "request_id", "entity", "entity_id", "action", "before", "after",
            "message")  # fmt: skip
_SQLITE_INSERT = (
    f"INSERT INTO change ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


def _json_text(values: dict[str, Any] | None) -> str | None:
    # orjson writes dates and datetimes as ISO text, as `_jsonable` does.
    return None if values is None else orjson.dumps(values).decode()


async def _copy(connection: Any, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows into the change table through asyncpg, inside the session's transaction."""
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(
        CHANGE.name, records=rows, columns=list(_COLUMNS)
    )


def snapshot(row: object, *fields: str) -> dict[str, Any]:
    """The named attributes of a row, for a before/after record."""
    return {name: getattr(row, name) for name in fields}


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
