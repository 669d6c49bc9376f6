"""The responsibility chain of a household, building (or unit) or estate, up to the
working-committee secretary (`graph.chain.responsibility_chain`), read in six statements.

Who holds each link:

- contact member: the household's current household-contact pairing;
- building group leader: the current leader of an active group covering the building;
- branch secretary: the secretary of an active branch or general branch covering the estate —
  the group's own branch first, else the first by code that has a secretary;
- community secretary: the secretary of an active party committee, general branch or branch
  covering the community;
- leader pairing: the estate's current leader pairing, else the community's;
- working committee secretary: the secretary of the active working committee covering the
  sub-district.

A link whose holder lies outside the caller's scope shows its role, place and organisation but
not the person (`hidden`); it is not a gap.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.chain import Link, PlaceAncestry, Responsibilities, responsibility_chain
from registry.access.actor import Actor
from registry.access.lookup import Key, get_place
from registry.core.db import AnyRow
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    COMMUNITY_TERM_KINDS,
    ESTATE_COVERING_KINDS,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PairingKind,
    PlaceKind,
)
from registry.core.models import Coverage, Member, Office, Organisation, Pairing, Place
from registry.core.paths import ids_of
from registry.core.sql import one_of
from registry.planning.estates import PLACE_COLUMNS

STARTS = frozenset({PlaceKind.HOUSEHOLD, PlaceKind.UNIT, PlaceKind.BUILDING, PlaceKind.ESTATE})


@dataclass(frozen=True)
class ChainLink:
    """A link with its rows: the place, the organisation holding the office (if any), the
    person (None when nobody holds it or, `hidden`, when the caller may not see them)."""

    role: str
    place: AnyRow
    organisation: Organisation | None
    member: Member | None
    hidden: bool
    gap: str | None


async def chain_of(session: AsyncSession, actor: Actor, key: Key) -> list[ChainLink]:
    """The chain for a place in the caller's scope; WRONG_KIND above an estate."""
    start = await get_place(session, actor, key, "place")
    if PlaceKind(start.kind) not in STARTS:
        raise fail(
            "place",
            f"{start.code!r} is a {start.kind}; give a household, a building or an estate",
            ErrorCode.WRONG_KIND,
            "CHAIN_PLACE_KIND",
            code=start.code,
            kind=start.kind,
        )
    rows = (
        await session.execute(select(*PLACE_COLUMNS).where(Place.id.in_(ids_of(start.path))))
    ).all()
    by_kind = {r.kind: r for r in rows}
    estate = by_kind.get(PlaceKind.ESTATE.value)
    community = by_kind.get(PlaceKind.COMMUNITY.value)
    subdistrict = by_kind.get(PlaceKind.SUBDISTRICT.value)
    if estate is None or community is None or subdistrict is None:
        raise fail(
            "place", f"{start.code!r} lies in no estate of a community", ErrorCode.WRONG_KIND,
            "NO_ESTATE_ABOVE", code=start.code,
        )  # fmt: skip
    household = by_kind.get(PlaceKind.HOUSEHOLD.value)
    building = by_kind.get(PlaceKind.BUILDING.value)
    pairs = await _pairings(session, household, estate, community)
    offices = await _offices(session, [r for r in (building, estate, community, subdistrict) if r])

    duties: dict[str, dict[Hashable, Hashable]] = {k: {} for k in (
        "contacts", "group_leaders", "branch_secretaries", "community_secretaries",
        "estate_leaders", "community_leaders", "working_committee_secretaries",
    )}  # fmt: skip
    holders: dict[str, Organisation] = {}
    if household is not None and (household.id, PairingKind.HOUSEHOLD_CONTACT.value) in pairs:
        duties["contacts"][household.code] = pairs[
            (household.id, PairingKind.HOUSEHOLD_CONTACT.value)
        ]
    group = None
    if building is not None:
        group = _holder(offices, building.id, BUILDING_COVERING_KINDS, OfficeRole.GROUP_LEADER)
        _fill(duties["group_leaders"], holders, "building group leader", building.code, group)
    branch = _holder(
        offices, estate.id, ESTATE_COVERING_KINDS, OfficeRole.SECRETARY,
        prefer=group[0].parent_id if group else None,
    )  # fmt: skip
    _fill(duties["branch_secretaries"], holders, "branch secretary", estate.code, branch)
    committee = _holder(offices, community.id, COMMUNITY_TERM_KINDS, OfficeRole.SECRETARY)
    _fill(
        duties["community_secretaries"], holders, "community secretary", community.code, committee
    )
    working = _holder(
        offices, subdistrict.id, frozenset({OrgKind.WORKING_COMMITTEE}), OfficeRole.SECRETARY
    )
    _fill(
        duties["working_committee_secretaries"], holders, "working committee secretary",
        subdistrict.code, working,
    )  # fmt: skip
    for place, name in ((estate, "estate_leaders"), (community, "community_leaders")):
        if (place.id, PairingKind.LEADER.value) in pairs:
            duties[name][place.code] = pairs[(place.id, PairingKind.LEADER.value)]
    links = responsibility_chain(
        PlaceAncestry(
            subdistrict.code, community.code, estate.code,
            building.code if building else None, household.code if household else None,
        ),
        Responsibilities(**duties),
    )  # fmt: skip
    people = await _members(session, actor, [link.person_id for link in links])
    places = {r.code: r for r in rows}
    return [_link(link, places, holders, people) for link in links]


def _link(
    link: Link,
    places: dict[str, AnyRow],
    holders: dict[str, Organisation],
    people: dict[int, tuple[Member, bool]],
) -> ChainLink:
    code = link.place.split(" ", 1)[1]
    person = people.get(link.person_id) if isinstance(link.person_id, int) else None
    visible = person is not None and person[1]
    return ChainLink(
        role=link.role,
        place=places[code],
        organisation=holders.get(link.role),
        member=person[0] if person and visible else None,
        hidden=person is not None and not visible,
        gap=link.gap,
    )


def _fill(
    duty: dict[Hashable, Hashable],
    holders: dict[str, Organisation],
    role: str,
    place_code: str,
    found: tuple[Organisation, int | None] | None,
) -> None:
    if found is None:
        return
    holders[role] = found[0]
    if found[1] is not None:
        duty[place_code] = found[1]


OfficeMap = dict[int, list[tuple[Organisation, str, int]]]  # place id -> (org, role, member)


def _holder(
    offices: OfficeMap,
    place_id: int,
    kinds: frozenset[OrgKind],
    role: OfficeRole,
    prefer: int | None = None,
) -> tuple[Organisation, int | None] | None:
    """The organisation of `kinds` covering the place (`prefer` first, then those with a holder
    of `role`, by code) and the holder, if any."""
    orgs: dict[int, Organisation] = {}
    holder: dict[int, int] = {}
    for org, office_role, member_id in offices.get(place_id, []):
        if OrgKind(org.kind) not in kinds:
            continue
        orgs[org.id] = org
        if office_role == role.value and org.id not in holder:
            holder[org.id] = member_id
    if not orgs:
        return None
    best = min(
        orgs.values(),
        key=lambda o: (o.id != prefer, o.id not in holder, o.code),
    )
    return best, holder.get(best.id)


async def _pairings(
    session: AsyncSession, household: AnyRow | None, estate: AnyRow, community: AnyRow
) -> dict[tuple[int, str], int]:
    """(place id, kind) -> member id of the earliest current pairing, for the chain's places."""
    ids = [r.id for r in (household, estate, community) if r is not None]
    rows = await session.execute(
        select(Pairing.place_id, Pairing.kind, Pairing.member_id)
        .where(Pairing.place_id.in_(ids), Pairing.end.is_(None))
        .where(one_of(Pairing.kind, (PairingKind.HOUSEHOLD_CONTACT, PairingKind.LEADER)))
        .order_by(Pairing.id.desc())
    )
    return {(place_id, kind): member_id for place_id, kind, member_id in rows}


async def _offices(session: AsyncSession, places: Iterable[AnyRow]) -> OfficeMap:
    """Active organisations covering the places, each with its current offices (one statement;
    an organisation with no current office comes once with role '')."""
    ids = [r.id for r in places]
    rows = await session.execute(
        select(Coverage.place_id, Organisation, Office.role, Office.member_id)
        .join(Organisation, Organisation.id == Coverage.organisation_id)
        .outerjoin(
            Office,
            (Office.organisation_id == Organisation.id) & Office.end.is_(None),
        )
        .where(Coverage.place_id.in_(ids), Coverage.end.is_(None))
        .where(Organisation.status == OrgStatus.ACTIVE.value)
        .order_by(Office.id)
    )
    found: OfficeMap = {}
    for place_id, org, role, member_id in rows:
        found.setdefault(place_id, []).append((org, role or "", member_id))
    return found


async def _members(
    session: AsyncSession, actor: Actor, ids: Iterable[Any]
) -> dict[int, tuple[Member, bool]]:
    """Member rows by id, each with whether the caller may see them."""
    wanted = sorted({i for i in ids if isinstance(i, int)})
    if not wanted:
        return {}
    rows = list(await session.scalars(select(Member).where(Member.id.in_(wanted))))
    visible = {m.id for m in rows}
    if not actor.unscoped:
        visible = set(
            await session.scalars(
                select(Member.id).where(Member.id.in_(wanted), actor.member_clause())
            )
        )
    return {m.id: (m, m.id in visible) for m in rows}
