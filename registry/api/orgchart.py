"""Org charts over GraphQL: flat (id + parentId) and nested (children), expandable lazily."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64

from graphql import GraphQLError
from registry.access.actor import Actor
from registry.access.lookup import get_organisation
from registry.api.context import GInfo
from registry.api.coverage import CoverageTally
from registry.api.enums import ORG_KIND, ORG_STATUS, OrgKindEnum, OrgStatusEnum
from registry.api.lookahead import chart_answer, chart_parts
from registry.api.paging import Connection, decode_cursor, page_of
from registry.api.refs import parse_ref
from registry.api.types import Member, Organisation
from registry.core.errors import UserErrors
from registry.core.models import Organisation as OrgRow
from registry.core.records import OrgRecord
from registry.reports import orgchart as service
from registry.reports.coverage import Tally
from registry.reports.orgchart_asof import org_chart_on


def _gid(org_id: int | None) -> strawberry.ID | None:
    return None if org_id is None else _organisation_gid(org_id)


# A chart encodes two global ids a box; the same charts are asked for again and again.
@lru_cache(maxsize=1 << 15)
def _organisation_gid(org_id: int) -> strawberry.ID:
    return strawberry.ID(to_base64("Organisation", org_id))


# Nothing to cover, or not counted (the request did not ask): one answer for every such node.
_NOTHING = CoverageTally.of(Tally(0, 0))


def _tally(tally: Tally) -> CoverageTally:
    return CoverageTally.of(tally) if tally.total else _NOTHING


@strawberry.type(
    description=(
        "A box of an org chart. Every count is computed on the server, also for nodes whose "
        "children were not loaded."
    )
)
class OrgChartNode:
    id: strawberry.ID = strawberry.field(description="The organisation's global ID.")
    parent_id: strawberry.ID | None = strawberry.field(
        description="The parent's global ID; null for the first node of the answer."
    )
    row: strawberry.Private[OrgRow | OrgRecord]
    # Built when asked for: charts are large, and most clients read the counts only.
    organisation: Organisation = strawberry.field(
        resolver=lambda root: Organisation.from_row(root.row)
    )
    code: str
    kind: OrgKindEnum
    name: str
    status: OrgStatusEnum
    depth: int = strawberry.field(
        description="Levels below the answer's root (0 at the root; children pages: 1)."
    )
    level: int = strawberry.field(description="Absolute depth in the organisation tree.")
    secretary: Member | None = strawberry.field(
        description="The secretary (书记); a group has none."
    )
    leader_key: strawberry.Private[int | None]
    member_count: int = strawberry.field(
        description="Members whose formal organisation is this one."
    )
    member_total: int = strawberry.field(
        description="Members whose formal organisation is this one or one below it."
    )
    reporting_count: int = strawberry.field(description="Members reporting here (双报到).")
    has_children: bool
    child_count: int
    descendant_count: int
    estates: CoverageTally = strawberry.field(
        description="Estates in this node's territory; covered = by an active branch."
    )
    buildings: CoverageTally = strawberry.field(
        description="Buildings in this node's territory; covered = by an active group."
    )
    children: list[OrgChartNode] = strawberry.field(
        description="The children loaded with this answer (empty at the depth limit)."
    )

    @strawberry.field(description="A Party group's leader (组长), if in your scope (data from "
                      "elsewhere may name someone of another branch).")  # fmt: skip
    async def leader(self, info: GInfo) -> Member | None:
        if self.leader_key is None:
            return None
        row = await info.context.loaders.member.load(self.leader_key)
        return Member.from_row(row) if row else None

    @classmethod
    def of(cls, node: service.ChartNode, root: bool = False) -> OrgChartNode:
        org = node.organisation
        return cls(
            id=_gid(org.id),  # type: ignore[arg-type]  # a GlobalID serialises as the ID it is
            parent_id=None if root else _gid(org.parent_id),
            row=org,
            code=org.code,
            kind=ORG_KIND(org.kind),
            name=org.name,
            status=ORG_STATUS(org.status),
            depth=node.depth,
            level=org.depth,
            secretary=Member.from_row(node.secretary) if node.secretary else None,
            leader_key=node.leader.id if node.leader else None,
            member_count=node.member_count,
            member_total=node.member_total,
            reporting_count=node.reporting_count,
            has_children=node.has_children,
            child_count=node.child_count,
            descendant_count=node.descendant_count,
            estates=_tally(node.estates),
            buildings=_tally(node.buildings),
            children=[],
        )


@strawberry.type
class OrgChart:
    nodes: list[OrgChartNode] = strawberry.field(
        description=(
            "Flat, in tree order: parents before children, every parent present, the root's "
            "parentId null (d3-org-chart, AntV G6)."
        )
    )
    tree: OrgChartNode | None = strawberry.field(
        description="The same nodes nested through `children` (ECharts); null if none."
    )


def asked_counts(info: GInfo) -> service.Counts:
    """The counts the request shows, anywhere under this field: the chart computes only those.
    Names are gathered at every level and through fragments (a name met elsewhere only makes
    a count computed that nobody reads, never one missing)."""
    found: set[str] = set()

    def walk(selections: list[Any]) -> None:
        for selection in selections:
            name = getattr(selection, "name", None)
            if name in service.COUNTED_BY:
                found.add(service.COUNTED_BY[name])
            walk(getattr(selection, "selections", None) or [])

    walk(info.selected_fields)
    return frozenset(found)


def _convert(chart: list[service.ChartNode]) -> list[OrgChartNode]:
    """API nodes for service nodes in tree order, the first one as root, children linked."""
    converted: dict[int, OrgChartNode] = {}
    flat = []
    for index, node in enumerate(chart):
        api_node = OrgChartNode.of(node, root=index == 0)
        parent = converted.get(node.organisation.parent_id or -1)
        if parent is not None:
            parent.children.append(api_node)
        converted[node.organisation.id] = api_node
        flat.append(api_node)
    return flat


async def _visible_org(session: AsyncSession, actor: Actor, ref: str) -> OrgRow | None:
    try:
        return await get_organisation(session, actor, parse_ref(ref, "Organisation"))
    except UserErrors:
        return None


@strawberry.type
class OrgChartQuery:
    @strawberry.field(
        description=(
            "The organisation tree under `root` (global ID or code), `depth` levels down "
            f"(0–{service.MAX_CHART_DEPTH}). Merged and dissolved organisations are left out "
            "unless `includeClosed`. Null when the root is not in your scope. With `asOf`, the "
            "chart as it stood that day (before a merge, say): the tree with later moves rolled "
            "back, that day's statuses, members, secretaries and coverage; empty if the root "
            "did not exist yet."
        )
    )
    async def org_chart(
        self,
        info: GInfo,
        # `root` is strawberry's reserved name for the parent value, hence the alias.
        root_ref: Annotated[str, strawberry.argument(name="root")],
        depth: int = 2,
        include_closed: bool = False,
        as_of: date | None = None,
    ) -> OrgChart | None:
        if not 0 <= depth <= service.MAX_CHART_DEPTH:
            raise GraphQLError(
                f"`depth` must be between 0 and {service.MAX_CHART_DEPTH}",
                extensions={"code": "BAD_INPUT"},
            )
        actor = info.context.require_actor()
        # What the database can write as JSON is not built node by node here.
        parts = chart_parts(info, include_closed) if as_of is None else None
        async with info.context.db.read() as session:
            top = await _visible_org(session, actor, root_ref)
            if top is None:
                return None
            if as_of is not None:
                chart = await org_chart_on(session, actor, top, depth, as_of, include_closed)
            elif parts is None:
                chart = await service.org_chart(
                    session, top, depth, include_closed, asked_counts(info)
                )
        if parts is not None:
            answer = await chart_answer(info.context.db, actor, parts, top, depth)
            return answer  # type: ignore[return-value]  # sent on as it is
        nodes = _convert(chart)
        return OrgChart(nodes=nodes, tree=nodes[0] if nodes else None)

    @strawberry.field(
        description=(
            "A page of an organisation's children, in tree order, with their counts: lazy "
            "expansion of a chart. Null when the parent is not in your scope."
        )
    )
    async def org_children(
        self,
        info: GInfo,
        parent: str,
        first: int | None = None,
        after: str | None = None,
        include_closed: bool = False,
    ) -> Connection[OrgChartNode] | None:
        size = info.context.page_size(first)
        after_path = decode_cursor(after) if after is not None else None
        actor = info.context.require_actor()
        async with info.context.db.read() as session:
            top = await _visible_org(session, actor, parent)
            if top is None:
                return None
            page, total, more = await service.org_children(
                session, top, size, after_path, include_closed, asked_counts(info)
            )
        return page_of(
            [OrgChartNode.of(node) for node in page],
            [node.organisation.path for node in page], more, after, total,
        )  # fmt: skip

    @strawberry.field(
        description=(
            "The chain of organisations from the topmost one in your scope down to `of` "
            "(included), root first, with their counts: to centre a chart on a search hit. "
            "Null when `of` is not in your scope."
        )
    )
    async def org_ancestors(self, info: GInfo, of: str) -> list[OrgChartNode] | None:
        actor = info.context.require_actor()
        async with info.context.db.read() as session:
            org = await _visible_org(session, actor, of)
            if org is None:
                return None
            chain = await service.org_ancestors(session, actor, org, counts=asked_counts(info))
        return _convert(chain)
