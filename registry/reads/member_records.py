"""A member's dated records beside their tie: standings (失联, 停止党籍, 出党, death) and
Party group placements, oldest first. The member was read in the caller's scope already: their
records go with them, so no scope cuts these."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.models import GroupPlacement, MemberStanding


async def standings_of(
    session: AsyncSession, member_id: int, current: bool
) -> list[MemberStanding]:
    """The member's standings, oldest first; with `current`, the open one only (or none)."""
    query = (
        select(MemberStanding)
        .where(MemberStanding.member_id == member_id)
        .order_by(MemberStanding.start, MemberStanding.id)
    )
    if current:
        query = query.where(MemberStanding.end.is_(None))
    rows = list(await session.scalars(query))
    return rows[-1:] if current else rows


async def placements_of(session: AsyncSession, member_id: int) -> list[GroupPlacement]:
    """The groups the member has been placed in, oldest first (an unknown start first)."""
    query = (
        select(GroupPlacement)
        .where(GroupPlacement.member_id == member_id)
        .order_by(GroupPlacement.start.asc().nulls_first(), GroupPlacement.id)
    )
    return list(await session.scalars(query))
