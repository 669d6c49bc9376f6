"""Office writes: appointOffice (a dated term), endOffice."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.enums import OfficeRoleEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, ref
from registry.api.mutations.runner import run
from registry.api.types import Office
from registry.core.errors import ErrorCode, fail
from registry.core.models import Office as OfficeRow
from registry.writes import offices


@strawberry.input
class AppointOfficeInput:
    member: str
    organisation: str
    role: OfficeRoleEnum
    start: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    replace_current: bool = strawberry.field(
        default=False,
        description="End the current secretary's (or group leader's) term on `start`.",
    )

    def command(self, ctx: Context) -> offices.AppointOffice:
        return offices.AppointOffice(
            member=ref(self.member, "Member"),
            organisation=ref(self.organisation, "Organisation"),
            role=self.role,
            start=on_day(self.start, "start"),
            replace_current=self.replace_current,
        )


@strawberry.type
class AppointOfficePayload:
    office: Office | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: OfficeRow) -> AppointOfficePayload:
        return cls(office=Office.from_row(row), user_errors=[])


@strawberry.input
class EndOfficeInput:
    office: strawberry.ID = strawberry.field(description="The term's global ID (Office.id).")
    end: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")

    def command(self, ctx: Context) -> offices.EndOffice:
        key = ref(str(self.office), "Office")
        if not isinstance(key, int):
            raise fail(
                "office", "give the term's global ID (Office.id)", ErrorCode.NOT_FOUND,
                "GLOBAL_ID_NEEDED",
            )  # fmt: skip
        return offices.EndOffice(office=key, end=on_day(self.end, "end"))


@strawberry.type
class EndOfficePayload:
    office: Office | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: OfficeRow) -> EndOfficePayload:
        return cls(office=Office.from_row(row), user_errors=[])


@strawberry.type
class OfficeMutations:
    @strawberry.mutation(description="Appoint a full member to an office for a dated term.")
    async def appoint_office(self, info: GInfo, input: AppointOfficeInput) -> AppointOfficePayload:
        return await run(info, input, AppointOfficePayload)

    @strawberry.mutation(description="End a current term of office.")
    async def end_office(self, info: GInfo, input: EndOfficeInput) -> EndOfficePayload:
        return await run(info, input, EndOfficePayload)
