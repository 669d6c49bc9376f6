"""Helpers every write service shares: versions, dates, text, approvals, change snapshots."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import String, Table, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import SYSTEM, Actor
from registry.access.lookup import Key, get_organisation
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import OrgKind, OrgStatus
from registry.core.models import CODE_MAX, Organisation, Place
from registry.core.paths import depth_of, ids_of, within
from registry.core.validation import character_problem, parse_date

# An 18-character resident ID number (17 digits and a digit or X): never stored (DESIGN section 1).
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def day(raw: str | date | None, field: str, default: date | None = None) -> date | None:
    """A date typed as YYYY-MM-DD, or `default` when not given; a user error when malformed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    if isinstance(raw, date):
        return raw
    try:
        return parse_date(raw)
    except ValueError as bad:
        raise fail(field, str(bad), ErrorCode.INVALID, "DATE_FORMAT", value=raw) from None


def check_version(
    row: Any, expected: int | None, noun: str, field: str = "expectedVersion"
) -> None:
    """Refuse (STALE) when the caller saw another version of the row than the one stored.
    Call it on a row read with a lock (`for_update`), so that the version compared is the
    last committed one and stays so until the write commits."""
    if expected is not None and row.version != expected:
        raise fail(
            field,
            f"{noun} {row.code!r} is at version {row.version}, not {expected}: "
            "someone changed it meanwhile; reload it and try again",
            ErrorCode.STALE,
            "STALE_VERSION",
            noun=noun,
            code=row.code,
            version=row.version,
            expected=expected,
        )


def text(
    value: str | None, field: str, max_length: int, required: bool = True, multiline: bool = False
) -> str | None:
    """Trimmed text; refuses empty required text, over-long text, characters no text may hold
    (and tabs and line breaks unless `multiline`: long free text) and ID-card numbers."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise fail(field, f"{field} must not be empty", ErrorCode.INVALID, "TEXT_EMPTY")
        return None
    if len(cleaned) > max_length:
        raise fail(
            field, f"{field} is longer than {max_length} characters", ErrorCode.INVALID,
            "TEXT_TOO_LONG", max=max_length,
        )  # fmt: skip
    if problem := character_problem(cleaned, multiline=multiline):
        raise fail(field, f"{field} {problem}", ErrorCode.INVALID, "TEXT_CHARACTERS")
    if _ID_CARD.search(cleaned):
        raise fail(
            field, "ID-card numbers must not be stored in the registry; remove it",
            ErrorCode.INVALID, "TEXT_ID_CARD",
        )  # fmt: skip
    return cleaned


def is_ancestor(upper_path: str, lower_path: str) -> bool:
    """True when the node at `upper_path` is a proper ancestor of the node at `lower_path`."""
    return upper_path != lower_path and lower_path.startswith(upper_path)


async def free_code(
    session: AsyncSession, model: Any, code: str | None, field: str = "code"
) -> str:
    """A new object's code (trimmed, checked as text) that no object of its kind uses.

    Codes are unique across the whole registry, not per scope, so a taken code must be
    refused even when the object holding it lies outside the caller's scope. It is refused in
    one way whoever holds it (DUPLICATE, "already in use", naming nothing about the holder),
    and only after every other part of the request has passed: its references, kinds and
    permissions. So a request naming anything out of scope is refused for that, whatever codes
    exist, and the most a caller learns is that a code of a kind they may create is taken.
    """
    clean = text(code, field, CODE_MAX) or ""
    column = model.__table__.c.code
    if await session.scalar(select(column).where(column == clean)) is not None:
        raise fail(
            field, f"code {clean!r} is already in use; choose another", ErrorCode.DUPLICATE,
            "CODE_TAKEN", code=clean,
        )  # fmt: skip
    return clean


async def require_active(row: Organisation, field: str) -> None:
    """Refuse writes into a merged or dissolved organisation, naming where to go instead."""
    if row.status == OrgStatus.ACTIVE.value:
        return
    hint = " (see its mergedInto)" if row.status == OrgStatus.MERGED.value else ""
    raise fail(
        field, f"organisation {row.code!r} is {row.status}{hint}", ErrorCode.CONFLICT,
        "ORGANISATION_CLOSED", code=row.code, status=row.status,
    )  # fmt: skip


async def get_approver(
    session: AsyncSession,
    actor: Actor,
    key: Key,
    affected: list[Organisation],
    field: str,
    include_self: bool = False,
) -> Organisation:
    """The higher organisation approving a change to `affected` (DESIGN section 2).

    It may sit above the caller's scope (a community organiser's changes are approved by the
    sub-district), so it is looked up unscoped, but only an ancestor of what the caller may touch
    is acknowledged: anything else outside the scope reads as missing. With `include_self`
    (creating under a parent) the affected organisation itself may approve."""
    row = await get_organisation(session, SYSTEM, key, field)

    def above(org: Organisation) -> bool:
        return org.path.startswith(row.path) if include_self else is_ancestor(row.path, org.path)

    in_reach = actor.sees_org(row.path) or any(above(o) for o in affected)
    if not in_reach:
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            field, f"no organisation with {shown} in your scope", ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE", noun="organisation", ref=key,
        )  # fmt: skip
    for org in affected:
        if not above(org):
            raise fail(
                field,
                f"{row.code!r} is not a higher organisation of {org.code!r}; "
                "only a higher organisation approves this",
                ErrorCode.INVALID,
                "APPROVER_NOT_HIGHER",
                approver=row.code,
                organisation=org.code,
            )
    await require_active(row, field)
    return row


async def sub_district_of(session: AsyncSession, org: Organisation) -> Organisation | None:
    """The nearest working committee (sub-district) at or above `org`."""
    return await session.scalar(
        select(Organisation)
        .where(Organisation.id.in_(ids_of(org.path)))
        .where(Organisation.kind == OrgKind.WORKING_COMMITTEE.value)
        .order_by(Organisation.depth.desc())
        .limit(1)
    )


async def move_subtree(
    session: AsyncSession, model: type[Place] | type[Organisation], row: Any, parent: Any
) -> int:
    """Move `row` and its whole subtree under `parent`, set-based: every path is rewritten
    (new prefix || old tail), depths shift by the same delta, versions go up by one.

    Returns how many rows moved. The caller has checked kinds and cycles."""
    await session.flush()
    moved = await repath_subtree(session, model.__table__, row.path, f"{parent.path}{row.id}/")
    await session.execute(
        update(model)
        .where(model.id == row.id)
        .values(parent_id=parent.id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    return moved


async def repath_subtree(session: AsyncSession, table: Table, old_path: str, new_path: str) -> int:
    """Rewrite every path of the subtree at `old_path` to start with `new_path` instead (new
    prefix || old tail), shift depths by the same amount and bump versions, in one UPDATE.
    Returns how many rows moved."""
    tail = func.substr(table.c.path, len(old_path) + 1, type_=String)
    moved = await session.execute(
        update(table)
        .where(within(table.c.path, old_path))
        .values(
            path=literal(new_path, String) + tail,
            depth=table.c.depth + (depth_of(new_path) - depth_of(old_path)),
            version=table.c.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return int(moved.rowcount or 0)
