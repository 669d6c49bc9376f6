"""Household contact pairing: hand-made cases and an exact household-level cross-check."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from graph.contacts import propose_contacts
from graph.model import Building, Household, Member, Pairing, reason


def _estate() -> tuple[list[Household], list[Building]]:
    """Estate 'E': buildings 1 and 2 are neighbours, 3 stands apart; two units of two each."""
    buildings = [
        Building(1, "E", frozenset({2})),
        Building(2, "E"),
        Building(3, "E"),
    ]
    households = [
        Household(b * 100 + u * 10 + i, u, b, "E")
        for b in (1, 2, 3)
        for u in (1, 2)
        for i in (1, 2)
    ]
    return households, buildings


def test_given_one_member_with_room_when_proposed_then_nearest_households_first() -> None:
    households, buildings = _estate()
    member = Member("m", "E", home_unit_id=1, home_building_id=1)

    proposal = propose_contacts(households, buildings, [member], capacity_k=5)

    by_household = {p.household_id: p for p in proposal.pairings}
    assert [by_household[h].relation for h in (111, 112)] == ["SAME_UNIT"] * 2
    assert [by_household[h].relation for h in (121, 122)] == ["SAME_BUILDING"] * 2
    assert by_household[211].relation == "NEIGHBOURING_BUILDING"  # neighbours are symmetric
    assert len(proposal.pairings) == 5
    assert proposal.total_cost == 1 + 1 + 2 + 2 + 3
    assert len(proposal.unpaired) == 12 - 5
    assert proposal.unpaired[0].reason == reason(
        "ESTATE_MEMBERS_FULL", estate="E", members=1, households=5
    )


def test_given_two_members_when_capacity_is_tight_then_each_takes_own_unit() -> None:
    households, buildings = _estate()
    a = Member("a", "E", home_unit_id=1, home_building_id=3)
    b = Member("b", "E", home_unit_id=2, home_building_id=3)

    proposal = propose_contacts(households, buildings, [a, b], capacity_k=2)

    assert {(p.member_id, p.household_id) for p in proposal.pairings} == {
        ("a", 311),
        ("a", 312),
        ("b", 321),
        ("b", 322),
    }
    assert proposal.total_cost == 4
    assert all(p.explanation == (reason("SAME_UNIT"), reason("NEW")) for p in proposal.pairings)


def test_given_no_member_in_estate_when_proposed_then_household_unpaired_with_reason() -> None:
    households, buildings = _estate()
    elsewhere = Member("x", "F", home_building_id=9)

    proposal = propose_contacts(households, buildings, [elsewhere], capacity_k=10)

    assert proposal.pairings == ()
    assert {u.reason for u in proposal.unpaired} == {reason("NO_MEMBER_SERVES_ESTATE", estate="E")}


def test_given_existing_pairings_that_are_optimal_then_all_are_kept() -> None:
    households, buildings = _estate()
    a = Member("a", "E", home_unit_id=1, home_building_id=3)
    b = Member("b", "E", home_unit_id=2, home_building_id=3)
    # Either member may visit households of building 1 at the same cost: today's choice stays.
    existing = [Pairing("b", 111), Pairing("b", 112), Pairing("a", 121)]

    proposal = propose_contacts(households, buildings, [a, b], 5, existing)

    pairs = {(p.member_id, p.household_id) for p in proposal.pairings}
    assert {("b", 111), ("b", 112), ("a", 121)} <= pairs
    assert proposal.kept == 3 and proposal.removed == 0
    assert proposal.added == 7


def test_given_existing_far_pairing_when_a_closer_member_has_room_then_it_moves() -> None:
    households, buildings = _estate()
    far = Member("far", "E", home_unit_id=1, home_building_id=3)
    near = Member("near", "E", home_unit_id=1, home_building_id=1)

    proposal = propose_contacts(households[:1], buildings, [far, near], 1, [Pairing("far", 111)])

    assert [(p.member_id, p.household_id) for p in proposal.pairings] == [("near", 111)]
    (removal,) = proposal.removals
    assert removal.member_id == "far" and removal.new_member_id == "near"
    assert removal.reason == reason(
        "CLOSER_MEMBER", member="near", relation="SAME_UNIT", was="SAME_ESTATE"
    )


def test_given_invalid_existing_pairings_then_they_are_removed_with_reasons() -> None:
    households, buildings = _estate()
    a = Member("a", "E", home_unit_id=1, home_building_id=1)
    moved = Member("moved", "F")
    existing = [Pairing("a", 999), Pairing("gone", 111), Pairing("moved", 112)]

    proposal = propose_contacts(households, buildings, [a, moved], 2, existing)

    reasons = {r.member_id: r.reason for r in proposal.removals}
    assert reasons == {
        "a": reason("HOUSEHOLD_GONE"),
        "gone": reason("MEMBER_GONE"),
        "moved": reason("MEMBER_LEFT_ESTATE", estate="E"),
    }


def test_given_a_member_over_capacity_then_the_optimum_decides_what_is_released() -> None:
    households, buildings = _estate()
    a = Member("a", "E", home_unit_id=1, home_building_id=1, contact_capacity=2)
    existing = [Pairing("a", 111), Pairing("a", 311), Pairing("a", 121)]

    proposal = propose_contacts(households, buildings, [a], 10, existing)

    # Two same-unit households (cost 1 + 1) beat keeping 121 (same building, cost 2).
    assert [(p.household_id, p.explanation) for p in proposal.pairings] == [
        (111, (reason("SAME_UNIT"), reason("KEPT"))),
        (112, (reason("SAME_UNIT"), reason("NEW"))),
    ]
    assert [r.household_id for r in proposal.removals] == [121, 311]
    assert (proposal.kept, proposal.added, proposal.removed) == (1, 1, 2)


# ---------------------------------------------------------------- exact cross-check


def _true_cost(m: Member, h: Household, buildings: list[Building]) -> int | None:
    """Household-level distance, written independently of graph.contacts."""
    if m.estate_id is None or m.estate_id != h.estate_id:
        return None
    if m.home_building_id == h.building_id and m.home_unit_id == h.unit_id:
        return 1
    if m.home_building_id == h.building_id:
        return 2
    adjacent = {(b.id, n) for b in buildings for n in b.neighbours} | {
        (n, b.id) for b in buildings for n in b.neighbours
    }
    if m.home_building_id is not None and (m.home_building_id, h.building_id) in adjacent:
        return 3
    return 4


def _exact(households, buildings, members, k, existing) -> tuple[int, int, int]:
    """(paired, scaled cost) by linear_sum_assignment: each member repeated k times, one
    'unpaired' column per household, forbidden arcs priced out."""
    by_member = {m.id: m for m in members}
    by_household = {h.id: h for h in households}
    owner = {}  # usable existing pairings: same estate, first member id per household
    for p in sorted(existing, key=lambda p: (p.household_id, p.member_id)):
        m, h = by_member.get(p.member_id), by_household.get(p.household_id)
        if m and h and m.estate_id == h.estate_id:
            owner.setdefault(h.id, m.id)
    slots = [
        m for m in members for _ in range(k if m.contact_capacity is None else m.contact_capacity)
    ]
    n = len(households)
    if n == 0:
        return 0, 0, 0
    scale = n + 1
    unpaired = (4 * scale + 1) * (n + 1)
    forbidden = unpaired * 10
    cost = np.full((n, len(slots) + n), forbidden, dtype=np.int64)
    for i, h in enumerate(households):
        for j, m in enumerate(slots):
            c = _true_cost(m, h, buildings)
            if c is not None:
                cost[i, j] = scale * c - (owner.get(h.id) == m.id)
        cost[i, len(slots) + i] = unpaired
    rows, cols = linear_sum_assignment(cost)
    paired = [(r, c) for r, c in zip(rows, cols, strict=True) if c < len(slots)]
    primary = sum(_true_cost(slots[c], households[r], buildings) for r, c in paired)
    kept = sum(owner.get(households[r].id) == slots[c].id for r, c in paired)
    return len(paired), primary, kept


@st.composite
def _instances(draw):
    buildings, households = [], []
    estates = draw(st.integers(1, 2))
    for e in range(estates):
        ids = [f"{e}-{b}" for b in range(draw(st.integers(1, 4)))]
        for b in ids:
            neighbours = draw(st.sets(st.sampled_from(ids), max_size=2)) - {b}
            buildings.append(Building(b, e, frozenset(neighbours)))
            for u in range(draw(st.integers(1, 2))):
                for _ in range(draw(st.integers(0, 4))):
                    households.append(Household(len(households), u, b, e))
    members = []
    for i in range(draw(st.integers(0, 6))):
        b = draw(st.sampled_from(buildings))
        members.append(
            Member(
                i,
                estate_id=draw(st.sampled_from([b.estate_id, b.estate_id, None])),
                home_unit_id=draw(st.integers(0, 1)),
                home_building_id=draw(st.sampled_from([b.id, b.id, None])),
                contact_capacity=draw(st.sampled_from([None, None, 0, 1, 3])),
            )
        )
    k = draw(st.integers(1, 3))
    existing = []
    if members and households:
        existing = draw(
            st.lists(
                st.builds(
                    Pairing,
                    st.sampled_from([m.id for m in members]),
                    st.sampled_from([h.id for h in households]),
                ),
                max_size=8,
            )
        )
    return households, buildings, members, k, existing


@settings(max_examples=250, deadline=None)
@given(_instances())
def test_proposal_is_the_household_level_optimum_and_stable(instance) -> None:
    households, buildings, members, k, existing = instance

    proposal = propose_contacts(households, buildings, members, k, existing)

    # Exact: same count paired and same distance as the expanded assignment problem; and as many
    # existing pairings kept as any optimum can keep.
    paired, primary, kept = _exact(households, buildings, members, k, existing)
    assert len(proposal.pairings) == paired
    assert proposal.total_cost == primary
    assert proposal.kept == kept
    # Capacities respected, one contact per household, never across estates.
    load: dict = {}
    for p in proposal.pairings:
        load[p.member_id] = load.get(p.member_id, 0) + 1
    by_id = {m.id: m for m in members}
    for mid, n in load.items():
        cap = by_id[mid].contact_capacity
        assert n <= (k if cap is None else cap)
    assert len({p.household_id for p in proposal.pairings}) == len(proposal.pairings)
    assert len(proposal.pairings) + len(proposal.unpaired) == len(households)
    # Stable: feeding the proposal back in changes nothing.
    again = propose_contacts(households, buildings, members, k, proposal.as_pairings())
    assert again.pairings == tuple(
        type(p)(p.member_id, p.household_id, p.cost, p.relation, True) for p in proposal.pairings
    )
    assert again.removed == 0 and again.added == 0
