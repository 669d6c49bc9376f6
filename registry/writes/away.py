"""Members away from home (外出, 流动党员): since when, where, and the organisation they take part
in there — one of the registry's or named in words. 党员教育管理工作条例 第二十五条: a member away
to study, work or live for 6 months or more at a fairly fixed place transfers their tie
(组织关系) there; until then, or where it cannot be transferred, they take part where they are
(the rules report gives the notice: `registry.reports.rules`, `AWAY_SHOULD_TRANSFER`). Coming
back clears it; the change log keeps what was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_organisation
from registry.audit.changelog import label
from registry.core.errors import ErrorCode, fail
from registry.core.models import NAME_MAX, Member
from registry.writes.commands import handles
from registry.writes.common import check_version, text
from registry.writes.members import writable_member


@dataclass(frozen=True)
class RecordAway:
    """What `record_away` is asked to do."""

    member: Key
    since: date
    place: str
    today: date
    attends_organisation: Key | None = None
    attends: str | None = None
    expected_version: int | None = None


@handles(RecordAway)
async def record_away(session: AsyncSession, actor: Actor, command: RecordAway) -> Member:
    """Record (or correct) that the member is away from home since `since`, at `place`, taking
    part in an organisation there: one of the registry (in the caller's scope) or named in
    words, not both."""
    actor.require_write()
    if command.attends_organisation is not None and command.attends:
        raise fail(
            "attends",
            "name the organisation they take part in there either from the registry or in "
            "words, not both",
            ErrorCode.INVALID,
            "AWAY_ATTENDS_ONE",
        )
    attended = None
    if command.attends_organisation is not None:
        attended = await get_organisation(
            session, actor, command.attends_organisation, "attendsOrganisation"
        )
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    if row.joined is not None and command.since < row.joined:
        raise fail(
            "since",
            f"{row.code!r} joined on {row.joined}, after that day",
            ErrorCode.INVALID,
            "BEFORE_JOINED",
            code=row.code,
            joined=row.joined,
        )
    if command.since > command.today:
        raise fail("since", "the day is in the future", ErrorCode.INVALID, "DAY_FUTURE")
    row.away_since = command.since
    row.away_place = text(command.place, "place", NAME_MAX)
    row.away_attends_id = attended.id if attended else None
    row.away_attends = text(command.attends, "attends", NAME_MAX, required=False)
    row.version += 1
    await session.flush()
    label(session, row, "away")
    return row


@dataclass(frozen=True)
class RecordReturn:
    """What `record_return` is asked to do."""

    member: Key
    on: date
    expected_version: int | None = None


@handles(RecordReturn)
async def record_return(session: AsyncSession, actor: Actor, command: RecordReturn) -> Member:
    """The member is back home on `on`: no longer away (the change log keeps the stay)."""
    actor.require_write()
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    if row.away_since is None:
        raise fail(
            "member",
            f"{row.code!r} is not recorded as away from home",
            ErrorCode.CONFLICT,
            "NOT_AWAY",
            code=row.code,
        )
    if command.on < row.away_since:
        raise fail(
            "on",
            f"{row.code!r} is away since {row.away_since}, after that day",
            ErrorCode.INVALID,
            "BEFORE_AWAY",
            code=row.code,
            since=row.away_since,
        )
    row.away_since = row.away_place = row.away_attends = None
    row.away_attends_id = None
    row.version += 1
    await session.flush()
    label(session, row, "back", after={"effective_on": command.on})
    return row
