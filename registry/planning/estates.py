"""The estates of a scope as plain `graph.model` records, read in a handful of statements.

Ids handed to `graph/` are the users' codes (place and member codes), so the algorithms'
reasons name what staff know and their id order is the code order. Definitions:

- **households** of an estate: household places below it; a household directly under a
  building counts as in a unit of its own building (the building's code stands for the unit).
- **neighbouring buildings**: the registry holds no map, so buildings listed next to each other
  in their estate (consecutive in the workbook's order, i.e. by id) count as next door.
- **candidates** of an estate: the members living in one of its households (formal,
  probationary or in-service), and in-service members with no household recorded who report
  (双报到) to an organisation covering the estate itself (they rank as "same estate"). A member
  serves one estate: where they live.
- Members outside the caller's scope are never candidates.

A scope must contain whole estates: a place scope is an estate or a place above one; an
organisation scope stands for the estates in its territory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.model import Building, Household
from graph.model import Member as GraphMember
from registry.access.actor import Actor
from registry.access.scope import Scope, ScopeKind
from registry.core.db import AnyRow
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PairingKind, PlaceKind
from registry.core.models import Coverage, Member, Pairing, Place
from registry.core.paths import ids_of
from registry.core.sql import among, one_of

# Places a contact scope may be: an estate or anything above one.
ESTATE_OR_ABOVE = frozenset(
    {
        PlaceKind.DISTRICT,
        PlaceKind.SUBDISTRICT,
        PlaceKind.COMMUNITY,
        PlaceKind.GRID,
        PlaceKind.ESTATE,
    }
)
LOWER_KINDS = (PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.HOUSEHOLD)
PLACE_COLUMNS = (
    Place.id, Place.code, Place.kind, Place.name, Place.depth, Place.version, Place.parent_id,
    Place.path,
)  # fmt: skip


@dataclass(frozen=True)
class Existing:
    """A current pairing row: its id, member and place (database ids)."""

    id: int
    member_id: int
    place_id: int


@dataclass
class Territory:
    """What the algorithms need for the estates of a scope, with the rows to report them by.

    `places` are Core rows with the columns of `Place.from_row` (id, code, kind, name, depth,
    version, parent_id, path); `members` are ORM rows; both keyed by code."""

    places: dict[str, AnyRow] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    households: list[Household] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    candidates: list[GraphMember] = field(default_factory=list)
    estates: list[str] = field(default_factory=list)  # estate codes, in code order
    existing: list[Existing] = field(default_factory=list)
    place_code: dict[int, str] = field(default_factory=dict)
    member_code: dict[int, str] = field(default_factory=dict)
    visible_members: set[str] = field(default_factory=set)

    def estate_of(self, household_code: str) -> str:
        return self._estate[household_code]

    _estate: dict[str, str] = field(default_factory=dict)


def require_estate_scope(scope: Scope) -> None:
    """Refuse a place scope below an estate: contacts are solved estate by estate."""
    place = scope.place if scope.kind is ScopeKind.PLACE else None
    if place is not None and PlaceKind(place.kind) not in ESTATE_OR_ABOVE:
        raise fail(
            "scope",
            f"{place.code!r} is a {place.kind}; give an estate, a community or a "
            "sub-district (pairings are solved for whole estates)",
            ErrorCode.WRONG_KIND,
            "PAIRING_SCOPE_KIND",
            code=place.code,
            kind=place.kind,
        )


async def read_territory(
    session: AsyncSession, scope: Scope, kind: PairingKind = PairingKind.HOUSEHOLD_CONTACT
) -> Territory:
    """The estates of `scope` with their households, buildings, candidate members and the
    current pairings of `kind` on their households. Five statements, whatever the size."""
    found = Territory()
    rows = (
        await session.execute(
            select(*PLACE_COLUMNS).where(one_of(Place.kind, LOWER_KINDS), scope.places(Place.path))
        )
    ).all()
    by_id = {r.id: r for r in rows}
    found.place_code = {r.id: r.code for r in rows}
    found.places = {r.code: r for r in rows}
    _shape(found, rows, by_id)
    await _candidates(session, scope, found, by_id)
    await _existing(session, scope, found, kind)
    return found


def _shape(found: Territory, rows: Sequence[AnyRow], by_id: dict[int, AnyRow]) -> None:
    """Households with their unit, building and estate; buildings with their neighbours."""
    estates = sorted(r.code for r in rows if r.kind == PlaceKind.ESTATE.value)
    found.estates = estates
    buildings: dict[int, list[AnyRow]] = defaultdict(list)
    for r in rows:
        if r.kind == PlaceKind.BUILDING.value and r.parent_id in by_id:
            buildings[r.parent_id].append(r)
    for estate_id, members in buildings.items():
        ordered = sorted(members, key=lambda r: r.id)
        estate = by_id[estate_id].code
        for i, b in enumerate(ordered):
            next_door = {ordered[j].code for j in (i - 1, i + 1) if 0 <= j < len(ordered)}
            found.buildings.append(Building(b.code, estate, frozenset(next_door)))
    for r in rows:
        if r.kind != PlaceKind.HOUSEHOLD.value:
            continue
        up = by_id.get(r.parent_id)
        if up is None:
            continue
        building = by_id.get(up.parent_id) if up.kind == PlaceKind.UNIT.value else up
        if building is None or building.kind != PlaceKind.BUILDING.value:
            continue
        estate = by_id.get(building.parent_id)
        if estate is None:
            continue  # an organisation scope holding the building but not its estate
        found.households.append(Household(r.code, up.code, building.code, estate.code))
        found._estate[r.code] = estate.code


async def _candidates(
    session: AsyncSession, scope: Scope, found: Territory, by_id: dict[int, AnyRow]
) -> None:
    """Live members living in the estates, and in-service members reporting to one without a
    home (one who left the Party or died is no candidate)."""
    home_of = {h.id: h for h in found.households}
    residents = await session.scalars(
        select(Member)
        .join(Place, Place.id == Member.household_id)
        .where(Place.kind == PlaceKind.HOUSEHOLD.value, scope.places(Place.path))
        .where(scope.actor.member_clause(), Member.departed_on.is_(None))
    )
    people: list[GraphMember] = []
    for m in residents:
        h = home_of.get(found.place_code.get(m.household_id or -1, ""))
        if h is None:
            continue
        found.members[m.code] = m
        people.append(GraphMember(m.code, h.estate_id, h.id, h.unit_id, h.building_id))
    estate_ids = [r.id for r in by_id.values() if r.kind == PlaceKind.ESTATE.value]
    if estate_ids:
        reporting = await session.execute(
            select(Member, Coverage.place_id)
            .join(Coverage, Coverage.organisation_id == Member.reports_to_id)
            .where(Coverage.end.is_(None), Coverage.place_id.in_(estate_ids))
            .where(Member.household_id.is_(None), Member.in_service)
            .where(scope.actor.member_clause(), Member.departed_on.is_(None))
            .order_by(Member.code, Coverage.place_id)
        )
        for m, estate_id in reporting:
            if m.code not in found.members:  # one estate each: the first by id
                found.members[m.code] = m
                people.append(GraphMember(m.code, by_id[estate_id].code))
    found.candidates = people
    found.member_code = {m.id: m.code for m in found.members.values()}
    found.visible_members = set(found.members)


async def _existing(
    session: AsyncSession, scope: Scope, found: Territory, kind: PairingKind
) -> None:
    """Current pairings of `kind` on the territory's places, and their members' codes."""
    places = select(Place.id).where(scope.places(Place.path))
    postgresql = session.get_bind().dialect.name == "postgresql"
    rows = (
        await session.execute(
            select(Pairing.id, Pairing.member_id, Pairing.place_id)
            .where(Pairing.kind == kind.value, Pairing.end.is_(None))
            .where(among(Pairing.place_id, places, postgresql))
            .order_by(Pairing.id)
        )
    ).all()
    found.existing = [Existing(r.id, r.member_id, r.place_id) for r in rows]
    await read_member_codes(session, scope.actor, found, {r.member_id for r in rows})


async def read_member_codes(
    session: AsyncSession, actor: Actor, found: Territory, member_ids: set[int]
) -> None:
    """Codes (and rows, when the caller may see them) of members not loaded yet."""
    missing = sorted(member_ids - found.member_code.keys())
    if not missing:
        return
    for m in await session.scalars(select(Member).where(Member.id.in_(missing))):
        found.member_code[m.id] = m.code
        found.members[m.code] = m
    if not actor.unscoped:
        visible = await session.scalars(
            select(Member.code).where(Member.id.in_(missing), actor.member_clause())
        )
        found.visible_members |= set(visible)
    else:
        found.visible_members |= {found.member_code[i] for i in missing}


def estate_paths(found: Territory) -> dict[str, list[int]]:
    """Estate code -> ids of the estate and its ancestors, nearest first."""
    return {code: list(reversed(ids_of(found.places[code].path))) for code in found.estates}
