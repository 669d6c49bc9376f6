"""Task writes: createTask, updateTask, proposeMobilisation (writes nothing), applyMobilisation,
respondToAssignment, formFunctionalOrganisation. Rules: `registry.writes.tasks`."""

from __future__ import annotations

from enum import StrEnum

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import TaskKindEnum, TaskStatusEnum
from registry.api.errors import UserError, run_write, user_errors
from registry.api.mutations.common import DATE_HELP, on_day, opt_ref, ref, refs
from registry.api.tasks import Assignment, MobilisationPlan, Task, plan_of
from registry.api.types import Member, Organisation
from registry.audit.changelog import Recorder
from registry.core.errors import ErrorCode, UserErrors, fail
from registry.writes import tasks
from registry.writes.common import day


@strawberry.input
class SkillCountInput:
    skill: str
    count: int = 1


@strawberry.input
class CreateTaskInput:
    code: str = strawberry.field(description="Your own code for the task; unique.")
    kind: TaskKindEnum
    name: str
    organisation: str = strawberry.field(description="The organisation that runs the task.")
    places: list[str] = strawberry.field(description="Estates and/or buildings in scope.")
    start: str = strawberry.field(description=f"{DATE_HELP} First day.")
    end: str = strawberry.field(description=f"{DATE_HELP} Last day (inclusive).")
    headcount: int = 0
    skills: list[SkillCountInput] = strawberry.field(
        default_factory=list, description="How many chosen members must have each skill."
    )
    leader: str | None = strawberry.field(default=None, description="The member leading it.")


@strawberry.type
class TaskPayload:
    task: Task | None
    user_errors: list[UserError]


@strawberry.input
class UpdateTaskInput:
    task: str
    status: TaskStatusEnum | None = strawberry.field(
        default=None,
        description="planned → mobilising → active → done; cancelled from any open status.",
    )
    name: str | None = None
    headcount: int | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the task is still at this version."
    )


@strawberry.input
class MobilisationInput:
    task: str
    overrides: list[str] = strawberry.field(
        default_factory=list,
        description="Members who may be booked although another task's window overlaps "
        "(recorded on their assignment).",
    )
    on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} The proposal date; today if omitted."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Apply only: refuse (STALE) unless the task is still at this version.",
    )
    expected_proposal: str | None = strawberry.field(
        default=None,
        description="Apply only: the `fingerprint` of the plan you reviewed; if the registry "
        "changed so that another plan would be stored, nothing is written (STALE).",
    )


@strawberry.type
class ProposeMobilisationPayload:
    plan: MobilisationPlan | None
    user_errors: list[UserError]


@strawberry.type
class ApplyMobilisationPayload:
    plan: MobilisationPlan | None
    assignments: list[Assignment] = strawberry.field(description="The assignments stored.")
    user_errors: list[UserError]


@strawberry.enum
class AssignmentResponse(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


@strawberry.input
class RespondToAssignmentInput:
    assignment: strawberry.ID = strawberry.field(description="The assignment's global ID.")
    response: AssignmentResponse
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")


@strawberry.type
class RespondToAssignmentPayload:
    assignment: Assignment | None
    replacements: list[Assignment] = strawberry.field(
        description="After a decline: the members proposed for the gap it left (stored)."
    )
    plan: MobilisationPlan | None = strawberry.field(
        description="After a decline: the re-plan of the gap, with what stays uncovered."
    )
    user_errors: list[UserError]


@strawberry.input
class FormFunctionalOrganisationInput:
    task: str
    code: str
    name: str
    approved_by: str | None = strawberry.field(
        default=None, description="The higher organisation approving it; the parent if omitted."
    )
    parent: str | None = strawberry.field(
        default=None, description="Where it sits; the task's running organisation if omitted."
    )
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")


@strawberry.type
class FormFunctionalOrganisationPayload:
    organisation: Organisation | None
    members: list[Member] = strawberry.field(
        description="Its functional members: the task's accepted members."
    )
    user_errors: list[UserError]


@strawberry.type
class TaskMutations:
    @strawberry.mutation(description="Create a planned estate task.")
    async def create_task(self, info: GInfo, input: CreateTaskInput) -> TaskPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Task:
            start = day(input.start, "start")
            end = day(input.end, "end")
            if start is None or end is None:
                raise fail("start" if start is None else "end", "give the task's window")
            row = await tasks.create_task(
                session, actor, recorder, code=input.code, kind=input.kind, name=input.name,
                organisation=ref(input.organisation, "Organisation"),
                places=refs(input.places, "Place"), headcount=input.headcount,
                skills=_skills(input.skills), start=start, end=end,
                leader=opt_ref(input.leader, "Member"),
            )  # fmt: skip
            return Task.from_row(row)

        task, errors = await run_write(info, work)
        return TaskPayload(task=task, user_errors=errors)

    @strawberry.mutation(description="Change a task's status, name or headcount.")
    async def update_task(self, info: GInfo, input: UpdateTaskInput) -> TaskPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Task:
            row = await tasks.update_task(
                session, actor, recorder, task=ref(input.task, "Task"), status=input.status,
                name=input.name, headcount=input.headcount,
                expected_version=input.expected_version,
            )  # fmt: skip
            return Task.from_row(row)

        task, errors = await run_write(info, work)
        return TaskPayload(task=task, user_errors=errors)

    @strawberry.mutation(
        description="Preview who to mobilise for a task's gap, with reasons; writes nothing."
    )
    async def propose_mobilisation(
        self, info: GInfo, input: MobilisationInput
    ) -> ProposeMobilisationPayload:
        # As every planner: proposed in a read session, by anyone who sees the task.
        actor = info.context.require_actor()
        try:
            async with info.context.db.read() as session:
                proposal = await tasks.propose_mobilisation(
                    session, actor, task=ref(input.task, "Task"),
                    overrides=refs(input.overrides, "Member"),
                )  # fmt: skip
                plan = await plan_of(session, proposal)
        except UserErrors as refused:
            return ProposeMobilisationPayload(plan=None, user_errors=user_errors(refused.problems))
        return ProposeMobilisationPayload(plan=plan, user_errors=[])

    @strawberry.mutation(
        description="Store the mobilisation proposal as proposed assignments (same plan as "
        "proposeMobilisation on the same registry)."
    )
    async def apply_mobilisation(
        self, info: GInfo, input: MobilisationInput
    ) -> ApplyMobilisationPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> tuple[MobilisationPlan, list[Assignment]]:
            proposal, rows = await tasks.apply_mobilisation(
                session, actor, recorder, task=ref(input.task, "Task"),
                overrides=refs(input.overrides, "Member"), on=on_day(input.on, "on"),
                expected_version=input.expected_version,
                expected_proposal=input.expected_proposal,
            )  # fmt: skip
            return await plan_of(session, proposal), [Assignment.from_row(r) for r in rows]

        result, errors = await run_write(info, work)
        plan, stored = result if result else (None, [])
        return ApplyMobilisationPayload(plan=plan, assignments=stored, user_errors=errors)

    @strawberry.mutation(
        description="Record a member's answer. A decline re-plans only the gap it leaves and "
        "stores the replacements as proposed."
    )
    async def respond_to_assignment(
        self, info: GInfo, input: RespondToAssignmentInput
    ) -> RespondToAssignmentPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> tuple[Assignment, list[Assignment], MobilisationPlan | None]:
            key = ref(str(input.assignment), "Assignment")
            if not isinstance(key, int):
                raise fail("assignment", "give the assignment's global ID", ErrorCode.NOT_FOUND)
            row, proposal, replacements = await tasks.respond_to_assignment(
                session, actor, recorder, assignment=key,
                accept=input.response is AssignmentResponse.ACCEPT, on=on_day(input.on, "on"),
            )  # fmt: skip
            plan = await plan_of(session, proposal) if proposal else None
            return Assignment.from_row(row), [Assignment.from_row(r) for r in replacements], plan

        result, errors = await run_write(info, work)
        if result is None:
            return RespondToAssignmentPayload(
                assignment=None, replacements=[], plan=None, user_errors=errors
            )
        assignment, replacements, plan = result
        return RespondToAssignmentPayload(
            assignment=assignment, replacements=replacements, plan=plan, user_errors=[]
        )

    @strawberry.mutation(
        description="Turn a task's accepted members into a functional organisation (a relation "
        "beside their formal tie, which does not change)."
    )
    async def form_functional_organisation(
        self, info: GInfo, input: FormFunctionalOrganisationInput
    ) -> FormFunctionalOrganisationPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> tuple[Organisation, list[Member]]:
            org, memberships = await tasks.form_functional_organisation(
                session, actor, recorder, task=ref(input.task, "Task"), code=input.code,
                name=input.name, approved_by=opt_ref(input.approved_by, "Organisation"),
                parent=opt_ref(input.parent, "Organisation"), on=on_day(input.on, "on"),
            )  # fmt: skip
            found = await tasks.members_by_id(session, [m.member_id for m in memberships])
            people = sorted(found.values(), key=lambda m: m.code)
            return Organisation.from_row(org), [Member.from_row(m) for m in people]

        result, errors = await run_write(info, work)
        org, people = result if result else (None, [])
        return FormFunctionalOrganisationPayload(
            organisation=org, members=people, user_errors=errors
        )


def _skills(items: list[SkillCountInput]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.skill] = out.get(item.skill, 0) + item.count
    return out
