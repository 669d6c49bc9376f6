"""Member writes: createMember, updateMember, transferMember, confirmMember."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import GenderEnum, MemberStatusEnum
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref
from registry.api.types import Member
from registry.audit.changelog import Recorder
from registry.writes import members

TIE_HELP = (
    "Exactly one of `organisation` (the formal organisation) or `workplace` (in service, "
    "then `reportsTo` is required)."
)


GROUP_HELP = "A Party group (党小组) of the member's own organisation to place them in."

CAPACITY_HELP = (
    "How many tasks the member may hold at once (1–10); omit for the deployment default."
)


@strawberry.input
class CreateMemberInput:
    code: str = strawberry.field(description="Your own code for the member; unique.")
    name: str
    status: MemberStatusEnum
    gender: GenderEnum | None = None
    joined: str | None = strawberry.field(default=None, description=DATE_HELP)
    full_on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} When a full member became full."
    )
    organisation: str | None = strawberry.field(default=None, description=TIE_HELP)
    workplace: str | None = strawberry.field(default=None, description=TIE_HELP)
    reports_to: str | None = strawberry.field(
        default=None, description="In service: the community organisation or branch (双报到)."
    )
    household: str | None = strawberry.field(default=None, description="Residence household.")
    phone: str | None = strawberry.field(default=None, description="11-digit mainland mobile.")
    skills: list[str] = strawberry.field(default_factory=list)
    task_capacity: int | None = strawberry.field(default=None, description=CAPACITY_HELP)
    group: str | None = strawberry.field(default=None, description=GROUP_HELP)


@strawberry.type
class CreateMemberPayload:
    member: Member | None
    user_errors: list[UserError]


@strawberry.input
class UpdateMemberInput:
    member: str
    name: str | None = None
    gender: GenderEnum | None = None
    household: str | None = None
    phone: str | None = strawberry.field(default=None, description='"" clears the phone.')
    skills: list[str] | None = strawberry.field(
        default=None, description="Replaces the member's skills."
    )
    workplace: str | None = strawberry.field(default=None, description="In service only.")
    reports_to: str | None = strawberry.field(default=None, description="In service only.")
    task_capacity: int | None = strawberry.field(default=None, description=CAPACITY_HELP)
    group: str | None = strawberry.field(default=None, description=GROUP_HELP)
    leave_group: bool = strawberry.field(
        default=False, description="Take the member out of their group (党小组)."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the member is still at this version."
    )


@strawberry.type
class UpdateMemberPayload:
    member: Member | None
    user_errors: list[UserError]


@strawberry.input
class TransferMemberInput:
    member: str
    organisation: str | None = strawberry.field(default=None, description=TIE_HELP)
    workplace: str | None = strawberry.field(default=None, description=TIE_HELP)
    reports_to: str | None = None
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    group: str | None = strawberry.field(
        default=None,
        description=f"{GROUP_HELP} The old branch's group is left in any case.",
    )
    expected_version: int | None = None


@strawberry.type
class TransferMemberPayload:
    member: Member | None
    user_errors: list[UserError]


@strawberry.input
class ConfirmMemberInput:
    member: str
    on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} When full membership began; today if omitted."
    )
    expected_version: int | None = None


@strawberry.type
class ConfirmMemberPayload:
    member: Member | None
    user_errors: list[UserError]


@strawberry.input
class ExtendProbationInput:
    member: str
    months: int = strawberry.field(description="6 to 12 (党章 第七条; 《发展党员工作细则》).")
    decided_on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} The branch's decision; today if omitted."
    )
    expected_version: int | None = None


@strawberry.type
class ExtendProbationPayload:
    member: Member | None
    user_errors: list[UserError]


@strawberry.type
class MemberMutations:
    @strawberry.mutation(description="Register a member with exactly one formal organisation.")
    async def create_member(self, info: GInfo, input: CreateMemberInput) -> CreateMemberPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Member:
            row = await members.create_member(
                session,
                actor,
                recorder,
                code=input.code,
                name=input.name,
                gender=input.gender,
                status=input.status,
                joined=opt_day(input.joined, "joined"),
                full_on=opt_day(input.full_on, "fullOn"),
                organisation=opt_ref(input.organisation, "Organisation"),
                workplace=input.workplace,
                reports_to=opt_ref(input.reports_to, "Organisation"),
                household_ref=opt_ref(input.household, "Place"),
                phone=input.phone,
                skills=input.skills,
                today=date.today(),
                task_capacity=input.task_capacity,
                group=opt_ref(input.group, "Organisation"),
            )
            return Member.from_row(row)

        member, errors = await run_write(info, work)
        return CreateMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(description="Change a member's details, skills, phone or reporting.")
    async def update_member(self, info: GInfo, input: UpdateMemberInput) -> UpdateMemberPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Member:
            row = await members.update_member(
                session,
                actor,
                recorder,
                member=ref(input.member, "Member"),
                name=input.name,
                gender=input.gender,
                household_ref=opt_ref(input.household, "Place"),
                phone=input.phone,
                skills=input.skills,
                workplace=input.workplace,
                reports_to=opt_ref(input.reports_to, "Organisation"),
                expected_version=input.expected_version,
                task_capacity=input.task_capacity,
                group=opt_ref(input.group, "Organisation"),
                leave_group=input.leave_group,
            )
            return Member.from_row(row)

        member, errors = await run_write(info, work)
        return UpdateMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(
        description="Move a member's formal tie to another organisation or a workplace; the "
        "old affiliation is closed and kept, offices in the old organisation end."
    )
    async def transfer_member(
        self, info: GInfo, input: TransferMemberInput
    ) -> TransferMemberPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Member:
            row = await members.transfer_member(
                session,
                actor,
                recorder,
                member=ref(input.member, "Member"),
                organisation=opt_ref(input.organisation, "Organisation"),
                workplace=input.workplace,
                reports_to=opt_ref(input.reports_to, "Organisation"),
                on=on_day(input.on, "on"),
                expected_version=input.expected_version,
                group=opt_ref(input.group, "Organisation"),
            )
            return Member.from_row(row)

        member, errors = await run_write(info, work)
        return TransferMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(description="A probationary member becomes a full member.")
    async def confirm_member(self, info: GInfo, input: ConfirmMemberInput) -> ConfirmMemberPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Member:
            row = await members.confirm_member(
                session,
                actor,
                recorder,
                member=ref(input.member, "Member"),
                on=on_day(input.on, "on"),
                probation_years=info.context.settings.rules.probation_years,
                expected_version=input.expected_version,
            )
            return Member.from_row(row)

        member, errors = await run_write(info, work)
        return ConfirmMemberPayload(member=member, user_errors=errors)

    @strawberry.mutation(description="Record the branch's decision to extend a probationary "
                         "member's probation (延长预备期) by 6 to 12 months, once.")  # fmt: skip
    async def extend_probation(
        self, info: GInfo, input: ExtendProbationInput
    ) -> ExtendProbationPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Member:
            row = await members.extend_probation(
                session,
                actor,
                recorder,
                member=ref(input.member, "Member"),
                months=input.months,
                decided_on=on_day(input.decided_on, "decidedOn"),
                rules=info.context.settings.rules,
                expected_version=input.expected_version,
            )
            return Member.from_row(row)

        member, errors = await run_write(info, work)
        return ExtendProbationPayload(member=member, user_errors=errors)
