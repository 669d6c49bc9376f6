"""Org charts: organisations from a root down to a depth, with counts on every node.

A chart costs one statement whatever its size: the nodes with all their counts (correlated
aggregates per node, each an index range seek: descendants and territory by range joins on the
paths) and their current secretaries (`registry.core.terms`). Node sets are given as SQL
conditions, never as Python lists of the tree. Correlated aggregates keep the plan anchored on
the chart's nodes on every planner, with or without table statistics.

Only the counts a request asks for are computed (`Counts`); the rest read 0. Per node:
- `member_count`: members whose formal organisation is this one; `member_total`: this one or
  any below it; `reporting_count`: members reporting here (双报到).
- `child_count`, `descendant_count`: organisations under it (active ones unless closed ones are
  asked for), counted whether or not the chart loaded them.
- `estates`, `buildings`: the places of that kind in the node's territory (the subtrees covered
  by the node or any organisation below it), and how many of them are covered (an active branch
  covers the estate, an active group the building — as in `registry.reports.coverage`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor
from registry.core.db import column_rows
from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    ESTATE_COVERING_KINDS,
    OfficeRole,
    OrgStatus,
    PlaceKind,
)
from registry.core.models import Coverage, Member, Organisation, Place
from registry.core.paths import bound_subtree, ids_of, in_subtree_of, subtree_end_sql, within_bound
from registry.core.records import MemberRecord, OrgRecord, record_columns
from registry.core.sql import row_limit
from registry.core.terms import current_holder, current_secretary
from registry.reports.coverage import Tally, covered_by

MAX_CHART_DEPTH = 10
T = TypeVar("T")

# A set of chart nodes, as a condition on an Organisation alias.
NodeSet = Callable[[Any], ColumnElement[bool]]

# What a chart may count per node; a request names those it shows (`ALL_COUNTS`: every one).
Counts = frozenset[str]
ALL_COUNTS: Counts = frozenset(
    {"members", "total", "reporting", "children", "descendants", "estates", "buildings",
     "secretary"}
)  # fmt: skip

# The count each field of a chart node shows (by its GraphQL name): a request's selection
# names the counts its chart computes.
COUNTED_BY: dict[str, str] = {
    "memberCount": "members", "memberTotal": "total", "reportingCount": "reporting",
    "childCount": "children", "hasChildren": "children", "descendantCount": "descendants",
    "estates": "estates", "buildings": "buildings", "secretary": "secretary",
    "leader": "secretary",
}  # fmt: skip


@dataclass
class ChartNode:
    """One box of an org chart, with everything the server counted for it."""

    organisation: Organisation | OrgRecord
    depth: int
    member_count: int
    member_total: int
    reporting_count: int
    child_count: int
    descendant_count: int
    secretary: Member | MemberRecord | None = None
    leader: Member | MemberRecord | None = None  # a group's leader (组长)
    estates: Tally = field(default_factory=lambda: Tally(0, 0))
    buildings: Tally = field(default_factory=lambda: Tally(0, 0))
    children: list[ChartNode] = field(default_factory=list)

    @property
    def has_children(self) -> bool:
        return self.child_count > 0


def _open(column: SQLColumnExpression[str], include_closed: bool) -> ColumnElement[bool]:
    return true() if include_closed else column == OrgStatus.ACTIVE.value


def _counted_nodes(nodes: NodeSet, include_closed: bool, counts: Counts = ALL_COUNTS):  # type: ignore[no-untyped-def]  # a Select of many columns
    """SELECT each node with the `counts` asked for (0, or no secretary, for the others)."""
    org = Organisation
    child = aliased(Organisation)
    below = aliased(Organisation)
    holder = aliased(Organisation)
    member_count = (
        select(func.count(Member.id))
        .where(Member.organisation_id == org.id, Member.departed_on.is_(None))
        .scalar_subquery()
    )
    reporting = (
        select(func.count(Member.id))
        .where(Member.reports_to_id == org.id, Member.departed_on.is_(None))
        .scalar_subquery()
    )
    member_total = (
        select(func.count(Member.id))
        .select_from(holder)
        .join(Member, Member.organisation_id == holder.id)
        .where(in_subtree_of(holder.path, org.path), Member.departed_on.is_(None))
        .scalar_subquery()
    )
    child_count = (
        select(func.count(child.id))
        .where(child.parent_id == org.id, _open(child.status, include_closed))
        .scalar_subquery()
    )
    descendants = (
        select(func.count(below.id))
        .where(below.path > org.path, below.path < subtree_end_sql(org.path))
        .where(_open(below.status, include_closed))
        .scalar_subquery()
    )
    secretary = aliased(Member)
    leader = aliased(Member)
    zero = literal(0)

    def asked(name: str, label: str, column: Any) -> Any:
        # Labelled: a chart answered as JSON (`registry.reports.orgchart_json`) reads them
        # by name.
        return (column if name in counts else zero).label(label)

    query = select(
        *record_columns(OrgRecord, org),
        asked("members", "member_count", member_count),
        asked("total", "member_total", member_total),
        asked("reporting", "reporting_count", reporting),
        asked("children", "child_count", child_count),
        asked("descendants", "descendant_count", descendants),
        asked("estates", "estates", _territory_count(org, PlaceKind.ESTATE, False)),
        asked("estates", "covered_estates", _territory_count(org, PlaceKind.ESTATE, True)),
        asked("buildings", "buildings", _territory_count(org, PlaceKind.BUILDING, False)),
        asked("buildings", "covered_buildings", _territory_count(org, PlaceKind.BUILDING, True)),
        *_member_columns(secretary, "secretary", "secretary" in counts),
        *_member_columns(leader, "leader", "secretary" in counts),
    )
    if "secretary" in counts:
        query = query.outerjoin_from(org, secretary, secretary.id == current_secretary(org.id))
        group_leader = current_holder(org.id, OfficeRole.GROUP_LEADER)
        query = query.outerjoin_from(org, leader, leader.id == group_leader)
    return query.where(nodes(org))


def _member_columns(member: Any, role: str, asked: bool) -> list[Any]:
    """A member's columns (`MemberRecord`) labelled by `role`, or one NULL when the request
    shows none."""
    if not asked:
        return [null()]
    return [getattr(member, name).label(f"{role}_{name}") for name in MemberRecord._fields]


def _member_of(columns: Sequence[Any]) -> MemberRecord | None:
    """The member of `_member_columns`' values (None: none holds the office, or not asked)."""
    return MemberRecord._make(columns) if columns[0] is not None else None


def _territory_count(org: Any, kind: PlaceKind, covered: bool) -> ColumnElement[int]:
    """Correlated count of the places of `kind` in the territory of node `org` (the subtrees
    covered by it or below it); with `covered`, only those an active branch (estates) or group
    (buildings) covers. Correlated, so every planner starts from the node's subtree."""
    below = aliased(Organisation)
    top = aliased(Place)
    place = aliased(Place)
    kinds = ESTATE_COVERING_KINDS if kind is PlaceKind.ESTATE else BUILDING_COVERING_KINDS
    counted = case((covered_by(kinds, place.id), place.id)) if covered else place.id
    return (
        select(func.count(func.distinct(counted)))
        .select_from(below)
        .join(Coverage, and_(Coverage.organisation_id == below.id, Coverage.end.is_(None)))
        .join(top, top.id == Coverage.place_id)
        .join(place, and_(place.kind == kind.value, in_subtree_of(place.path, top.path)))
        .where(in_subtree_of(below.path, org.path))
        .scalar_subquery()
    )


@cache
def chart_statement(include_closed: bool, counts: Counts) -> Select[Any]:
    """The chart's statement for bounds given as parameters (`root`: the root's subtree,
    `within_bound`; `last`: the deepest level), built once: composing it costs far more
    than running it."""

    def nodes(org: Any) -> ColumnElement[bool]:
        return and_(
            within_bound(org.path, "root"),
            org.depth <= bindparam("last"),
            _open(org.status, include_closed),
        )

    return _counted_nodes(nodes, include_closed, counts).order_by(Organisation.path)


_ORG_WIDTH = len(OrgRecord._fields)
# No places in the territory, or not counted: one (frozen) tally for every such node.
_NO_PLACES = Tally(0, 0)


def _nodes_of(rows: Sequence[Any], base_depth: int) -> list[ChartNode]:
    """Chart nodes from counted rows: the organisation's columns, the nine counts, then the
    secretary's and the group leader's columns (or one NULL each)."""
    built = []
    make_org = OrgRecord._make
    width = _ORG_WIDTH
    for row in rows:
        org = make_org(row[:width])
        members, total, reporting, children, descendants, *tallies = row[width : width + 9]
        estates, covered_estates, buildings, covered_buildings = map(int, tallies)
        people = row[width + 9 :]
        # Two members' columns (secretary, leader), or one NULL each when not asked for.
        half = len(people) // 2
        secretary, leader = people[:half], people[half:]
        built.append(
            ChartNode(
                organisation=org,
                depth=org.depth - base_depth,
                member_count=int(members),
                member_total=int(total),
                reporting_count=int(reporting),
                child_count=int(children),
                descendant_count=int(descendants),
                secretary=_member_of(secretary),
                leader=_member_of(leader),
                estates=Tally(estates, covered_estates) if estates else _NO_PLACES,
                buildings=Tally(buildings, covered_buildings) if buildings else _NO_PLACES,
            )
        )
    return built


async def org_chart(
    session: AsyncSession,
    root: Organisation,
    depth: int,
    include_closed: bool = False,
    counts: Counts = ALL_COUNTS,
) -> list[ChartNode]:
    """The chart under a (visible) root, `depth` levels down, flat in tree order (parents
    first), each node's `children` filled with the loaded ones, with the `counts` asked for.
    Closed organisations, and anything under them, are left out unless `include_closed`; a
    closed root gives []."""
    if not include_closed and root.status != OrgStatus.ACTIVE.value:
        return []
    bounds = {**bound_subtree("root", root.path), "last": root.depth + depth}
    statement = chart_statement(include_closed, counts)
    chart = _nodes_of(await column_rows(session, statement, bounds), root.depth)
    kept: dict[int, ChartNode] = {}
    for node in kept_under(root.id, chart, lambda n: (n.organisation.id, n.organisation.parent_id)):
        parent = kept.get(node.organisation.parent_id or -1)
        if parent is not None:
            parent.children.append(node)
        kept[node.organisation.id] = node
    return list(kept.values())


def kept_under(
    root_id: int, nodes: Iterable[T], ids: Callable[[T], tuple[int, int | None]]
) -> Iterator[T]:
    """The nodes of a chart (in tree order, parents first) that it shows: the root, and every
    node whose parent it shows. `ids` gives a node's id and its parent's. An open node under a
    closed one is left out with it, when closed ones are."""
    shown: set[int] = set()
    for node in nodes:
        own, parent = ids(node)
        if own == root_id or parent in shown:
            shown.add(own)
            yield node


async def org_children(
    session: AsyncSession,
    parent: Organisation,
    size: int,
    after_path: str | None,
    include_closed: bool = False,
    counts: Counts = ALL_COUNTS,
) -> tuple[list[ChartNode], int, bool]:
    """One page of a (visible) organisation's children in tree order, after a path: the nodes
    (depth 1, relative to the parent), how many children there are, and whether more follow."""

    def children(org: Any) -> ColumnElement[bool]:
        return and_(org.parent_id == parent.id, _open(org.status, include_closed))

    total = await session.scalar(select(func.count(Organisation.id)).where(children(Organisation)))
    query = (
        _counted_nodes(children, include_closed, counts)
        .order_by(Organisation.path)
        .limit(row_limit(size + 1))
    )
    if after_path is not None:
        query = query.where(Organisation.path > after_path)
    rows = await column_rows(session, query)
    more = len(rows) > size
    return _nodes_of(rows[:size], parent.depth), int(total or 0), more


async def org_ancestors(
    session: AsyncSession,
    actor: Actor,
    org: Organisation,
    include_self: bool = True,
    counts: Counts = ALL_COUNTS,
) -> list[ChartNode]:
    """The chain from the topmost organisation the actor sees down to `org` (root first),
    each with its counts; depth 0 at the first one returned."""
    ids = ids_of(org.path)
    if not include_self:
        ids = ids[:-1]
    if not ids:
        return []

    def chain(node: Any) -> ColumnElement[bool]:
        return and_(node.id.in_(ids), actor.org_clause(node.path))

    query = _counted_nodes(chain, include_closed=False, counts=counts).order_by(Organisation.path)
    rows = await column_rows(session, query)
    top_depth = min((row.depth for row in rows), default=0)
    return _nodes_of(rows, top_depth)
