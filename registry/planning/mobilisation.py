"""Reading a task's mobilisation problem from SQL as the plain data `graph.mobilise` takes.

Ids handed to the algorithm are the user's codes (members, buildings, estates, tasks), so the
reasons it gives name what staff know (LEADS_HOME_BUILDING building=CT-BS-JAMX-B01), and the
plan is deterministic by code.

What is loaded, in five statements whatever the size of the estate:

- the **buildings** of the task's scope: the buildings under its scope places (an estate brings
  all its buildings, a building itself), each with its estate;
- the **candidates**: members living (household) in the estates of those buildings, within the
  caller's scope, plus anyone already assigned to the task; a member's home unit, building and
  estate come from their household's materialised path;
- their **skills**;
- their **bookings**: proposed or accepted assignments on other tasks that are still planned,
  mobilising or active, with those tasks' windows. A member may hold their own `task_capacity`
  tasks at once, or `RuleThresholds.default_task_capacity` when they have none.

Task windows are inclusive days; the algorithm's windows are half-open, so `end` + 1 day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from graph import model as g
from graph.mobilise import Choice, MobilisationPlan
from registry.access.actor import Actor
from registry.core.config import RuleThresholds
from registry.core.kinds import (
    BOOKING_ASSIGNMENT_STATUSES,
    BOOKING_TASK_STATUSES,
    AssignmentStatus,
    PlaceKind,
)
from registry.core.models import Assignment, Member, MemberSkill, Place, Task, TaskPlace
from registry.core.paths import ids_of, subtree_end, within_any
from registry.core.sql import one_of
from registry.planning.reasons import from_plain


@dataclass(frozen=True)
class Problem:
    """A task's mobilisation problem, and the rows needed to store a plan for it."""

    task: g.Task
    buildings: tuple[g.Building, ...]
    members: tuple[g.Member, ...]
    member_ids: dict[str, int]  # code -> id
    building_ids: dict[str, int]  # code -> id
    previous: MobilisationPlan  # the task's current assignments, as a plan to re-plan from


def window(start: date, end: date) -> g.Window:
    """An inclusive day range as the algorithm's half-open window, in day numbers: the day
    after a task ending 9999-12-31 is no date, but it is a number."""
    return g.Window(start.toordinal(), end.toordinal() + 1)


async def scope_buildings(session: AsyncSession, task_id: int) -> list[tuple[Place, Place]]:
    """(building, estate) for every building under the task's scope places, in tree order."""
    tops = list(
        await session.scalars(
            select(Place.path)
            .join(TaskPlace, TaskPlace.place_id == Place.id)
            .where(TaskPlace.task_id == task_id)
        )
    )
    estate = aliased(Place)
    rows = await session.execute(
        select(Place, estate)
        .join(estate, estate.id == Place.parent_id)
        .where(Place.kind == PlaceKind.BUILDING.value, within_any(Place.path, tops))
        .order_by(Place.path)
    )
    return [(b, e) for b, e in rows]


async def read_problem(
    session: AsyncSession,
    actor: Actor,
    task: Task,
    default_capacity: int = RuleThresholds.default_task_capacity,
) -> Problem:
    """The mobilisation problem of `task` as seen by `actor` (see the module docstring);
    members without their own task capacity get `default_capacity`."""
    pairs = await scope_buildings(session, task.id)
    estates = {e.id: e for _, e in pairs}
    buildings = tuple(g.Building(b.code, e.code) for b, e in pairs)
    building_ids = {b.code: b.id for b, _ in pairs}
    place_code = {b.id: b.code for b, _ in pairs} | {e.id: e.code for e in estates.values()}

    home = aliased(Place)
    assigned = select(Assignment.member_id).where(Assignment.task_id == task.id)
    local = within_any(home.path, [e.path for e in estates.values()])
    rows = (
        await session.execute(
            select(Member.id, Member.code, home.path, Member.task_capacity)
            .outerjoin(home, home.id == Member.household_id)
            # Candidates are live members (not those who left the Party or died); members
            # already assigned are read for their codes.
            .where(
                or_(
                    and_(local, actor.member_clause(), Member.departed_on.is_(None)),
                    Member.id.in_(assigned),
                )
            )
        )
    ).all()
    member_ids = {code: mid for mid, code, _, _ in rows}
    code_of = {mid: code for mid, code, _, _ in rows}
    estate_by_path = {e.path: e for e in estates.values()}

    skills: dict[int, set[str]] = defaultdict(set)
    for mid, skill in await session.execute(
        select(MemberSkill.member_id, MemberSkill.skill).where(
            MemberSkill.member_id.in_(list(code_of))
        )
    ):
        skills[mid].add(skill)

    bookings: dict[int, list[g.Booking]] = defaultdict(list)
    booked = await session.execute(
        select(Assignment.member_id, Task.code, Task.start, Task.end)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.member_id.in_(list(code_of)), Assignment.task_id != task.id)
        .where(one_of(Assignment.status, BOOKING_ASSIGNMENT_STATUSES))
        .where(one_of(Task.status, BOOKING_TASK_STATUSES))
        .order_by(Task.code)
    )
    for mid, code, start, end in booked:
        bookings[mid].append(g.Booking(code, window(start, end)))

    members = []
    for mid, code, path, capacity in rows:
        estate_code = unit_code = building_code = None
        if path is not None:
            ids = ids_of(path)
            for estate_path, e in estate_by_path.items():
                if estate_path <= path < subtree_end(estate_path):
                    estate_code = e.code
                    below = ids[e.depth + 1 :]  # building, [unit,] household
                    building_code = place_code.get(below[0]) if below else None
                    unit_code = str(below[1]) if len(below) == 3 else None
                    break
        members.append(
            g.Member(
                id=code,
                estate_id=estate_code,
                home_unit_id=unit_code,
                home_building_id=building_code,
                skills=frozenset(skills[mid]),
                bookings=tuple(bookings[mid]),
                task_capacity=capacity or default_capacity,
            )
        )
    problem_task = g.Task(
        id=task.code,
        building_ids=tuple(b.id for b in buildings),
        headcount=task.headcount,
        required_skills=dict(task.required_skills or {}),
        window=window(task.start, task.end),
    )
    previous = await current_plan(session, task, code_of, place_code, problem_task)
    return Problem(problem_task, buildings, tuple(members), member_ids, building_ids, previous)


async def current_plan(
    session: AsyncSession,
    task: Task,
    code_of: dict[int, str],
    place_code: dict[int, str],
    problem_task: g.Task,
) -> MobilisationPlan:
    """The task's stored assignments as a plan: proposed and accepted ones are kept choices,
    declined ones are never proposed again (withdrawn ones may be)."""
    rows = list(
        await session.scalars(
            select(Assignment).where(Assignment.task_id == task.id).order_by(Assignment.id)
        )
    )
    kept = [r for r in rows if r.status in BOOKING_ASSIGNMENT_STATUSES]
    declined = frozenset(
        code_of[r.member_id] for r in rows if r.status == AssignmentStatus.DECLINED.value
    )
    required = frozenset(problem_task.required_skills)
    member_skills: dict[int, set[str]] = defaultdict(set)
    if kept:
        for mid, skill in await session.execute(
            select(MemberSkill.member_id, MemberSkill.skill).where(
                MemberSkill.member_id.in_([r.member_id for r in kept])
            )
        ):
            member_skills[mid].add(skill)
    choices = tuple(
        Choice(
            member_id=code_of[r.member_id],
            role=r.role,
            explanation=from_plain(r.explanation),
            building_id=place_code.get(r.building_id) if r.building_id else None,
            skills=frozenset(member_skills[r.member_id]) & required,
        )
        for r in kept
    )
    return MobilisationPlan(problem_task.id, choices, (), (), 0, declined)
