"""Two-step transfers of a member's tie (组织关系): transferOut, receiveTransfer,
cancelTransfer."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, ref
from registry.api.mutations.runner import run
from registry.api.types import Transfer
from registry.core import calendar
from registry.core.errors import ErrorCode, fail
from registry.core.models import Member
from registry.core.models import Transfer as TransferRow
from registry.writes import transfers


@strawberry.input
class TransferOutInput:
    member: str
    to: str = strawberry.field(description="The receiving organisation, in your scope.")
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")

    def command(self, ctx: Context) -> transfers.TransferOut:
        return transfers.TransferOut(
            member=ref(self.member, "Member"),
            to=ref(self.to, "Organisation"),
            on=on_day(self.on, "on"),
        )


@strawberry.input
class ReceiveTransferInput:
    transfer: strawberry.ID = strawberry.field(description="Transfer.id.")
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")

    def command(self, ctx: Context) -> transfers.ReceiveTransfer:
        return transfers.ReceiveTransfer(
            transfer=transfer_number(self.transfer), on=on_day(self.on, "on")
        )


@strawberry.input
class CancelTransferInput:
    transfer: strawberry.ID = strawberry.field(description="Transfer.id.")
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")

    def command(self, ctx: Context) -> transfers.CancelTransfer:
        return transfers.CancelTransfer(
            transfer=transfer_number(self.transfer),
            on=on_day(self.on, "on"),
            today=calendar.today(),
        )


def transfer_number(raw: strawberry.ID) -> int:
    """A transfer's number as given (Transfer.id), else a user error."""
    number = str(raw).strip()
    if not number.isdigit():
        raise fail(
            "transfer",
            f"{number!r} is not a transfer's number (Transfer.id)",
            ErrorCode.INVALID,
            "TRANSFER_NUMBER",
            value=number,
        )
    return int(number)


@strawberry.type
class TransferPayload:
    transfer: Transfer | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: TransferRow) -> TransferPayload:
        member = await session.get(Member, row.member_id)
        if member is None:  # the key holds a member: only a broken database has none
            raise LookupError(f"transfer {row.id} names no member")
        return cls(transfer=Transfer.from_row(row, member), user_errors=[])


@strawberry.type
class TransferMutations:
    @strawberry.mutation(description="Transfer a member's tie (组织关系) out to another "
                         "organisation; it is pending until received.")  # fmt: skip
    async def transfer_out(self, info: GInfo, input: TransferOutInput) -> TransferPayload:
        return await run(info, input, TransferPayload)

    @strawberry.mutation(description="Receive a pending transfer into your organisation: the "
                         "member joins it on that day.")  # fmt: skip
    async def receive_transfer(self, info: GInfo, input: ReceiveTransferInput) -> TransferPayload:
        return await run(info, input, TransferPayload)

    @strawberry.mutation(description="Cancel a pending transfer, from either side, before it "
                         "is received: the member stays where they are.")  # fmt: skip
    async def cancel_transfer(self, info: GInfo, input: CancelTransferInput) -> TransferPayload:
        return await run(info, input, TransferPayload)
