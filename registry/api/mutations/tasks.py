"""Task writes: createTask, updateTask, proposeMobilisation (writes nothing), applyMobilisation,
respondToAssignment, formFunctionalOrganisation. Rules: `registry.writes.tasks`."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import Context, GInfo
from registry.api.enums import TaskKindEnum, TaskStatusEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_ref, ref, refs
from registry.api.mutations.runner import ask, run
from registry.api.tasks import Assignment, MobilisationPlan, Task, plan_of
from registry.api.types import Member, Organisation
from registry.core.errors import ErrorCode, fail
from registry.core.models import Assignment as AssignmentRow
from registry.core.models import FunctionalMembership
from registry.core.models import Organisation as OrganisationRow
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

    def command(self, ctx: Context) -> tasks.CreateTask:
        start = day(self.start, "start")
        end = day(self.end, "end")
        if start is None or end is None:
            raise fail(
                "start" if start is None else "end", "give the task's window",
                ErrorCode.INVALID, "TASK_WINDOW",
            )  # fmt: skip
        return tasks.CreateTask(
            code=self.code, kind=self.kind, name=self.name,
            organisation=ref(self.organisation, "Organisation"),
            places=refs(self.places, "Place"), headcount=self.headcount,
            skills=_skills(self.skills), start=start, end=end,
            leader=opt_ref(self.leader, "Member"),
        )  # fmt: skip


@strawberry.type
class TaskPayload:
    task: Task | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> TaskPayload:
        return cls(task=Task.from_row(row), user_errors=[])


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

    def command(self, ctx: Context) -> tasks.UpdateTask:
        return tasks.UpdateTask(
            task=ref(self.task, "Task"),
            status=self.status,
            name=self.name,
            headcount=self.headcount,
            expected_version=self.expected_version,
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

    def command(self, ctx: Context) -> tasks.ApplyMobilisation:
        return tasks.ApplyMobilisation(
            task=ref(self.task, "Task"), overrides=refs(self.overrides, "Member"),
            on=on_day(self.on, "on"), expected_version=self.expected_version,
            expected_proposal=self.expected_proposal,
        )  # fmt: skip


@strawberry.type
class ProposeMobilisationPayload:
    plan: MobilisationPlan | None
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, proposal: tasks.Proposal
    ) -> ProposeMobilisationPayload:
        return cls(plan=await plan_of(session, proposal), user_errors=[])


@strawberry.type
class ApplyMobilisationPayload:
    plan: MobilisationPlan | None
    assignments: list[Assignment] = strawberry.field(description="The assignments stored.")
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[tasks.Proposal, list[AssignmentRow]]
    ) -> ApplyMobilisationPayload:
        proposal, rows = result
        return cls(
            plan=await plan_of(session, proposal),
            assignments=[Assignment.from_row(r) for r in rows],
            user_errors=[],
        )


@strawberry.enum
class AssignmentResponse(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


@strawberry.input
class RespondToAssignmentInput:
    assignment: strawberry.ID = strawberry.field(description="The assignment's global ID.")
    response: AssignmentResponse
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")

    def command(self, ctx: Context) -> tasks.RespondToAssignment:
        key = ref(str(self.assignment), "Assignment")
        if not isinstance(key, int):
            raise fail(
                "assignment", "give the assignment's global ID", ErrorCode.NOT_FOUND,
                "GLOBAL_ID_NEEDED",
            )  # fmt: skip
        return tasks.RespondToAssignment(
            assignment=key,
            accept=self.response is AssignmentResponse.ACCEPT,
            on=on_day(self.on, "on"),
        )


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

    @classmethod
    async def of(
        cls,
        session: AsyncSession,
        result: tuple[AssignmentRow, tasks.Proposal | None, list[AssignmentRow]],
    ) -> RespondToAssignmentPayload:
        row, proposal, replacements = result
        return cls(
            assignment=Assignment.from_row(row),
            replacements=[Assignment.from_row(r) for r in replacements],
            plan=await plan_of(session, proposal) if proposal else None,
            user_errors=[],
        )


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

    def command(self, ctx: Context) -> tasks.FormFunctionalOrganisation:
        return tasks.FormFunctionalOrganisation(
            task=ref(self.task, "Task"), code=self.code, name=self.name,
            approved_by=opt_ref(self.approved_by, "Organisation"),
            parent=opt_ref(self.parent, "Organisation"), on=on_day(self.on, "on"),
        )  # fmt: skip


@strawberry.type
class FormFunctionalOrganisationPayload:
    organisation: Organisation | None
    members: list[Member] = strawberry.field(
        description="Its functional members: the task's accepted members."
    )
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[OrganisationRow, list[FunctionalMembership]]
    ) -> FormFunctionalOrganisationPayload:
        org, memberships = result
        found = await tasks.members_by_id(session, [m.member_id for m in memberships])
        people = sorted(found.values(), key=lambda m: m.code)
        return cls(
            organisation=Organisation.from_row(org),
            members=[Member.from_row(m) for m in people],
            user_errors=[],
        )


@strawberry.type
class TaskMutations:
    @strawberry.mutation(description="Create a planned estate task.")
    async def create_task(self, info: GInfo, input: CreateTaskInput) -> TaskPayload:
        return await run(info, input, TaskPayload)

    @strawberry.mutation(description="Change a task's status, name or headcount.")
    async def update_task(self, info: GInfo, input: UpdateTaskInput) -> TaskPayload:
        return await run(info, input, TaskPayload)

    @strawberry.mutation(
        description="Preview who to mobilise for a task's gap, with reasons; writes nothing."
    )
    async def propose_mobilisation(
        self, info: GInfo, input: MobilisationInput
    ) -> ProposeMobilisationPayload:
        # As every planner: proposed in a read session, by anyone who sees the task.
        async def question(session: AsyncSession, actor: Actor) -> tasks.Proposal:
            return await tasks.propose_mobilisation(
                session, actor, task=ref(input.task, "Task"),
                overrides=refs(input.overrides, "Member"),
            )  # fmt: skip

        return await ask(info, question, ProposeMobilisationPayload)

    @strawberry.mutation(
        description="Store the mobilisation proposal as proposed assignments (same plan as "
        "proposeMobilisation on the same registry)."
    )
    async def apply_mobilisation(
        self, info: GInfo, input: MobilisationInput
    ) -> ApplyMobilisationPayload:
        return await run(info, input, ApplyMobilisationPayload)

    @strawberry.mutation(
        description="Record a member's answer. A decline re-plans only the gap it leaves and "
        "stores the replacements as proposed."
    )
    async def respond_to_assignment(
        self, info: GInfo, input: RespondToAssignmentInput
    ) -> RespondToAssignmentPayload:
        return await run(info, input, RespondToAssignmentPayload)

    @strawberry.mutation(
        description="Turn a task's accepted members into a functional organisation (a relation "
        "beside their formal tie, which does not change)."
    )
    async def form_functional_organisation(
        self, info: GInfo, input: FormFunctionalOrganisationInput
    ) -> FormFunctionalOrganisationPayload:
        return await run(info, input, FormFunctionalOrganisationPayload)


def _skills(items: list[SkillCountInput]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.skill] = out.get(item.skill, 0) + item.count
    return out
