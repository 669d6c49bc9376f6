"""Household contact pairing (党员联系户) as an aggregated min-cost flow.

Each member takes at most k households, each household gets at most one contact member.
Maximise the households paired, then minimise the total distance cost

    same unit 1 < same building 2 < neighbouring building 3 < same estate 4,

and never pair across estates. Existing pairings are kept unless the optimum needs them changed.

Why aggregation is exact: a household's cost to a member depends only on its unit, so households
of one unit are interchangeable. The flow network per estate is

    source -> member -> {own unit U, own building B, neighbour buildings B, estate E}
    E -> every building B -> its units U -> sink

with the distance cost on the member's arc only. Every member-to-household route costs at least
the true distance and the cheapest route costs exactly it, so the flow optimum is the
household-level optimum. Stability: if member m visits c households of unit u today, a
parallel arc m -> U(u) of capacity c costs one unit less (on costs scaled by M = existing
pairings in the estate + 1, so the bonus breaks ties but never outweighs one unit of distance).
Since which households of a unit a member takes is free, m is then handed today's households
first, so the discount counts kept pairings exactly.

Cost: per estate, O(members x (3 + neighbours) + buildings + units + kept (member, unit) groups)
arcs and a few hundred nodes, solved by networkx's network simplex. Measured
(benchmarks.graph_solvers) on one estate of 1,224 households and 126 members, k = 10: about
20 ms from scratch, 30 ms when re-run on its own proposal, 60 ms when every existing pairing
is scattered at random.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.model import Building, Household, Id, Member, Pairing, Reason, reason, sort_key

SAME_UNIT = 1
SAME_BUILDING = 2
NEIGHBOURING_BUILDING = 3
SAME_ESTATE = 4

# The reason code of each distance.
RELATION: dict[int, str] = {
    SAME_UNIT: "SAME_UNIT",
    SAME_BUILDING: "SAME_BUILDING",
    NEIGHBOURING_BUILDING: "NEIGHBOURING_BUILDING",
    SAME_ESTATE: "SAME_ESTATE",
}


@dataclass(frozen=True, slots=True)
class ProposedPairing:
    """One pairing of the proposal; `relation` is a distance's code (SAME_UNIT, ...), and
    `explanation` that distance and whether the pairing is kept, e.g. SAME_UNIT; KEPT."""

    member_id: Id
    household_id: Id
    cost: int
    relation: str
    kept: bool

    @property
    def explanation(self) -> tuple[Reason, ...]:
        return (reason(self.relation), reason("KEPT" if self.kept else "NEW"))


@dataclass(frozen=True, slots=True)
class UnpairedHousehold:
    """A household the proposal leaves without a contact member, and why."""

    household_id: Id
    estate_id: Id
    reason: Reason


@dataclass(frozen=True, slots=True)
class RemovedPairing:
    """An existing pairing the proposal drops; `new_member_id` is who takes the household over."""

    member_id: Id
    household_id: Id
    reason: Reason
    new_member_id: Id | None = None


@dataclass(frozen=True, slots=True)
class ContactProposal:
    """Result of `propose_contacts`: pairings by household id, gaps and the change against today."""

    pairings: tuple[ProposedPairing, ...]
    unpaired: tuple[UnpairedHousehold, ...]
    removals: tuple[RemovedPairing, ...]
    kept: int
    added: int
    total_cost: int

    @property
    def removed(self) -> int:
        return len(self.removals)

    def as_pairings(self) -> tuple[Pairing, ...]:
        """The proposal as plain pairings, e.g. to feed back in as `existing_pairings`."""
        return tuple(Pairing(p.member_id, p.household_id) for p in self.pairings)


def neighbour_map(buildings: Iterable[Building]) -> dict[Id, frozenset[Id]]:
    """Symmetric neighbour sets: b and c are neighbours if either lists the other. O(arcs)."""
    result: dict[Id, set[Id]] = defaultdict(set)
    for b in buildings:
        for n in b.neighbours:
            if n != b.id:
                result[b.id].add(n)
                result[n].add(b.id)
    return {b: frozenset(ns) for b, ns in result.items()}


def contact_cost(
    member: Member, household: Household, neighbours: Mapping[Id, frozenset[Id]]
) -> int | None:
    """Distance cost 1..4 between a member's home and a household; None across estates. O(1).

    A home unit counts only together with the home building (unit ids may repeat per building).
    """
    if member.estate_id is None or member.estate_id != household.estate_id:
        return None
    home = member.home_building_id
    if home is None:
        return SAME_ESTATE
    if home == household.building_id:
        return SAME_UNIT if member.home_unit_id == household.unit_id else SAME_BUILDING
    if household.building_id in neighbours.get(home, frozenset()):
        return NEIGHBOURING_BUILDING
    return SAME_ESTATE


def propose_contacts(
    households: Iterable[Household],
    buildings: Iterable[Building],
    members: Iterable[Member],
    capacity_k: int,
    existing_pairings: Iterable[Pairing] = (),
) -> ContactProposal:
    """Propose household contacts: most households paired, least distance, fewest changes.

    `capacity_k` is the households per member for the scope; a member's `contact_capacity`
    overrides it. Existing pairings that no longer make sense (unknown member or household,
    member serving another estate, second pairing of a household) are removed with a reason
    before solving. Deterministic: same input, same output. Cost: one small network simplex per
    estate (see module docstring).
    """
    households = sorted(households, key=lambda h: sort_key(h.id))
    members = sorted(members, key=lambda m: sort_key(m.id))
    neighbours = neighbour_map(buildings)
    capacity = {m.id: _capacity(m, capacity_k) for m in members}
    existing, removals = _valid_existing(households, members, existing_pairings)

    by_estate: dict[Id, list[Household]] = defaultdict(list)
    for h in households:
        by_estate[h.estate_id].append(h)
    members_by_estate: dict[Id, list[Member]] = defaultdict(list)
    for m in members:
        if m.estate_id is not None and capacity[m.id] > 0:
            members_by_estate[m.estate_id].append(m)

    chosen: dict[Id, Member] = {}  # household id -> contact member
    unpaired: list[UnpairedHousehold] = []
    member_by_id = {m.id: m for m in members}
    for estate_id in sorted(by_estate, key=sort_key):
        estate_households = by_estate[estate_id]
        estate_members = members_by_estate.get(estate_id, [])
        solved = _solve_estate(estate_households, estate_members, capacity, neighbours, existing)
        for hid, mid in solved.items():
            chosen[hid] = member_by_id[mid]
        why = _unpaired_reason(estate_id, estate_members, capacity)
        unpaired += [
            UnpairedHousehold(h.id, estate_id, why) for h in estate_households if h.id not in solved
        ]

    pairings: list[ProposedPairing] = []
    for h in households:
        contact = chosen.get(h.id)
        if contact is None:
            continue
        cost = contact_cost(contact, h, neighbours)
        assert cost is not None  # the network has no cross-estate arcs
        pairings.append(
            ProposedPairing(
                contact.id, h.id, cost, RELATION[cost], existing.get(h.id) == contact.id
            )
        )

    household_by_id = {h.id: h for h in households}
    for hid, old in sorted(existing.items(), key=lambda kv: sort_key(kv[0])):
        new = chosen.get(hid)
        if new is None or new.id != old:
            removals.append(
                _removal(member_by_id[old], household_by_id[hid], new, capacity, neighbours)
            )
    kept = sum(p.kept for p in pairings)
    return ContactProposal(
        pairings=tuple(pairings),
        unpaired=tuple(unpaired),
        removals=tuple(removals),
        kept=kept,
        added=len(pairings) - kept,
        total_cost=sum(p.cost for p in pairings),
    )


def _capacity(member: Member, capacity_k: int) -> int:
    cap = capacity_k if member.contact_capacity is None else member.contact_capacity
    return max(cap, 0)


def _valid_existing(
    households: Sequence[Household], members: Sequence[Member], pairings: Iterable[Pairing]
) -> tuple[dict[Id, Id], list[RemovedPairing]]:
    """Split existing pairings into usable ones (household -> member) and removals with reasons."""
    household_by_id = {h.id: h for h in households}
    member_by_id = {m.id: m for m in members}
    usable: dict[Id, Id] = {}
    removals: list[RemovedPairing] = []
    ordered = sorted(pairings, key=lambda p: (sort_key(p.household_id), sort_key(p.member_id)))
    for p in ordered:
        h = household_by_id.get(p.household_id)
        m = member_by_id.get(p.member_id)
        if h is None:
            why = reason("HOUSEHOLD_GONE")
        elif m is None:
            why = reason("MEMBER_GONE")
        elif m.estate_id != h.estate_id:
            why = reason("MEMBER_LEFT_ESTATE", estate=h.estate_id)
        elif h.id in usable:
            why = reason("HOUSEHOLD_HAS_CONTACT", member=usable[h.id])
        else:
            usable[h.id] = m.id
            continue
        removals.append(RemovedPairing(p.member_id, p.household_id, why))
    return usable, removals


def _unpaired_reason(
    estate_id: Id, members: Sequence[Member], capacity: Mapping[Id, int]
) -> Reason:
    if not members:
        return reason("NO_MEMBER_SERVES_ESTATE", estate=estate_id)
    total = sum(capacity[m.id] for m in members)
    return reason("ESTATE_MEMBERS_FULL", estate=estate_id, members=len(members), households=total)


def _removal(
    old: Member,
    household: Household,
    new: Member | None,
    capacity: Mapping[Id, int],
    neighbours: Mapping[Id, frozenset[Id]],
) -> RemovedPairing:
    """Say why the optimum moved a household away from its current contact member."""
    old_cost = contact_cost(old, household, neighbours)
    assert old_cost is not None  # cross-estate pairings were removed before solving
    if capacity[old.id] == 0:
        why = reason("MEMBER_TAKES_NONE", member=old.id)
    elif new is None:
        why = reason("MEMBER_NEEDED_CLOSER", member=old.id)
    else:
        new_cost = contact_cost(new, household, neighbours)
        assert new_cost is not None
        if new_cost < old_cost:
            why = reason(
                "CLOSER_MEMBER", member=new.id, relation=RELATION[new_cost], was=RELATION[old_cost]
            )
        else:
            why = reason(
                "MEMBER_NEEDED_TAKEN_OVER", member=old.id, by=new.id, relation=RELATION[new_cost]
            )
    return RemovedPairing(old.id, household.id, why, None if new is None else new.id)


def _solve_estate(
    households: Sequence[Household],
    members: Sequence[Member],
    capacity: Mapping[Id, int],
    neighbours: Mapping[Id, frozenset[Id]],
    existing: Mapping[Id, Id],
) -> dict[Id, Id]:
    """Optimal household -> member map for one estate (households and members sorted by id)."""
    if not households or not members:
        return {}
    member_by_id = {m.id: m for m in members}
    unit_households: dict[tuple[Id, Id], list[Id]] = defaultdict(list)
    units_of: dict[Id, list[tuple[Id, Id]]] = defaultdict(list)
    own: dict[tuple[Id, tuple[Id, Id]], list[Id]] = defaultdict(list)  # (member, unit) -> today's
    sample: dict[tuple[Id, Id], Household] = {}
    for h in households:
        unit = (h.building_id, h.unit_id)
        if unit not in sample:
            sample[unit] = h
            units_of[h.building_id].append(unit)
        unit_households[unit].append(h.id)
        if existing.get(h.id) in member_by_id:
            own[(existing[h.id], unit)].append(h.id)

    scale = sum(len(v) for v in own.values()) + 1
    flow_total = min(sum(capacity[m.id] for m in members), len(households))
    # A multigraph, so a member's discounted arc into a unit can run parallel to its plain one.
    g = nx.MultiDiGraph()
    g.add_node("s", demand=-flow_total)
    g.add_node("t", demand=flow_total)
    for b, b_units in units_of.items():
        g.add_edge("E", ("B", b), weight=0)
        for unit in b_units:
            g.add_edge(("B", b), ("U", unit), weight=0)
            g.add_edge(("U", unit), "t", weight=0, capacity=len(unit_households[unit]))
    for m in members:
        node = ("M", m.id)
        g.add_edge("s", node, weight=0, capacity=capacity[m.id])
        g.add_edge(node, "E", weight=scale * SAME_ESTATE)
        home = m.home_building_id
        if home in units_of:
            g.add_edge(node, ("B", home), weight=scale * SAME_BUILDING)
            if (home, m.home_unit_id) in sample:
                g.add_edge(node, ("U", (home, m.home_unit_id)), weight=scale * SAME_UNIT)
        if home is not None:
            for n in sorted(neighbours.get(home, ()), key=sort_key):
                if n in units_of and n != home:
                    g.add_edge(node, ("B", n), weight=scale * NEIGHBOURING_BUILDING)
    # Stability: up to c households of unit u at one unit less for the member who visits c of
    # them today. Which households of a unit a member takes is free, so the member can always
    # be given today's households first: the discount is exact without a node per household.
    for (mid, unit), hids in own.items():
        cost = contact_cost(member_by_id[mid], sample[unit], neighbours)
        assert cost is not None
        g.add_edge(("M", mid), ("U", unit), weight=scale * cost - 1, capacity=len(hids))
    _, flow = nx.network_simplex(g)
    return _hand_out(members, flow, unit_households, own)


def _hand_out(
    members: Sequence[Member],
    flow: dict[Any, dict[Any, dict[Any, int]]],
    unit_households: Mapping[tuple[Id, Id], list[Id]],
    own: Mapping[tuple[Id, tuple[Id, Id]], list[Id]],
) -> dict[Id, Id]:
    """Decompose the aggregated flow into member -> unit counts, then hand out households.

    The network is acyclic, so following positive flow from a member always reaches the sink;
    any decomposition of an optimal flow is optimal (each route costs at least the true distance
    and the total already equals the optimum). In each unit every taker first gets the
    households they visit today, then the rest go out in id order to takers in id order.
    """
    taken: dict[tuple[Id, Id], dict[Id, int]] = defaultdict(lambda: defaultdict(int))
    for m in members:
        node = ("M", m.id)
        remaining = sum(flow["s"].get(node, {}).values())
        while remaining > 0:
            path: list[Any] = [node]  # ("M", id), ("U", unit), ... "t"
            keys = []
            amount = remaining
            while path[-1] != "t":
                here = path[-1]
                nxt, key = next(
                    (v, k) for v, arcs in flow[here].items() for k, f in arcs.items() if f > 0
                )
                amount = min(amount, flow[here][nxt][key])
                path.append(nxt)
                keys.append(key)
            for u, v, key in zip(path, path[1:], keys, strict=False):
                flow[u][v][key] -= amount
            remaining -= amount
            taken[path[-2][1]][m.id] += amount

    result: dict[Id, Id] = {}
    for unit, counts in taken.items():
        left = dict(counts)
        for mid in sorted(counts, key=sort_key):
            for hid in own.get((mid, unit), [])[: left[mid]]:
                result[hid] = mid
                left[mid] -= 1
        pool = (hid for hid in unit_households[unit] if hid not in result)
        for mid in sorted(counts, key=sort_key):
            for _ in range(left[mid]):
                result[next(pool)] = mid
    return result
