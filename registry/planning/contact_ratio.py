"""The household-contact ratio k (households per contact member) per scope (DESIGN section 2).

Stored in `place_setting` under `CONTACT_RATIO_KEY` for an estate or a place above one; the
nearest ancestor's value wins (the estate's own first), else the deployment's
`RuleThresholds.household_contact_ratio`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_place
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PlaceKind
from registry.core.models import Place, PlaceSetting
from registry.core.paths import ids_of
from registry.planning.estates import ESTATE_OR_ABOVE

CONTACT_RATIO_KEY = "household_contact_ratio"
MAX_CONTACT_RATIO = 200


async def contact_ratios(
    session: AsyncSession, chains: Mapping[str, list[int]], default: int
) -> dict[str, int]:
    """k for each estate, given estate code -> ids of it and its ancestors, nearest first.
    One statement."""
    ids = {i for chain in chains.values() for i in chain}
    if not ids:
        return {}
    rows = await session.execute(
        select(PlaceSetting.place_id, PlaceSetting.value).where(
            PlaceSetting.key == CONTACT_RATIO_KEY, PlaceSetting.place_id.in_(sorted(ids))
        )
    )
    stored = {place_id: int(value) for place_id, value in rows}
    return {code: _nearest(chain, stored, default) for code, chain in chains.items()}


def _nearest(chain: Iterable[int], stored: Mapping[int, int], default: int) -> int:
    return next((stored[i] for i in chain if i in stored), default)


async def set_contact_ratio(
    session: AsyncSession, actor: Actor, place: Key, ratio: int | None
) -> Place:
    """Set (or, with None, clear) the ratio of a place's subtree: an estate or a place above.
    Writes nothing when the value is already so."""
    actor.require_write()
    row = await get_place(session, actor, place, "place")
    if PlaceKind(row.kind) not in ESTATE_OR_ABOVE:
        raise fail(
            "place",
            f"{row.code!r} is a {row.kind}; set the ratio on an estate or a place above one",
            ErrorCode.WRONG_KIND,
            "RATIO_PLACE_KIND",
            code=row.code,
            kind=row.kind,
        )
    if ratio is not None and not 1 <= ratio <= MAX_CONTACT_RATIO:
        raise fail(
            "ratio", f"give a number of households from 1 to {MAX_CONTACT_RATIO}",
            ErrorCode.INVALID, "OUT_OF_RANGE", minimum=1, maximum=MAX_CONTACT_RATIO,
        )  # fmt: skip
    current = await session.scalar(
        select(PlaceSetting).where(
            PlaceSetting.place_id == row.id, PlaceSetting.key == CONTACT_RATIO_KEY
        )
    )
    if ratio is None:
        if current is not None:
            await session.delete(current)
            await session.flush()
        return row
    if current is not None and current.value == str(ratio):
        return row
    if current is None:
        current = PlaceSetting(place_id=row.id, key=CONTACT_RATIO_KEY, value=str(ratio))
        session.add(current)
    else:
        current.value = str(ratio)
    await session.flush()
    return row


async def contact_ratio_of(session: AsyncSession, place: Place, default: int) -> tuple[int, bool]:
    """The ratio in force at a place and whether it was set (on it or an ancestor)."""
    chain = list(reversed(ids_of(place.path)))
    found = await contact_ratios(session, {place.code: chain}, -1)
    value = found[place.code]
    return (default, False) if value < 0 else (value, True)
