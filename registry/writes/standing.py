"""A member's standing as dated events that keep history (`MemberStanding`): lost contact
(失去联系) and a suspended membership (停止党籍), which a later decision restores (恢复联系,
恢复党籍); leaving the Party (出党: 退党, 除名, 开除党籍) and death, which are final.

One standing is open at a time: recording a new one closes the open one that day (lost contact
for six months leads to a suspension, a suspension of two years to being struck off: 党员教育
管理工作条例 第二十四条). Leaving or death sets `Member.departed_on`, so the member is no longer
counted anywhere live, and ends what they hold: their formal tie (the affiliation closes), their
offices, pairings and group, a transfer still on its way, and their bookings on tasks
still under way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_organisation
from registry.audit.changelog import label
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import (
    BOOKING_ASSIGNMENT_STATUSES,
    BOOKING_TASK_STATUSES,
    DEPARTING_STANDINGS,
    RESTORABLE_STANDINGS,
    AssignmentStatus,
    LeavingWay,
    StandingKind,
)
from registry.core.models import (
    NOTE_MAX,
    Affiliation,
    Assignment,
    Member,
    MemberStanding,
    Office,
    Organisation,
    Pairing,
    Task,
    Transfer,
)
from registry.core.placements import regroup_on
from registry.core.sql import one_of
from registry.writes.commands import handles
from registry.writes.common import check_version, text
from registry.writes.members import check_member_day, writable_member

# Standings the deciding organisation must be named for: a suspension is decided by the
# member's branch or a higher organisation (第二十四条), leaving by the organisation that
# struck off or expelled them, or accepted their withdrawal (党章 第九条).
_DECIDED_KINDS = frozenset({StandingKind.SUSPENDED, StandingKind.LEFT})


async def open_standing(session: AsyncSession, member_id: int) -> MemberStanding | None:
    """The member's open standing (none: in good standing). Read once the member is locked,
    so two writes to one member's standing take turns."""
    return await session.scalar(
        select(MemberStanding)
        .where(MemberStanding.member_id == member_id, MemberStanding.end.is_(None))
        .order_by(MemberStanding.start.desc(), MemberStanding.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class RecordStanding:
    """What `record_standing` is asked to do."""

    member: Key
    kind: StandingKind
    on: date
    today: date
    way: LeavingWay | None = None
    decided_by: Key | None = None
    note: str | None = None
    expected_version: int | None = None


@handles(RecordStanding)
async def record_standing(
    session: AsyncSession, actor: Actor, command: RecordStanding
) -> MemberStanding:
    """Record that the member lost contact, had their membership suspended, left the Party or
    died on `on`, decided by `decided_by`; the open standing, if any, closes that day."""
    actor.require_write()
    deciding = await _deciding(session, actor, command)
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    _check_way(command)
    check_member_day("on", row, command.on, command.today)
    current = await open_standing(session, row.id)
    if current is not None:
        if current.kind == command.kind.value:
            raise fail(
                "kind",
                f"{row.code!r} is already recorded as {current.kind} since {current.start}",
                ErrorCode.CONFLICT,
                "STANDING_ALREADY",
                code=row.code,
                standing=current.kind,
                on=current.start,
            )
        if command.on < current.start:
            raise fail(
                "on",
                f"{row.code!r} is recorded as {current.kind} since {current.start}: a later "
                "standing cannot start before it",
                ErrorCode.INVALID,
                "BEFORE_STANDING",
                code=row.code,
                standing=current.kind,
                on=current.start,
            )
        current.end = command.on
        label(session, current, "end")
    found = MemberStanding(
        member_id=row.id,
        kind=command.kind.value,
        way=command.way.value if command.way else None,
        start=command.on,
        decided_by_id=deciding.id if deciding else None,
        note=text(command.note, "note", NOTE_MAX, required=False, multiline=True),
    )
    session.add(found)
    if command.kind in DEPARTING_STANDINGS:
        await _depart(session, row, command.on)
    row.version += 1
    await session.flush()
    label(session, found, "record")
    label(session, row, command.kind.value)
    return found


@dataclass(frozen=True)
class RestoreStanding:
    """What `restore_standing` is asked to do."""

    member: Key
    on: date
    today: date
    note: str | None = None
    expected_version: int | None = None


@handles(RestoreStanding)
async def restore_standing(
    session: AsyncSession, actor: Actor, command: RestoreStanding
) -> MemberStanding:
    """Close the member's open lost contact (恢复联系) or suspension (恢复党籍, 第二十四条) on
    `on`; they are in good standing again. Leaving and death are never restored: one who
    left may rejoin only as a new member."""
    actor.require_write()
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    current = await open_standing(session, row.id)
    if current is None or StandingKind(current.kind) not in RESTORABLE_STANDINGS:
        raise fail(
            "member",
            f"{row.code!r} has neither lost contact nor a suspended membership to restore",
            ErrorCode.CONFLICT,
            "NOTHING_TO_RESTORE",
            code=row.code,
        )
    if command.on < current.start:
        raise fail(
            "on",
            f"{row.code!r} is recorded as {current.kind} since {current.start}, after that day",
            ErrorCode.INVALID,
            "BEFORE_STANDING",
            code=row.code,
            standing=current.kind,
            on=current.start,
        )
    if command.on > command.today:
        raise fail("on", "the day is in the future", ErrorCode.INVALID, "DAY_FUTURE")
    current.end = command.on
    if command.note:
        extra = text(command.note, "note", NOTE_MAX, required=False, multiline=True)
        current.note = text(
            "\n".join(n for n in (current.note, extra) if n), "note", NOTE_MAX, multiline=True
        )
    row.version += 1
    await session.flush()
    label(session, current, "restore")
    label(session, row, "restore")
    return current


async def _deciding(
    session: AsyncSession, actor: Actor, command: RecordStanding
) -> Organisation | None:
    """The deciding organisation, in the caller's scope; required where the regulations say
    an organisation decides (`_DECIDED_KINDS`). Read before the member is locked: organisations
    lock before members."""
    if command.decided_by is None:
        if command.kind in _DECIDED_KINDS:
            raise fail(
                "decidedBy",
                f"name the organisation that decided it: a {command.kind.value} standing is "
                "an organisation's decision",
                ErrorCode.INVALID,
                "DECIDED_BY_NEEDED",
                standing=command.kind.value,
            )
        return None
    return await get_organisation(session, actor, command.decided_by, "decidedBy")


def _check_way(command: RecordStanding) -> None:
    if command.kind is StandingKind.LEFT and command.way is None:
        raise fail(
            "way",
            "say how the member left the Party: withdrew (退党), struck off (除名) or "
            "expelled (开除党籍)",
            ErrorCode.INVALID,
            "LEAVING_WAY_NEEDED",
        )
    if command.kind is not StandingKind.LEFT and command.way is not None:
        raise fail(
            "way",
            "only leaving the Party has a way (退党, 除名, 开除党籍)",
            ErrorCode.INVALID,
            "LEAVING_WAY_ONLY",
            standing=command.kind.value,
        )


async def _depart(session: AsyncSession, row: Member, on: date) -> None:
    """End everything a member who left or died holds, on `on` (never before it started)."""
    row.departed_on = on
    row.group_id = None
    regroup_on(session, row.id, on)
    held: list[Affiliation | Office | Pairing] = [
        *await session.scalars(
            select(Affiliation).where(Affiliation.member_id == row.id, Affiliation.end.is_(None))
        ),
        *await session.scalars(
            select(Office).where(Office.member_id == row.id, Office.end.is_(None))
        ),
        *await session.scalars(
            select(Pairing).where(Pairing.member_id == row.id, Pairing.end.is_(None))
        ),
    ]
    for item in held:
        item.end = max(on, item.start) if item.start else on
        label(session, item, "end")
    for pending in await session.scalars(
        select(Transfer).where(
            Transfer.member_id == row.id,
            Transfer.received_on.is_(None),
            Transfer.cancelled_on.is_(None),
        )
    ):
        pending.cancelled_on = max(on, pending.out_on)
        label(session, pending, "cancel")
    bookings = await session.scalars(
        select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.member_id == row.id)
        .where(one_of(Assignment.status, BOOKING_ASSIGNMENT_STATUSES))
        .where(one_of(Task.status, BOOKING_TASK_STATUSES))
    )
    for booking in bookings:
        booking.status = AssignmentStatus.WITHDRAWN.value
        label(session, booking, "withdraw")
