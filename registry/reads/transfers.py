"""Transfers of members' ties (组织关系) as an organisation sees them from either side."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.models import Member, Transfer

TransferSide = Literal["from", "to"]


async def transfers_of(
    session: AsyncSession, side: TransferSide, organisation_id: int, pending_only: bool
) -> list[tuple[Transfer, Member]]:
    """The transfers out of (`from`) or into (`to`) the organisation, with their members,
    oldest first; only those neither received nor cancelled with `pending_only`. Both sides
    see a transfer and its member's name and code whoever's scope the member is in, so no
    scope cuts them."""
    column = Transfer.from_id if side == "from" else Transfer.to_id
    query = (
        select(Transfer, Member)
        .join(Member, Member.id == Transfer.member_id)
        .where(column == organisation_id)
        .order_by(Transfer.out_on, Transfer.id)
    )
    if pending_only:
        query = query.where(Transfer.pending())
    return [(transfer, member) for transfer, member in (await session.execute(query)).all()]
