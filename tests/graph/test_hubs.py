"""Hub households: greedy cover of each building by member households."""

from __future__ import annotations

from graph.hubs import choose_hubs
from graph.model import Household, Member, reason


def _building() -> list[Household]:
    """Building B: unit 1 has households 1..4, unit 2 has 5..8."""
    return [Household(i, 1 if i <= 4 else 2, "B", "E") for i in range(1, 9)]


def test_given_one_member_household_per_unit_then_each_hub_links_its_unit() -> None:
    members = [Member("a", "E", home_household_id=2), Member("b", "E", home_household_id=7)]

    plan = choose_hubs(_building(), members, max_reach=4)

    assert [(h.household_id, h.member_id, h.reach) for h in plan.hubs] == [
        (2, "a", (2, 1, 3, 4)),
        (7, "b", (7, 5, 6, 8)),
    ]
    assert plan.unreached == ()


def test_given_building_wide_reach_then_one_hub_suffices() -> None:
    plan = choose_hubs(_building(), [Member("a", "E", home_household_id=1)], max_reach=10)

    assert [h.reach for h in plan.hubs] == [(1, 2, 3, 4, 5, 6, 7, 8)]


def test_given_per_unit_reach_then_unit_without_member_is_unreached_with_reason() -> None:
    plan = choose_hubs(
        _building(), [Member("a", "E", home_household_id=1)], max_reach=10, building_wide=False
    )

    assert [u.household_id for u in plan.unreached] == [5, 6, 7, 8]
    assert plan.unreached[0].reason == reason("NO_MEMBER_IN_UNIT", unit=2, building="B")


def test_given_small_reach_then_the_rest_is_unreached_because_hubs_are_full() -> None:
    plan = choose_hubs(_building(), [Member("a", "E", home_household_id=1)], max_reach=3)

    assert plan.hubs[0].reach == (1, 2, 3)
    assert len(plan.unreached) == 5
    assert plan.unreached[0].reason == reason("HUBS_FULL", households=3)
