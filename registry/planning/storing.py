"""Applying a pairing plan: end the replaced pairings, open the new ones, record each change.

Pairings are dated relations, never overwritten: a pairing that stops gets `end` = the day of
the apply; a new one starts that day. One change-log row per pairing ended or opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit.changelog import label
from registry.core.kinds import PairingKind
from registry.core.models import Pairing


@dataclass(frozen=True)
class Applied:
    """What an apply wrote: pairings opened and ended."""

    opened: int
    ended: int


async def apply_plan(
    session: AsyncSession,
    kind: PairingKind,
    end_ids: Iterable[int],
    new: Iterable[tuple[int, int]],
    today: date,
    notes: dict[tuple[int, int], dict[str, object]] | None = None,
) -> Applied:
    """End the pairings `end_ids` and open `new` (member id, place id) pairings of `kind`.
    `notes` adds fields (e.g. a hub's reach) to the change record of a new pairing."""
    ended = 0
    ids = sorted(set(end_ids))
    for start in range(0, len(ids), 5000):
        rows = await session.scalars(
            select(Pairing).where(Pairing.id.in_(ids[start : start + 5000])).with_for_update()
        )
        for row in rows:
            row.end = today
            label(session, row, "end")
            ended += 1
    created = [
        Pairing(member_id=m, kind=kind.value, place_id=p, start=today, end=None)
        for m, p in sorted(set(new))
    ]
    session.add_all(created)
    for row in created:
        if note := (notes or {}).get((row.member_id, row.place_id)):
            label(session, row, "create", after=note)
    await session.flush()
    return Applied(opened=len(created), ended=ended)
