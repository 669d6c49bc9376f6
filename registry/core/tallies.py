"""Per-building resident tallies (`BuildingTally`), kept current by the writes themselves.

A building's row counts the households below it (directly or under a unit) and the members
whose household is one of them: all, full, probationary and in service (`Member.in_service`); one
who left the Party or died is not counted. It also counts the active groups covering the
building itself, and those of them staffed (a member placed in the group, a group leader in
office).
Coverage of a territory sums the rows of its buildings (`registry.reports.coverage`) instead of
visiting 50,000 members and probing each building's coverage.

The change log's commit hook (`registry.audit.changelog`) refreshes the buildings that the
write's logged changes touch (`touched_places`) and those covered by the organisations whose
figures it refreshes (`covered_places`), in the write's own transaction, after its
changes, so no write path can forget it; imports refresh the buildings their rows touch, or all
of them (`refresh_all`) after a bulk load. A refresh recomputes
the rows from the tables, never by adding deltas, so a refresh can only repair a row, never
skew it.

Concurrent writers to the same building are serialised on its row (locked before the counts
are read, so on PostgreSQL the second writer counts what the first committed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import BindParameter, SQLColumnExpression

from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    MemberStatus,
    OfficeRole,
    OrgStatus,
    PlaceKind,
)
from registry.core.models import BuildingTally, Coverage, Member, Office, Organisation, Place
from registry.core.paths import ids_of
from registry.core.sql import one_of

BUILDING_TALLY: Table = BuildingTally.metadata.tables[BuildingTally.__tablename__]

# The member columns a tally counts by: a change to any of them moves the member's count.
TALLIED_MEMBER_FIELDS = ("household_id", "status", "in_service", "departed_on")

# Ids per read of the tallies' sources: under every driver's parameter limit.
_READ_BATCH = 1_000


def id_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The distinct `ids`, sorted, in lists short enough for one IN (...) of any driver (the
    order rows are locked in, for the tallies of both tables)."""
    ordered = sorted(set(ids))
    for at in range(0, len(ordered), _READ_BATCH):
        yield ordered[at : at + _READ_BATCH]

TALLY_COLUMNS = (
    "households", "members", "full_members", "probationary_members", "in_service_members",
    "groups", "staffed_groups",
)  # fmt: skip


def _counts(building_id: SQLColumnExpression[int], *values: Any) -> list[ColumnElement[Any]]:
    """One row of counts under `building_id`: is_building, then the `TALLY_COLUMNS`."""
    named = zip(("is_building", *TALLY_COLUMNS), values, strict=True)
    return [
        building_id.label("building_id"),
        *(
            (literal_column(str(value)) if isinstance(value, int) else value).label(name)
            for name, value in named
        ),
    ]


def building_above(up: Any) -> ColumnElement[int]:
    """SQL: the building of a household whose parent is the place alias `up`. A household
    hangs under a unit or a building, a unit under a building (`PLACE_PARENTS`), so it is the
    parent itself or the parent's parent."""
    return case((up.kind == PlaceKind.BUILDING.value, up.id), else_=up.parent_id)


def tally_rows(listed: bool = False) -> Select[Any]:
    """SELECT building_id and the `TALLY_COLUMNS`, recomputed from places and members, for
    every building, or with `listed` for those in the (expanding) parameter `building_ids`.

    One pass: every building (zeros), every household and every resident member, each as a
    row of counts under its building id (`building_above`), and every open coverage by a group
    under its place's id (`_covering_groups`), summed per building: equi-joins,
    which planners seek by key either way round (a subtree range join makes PostgreSQL visit
    every building per member)."""
    listed_ids: BindParameter[list[int]] = bindparam("building_ids", expanding=True)
    building, household, home = aliased(Place), aliased(Place), aliased(Place)
    up_of_household, up_of_home = aliased(Place), aliased(Place)

    def building_of(up: Any) -> tuple[ColumnElement[int], ColumnElement[bool]]:
        """The building of a household whose parent is `up`, and whether it is listed."""
        is_building = up.kind == PlaceKind.BUILDING.value
        listed_here = or_(
            and_(is_building, up.id.in_(listed_ids)),
            and_(~is_building, up.parent_id.in_(listed_ids)),
        )
        return building_above(up), listed_here

    buildings = select(*_counts(building.id, 1, 0, 0, 0, 0, 0, 0, 0)).where(
        building.kind == PlaceKind.BUILDING.value
    )
    building_id, listed_here = building_of(up_of_household)
    # For listed buildings, `kind || ''` hides the kind index, which would have SQLite walk
    # every household of the district instead of seeking the few below the buildings.
    kind = household.kind.concat("") if listed else household.kind
    households = (
        select(*_counts(building_id, 0, 1, 0, 0, 0, 0, 0, 0))
        .select_from(household)
        .join(up_of_household, up_of_household.id == household.parent_id)
        .where(kind == PlaceKind.HOUSEHOLD.value)
    )
    building_id, listed_home = building_of(up_of_home)
    members = (
        select(
            *_counts(
                building_id,
                0,
                0,
                1,
                case((Member.status == MemberStatus.FULL.value, 1), else_=0),
                case((Member.status == MemberStatus.PROBATIONARY.value, 1), else_=0),
                case((Member.in_service, 1), else_=0),
                0,
                0,
            )
        )
        .select_from(Member)
        .join(home, home.id == Member.household_id)
        .join(up_of_home, up_of_home.id == home.parent_id)
        # One who left the Party or died is no longer counted where they lived.
        .where(Member.departed_on.is_(None))
    )
    groups = _covering_groups()
    if listed:
        buildings = buildings.where(building.id.in_(listed_ids))
        households = households.where(listed_here)
        members = members.where(listed_home)
        groups = groups.where(Coverage.place_id.in_(listed_ids))
    rows = union_all(buildings, households, members, groups).subquery()
    return (
        select(rows.c.building_id, *(func.sum(rows.c[name]).label(name) for name in TALLY_COLUMNS))
        .group_by(rows.c.building_id)
        # Buildings only: a household not under a building (malformed) names something else.
        .having(func.max(rows.c.is_building) == 1)
    )


def _covering_groups() -> Select[Any]:
    """A row of counts per open coverage of a place by an active group (`groups` 1), with
    `staffed_groups` 1 when the group has a member placed in it and a group leader in office
    (the `staffed` of `registry.reports.coverage.covered_by`, today)."""
    group = aliased(Organisation)
    staffed = and_(
        exists(select(1).where(Member.group_id == group.id)),
        exists(
            select(1)
            .where(Office.organisation_id == group.id, Office.end.is_(None))
            .where(Office.role == OfficeRole.GROUP_LEADER.value)
        ),
    )
    return (
        select(*_counts(Coverage.place_id, 0, 0, 0, 0, 0, 0, 1, case((staffed, 1), else_=0)))
        .select_from(Coverage)
        .join(group, group.id == Coverage.organisation_id)
        .where(Coverage.end.is_(None), group.status == OrgStatus.ACTIVE.value)
        .where(one_of(group.kind, BUILDING_COVERING_KINDS))
    )


def upsert_from(
    dialect: str, table: Table, key: str, columns: Sequence[str], rows: Select[Any]
) -> Executable:
    """INSERT the `rows` (key, then `columns`) into `table`, replacing the rows of keys it
    holds already: how a derived table (these tallies, `registry.core.org_tallies`) is
    rewritten from a recount."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # The table, not the class: an ORM insert given parameters would run as a bulk insert.
    statement = insert(table).from_select([key, *columns], rows)
    return statement.on_conflict_do_update(
        index_elements=[key], set_={name: statement.excluded[name] for name in columns}
    )


async def locked_upsert(
    session: AsyncSession,
    key: Any,
    ids: Sequence[int],
    statement: Executable,
    parameter: str,
) -> None:
    """Lock the stored rows of `ids` (column `key`) in id order, then run `statement` (an
    `upsert_from` of the rows listed in the expanding parameter `parameter`) for them.
    Flushes the session first.

    Locked in id order, no deadlock between two writers touching the same rows; a row
    created in this transaction has none yet and gets one from the upsert. On PostgreSQL the
    second writer counts what the first committed."""
    await session.flush()
    await session.execute(select(key).where(key.in_(ids)).order_by(key).with_for_update())
    await session.execute(statement, {parameter: list(ids)})


@lru_cache(maxsize=8)
def _upsert_statement(dialect: str, listed: bool) -> Executable:
    # Built once: composing it costs SQLAlchemy ten times what running it costs SQLite.
    return upsert_from(dialect, BUILDING_TALLY, "building_id", TALLY_COLUMNS, tally_rows(listed))


async def refresh_buildings(session: AsyncSession, building_ids: Iterable[int]) -> None:
    """Recompute the rows of these buildings (ids that are no longer buildings are skipped;
    a deleted building's row went with it). Flushes the session first."""
    ids = sorted(set(building_ids))
    if not ids:
        return
    statement = _upsert_statement(session.get_bind().dialect.name, True)
    await locked_upsert(session, BuildingTally.building_id, ids, statement, "building_ids")


async def buildings_of(session: AsyncSession, place_ids: Iterable[int | None]) -> set[int]:
    """The buildings at or above these places (a household's or unit's building, a building
    itself; nothing for places above building level). Nones are ignored."""
    ids = {i for i in place_ids if i is not None}
    if not ids:
        return set()
    await session.flush()
    paths = await session.scalars(select(Place.path).where(Place.id.in_(ids)))
    lineage = {ancestor for path in paths for ancestor in ids_of(path)}
    found = await session.scalars(
        select(Place.id).where(Place.id.in_(lineage), Place.kind == PlaceKind.BUILDING.value)
    )
    return set(found)


async def refresh_places(session: AsyncSession, place_ids: Iterable[int | None]) -> None:
    """Recompute the rows of the buildings at or above these places, as they stand now. A
    write that moves something between buildings calls it with the places before and after
    (or `buildings_of` before the move and `refresh_buildings` after)."""
    await refresh_buildings(session, await buildings_of(session, place_ids))


def touched_places(
    changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
) -> set[int]:
    """The places whose buildings' rows a set of (entity, before, after) changes may move: the
    lineage of a place created, deleted or moved (old and new path), the households a
    member left or joined or whose counted columns changed, and a place whose coverage
    changed. (What an organisation's own changes move: `covered_places`.)"""
    found: set[int] = set()
    for entity, before, after in changes:
        if entity == "coverage":
            found.update(side["place_id"] for side in (before, after) if side)
        elif entity == "place":
            paths = {side["path"] for side in (before, after) if side}
            if before is None or after is None or len(paths) > 1:
                found.update(ancestor for path in paths for ancestor in ids_of(path))
        elif entity == "member" and (
            before is None
            or after is None
            or any(before.get(f) != after.get(f) for f in TALLIED_MEMBER_FIELDS)
        ):
            found.update(
                side["household_id"] for side in (before, after) if side and side["household_id"]
            )
    return found


async def covered_places(session: AsyncSession, organisation_ids: Iterable[int]) -> set[int]:
    """The places these organisations cover now: a group's status, kind, placements and
    leader move the `groups` figures of the buildings it covers (an organisation whose
    figures a write may have moved: `registry.core.org_tallies.Touched`)."""
    found: set[int] = set()
    for chunk in id_chunks(organisation_ids):
        found.update(
            await session.scalars(
                select(Coverage.place_id)
                .where(Coverage.organisation_id.in_(chunk), Coverage.end.is_(None))
            )
        )
    return found


async def refresh_all(session: AsyncSession) -> None:
    """Recompute every building's row and drop rows of places no longer buildings (imports,
    which change the tree and the members wholesale)."""
    await session.flush()
    await session.execute(
        delete(BuildingTally).where(
            BuildingTally.building_id.not_in(
                select(Place.id).where(Place.kind == PlaceKind.BUILDING.value)
            )
        )
    )
    await session.execute(_upsert_statement(session.get_bind().dialect.name, False))
