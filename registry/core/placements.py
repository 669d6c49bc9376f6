"""Group placement history (`GroupPlacement`), kept from `Member.group_id` by the writes
themselves, as the building tallies are (`registry.core.tallies`): the change log's commit hook
(`registry.audit.changelog`) syncs the members whose group a write changed, in the write's own
transaction, and imports sync every member. A sync closes an open placement naming another group
than the member's now and opens one for the group they are in, dated the day of the write or
the day the write says the move took effect (`regroup_on`: a transfer, a merge or a departure
dated in the past): no write path can leave a move out of the history, and a sync can only
repair it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import case, exists, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from registry.core.models import GroupPlacement, Member

_DAYS = "gridreg.regrouped_on"  # session.info: member id -> the day their group changed


def regroup_on(session: AsyncSession | Session, member_id: int, on: date) -> None:
    """Date the group change this write makes to the member on `on` rather than on the day of
    the write (the sync at commit reads it)."""
    session.info.setdefault(_DAYS, {})[member_id] = on


def days_regrouped(session: Session, member_ids: set[int], today: date) -> dict[date, set[int]]:
    """The members whose group changed, by the day it took effect (`regroup_on`, else
    `today`); the days noted are used up."""
    noted: dict[int, date] = session.info.pop(_DAYS, {})
    days: dict[date, set[int]] = {}
    for member_id in member_ids:
        days.setdefault(noted.get(member_id, today), set()).add(member_id)
    return days


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
    if member_ids is None:
        await session.flush()
        await _sync(session, None, on)
        return
    ids = sorted(set(member_ids))
    if ids:
        await session.flush()
    # A statement's parameters are bounded (asyncpg: 32,767): an import syncs every member.
    for start in range(0, len(ids), _BATCH):
        await _sync(session, ids[start : start + _BATCH], on)


_BATCH = 10_000


async def _sync(session: AsyncSession, ids: list[int] | None, on: date) -> None:
    member = aliased(Member)
    current = select(member.group_id).where(member.id == GroupPlacement.member_id)
    closing = (
        update(GroupPlacement)
        .where(GroupPlacement.end.is_(None))
        .where(GroupPlacement.group_id.is_distinct_from(current.scalar_subquery()))
        # never before it began (a move dated before a placement recorded later)
        .values(end=case((GroupPlacement.start > on, GroupPlacement.start), else_=literal(on)))
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
    if ids is not None:
        closing = closing.where(GroupPlacement.member_id.in_(ids))
        opening = opening.where(Member.id.in_(ids))
    await session.execute(closing.execution_options(synchronize_session=False))
    await session.execute(
        insert(GroupPlacement).from_select(["member_id", "group_id", "start"], opening)
    )
