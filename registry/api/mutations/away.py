"""Members away from home (流动党员): recordAway, recordReturn."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.types import Member
from registry.core import calendar
from registry.writes import away


@strawberry.input
class RecordAwayInput:
    member: str
    since: str = strawberry.field(description=f"{DATE_HELP} The day they left home.")
    place: str = strawberry.field(description="Where they are (a city, a company, a site).")
    attends_organisation: str | None = strawberry.field(
        default=None, description="The organisation they take part in there, of the registry."
    )
    attends: str | None = strawberry.field(
        default=None, description="The organisation they take part in there, in words."
    )
    expected_version: int | None = None

    def command(self, ctx: Context) -> away.RecordAway:
        return away.RecordAway(
            member=ref(self.member, "Member"),
            since=on_day(self.since, "since"),
            place=self.place,
            today=calendar.today(),
            attends_organisation=opt_ref(self.attends_organisation, "Organisation"),
            attends=self.attends,
            expected_version=self.expected_version,
        )


@strawberry.input
class RecordReturnInput:
    member: str
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    expected_version: int | None = None

    def command(self, ctx: Context) -> away.RecordReturn:
        return away.RecordReturn(
            member=ref(self.member, "Member"),
            on=on_day(self.on, "on"),
            expected_version=self.expected_version,
        )


@strawberry.type
class AwayPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> AwayPayload:
        return cls(member=Member.from_row(row), user_errors=[])


@strawberry.type
class AwayMutations:
    @strawberry.mutation(description="Record that a member is away from home (外出, 流动党员): "
                         "since when, where, and the organisation they attend there.")  # fmt: skip
    async def record_away(self, info: GInfo, input: RecordAwayInput) -> AwayPayload:
        return await run(info, input, AwayPayload)

    @strawberry.mutation(description="A member away from home is back.")
    async def record_return(self, info: GInfo, input: RecordReturnInput) -> AwayPayload:
        return await run(info, input, AwayPayload)
