"""Offices as dated terms: appoint a member to an office, end a term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import get_organisation
from registry.audit.changelog import label
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import MemberStatus, OfficeRole, OrgKind
from registry.core.models import Member, Office, Organisation
from registry.writes.commands import handles
from registry.writes.common import require_active
from registry.writes.members import writable_member

# Roles held by one person at a time in an organisation.
SINGLE_HOLDER_ROLES = frozenset({OfficeRole.SECRETARY, OfficeRole.GROUP_LEADER})


def role_problem(role: OfficeRole, kind: OrgKind) -> str | None:
    """Why `role` does not exist in an organisation of `kind`, or None."""
    if kind == OrgKind.GROUP and role != OfficeRole.GROUP_LEADER:
        return "a group has a group leader only"
    if kind != OrgKind.GROUP and role == OfficeRole.GROUP_LEADER:
        return f"a group leader leads a group, not a {kind.value}"
    return None


@dataclass(frozen=True)
class AppointOffice:
    """What `appoint_office` is asked to do."""

    member: int | str
    organisation: int | str
    role: OfficeRole
    start: date
    replace_current: bool


@handles(AppointOffice)
async def appoint_office(session: AsyncSession, actor: Actor, command: AppointOffice) -> Office:
    """Start a term of `member` in `role` at `organisation` from `start`; it is current until
    endOffice gives it an end (an open end is what "current" means throughout the registry).

    Only full members may be elected (DESIGN section 2); the officer's formal organisation
    lies in the organisation's subtree (for a group: in its branch). A secretary or group
    leader already in office must be replaced explicitly (`replace_current`): their term
    then ends the day the new one starts."""
    actor.require_write()
    # The member is checked first; the organisation is locked before the member, the order
    # merges lock in (no deadlock).
    await writable_member(session, actor, command.member, lock=False)
    org = await get_organisation(
        session, actor, command.organisation, "organisation", for_update=True
    )
    person = await writable_member(session, actor, command.member)
    await require_active(org, "organisation")
    problem = role_problem(command.role, OrgKind(org.kind))
    if problem:
        raise fail(
            "role",
            problem,
            ErrorCode.WRONG_KIND,
            "ROLE_KIND",
            role=command.role.value,
            kind=org.kind,
        )
    if person.status != MemberStatus.FULL.value:
        raise fail(
            "member",
            f"{person.code!r} is a probationary member and cannot be elected "
            "to office; confirm them as a full member first (confirmMember)",
            ErrorCode.INVALID,
            "PROBATIONARY_OFFICE",
            code=person.code,
        )
    home: str | None = org.path
    if org.kind == OrgKind.GROUP.value and org.parent_id is not None:
        parent_path = select(Organisation.path).where(Organisation.id == org.parent_id)
        home = await session.scalar(parent_path)
    own = await session.scalar(
        select(Organisation.path).where(Organisation.id == person.organisation_id)
    )
    if own is None or not own.startswith(home or org.path):
        raise fail(
            "member",
            f"{person.code!r} is not a member of {org.code!r} (their formal "
            "organisation lies elsewhere); transfer them first",
            ErrorCode.INVALID,
            "NOT_A_MEMBER_OF",
            code=person.code,
            organisation=org.code,
        )
    if command.role == OfficeRole.GROUP_LEADER:
        _lead_own_group(person, org)
    current = list(
        await session.scalars(
            select(Office).where(
                Office.organisation_id == org.id,
                Office.role == command.role.value,
                Office.end.is_(None),
            )
        )
    )
    if any(o.member_id == person.id for o in current):
        raise fail(
            "member",
            f"{person.code!r} already holds this office in {org.code!r}",
            ErrorCode.DUPLICATE,
            "HOLDS_ALREADY",
            code=person.code,
            organisation=org.code,
        )
    if command.role in SINGLE_HOLDER_ROLES and current:
        if not command.replace_current:
            raise fail(
                "role",
                f"{org.code!r} already has a current {command.role.value}; end that term "
                "first (endOffice) or pass replaceCurrent: true",
                ErrorCode.CONFLICT,
                "SINGLE_HOLDER",
                code=org.code,
                role=command.role.value,
            )
        for old in current:
            if old.start and command.start < old.start:
                raise fail(
                    "start",
                    f"the new term starts before the current one ({old.start})",
                    ErrorCode.INVALID,
                    "START_BEFORE_CURRENT",
                    start=old.start,
                )
            old.end = command.start
            label(session, old, "end")
    row = Office(
        member_id=person.id, organisation_id=org.id, role=command.role.value, start=command.start
    )
    session.add(row)
    await session.flush()
    return row


def _lead_own_group(person: Member, group: Organisation) -> None:
    """A group leader (组长) is one of the group's members: one in no group yet joins it; one
    in another group is refused (move them first, so no group loses a member unseen)."""
    if person.group_id == group.id:
        return
    if person.group_id is not None:
        raise fail(
            "member",
            f"{person.code!r} belongs to another group; move them to {group.code!r} first "
            "(updateMember with group), then appoint them its leader",
            ErrorCode.CONFLICT,
            "IN_ANOTHER_GROUP",
            code=person.code,
            group=group.code,
        )
    person.group_id = group.id
    person.version += 1


@dataclass(frozen=True)
class EndOffice:
    """What `end_office` is asked to do."""

    office: int
    end: date


@handles(EndOffice)
async def end_office(session: AsyncSession, actor: Actor, command: EndOffice) -> Office:
    """End a current term on `end`."""
    actor.require_write()
    row = await session.scalar(
        select(Office)
        .join(Organisation, Organisation.id == Office.organisation_id)
        .where(Office.id == command.office, actor.org_clause())
        # Two organisers ending the same term: the second waits, then finds it ended.
        .with_for_update(of=Office)
    )
    if row is None:
        raise fail(
            "office",
            f"no office term with id {command.office} in your scope",
            ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE",
            noun="office",
            ref=command.office,
        )
    if row.end is not None:
        raise fail(
            "office",
            f"this term already ended on {row.end}",
            ErrorCode.CONFLICT,
            "TERM_ENDED",
            end=row.end,
        )
    if row.start and command.end < row.start:
        raise fail(
            "end",
            f"a term cannot end before it starts ({row.start})",
            ErrorCode.INVALID,
            "END_BEFORE_START",
            start=row.start,
        )
    row.end = command.end
    label(session, row, "end")
    await session.flush()
    return row
