"""Single points of failure and the impact of one member leaving."""

from __future__ import annotations

from graph.model import Building, Household, Member, Pairing
from graph.resilience import if_member_leaves, losses, single_points_of_failure


def test_given_coverage_maps_then_targets_with_one_member_are_listed() -> None:
    report = single_points_of_failure(
        {1: {"a"}, 2: {"a", "b"}, 3: set()}, {"h1": ["c"], "h2": ["c", "c"], "h3": ["a", "b"]}
    )

    assert [(p.target_id, p.member_id) for p in report.buildings] == [(1, "a")]
    assert [(p.target_id, p.member_id) for p in report.households] == [("h1", "c"), ("h2", "c")]
    assert losses("a", {1: {"a"}, 2: {"a", "b"}}) == (1,)


def test_given_a_member_leaves_then_losses_are_listed_and_re_covered_without_moving_others() -> (
    None
):
    buildings = [Building(1, "E", frozenset({2})), Building(2, "E")]
    households = [Household(h, 1, 1 if h < 3 else 2, "E") for h in range(5)]
    a = Member("a", "E", home_unit_id=1, home_building_id=1)
    b = Member("b", "E", home_unit_id=1, home_building_id=2)
    c = Member("c", "E", home_unit_id=1, home_building_id=2)
    pairings = [Pairing("a", 0), Pairing("a", 1), Pairing("b", 3), Pairing("b", 4), Pairing("c", 2)]

    impact = if_member_leaves(
        "a", households, buildings, [a, b, c], 3, pairings, {1: {"a"}, 2: {"b", "c"}}
    )

    assert impact.buildings_losing_cover == (1,)
    assert impact.households_losing_contact == (0, 1)
    # b has one slot left (3 - 2), c has two: both orphans can be re-paired.
    assert len(impact.contacts.pairings) == 2
    assert all(p.relation == "NEIGHBOURING_BUILDING" for p in impact.contacts.pairings)
    (lead,) = impact.buildings.choices
    assert lead.building_id == 1 and lead.member_id in {"b", "c"}
