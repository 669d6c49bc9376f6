"""Per-organisation figures the rules judge (`OrgTally`), kept current by the writes themselves.

An organisation's row holds what the rules report reads of it (`registry.reports.rules`):
members and full members of its subtree (branches and general branches), current
secretaries and committee size, group leaders and members placed (groups), estates covered
(branches), and the day its term counts from (its last election, or its current committee's
earliest start); and counts of what the member and containment rules look for: its members in
none of its groups, probationary members on its committee, places it covers outside its
parent's territory (the report looks only where these are not zero). A figure no rule reads for
the organisation's kind is 0 (or null).
The report of a city reads 117,000 rows instead of counting, for each organisation, its
members, offices, elections and coverage.

As with the building tallies (`registry.core.tallies`), the change log's commit hook
(`registry.audit.changelog`) refreshes the organisations a write's logged changes touch
(`Touched`), in the write's own transaction; imports refresh the ones their rows name, or all
of them (`refresh_all`) after a bulk load. A refresh recomputes rows from the tables, never by
adding deltas. Concurrent writers to the same organisation are serialised on its row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    Table,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.core.containment import covers_outside_parent
from registry.core.kinds import (
    COMMUNITY_TERM_KINDS,
    TERM_KINDS,
    MemberStatus,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PlaceKind,
)
from registry.core.models import Coverage, Member, Office, Organisation, OrgTally, Place
from registry.core.paths import ids_of, in_subtree_of, within
from registry.core.sql import one_of
from registry.core.tallies import id_chunks, locked_upsert, upsert_from
from registry.core.terms import COMMITTEE_ROLES, committee_since, last_election

ORG_TALLY: Table = OrgTally.metadata.tables[OrgTally.__tablename__]

# Which kinds each figure is kept for: the kinds a rule judges by it.
SUBTREE_COUNTED_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH})
SECRETARY_REQUIRED_KINDS = COMMUNITY_TERM_KINDS
COMMITTEE_SIZED_KINDS = COMMUNITY_TERM_KINDS
GROUP_KINDS = frozenset({OrgKind.GROUP})
UNIT_COUNTED_KINDS = frozenset({OrgKind.BRANCH})

ORG_TALLY_COLUMNS = (
    "members", "full_members", "secretaries", "committee", "leaders", "placed", "units",
    "elected_on", "committee_since", "ungrouped", "probationary_officers", "outside",
)  # fmt: skip

# The member columns a figure counts by: a change to any of them moves the member's counts.
_COUNTED_MEMBER_FIELDS = ("organisation_id", "status", "departed_on", "group_id")


def tally_rows(listed: bool = False) -> Select[Any]:
    """SELECT organisation_id and the `ORG_TALLY_COLUMNS`, recomputed from the tables, for
    every organisation, or with `listed` for those in the (expanding) parameter
    `organisation_ids`. Each figure is a correlated aggregate (an index probe), computed only
    for the kinds that keep it."""
    org = Organisation

    def only_for(kinds: frozenset[OrgKind], value: Any, empty: Any) -> Any:
        return case((one_of(org.kind, kinds), value), else_=empty)

    def subtree_members(*conditions: ColumnElement[bool]) -> Any:
        # One range of the members' own organisation paths, not a walk of the subtree.
        counted = (
            select(func.count(Member.id))
            .where(in_subtree_of(Member.org_path, org.path), Member.departed_on.is_(None))
            .where(*conditions)
            .scalar_subquery()
        )
        return only_for(SUBTREE_COUNTED_KINDS, counted, 0)

    def offices(value: ColumnElement[Any], *conditions: ColumnElement[bool]) -> Any:
        return (
            select(value)
            .where(Office.organisation_id == org.id, Office.end.is_(None), *conditions)
            .scalar_subquery()
        )

    estates = (
        select(func.count(Coverage.id))
        .join(Place, Place.id == Coverage.place_id)
        .where(Coverage.organisation_id == org.id, Coverage.end.is_(None))
        .where(Place.kind == PlaceKind.ESTATE.value)
        .scalar_subquery()
    )
    query = select(
        org.id.label("organisation_id"),
        subtree_members().label("members"),
        subtree_members(Member.status == MemberStatus.FULL.value).label("full_members"),
        only_for(
            SECRETARY_REQUIRED_KINDS,
            offices(func.count(Office.id), Office.role == OfficeRole.SECRETARY.value),
            0,
        ).label("secretaries"),
        only_for(
            COMMITTEE_SIZED_KINDS,
            offices(
                func.count(func.distinct(Office.member_id)), one_of(Office.role, COMMITTEE_ROLES)
            ),
            0,
        ).label("committee"),
        only_for(
            GROUP_KINDS,
            offices(func.count(Office.id), Office.role == OfficeRole.GROUP_LEADER.value),
            0,
        ).label("leaders"),
        only_for(
            GROUP_KINDS,
            select(func.count(Member.id)).where(Member.group_id == org.id).scalar_subquery(),
            0,
        ).label("placed"),
        only_for(UNIT_COUNTED_KINDS, estates, 0).label("units"),
        only_for(TERM_KINDS, last_election(org.id), None).label("elected_on"),
        only_for(TERM_KINDS, committee_since(org.id), None).label("committee_since"),
        _ungrouped(org).label("ungrouped"),
        _probationary_officers(org).label("probationary_officers"),
        _outside(org).label("outside"),
    )
    if listed:
        return query.where(org.id.in_(bindparam("organisation_ids", expanding=True)))
    # A WHERE before the upsert's ON CONFLICT: SQLite would read "FROM t ON" as a join.
    return query.where(true())


def _ungrouped(org: Any) -> ColumnElement[int]:
    """SQL: the organisation's own present members in none of its active groups (no group,
    or one closed or under another organisation), if it has active groups; else 0."""
    group = aliased(Organisation)

    def active_group(*conditions: ColumnElement[bool]) -> Any:
        return exists(
            select(1)
            .where(group.kind == OrgKind.GROUP.value, group.status == OrgStatus.ACTIVE.value)
            .where(*conditions)
            .correlate(org, Member)
        )

    counted = (
        select(func.count(Member.id))
        .where(Member.organisation_id == org.id, Member.departed_on.is_(None))
        .where(
            or_(
                Member.group_id.is_(None),
                ~active_group(group.id == Member.group_id, group.parent_id == org.id),
            )
        )
        .scalar_subquery()
    )
    return case((active_group(group.parent_id == org.id), counted), else_=0)


def _probationary_officers(org: Any) -> ColumnElement[int]:
    """SQL: current committee offices of the organisation held by present probationary
    members."""
    return (
        select(func.count(Office.id))
        .join(Member, Member.id == Office.member_id)
        .where(Office.organisation_id == org.id, Office.end.is_(None))
        .where(one_of(Office.role, COMMITTEE_ROLES))
        .where(Member.status == MemberStatus.PROBATIONARY.value, Member.departed_on.is_(None))
        .scalar_subquery()
    )


def _outside(org: Any) -> ColumnElement[int]:
    """SQL: the places the organisation covers outside its parent's territory, as
    `registry.core.containment` judges them (0 where it judges none)."""
    cover, place = aliased(Coverage), aliased(Place)
    return (
        select(func.count(cover.id))
        .join(place, place.id == cover.place_id)
        .where(cover.organisation_id == org.id, cover.end.is_(None))
        .where(covers_outside_parent(org, place))
        .scalar_subquery()
    )


@lru_cache(maxsize=8)
def _upsert_statement(dialect: str, listed: bool) -> Executable:
    # Built once: composing it costs more than running it for a few organisations.
    return upsert_from(
        dialect, ORG_TALLY, "organisation_id", ORG_TALLY_COLUMNS, tally_rows(listed)
    )


async def refresh_organisations(session: AsyncSession, organisation_ids: Iterable[int]) -> None:
    """Recompute the rows of these organisations (ids no longer stored are skipped; a deleted
    organisation's row went with it). Flushes the session first."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return
    statement = _upsert_statement(session.get_bind().dialect.name, True)
    await locked_upsert(session, OrgTally.organisation_id, ids, statement, "organisation_ids")


async def _with_counting_ancestors(
    session: AsyncSession, own: Iterable[int], counted: Iterable[int]
) -> set[int]:
    """The organisations `own` and those whose subtree counts the members of `counted`:
    each of `counted` and the branches and general branches above it (as it stands now)."""
    found = set(own)
    ids = set(counted)
    if not ids:
        return found
    await session.flush()
    lineage: set[int] = set()
    for chunk in id_chunks(ids):
        paths = await session.scalars(select(Organisation.path).where(Organisation.id.in_(chunk)))
        lineage.update(ancestor for path in paths for ancestor in ids_of(path))
    found |= ids
    for chunk in id_chunks(lineage - found):
        found.update(
            await session.scalars(
                select(Organisation.id)
                .where(Organisation.id.in_(chunk))
                .where(one_of(Organisation.kind, SUBTREE_COUNTED_KINDS))
            )
        )
    return found


# One logged change: entity, entity id, before, after.
Change = tuple[str, int, dict[str, Any] | None, dict[str, Any] | None]


class Touched:
    """The organisations a set of changes may move, by how their figures follow:

    - `own`: their own figures (an office, an election, a group's placements);
    - `counted`: their members, so the branches above count differently too;
    - `covering`: their coverage, so their children's territory moves too;
    - `holders`: members whose status moved, so the offices they hold count differently;
    - `places`: places moved or retyped, so whoever covers inside them (and their children)
      may be judged differently."""

    def __init__(self) -> None:
        self.own: set[int] = set()
        self.counted: set[int] = set()
        self.covering: set[int] = set()
        self.holders: set[int] = set()
        self.places: set[str] = set()

    def add(self, changes: Iterable[Change]) -> Touched:
        """Note what each (entity, id, before, after) change may move."""
        for entity, entity_id, before, after in changes:
            sides = [side for side in (before, after) if side]
            if entity == "organisation":
                # Created, closed, retyped or moved: itself and its subtree's counting
                # ancestors, where it was and where it is.
                for side in sides:
                    self.counted.update(ids_of(side["path"]))
            elif entity == "member" and _moves_counts(before, after):
                self.counted.update(s["organisation_id"] for s in sides if s.get("organisation_id"))
                self.own.update(s["group_id"] for s in sides if s.get("group_id"))
                self.holders.add(entity_id)
            elif entity in ("office", "election"):
                self.own.update(side["organisation_id"] for side in sides)
            elif entity == "coverage":
                self.covering.update(side["organisation_id"] for side in sides)
            elif entity == "place" and (
                before is None or after is None or before["path"] != after["path"]
                or before["kind"] != after["kind"]
            ):  # fmt: skip
                self.places.update(side["path"] for side in sides)
        return self

    async def refresh(self, session: AsyncSession) -> set[int]:
        """Recompute the rows of every organisation noted, and return their ids (nothing to
        read when none is: most writes, a phone or a name, move no figure)."""
        if not (self.own or self.counted or self.covering or self.holders or self.places):
            return set()
        found = await self.organisations(session)
        for chunk in id_chunks(found):
            await refresh_organisations(session, chunk)
        return found

    async def organisations(self, session: AsyncSession) -> set[int]:
        """Every organisation whose row may have moved, read as the tables stand now."""
        await session.flush()
        own = set(self.own)
        covering = set(self.covering)
        for chunk in id_chunks(self.holders):
            own.update(
                await session.scalars(
                    select(Office.organisation_id).where(
                        Office.member_id.in_(chunk), Office.end.is_(None)
                    )
                )
            )
        for path in sorted(self.places):
            covering.update(
                await session.scalars(
                    select(Coverage.organisation_id)
                    .join(Place, Place.id == Coverage.place_id)
                    .where(within(Place.path, path), Coverage.end.is_(None))
                )
            )
        own |= covering
        for chunk in id_chunks(covering):
            own.update(
                await session.scalars(
                    select(Organisation.id).where(Organisation.parent_id.in_(chunk))
                )
            )
        return await _with_counting_ancestors(session, own, self.counted)


def _moves_counts(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    return (
        before is None
        or after is None
        or any(before.get(f) != after.get(f) for f in _COUNTED_MEMBER_FIELDS)
    )


async def refresh_touched(session: AsyncSession, changes: Sequence[Change]) -> set[int]:
    """Refresh the rows a set of logged changes may move (`Touched`); their ids."""
    return await Touched().add(changes).refresh(session)


async def refresh_all(session: AsyncSession) -> None:
    """Recompute every organisation's row (imports, which change the tree and the members
    wholesale)."""
    await session.flush()
    statement = _upsert_statement(session.get_bind().dialect.name, False)
    await session.execute(statement)

