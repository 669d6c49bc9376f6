"""Office writes: appointOffice (a dated term), endOffice."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import OfficeRoleEnum
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import DATE_HELP, on_day, ref
from registry.api.types import Office
from registry.audit.changelog import Recorder
from registry.core.errors import ErrorCode, fail
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


@strawberry.type
class AppointOfficePayload:
    office: Office | None
    user_errors: list[UserError]


@strawberry.input
class EndOfficeInput:
    office: strawberry.ID = strawberry.field(description="The term's global ID (Office.id).")
    end: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")


@strawberry.type
class EndOfficePayload:
    office: Office | None
    user_errors: list[UserError]


@strawberry.type
class OfficeMutations:
    @strawberry.mutation(description="Appoint a full member to an office for a dated term.")
    async def appoint_office(self, info: GInfo, input: AppointOfficeInput) -> AppointOfficePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Office:
            row = await offices.appoint_office(
                session,
                actor,
                recorder,
                member=ref(input.member, "Member"),
                organisation=ref(input.organisation, "Organisation"),
                role=input.role,
                start=on_day(input.start, "start"),
                replace_current=input.replace_current,
            )
            return Office.from_row(row)

        office, errors = await run_write(info, work)
        return AppointOfficePayload(office=office, user_errors=errors)

    @strawberry.mutation(description="End a current term of office.")
    async def end_office(self, info: GInfo, input: EndOfficeInput) -> EndOfficePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Office:
            key = ref(str(input.office), "Office")
            if not isinstance(key, int):
                raise fail("office", "give the term's global ID (Office.id)", ErrorCode.NOT_FOUND)
            row = await offices.end_office(
                session, actor, recorder, office=key, end=on_day(input.end, "end")
            )
            return Office.from_row(row)

        office, errors = await run_write(info, work)
        return EndOfficePayload(office=office, user_errors=errors)
