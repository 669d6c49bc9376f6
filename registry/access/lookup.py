"""Find places, organisations and members by id or code, within the caller's scope.

Something outside the scope is reported exactly like something that does not exist,
so a scoped token learns nothing about the rest of the registry.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.core.errors import ErrorCode, fail
from registry.core.models import Member, Organisation, Place

Key = int | str
M = TypeVar("M", Place, Organisation, Member)


async def _get(
    session: AsyncSession,
    model: type[M],
    scope: ColumnElement[bool],
    key: Key,
    field: str,
    noun: str,
    for_update: bool,
) -> M:
    column = model.id if isinstance(key, int) else model.code
    query = select(model).where(column == key, scope)
    if for_update:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            field, f"no {noun} with {shown} in your scope", ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE", noun=noun, ref=key,
        )  # fmt: skip
    return row


async def get_place(
    session: AsyncSession, actor: Actor, key: Key, field: str = "place", for_update: bool = False
) -> Place:
    """The place with this id or code, if the actor may see it; else a NOT_FOUND user error."""
    return await _get(session, Place, actor.place_clause(), key, field, "place", for_update)


async def get_organisation(
    session: AsyncSession,
    actor: Actor,
    key: Key,
    field: str = "organisation",
    for_update: bool = False,
) -> Organisation:
    """The organisation with this id or code, if the actor may see it."""
    return await _get(
        session, Organisation, actor.org_clause(), key, field, "organisation", for_update
    )


async def get_member(
    session: AsyncSession, actor: Actor, key: Key, field: str = "member", for_update: bool = False
) -> Member:
    """The member with this id or code, if the actor may see them."""
    return await _get(session, Member, actor.member_clause(), key, field, "member", for_update)


async def lock_in_order(session: AsyncSession, rows: list[M]) -> None:
    """Take row locks (SELECT ... FOR UPDATE) on rows already found, lowest id first, and
    reload them: two writers locking the same rows then queue instead of deadlocking, and
    each sees what the other committed (PostgreSQL READ COMMITTED re-reads a locked row).
    SQLite takes its one write lock at BEGIN IMMEDIATE; this is then a plain re-read."""
    if not rows:
        return
    model = type(rows[0])
    ids = sorted({row.id for row in rows})
    await session.execute(
        select(model)
        .where(model.id.in_(ids))
        .order_by(model.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def lock_name(session: AsyncSession, name: str) -> None:
    """Hold a PostgreSQL transaction-level advisory lock on `name` until commit or rollback:
    writers of the same `name` queue. For writes whose conflicts no single row stands for
    (e.g. two mobilisations booking the same member's time). SQLite serialises every writer at
    BEGIN IMMEDIATE already, so this does nothing there."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
