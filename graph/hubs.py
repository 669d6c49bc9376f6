"""Hub households (党员中心户): member households that each link a few neighbouring households.

A hub is a household where a member lives. Its *reach* is the households it can link: its own
unit first, then (if `building_wide`) the rest of its building, at most `max_reach` households
including itself. Hubs are chosen per building by greedy set cover: repeatedly the candidate that
links the most still-unreached households (ties: more of them in its own unit, then lower id).
Greedy set cover is within a factor ln(max_reach) + 1 of the fewest hubs. Cost: per building
O(hubs chosen x candidates x households of the building).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from graph.model import Household, Id, Member, Reason, reason, sort_key


@dataclass(frozen=True, slots=True)
class Hub:
    household_id: Id
    member_id: Id
    building_id: Id
    reach: tuple[Id, ...]  # households linked, the hub's own first when it was unreached


@dataclass(frozen=True, slots=True)
class Unreached:
    household_id: Id
    reason: Reason


@dataclass(frozen=True, slots=True)
class HubPlan:
    hubs: tuple[Hub, ...]
    unreached: tuple[Unreached, ...]


def choose_hubs(
    households: Iterable[Household],
    members: Iterable[Member],
    max_reach: int = 10,
    building_wide: bool = True,
    preferred: Collection[Id] = frozenset(),
) -> HubPlan:
    """Choose hub households so every household is in one hub's reach, where possible.

    `preferred` household ids (e.g. today's hubs) win ties on households linked, for stability.
    """
    households = sorted(households, key=lambda h: sort_key(h.id))
    host: dict[Id, Id] = {}  # household -> the member (lowest id) who makes it a hub
    for m in sorted(members, key=lambda m: sort_key(m.id)):
        if m.home_household_id is not None:
            host.setdefault(m.home_household_id, m.id)
    by_building: dict[Id, list[Household]] = defaultdict(list)
    for h in households:
        by_building[h.building_id].append(h)
    hubs: list[Hub] = []
    unreached: list[Unreached] = []
    for b in sorted(by_building, key=sort_key):
        got, missed = _cover_building(
            by_building[b], host, max_reach, building_wide, frozenset(preferred)
        )
        hubs += got
        unreached += missed
    return HubPlan(tuple(hubs), tuple(unreached))


def _cover_building(
    households: list[Household],
    host: dict[Id, Id],
    max_reach: int,
    building_wide: bool,
    preferred: frozenset[Id] = frozenset(),
) -> tuple[list[Hub], list[Unreached]]:
    candidates = [h for h in households if h.id in host]
    left = {h.id for h in households}
    hubs: list[Hub] = []

    def reach(hub: Household) -> list[Id]:
        own = [hub.id] if hub.id in left else []
        unit = [h.id for h in households if h.unit_id == hub.unit_id and h.id in left]
        rest = [h.id for h in households if h.unit_id != hub.unit_id and h.id in left]
        ordered = own + [x for x in unit if x != hub.id] + (rest if building_wide else [])
        return ordered[: max(max_reach, 0)]

    while left and candidates:
        options = [(hub, reach(hub)) for hub in candidates]
        # max() keeps the first of equals, and candidates are in id order: lowest id wins ties.
        hub, linked = max(
            options,
            key=lambda o: (
                len(o[1]),
                o[0].id in preferred,
                _same_unit(o[0], o[1], households),
            ),
        )
        if not linked:
            break
        hubs.append(Hub(hub.id, host[hub.id], hub.building_id, tuple(linked)))
        left -= set(linked)
        candidates.remove(hub)

    hosted_units = {h.unit_id for h in households if h.id in host}

    def why(h: Household) -> Reason:
        if not hosted_units:
            return reason("NO_MEMBER_IN_BUILDING", building=h.building_id)
        if not building_wide and h.unit_id not in hosted_units:
            return reason("NO_MEMBER_IN_UNIT", unit=h.unit_id, building=h.building_id)
        return reason("HUBS_FULL", households=max_reach)

    return hubs, [Unreached(h.id, why(h)) for h in households if h.id in left]


def _same_unit(hub: Household, linked: list[Id], households: list[Household]) -> int:
    chosen = set(linked)
    return sum(1 for h in households if h.id in chosen and h.unit_id == hub.unit_id)
