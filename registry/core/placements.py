"""Group placement history (`GroupPlacement`), kept from `Member.group_id` by the writes
themselves, as the building tallies are (`registry.core.tallies`): the change log's commit hook
(`registry.audit.changelog`) syncs the members whose group a write changed, in the write's own
transaction, and imports sync every member. A sync closes an open placement naming another group
than the member's now and opens one for the group they are in, dated the day of the write: no
write path can leave a move out of the history, and a sync can only repair it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.core.models import GroupPlacement, Member


def regrouped(
    changes: Iterable[tuple[str, int, dict[str, Any] | None, dict[str, Any] | None]],
) -> set[int]:
    """The members whose group a set of (entity, id, before, after) changes set or changed."""
    return {
        entity_id
        for entity, entity_id, before, after in changes
        if entity == "member"
        and after is not None
        and (before or {}).get("group_id") != after.get("group_id")
    }


async def sync_placements(
    session: AsyncSession, member_ids: Iterable[int] | None, on: date
) -> None:
    """Make the open placement of these members (or, with None, of every member) name the group
    they are in now: close one naming another group on `on`, open one from `on`."""
    ids = None if member_ids is None else sorted(set(member_ids))
    if ids == []:
        return
    await session.flush()
    member = aliased(Member)
    current = select(member.group_id).where(member.id == GroupPlacement.member_id)
    closing = (
        update(GroupPlacement)
        .where(GroupPlacement.end.is_(None))
        .where(GroupPlacement.group_id.is_distinct_from(current.scalar_subquery()))
        .values(end=on)
    )
    placed = exists(
        select(1).where(
            GroupPlacement.member_id == Member.id,
            GroupPlacement.group_id == Member.group_id,
            GroupPlacement.end.is_(None),
        )
    )
    opening = select(Member.id, Member.group_id, literal(on)).where(
        Member.group_id.is_not(None), ~placed
    )
    # Batches of ids keep each statement under the drivers' parameter limits (asyncpg's is
    # 32,767): an import regroups every member it creates.
    for chunk in [None] if ids is None else _chunks(ids):
        close, open_ = closing, opening
        if chunk is not None:
            close = closing.where(GroupPlacement.member_id.in_(chunk))
            open_ = opening.where(Member.id.in_(chunk))
        await session.execute(close.execution_options(synchronize_session=False))
        await session.execute(
            insert(GroupPlacement).from_select(["member_id", "group_id", "start"], open_)
        )


SYNC_BATCH = 5_000  # member ids per statement


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + SYNC_BATCH] for start in range(0, len(ids), SYNC_BATCH)]
