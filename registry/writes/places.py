"""Writes of the territory: create, rename, re-parent (whole subtree), delete an unused place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_place
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PlaceKind
from registry.core.models import NAME_MAX, Coverage, Member, Pairing, Place
from registry.core.paths import child_path, depth_of
from registry.core.validation import place_parent_problem
from registry.writes.commands import handles
from registry.writes.common import check_version, free_code, move_subtree, text


@dataclass(frozen=True)
class CreatePlace:
    """What `create_place` is asked to do."""

    code: str
    kind: PlaceKind
    name: str
    parent: Key | None


@handles(CreatePlace)
async def create_place(session: AsyncSession, actor: Actor, command: CreatePlace) -> Place:
    """Add a place under `parent` (a root only for unscoped writers)."""
    actor.require_write()
    clean_name = text(command.name, "name", NAME_MAX)
    parent_row = None
    if command.parent is not None:
        parent_row = await get_place(session, actor, command.parent, "parent", for_update=True)
    elif actor.place_paths is not None:
        raise fail(
            "parent",
            "a scoped token can only add places under a place in its territory",
            ErrorCode.FORBIDDEN,
            "ROOT_NEEDS_UNSCOPED",
        )
    problem = place_parent_problem(command.kind, PlaceKind(parent_row.kind) if parent_row else None)
    if problem:
        raise fail(
            "parent" if parent_row else "kind", problem, ErrorCode.WRONG_KIND, "PARENT_KIND",
            kind=command.kind.value, parent=parent_row.kind if parent_row else None,
        )  # fmt: skip
    code = await free_code(session, Place, command.code)
    row = Place(code=code, kind=command.kind.value, name=clean_name, path="/", depth=0, version=1)
    row.parent_id = parent_row.id if parent_row else None
    session.add(row)
    await session.flush()
    row.path = child_path(parent_row.path if parent_row else None, row.id)
    row.depth = depth_of(row.path)
    await session.flush()
    return row


@dataclass(frozen=True)
class UpdatePlace:
    """What `update_place` is asked to do."""

    place: Key
    name: str | None = None
    parent: Key | None = None
    expected_version: int | None = None


@handles(UpdatePlace)
async def update_place(session: AsyncSession, actor: Actor, command: UpdatePlace) -> Place:
    """Rename a place and/or move it, with everything below it, under another parent."""
    actor.require_write()
    row = await get_place(session, actor, command.place, "place", for_update=True)
    check_version(row, command.expected_version, "place")
    version = row.version
    if command.parent is not None:
        target = await get_place(session, actor, command.parent, "parent", for_update=True)
        if target.path.startswith(row.path):
            raise fail(
                "parent",
                f"{target.code!r} lies inside {row.code!r}; a place cannot move under itself",
                ErrorCode.CYCLE,
                "UNDER_ITSELF",
                code=row.code,
                target=target.code,
            )
        problem = place_parent_problem(PlaceKind(row.kind), PlaceKind(target.kind))
        if problem:
            raise fail(
                "parent", problem, ErrorCode.WRONG_KIND, "PARENT_KIND",
                kind=row.kind, parent=target.kind,
            )  # fmt: skip
        if target.id != row.parent_id:
            await move_subtree(session, Place, row, target)
    if command.name is not None:
        row.name = text(command.name, "name", NAME_MAX) or row.name
    if row.version == version:
        row.version += 1
    await session.flush()
    return row


@dataclass(frozen=True)
class DeletePlace:
    """What `delete_place` is asked to do."""

    place: Key
    expected_version: int | None = None


@handles(DeletePlace)
async def delete_place(session: AsyncSession, actor: Actor, command: DeletePlace) -> int:
    """Delete a place nothing refers to (no places below, coverage, residents or pairings)."""
    actor.require_write()
    row = await get_place(session, actor, command.place, "place", for_update=True)
    check_version(row, command.expected_version, "place")
    used = await session.execute(
        select(
            exists().where(Place.parent_id == row.id),
            exists().where(Coverage.place_id == row.id),
            exists().where(Member.household_id == row.id),
            exists().where(Pairing.place_id == row.id),
        )
    )
    children, covered, residents, paired = used.one()
    reasons = [
        why
        for flag, why in (
            (children, "places below it"),
            (covered, "coverage (current or past)"),
            (residents, "members living there"),
            (paired, "pairings"),
        )
        if flag
    ]
    if reasons:
        raise fail(
            "place",
            f"place {row.code!r} is still referred to by {', '.join(reasons)}; "
            "only an unused place can be deleted (rename or move it instead)",
            ErrorCode.CONFLICT,
            "PLACE_IN_USE",
            code=row.code,
            below=int(bool(children)),
            coverage=int(bool(covered)),
            residents=int(bool(residents)),
            pairings=int(bool(paired)),
        )
    await session.delete(row)
    await session.flush()
    return row.id
