"""Estate tasks and their mobilisation: create, change status, propose/apply, respond, and
turn a mobilisation into a functional organisation.

Rules (DESIGN sections 1, 3 and 6; issue 3 point 4):

- A task's scope is estates and/or buildings. It is visible (and writable by organisers) to
  callers who see its running organisation or one of its scope places.
- Status moves planned → mobilising → active → done; planned/mobilising/active may be
  cancelled; mobilising may go back to planned; done and cancelled are final. Applying a
  mobilisation to a planned task makes it mobilising. Ending a task (done or cancelled)
  withdraws the assignments still only proposed (cancelled also withdraws accepted ones):
  they stop booking the members' time.
- **Propose** runs `graph.mobilise` from the task's stored assignments (proposed and accepted
  ones are kept, declined members never proposed again) and writes nothing; **apply** recomputes
  the same plan and stores the new choices as proposed assignments. A member booked on a task
  whose window overlaps is refused unless the caller lists them in `overrides`; an assignment
  made by override records who (token) allowed it and when.
- **Respond**: a proposed (or accepted) assignment is accepted or declined. A decline re-plans
  only the gap (`graph.mobilise.replan_after_decline`) and stores the replacements as proposed
  right away, so the organiser sees whom to ask next; they too must accept.
- **Functional organisation**: the accepted members of a task become the functional
  memberships of a new organisation of kind functional, under the task's running organisation
  (or `parent`), covering the task's scope places. Their formal tie never changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from graph.mobilise import MobilisationPlan, replan_after_decline
from registry.access.actor import Actor
from registry.access.lookup import Key, get_member, get_organisation, get_place, lock_name
from registry.audit.changelog import label, state
from registry.core.errors import ErrorCode, Problem, UserErrors, fail, problem
from registry.core.kinds import AssignmentStatus, OrgKind, PlaceKind, TaskKind, TaskStatus
from registry.core.models import (
    NAME_MAX,
    SKILL_MAX,
    Assignment,
    FunctionalMembership,
    Member,
    Organisation,
    Place,
    Task,
    TaskPlace,
)
from registry.core.sql import one_of
from registry.planning.contacts import refuse_if_stale
from registry.planning.mobilisation import read_problem
from registry.planning.reasons import plain_all
from registry.writes.commands import handles
from registry.writes.common import check_version, free_code, require_active, text
from registry.writes.organisations import CreateOrganisation, create_organisation

TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PLANNED: frozenset({TaskStatus.MOBILISING, TaskStatus.ACTIVE, TaskStatus.CANCELLED}),
    TaskStatus.MOBILISING: frozenset({TaskStatus.PLANNED, TaskStatus.ACTIVE, TaskStatus.CANCELLED}),
    TaskStatus.ACTIVE: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}
SCOPE_KINDS = frozenset({PlaceKind.ESTATE, PlaceKind.BUILDING})
MOBILISATION_LOCK = "gridreg:mobilisation"


def task_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on Task: its running organisation or one of its scope places is visible."""
    if actor.unscoped:
        return Task.id == Task.id
    orgs = select(Organisation.id).where(actor.org_clause())
    return or_(
        Task.organisation_id.in_(orgs),
        exists(
            select(1)
            .select_from(TaskPlace)
            .join(Place, Place.id == TaskPlace.place_id)
            .where(TaskPlace.task_id == Task.id, actor.place_clause())
        ),
    )


async def get_task(
    session: AsyncSession, actor: Actor, key: Key, field: str = "task", for_update: bool = False
) -> Task:
    """The task with this id or code, if the actor may see it; else NOT_FOUND."""
    column = Task.id if isinstance(key, int) else Task.code
    query = select(Task).where(column == key, task_clause(actor))
    if for_update:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            field, f"no task with {shown} in your scope", ErrorCode.NOT_FOUND, "NOT_IN_SCOPE",
            noun="task", ref=key,
        )  # fmt: skip
    return row


def clean_skills(skills: dict[str, int]) -> dict[str, int]:
    """Required skills as {skill: count >= 1}, trimmed, sorted."""
    out: dict[str, int] = {}
    for raw, count in skills.items():
        skill = text(raw, "skills", SKILL_MAX) or ""
        if count < 1:
            raise fail(
                "skills", f"skill {skill!r} needs a count of at least 1, not {count}",
                ErrorCode.INVALID, "SKILL_COUNT", skill=skill, count=count,
            )  # fmt: skip
        out[skill] = out.get(skill, 0) + count
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class CreateTask:
    """What `create_task` is asked to do."""

    code: str
    kind: TaskKind
    name: str
    organisation: Key
    places: list[Key]
    headcount: int
    skills: dict[str, int]
    start: date
    end: date
    leader: Key | None = None


@handles(CreateTask)
async def create_task(session: AsyncSession, actor: Actor, command: CreateTask) -> Task:
    """Create a planned task run by `organisation` over estates/buildings `places`."""
    actor.require_write()
    clean_name = text(command.name, "name", NAME_MAX) or ""
    problems: list[Problem] = []
    if command.headcount < 0:
        problems.append(
            problem("headcount", "headcount must not be negative", ErrorCode.INVALID, "NEGATIVE")
        )
    if command.end < command.start:
        problems.append(
            problem(
                "end", f"the task ends ({command.end}) before it starts ({command.start})",
                ErrorCode.INVALID, "ENDS_BEFORE_START", end=command.end, start=command.start,
            )  # fmt: skip
        )
    if not command.places:
        problems.append(
            problem("places", "give at least one estate or building in scope", ErrorCode.INVALID,
                    "TASK_PLACES_NEEDED")
        )  # fmt: skip
    if problems:
        raise UserErrors(problems)
    wanted = clean_skills(command.skills)
    org = await get_organisation(session, actor, command.organisation, "organisation")
    await require_active(org, "organisation")
    place_ids: list[int] = []
    for ref in command.places:
        row = await get_place(session, actor, ref, "places")
        if PlaceKind(row.kind) not in SCOPE_KINDS:
            raise fail(
                "places", f"{row.code!r} is a {row.kind}; a task's scope is estates or buildings",
                ErrorCode.WRONG_KIND, "TASK_PLACE_KIND", code=row.code, kind=row.kind,
            )  # fmt: skip
        if row.id not in place_ids:
            place_ids.append(row.id)
    leader_row = (
        await get_member(session, actor, command.leader, "leader")
        if command.leader is not None
        else None
    )
    clean_code = await free_code(session, Task, command.code)
    task = Task(
        code=clean_code, kind=command.kind.value, name=clean_name, organisation_id=org.id,
        leader_id=leader_row.id if leader_row else None, headcount=command.headcount,
        required_skills=wanted, start=command.start, end=command.end,
        status=TaskStatus.PLANNED.value, version=1,
    )  # fmt: skip
    session.add(task)
    await session.flush()
    session.add_all(TaskPlace(task_id=task.id, place_id=p) for p in place_ids)
    label(session, task, "create", after={"places": place_ids})
    return task


@dataclass(frozen=True)
class UpdateTask:
    """What `update_task` is asked to do."""

    task: Key
    status: TaskStatus | None = None
    name: str | None = None
    headcount: int | None = None
    expected_version: int | None = None


@handles(UpdateTask)
async def update_task(session: AsyncSession, actor: Actor, command: UpdateTask) -> Task:
    """Change a task's status (along TRANSITIONS), name or headcount; STALE unless the task
    is still at `expected_version` (when given)."""
    actor.require_write()
    row = await get_task(session, actor, command.task, for_update=True)
    check_version(row, command.expected_version, "task")
    before = state(row)
    if command.name is not None:
        row.name = text(command.name, "name", NAME_MAX) or ""
    if command.headcount is not None:
        if command.headcount < 0:
            raise fail("headcount", "headcount must not be negative", ErrorCode.INVALID, "NEGATIVE")
        row.headcount = command.headcount
    if command.status is not None and command.status.value != row.status:
        current = TaskStatus(row.status)
        if command.status not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (final)"
            raise fail(
                "status",
                f"a {current.value} task cannot become {command.status.value}; next: {allowed}",
                ErrorCode.CONFLICT,
                "TASK_STATUS_STEP",
                taskStatus=current.value,
                wanted=command.status.value,
            )
        row.status = command.status.value
        if command.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            await _withdraw(session, row, cancelled=command.status is TaskStatus.CANCELLED)
    if state(row) != before:
        row.version += 1
    return row


async def _withdraw(session: AsyncSession, task: Task, cancelled: bool) -> None:
    statuses = [AssignmentStatus.PROPOSED.value]
    if cancelled:
        statuses.append(AssignmentStatus.ACCEPTED.value)
    rows = await session.scalars(
        select(Assignment).where(Assignment.task_id == task.id, one_of(Assignment.status, statuses))
    )
    for a in rows:
        a.status = AssignmentStatus.WITHDRAWN.value
        label(session, a, "withdraw")


@dataclass(frozen=True)
class Proposal:
    """A plan over a task, with the stored context needed to show or store it."""

    task: Task
    plan: MobilisationPlan
    new_choices: tuple[Any, ...]  # the choices not yet stored (graph.mobilise.Choice)
    member_ids: dict[str, int]
    building_ids: dict[str, int]

    @property
    def fingerprint(self) -> str:
        """A short digest of what applying the proposal would store: apply refuses (STALE)
        when it differs from the one the caller reviewed, as every planner does."""
        digest = hashlib.sha256()
        for c in sorted((c.member_id, c.role, c.building_id or "") for c in self.new_choices):
            digest.update("|".join(map(str, c)).encode() + b"\n")
        return digest.hexdigest()[:16]


def _open(task: Task) -> None:
    if TaskStatus(task.status) not in (
        TaskStatus.PLANNED, TaskStatus.MOBILISING, TaskStatus.ACTIVE
    ):  # fmt: skip
        raise fail(
            "task", f"task {task.code!r} is {task.status}; nobody can be mobilised for it",
            ErrorCode.CONFLICT, "TASK_CLOSED", code=task.code, taskStatus=task.status,
        )  # fmt: skip


async def _overrides(session: AsyncSession, actor: Actor, refs: list[Key]) -> frozenset[str]:
    codes = []
    for ref in refs:
        codes.append((await get_member(session, actor, ref, "overrides")).code)
    return frozenset(codes)


async def propose_mobilisation(
    session: AsyncSession, actor: Actor, *, task: Key, overrides: list[Key]
) -> Proposal:
    """The plan for a task's gap (nothing written). See the module docstring."""
    row = await get_task(session, actor, task)
    _open(row)
    problem = await read_problem(session, actor, row)
    allowed = await _overrides(session, actor, overrides)
    plan = replan_after_decline(
        problem.previous, (), problem.task, problem.buildings, problem.members, allowed
    )
    stored = {c.member_id for c in problem.previous.choices}
    new = tuple(c for c in plan.choices if c.member_id not in stored)
    return Proposal(row, plan, new, problem.member_ids, problem.building_ids)


async def _store(
    session: AsyncSession, actor: Actor, proposal: Proposal, on: date
) -> list[Assignment]:
    now = datetime.now(UTC)
    rows = []
    for c in proposal.new_choices:
        override = bool(c.override_task_ids)
        a = Assignment(
            task_id=proposal.task.id, member_id=proposal.member_ids[c.member_id],
            status=AssignmentStatus.PROPOSED.value, role=c.role,
            building_id=proposal.building_ids.get(c.building_id) if c.building_id else None,
            explanation=plain_all(c.explanation), override=override,
            override_by_token_id=actor.token_id if override else None,
            override_at=now if override else None, proposed_on=on,
        )  # fmt: skip
        session.add(a)
        rows.append(a)
    for a in rows:
        label(session, a, "propose")
    await session.flush()
    return rows


@dataclass(frozen=True)
class ApplyMobilisation:
    """What `apply_mobilisation` is asked to do."""

    task: Key
    overrides: list[Key]
    on: date
    expected_version: int | None = None
    expected_proposal: str | None = None


@handles(ApplyMobilisation)
async def apply_mobilisation(
    session: AsyncSession, actor: Actor, command: ApplyMobilisation
) -> tuple[Proposal, list[Assignment]]:
    """Store the proposal's new choices as proposed assignments; a planned task becomes
    mobilising. STALE unless the task is still at `expected_version` and the proposal is
    still the one fingerprinted `expected_proposal` (each when given)."""
    actor.require_write()
    # Mobilisations book members' time across tasks: one at a time (see lock_name).
    await lock_name(session, MOBILISATION_LOCK)
    locked = await get_task(session, actor, command.task, for_update=True)
    check_version(locked, command.expected_version, "task")
    proposal = await propose_mobilisation(
        session, actor, task=command.task, overrides=command.overrides
    )
    refuse_if_stale(command.expected_proposal, proposal.fingerprint)
    rows = await _store(session, actor, proposal, command.on)
    row = proposal.task
    if row.status == TaskStatus.PLANNED.value:
        row.status = TaskStatus.MOBILISING.value
        row.version += 1
    return proposal, rows


async def get_assignment(
    session: AsyncSession, actor: Actor, key: int, field: str = "assignment"
) -> Assignment:
    """An assignment whose task the actor may see."""
    row = await session.scalar(
        select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.id == key, task_clause(actor))
        .with_for_update()
    )
    if row is None:
        raise fail(
            field, f"no assignment with id {key} in your scope", ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE", noun="assignment", ref=key,
        )  # fmt: skip
    return row


@dataclass(frozen=True)
class RespondToAssignment:
    """What `respond_to_assignment` is asked to do."""

    assignment: int
    accept: bool
    on: date


@handles(RespondToAssignment)
async def respond_to_assignment(
    session: AsyncSession, actor: Actor, command: RespondToAssignment
) -> tuple[Assignment, Proposal | None, list[Assignment]]:
    """Accept or decline. A decline re-plans the gap and stores the replacements as proposed;
    returns (the assignment, the re-plan or None, the replacements)."""
    actor.require_write()
    await lock_name(session, MOBILISATION_LOCK)
    # The task first, then the assignment: the order update_task (withdrawing) locks them in.
    await session.execute(
        select(Task.id)
        .where(
            Task.id
            == select(Assignment.task_id)
            .where(Assignment.id == command.assignment)
            .scalar_subquery()
        )
        .with_for_update()
    )
    row = await get_assignment(session, actor, command.assignment)
    task = await get_task(session, actor, row.task_id, for_update=True)
    _open(task)
    status = AssignmentStatus(row.status)
    allowed = {AssignmentStatus.PROPOSED} | (
        {AssignmentStatus.ACCEPTED} if not command.accept else set()
    )
    if status not in allowed:
        raise fail(
            "assignment",
            f"this assignment is {status.value}; only a proposed one can be "
            + ("accepted" if command.accept else "declined (or an accepted one, to drop out)"),
            ErrorCode.CONFLICT,
            "ASSIGNMENT_ANSWERED",
            assignmentStatus=status.value,
        )
    row.status = (AssignmentStatus.ACCEPTED if command.accept else AssignmentStatus.DECLINED).value
    row.responded_on = command.on
    label(session, row, "accept" if command.accept else "decline")
    await session.flush()
    if command.accept:
        return row, None, []
    # The stored plan now has the declined member as declined: re-plan only the gap.
    proposal = await propose_mobilisation(session, actor, task=task.id, overrides=[])
    replacements = await _store(session, actor, proposal, command.on)
    return row, proposal, replacements


@dataclass(frozen=True)
class FormFunctionalOrganisation:
    """What `form_functional_organisation` is asked to do."""

    task: Key
    code: str
    name: str
    approved_by: Key | None
    parent: Key | None
    on: date


@handles(FormFunctionalOrganisation)
async def form_functional_organisation(
    session: AsyncSession, actor: Actor, command: FormFunctionalOrganisation
) -> tuple[Organisation, list[FunctionalMembership]]:
    """A functional organisation of the task's accepted members (functional memberships from
    `on`), under `parent` (default: the task's running organisation), covering the task's scope."""
    actor.require_write()
    row = await get_task(session, actor, command.task, for_update=True)
    accepted = list(
        await session.scalars(
            select(Assignment.member_id)
            .where(Assignment.task_id == row.id)
            .where(Assignment.status == AssignmentStatus.ACCEPTED.value)
            .order_by(Assignment.member_id)
        )
    )
    if not accepted:
        raise fail(
            "task",
            f"task {row.code!r} has no accepted members yet; mobilise and record acceptances first",
            ErrorCode.CONFLICT,
            "TASK_NOBODY_ACCEPTED",
            code=row.code,
        )
    covers = list(
        await session.scalars(select(TaskPlace.place_id).where(TaskPlace.task_id == row.id))
    )
    org = await create_organisation(
        session, actor, CreateOrganisation(
            code=command.code, kind=OrgKind.FUNCTIONAL, name=command.name,
            parent=command.parent if command.parent is not None else row.organisation_id,
            established=command.on, approved_by=command.approved_by, approved_on=command.on,
            covers=covers,
        ),
    )  # fmt: skip
    memberships = [
        FunctionalMembership(member_id=m, organisation_id=org.id, task_id=row.id, start=command.on)
        for m in dict.fromkeys(accepted)
    ]
    session.add_all(memberships)
    await session.flush()
    return org, memberships


async def members_by_id(session: AsyncSession, ids: list[int]) -> dict[int, Member]:
    """Members by id (unscoped: for rows already scoped through their task)."""
    if not ids:
        return {}
    rows = await session.scalars(select(Member).where(Member.id.in_(ids)))
    return {m.id: m for m in rows}
