"""Merging two branches into one, and splitting one into several: each one transaction.

Merge (the two branches of 吉安园茅溪小区 becoming one, DESIGN section 4): the source's members,
groups, covered places and reporting in-service members move to the survivor; its open offices
end on the merge date and continue in the survivor as new terms from that date, except that a
second secretary is not created when the survivor already has one (the survivor keeps its own
secretary; the source's secretary's term simply ends). The source stays, closed: status merged,
closed_on, merged_into, approved_by and approved_on.

Split: new organisations of the source's kind are created beside it (same parent); the members
(formal or reporting), groups and covered places listed for each part move there. Officers do
not move: a new organisation elects its own. With keepSource the rest stays in the source;
without it the source closes (status dissolved, with the approval), and everything it still holds
must be listed, since a split must not orphan members or groups; unlisted coverage just ends.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_member, get_organisation, get_place, lock_in_order
from registry.audit.changelog import describe, label
from registry.core.errors import ErrorCode, Problem, UserErrors, fail, problem
from registry.core.kinds import ESTATE_COVERING_KINDS, OfficeRole, OrgKind, OrgStatus
from registry.core.models import NAME_MAX, Coverage, Member, Office, Organisation
from registry.core.placements import regroup_on
from registry.writes.commands import handles
from registry.writes.common import (
    check_version,
    free_code,
    get_approver,
    move_subtree,
    require_active,
    sub_district_of,
    text,
)
from registry.writes.members import Tie, reaffiliate
from registry.writes.offices import SINGLE_HOLDER_ROLES
from registry.writes.organisations import (
    add_organisation,
    cover,
    end_offices,
    outside_around,
    require_contained,
    uncover,
)

T = TypeVar("T")


def _branch_kind(row: Organisation, field: str) -> None:
    if OrgKind(row.kind) not in ESTATE_COVERING_KINDS:
        raise fail(
            field,
            f"{row.code!r} is a {row.kind}; only branches and general branches "
            "are merged or split here",
            ErrorCode.WRONG_KIND,
            "ONLY_BRANCHES_MERGE",
            code=row.code,
            kind=row.kind,
        )


async def _move_members(
    session: AsyncSession, members: list[Member], to: Organisation, on: date
) -> None:
    for person in members:
        await reaffiliate(session, person, Tie(to, None, None), on)
        person.version += 1
        label(session, person, "transfer")


def _move_reporting(
    session: AsyncSession, members: list[Member], to: Organisation, on: date
) -> None:
    for person in members:
        person.reports_to_id = to.id
        person.version += 1
        label(session, person, "report", after={"effective_on": on})


async def _move_groups(
    session: AsyncSession,
    groups: list[Organisation],
    to: Organisation,
    on: date,
) -> None:
    for group in groups:
        await move_subtree(session, Organisation, group, to)
        # `effective_on`: the day the move took effect, for answers "as of" a date.
        label(session, group, "move", after={"effective_on": on})


def _close(
    session: AsyncSession,
    row: Organisation,
    status: OrgStatus,
    on: date,
    approver: Organisation,
    merged_into: Organisation | None = None,
) -> None:
    row.status = status.value
    row.closed_on = on
    row.merged_into_id = merged_into.id if merged_into else None
    row.approved_by_id = approver.id
    row.approved_on = on
    row.version += 1
    label(session, row, status.value)


@dataclass(frozen=True)
class MergeOrganisations:
    """What `merge_organisations` is asked to do."""

    source: Key
    into: Key
    approved_by: Key
    approved_on: date
    expected_version: int | None = None
    into_expected_version: int | None = None
    message: str | None = None  # why: kept with every change row


@handles(MergeOrganisations)
async def merge_organisations(
    session: AsyncSession, actor: Actor, command: MergeOrganisations
) -> tuple[Organisation, Organisation]:
    """Merge `source` into `into` (see the module docstring); returns (source, survivor).

    Both organisations are locked lowest id first, so two organisers merging A into B and B
    into A at once queue (one wins, the other finds its source merged) instead of deadlocking."""
    actor.require_write()
    describe(session, command.message)
    src = await get_organisation(session, actor, command.source, "source")
    dst = await get_organisation(session, actor, command.into, "into")
    if src.id == dst.id:
        raise fail(
            "into", f"{src.code!r} cannot be merged into itself; name another branch",
            ErrorCode.INVALID, "MERGE_INTO_ITSELF", code=src.code,
        )  # fmt: skip
    await lock_in_order(session, [src, dst])
    check_version(src, command.expected_version, "organisation")
    check_version(dst, command.into_expected_version, "organisation", "intoExpectedVersion")
    await require_active(src, "source")
    await require_active(dst, "into")
    _branch_kind(src, "source")
    _branch_kind(dst, "into")
    if src.kind != dst.kind:
        raise fail(
            "into",
            f"{src.code!r} is a {src.kind} and {dst.code!r} a {dst.kind}; "
            "only organisations of the same kind merge",
            ErrorCode.WRONG_KIND,
            "MERGE_KINDS_DIFFER",
            source=src.code,
            into=dst.code,
        )
    if dst.path.startswith(src.path) or src.path.startswith(dst.path):
        raise fail(
            "into", "one organisation lies inside the other", ErrorCode.CYCLE, "MERGE_NESTED"
        )
    src_sub, dst_sub = await sub_district_of(session, src), await sub_district_of(session, dst)
    if src_sub is None or dst_sub is None or src_sub.id != dst_sub.id:
        raise fail(
            "into",
            f"{src.code!r} and {dst.code!r} are in different sub-districts "
            f"({src_sub.code if src_sub else 'none'} and {dst_sub.code if dst_sub else 'none'}); "
            "branches merge only within one sub-district — transfer members instead",
            ErrorCode.INVALID,
            "MERGE_ACROSS_SUBDISTRICTS",
            source=src.code,
            into=dst.code,
        )
    approver = await get_approver(session, actor, command.approved_by, [src, dst], "approvedBy")
    on = command.approved_on

    # Row locks: a member transferred or a group moved meanwhile is re-read, not overwritten.
    members = list(
        await session.scalars(
            select(Member)
            # One who left the Party or died stays where they were, as history.
            .where(Member.organisation_id == src.id, Member.departed_on.is_(None))
            .order_by(Member.id)
            .with_for_update()
        )
    )
    await _move_members(session, members, dst, on)
    reporting = list(
        await session.scalars(
            select(Member)
            .where(Member.reports_to_id == src.id, Member.departed_on.is_(None))
            .order_by(Member.id)
            .with_for_update()
        )
    )
    _move_reporting(session, reporting, dst, on)
    groups = list(
        await session.scalars(
            select(Organisation)
            .where(
                Organisation.parent_id == src.id,
                Organisation.status == OrgStatus.ACTIVE.value,
            )
            .order_by(Organisation.id)
            .with_for_update()
        )
    )
    await _move_groups(session, groups, dst, on)
    before = await outside_around(session, dst)
    places = await uncover(session, src, on)
    await cover(session, dst, places, on)
    await require_contained(session, dst, "into", before=before)

    ended = await end_offices(session, src, on)
    held = {
        (o.member_id, o.role)
        for o in await session.scalars(
            select(Office).where(Office.organisation_id == dst.id, Office.end.is_(None))
        )
    }
    for old in ended:
        role = OfficeRole(old.role)
        taken = role in SINGLE_HOLDER_ROLES and any(r == old.role for _, r in held)
        if taken or (old.member_id, old.role) in held:
            continue
        new = Office(member_id=old.member_id, organisation_id=dst.id, role=old.role, start=on)
        session.add(new)
        held.add((new.member_id, new.role))

    _close(session, src, OrgStatus.MERGED, on, approver, merged_into=dst)
    dst.version += 1
    label(session, dst, "absorb", before={"absorbed": None}, after={"absorbed": src.id})
    await session.flush()
    return src, dst


@dataclass
class SplitPart:
    """One organisation a split creates, and what moves to it."""

    code: str
    name: str
    covers: list[Key] = field(default_factory=list)
    members: list[Key] = field(default_factory=list)
    groups: list[Key] = field(default_factory=list)


@dataclass
class _Resolved:
    members: list[Member] = field(default_factory=list)
    reporting: list[Member] = field(default_factory=list)
    groups: list[Organisation] = field(default_factory=list)
    places: list[int] = field(default_factory=list)


async def _resolve_part(
    session: AsyncSession,
    actor: Actor,
    src: Organisation,
    part: SplitPart,
    where: str,
    covered: set[int],
    seen_members: set[int],
    seen_groups: set[int],
) -> _Resolved:
    found = _Resolved()
    problems: list[Problem] = []

    async def attempt(coro: Awaitable[T]) -> T | None:
        # Collect every unknown reference of the part, not just the first.
        try:
            return await coro
        except UserErrors as refused:
            problems.extend(refused.problems)
            return None

    for j, ref in enumerate(part.members):
        at = f"{where}.members[{j}]"
        person = await attempt(get_member(session, actor, ref, at, for_update=True))
        if person is None:
            continue
        if person.id in seen_members:
            problems.append(
                problem(at, f"{person.code!r} is listed twice", ErrorCode.DUPLICATE,
                        "LISTED_TWICE", code=person.code)
            )  # fmt: skip
        elif person.organisation_id == src.id:
            found.members.append(person)
        elif person.reports_to_id == src.id:
            found.reporting.append(person)
        else:
            problems.append(
                problem(at, f"{person.code!r} neither belongs nor reports to {src.code!r}",
                        ErrorCode.INVALID, "NOT_OF_SOURCE", code=person.code, source=src.code)
            )
        seen_members.add(person.id)
    for j, ref in enumerate(part.groups):
        at = f"{where}.groups[{j}]"
        group = await attempt(get_organisation(session, actor, ref, at, for_update=True))
        if group is None:
            continue
        if group.id in seen_groups:
            problems.append(
                problem(at, f"{group.code!r} is listed twice", ErrorCode.DUPLICATE,
                        "LISTED_TWICE", code=group.code)
            )  # fmt: skip
        elif group.parent_id != src.id or group.status != OrgStatus.ACTIVE.value:
            problems.append(
                problem(
                    at, f"{group.code!r} is not an active organisation directly under {src.code!r}",
                    ErrorCode.INVALID, "NOT_UNDER_SOURCE", code=group.code, source=src.code,
                )  # fmt: skip
            )
        else:
            found.groups.append(group)
        seen_groups.add(group.id)
    for j, ref in enumerate(part.covers):
        at = f"{where}.covers[{j}]"
        place = await attempt(get_place(session, actor, ref, at))
        if place is None:
            continue
        if place.id not in covered:
            problems.append(
                problem(at, f"{src.code!r} does not cover {place.code!r}", ErrorCode.INVALID,
                        "NOT_COVERED_BY_SOURCE", code=place.code, source=src.code)
            )  # fmt: skip
        found.places.append(place.id)
    if problems:
        raise UserErrors(problems)
    return found


def _left_behind(noun: str, codes: list[str]) -> str:
    shown = ", ".join(repr(c) for c in codes[:5]) + (" …" if len(codes) > 5 else "")
    return f"{len(codes)} {noun} ({shown})"


@dataclass(frozen=True)
class SplitOrganisation:
    """What `split_organisation` is asked to do."""

    source: Key
    parts: list[SplitPart]
    approved_by: Key
    approved_on: date
    keep_source: bool
    expected_version: int | None = None
    message: str | None = None  # why: kept with every change row


@handles(SplitOrganisation)
async def split_organisation(
    session: AsyncSession, actor: Actor, command: SplitOrganisation
) -> tuple[Organisation, list[Organisation]]:
    """Split `source` into new organisations (see the module docstring)."""
    actor.require_write()
    describe(session, command.message)
    src = await get_organisation(session, actor, command.source, "source", for_update=True)
    check_version(src, command.expected_version, "organisation")
    await require_active(src, "source")
    _branch_kind(src, "source")
    if not command.parts:
        raise fail(
            "into", "name at least one organisation to split into", ErrorCode.INVALID,
            "SPLIT_INTO_NOTHING",
        )  # fmt: skip
    if not command.keep_source and len(command.parts) < 2:
        raise fail(
            "into",
            "splitting into one organisation and closing the source is a "
            "rename: use updateOrganisation, or keepSource: true",
            ErrorCode.INVALID,
            "SPLIT_INTO_ONE",
        )
    parent = await session.get(Organisation, src.parent_id) if src.parent_id else None
    if parent is None:
        raise fail(
            "source", f"{src.code!r} has no parent to create the new organisations under",
            ErrorCode.INVALID, "SPLIT_WITHOUT_PARENT", code=src.code,
        )  # fmt: skip
    approver = await get_approver(session, actor, command.approved_by, [src], "approvedBy")
    covered = set(
        await session.scalars(
            select(Coverage.place_id).where(
                Coverage.organisation_id == src.id, Coverage.end.is_(None)
            )
        )
    )
    seen_members: set[int] = set()
    seen_groups: set[int] = set()
    resolved = [
        await _resolve_part(
            session, actor, src, part, f"into[{i}]", covered, seen_members, seen_groups
        )
        for i, part in enumerate(command.parts)
    ]
    if not command.keep_source:
        left_members = list(
            await session.scalars(
                select(Member.code)
                .where((Member.organisation_id == src.id) | (Member.reports_to_id == src.id))
                .where(Member.id.not_in(seen_members), Member.departed_on.is_(None))
                .order_by(Member.code)
            )
        )
        left_groups = list(
            await session.scalars(
                select(Organisation.code)
                .where(Organisation.parent_id == src.id)
                .where(Organisation.status == OrgStatus.ACTIVE.value)
                .where(Organisation.id.not_in(seen_groups))
                .order_by(Organisation.code)
            )
        )
        left = [
            _left_behind(noun, found)
            for noun, found in (("member(s)", left_members), ("organisation(s)", left_groups))
            if found
        ]
        if left:
            raise fail(
                "into",
                f"the split would orphan {' and '.join(left)} of {src.code!r}: "
                "list each in one of the new organisations, or keepSource: true",
                ErrorCode.CONFLICT,
                "SPLIT_ORPHANS",
                code=src.code,
                members=len(left_members),
                organisations=len(left_groups),
                named=", ".join((left_members + left_groups)[:10]),
            )

    codes: list[str] = []
    for i, part in enumerate(command.parts):
        code = await free_code(session, Organisation, part.code, f"into[{i}].code")
        if code in codes:
            raise fail(
                f"into[{i}].code", f"code {code!r} is used twice", ErrorCode.DUPLICATE,
                "CODE_TWICE", code=code,
            )  # fmt: skip
        codes.append(code)
    on = command.approved_on
    await uncover(session, src, on, sorted({p for r in resolved for p in r.places}))
    created: list[Organisation] = []
    for i, (part, code, found) in enumerate(zip(command.parts, codes, resolved, strict=True)):
        # The name is checked here, mid-way, on purpose: the runner's one transaction means a
        # late refusal still leaves nothing written (the tests rely on this to prove it).
        new = await add_organisation(
            session,
            code=code,
            kind=OrgKind(src.kind),
            name=text(part.name, f"into[{i}].name", NAME_MAX) or "",
            parent=parent,
            established=on,
            approved_by=approver,
            approved_on=on,
        )
        await _move_members(session, found.members, new, on)
        _move_reporting(session, found.reporting, new, on)
        await _move_groups(session, found.groups, new, on)
        # A member keeps their group only where it moves with them (党章 第八条: one branch,
        # one of its groups); else they are in none until placed.
        kept = {group.id for group in found.groups}
        for person in found.members:
            if person.group_id is not None and person.group_id not in kept:
                person.group_id = None
                regroup_on(session, person.id, on)
        await cover(session, new, found.places, on)
        created.append(new)
    moved = [m.id for r in resolved for m in r.members]
    for office in await session.scalars(
        select(Office)
        .where(Office.organisation_id == src.id, Office.end.is_(None), Office.member_id.in_(moved))
        .with_for_update()
    ):
        office.end = max(on, office.start) if office.start else on
        label(session, office, "end")
    if command.keep_source:
        src.approved_by_id = approver.id
        src.approved_on = on
        src.version += 1
        label(session, src, "split")
    else:
        await uncover(session, src, on)
        await end_offices(session, src, on)
        _close(session, src, OrgStatus.DISSOLVED, on, approver)
    await session.flush()
    return src, created
