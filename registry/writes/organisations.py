"""Writes of the organisation tree: create, rename, re-parent, dissolve, (un)cover places."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_organisation, get_place
from registry.audit.changelog import describe, label
from registry.core.config import RuleThresholds
from registry.core.containment import outside_parent
from registry.core.errors import ErrorCode, Problem, UserErrors, fail
from registry.core.kinds import OfficeRole, OrgKind, OrgStatus, PlaceKind
from registry.core.models import NAME_MAX, Coverage, Member, Office, Organisation, Place
from registry.core.paths import child_path, depth_of
from registry.core.validation import org_parent_problem
from registry.writes.commands import handles
from registry.writes.common import (
    check_version,
    free_code,
    get_approver,
    move_subtree,
    require_active,
    text,
)
from registry.writes.members import UpdateMember, update_member
from registry.writes.offices import AppointOffice, appoint_office


async def add_organisation(
    session: AsyncSession,
    *,
    code: str,
    kind: OrgKind,
    name: str,
    parent: Organisation | None,
    established: date | None,
    approved_by: Organisation | None,
    approved_on: date | None,
) -> Organisation:
    """Insert an organisation (checked by the caller) with its path, and record it."""
    row = Organisation(
        code=code,
        kind=kind.value,
        name=name,
        parent_id=parent.id if parent else None,
        path="/",
        depth=0,
        status=OrgStatus.ACTIVE.value,
        established=established,
        approved_by_id=approved_by.id if approved_by else None,
        approved_on=approved_on if approved_by else None,
        version=1,
    )
    session.add(row)
    await session.flush()
    row.path = child_path(parent.path if parent else None, row.id)
    row.depth = depth_of(row.path)
    await session.flush()
    return row


async def cover(session: AsyncSession, org: Organisation, place_ids: list[int], on: date) -> int:
    """Open coverage rows for the places `org` does not cover yet; returns how many opened."""
    if not place_ids:
        return 0
    already = set(
        await session.scalars(
            select(Coverage.place_id).where(
                Coverage.organisation_id == org.id,
                Coverage.place_id.in_(place_ids),
                Coverage.end.is_(None),
            )
        )
    )
    opened = 0
    for place_id in dict.fromkeys(place_ids):
        if place_id in already:
            continue
        session.add(Coverage(organisation_id=org.id, place_id=place_id, start=on))
        opened += 1
    return opened


Outside = frozenset[tuple[int, int]]


async def outside_around(session: AsyncSession, org: Organisation) -> Outside:
    """(organisation id, place id) of what `org`, and the organisations right below it, cover
    outside their parent's territory now (`registry.core.containment`)."""
    await session.flush()
    query = outside_parent(lambda o: or_(o.id == org.id, o.parent_id == org.id))
    return frozenset((holder.id, place.id) for holder, place in await session.execute(query))


async def require_contained(
    session: AsyncSession,
    org: Organisation,
    field: str,
    below_field: str | None = None,
    before: Outside = frozenset(),
) -> None:
    """Refuse, on `field`, a place `org` covers outside its parent's territory, and, on
    `below_field`, a place an organisation right below it covers outside its own, as they
    stand after this write's changes. What was outside `before` the write (stored before the
    rule, or by an import) is the rules report's to name: only what the write adds is
    refused, so fixing one place never waits on another."""
    added = await outside_around(session, org) - before
    if not added:
        return
    holder_id, place_id = min(added)
    holder = await session.get(Organisation, holder_id)
    place = await session.get(Place, place_id)
    if holder is None or place is None:  # both were just read: only a broken database
        raise LookupError(f"coverage of organisation {holder_id} names a missing row")
    if holder.id == org.id:
        parent = await session.get(Organisation, org.parent_id)
        above = parent.code if parent else ""
        raise fail(
            field,
            f"{place.code!r} lies outside the territory of {above!r}, the organisation above "
            f"{org.code!r}: an organisation covers only places inside its parent's",
            ErrorCode.CONFLICT,
            "COVER_OUTSIDE_PARENT",
            code=org.code,
            place=place.code,
            parent=above,
        )
    raise fail(
        below_field or field,
        f"{holder.code!r}, below {org.code!r}, covers {place.code!r}, which would then lie "
        f"outside {org.code!r}'s territory: uncover it there first",
        ErrorCode.CONFLICT,
        "COVER_LEFT_BELOW",
        code=org.code,
        below=holder.code,
        place=place.code,
    )


async def uncover(
    session: AsyncSession,
    org: Organisation,
    on: date,
    place_ids: list[int] | None = None,
) -> list[int]:
    """End `org`'s current coverage (of these places, or all); returns the places it covered."""
    query = select(Coverage).where(Coverage.organisation_id == org.id, Coverage.end.is_(None))
    if place_ids is not None:
        query = query.where(Coverage.place_id.in_(place_ids))
    rows = list(await session.scalars(query.order_by(Coverage.id)))
    for row in rows:
        row.end = max(on, row.start) if row.start else on
        label(session, row, "end")
    return [row.place_id for row in rows]


async def end_offices(session: AsyncSession, org: Organisation, on: date) -> list[Office]:
    """End every open office term in `org` on `on`; returns the ended rows."""
    rows = list(
        await session.scalars(
            select(Office)
            .where(Office.organisation_id == org.id, Office.end.is_(None))
            .order_by(Office.id)
            .with_for_update()
        )
    )
    for row in rows:
        row.end = max(on, row.start) if row.start else on
        label(session, row, "end")
    return rows


async def _places(
    session: AsyncSession, actor: Actor, refs: Sequence[Key], field: str
) -> list[int]:
    problems: list[Problem] = []
    ids: list[int] = []
    for index, ref in enumerate(refs):
        try:
            ids.append((await get_place(session, actor, ref, f"{field}[{index}]")).id)
        except UserErrors as missing:
            problems.extend(missing.problems)
    if problems:
        raise UserErrors(problems)
    return ids


@dataclass(frozen=True)
class CreateOrganisation:
    """What `create_organisation` is asked to do."""

    code: str
    kind: OrgKind
    name: str
    parent: Key | None
    established: date | None
    approved_by: Key | None
    approved_on: date
    covers: Sequence[Key]
    members: Sequence[Key] = ()
    leader: Key | None = None


@handles(CreateOrganisation)
async def create_organisation(
    session: AsyncSession, actor: Actor, command: CreateOrganisation
) -> Organisation:
    """Create an organisation under `parent`, approved by a higher organisation (the parent by
    default), optionally covering places from `established` (or the approval date). A Party
    group may be created staffed: `members` placed in it and `leader` (placed too) appointed
    its group leader from the same day, all or nothing."""
    actor.require_write()
    if (command.members or command.leader is not None) and command.kind is not OrgKind.GROUP:
        raise fail(
            "members" if command.members else "leader",
            f"only a Party group (党小组) is created with members and a leader, not a "
            f"{command.kind.value}",
            ErrorCode.WRONG_KIND,
            "STAFFED_ONLY_GROUP",
            kind=command.kind.value,
        )
    clean_name = text(command.name, "name", NAME_MAX) or ""
    parent_row = None
    if command.parent is not None:
        parent_row = await get_organisation(
            session, actor, command.parent, "parent", for_update=True
        )
        await require_active(parent_row, "parent")
    elif not actor.unscoped:
        raise fail(
            "parent",
            "a scoped token can only add organisations inside its scope",
            ErrorCode.FORBIDDEN,
            "ROOT_NEEDS_UNSCOPED",
        )
    problem = org_parent_problem(command.kind, OrgKind(parent_row.kind) if parent_row else None)
    if problem:
        raise fail(
            "parent" if parent_row else "kind", problem, ErrorCode.WRONG_KIND, "PARENT_KIND",
            kind=command.kind.value, parent=parent_row.kind if parent_row else None,
        )  # fmt: skip
    place_ids = await _places(session, actor, command.covers, "covers")
    approver = parent_row
    if command.approved_by is not None:
        if parent_row is None:
            raise fail(
                "approvedBy",
                "a root organisation has no higher organisation to approve it",
                ErrorCode.INVALID,
                "ROOT_NOT_APPROVED",
            )
        approver = await get_approver(
            session, actor, command.approved_by, [parent_row], "approvedBy", include_self=True
        )
    # Merged and dissolved organisations keep their codes: a code is never used twice.
    code = await free_code(session, Organisation, command.code)
    row = await add_organisation(
        session,
        code=code,
        kind=command.kind,
        name=clean_name,
        parent=parent_row,
        established=command.established or command.approved_on,
        approved_by=approver,
        approved_on=command.approved_on,
    )
    start = command.established or command.approved_on
    await cover(session, row, place_ids, start)
    await require_contained(session, row, "covers")
    await _staff(session, actor, row, command.members, command.leader, start)
    return row


async def _staff(
    session: AsyncSession,
    actor: Actor,
    group: Organisation,
    members: Sequence[Key],
    leader: Key | None,
    start: date,
) -> None:
    """Place `members` (and `leader`) in the new `group` and appoint its leader; a refusal
    names the input field (members or leader) that holds the member at fault."""
    chosen = list(dict.fromkeys([*members, *([leader] if leader is not None else [])]))
    for key in chosen:
        field = "members" if key in members else "leader"
        with _as_field(field):
            await update_member(session, actor, UpdateMember(member=key, group=group.id))
    if leader is not None:
        with _as_field("leader"):
            appointed = AppointOffice(leader, group.id, OfficeRole.GROUP_LEADER, start, False)
            await appoint_office(session, actor, appointed)


@contextmanager
def _as_field(field: str) -> Iterator[None]:
    """Refusals of a member's placement or appointment, addressed to the input's `field`."""
    try:
        yield
    except UserErrors as refused:
        raise UserErrors([replace(p, field=field) for p in refused.problems]) from None


@dataclass(frozen=True)
class UpdateOrganisation:
    """What `update_organisation` is asked to do."""

    organisation: Key
    name: str | None = None
    parent: Key | None = None
    established: date | None = None
    expected_version: int | None = None


@handles(UpdateOrganisation)
async def update_organisation(
    session: AsyncSession, actor: Actor, command: UpdateOrganisation
) -> Organisation:
    """Rename an organisation, correct its founding date, and/or move its subtree elsewhere."""
    actor.require_write()
    row = await get_organisation(
        session, actor, command.organisation, "organisation", for_update=True
    )
    check_version(row, command.expected_version, "organisation")
    version = row.version
    if command.parent is not None:
        await require_active(row, "organisation")
        target = await get_organisation(session, actor, command.parent, "parent", for_update=True)
        if target.path.startswith(row.path):
            raise fail(
                "parent",
                f"{target.code!r} lies inside {row.code!r}; an organisation cannot move under "
                "itself or one of its own organisations",
                ErrorCode.CYCLE,
                "UNDER_ITSELF",
                code=row.code,
                target=target.code,
            )
        await require_active(target, "parent")
        problem = org_parent_problem(OrgKind(row.kind), OrgKind(target.kind))
        if problem:
            raise fail(
                "parent", problem, ErrorCode.WRONG_KIND, "PARENT_KIND",
                kind=row.kind, parent=target.kind,
            )  # fmt: skip
        if target.id != row.parent_id:
            before = await outside_around(session, row)
            await move_subtree(session, Organisation, row, target)
            await require_contained(session, row, "parent", before=before)
    if command.name is not None:
        row.name = text(command.name, "name", NAME_MAX) or row.name
    if command.established is not None:
        row.established = command.established
    if row.version == version:
        row.version += 1
    await session.flush()
    return row


@dataclass(frozen=True)
class DissolveOrganisation:
    """What `dissolve_organisation` is asked to do."""

    organisation: Key
    approved_by: Key
    approved_on: date
    expected_version: int | None = None
    message: str | None = None  # why: kept with every change row


@handles(DissolveOrganisation)
async def dissolve_organisation(
    session: AsyncSession, actor: Actor, command: DissolveOrganisation
) -> Organisation:
    """Close an organisation nobody depends on any more: its coverage and offices end."""
    actor.require_write()
    describe(session, command.message)
    row = await get_organisation(
        session, actor, command.organisation, "organisation", for_update=True
    )
    check_version(row, command.expected_version, "organisation")
    await require_active(row, "organisation")
    approver = await get_approver(session, actor, command.approved_by, [row], "approvedBy")
    members = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.organisation_id == row.id, Member.departed_on.is_(None))
    )
    reporting = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.reports_to_id == row.id, Member.departed_on.is_(None))
    )
    children = await session.scalar(
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.parent_id == row.id, Organisation.status == OrgStatus.ACTIVE.value)
    )
    orphans = [
        f"{n} {what}"
        for n, what in (
            (members, "member(s) whose formal organisation it is"),
            (reporting, "in-service member(s) reporting to it"),
            (children, "active organisation(s) under it"),
        )
        if n
    ]
    if orphans:
        raise fail(
            "organisation",
            f"dissolving {row.code!r} would orphan {', '.join(orphans)}; transfer them "
            "(transferMember, updateMember, updateOrganisation) or merge it "
            "(mergeOrganisations) first",
            ErrorCode.CONFLICT,
            "DISSOLVE_ORPHANS",
            code=row.code,
            members=members,
            reporting=reporting,
            children=children,
        )
    await uncover(session, row, command.approved_on)
    await end_offices(session, row, command.approved_on)
    row.status = OrgStatus.DISSOLVED.value
    row.closed_on = command.approved_on
    row.approved_by_id = approver.id
    row.approved_on = command.approved_on
    row.version += 1
    label(session, row, "dissolve")
    return row


async def covered_estates(session: AsyncSession, organisation_id: int) -> int:
    """How many estates the organisation covers now."""
    query = (
        select(func.count(Coverage.id))
        .join(Place, Place.id == Coverage.place_id)
        .where(Coverage.organisation_id == organisation_id, Coverage.end.is_(None))
        .where(Place.kind == PlaceKind.ESTATE.value)
    )
    return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class SetCoverage:
    """What `set_coverage` is asked to do."""

    organisation: Key
    cover_places: list[Key]
    uncover_places: list[Key]
    on: date
    expected_version: int | None = None
    joint_branch_max_units: int = RuleThresholds.joint_branch_max_units


@handles(SetCoverage)
async def set_coverage(session: AsyncSession, actor: Actor, command: SetCoverage) -> Organisation:
    """Start covering some places and stop covering others, from `on`. A branch covers at
    most `joint_branch_max_units` estates (支部工作条例 第五条: a joint branch covers 5 units
    at most); an organisation covers only places inside its parent's territory, and stops
    covering none that an organisation below it still covers (`require_contained`)."""
    actor.require_write()
    row = await get_organisation(
        session, actor, command.organisation, "organisation", for_update=True
    )
    check_version(row, command.expected_version, "organisation")
    await require_active(row, "organisation")
    if not command.cover_places and not command.uncover_places:
        raise fail(
            "cover",
            "name places to cover or to uncover",
            ErrorCode.INVALID,
            "COVER_NOTHING",
        )
    add_ids = await _places(session, actor, command.cover_places, "cover")
    drop_ids = await _places(session, actor, command.uncover_places, "uncover")
    if set(add_ids) & set(drop_ids):
        raise fail(
            "uncover",
            "a place cannot be covered and uncovered at once",
            ErrorCode.INVALID,
            "COVER_AND_UNCOVER",
        )
    before = await outside_around(session, row)
    ended = await uncover(session, row, command.on, drop_ids)
    missing = set(drop_ids) - set(ended)
    if missing:
        raise fail(
            "uncover",
            f"{row.code!r} does not cover {len(missing)} of the places to uncover",
            ErrorCode.INVALID,
            "NOT_COVERED",
            code=row.code,
            missing=len(missing),
        )
    await cover(session, row, add_ids, command.on)
    await require_contained(session, row, "cover", "uncover", before)
    if row.kind == OrgKind.BRANCH.value and add_ids:
        units = await covered_estates(session, row.id)
        if units > command.joint_branch_max_units:
            raise fail(
                "cover",
                f"{row.code!r} would cover {units} estates: a joint branch covers at most "
                f"{command.joint_branch_max_units} units (支部工作条例 第五条); set up another "
                "branch",
                ErrorCode.CONFLICT,
                "JOINT_BRANCH_UNITS",
                code=row.code,
                units=units,
                maximum=command.joint_branch_max_units,
            )
    row.version += 1
    label(session, row, "coverage")
    await session.flush()
    return row
