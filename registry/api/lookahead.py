"""Looking ahead at a root field's selection, to answer it with one compiled read.

A root field that lists or looks up places, organisations or members hands its selection
here: fragments, aliases, @skip and @include resolved as graphql-core resolves them, it becomes
a `registry.reads.selection` value, compiled into one SQL statement that builds the answer as
JSON (`registry.reads.compile`), which the executor sends on as it is (`Encoded`). A
selection holding anything the read model does not know (a report such as `coverage`, a field
of another type) is not compiled: the field then resolves as usual, through the
types' resolvers and the loaders, which follow the same model.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy.exc import OperationalError
from strawberry.types import Info

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    get_named_type,
)
from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.execution import Encoded
from registry.api.paging import Connection as ConnectionOf
from registry.api.paging import cursor_key, page_of
from registry.core.db import Database
from registry.reads.loading import root_page
from registry.reads.model import ENTITIES, Entity
from registry.reads.run import read_json
from registry.reads.selection import (
    ChartPick,
    Connection,
    Field,
    Figures,
    ObjectPick,
    One,
    Page,
    RootList,
    RootObject,
    Slot,
    TypeName,
)
from registry.reports.orgchart_json import (
    FIGURE_KINDS,
    FIGURE_PARTS,
    MEMBER_RELATIONS,
    NODE_FIELDS,
    chart_nodes_json,
)

T = TypeVar("T")
_PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})
# Relations nested deeper than this are left to the resolvers: every level is a few nested
# subqueries, and SQLite's parser stops at about a hundred.
MAX_NESTED_RELATIONS = 3


class NotCompiled(Exception):
    """The selection holds something the read model cannot answer."""


class Lookahead:
    """The selection under one root field, read against the schema; the values it binds."""

    def __init__(self, info: GInfo) -> None:
        raw: GraphQLResolveInfo = info._raw_info
        self.raw = raw
        self.context = info.context
        self.fragments = {name: FragmentDetails(d) for name, d in raw.fragments.items()}
        # strawberry hands resolvers the coerced values alone; graphql-core's helpers take
        # them with their sources (which only utilities rewriting literals read).
        variables = raw.variable_values
        self.variables = (
            variables
            if isinstance(variables, VariableValues)
            else VariableValues(sources={}, coerced=dict(variables or {}))
        )
        self.values: dict[str, Any] = {}
        self.depth = 0

    def slot(self, value: Any) -> Slot:
        """A slot holding `value` (an enum as its stored value)."""
        name = f"v{len(self.values)}"
        self.values[name] = getattr(value, "value", value)
        return Slot(name)

    def root_details(self) -> list[FieldDetails]:
        return [FieldDetails(node, None) for node in self.raw.field_nodes]

    def grouped(self, owner: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, Any]:
        collected = collect_subfields(
            self.raw.schema,
            self.fragments,
            self.variables,
            self.raw.operation,
            owner,
            details,
        )
        return collected.grouped_field_set

    def arguments(self, owner: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, Any]:
        node = details[0].node
        definition = owner.fields[node.name.value]
        return get_argument_values(definition, node, self.variables)

    # -- objects -------------------------------------------------------------------------

    def object_pick(
        self, entity: Entity, owner: GraphQLObjectType, details: list[FieldDetails]
    ) -> ObjectPick:
        if self.depth > MAX_NESTED_RELATIONS:
            raise NotCompiled("nested too deep")
        self.depth += 1
        try:
            return self._object_pick(entity, owner, details)
        finally:
            self.depth -= 1

    def _object_pick(
        self, entity: Entity, owner: GraphQLObjectType, details: list[FieldDetails]
    ) -> ObjectPick:
        items: list[Any] = []
        for key, group in self.grouped(owner, details).items():
            name = group[0].node.name.value
            if name == "__typename":
                items.append(TypeName(key))
                continue
            definition = owner.fields[name]
            target_type = get_named_type(definition.type)
            if name in entity.fields and not definition.args:
                items.append(Field(key, name))
            elif name in entity.to_one and isinstance(target_type, GraphQLObjectType):
                target = ENTITIES[entity.to_one[name].target]
                items.append(One(key, name, self.object_pick(target, target_type, group)))
            elif name in entity.to_many and isinstance(target_type, GraphQLObjectType):
                relation = entity.to_many[name]
                target = ENTITIES[relation.target]
                arguments = self.arguments(owner, group)
                filters = self.filters(arguments, relation.filters)
                page = self.page(target, target_type, group, arguments)
                items.append(Connection(key, name, filters, page))
            else:
                raise NotCompiled(f"{owner.name}.{name}")
        return ObjectPick(entity.name, tuple(items))

    def filters(self, arguments: dict[str, Any], known: Any) -> tuple[tuple[str, Any], ...]:
        """A relation's filter arguments (those of an input object `filter` flattened)."""
        given = dict(arguments)
        nested = given.pop("filter", None) or {}
        given.pop("first", None)
        given.pop("after", None)
        given |= {k: v for k, v in nested.items() if v is not None}
        found: list[tuple[str, Any]] = []
        for name, value in sorted(given.items()):
            if name not in known:
                raise NotCompiled(f"filter {name}")
            literal = value is None or isinstance(value, bool)
            found.append((name, value if literal else self.slot(value)))
        return tuple(found)

    # -- connections ---------------------------------------------------------------------

    def page(
        self,
        entity: Entity,
        connection: GraphQLObjectType,
        details: list[FieldDetails],
        arguments: dict[str, Any],
    ) -> Page:
        size = self.context.page_size(arguments.get("first"))
        after = arguments.get("after")
        after_slot = None if after is None else self.slot(cursor_key(entity, after))
        parts: list[tuple[Any, ...]] = []
        for key, group in self.grouped(connection, details).items():
            name = group[0].node.name.value
            if name == "__typename":
                parts.append(("typename", key))
            elif name == "totalCount":
                parts.append(("totalCount", key))
            elif name == "nodes":
                node_type = _object_type(connection.fields[name].type)
                parts.append(("nodes", key, self.object_pick(entity, node_type, group)))
            elif name == "pageInfo":
                info_type = _object_type(connection.fields[name].type)
                wanted = []
                for sub_key, sub_group in self.grouped(info_type, group).items():
                    what = sub_group[0].node.name.value
                    if what not in _PAGE_INFO and what != "__typename":
                        raise NotCompiled(f"pageInfo.{what}")
                    wanted.append((sub_key, what))
                parts.append(("pageInfo", key, tuple(wanted)))
            elif name == "edges":
                edge_type = _object_type(connection.fields[name].type)
                wanted = []
                for sub_key, sub_group in self.grouped(edge_type, group).items():
                    what = sub_group[0].node.name.value
                    if what == "node":
                        node_type = _object_type(edge_type.fields["node"].type)
                        wanted.append((sub_key, self.object_pick(entity, node_type, sub_group)))
                    elif what in ("cursor", "__typename"):
                        wanted.append((sub_key, what))
                    else:
                        raise NotCompiled(f"edges.{what}")
                parts.append(("edges", key, tuple(wanted)))
            else:
                raise NotCompiled(f"{connection.name}.{name}")
        return Page(size, after_slot, tuple(parts))

    # -- org charts ----------------------------------------------------------------------

    def chart_items(
        self, node_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> tuple[Field | TypeName | Figures | One, ...]:
        """The keys of each chart node's answer (`registry.reports.orgchart_json`)."""
        items: list[Field | TypeName | Figures | One] = []
        for key, group in self.grouped(node_type, details).items():
            name = group[0].node.name.value
            if name == "__typename":
                items.append(TypeName(key))
            elif name in NODE_FIELDS:
                items.append(Field(key, name))
            elif name in FIGURE_KINDS:
                tally_type = _object_type(node_type.fields[name].type)
                parts = []
                for sub_key, sub_group in self.grouped(tally_type, group).items():
                    what = sub_group[0].node.name.value
                    if what not in FIGURE_PARTS:
                        raise NotCompiled(f"{tally_type.name}.{what}")
                    parts.append((sub_key, what))
                items.append(Figures(key, name, tuple(parts)))
            elif name in MEMBER_RELATIONS:
                member_type = _object_type(node_type.fields[name].type)
                pick = self.object_pick(ENTITIES["Member"], member_type, group)
                items.append(One(key, name, pick))
            else:
                raise NotCompiled(f"{node_type.name}.{name}")
        return tuple(items)


def _object_type(graphql_type: Any) -> GraphQLObjectType:
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    assert isinstance(graphql_type, GraphQLObjectType)
    return graphql_type


async def compiled_list(
    info: Info[Any, Any], entity: str, filters: tuple[tuple[str, Any], ...], lookahead: Lookahead
) -> Encoded | None:
    """A root connection of `entity` answered by one compiled read, or None when its selection
    cannot be compiled. `filters` are the root's own (their values slots of `lookahead`)."""
    if not lookahead.context.settings.compiled_reads:
        return None
    try:
        connection = _object_type(lookahead.raw.return_type)
        page = lookahead.page(
            ENTITIES[entity], connection, lookahead.root_details(), _root_arguments(lookahead)
        )
    except NotCompiled:
        return None
    root = RootList(entity, filters, page)
    text = await _read(lookahead, root)
    return None if text is NotCompiled else Encoded(orjson.Fragment(text))


async def root_list(
    info: Info[Any, Any],
    entity: str,
    filters: tuple[tuple[str, Any], ...],
    lookahead: Lookahead,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], T],
) -> Encoded | ConnectionOf[T]:
    """A root connection of `entity`: one compiled read when its selection compiles, else one
    page of rows whose nested fields the types' resolvers load in batches."""
    found = await compiled_list(info, entity, filters, lookahead)
    if found is not None:
        return found
    context = lookahead.context
    size = context.page_size(first)
    connection = _object_type(lookahead.raw.return_type)
    selected = {
        group[0].node.name.value
        for group in lookahead.grouped(connection, lookahead.root_details()).values()
    }
    after_key = None if after is None else cursor_key(ENTITIES[entity], after)
    async with context.db.read() as session:
        rows, total, more = await root_page(
            session,
            context.require_actor(),
            entity,
            filters,
            lookahead.values,
            (size, after_key),
            count="totalCount" in selected,
        )
    key = ENTITIES[entity].key
    return page_of(
        [to_node(row) for row in rows], [getattr(row, key) for row in rows], more, after, total
    )


# How an org chart's answer is made: its keys in order, each the chart's nodes as a pick
# selects them, or the type's name (None).
ChartParts = list[tuple[str, ChartPick | None]]


def chart_parts(info: Info[Any, Any], include_closed: bool) -> ChartParts | None:
    """The parts of an org chart's answer when the database can write all of them
    (`registry.reports.orgchart_json`), else None: a node's `organisation` or `children`, or
    a field of a type the read model does not know."""
    if not info.context.settings.compiled_reads:
        return None
    lookahead = Lookahead(info)
    parts: ChartParts = []
    try:
        chart_type = _object_type(lookahead.raw.return_type)
        for key, group in lookahead.grouped(chart_type, lookahead.root_details()).items():
            name = group[0].node.name.value
            if name == "__typename":
                parts.append((key, None))
                continue
            if name != "nodes":
                raise NotCompiled(f"{chart_type.name}.{name}")
            node_type = _object_type(chart_type.fields[name].type)
            parts.append((key, ChartPick(include_closed, lookahead.chart_items(node_type, group))))
    except NotCompiled:
        return None
    return parts


async def chart_answer(
    db: Database, actor: Actor, parts: ChartParts, root: Any, depth: int
) -> Encoded:
    """The org chart under a `root` visible to `actor`, `depth` levels down, written by the
    database as `parts` select it."""
    answer: dict[str, Any] = {}
    for key, pick in parts:
        if pick is None:
            answer[key] = "OrgChart"
        else:
            nodes = await chart_nodes_json(db, actor, root, depth, pick)
            answer[key] = orjson.Fragment(nodes)
    return Encoded(orjson.Fragment(orjson.dumps(answer)))


async def compiled_object(
    info: Info[Any, Any], entity: str, by: str, value: Any
) -> Encoded | None | type[NotCompiled]:
    """A root lookup of `entity` by id or code answered by one compiled read: the answer, None
    when nothing visible matches, or `NotCompiled` when its selection cannot be compiled."""
    lookahead = Lookahead(info)
    if not lookahead.context.settings.compiled_reads:
        return NotCompiled
    pick = _object_pick_of(lookahead, entity)
    if not isinstance(pick, ObjectPick):
        return NotCompiled
    root = RootObject(entity, by, lookahead.slot(value), pick)
    text = await _read(lookahead, root)
    if text is NotCompiled:
        return NotCompiled
    return None if text is None else Encoded(orjson.Fragment(text))


# The picks of root lookups asked without variables, by the ids of what they were made from:
# nothing a pick depends on changes between requests of the same document (its nodes, the
# schema, the deployment's page sizes). Each entry holds those, so their ids name them while
# it is kept. A pick takes a lookup with its parent 14 % of its instructions.
_Kept = tuple[tuple[Any, ...], "ObjectPick | type[NotCompiled]", dict[str, Any]]
_PICKS: dict[tuple[int, ...], _Kept] = {}
_MOST_PICKS = 512


def _object_pick_of(lookahead: Lookahead, entity: str) -> ObjectPick | type[NotCompiled]:
    """The pick under a root lookup of `entity` (its slots' values put in `lookahead`), or
    NotCompiled; kept for a lookup asked without variables."""
    raw = lookahead.raw
    fixed = not lookahead.variables.coerced
    anchors = (lookahead.context.settings, raw.schema, *raw.field_nodes)
    key = tuple(map(id, anchors))
    kept = _PICKS.get(key) if fixed else None
    if kept is not None and all(map(operator.is_, kept[0], anchors)):
        lookahead.values.update(kept[2])
        return kept[1]
    pick: ObjectPick | type[NotCompiled]
    try:
        owner = _object_type(raw.return_type)
        pick = lookahead.object_pick(ENTITIES[entity], owner, lookahead.root_details())
    except NotCompiled:
        pick = NotCompiled
    if fixed:
        if len(_PICKS) >= _MOST_PICKS:
            _PICKS.clear()
        _PICKS[key] = (anchors, pick, dict(lookahead.values))
    return pick


async def _read(lookahead: Lookahead, root: RootList | RootObject) -> Any:
    """The compiled read's JSON text (None: a lookup found nothing), or NotCompiled when the
    database cannot take the statement: SQLite's parser stops at about a hundred nested
    subqueries, which a selection of connections within connections (edges, cursors, counts)
    can reach below the nesting the lookahead allows. The resolvers then answer it."""
    try:
        return await read_json(
            lookahead.context.db, lookahead.context.require_actor(), root, lookahead.values
        )
    except OperationalError as refused:
        if "parser stack overflow" not in str(refused):
            raise
        return NotCompiled


def _root_arguments(lookahead: Lookahead) -> dict[str, Any]:
    raw = lookahead.raw
    return get_argument_values(
        raw.parent_type.fields[raw.field_name], raw.field_nodes[0], lookahead.variables
    )
