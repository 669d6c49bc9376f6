"""Two-step transfers of a member's tie (组织关系): transferOut, receiveTransfer."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import DATE_HELP, on_day, ref
from registry.api.types import Transfer
from registry.audit.changelog import Recorder
from registry.core.errors import fail
from registry.core.models import Member
from registry.writes import transfers


@strawberry.input
class TransferOutInput:
    member: str
    to: str = strawberry.field(description="The receiving organisation, in your scope.")
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")


@strawberry.input
class ReceiveTransferInput:
    transfer: strawberry.ID = strawberry.field(description="Transfer.id.")
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")


@strawberry.type
class TransferPayload:
    transfer: Transfer | None
    user_errors: list[UserError]


@strawberry.type
class TransferMutations:
    @strawberry.mutation(description="Transfer a member's tie (组织关系) out to another "
                         "organisation; it is pending until received.")  # fmt: skip
    async def transfer_out(self, info: GInfo, input: TransferOutInput) -> TransferPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Transfer:
            row = await transfers.transfer_out(
                session, actor, recorder, member=ref(input.member, "Member"),
                to=ref(input.to, "Organisation"), on=on_day(input.on, "on"),
            )  # fmt: skip
            member = await session.get(Member, row.member_id)
            assert member is not None
            return Transfer.from_row(row, member)

        found, errors = await run_write(info, work)
        return TransferPayload(transfer=found, user_errors=errors)

    @strawberry.mutation(description="Receive a pending transfer into your organisation: the "
                         "member joins it on that day.")  # fmt: skip
    async def receive_transfer(
        self, info: GInfo, input: ReceiveTransferInput
    ) -> TransferPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Transfer:
            number = str(input.transfer).strip()
            if not number.isdigit():
                raise fail("transfer", f"{number!r} is not a transfer's number (Transfer.id)")
            row = await transfers.receive_transfer(
                session, actor, recorder, transfer=int(number), on=on_day(input.on, "on")
            )
            member = await session.get(Member, row.member_id)
            assert member is not None
            return Transfer.from_row(row, member)

        found, errors = await run_write(info, work)
        return TransferPayload(transfer=found, user_errors=errors)
