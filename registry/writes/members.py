"""Writes of members: create, update, transfer (history kept), confirm probationary members."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_member, get_organisation, get_place, lock_in_order
from registry.audit.changelog import label
from registry.core import calendar
from registry.core.calendar import probation_end
from registry.core.config import RuleThresholds
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import (
    MEMBER_HOLDING_KINDS,
    REPORTING_KINDS,
    Gender,
    MemberStatus,
    OrgKind,
    PlaceKind,
)
from registry.core.models import (
    MEMBER_NAME_MAX,
    SKILL_MAX,
    WORKPLACE_MAX,
    Affiliation,
    Member,
    MemberSkill,
    Office,
    Organisation,
)
from registry.core.placements import regroup_on
from registry.writes.commands import handles
from registry.writes.common import (
    check_version,
    free_code,
    require_active,
    text,
)

# Mainland mobile numbers: 11 digits starting 13–19 (an optional +86/86 prefix is dropped).
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Organisations an in-service member may report to (双报到): community-level ones and branches.


def clean_task_capacity(raw: int | None) -> int | None:
    """A member's own task capacity (whole tasks at once, within the rule limits), or None."""
    if raw is None:
        return None
    low, high = RuleThresholds.task_capacity_min, RuleThresholds.task_capacity_max
    if not low <= raw <= high:
        raise fail(
            "taskCapacity",
            f"{raw} is not a whole number from {low} to {high} (how many "
                   "tasks the member may hold at once); omit it for the default",
            ErrorCode.INVALID,
            "TASK_CAPACITY_RANGE",
            value=raw,
            minimum=low,
            maximum=high,
        )  # fmt: skip
    return raw


def clean_phone(raw: str | None) -> str | None:
    """An 11-digit mainland mobile number, or None to leave it empty; else a user error."""
    if raw is None or not raw.strip():
        return None
    digits = re.sub(r"[\s\-()]", "", raw)
    digits = digits.removeprefix("+86") if digits.startswith("+86") else digits
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise fail(
            "phone",
            f"{raw!r} is not an 11-digit mainland mobile number (1xxxxxxxxxx)",
            ErrorCode.INVALID,
            "PHONE_FORMAT",
            value=raw,
        )
    return digits


def clean_skills(raw: list[str]) -> list[str]:
    """Trimmed, distinct skills in the order given."""
    skills = [text(s, "skills", SKILL_MAX) or "" for s in raw]
    return list(dict.fromkeys(s for s in skills if s))


@dataclass(frozen=True)
class Tie:
    """A member's formal tie: an organisation, or (in service) a workplace and where they report."""

    organisation: Organisation | None
    workplace: str | None
    reports_to: Organisation | None


async def resolve_tie(
    session: AsyncSession,
    actor: Actor,
    organisation: Key | None,
    workplace: str | None,
    reports_to: Key | None,
) -> Tie:
    """Check the one-formal-organisation rule and the kinds of the organisations named."""
    place = text(workplace, "workplace", WORKPLACE_MAX, required=False)
    if (organisation is None) == (place is None):
        raise fail(
            "organisation",
            "a member has exactly one formal organisation: give either `organisation` or, "
            "for an in-service member, `workplace` (with `reportsTo`), not both and not neither",
            ErrorCode.INVALID,
            "ONE_TIE",
        )
    if organisation is not None:
        if reports_to is not None:
            raise fail(
                "reportsTo",
                "only in-service members (with a workplace) report elsewhere "
                "(双报到); a member of a local organisation reports to it already",
                ErrorCode.INVALID,
                "REPORTS_TO_LOCAL",
            )
        # Locked: a transfer into a branch being merged or dissolved waits, then is refused.
        org = await get_organisation(session, actor, organisation, "organisation", for_update=True)
        if OrgKind(org.kind) not in MEMBER_HOLDING_KINDS:
            allowed = ", ".join(sorted(k.value for k in MEMBER_HOLDING_KINDS))
            raise fail(
                "organisation",
                f"{org.code!r} is a {org.kind}; a formal organisation must be one of: {allowed}",
                ErrorCode.WRONG_KIND,
                "ORGANISATION_KIND",
                code=org.code,
                kind=org.kind,
            )
        await require_active(org, "organisation")
        return Tie(org, None, None)
    if reports_to is None:
        raise fail(
            "reportsTo",
            "an in-service member must report (双报到) to a community "
            "organisation or a branch: give `reportsTo`",
            ErrorCode.INVALID,
            "REPORTS_TO_NEEDED",
        )
    target = await get_organisation(session, actor, reports_to, "reportsTo", for_update=True)
    if OrgKind(target.kind) not in REPORTING_KINDS:
        allowed = ", ".join(sorted(k.value for k in REPORTING_KINDS))
        raise fail(
            "reportsTo",
            f"{target.code!r} is a {target.kind}; members report to one of: {allowed}",
            ErrorCode.WRONG_KIND,
            "REPORTS_TO_KIND",
            code=target.code,
            kind=target.kind,
        )
    await require_active(target, "reportsTo")
    return Tie(None, place, target)


async def household(session: AsyncSession, actor: Actor, ref: Key) -> int:
    row = await get_place(session, actor, ref, "household")
    if row.kind != PlaceKind.HOUSEHOLD.value:
        raise fail(
            "household",
            f"{row.code!r} is a {row.kind}, not a household",
            ErrorCode.WRONG_KIND,
            "NOT_A_HOUSEHOLD",
            code=row.code,
            kind=row.kind,
        )
    return row.id


async def find_group(session: AsyncSession, actor: Actor, key: Key | None) -> Organisation | None:
    """The active Party group (党小组) named, locked (organisations lock before members), or
    None when none is named."""
    if key is None:
        return None
    row = await get_organisation(session, actor, key, "group", for_update=True)
    if row.kind != OrgKind.GROUP.value:
        raise fail(
            "group",
            f"{row.code!r} is a {row.kind}, not a Party group (党小组)",
            ErrorCode.WRONG_KIND,
            "NOT_A_GROUP",
            code=row.code,
            kind=row.kind,
        )  # fmt: skip
    await require_active(row, "group")
    return row


def place_in_group(member: Member, group: Organisation | None) -> None:
    """Put the member in `group` (None: in no group). A member belongs to a group of their
    own branch (党章 第八条: every member is placed in a branch, a group or another unit of
    the Party); an in-service member's branch is at their workplace, so they are in none here."""
    if group is not None and group.parent_id != member.organisation_id:
        raise fail(
            "group",
            f"{group.code!r} is not a group of {member.code!r}'s own organisation: a member "
            "joins a group of the branch they belong to",
            ErrorCode.CONFLICT,
            "GROUP_NOT_OWN",
            group=group.code,
            code=member.code,
        )
    member.group_id = group.id if group is not None else None


async def writable_member(
    session: AsyncSession, actor: Actor, key: Key, lock: bool = True
) -> Member:
    """A member the actor may change: one who belongs or reports inside the actor's scope
    (living in the territory lets a scoped token read a member, not move them), and who has
    not left the Party or died. Locked (SELECT ... FOR UPDATE) unless `lock` is False."""
    row = await get_member(session, actor, key, "member", for_update=lock)
    if row.departed_on is not None:
        # History is kept as it was: one who left the Party or died is changed no more.
        raise fail(
            "member",
            f"{row.code!r} left the Party or died on {row.departed_on}: their record is "
            "history and is not changed",
            ErrorCode.CONFLICT,
            "MEMBER_DEPARTED",
            code=row.code,
            on=row.departed_on,
        )
    if actor.unscoped:
        return row
    ids = [i for i in (row.organisation_id, row.reports_to_id) if i is not None]
    paths = list(await session.scalars(select(Organisation.path).where(Organisation.id.in_(ids))))
    if not any(actor.sees_org(p) for p in paths):
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            "member",
            f"no member with {shown} in your scope",
            ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE",
            noun="member",
            ref=key,
        )
    return row


async def reaffiliate(session: AsyncSession, member: Member, tie: Tie, on: date) -> None:
    """Close the member's open affiliation on `on` and open the new one (history is kept)."""
    for old in await session.scalars(
        select(Affiliation).where(Affiliation.member_id == member.id, Affiliation.end.is_(None))
    ):
        old.end = max(on, old.start) if old.start else on
        label(session, old, "end")
    new = Affiliation(
        member_id=member.id,
        organisation_id=tie.organisation.id if tie.organisation else None,
        workplace=tie.workplace,
        start=on,
    )
    session.add(new)
    member.organisation_id = new.organisation_id
    member.workplace = tie.workplace
    member.reports_to_id = tie.reports_to.id if tie.reports_to else None
    # In service is the tie chosen: at a workplace, reporting where they live. A member who
    # leaves service has no 报到 day any more (the change log keeps the old one).
    member.in_service = tie.workplace is not None
    if not member.in_service:
        member.reported_on = None


def set_reported_on(member: Member, reported_on: date | None, today: date) -> None:
    """Record the day an in-service member reported (报到) to the community where they live
    (None: leave it as it is)."""
    if reported_on is None:
        return
    if not member.in_service:
        raise fail(
            "reportedOn",
            f"{member.code!r} is not in service: only an in-service member reports (报到) to "
            "the community where they live",
            ErrorCode.INVALID,
            "NOT_IN_SERVICE",
            code=member.code,
        )
    check_member_day("reportedOn", member, reported_on, today)
    member.reported_on = reported_on


async def _set_skills(session: AsyncSession, member_id: int, skills: list[str]) -> None:
    await session.execute(delete(MemberSkill).where(MemberSkill.member_id == member_id))
    session.add_all(MemberSkill(member_id=member_id, skill=s) for s in skills)


@dataclass(frozen=True)
class CreateMember:
    """What `create_member` is asked to do."""

    code: str
    name: str
    gender: Gender | None
    status: MemberStatus
    joined: date | None
    full_on: date | None
    organisation: Key | None
    workplace: str | None
    reports_to: Key | None
    household_ref: Key | None
    phone: str | None
    skills: list[str]
    today: date
    task_capacity: int | None = None
    group: Key | None = None
    reported_on: date | None = None


@handles(CreateMember)
async def create_member(session: AsyncSession, actor: Actor, command: CreateMember) -> Member:
    """Register a member with one formal organisation (or a workplace and reporting), and,
    given `group`, in that group of their organisation."""
    actor.require_write()
    clean_name = text(command.name, "name", MEMBER_NAME_MAX)
    tie = await resolve_tie(
        session, actor, command.organisation, command.workplace, command.reports_to
    )
    in_group = await find_group(session, actor, command.group)
    home = await household(session, actor, command.household_ref) if command.household_ref else None
    if command.status == MemberStatus.PROBATIONARY and command.full_on is not None:
        raise fail(
            "fullOn",
            "a probationary member has no full-membership date yet",
            ErrorCode.INVALID,
            "PROBATIONARY_NO_FULL_DATE",
        )
    if command.joined and command.full_on and command.full_on < command.joined:
        raise fail(
            "fullOn",
            "full membership cannot start before joining",
            ErrorCode.INVALID,
            "FULL_BEFORE_JOINING",
        )
    if command.joined and command.joined > command.today:
        raise fail(
            "joined",
            "the joining date is in the future",
            ErrorCode.INVALID,
            "JOINED_FUTURE",
        )
    code = await free_code(session, Member, command.code)
    row = Member(
        code=code,
        name=clean_name,
        gender=command.gender.value if command.gender else None,
        status=command.status.value,
        joined=command.joined,
        full_on=command.full_on,
        household_id=home,
        phone=clean_phone(command.phone),
        task_capacity=clean_task_capacity(command.task_capacity),
        version=1,
    )
    session.add(row)
    await session.flush()
    await reaffiliate(session, row, tie, command.joined or command.today)
    set_reported_on(row, command.reported_on, command.today)
    place_in_group(row, in_group)
    await _set_skills(session, row.id, clean_skills(command.skills))
    await session.flush()
    label(session, row, "create", after={"skills": clean_skills(command.skills)})
    return row


@dataclass(frozen=True)
class UpdateMember:
    """What `update_member` is asked to do."""

    member: Key
    name: str | None = None
    gender: Gender | None = None
    household_ref: Key | None = None
    phone: str | None = None
    skills: list[str] | None = None
    workplace: str | None = None
    reports_to: Key | None = None
    expected_version: int | None = None
    task_capacity: int | None = None
    group: Key | None = None
    leave_group: bool = False
    reported_on: date | None = None
    today: date = field(default_factory=calendar.today)


@handles(UpdateMember)
async def update_member(session: AsyncSession, actor: Actor, command: UpdateMember) -> Member:
    """Change a member's own details, skills, phone, task capacity, group (or, with
    `leave_group`, take them out of theirs), and an in-service member's workplace,
    reporting or 报到 day. A phone of "" clears it. The formal organisation changes only by
    transferMember."""
    actor.require_write()
    if command.group is not None and command.leave_group:
        raise fail(
            "group",
            "give a group or leave the group, not both",
            ErrorCode.INVALID,
            "GROUP_OR_LEAVE",
        )
    in_group = await find_group(session, actor, command.group)
    tie: Tie | None = None
    seen_reports_to: int | None = None
    if command.workplace is not None or command.reports_to is not None:
        # The organisation is locked before the member, the order merges lock in (a merge
        # moving this member's reporting meanwhile would otherwise deadlock with us).
        seen = await writable_member(session, actor, command.member, lock=False)
        if not seen.in_service:
            raise fail(
                "workplace" if command.workplace is not None else "reportsTo",
                f"{seen.code!r} is not in service; use transferMember to give them a workplace",
                ErrorCode.INVALID,
                "NOT_IN_SERVICE",
                code=seen.code,
            )
        tie = await resolve_tie(
            session,
            actor,
            None,
            command.workplace or seen.workplace,
            command.reports_to or seen.reports_to_id,
        )
        seen_reports_to = seen.reports_to_id
        row = seen
        await lock_in_order(session, [row])  # locked and re-read: what others committed
    else:
        row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    if tie is not None and (
        not row.in_service
        or (command.reports_to is None and row.reports_to_id != seen_reports_to)
    ):
        raise fail(
            "member",
            f"{row.code!r} was transferred or re-tied meanwhile; read it again and retry",
            ErrorCode.STALE,
            "RETIED_MEANWHILE",
            code=row.code,
        )
    old_skills = list(
        await session.scalars(select(MemberSkill.skill).where(MemberSkill.member_id == row.id))
    )
    if command.name is not None:
        row.name = text(command.name, "name", MEMBER_NAME_MAX) or row.name
    if command.gender is not None:
        row.gender = command.gender.value
    if command.household_ref is not None:
        row.household_id = await household(session, actor, command.household_ref)
    if command.phone is not None:
        row.phone = clean_phone(command.phone)
    if command.task_capacity is not None:
        row.task_capacity = clean_task_capacity(command.task_capacity)
    if in_group is not None or command.leave_group:
        place_in_group(row, in_group)
    if tie is not None:
        row.workplace = tie.workplace
        row.reports_to_id = tie.reports_to.id if tie.reports_to else None
    set_reported_on(row, command.reported_on, command.today)
    new_skills = old_skills
    if command.skills is not None:
        new_skills = clean_skills(command.skills)
        await _set_skills(session, row.id, new_skills)
    row.version += 1
    await session.flush()
    label(session, row, "update", before={"skills": old_skills}, after={"skills": new_skills})
    return row


@dataclass(frozen=True)
class TransferMember:
    """What `transfer_member` is asked to do."""

    member: Key
    organisation: Key | None
    workplace: str | None
    reports_to: Key | None
    on: date
    expected_version: int | None = None
    group: Key | None = None
    reported_on: date | None = None


@handles(TransferMember)
async def transfer_member(session: AsyncSession, actor: Actor, command: TransferMember) -> Member:
    """Move a member's formal tie to another organisation (or a workplace), closing the old
    affiliation on `on` and opening the new one; offices in the old organisation end then.
    The old branch's group is left too: the member is in `group` of the new one, if given,
    else in none until placed."""
    actor.require_write()
    # Organisations are locked before members, the order merges lock in (no deadlock).
    tie = await resolve_tie(
        session, actor, command.organisation, command.workplace, command.reports_to
    )
    in_group = await find_group(session, actor, command.group)
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    if tie.organisation is not None and tie.organisation.id == row.organisation_id:
        raise fail(
            "organisation",
            f"{row.code!r} already belongs to {tie.organisation.code!r}",
            ErrorCode.INVALID,
            "ALREADY_BELONGS",
            code=row.code,
            organisation=tie.organisation.code,
        )
    old_org = row.organisation_id
    await reaffiliate(session, row, tie, command.on)
    set_reported_on(row, command.reported_on, max(command.on, calendar.today()))
    place_in_group(row, in_group)
    regroup_on(session, row.id, command.on)  # the old group is left with the branch
    if old_org is not None:
        for office in await session.scalars(
            select(Office).where(
                Office.member_id == row.id,
                # The old branch's groups too: a group leader leaves the group with the branch.
                Office.organisation_id.in_(
                    select(Organisation.id).where(
                        or_(
                            Organisation.id == old_org,
                            and_(
                                Organisation.parent_id == old_org,
                                Organisation.kind == OrgKind.GROUP.value,
                            ),
                        )
                    )
                ),
                Office.end.is_(None),
            )
        ):
            office.end = max(command.on, office.start) if office.start else command.on
            label(session, office, "end")
    row.version += 1
    await session.flush()
    label(session, row, "transfer")
    return row


@dataclass(frozen=True)
class ConfirmMember:
    """What `confirm_member` is asked to do."""

    member: Key
    on: date
    probation_years: int
    expected_version: int | None = None


@handles(ConfirmMember)
async def confirm_member(session: AsyncSession, actor: Actor, command: ConfirmMember) -> Member:
    """A probationary member becomes a full member on `on`, once the probation of
    `probation_years` from joining, and any recorded extension, has run (党章 第七条:
    预备期为一年); before that the branch may not yet decide (DESIGN section 2)."""
    actor.require_write()
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    if row.status != MemberStatus.PROBATIONARY.value:
        raise fail(
            "member",
            f"{row.code!r} is already a full member",
            ErrorCode.CONFLICT,
            "ALREADY_FULL",
            code=row.code,
        )
    if row.joined and command.on < row.joined:
        raise fail(
            "on",
            f"full membership cannot start before joining ({row.joined})",
            ErrorCode.INVALID,
            "BEFORE_JOINED",
            code=row.code,
            joined=row.joined,
        )
    extended = row.probation_extended_months
    if row.joined and command.on < (
        due := probation_end(row.joined, command.probation_years, extended)
    ):
        longer = f", extended by {extended} month(s)," if extended else ""
        raise fail(
            "on",
            f"{row.code!r} joined on {row.joined}: the probation of "
            f"{command.probation_years} year(s){longer} runs until {due}, so they can be "
            "confirmed from that day",
            ErrorCode.CONFLICT,
            "PROBATION_RUNNING",
            code=row.code,
            joined=row.joined,
            years=command.probation_years,
            extended=extended or 0,
            due=due,
        )
    row.status = MemberStatus.FULL.value
    row.full_on = command.on
    row.version += 1
    await session.flush()
    label(session, row, "confirm")
    return row


@dataclass(frozen=True)
class ExtendProbation:
    """What `extend_probation` is asked to do."""

    member: Key
    months: int
    decided_on: date
    rules: RuleThresholds
    expected_version: int | None = None


@handles(ExtendProbation)
async def extend_probation(session: AsyncSession, actor: Actor, command: ExtendProbation) -> Member:
    """Record the branch's decision to extend a probationary member's probation by `months`
    (党章 第七条: by no more than a year; 《发展党员工作细则》: by at least half a year),
    decided on `decided_on`; the probation then ends that much later. A probation is extended
    once."""
    actor.require_write()
    row = await writable_member(session, actor, command.member)
    check_version(row, command.expected_version, "member")
    low = command.rules.probation_min_extension_months
    high = command.rules.probation_max_extension_years * 12
    if row.status != MemberStatus.PROBATIONARY.value:
        raise fail(
            "member",
            f"{row.code!r} is a full member: there is no probation to extend",
            ErrorCode.CONFLICT,
            "NO_PROBATION",
            code=row.code,
        )  # fmt: skip
    if row.probation_extended_months is not None:
        raise fail(
            "member",
            f"{row.code!r}'s probation was already extended on {row.probation_extended_on} by "
            f"{row.probation_extended_months} month(s); it is extended once (党章 第七条)",
            ErrorCode.CONFLICT,
            "EXTENDED_ONCE",
            code=row.code,
            on=row.probation_extended_on,
            months=row.probation_extended_months,
        )
    if not low <= command.months <= high:
        raise fail(
            "months",
            f"{command.months} is not from {low} to {high} months: a probation is "
                   "extended by at least half a year and at most a year (党章 第七条)",
            ErrorCode.INVALID,
            "EXTENSION_MONTHS",
            months=command.months,
            minimum=low,
            maximum=high,
        )  # fmt: skip
    if row.joined and command.decided_on < row.joined:
        raise fail(
            "decidedOn",
            f"{row.code!r} joined on {row.joined}, after that day",
            ErrorCode.INVALID,
            "BEFORE_JOINED",
            code=row.code,
            joined=row.joined,
        )
    row.probation_extended_on = command.decided_on
    row.probation_extended_months = command.months
    row.version += 1
    label(session, row, "extend_probation")
    await session.flush()
    return row


def check_member_day(field: str, member: Member, on: date, today: date) -> None:
    """Refuse a day in a member's record before they joined or after today."""
    if member.joined is not None and on < member.joined:
        raise fail(
            field,
            f"{member.code!r} joined on {member.joined}, after that day",
            ErrorCode.INVALID,
            "BEFORE_JOINED",
            code=member.code,
            joined=member.joined,
        )
    if on > today:
        raise fail(field, "the day is in the future", ErrorCode.INVALID, "DAY_FUTURE")
