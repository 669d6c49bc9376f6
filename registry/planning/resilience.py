"""Resilience: coverage that hangs on one member, and what one member's departure breaks.

What covers what (the maps handed to `graph.resilience`):

- a **building** is covered by the members living in it and by the current leader of an active
  group covering it;
- a **household** is covered by its current contact member (household-contact pairing) and by
  the member of every stored hub whose reach includes it (`registry.planning.hubs`).

`if_member_leaves` loads the estates the member touches (home, pairings, buildings led), and
proposes re-covering: the orphaned households go to the remaining members' spare capacity
(k of their estate minus the households they visit today), and each building left without
cover gets a building lead (`graph.mobilise`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.model import Id
from graph.model import Pairing as GraphPairing
from graph.resilience import LeaveImpact, SinglePoints, if_member_leaves, single_points_of_failure
from registry.access.actor import Actor
from registry.access.lookup import Key, get_member
from registry.access.scope import Scope, ScopeKind
from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    OfficeRole,
    OrgStatus,
    PairingKind,
    PlaceKind,
)
from registry.core.models import Coverage, Member, Office, Organisation, Pairing, Place
from registry.core.paths import ids_of
from registry.core.sql import one_of
from registry.planning.contact_ratio import contact_ratios
from registry.planning.contacts import ContactPlan, fingerprint
from registry.planning.estates import (
    Territory,
    estate_paths,
    read_member_codes,
    read_territory,
    require_estate_scope,
)
from registry.planning.hubs import stored_reach


@dataclass(frozen=True)
class Cover:
    territory: Territory
    # graph/'s ids: codes and id strings (Hashable there, so that any id will do)
    buildings: dict[Id, set[Id]]
    households: dict[Id, set[Id]]


async def read_cover(session: AsyncSession, scope: Scope) -> Cover:
    """Who covers each building and household of the scope's estates (see the module doc)."""
    found = await read_territory(session, scope, PairingKind.HOUSEHOLD_CONTACT)
    buildings: dict[Id, set[Id]] = {b.id: set() for b in found.buildings}
    for m in found.candidates:
        if m.home_building_id is not None:
            buildings.setdefault(str(m.home_building_id), set()).add(str(m.id))
    leaders = await session.execute(
        select(Place.code, Office.member_id)
        .join(Coverage, Coverage.place_id == Place.id)
        .join(Organisation, Organisation.id == Coverage.organisation_id)
        .join(Office, Office.organisation_id == Organisation.id)
        .where(Place.kind == PlaceKind.BUILDING.value, scope.places(Place.path))
        .where(Coverage.end.is_(None), Organisation.status == OrgStatus.ACTIVE.value)
        .where(one_of(Organisation.kind, BUILDING_COVERING_KINDS))
        .where(Office.end.is_(None), Office.role == OfficeRole.GROUP_LEADER.value)
    )
    leader_rows = leaders.all()
    await read_member_codes(session, scope.actor, found, {m for _, m in leader_rows})
    for code, member_id in leader_rows:
        buildings.setdefault(code, set()).add(found.member_code[member_id])
    households: dict[Id, set[Id]] = defaultdict(set)
    for e in found.existing:
        households[found.place_code[e.place_id]].add(found.member_code[e.member_id])
    hubs = await read_territory(session, scope, PairingKind.HUB)
    for household, members in stored_reach(hubs).items():
        households[household] |= members
        for code in members:
            found.members.setdefault(code, hubs.members[code])
            if code in hubs.visible_members:
                found.visible_members.add(code)
    return Cover(found, buildings, dict(households))


async def single_points(session: AsyncSession, scope: Scope) -> tuple[Cover, SinglePoints]:
    """Buildings and households of the scope whose coverage hangs on one member."""
    require_estate_scope(scope)
    cover = await read_cover(session, scope)
    return cover, single_points_of_failure(cover.buildings, cover.households)


@dataclass(frozen=True)
class Departure:
    cover: Cover
    member: Member
    impact: LeaveImpact
    contacts: ContactPlan


async def member_leaves(
    session: AsyncSession, actor: Actor, key: Key, default_ratio: int
) -> Departure:
    """What loses cover, within the caller's territory, if the member leaves, and a proposal
    to re-cover it. Writes nothing."""
    person = await get_member(session, actor, key, "member")
    touched = list(
        await session.scalars(
            select(Place.path).where(
                Place.id.in_(
                    select(Pairing.place_id).where(
                        Pairing.member_id == person.id, Pairing.end.is_(None)
                    )
                )
                | Place.id.in_(
                    select(Coverage.place_id)
                    .join(Office, Office.organisation_id == Coverage.organisation_id)
                    .where(Office.member_id == person.id, Office.end.is_(None))
                    .where(Office.role == OfficeRole.GROUP_LEADER.value, Coverage.end.is_(None))
                )
                | (Place.id == (person.household_id or -1))
            )
        )
    )
    above = sorted({i for path in touched for i in ids_of(path)})
    # Only the caller's estates: a member paired with households beyond the caller's
    # territory leaves gaps there too, but those are someone else's to see and to fill.
    estates = list(
        await session.scalars(
            select(Place.path)
            .where(Place.id.in_(above), Place.kind == PlaceKind.ESTATE.value)
            .where(actor.place_clause())
        )
    )
    scope = Scope(ScopeKind.PLACE, None, None, tuple(sorted(estates)), None, actor)
    cover = await read_cover(session, scope)
    found = cover.territory
    ratios = await contact_ratios(session, estate_paths(found), default_ratio)
    members = [
        replace(m, contact_capacity=ratios.get(str(m.estate_id), default_ratio))
        for m in found.candidates
    ]
    pairings = [
        GraphPairing(found.member_code[e.member_id], found.place_code[e.place_id])
        for e in found.existing
    ]
    impact = if_member_leaves(
        person.code, found.households, found.buildings, members, default_ratio, pairings,
        cover.buildings,
    )  # fmt: skip
    found.members.setdefault(person.code, person)
    plan = ContactPlan(found, impact.contacts, ratios, fingerprint(impact.contacts))
    return Departure(cover, person, impact, plan)
