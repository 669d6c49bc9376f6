"""Task mobilisation: building leads, skills, capacity, overlaps, load and re-planning."""

from __future__ import annotations

from graph.mobilise import mobilise, replan_after_decline, unavailability
from graph.model import Booking, Building, Member, Task, Window, reason

BUILDINGS = [Building(1, "E"), Building(2, "E"), Building(3, "E"), Building(9, "F")]
WINDOW = Window(10, 20)


def _member(mid: str, building: int | None, estate: str = "E", **kw) -> Member:
    return Member(mid, estate_id=estate, home_building_id=building, **kw)


def test_given_residents_when_mobilised_then_each_building_gets_its_own_resident() -> None:
    members = [_member("a", 1), _member("b", 2), _member("c", 3)]

    plan = mobilise(Task("t", (1, 2, 3)), BUILDINGS, members)

    assert {(c.building_id, c.member_id) for c in plan.choices} == {(1, "a"), (2, "b"), (3, "c")}
    assert [c.explanation for c in sorted(plan.choices, key=lambda c: c.member_id)] == [
        (reason("LEADS_HOME_BUILDING", building=b), reason("LOAD", load=0)) for b in (1, 2, 3)
    ]
    assert plan.uncovered == ()


def test_given_no_resident_then_a_same_estate_member_leads_and_it_is_said() -> None:
    members = [_member("a", 1), _member("b", 1)]

    plan = mobilise(Task("t", (1, 2)), BUILDINGS, members)

    lead2 = next(c for c in plan.choices if c.building_id == 2)
    assert reason("LEADS_FROM_ESTATE", building=2, estate="E") in lead2.explanation
    assert plan.uncovered == ()


def test_given_two_residents_then_the_less_loaded_one_leads() -> None:
    busy = Booking("old", Window(0, 5))
    members = [_member("a", 1, bookings=(busy,)), _member("b", 1)]

    plan = mobilise(Task("t", (1,), window=WINDOW), BUILDINGS, members)

    assert plan.member_ids == ("b",)


def test_given_overlapping_booking_then_member_is_skipped_unless_overridden() -> None:
    clash = Booking("other", Window(15, 25))
    members = [_member("a", 9, estate="F", bookings=(clash,))]
    task = Task("t", (9,), window=WINDOW)

    blocked = mobilise(task, BUILDINGS, members)
    overridden = mobilise(task, BUILDINGS, members, overrides={"a"})

    assert blocked.choices == ()
    (gap,) = blocked.uncovered
    assert gap.reason == reason(
        "ESTATE_MEMBERS_UNAVAILABLE", estate="F", members=1, unavailable=("a",)
    )
    assert unavailability(members[0], task, ()) == reason("BOOKED_ELSEWHERE", tasks=("other",))
    (choice,) = overridden.choices
    assert choice.override_task_ids == ("other",)
    assert reason("OVERRIDE", tasks=("other",)) in choice.explanation
    assert overridden.overrides == (choice,)


def test_given_member_at_capacity_then_never_chosen() -> None:
    full = _member("a", 1, task_capacity=1, bookings=(Booking("x", Window(0, 1)),))

    plan = mobilise(Task("t", (1,), headcount=1), BUILDINGS, [full])

    assert plan.choices == ()
    assert dict(plan.uncovered[0].reason.params)["unavailable"] == ("a",)
    assert unavailability(full, Task("t", (1,)), ()) == reason("AT_CAPACITY", load=1, capacity=1)
    assert plan.headcount_shortfall == 1


def test_given_skill_requirement_then_only_holders_count_and_shortfall_is_named() -> None:
    members = [
        _member("a", 1),
        _member("law", 9, estate="F", skills=frozenset({"law"})),
        _member("med", 9, estate="F", skills=frozenset({"medicine", "law"})),
    ]
    task = Task("t", (1,), required_skills={"law": 1, "medicine": 1, "finance": 1})

    plan = mobilise(task, BUILDINGS, members)

    assert plan.member_ids == ("a", "med")  # med covers two missing skills at once
    assert plan.choices[1].role == "skill"
    assert plan.choices[1].explanation[0] == reason("HAS_SKILLS", skills=("law", "medicine"))
    assert [(s.skill, s.needed, s.found) for s in plan.skill_shortfalls] == [("finance", 1, 0)]


def test_given_headcount_then_nearest_least_loaded_members_make_it_up() -> None:
    one = (Booking("x", Window(0, 1)),)
    members = [
        _member("a", 1),
        _member("b", 2, bookings=one),
        _member("c", 2),
        _member("d", 9, "F"),
    ]

    plan = mobilise(Task("t", (1,), headcount=3), BUILDINGS, members)

    assert plan.member_ids == ("a", "c", "b")
    assert [c.role for c in plan.choices] == ["building", "headcount", "headcount"]


def test_given_no_member_in_estate_then_building_uncovered_with_reason() -> None:
    plan = mobilise(Task("t", (9,)), BUILDINGS, [_member("a", 1)])

    assert [(u.building_id, u.reason) for u in plan.uncovered] == [
        (9, reason("NO_MEMBER_IN_ESTATE", estate="F"))
    ]


def test_given_a_decline_when_replanned_then_only_the_gap_is_refilled() -> None:
    members = [_member("a", 1), _member("b", 2), _member("b2", 2), _member("c", 3)]
    task = Task("t", (1, 2, 3))
    first = mobilise(task, BUILDINGS, members)
    lead2 = next(c.member_id for c in first.choices if c.building_id == 2)

    second = replan_after_decline(first, {lead2}, task, BUILDINGS, members)

    kept = [c for c in first.choices if c.member_id != lead2]
    assert list(second.choices[: len(kept)]) == kept
    (new,) = second.choices[len(kept) :]
    assert new.building_id == 2 and new.member_id in {"b", "b2"} - {lead2}
    third = replan_after_decline(second, {new.member_id}, task, BUILDINGS, members)
    assert {c.member_id for c in third.choices} & {"b", "b2"} == set()
    assert third.declined == {"b", "b2"}
    assert third.uncovered[0].reason == reason("ESTATE_MEMBERS_ON_TASK", estate="E")
