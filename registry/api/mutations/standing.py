"""A member's standing: recordStanding (lost contact, 停止党籍, leaving the Party, death) and
restoreStanding (恢复联系, 恢复党籍)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.enums import LeavingWayEnum, StandingKindEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.types import Member
from registry.core import calendar
from registry.core.models import Member as MemberRow
from registry.core.models import MemberStanding
from registry.writes import standing


@strawberry.input
class RecordStandingInput:
    member: str
    kind: StandingKindEnum
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    way: LeavingWayEnum | None = strawberry.field(
        default=None, description="How they left the Party (only with LEFT, and required there)."
    )
    decided_by: str | None = strawberry.field(
        default=None,
        description="The organisation that decided it (required for SUSPENDED and LEFT).",
    )
    note: str | None = None
    expected_version: int | None = None

    def command(self, ctx: Context) -> standing.RecordStanding:
        return standing.RecordStanding(
            member=ref(self.member, "Member"),
            kind=self.kind,
            on=on_day(self.on, "on"),
            today=calendar.today(),
            way=self.way,
            decided_by=opt_ref(self.decided_by, "Organisation"),
            note=self.note,
            expected_version=self.expected_version,
        )


@strawberry.input
class RestoreStandingInput:
    member: str
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    note: str | None = None
    expected_version: int | None = None

    def command(self, ctx: Context) -> standing.RestoreStanding:
        return standing.RestoreStanding(
            member=ref(self.member, "Member"),
            on=on_day(self.on, "on"),
            today=calendar.today(),
            note=self.note,
            expected_version=self.expected_version,
        )


@strawberry.type
class StandingPayload:
    member: Member | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> StandingPayload:
        found: MemberStanding = row
        member = await session.get(MemberRow, found.member_id)
        if member is None:  # the key holds a member: only a broken database has none
            raise LookupError(f"standing {found.id} names no member")
        return cls(member=Member.from_row(member), user_errors=[])


@strawberry.type
class StandingMutations:
    @strawberry.mutation(description="Record a member's standing on a day: lost contact (失去"
                         "联系), membership suspended (停止党籍), left the Party (出党) or died. "
                         "Leaving and death end their tie, offices, pairings and group; they are "
                         "then counted nowhere live.")  # fmt: skip
    async def record_standing(self, info: GInfo, input: RecordStandingInput) -> StandingPayload:
        return await run(info, input, StandingPayload)

    @strawberry.mutation(description="Restore a member who lost contact (恢复联系) or whose "
                         "membership was suspended (恢复党籍).")  # fmt: skip
    async def restore_standing(self, info: GInfo, input: RestoreStandingInput) -> StandingPayload:
        return await run(info, input, StandingPayload)
