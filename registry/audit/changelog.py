"""The change log: every write records who, when, what, before and after.

The rows write themselves from the ORM's unit of work: a write session's `Recorder` watches
every object of an audited table the session loads, adds or deletes, and when the transaction
commits writes one change row per object that changed (its columns before and after). A
service only names what a change *is* when "update" would say less (`Recorder.label`:
"transfer", "confirm", "move"); it cannot forget to log one. A session that changes an
audited row without a recorder gets one at flush (no token, no message). Bulk writes that
bypass the ORM (imports) hand their rows to `record_many`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_session
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.util import await_only

from registry.core import calendar
from registry.core.db import copy_rows
from registry.core.models import Base, Change, is_derived
from registry.core.org_tallies import refresh_touched
from registry.core.placements import days_regrouped, regrouped, sync_placements
from registry.core.tallies import covered_places, refresh_places, touched_places

CHANGE: Table = Change.metadata.tables[Change.__tablename__]
BULK_ROWS = 5_000  # change rows per insert-many: under every driver's parameter limit
COPY_ROWS = 50_000  # change rows per COPY (PostgreSQL)

# Tables whose rows are not the registry's facts: derived figures, the log itself, secrets,
# where a token's reads stand (replicas), and rows that belong to a parent's record (a member's
# skills, a task's places: named in the parent's change by `Recorder.label`).
UNAUDITED = frozenset({
    "change", "building_tally", "org_tally", "api_token", "console_session", "member_skill",
    "task_place", "read_fence",
})  # fmt: skip

# One change: entity, entity id, action, before, after.
Entry = tuple[str, int, str, dict[str, Any] | None, dict[str, Any] | None]

_RECORDER = "registry.audit.recorder"


def audited(row: object) -> bool:
    """Whether changes to `row` belong in the change log."""
    return isinstance(row, Base) and row.__tablename__ not in UNAUDITED


def state(row: object) -> dict[str, Any]:
    """Every column a writer sets on a row but its id, as a change row holds it (not those
    the database derives: they follow from the others, and reading them back after a write
    would cost a query per row)."""
    return {
        attr.key: getattr(row, attr.key)
        for attr in inspect(type(row)).column_attrs
        if attr.key != "id" and not is_derived(attr.columns[0])
    }


def _committed(row: object) -> dict[str, Any]:
    """A row's columns as last loaded: for rows changed before the recorder watched them."""
    attrs = inspect(row).attrs
    return {
        key: (old[0] if (old := attrs[key].history.deleted) else value)
        for key, value in state(row).items()
    }


@dataclass
class _Seen:
    """What the log knows of one object in this transaction."""

    before: dict[str, Any] | None  # None: created in this transaction
    deleted: bool = False
    action: str | None = None
    before_extra: dict[str, Any] = field(default_factory=dict)
    after_extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recorder:
    """The change log of one write transaction: every change row it writes shares the request
    id, the token and the message. Creating it attaches it to the session."""

    session: AsyncSession
    token_id: int | None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    message: str | None = None
    _seen: dict[object, _Seen] = field(default_factory=dict, init=False, repr=False)
    _bulk_at: datetime | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        sync = self.session.sync_session
        sync.info[_RECORDER] = self
        # Objects already in the session (loaded before the recorder) start from their state now.
        for row in list(sync.identity_map.values()):
            if audited(row):
                self._seen[row] = _Seen(_committed(row))
        event.listen(sync, "loaded_as_persistent", _loaded)

    def label(
        self,
        row: object,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Name what the change to `row` is ("transfer", "move", ...) and add fields that are not
        its columns (a member's skills before and after, the day a move took effect). The row
        is logged even if none of its columns changed."""
        seen = self._saw(row)
        seen.action = action
        seen.before_extra.update(before or {})
        seen.after_extra.update(after or {})

    def _saw(self, row: object, created: bool = False) -> _Seen:
        if row not in self._seen:
            self._seen[row] = _Seen(None if created else state(row))
        return self._seen[row]

    def _entries(self) -> list[Entry]:
        entries: list[Entry] = []
        for row, seen in self._seen.items():
            if seen.before is None and seen.deleted:
                continue  # created and deleted again: nothing happened
            after = None if seen.deleted else state(row)
            if after == seen.before and seen.action is None:
                continue
            action = seen.action or (
                "create" if seen.before is None else "delete" if seen.deleted else "update"
            )
            entries.append((
                row.__tablename__,  # type: ignore[attr-defined]  # audited rows are mapped
                row.id,  # type: ignore[attr-defined]  # as above
                action,
                None if seen.before is None else seen.before | seen.before_extra,
                None if after is None else after | seen.after_extra,
            ))  # fmt: skip
        self._seen.clear()
        return entries

    async def record_many(self, entries: Sequence[Entry]) -> int:
        """Write many change rows at once: what a bulk write such as an import changed, object
        by object, in the rows `record` writes. Straight to the driver (COPY on PostgreSQL,
        executemany on SQLite), with JSON encoded by orjson: through SQLAlchemy's statement
        and type handling the change rows of a district import doubled its time."""
        if not entries:
            return 0
        # One moment for every bulk row of the transaction, however many calls write them.
        if self._bulk_at is None:
            self._bulk_at = datetime.now(UTC)
        at = self._bulk_at
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            # In batches: a city's change rows, encoded at once, would take gigabytes.
            for start in range(0, len(entries), COPY_ROWS):
                chunk = self._tuples(entries[start : start + COPY_ROWS], at, _json_text)
                await copy_rows(connection, CHANGE.name, _COLUMNS, chunk)
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

_COLUMNS = ("at", "token_id", "request_id", "entity", "entity_id", "action", "before", "after",
            "message")  # fmt: skip
_SQLITE_INSERT = (
    f"INSERT INTO change ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


def _json_text(values: dict[str, Any] | None) -> str | None:
    # orjson writes dates and datetimes as ISO text, as `_jsonable` does.
    return None if values is None else orjson.dumps(values).decode()


def label(
    session: AsyncSession,
    row: object,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Name what the change to `row` in this write is, with fields beyond its columns (see
    `Recorder.label`)."""
    _writing(session).label(row, action, before, after)


def describe(session: AsyncSession, message: str | None) -> None:
    """Keep `message` (why the write was made) with every change row of this write."""
    if message is not None:
        _writing(session).message = message


def _writing(session: AsyncSession) -> Recorder:
    recorder = recorder_of(session.sync_session)
    if recorder is None:
        raise RuntimeError("a change is described outside a write session with a Recorder")
    return recorder


def recorder_of(session: Session) -> Recorder | None:
    """The recorder attached to a (sync) session, if any."""
    found = session.info.get(_RECORDER)
    return found if isinstance(found, Recorder) else None


def _loaded(session: Session, row: object) -> None:
    if (recorder := recorder_of(session)) is not None and audited(row):
        recorder._saw(row)


def _unattributed(session: Session) -> Recorder:
    # A write outside the API and imports (a tool, a fixture): logged all the same, with no
    # token and no message.
    owner = async_session(session)
    if owner is None:
        raise RuntimeError("audited rows are written through an AsyncSession")
    return Recorder(owner, None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    recorder = recorder_of(session)
    for how, group in (("new", session.new), ("dirty", session.dirty), ("gone", session.deleted)):
        for row in group:
            if not audited(row):
                continue
            if recorder is None:
                recorder = _unattributed(session)
            if how == "new":
                recorder._saw(row, created=True)
            elif how == "gone":
                recorder._saw(row).deleted = True
            elif row not in recorder._seen:
                recorder._seen[row] = _Seen(_committed(row))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    recorder = recorder_of(session)
    if recorder is None:
        if not any(audited(row) for row in (*session.new, *session.dirty, *session.deleted)):
            return
        recorder = _unattributed(session)
    session.flush()  # every object has its id and its final columns
    entries = recorder._entries()
    # Derived figures follow the same changes, so no write path can leave them stale. The
    # commit runs inside SQLAlchemy's greenlet, where an async call can be awaited in line.
    changed = [(entity, i, old, new) for entity, i, _, old, new in entries]
    organisations = await_only(refresh_touched(recorder.session, changed))
    touched = touched_places((entity, old, new) for entity, _, _, old, new in entries)
    if organisations:
        touched |= await_only(covered_places(recorder.session, organisations))
    if touched:
        await_only(refresh_places(recorder.session, touched))
    if moved := regrouped((entity, i, old, new) for entity, i, _, old, new in entries):
        for day, members in sorted(days_regrouped(session, moved, calendar.today()).items()):
            await_only(sync_placements(recorder.session, members, day))
    if entries:
        at = datetime.now(UTC)  # one moment for the whole request, on both databases alike
        session.connection().execute(
            insert(CHANGE),
            [
                {"at": at, "token_id": recorder.token_id, "request_id": recorder.request_id,
                 "entity": entity, "entity_id": entity_id, "action": action,
                 "before": _jsonable(before), "after": _jsonable(after),
                 "message": recorder.message}
                for entity, entity_id, action, before, after in entries
            ],
        )  # fmt: skip


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    if (recorder := recorder_of(session)) is not None:
        recorder._seen.clear()


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
