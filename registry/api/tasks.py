"""Tasks, assignments and mobilisation plans in the API; the `tasks` list and `task` lookup.

Nested task fields (scope places, assignments, organisation) come through per-request batch
loaders (`task_loaders`), one scoped statement per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import date, datetime

import strawberry
from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.dataloader import DataLoader

from registry.access.lookup import get_organisation
from registry.api.context import Context, GInfo
from registry.api.enums import (
    ASSIGNMENT_STATUS,
    TASK_KIND,
    TASK_STATUS,
    AssignmentStatusEnum,
    TaskKindEnum,
    TaskStatusEnum,
)
from registry.api.paging import Connection, paginate
from registry.api.reasons import Reason, reasons
from registry.api.refs import find_by_ref, find_scope, parse_ref
from registry.api.types import Member, Organisation, Place
from registry.core import models
from registry.core.errors import UserErrors
from registry.writes.tasks import Proposal, get_task, task_clause


class TaskLoaders:
    """Per-request loaders for task fields, kept on the context (see `task_loaders`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.task: DataLoader[int, models.Task | None] = DataLoader(self._tasks)
        self.places: DataLoader[int, list[models.Place]] = DataLoader(self._places)
        self.assignments: DataLoader[int, list[models.Assignment]] = DataLoader(self._assignments)

    async def _tasks(self, keys: list[int]) -> list[models.Task | None]:
        actor = self.ctx.require_actor()
        async with self.ctx.db.read() as session:
            rows = await session.scalars(
                select(models.Task).where(models.Task.id.in_(keys), task_clause(actor))
            )
            found = {r.id: r for r in rows}
        return [found.get(k) for k in keys]

    async def _places(self, keys: list[int]) -> list[list[models.Place]]:
        async with self.ctx.db.read() as session:
            rows = await session.execute(
                select(models.TaskPlace.task_id, models.Place)
                .join(models.Place, models.Place.id == models.TaskPlace.place_id)
                .where(models.TaskPlace.task_id.in_(keys))
                .order_by(models.Place.path)
            )
            found: dict[int, list[models.Place]] = defaultdict(list)
            for task_id, place in rows:
                found[task_id].append(place)
        return [found[k] for k in keys]

    async def _assignments(self, keys: list[int]) -> list[list[models.Assignment]]:
        async with self.ctx.db.read() as session:
            rows = await session.scalars(
                select(models.Assignment)
                .where(models.Assignment.task_id.in_(keys))
                .order_by(models.Assignment.id)
            )
            found: dict[int, list[models.Assignment]] = defaultdict(list)
            for row in rows:
                found[row.task_id].append(row)
        return [found[k] for k in keys]


def task_loaders(info: GInfo) -> TaskLoaders:
    # The shared Loaders class belongs to the registry core; these live beside it on the
    # per-request context instead of widening that class.
    ctx = info.context
    found = ctx.__dict__.get("_task_loaders")
    if found is None:
        found = ctx.__dict__["_task_loaders"] = TaskLoaders(ctx)
    return found


def _ids(node_ids: Iterable[str]) -> list[int]:
    return [int(i) if str(i).isdigit() else -1 for i in node_ids]


@strawberry.type
class SkillCount:
    skill: str
    count: int


@strawberry.type
class Task(relay.Node):
    """An estate task: scope places, headcount, required skills, a window (inclusive days)."""

    id: relay.NodeID[int]
    code: str
    kind: TaskKindEnum
    name: str
    status: TaskStatusEnum
    headcount: int
    required_skills: list[SkillCount]
    start: date
    end: date
    version: int
    organisation_key: strawberry.Private[int]
    leader_key: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Task) -> Task:
        return cls(
            id=row.id, code=row.code, kind=TASK_KIND(row.kind), name=row.name,
            status=TASK_STATUS(row.status), headcount=row.headcount,
            required_skills=[SkillCount(skill=s, count=n)
                             for s, n in sorted((row.required_skills or {}).items())],
            start=row.start, end=row.end, version=row.version,
            organisation_key=row.organisation_id, leader_key=row.leader_id,
        )  # fmt: skip

    @strawberry.field(description="The organisation that runs the task.")
    async def organisation(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_key)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="Who leads the task (e.g. the preparatory group's leader).")
    async def leader(self, info: GInfo) -> Member | None:
        if self.leader_key is None:
            return None
        row = await info.context.loaders.member.load(self.leader_key)
        return Member.from_row(row) if row else None

    @strawberry.field(description="Estates and buildings in the task's scope.")
    async def places(self, info: GInfo) -> list[Place]:
        rows = await task_loaders(info).places.load(self.id)
        return [Place.from_row(r) for r in rows]

    @strawberry.field(description="Members mobilised for the task, optionally by status.")
    async def assignments(
        self, info: GInfo, status: AssignmentStatusEnum | None = None
    ) -> list[Assignment]:
        rows = await task_loaders(info).assignments.load(self.id)
        return [Assignment.from_row(r) for r in rows if status is None or r.status == status.value]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Task | None]:
        rows = await task_loaders(info).task.load_many(_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type
class Assignment(relay.Node):
    """A member mobilised for a task. `override` marks a booking made although another task's
    window overlaps; `overrideAt` says when (the token that allowed it is in the change log)."""

    id: relay.NodeID[int]
    status: AssignmentStatusEnum
    role: str = strawberry.field(description="building (leads a building), skill or headcount.")
    explanation: list[Reason]
    override: bool
    override_at: datetime | None
    proposed_on: date
    responded_on: date | None
    task_key: strawberry.Private[int]
    member_key: strawberry.Private[int]
    building_key: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Assignment) -> Assignment:
        return cls(
            id=row.id, status=ASSIGNMENT_STATUS(row.status), role=row.role,
            explanation=reasons(row.explanation), override=row.override,
            override_at=row.override_at, proposed_on=row.proposed_on,
            responded_on=row.responded_on, task_key=row.task_id, member_key=row.member_id,
            building_key=row.building_id,
        )  # fmt: skip

    @strawberry.field
    async def member(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.member.load(self.member_key)
        return Member.from_row(row) if row else None

    @strawberry.field(description="The building this member leads, for role building.")
    async def building(self, info: GInfo) -> Place | None:
        if self.building_key is None:
            return None
        row = await info.context.loaders.place.load(self.building_key)
        return Place.from_row(row) if row else None

    @strawberry.field
    async def task(self, info: GInfo) -> Task | None:
        row = await task_loaders(info).task.load(self.task_key)
        return Task.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Assignment | None]:
        rows = await info.context.loaders.node("Assignment").load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type
class MobilisationChoice:
    """A member the plan proposes, with why; `overrideTasks` are overlapping tasks overridden."""

    member: Member
    role: str
    building: Place | None
    explanation: list[Reason]
    skills: list[str]
    override: bool
    override_tasks: list[str]


@strawberry.type
class UncoveredBuilding:
    building: Place
    reason: Reason


@strawberry.type
class SkillShortfall:
    skill: str
    needed: int
    found: int


@strawberry.type
class MobilisationPlan:
    """A mobilisation plan for a task's gap: `choices` are the members it would add (the
    task's proposed and accepted members are kept: `kept`); what it could not cover, and why."""

    task: Task
    choices: list[MobilisationChoice]
    kept: int
    uncovered: list[UncoveredBuilding]
    skill_shortfalls: list[SkillShortfall]
    headcount_shortfall: int
    fingerprint: str = strawberry.field(
        description="Pass as `expectedProposal` to applyMobilisation to store exactly this plan "
        "(STALE if the registry changed so that it would store another)."
    )


async def plan_of(session: AsyncSession, proposal: Proposal) -> MobilisationPlan:
    """The API view of a proposal: its members and buildings loaded in one statement each,
    in the caller's session (the write transaction, when the plan is being stored)."""
    plan = proposal.plan
    member_codes = [c.member_id for c in proposal.new_choices]
    building_codes = [c.building_id for c in proposal.new_choices if c.building_id] + [
        u.building_id for u in plan.uncovered
    ]
    members = {
        m.code: m
        for m in await session.scalars(
            select(models.Member).where(models.Member.code.in_(member_codes))
        )
    }
    # Keyed as graph/ names buildings (by code; any hashable id there).
    places: dict[Hashable, models.Place] = {
        p.code: p
        for p in await session.scalars(
            select(models.Place).where(models.Place.code.in_(building_codes))
        )
    }
    return MobilisationPlan(
        task=Task.from_row(proposal.task),
        choices=[
            MobilisationChoice(
                member=Member.from_row(members[c.member_id]), role=c.role,
                building=Place.from_row(places[c.building_id]) if c.building_id else None,
                explanation=reasons(c.explanation), skills=sorted(c.skills),
                override=bool(c.override_task_ids),
                override_tasks=[str(t) for t in c.override_task_ids],
            )
            for c in proposal.new_choices
        ],
        kept=len(plan.choices) - len(proposal.new_choices),
        uncovered=[
            UncoveredBuilding(
                building=Place.from_row(places[u.building_id]), reason=Reason.of(u.reason)
            )
            for u in plan.uncovered
        ],
        skill_shortfalls=[
            SkillShortfall(skill=s.skill, needed=s.needed, found=s.found)
            for s in plan.skill_shortfalls
        ],
        headcount_shortfall=plan.headcount_shortfall,
        fingerprint=proposal.fingerprint,
    )  # fmt: skip


@strawberry.input
class TaskFilter:
    scope: str | None = strawberry.field(
        default=None,
        description="A place or organisation (global ID or code): tasks with a scope place in "
        "its territory, or (organisation) run by an organisation in its subtree.",
    )
    status: TaskStatusEnum | None = None


@strawberry.type
class TaskQuery:
    @strawberry.field(description="A task by global ID or code, if it lies in your scope.")
    async def task(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Task | None:
        row = await find_by_ref(info, get_task, "Task", id, code)
        return Task.from_row(row) if row else None

    @strawberry.field(description="Tasks by code, scoped to you.")
    async def tasks(
        self,
        info: GInfo,
        filter: TaskFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        ctx = info.context
        actor = ctx.require_actor()
        size = ctx.page_size(first)
        flt = filter or TaskFilter()
        query: Select = select(models.Task).where(task_clause(actor))
        if flt.status is not None:
            query = query.where(models.Task.status == flt.status.value)
        if flt.scope:

            scope = await find_scope(info, actor, flt.scope)
            if scope is None:
                query = query.where(false())
            else:
                inside = (
                    select(models.TaskPlace.task_id)
                    .join(models.Place, models.Place.id == models.TaskPlace.place_id)
                    .where(scope.places(models.Place.path))
                )
                condition: ColumnElement[bool] = models.Task.id.in_(inside)
                if scope.org_tops is not None:
                    orgs = select(models.Organisation.id).where(
                        scope.orgs(models.Organisation.path)
                    )
                    condition = or_(condition, models.Task.organisation_id.in_(orgs))
                query = query.where(condition)
        async with ctx.db.read() as session:
            return await paginate(
                session, query, models.Task.code, size, after,
                lambda rows: list(map(Task.from_row, rows)),
            )  # fmt: skip

    @strawberry.field(
        description="Members of a functional organisation (its functional memberships, current "
        "unless `current` is false); their formal organisation is unchanged."
    )
    async def functional_members(
        self, info: GInfo, organisation: str, current: bool = True
    ) -> list[Member]:
        actor = info.context.require_actor()
        async with info.context.db.read() as session:
            try:
                org = await get_organisation(
                    session, actor, parse_ref(organisation, "Organisation")
                )
            except UserErrors:
                return []
            query = (
                select(models.Member)
                .join(
                    models.FunctionalMembership,
                    models.FunctionalMembership.member_id == models.Member.id,
                )
                .where(models.FunctionalMembership.organisation_id == org.id)
                .where(actor.member_clause())
                .order_by(models.Member.code)
            )
            if current:
                query = query.where(models.FunctionalMembership.end.is_(None))
            rows = list(await session.scalars(query))
        return [Member.from_row(r) for r in rows]
