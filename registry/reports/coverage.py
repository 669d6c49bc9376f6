"""Coverage of a scope: how much of its territory the organisations and members reach.

Every number is one SQL aggregate over the scope's subtree ranges (`registry.access.scope`); nothing
loads the tree into Python. Today's households, residents and buildings covered by groups are
summed from the per-building tallies the writes keep (`registry.core.tallies`); dates in the
past, and territories cut inside a building, are counted from the members and places themselves.
Definitions:

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
- **gaps**: estates with no branch, buildings with no group, buildings whose groups are all
  unstaffed (a group with no member placed in it or no current leader 组长: covered in name
  only, so listed although counted as covered), buildings where no member lives, each with its
  kind (the why), in tree order (place path), capped. As of a past day, a group's leader is the
  one in office that day and its members are those placed in it now (placements keep no history).

A covering organisation outside the caller's scope still makes a place covered: the number
says whether the place is served, not by whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from itertools import islice

from sqlalchemy import (
    ColumnElement,
    and_,
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
from sqlalchemy.sql.expression import FromClause, SQLColumnExpression

from registry.access.scope import Scope, ScopeKind, Shape, member_meets_any, shape_of
from registry.audit.history import active_on, current_or_on, in_force, member_existed_on
from registry.core.db import AnySelect
from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    ESTATE_COVERING_KINDS,
    MemberStatus,
    OfficeRole,
    OrgKind,
    PairingKind,
    PlaceKind,
)
from registry.core.models import (
    Affiliation,
    BuildingTally,
    Coverage,
    Member,
    Office,
    Organisation,
    Pairing,
    Place,
)
from registry.core.paths import ids_of, in_subtree_of
from registry.core.sql import one_of
from registry.core.tallies import building_above


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
    # Covered buildings only unstaffed groups cover, when the building tallies gave it.
    unstaffed: int | None = None

    @property
    def members_per_100_households(self) -> float | None:
        total = self.households.total
        return self.members_living * 100 / total if total else None


class GapKind(StrEnum):
    ESTATE_WITHOUT_BRANCH = "estate_without_branch"
    BUILDING_WITHOUT_GROUP = "building_without_group"
    BUILDING_GROUP_UNSTAFFED = "building_group_unstaffed"
    BUILDING_WITHOUT_MEMBER = "building_without_member"


@dataclass(frozen=True)
class Gap:
    """An uncovered place; its kind is why (worded by `gap.<kind>` in the wording files)."""

    kind: GapKind
    place: Place


@dataclass(frozen=True)
class GapList:
    total: int
    items: list[Gap]


def covered_by(
    kinds: frozenset[OrgKind],
    place_id: SQLColumnExpression[int],
    on: date | None = None,
    *,
    staffed: bool = False,
) -> ColumnElement[bool]:
    """SQL condition: an active organisation of one of `kinds` covers the place now (or, with
    `on`, covered it that day: `registry.audit.history`); with `staffed`, a group that has a
    member placed in it and a leader (组长) in office (today's staffed buildings are counted
    from their tallies: `_gap_condition`).

    Nested EXISTS rather than a join, so that every planner, with or without statistics,
    seeks the place's coverage rows first and then each organisation by its key."""
    # Aliases, so that nothing correlates with the enclosing query's own tables.
    cover = aliased(Coverage)
    org = aliased(Organisation)
    query = (
        select(1)
        .where(org.id == cover.organisation_id)
        .where(active_on(org, on))
        .where(one_of(org.kind, kinds))
    )
    if staffed:
        leader = aliased(Office)
        query = query.where(
            exists(select(1).where(Member.group_id == org.id)),
            exists(
                select(1)
                .where(leader.organisation_id == org.id)
                .where(leader.role == OfficeRole.GROUP_LEADER.value)
                .where(current_or_on(leader.start, leader.end, on))
            ),
        )
    organisation = exists(query)
    # OFFSET 0 keeps the EXISTS a probe per place: flattened into a semi-join, PostgreSQL's
    # generic plan (which takes a scope for 0.1 % of the places) hashed every open coverage
    # row of the registry for it (100-140 ms per community of a city).
    return exists(
        select(1)
        .select_from(cover)
        .where(cover.place_id == place_id, current_or_on(cover.start, cover.end, on))
        .where(organisation)
        .offset(0)
    )


def lived_in(place: type[Place], on: date | None = None) -> ColumnElement[bool]:
    """SQL condition: some member lives in a household in the subtree of `place` (an alias).
    Nested EXISTS: the subtree's places by range, then members by household."""
    home = aliased(Place)
    return exists(
        select(1)
        .select_from(home)
        .where(in_subtree_of(home.path, place.path))
        .where(exists(select(1).where(Member.household_id == home.id, member_existed_on(on))))
    )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL aggregate: how many rows meet `condition` (0 on none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _tally_query(scope: Scope, kind: PlaceKind, covered: ColumnElement[bool]) -> AnySelect:
    return select(func.count(), count_if(covered)).where(
        Place.kind == kind.value, scope.places(Place.path)
    )


def _residents_query(scope: Scope, on: date | None, sqlite: bool) -> AnySelect:
    """Members living in the territory by status, and the buildings they live in, in one pass
    over the members (each member's building is `building_above` their household's parent)."""
    home = aliased(Place)
    up = aliased(Place)
    building = aliased(Place)
    building_id = building_above(up)
    return (
        select(
            *_member_counts(on),
            func.count(func.distinct(case((scope.places(building.path), building.id)))),
        )
        .select_from(Member)
        .join(home, home.id == Member.household_id)
        .join(up, up.id == home.parent_id)
        .join(building, building.id == building_id)
        .where(scope.places(_unindexed_on_sqlite(sqlite, home.path)))
        .where(member_existed_on(on))
    )


def _unindexed_on_sqlite(
    sqlite: bool, path: SQLColumnExpression[str]
) -> SQLColumnExpression[str]:
    """On SQLite, `path || ''` hides the path index so the planner walks the (fewer) members and
    seeks their homes by key, instead of seeking every place of the territory and then its
    members (5x slower at district scale). PostgreSQL hash-joins either way, and misjudges the
    expression, so it keeps the plain column."""
    return path.concat("") if sqlite else path


def _households_queries(scope: Scope, on: date | None) -> tuple[AnySelect, AnySelect]:
    in_scope = (Place.kind == PlaceKind.HOUSEHOLD.value, scope.places(Place.path))
    total = select(func.count()).where(*in_scope)
    # Driven from the pairings (a correlated EXISTS keeps planners from scanning households).
    covered = (
        select(func.count(func.distinct(Pairing.place_id)))
        .where(Pairing.kind == PairingKind.HOUSEHOLD_CONTACT.value)
        .where(current_or_on(Pairing.start, Pairing.end, on))
        .where(exists(select(1).where(Place.id == Pairing.place_id, *in_scope)))
    )
    return total, covered


def _member_counts(on: date | None = None) -> tuple[ColumnElement[int], ...]:
    full = Member.status == MemberStatus.FULL.value
    probationary = Member.status == MemberStatus.PROBATIONARY.value
    if on is not None:
        # A full member confirmed after `on` was still probationary that day.
        later = and_(Member.full_on.is_not(None), Member.full_on > on)
        full, probationary = and_(full, ~later), or_(probationary, and_(full, later))
    return (
        func.count(Member.id),
        count_if(full),
        count_if(probationary),
        count_if(Member.in_service.is_(True)),
    )


def _members_query(condition: ColumnElement[bool], on: date | None = None) -> AnySelect:
    return select(*_member_counts(on)).where(condition, member_existed_on(on))


def living_in(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on Member: lives in the scope's territory (the home's path on the
    member's row, an indexed range)."""
    return scope.places(Member.home_path)


def belonging_to(scope: Scope, on: date | None = None) -> ColumnElement[bool]:
    """SQL condition on Member: formal organisation in the scope's organisations (with `on`:
    their affiliation of that day), or reporting into them."""
    if on is None:
        return member_meets_any(scope.orgs(Member.org_path), scope.orgs(Member.reports_path))
    orgs = select(Organisation.id).where(scope.orgs(Organisation.path))
    formal = exists(
        select(1).where(
            Affiliation.member_id == Member.id,
            Affiliation.organisation_id.in_(orgs),
            in_force(Affiliation.start, Affiliation.end, on),
        )
    )
    return or_(formal, scope.orgs(Member.reports_path))


def _building_tallies_query(scope: Scope, sqlite: bool) -> AnySelect:
    """Households, members living in the territory by status, buildings with a member, then
    buildings, those a group covers and those only unstaffed groups cover, summed over the
    tallies of the buildings in the territory (`registry.core.tallies`): one row per building
    instead of every member and household and each building's coverage. Valid only when the
    territory is made of whole buildings (`_tallies_answer`). Every place's
    (`Scope.every_place`) is joined whole."""
    tally: FromClause = BuildingTally.__table__
    every = scope.every_place
    lateral = not sqlite and not every
    if lateral:
        # PostgreSQL's generic plan expects a scope's buildings to be 0.1 % of the places
        # and merge-joins the tallies with the whole place table in id order: 50 ms for one
        # estate of a district, 1.2 s in a city. Looked up building by building (a lateral
        # row, fenced by OFFSET 0), an estate takes 0.2 ms and a city's sub-district 2 ms.
        tally = select(tally).where(tally.c.building_id == Place.id).offset(0).lateral("tally")
    return (
        select(
            func.coalesce(func.sum(tally.c.households), 0),
            func.coalesce(func.sum(tally.c.members), 0),
            func.coalesce(func.sum(tally.c.full_members), 0),
            func.coalesce(func.sum(tally.c.probationary_members), 0),
            func.coalesce(func.sum(tally.c.in_service_members), 0),
            count_if(tally.c.members > 0),
            func.count(Place.id),
            count_if(tally.c.groups > 0),
            count_if(and_(tally.c.groups > 0, tally.c.staffed_groups == 0)),
        )
        # `kind = 'building'` lets the scope's buildings be sought on (kind, path).
        .select_from(Place)
        # Outer: a building is counted even if its row were missing.
        .join(tally, true() if lateral else tally.c.building_id == Place.id, isouter=True)
        .where(Place.kind == PlaceKind.BUILDING.value)
        .where(*([] if every else [scope.places(Place.path)]))
    )


# A territory whose top is one of these holds part of a building, not whole buildings.
_INSIDE_BUILDINGS = (PlaceKind.UNIT.value, PlaceKind.HOUSEHOLD.value)


async def _tallies_answer(session: AsyncSession, scope: Scope) -> bool:
    """Whether the building tallies give the scope's current figures: when every top of its
    territory is a building or above it. A unit or a household would be credited with its
    whole building, so such a scope is counted live."""
    if scope.place is not None:
        return scope.place.kind not in _INSIDE_BUILDINGS
    tops = [ids_of(top)[-1] for top in scope.place_tops]
    if not tops:
        return True
    inside = exists(select(1).where(Place.id.in_(tops), one_of(Place.kind, _INSIDE_BUILDINGS)))
    return not await session.scalar(select(inside))


def _summary_queries(
    scope: Scope, on: date | None, sqlite: bool, tallied: bool
) -> tuple[AnySelect, ...]:
    """Estates, paired households, then the buildings and residents: from the tallies (one
    statement) or live (the buildings, the households, then the members), and for an
    organisation its members."""
    households, paired = _households_queries(scope, on)
    queries: tuple[AnySelect, ...] = (
        _tally_query(scope, PlaceKind.ESTATE, covered_by(ESTATE_COVERING_KINDS, Place.id, on)),
        paired,
    )
    if tallied:
        queries += (_building_tallies_query(scope, sqlite),)
    else:
        buildings = covered_by(BUILDING_COVERING_KINDS, Place.id, on)
        queries += (
            _tally_query(scope, PlaceKind.BUILDING, buildings),
            households,
            _residents_query(scope, on, sqlite),
        )
    if scope.kind is ScopeKind.ORGANISATION:
        queries += (_members_query(belonging_to(scope, on), on),)
    return queries


def _one_row(queries: tuple[AnySelect, ...]) -> tuple[AnySelect, tuple[int, ...]]:
    """The single-row aggregate `queries` side by side as one statement (one round trip, and
    one statement's overhead in the server, instead of one per figure), and how many columns
    of its row each query gave."""
    parts = [query.subquery() for query in queries]
    joined: FromClause = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, true())
    statement = select(*(column for part in parts for column in part.c)).select_from(joined)
    return statement, tuple(len(part.c) for part in parts)


@lru_cache(maxsize=256)
def _summary_of_shape(
    shape: Shape, sqlite: bool, tallied: bool
) -> tuple[AnySelect, tuple[int, ...]]:
    return _one_row(_summary_queries(shape_of(*shape), None, sqlite, tallied))


async def coverage_summary(
    session: AsyncSession, scope: Scope, on: date | None = None
) -> CoverageSummary:
    """The coverage numbers of a scope (one statement of four or five aggregates, one more for
    an organisation); with `on`, as they stood that day (`registry.audit.history` says what is
    reconstructed). Today's residents come from the building tallies when the territory is
    made of whole buildings."""
    tallied = on is None and await _tallies_answer(session, scope)
    return await _summarise(session, scope, on, tallied)


async def live_coverage_summary(session: AsyncSession, scope: Scope) -> CoverageSummary:
    """Today's coverage numbers counted from the members and places themselves, never from
    the building tallies: what the tallies must agree with."""
    return await _summarise(session, scope, None, tallied=False)


async def _summarise(
    session: AsyncSession, scope: Scope, on: date | None, tallied: bool
) -> CoverageSummary:
    sqlite = session.get_bind().dialect.name == "sqlite"
    if on is None:
        statement, widths = _summary_of_shape(scope.shape, sqlite, tallied)
        bounds = scope.bounds()
    else:
        statement, widths = _one_row(_summary_queries(scope, on, sqlite, tallied))
        bounds = {}
    row = iter((await session.execute(statement, bounds)).one())
    rows = [tuple(int(value or 0) for value in islice(row, width)) for width in widths]
    estates = Tally(*rows[0])
    paired = rows[1][0]
    unstaffed: int | None = None
    if tallied:
        # households, members by status (total, full, probationary, in service), buildings
        # with members; then buildings, covered, covered by unstaffed groups only
        residents, (total, covered, unstaffed), rest = rows[2][:6], rows[2][6:], rows[3:]
        buildings = Tally(total, covered)
    else:
        buildings = Tally(*rows[2])
        residents, rest = (rows[3][0], *rows[4]), rows[5:]
    living = MemberCounts(*residents[1:5])
    members = MemberCounts(*rest[0]) if rest else living
    return CoverageSummary(
        estates=estates,
        buildings=buildings,
        buildings_with_members=Tally(buildings.total, residents[5]),
        households=Tally(residents[0], paired),
        members_living=living.total,
        members=members,
        unstaffed=unstaffed,
    )


def _tallied(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQL condition: the building `Place`'s tally meets `condition`."""
    return exists(select(1).where(BuildingTally.building_id == Place.id, condition))


def _gap_condition(kind: GapKind, on: date | None) -> tuple[PlaceKind, ColumnElement[bool]]:
    if kind is GapKind.ESTATE_WITHOUT_BRANCH:
        return PlaceKind.ESTATE, ~covered_by(ESTATE_COVERING_KINDS, Place.id, on)
    if on is None:
        # Today's from the building's own tally: the same answers as covered_by and lived_in,
        # without visiting its coverage, its groups or its homes.
        tally = BuildingTally
        if kind is GapKind.BUILDING_WITHOUT_GROUP:
            return PlaceKind.BUILDING, ~_tallied(tally.groups > 0)
        if kind is GapKind.BUILDING_GROUP_UNSTAFFED:
            return PlaceKind.BUILDING, _tallied(and_(tally.groups > 0, tally.staffed_groups == 0))
        return PlaceKind.BUILDING, ~_tallied(tally.members > 0)
    if kind is GapKind.BUILDING_WITHOUT_GROUP:
        return PlaceKind.BUILDING, ~covered_by(BUILDING_COVERING_KINDS, Place.id, on)
    if kind is GapKind.BUILDING_GROUP_UNSTAFFED:
        return PlaceKind.BUILDING, and_(
            covered_by(BUILDING_COVERING_KINDS, Place.id, on),
            ~covered_by(BUILDING_COVERING_KINDS, Place.id, on, staffed=True),
        )
    return PlaceKind.BUILDING, ~lived_in(Place, on)


def _gaps_query(scope: Scope, kind: GapKind, on: date | None) -> AnySelect:
    place_kind, condition = _gap_condition(kind, on)
    return (
        select(Place)
        .where(Place.kind == place_kind.value, scope.places(Place.path), condition)
        .order_by(Place.path)
        .limit(bindparam("first"))
    )


async def _unstaffed(
    session: AsyncSession, scope: Scope, summary: CoverageSummary, on: date | None
) -> int:
    """How many covered buildings of the scope only unstaffed groups cover (none to count
    when no building is covered)."""
    if not summary.buildings.covered:
        return 0
    if summary.unstaffed is not None:
        return summary.unstaffed
    if on is None:
        query, bounds = _unstaffed_query_of_shape(scope.shape), scope.bounds()
    else:
        query, bounds = _unstaffed_query(scope, on), {}
    return int(await session.scalar(query, bounds) or 0)


def _unstaffed_query(scope: Scope, on: date | None) -> AnySelect:
    _, condition = _gap_condition(GapKind.BUILDING_GROUP_UNSTAFFED, on)
    return select(func.count(Place.id)).where(
        Place.kind == PlaceKind.BUILDING.value, scope.places(Place.path), condition
    )


@lru_cache(maxsize=256)
def _unstaffed_query_of_shape(shape: Shape) -> AnySelect:
    # Built once per shape: composing the nested EXISTS costs more than a small scope's count.
    return _unstaffed_query(shape_of(*shape), None)


@lru_cache(maxsize=256)
def _gaps_query_of_shape(shape: Shape, kind: GapKind) -> AnySelect:
    return _gaps_query(shape_of(*shape), kind, None)


async def gaps(
    session: AsyncSession,
    scope: Scope,
    summary: CoverageSummary,
    first: int,
    on: date | None = None,
) -> GapList:
    """The first `first` gaps in tree order (an estate before its buildings), and how many
    there are in all (from `summary`, so not counted twice)."""
    totals = {
        GapKind.ESTATE_WITHOUT_BRANCH: summary.estates.uncovered,
        GapKind.BUILDING_WITHOUT_GROUP: summary.buildings.uncovered,
        GapKind.BUILDING_GROUP_UNSTAFFED: await _unstaffed(session, scope, summary, on),
        GapKind.BUILDING_WITHOUT_MEMBER: summary.buildings_with_members.uncovered,
    }
    found: list[tuple[str, int, Gap]] = []
    for order, kind in enumerate(GapKind):
        if not totals[kind] or first <= 0:
            continue
        if on is None:
            query, bounds = _gaps_query_of_shape(scope.shape, kind), scope.bounds()
        else:
            query, bounds = _gaps_query(scope, kind, on), {}
        rows = await session.scalars(query, {**bounds, "first": first})
        found.extend((row.path, order, Gap(kind, row)) for row in rows)
    found.sort(key=lambda item: (item[0], item[1]))
    return GapList(total=sum(totals.values()), items=[gap for _, _, gap in found[:first]])


@dataclass(frozen=True)
class SuggestionFigures:
    """Suggestions (民意) raised at places in a scope: how many, how many resolved, the ratio,
    and the median days from raised to resolved (None when none is resolved)."""

    raised: int
    resolved: int
    median_days_to_resolve: float | None

    @property
    def ratio(self) -> float | None:
        return self.resolved / self.raised if self.raised else None


async def suggestion_figures(session: AsyncSession, scope: Scope) -> SuggestionFigures:
    """Counts in one SQL aggregate over the scope's territory; the median over the resolved
    suggestions' durations in Python (dates subtract differently on SQLite and PostgreSQL)."""
    from statistics import median

    from registry.core.kinds import SuggestionStatus
    from registry.core.models import Suggestion

    in_scope = exists(select(1).where(Place.id == Suggestion.place_id, scope.places(Place.path)))
    resolved = Suggestion.status == SuggestionStatus.RESOLVED.value
    row = (await session.execute(select(func.count(), count_if(resolved)).where(in_scope))).one()
    spans = await session.execute(
        select(Suggestion.raised_on, Suggestion.resolved_on).where(
            in_scope, resolved, Suggestion.resolved_on.is_not(None)
        )
    )
    days = [(done - raised).days for raised, done in spans if done is not None]
    return SuggestionFigures(int(row[0]), int(row[1]), float(median(days)) if days else None)
