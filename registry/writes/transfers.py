"""Transfers of a member's organisational tie (组织关系) in two steps: the member's organisation
transfers it out, the receiving organisation receives it; in between it is pending, and both
sides see it, and either may cancel it. Receiving moves the member as `transfer_member` does,
on the day received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.access.actor import SYSTEM, Actor
from registry.access.lookup import Key, get_organisation
from registry.audit.changelog import label
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import MEMBER_HOLDING_KINDS, OrgKind
from registry.core.models import Member, Organisation, Transfer
from registry.writes.commands import handles
from registry.writes.common import require_active
from registry.writes.members import TransferMember, transfer_member, writable_member


@dataclass(frozen=True)
class TransferOut:
    """What `transfer_out` is asked to do."""

    member: Key
    to: Key
    on: date


@handles(TransferOut)
async def transfer_out(session: AsyncSession, actor: Actor, command: TransferOut) -> Transfer:
    """The member's organisation transfers their tie out to `to` on `on`; the member stays
    where they are until `to` receives it. One transfer is pending per member at a time.
    `to` must lie in the caller's scope, as every reference does (one outside reads as
    missing): a transfer between two communities is made by the sub-district."""
    actor.require_write()
    target = await get_organisation(session, actor, command.to, "to", for_update=True)
    row = await writable_member(session, actor, command.member)
    if OrgKind(target.kind) not in MEMBER_HOLDING_KINDS:
        raise fail(
            "to",
            f"{target.code!r} is a {target.kind}: it cannot hold members",
            ErrorCode.WRONG_KIND,
            "ORGANISATION_KIND",
            code=target.code,
            kind=target.kind,
        )  # fmt: skip
    await require_active(target, "to")
    if row.organisation_id is None:
        raise fail(
            "member",
            f"{row.code!r} is in service: their tie is at their workplace",
            ErrorCode.INVALID,
            "IN_SERVICE_TIE",
            code=row.code,
        )
    if row.organisation_id == target.id:
        raise fail(
            "to",
            f"{row.code!r} already belongs to {target.code!r}",
            ErrorCode.INVALID,
            "ALREADY_BELONGS",
            code=row.code,
            organisation=target.code,
        )
    pending = await session.scalar(
        select(Transfer.id).where(Transfer.member_id == row.id, Transfer.pending())
    )
    if pending is not None:
        raise fail(
            "member",
            f"{row.code!r}'s tie is already on its way elsewhere; it must be "
                   "received first",
            ErrorCode.CONFLICT,
            "TRANSFER_PENDING_ALREADY",
            code=row.code,
        )  # fmt: skip
    found = Transfer(
        member_id=row.id, from_id=row.organisation_id, to_id=target.id, out_on=command.on
    )
    session.add(found)
    await session.flush()
    label(session, found, "out")
    return found


@dataclass(frozen=True)
class ReceiveTransfer:
    """What `receive_transfer` is asked to do."""

    transfer: int
    on: date


@handles(ReceiveTransfer)
async def receive_transfer(
    session: AsyncSession, actor: Actor, command: ReceiveTransfer
) -> Transfer:
    """The receiving organisation receives a pending transfer on `on`: the member joins it (the
    old affiliation closes, offices there end, the old group is left)."""
    actor.require_write()
    query = (
        select(Transfer)
        .join(Organisation, Organisation.id == Transfer.to_id)
        .where(actor.org_clause())
    )
    found = await _pending_transfer(session, query, command.transfer, command.on, "to")
    on = command.on
    where = select(Member.organisation_id).where(Member.id == found.member_id)
    now_in = await session.scalar(where)
    if now_in != found.from_id:
        raise fail(
            "transfer",
            "the member has been moved since this transfer was made out; "
                   "their organisation makes out a new one",
            ErrorCode.STALE,
            "MOVED_SINCE_TRANSFER",
        )  # fmt: skip
    # The receiving side may not see the member (they belong elsewhere until now): the move
    # is the system's, on this request's record.
    moving = TransferMember(
        member=found.member_id, organisation=found.to_id, workplace=None, reports_to=None, on=on
    )
    await transfer_member(session, SYSTEM, moving)
    found.received_on = on
    await session.flush()
    label(session, found, "receive")
    return found


@dataclass(frozen=True)
class CancelTransfer:
    """What `cancel_transfer` is asked to do."""

    transfer: int
    on: date
    today: date


@handles(CancelTransfer)
async def cancel_transfer(session: AsyncSession, actor: Actor, command: CancelTransfer) -> Transfer:
    """Either side cancels a pending transfer on `on` (the member changed their plans, the
    receiving organisation declined it): the member stays where they are, and their
    organisation may transfer them out again."""
    actor.require_write()
    sender, receiver = aliased(Organisation), aliased(Organisation)
    query = (
        select(Transfer)
        .join(sender, sender.id == Transfer.from_id)
        .join(receiver, receiver.id == Transfer.to_id)
        .where(or_(actor.org_clause(sender.path), actor.org_clause(receiver.path)))
    )
    found = await _pending_transfer(session, query, command.transfer, command.on, "from or to")
    if command.on > command.today:
        raise fail("on", "the day is in the future", ErrorCode.INVALID, "DAY_FUTURE")
    found.cancelled_on = command.on
    await session.flush()
    label(session, found, "cancel")
    return found


async def _pending_transfer(
    session: AsyncSession, query: Select[Transfer], transfer: int, on: date, sides: str
) -> Transfer:
    """The pending transfer `transfer` among those `query` selects (the caller's side of
    them), locked; refused when not found there, no longer pending, or when `on` is before it
    went out."""
    found = await session.scalar(query.where(Transfer.id == transfer).with_for_update(of=Transfer))
    if found is None:
        raise fail(
            "transfer",
            f"no transfer with id {transfer} {sides} an organisation in your scope",
            ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE",
            noun="transfer",
            ref=transfer,
        )
    _require_pending(found)
    if on < found.out_on:
        raise fail(
            "on",
            f"it was transferred out on {found.out_on}, after that day",
            ErrorCode.INVALID,
            "BEFORE_TRANSFERRED",
            on=on,
            out=found.out_on,
        )
    return found


def _require_pending(found: Transfer) -> None:
    """Refuse a transfer already received or cancelled."""
    if found.received_on is not None:
        raise fail(
            "transfer",
            f"this transfer was received on {found.received_on}",
            ErrorCode.CONFLICT,
            "TRANSFER_RECEIVED",
            on=found.received_on,
        )  # fmt: skip
    if found.cancelled_on is not None:
        raise fail(
            "transfer",
            f"this transfer was cancelled on {found.cancelled_on}",
            ErrorCode.CONFLICT,
            "TRANSFER_CANCELLED",
            on=found.cancelled_on,
        )  # fmt: skip
