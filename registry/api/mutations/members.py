"""Member writes: createMember, updateMember, transferMember, confirmMember."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.enums import GenderEnum, MemberStatusEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.types import Member
from registry.core import calendar
from registry.writes import members

TIE_HELP = (
    "Exactly one of `organisation` (the formal organisation) or `workplace` (in service, "
    "then `reportsTo` is required)."
)


GROUP_HELP = "A Party group (党小组) of the member's own organisation to place them in."

REPORTED_HELP = (
    "In service only: the day they reported (报到) to the community where they live."
)

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
    reported_on: str | None = strawberry.field(default=None, description=REPORTED_HELP)

    def command(self, ctx: Context) -> members.CreateMember:
        return members.CreateMember(
            code=self.code,
            name=self.name,
            gender=self.gender,
            status=self.status,
            joined=opt_day(self.joined, "joined"),
            full_on=opt_day(self.full_on, "fullOn"),
            organisation=opt_ref(self.organisation, "Organisation"),
            workplace=self.workplace,
            reports_to=opt_ref(self.reports_to, "Organisation"),
            household_ref=opt_ref(self.household, "Place"),
            phone=self.phone,
            skills=self.skills,
            today=calendar.today(),
            task_capacity=self.task_capacity,
            group=opt_ref(self.group, "Organisation"),
            reported_on=opt_day(self.reported_on, "reportedOn"),
        )


@strawberry.type
class CreateMemberPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> CreateMemberPayload:
        return cls(member=Member.from_row(row), user_errors=[])


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
    reported_on: str | None = strawberry.field(default=None, description=REPORTED_HELP)
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the member is still at this version."
    )

    def command(self, ctx: Context) -> members.UpdateMember:
        return members.UpdateMember(
            member=ref(self.member, "Member"),
            name=self.name,
            gender=self.gender,
            household_ref=opt_ref(self.household, "Place"),
            phone=self.phone,
            skills=self.skills,
            workplace=self.workplace,
            reports_to=opt_ref(self.reports_to, "Organisation"),
            expected_version=self.expected_version,
            task_capacity=self.task_capacity,
            group=opt_ref(self.group, "Organisation"),
            leave_group=self.leave_group,
            reported_on=opt_day(self.reported_on, "reportedOn"),
        )


@strawberry.type
class UpdateMemberPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> UpdateMemberPayload:
        return cls(member=Member.from_row(row), user_errors=[])


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
    reported_on: str | None = strawberry.field(default=None, description=REPORTED_HELP)
    expected_version: int | None = None

    def command(self, ctx: Context) -> members.TransferMember:
        return members.TransferMember(
            member=ref(self.member, "Member"),
            organisation=opt_ref(self.organisation, "Organisation"),
            workplace=self.workplace,
            reports_to=opt_ref(self.reports_to, "Organisation"),
            on=on_day(self.on, "on"),
            expected_version=self.expected_version,
            group=opt_ref(self.group, "Organisation"),
            reported_on=opt_day(self.reported_on, "reportedOn"),
        )


@strawberry.type
class TransferMemberPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> TransferMemberPayload:
        return cls(member=Member.from_row(row), user_errors=[])


@strawberry.input
class ConfirmMemberInput:
    member: str
    on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} When full membership began; today if omitted."
    )
    expected_version: int | None = None

    def command(self, ctx: Context) -> members.ConfirmMember:
        return members.ConfirmMember(
            member=ref(self.member, "Member"),
            on=on_day(self.on, "on"),
            probation_years=ctx.settings.rules.probation_years,
            expected_version=self.expected_version,
        )


@strawberry.type
class ConfirmMemberPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> ConfirmMemberPayload:
        return cls(member=Member.from_row(row), user_errors=[])


@strawberry.input
class ExtendProbationInput:
    member: str
    months: int = strawberry.field(description="6 to 12 (党章 第七条; 《发展党员工作细则》).")
    decided_on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} The branch's decision; today if omitted."
    )
    expected_version: int | None = None

    def command(self, ctx: Context) -> members.ExtendProbation:
        return members.ExtendProbation(
            member=ref(self.member, "Member"),
            months=self.months,
            decided_on=on_day(self.decided_on, "decidedOn"),
            rules=ctx.settings.rules,
            expected_version=self.expected_version,
        )


@strawberry.type
class ExtendProbationPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> ExtendProbationPayload:
        return cls(member=Member.from_row(row), user_errors=[])


@strawberry.type
class MemberMutations:
    @strawberry.mutation(description="Register a member with exactly one formal organisation.")
    async def create_member(self, info: GInfo, input: CreateMemberInput) -> CreateMemberPayload:
        return await run(info, input, CreateMemberPayload)

    @strawberry.mutation(description="Change a member's details, skills, phone or reporting.")
    async def update_member(self, info: GInfo, input: UpdateMemberInput) -> UpdateMemberPayload:
        return await run(info, input, UpdateMemberPayload)

    @strawberry.mutation(
        description="Move a member's formal tie to another organisation or a workplace; the "
        "old affiliation is closed and kept, offices in the old organisation end."
    )
    async def transfer_member(
        self, info: GInfo, input: TransferMemberInput
    ) -> TransferMemberPayload:
        return await run(info, input, TransferMemberPayload)

    @strawberry.mutation(description="A probationary member becomes a full member.")
    async def confirm_member(self, info: GInfo, input: ConfirmMemberInput) -> ConfirmMemberPayload:
        return await run(info, input, ConfirmMemberPayload)

    @strawberry.mutation(description="Record the branch's decision to extend a probationary "
                         "member's probation (延长预备期) by 6 to 12 months, once.")  # fmt: skip
    async def extend_probation(
        self, info: GInfo, input: ExtendProbationInput
    ) -> ExtendProbationPayload:
        return await run(info, input, ExtendProbationPayload)
