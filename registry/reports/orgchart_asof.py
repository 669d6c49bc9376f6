"""The org chart as it stood on a past date ("the org chart before the merge").

`registry.audit.history` says what "as of" reconstructs. The tree of that day is rebuilt from the
organisations' current parents with later moves rolled back from the change log, so this
reads the key columns of the organisations (not of members or places) once, with later
renames rolled back too; every count is
then one SQL aggregate over the chart's nodes, rolled up the tree in one post-order pass.
Nodes are limited to the organisations the caller sees now.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.access.actor import Actor
from registry.audit.history import active_on, in_force, member_existed_on, org_status_on, values_on
from registry.core.kinds import (
    BUILDING_COVERING_KINDS,
    ESTATE_COVERING_KINDS,
    OfficeRole,
    OrgStatus,
    PlaceKind,
)
from registry.core.models import Affiliation, Coverage, Member, Office, Organisation, Place
from registry.core.paths import child_path, in_subtree_of
from registry.core.sql import one_of
from registry.core.terms import CURRENT_LAST
from registry.reports.coverage import Tally
from registry.reports.orgchart import ChartNode

_COPIED = ("id", "code", "kind", "name", "established", "closed_on", "merged_into_id",
           "approved_by_id", "approved_on", "version")  # fmt: skip


async def _tree_on(
    session: AsyncSession, actor: Actor, on: date
) -> tuple[dict[int, Organisation], dict[int, list[int]]]:
    """Detached copies of the organisations that existed on `on` and the caller sees, with
    that day's parent and status, and each one's children (in that day's tree order)."""
    rows = list(
        await session.scalars(
            select(Organisation).where(actor.org_clause()).order_by(Organisation.path)
        )
    )
    parents = await values_on(session, "organisation", "parent_id", on)
    names = await values_on(session, "organisation", "name", on)
    then: dict[int, Organisation] = {}
    for row in rows:
        status = org_status_on(row, on)
        if status is None:
            continue
        copy = Organisation(**{name: getattr(row, name) for name in _COPIED})
        copy.status = status
        copy.parent_id = parents.get(row.id, row.parent_id)
        copy.name = names.get(row.id, row.name)
        then[row.id] = copy
    children: dict[int, list[int]] = defaultdict(list)
    for org in then.values():
        if org.parent_id in then:
            children[org.parent_id].append(org.id)
    for siblings in children.values():
        # That day's tree order: siblings' paths then differed only in their own last step.
        siblings.sort(key=lambda id_: child_path(None, id_))
    for org in then.values():
        # That day's depth: the parent's (parents come first unless a move reordered them).
        chain, up = 0, org.parent_id
        while up in then and chain <= len(then):
            chain, up = chain + 1, then[up].parent_id
        org.depth = chain
    return then, children


def _walk(root: int, children: dict[int, list[int]]) -> list[tuple[int, int]]:
    """(id, depth below root) in tree order, parents first."""
    order: list[tuple[int, int]] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        order.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(node, [])))
    return order


async def _count_by(session: AsyncSession, query: Any) -> dict[int, int]:
    return {key: int(n) for key, n in (await session.execute(query)).all()}


async def _members(session: AsyncSession, ids: list[int], on: date) -> dict[int, int]:
    """Members per organisation on `on`: their affiliation then, and they had joined."""
    return await _count_by(
        session,
        select(Affiliation.organisation_id, func.count(func.distinct(Affiliation.member_id)))
        .join(Member, Member.id == Affiliation.member_id)
        .where(
            Affiliation.organisation_id.in_(ids), in_force(Affiliation.start, Affiliation.end, on)
        )
        .where(member_existed_on(on))
        .group_by(Affiliation.organisation_id),
    )


async def _reporting(session: AsyncSession, ids: set[int], on: date) -> dict[int, int]:
    """In-service members reporting to each organisation on `on` (reporting rolled back)."""
    rows = (
        await session.execute(
            select(Member.id, Member.reports_to_id)
            .join(Affiliation, Affiliation.member_id == Member.id)
            .where(Affiliation.organisation_id.is_(None))
            .where(in_force(Affiliation.start, Affiliation.end, on), member_existed_on(on))
        )
    ).all()
    then = await values_on(session, "member", "reports_to_id", on, [r[0] for r in rows])
    counts: dict[int, int] = defaultdict(int)
    for member_id, now in {r[0]: r[1] for r in rows}.items():
        target = then.get(member_id, now)
        if target in ids:
            counts[target] += 1
    return counts


async def _secretaries(
    session: AsyncSession, ids: list[int], on: date, role: OfficeRole = OfficeRole.SECRETARY
) -> dict[int, Member]:
    """Who held the one-holder office `role` (a secretary; a group's leader) on `on`."""
    rows = await session.execute(
        select(Office.organisation_id, Member)
        .join(Member, Member.id == Office.member_id)
        .where(Office.organisation_id.in_(ids), Office.role == role.value)
        .where(in_force(Office.start, Office.end, on))
        .order_by(*CURRENT_LAST)
    )
    return {org_id: member for org_id, member in rows}


async def _territory(
    session: AsyncSession, ids: list[int], kind: PlaceKind, on: date
) -> tuple[dict[int, set[int]], set[int]]:
    """The places of `kind` under what each organisation covered on `on`, and those of them an
    organisation of the covering kinds active on `on` covered themselves."""
    top = aliased(Place)
    place = aliased(Place)
    rows = await session.execute(
        select(Coverage.organisation_id, place.id)
        .join(top, top.id == Coverage.place_id)
        .join(place, and_(place.kind == kind.value, in_subtree_of(place.path, top.path)))
        .where(Coverage.organisation_id.in_(ids), in_force(Coverage.start, Coverage.end, on))
    )
    under: dict[int, set[int]] = defaultdict(set)
    for org_id, place_id in rows:
        under[org_id].add(place_id)
    kinds = ESTATE_COVERING_KINDS if kind is PlaceKind.ESTATE else BUILDING_COVERING_KINDS
    org = aliased(Organisation)
    covered = set(
        await session.scalars(
            select(Coverage.place_id)
            .join(org, org.id == Coverage.organisation_id)
            .join(Place, Place.id == Coverage.place_id)
            .where(Place.kind == kind.value, in_force(Coverage.start, Coverage.end, on))
            .where(one_of(org.kind, kinds), active_on(org, on))
        )
    )
    return under, covered


async def org_chart_on(
    session: AsyncSession,
    actor: Actor,
    root: Organisation,
    depth: int,
    on: date,
    include_closed: bool = False,
) -> list[ChartNode]:
    """The chart under `root` as it stood on `on`, like `registry.reports.orgchart.org_chart`:
    flat in tree order, `children` linked, counts of that day. [] when the root had not been founded
    then, or was closed and closed ones are not asked for."""
    then, children = await _tree_on(session, actor, on)
    top = then.get(root.id)
    if top is None or (not include_closed and top.status != OrgStatus.ACTIVE.value):
        return []
    if not include_closed:
        children = {
            parent: [c for c in kids if then[c].status == OrgStatus.ACTIVE.value]
            for parent, kids in children.items()
        }
    order = _walk(root.id, children)
    ids = [org_id for org_id, _ in order]
    id_set = set(ids)
    members = await _members(session, ids, on)
    reporting = await _reporting(session, id_set, on)
    shown = [org_id for org_id, level in order if level <= depth]
    secretaries = await _secretaries(session, shown, on)
    leaders = await _secretaries(session, shown, on, OfficeRole.GROUP_LEADER)
    estates, covered_estates = await _territory(session, ids, PlaceKind.ESTATE, on)
    buildings, covered_buildings = await _territory(session, ids, PlaceKind.BUILDING, on)

    # One post-order pass: totals and territories roll up from the leaves.
    total: dict[int, int] = {}
    below: dict[int, int] = {}
    estate_sets: dict[int, set[int]] = {}
    building_sets: dict[int, set[int]] = {}
    for org_id, _ in reversed(order):
        kids = children.get(org_id, [])
        total[org_id] = members.get(org_id, 0) + sum(total[k] for k in kids)
        below[org_id] = len(kids) + sum(below[k] for k in kids)
        estate_sets[org_id] = set(estates.get(org_id, ())).union(*(estate_sets[k] for k in kids))
        building_sets[org_id] = set(buildings.get(org_id, ())).union(
            *(building_sets[k] for k in kids)
        )

    nodes: dict[int, ChartNode] = {}
    chart: list[ChartNode] = []
    for org_id, level in order:
        if level > depth:
            continue
        org = then[org_id]
        node = ChartNode(
            organisation=org,
            depth=level,
            member_count=members.get(org_id, 0),
            member_total=total[org_id],
            reporting_count=reporting.get(org_id, 0),
            child_count=len(children.get(org_id, [])),
            descendant_count=below[org_id],
            secretary=secretaries.get(org_id),
            leader=leaders.get(org_id),
            estates=Tally(len(estate_sets[org_id]), len(estate_sets[org_id] & covered_estates)),
            buildings=Tally(
                len(building_sets[org_id]), len(building_sets[org_id] & covered_buildings)
            ),
        )
        parent = nodes.get(org.parent_id or -1)
        if parent is not None and org_id != root.id:
            parent.children.append(node)
        nodes[org_id] = node
        chart.append(node)
    return chart
