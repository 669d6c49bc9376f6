"""One apply at a time per estate: two organisers applying pairings over the same estates at the
same moment must not both write (each would end and open the same pairings).

An apply locks the estate rows its scope touches — the estates inside the scope and any estate
above a scope top — lowest id first, before it reads the current pairings. A second apply over
an overlapping scope waits, then reads what the first committed (PostgreSQL READ COMMITTED), so
it proposes again from there: STALE if the caller passed the fingerprint of an older proposal,
else it stores nothing new. `FOR NO KEY UPDATE` so rows merely pointing at an estate (a new
building, a pairing) are not held up. SQLite serialises writers at BEGIN IMMEDIATE already; the
statement is then a plain read.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.scope import Scope
from registry.core.kinds import PlaceKind
from registry.core.models import Place
from registry.core.paths import ids_of


async def lock_scope_estates(session: AsyncSession, scope: Scope) -> None:
    """Lock the estates of `scope` (see the module docstring) in id order."""
    above = sorted({i for top in scope.place_tops for i in ids_of(top)})
    await session.execute(
        select(Place.id)
        .where(Place.kind == PlaceKind.ESTATE.value, or_(scope.places(), Place.id.in_(above)))
        .order_by(Place.id)
        .with_for_update(key_share=True)
    )
