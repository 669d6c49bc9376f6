"""Coverage of a scope: how much of its territory the organisations and members reach.

Every number is one SQL aggregate over the scope's subtree ranges (`registry.scope`); nothing
loads the tree into Python. Definitions:

- **estates** in the territory; *covered* when an active organisation of a kind in
  `ESTATE_COVERING_KINDS` (branch, general branch) covers the estate itself (active Coverage).
  Coverage of a community or grid does not count: the rule is "a branch in every estate".
- **buildings** in the territory; *covered* when an active group (`BUILDING_COVERING_KINDS`)
  covers the building itself.
- **buildings with members**: buildings where at least one member lives in one of their
  households (any member: formal, probationary, or in service and reporting there).
- **households** in the territory; *covered* when an active household-contact pairing names it.
- **members per 100 households**: members living in the territory per 100 of its households.
- **members** by status: for a place scope, the members living there; for an organisation scope,
  the members whose formal organisation is in its subtree or who report (双报到) into it.
- **gaps**: estates with no branch, buildings with no group, buildings where no member lives,
  each with a reason, in tree order (place path), capped.

A covering organisation outside the caller's scope still makes a place covered: the number
says whether the place is served, not by whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.kinds import (
    BUILDING_COVERING_KINDS,
    ESTATE_COVERING_KINDS,
    MemberStatus,
    OrgKind,
    OrgStatus,
    PairingKind,
    PlaceKind,
)
from registry.models import Coverage, Member, Organisation, Pairing, Place
from registry.scope import Scope, ScopeKind, in_subtree_of


@dataclass(frozen=True)
class Tally:
    """`covered` of `total`, and their ratio (None when there is nothing to cover)."""

    total: int
    covered: int

    @property
    def ratio(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def uncovered(self) -> int:
        return self.total - self.covered


@dataclass(frozen=True)
class MemberCounts:
    total: int
    full: int
    probationary: int
    in_service: int


@dataclass(frozen=True)
class CoverageSummary:
    estates: Tally
    buildings: Tally
    buildings_with_members: Tally
    households: Tally
    members_living: int
    members: MemberCounts

    @property
    def members_per_100_households(self) -> float | None:
        total = self.households.total
        return self.members_living * 100 / total if total else None


class GapKind(StrEnum):
    ESTATE_WITHOUT_BRANCH = "estate_without_branch"
    BUILDING_WITHOUT_GROUP = "building_without_group"
    BUILDING_WITHOUT_MEMBER = "building_without_member"


GAP_REASONS: dict[GapKind, str] = {
    GapKind.ESTATE_WITHOUT_BRANCH: "no branch covers this estate",
    GapKind.BUILDING_WITHOUT_GROUP: "no party group covers this building",
    GapKind.BUILDING_WITHOUT_MEMBER: "no member lives in this building",
}


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    place: Place
    reason: str


@dataclass(frozen=True)
class GapList:
    total: int
    items: list[Gap]


def covered_by(kinds: frozenset[OrgKind], place_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL condition: an active organisation of one of `kinds` covers the place now.

    Nested EXISTS rather than a join, so that every planner, with or without statistics,
    seeks the place's coverage rows first and then each organisation by its key."""
    # Aliases, so that nothing correlates with the enclosing query's own tables.
    cover = aliased(Coverage)
    org = aliased(Organisation)
    organisation = exists(
        select(1)
        .where(org.id == cover.organisation_id)
        .where(org.status == OrgStatus.ACTIVE.value)
        .where(org.kind.in_([k.value for k in kinds]))
    )
    return exists(
        select(1)
        .select_from(cover)
        .where(cover.place_id == place_id, cover.end.is_(None), organisation)
    )


def lived_in(place: type[Place]) -> ColumnElement[bool]:
    """SQL condition: some member lives in a household in the subtree of `place` (an alias).
    Nested EXISTS: the subtree's places by range, then members by household."""
    home = aliased(Place)
    return exists(
        select(1)
        .select_from(home)
        .where(in_subtree_of(home.path, place.path))
        .where(exists(select(1).where(Member.household_id == home.id)))
    )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL aggregate: how many rows meet `condition` (0 on none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _tally(
    session: AsyncSession, scope: Scope, kind: PlaceKind, covered: ColumnElement[bool]
) -> Tally:
    row = (
        await session.execute(
            select(func.count(), count_if(covered)).where(
                Place.kind == kind.value, scope.places(Place.path)
            )
        )
    ).one()
    return Tally(total=int(row[0]), covered=int(row[1]))


async def _buildings(session: AsyncSession, scope: Scope) -> Tally:
    row = (
        await session.execute(
            select(func.count(), count_if(covered_by(BUILDING_COVERING_KINDS, Place.id))).where(
                Place.kind == PlaceKind.BUILDING.value, scope.places(Place.path)
            )
        )
    ).one()
    return Tally(int(row[0]), int(row[1]))


async def _residents(session: AsyncSession, scope: Scope) -> tuple[MemberCounts, int]:
    """Members living in the territory by status, and the buildings they live in, in one pass
    over the members. A household hangs under a unit or a building, a unit under a building
    (`PLACE_PARENTS`), so a household's building is its parent or its grandparent."""
    home = aliased(Place)
    up = aliased(Place)
    building = aliased(Place)
    building_id = case((up.kind == PlaceKind.BUILDING.value, up.id), else_=up.parent_id)
    row = (
        await session.execute(
            select(
                *_member_counts(),
                func.count(func.distinct(case((scope.places(building.path), building.id)))),
            )
            .select_from(Member)
            .join(home, home.id == Member.household_id)
            .join(up, up.id == home.parent_id)
            .join(building, building.id == building_id)
            .where(scope.places(_unindexed_on_sqlite(session, home.path)))
        )
    ).one()
    return MemberCounts(*(int(value) for value in row[:4])), int(row[4])


def _unindexed_on_sqlite(session: AsyncSession, path: ColumnElement[str]) -> ColumnElement[str]:
    """On SQLite, `path || ''` hides the path index so the planner walks the (fewer) members and
    seeks their homes by key, instead of seeking every place of the territory and then its
    members (5x slower at district scale). PostgreSQL hash-joins either way, and misjudges the
    expression, so it keeps the plain column."""
    return path.concat("") if session.get_bind().dialect.name == "sqlite" else path


async def _households(session: AsyncSession, scope: Scope) -> Tally:
    in_scope = (Place.kind == PlaceKind.HOUSEHOLD.value, scope.places(Place.path))
    total = await session.scalar(select(func.count()).where(*in_scope))
    # Driven from the pairings (a correlated EXISTS keeps planners from scanning households).
    covered = await session.scalar(
        select(func.count(func.distinct(Pairing.place_id)))
        .where(Pairing.kind == PairingKind.HOUSEHOLD_CONTACT.value, Pairing.end.is_(None))
        .where(exists(select(1).where(Place.id == Pairing.place_id, *in_scope)))
    )
    return Tally(int(total or 0), int(covered or 0))


def _member_counts() -> tuple[ColumnElement[int], ...]:
    return (
        func.count(Member.id),
        count_if(Member.status == MemberStatus.FULL.value),
        count_if(Member.status == MemberStatus.PROBATIONARY.value),
        count_if(Member.workplace.is_not(None)),
    )


async def _members(session: AsyncSession, condition: ColumnElement[bool]) -> MemberCounts:
    row = (await session.execute(select(*_member_counts()).where(condition))).one()
    return MemberCounts(*(int(value) for value in row))


def living_in(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on Member: lives in the scope's territory. A correlated EXISTS (one
    primary-key probe per member) rather than IN (a list of every place in the territory)."""
    return exists(select(1).where(Place.id == Member.household_id, scope.places(Place.path)))


def belonging_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on Member: formal organisation in the scope's organisations, or reporting
    into them."""
    orgs = select(Organisation.id).where(scope.orgs(Organisation.path))
    return or_(Member.organisation_id.in_(orgs), Member.reports_to_id.in_(orgs))


async def coverage_summary(session: AsyncSession, scope: Scope) -> CoverageSummary:
    """The coverage numbers of a scope (four aggregate statements, five for an organisation)."""
    estates = await _tally(
        session, scope, PlaceKind.ESTATE, covered_by(ESTATE_COVERING_KINDS, Place.id)
    )
    buildings = await _buildings(session, scope)
    households = await _households(session, scope)
    living, lived_in_buildings = await _residents(session, scope)
    members = (
        living if scope.kind is ScopeKind.PLACE else await _members(session, belonging_to(scope))
    )
    return CoverageSummary(
        estates=estates,
        buildings=buildings,
        buildings_with_members=Tally(buildings.total, lived_in_buildings),
        households=households,
        members_living=living.total,
        members=members,
    )


def _gap_condition(kind: GapKind) -> tuple[PlaceKind, ColumnElement[bool]]:
    if kind is GapKind.ESTATE_WITHOUT_BRANCH:
        return PlaceKind.ESTATE, ~covered_by(ESTATE_COVERING_KINDS, Place.id)
    if kind is GapKind.BUILDING_WITHOUT_GROUP:
        return PlaceKind.BUILDING, ~covered_by(BUILDING_COVERING_KINDS, Place.id)
    return PlaceKind.BUILDING, ~lived_in(Place)


async def gaps(
    session: AsyncSession, scope: Scope, summary: CoverageSummary, first: int
) -> GapList:
    """The first `first` gaps in tree order (an estate before its buildings), and how many
    there are in all (from `summary`, so not counted twice)."""
    totals = {
        GapKind.ESTATE_WITHOUT_BRANCH: summary.estates.uncovered,
        GapKind.BUILDING_WITHOUT_GROUP: summary.buildings.uncovered,
        GapKind.BUILDING_WITHOUT_MEMBER: summary.buildings_with_members.uncovered,
    }
    found: list[tuple[str, int, Gap]] = []
    for order, kind in enumerate(GapKind):
        if not totals[kind] or first <= 0:
            continue
        place_kind, condition = _gap_condition(kind)
        rows = await session.scalars(
            select(Place)
            .where(Place.kind == place_kind.value, scope.places(Place.path), condition)
            .order_by(Place.path)
            .limit(first)
        )
        found.extend((row.path, order, Gap(kind, row, GAP_REASONS[kind])) for row in rows)
    found.sort(key=lambda item: (item[0], item[1]))
    return GapList(total=sum(totals.values()), items=[gap for _, _, gap in found[:first]])
