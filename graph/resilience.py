"""Single points of failure: coverage that hangs on one member, and what one departure breaks.

Coverage comes in as plain maps, target id -> ids of the members covering it (for a building:
its residents, its group's members, whoever the caller counts; for a household: its contact
member, its hub household's member, ...). All functions are linear in the size of the maps, plus
the re-pairing / re-mobilisation they propose.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from graph.contacts import ContactProposal, propose_contacts
from graph.mobilise import MobilisationPlan, mobilise
from graph.model import Building, Household, Id, Member, Pairing, Task, sort_key


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """`target_id` is covered by `member_id` and nobody else."""

    target_id: Id
    member_id: Id


@dataclass(frozen=True, slots=True)
class SinglePoints:
    buildings: tuple[SinglePoint, ...]
    households: tuple[SinglePoint, ...]


@dataclass(frozen=True, slots=True)
class LeaveImpact:
    """What loses coverage when `member_id` leaves, and a proposal to cover it again.

    `contacts` pairs only the orphaned households, with members' spare capacity, so no other
    pairing moves; `buildings` mobilises a lead for each building left without cover.
    """

    member_id: Id
    buildings_losing_cover: tuple[Id, ...]
    households_losing_contact: tuple[Id, ...]
    contacts: ContactProposal
    buildings: MobilisationPlan


def single_points(cover: Mapping[Id, Collection[Id]]) -> tuple[SinglePoint, ...]:
    """Targets covered by exactly one member, in id order. O(sum of cover sizes)."""
    return tuple(
        SinglePoint(target, next(iter(set(members))))
        for target, members in sorted(cover.items(), key=lambda kv: sort_key(kv[0]))
        if len(set(members)) == 1
    )


def single_points_of_failure(
    building_cover: Mapping[Id, Collection[Id]], household_cover: Mapping[Id, Collection[Id]]
) -> SinglePoints:
    """Buildings and households whose coverage hangs on one member."""
    return SinglePoints(single_points(building_cover), single_points(household_cover))


def losses(member_id: Id, cover: Mapping[Id, Collection[Id]]) -> tuple[Id, ...]:
    """Targets left with no cover at all if `member_id` leaves, in id order."""
    return tuple(
        sorted(
            (t for t, ms in cover.items() if member_id in ms and not set(ms) - {member_id}),
            key=sort_key,
        )
    )


def if_member_leaves(
    member_id: Id,
    households: Iterable[Household],
    buildings: Iterable[Building],
    members: Iterable[Member],
    capacity_k: int,
    pairings: Iterable[Pairing],
    building_cover: Mapping[Id, Collection[Id]],
) -> LeaveImpact:
    """Impact of `member_id` leaving: buildings and households that lose cover, re-cover plan.

    Contacts: the leaver's households are re-paired by `propose_contacts` among the remaining
    members, each limited to their spare capacity (k minus households they visit today).
    Buildings: `mobilise` a lead for each building that loses its only cover.
    """
    households, buildings = list(households), list(buildings)
    pairings = list(pairings)
    stayers = [m for m in members if m.id != member_id]
    orphaned = {p.household_id for p in pairings if p.member_id == member_id}
    load = Counter(p.member_id for p in pairings if p.member_id != member_id)
    spare = [
        dataclasses.replace(
            m,
            contact_capacity=max(
                (capacity_k if m.contact_capacity is None else m.contact_capacity) - load[m.id], 0
            ),
        )
        for m in stayers
    ]
    orphans = [h for h in households if h.id in orphaned]
    lost_buildings = losses(member_id, building_cover)
    task = Task(id=f"re-cover after {member_id}", building_ids=lost_buildings)
    return LeaveImpact(
        member_id=member_id,
        buildings_losing_cover=lost_buildings,
        households_losing_contact=tuple(
            h.id for h in sorted(orphans, key=lambda h: sort_key(h.id))
        ),
        contacts=propose_contacts(orphans, buildings, spare, capacity_k),
        buildings=mobilise(task, buildings, stayers),
    )
