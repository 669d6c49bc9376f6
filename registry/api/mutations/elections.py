"""Term writes: recordElection (an election or by-election), postponeElection."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.types import Election
from registry.core import calendar
from registry.core.models import Election as ElectionRow
from registry.writes import elections


@strawberry.input
class RecordElectionInput:
    organisation: str
    held_on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if "
                                           "omitted.")  # fmt: skip
    by_election: bool = strawberry.field(
        default=False, description="A by-election (补选): fills a vacancy, the term runs on."
    )
    approved_by: str | None = strawberry.field(
        default=None,
        description="The higher organisation that approved an early election (required when "
        "the term is not yet over; at most a year early).",
    )

    def command(self, ctx: Context) -> elections.RecordElection:
        return elections.RecordElection(
            organisation=ref(self.organisation, "Organisation"),
            held_on=on_day(self.held_on, "heldOn"),
            by_election=self.by_election,
            approved_by=opt_ref(self.approved_by, "Organisation"),
            today=calendar.today(),
            rules=ctx.settings.rules,
        )


@strawberry.input
class PostponeElectionInput:
    organisation: str
    months: int = strawberry.field(description="How much later than the term's end (1–12; "
                                   "all postponements of a term together at most 12).")  # fmt: skip
    approved_by: str = strawberry.field(description="The higher organisation that approved it.")
    decided_on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today "
                                              "if omitted.")  # fmt: skip

    def command(self, ctx: Context) -> elections.PostponeElection:
        return elections.PostponeElection(
            organisation=ref(self.organisation, "Organisation"),
            months=self.months,
            approved_by=ref(self.approved_by, "Organisation"),
            decided_on=on_day(self.decided_on, "decidedOn"),
            rules=ctx.settings.rules,
        )


@strawberry.type
class ElectionPayload:
    election: Election | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: ElectionRow) -> ElectionPayload:
        return cls(election=Election.from_row(row), user_errors=[])


@strawberry.type
class ElectionMutations:
    @strawberry.mutation(description="Record an election (换届: a new term begins) or a "
                         "by-election (补选) held by an elected organisation.")  # fmt: skip
    async def record_election(self, info: GInfo, input: RecordElectionInput) -> ElectionPayload:
        return await run(info, input, ElectionPayload)

    @strawberry.mutation(description="Record a higher organisation's approval to hold the next "
                         "election later than the term's end (延期换届).")  # fmt: skip
    async def postpone_election(self, info: GInfo, input: PostponeElectionInput) -> ElectionPayload:
        return await run(info, input, ElectionPayload)
