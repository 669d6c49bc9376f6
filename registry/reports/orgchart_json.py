"""Org charts answered by the database as JSON: every node as the object a request selects.

A chart of 500 boxes built in Python (a record, a chart node and an API object per box, then
each field completed) cost 4 ms of the server's CPU, three times the database's part. Here
the chart's one statement (`registry.reports.orgchart.chart_statement`, with only the counts
the request shows) is wrapped in a select that writes each node's JSON (keys and aliases as
selected, ids, enums and coverage figures as the API writes them, the secretary and the group
leader through the read model's members, `registry.reads.compile`). Python only keeps the
nodes whose parent is kept (`kept_under`, as `org_chart` does) and joins their texts.

A node's `organisation` and `children` are left to the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, bindparam, case, cast, literal, null, select
from sqlalchemy.engine import Dialect

from registry.access.actor import Actor
from registry.core.db import Database
from registry.core.kinds import OfficeRole
from registry.core.models import Organisation
from registry.core.paths import bound_subtree
from registry.core.terms import current_holder
from registry.reads.compile import Builder, CompiledRead, compiled_statement
from registry.reads.json_sql import (
    enum_name,
    global_id,
    json_bool,
    json_object,
    json_real,
    json_text,
)
from registry.reads.model import ENTITIES, visible
from registry.reads.selection import ChartPick, Field, Figures, One, TypeName
from registry.reads.viewer import Viewer, viewer_params
from registry.reports.orgchart import COUNTED_BY, chart_statement, kept_under

# A node's own fields and counts, by GraphQL name, over the chart statement's columns `c`.
NODE_FIELDS: dict[str, Callable[[Any], ColumnElement[Any]]] = {
    "id": lambda c: global_id("Organisation", c.id),
    # Null for the answer's first node, the root, whatever its parent.
    "parentId": lambda c: case(
        (c.id == bindparam("chart_root"), null()),
        else_=global_id("Organisation", c.parent_id),
    ),
    "code": lambda c: c.code,
    "name": lambda c: c.name,
    "kind": lambda c: enum_name(c.kind),
    "status": lambda c: enum_name(c.status),
    "depth": lambda c: c.depth - bindparam("chart_base"),
    "level": lambda c: c.depth,
    "memberCount": lambda c: c.member_count,
    "memberTotal": lambda c: c.member_total,
    "reportingCount": lambda c: c.reporting_count,
    "childCount": lambda c: c.child_count,
    "hasChildren": lambda c: json_bool(c.child_count > 0),
    "descendantCount": lambda c: c.descendant_count,
}
# A node's coverage figures: the places of each kind, and what may be asked of them.
FIGURE_KINDS = frozenset({"estates", "buildings"})
FIGURE_PARTS = frozenset({"total", "covered", "ratio", "__typename"})
# Who a node's member relations name, and whether the caller must see them: the secretary is
# shown as the chart shows it, the group leader only in the caller's scope (`OrgChartNode`).
MEMBER_RELATIONS = {
    "secretary": (OfficeRole.SECRETARY, False),
    "leader": (OfficeRole.GROUP_LEADER, True),
}


@lru_cache(maxsize=256)
def compiled_chart(pick: ChartPick, viewer: Viewer, dialect: Dialect) -> CompiledRead:
    """The SQL of a chart's nodes as `pick` selects them, for callers of this shape: rows of
    (id, parent id, the node's JSON text) in tree order. Built once per shape."""
    counts = frozenset(
        COUNTED_BY[item.name]
        for item in pick.items
        if isinstance(item, Field | Figures) and item.name in COUNTED_BY
    )
    # OFFSET 0 keeps the chart's statement a subquery of its own on both databases: merged
    # into the select that writes the boxes, a count it shows twice (a ratio reads its total
    # and covered) was computed twice, and SQLite took longer than building boxes in Python.
    c = chart_statement(pick.include_closed, counts).offset(0).subquery("chart")
    builder = Builder(viewer)
    pairs: list[tuple[str, ColumnElement[Any]]] = []
    for item in pick.items:
        if isinstance(item, Field):
            pairs.append((item.key, NODE_FIELDS[item.name](c.c)))
        elif isinstance(item, TypeName):
            pairs.append((item.key, literal("OrgChartNode")))
        elif isinstance(item, Figures):
            pairs.append((item.key, _figures(c.c, item)))
        else:
            pairs.append((item.key, _member(builder, c, item, viewer)))
    box = json_text(json_object(pairs))
    statement: Select[Any] = select(c.c.id, c.c.parent_id, box).order_by(c.c.path)
    return compiled_statement(statement, dialect)


def _figures(c: Any, item: Figures) -> ColumnElement[Any]:
    total, covered = c[item.name], c[f"covered_{item.name}"]
    parts: list[tuple[str, ColumnElement[Any]]] = []
    for key, what in item.parts:
        if what == "total":
            parts.append((key, total))
        elif what == "covered":
            parts.append((key, covered))
        elif what == "ratio":
            ratio = json_real(cast(covered, Float) / total)
            parts.append((key, case((total > 0, ratio), else_=null())))
        else:
            parts.append((key, literal("CoverageTally")))
    return json_object(parts)


def _member(builder: Builder, c: Any, item: One, viewer: Viewer) -> ColumnElement[Any]:
    role, in_scope = MEMBER_RELATIONS[item.relation]
    entity = ENTITIES["Member"]

    def conditions(t: Any) -> list[ColumnElement[bool]]:
        # The office's holder is looked up two queries below the chart's row.
        found = [t.c.id == current_holder(c.c.id, role, c)]
        if in_scope:
            found.append(visible(entity, t, viewer))
        return found

    return builder.related("Member", item.pick, conditions)


async def chart_nodes_json(
    db: Database, actor: Actor, root: Organisation, depth: int, pick: ChartPick
) -> str:
    """The JSON array of the chart under a (visible) root, `depth` levels down, every node as
    `pick` selects it, in tree order; closed organisations and anything under them left out
    unless `pick.include_closed` (a closed root: [])."""
    read = compiled_chart(pick, Viewer.of(actor), db.engine.dialect)
    values = {
        **bound_subtree("root", root.path),
        "last": root.depth + depth,
        "chart_root": root.id,
        "chart_base": root.depth,
        **viewer_params(actor),
    }
    rows = await db.read_rows(read.sql, read.parameters(values))
    shown = kept_under(root.id, rows, lambda row: (row[0], row[1]))
    return "[" + ",".join(row[2] for row in shown) + "]"
