"""A selection compiled into one SQL statement that answers it as JSON.

The database builds the answer (PostGraphile's idea): each object of the selection is a JSON
object of the fields asked for, each to-one relation a correlated subquery, each list or
connection an aggregate over a correlated, ordered, limited subquery. Scope is part of the
statement: every row read is cut by the read model's rule for its type under the caller's
bounds (`registry.reads.viewer`), a relation to a row the caller may not see reads as none.

Statements are built once per shape (selection, caller's shape, dialect) and kept as SQL text
with the order of their parameters (`CompiledRead`); a request only binds values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.engine import Dialect

from registry.access.scope import member_meets_any
from registry.core.models import Member, Organisation, Place
from registry.core.paths import in_subtree_of
from registry.core.sql import row_limit
from registry.reads.json_sql import (
    as_json,
    cursor_of,
    json_array_of,
    json_bool,
    json_object,
    json_text,
)
from registry.reads.model import ENTITIES, MEMBER_FILTERS, Alias, Entity, visible
from registry.reads.selection import (
    Connection,
    Field,
    ObjectPick,
    One,
    Page,
    RootList,
    RootObject,
    Slot,
    TypeName,
)
from registry.reads.viewer import Viewer


@dataclass(frozen=True)
class CompiledRead:
    """A statement's SQL in the driver's own parameter style, the names of its parameters in
    the order the driver takes them (None: by name, as a dict), and the values of those the
    statement fixes itself (its literals)."""

    sql: str
    order: tuple[str, ...] | None
    fixed: dict[str, Any]

    def parameters(self, values: dict[str, Any]) -> Any:
        """The driver's parameters for these values of the slots and bounds."""
        given = self.fixed | values
        if self.order is None:
            return given
        return tuple(given[name] for name in self.order)


@lru_cache(maxsize=1024)
def compiled(root: RootList | RootObject, viewer: Viewer, dialect: Dialect) -> CompiledRead:
    """The SQL of a root selection for callers of this shape, built once per shape."""
    return compiled_statement(Builder(viewer).root(root), dialect)


def compiled_statement(statement: Select[Any], dialect: Dialect) -> CompiledRead:
    """A statement's SQL text for `dialect`, with the order of its parameters."""
    done = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    positions = getattr(done, "positiontup", None)
    fixed = {name: value for name, value in done.params.items() if value is not None}
    return CompiledRead(done.string, tuple(positions) if positions else None, fixed)


class Builder:
    """Builds one statement; every table it reads gets an alias of its own."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.aliases = 0

    def alias(self, entity: Entity) -> Alias:
        self.aliases += 1
        return entity.table.alias(f"{entity.table.name[:2]}{self.aliases}")

    # -- roots ---------------------------------------------------------------------------

    def root(self, root: RootList | RootObject) -> Select[Any]:
        entity = ENTITIES[root.entity]
        t = self.alias(entity)
        if isinstance(root, RootObject):
            column = t.c.id if root.by == "id" else t.c.code
            return (
                select(json_text(self.object(entity, t, root.pick)))
                .where(column == bindparam(root.value.name), visible(entity, t, self.viewer))
                .limit(1)
            )
        conditions = root_conditions(entity, root.filters, self.viewer)
        return select(json_text(self.connection(entity, conditions, root.page)))

    # -- objects -------------------------------------------------------------------------

    def object(self, entity: Entity, t: Alias, pick: ObjectPick) -> ColumnElement[Any]:
        """The JSON object of one row of `entity` (alias `t`) as `pick` selects it."""
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for item in pick.items:
            if isinstance(item, Field):
                pairs.append((item.key, entity.fields[item.name](t, self.viewer)))
            elif isinstance(item, TypeName):
                pairs.append((item.key, literal(entity.name)))
            elif isinstance(item, One):
                pairs.append((item.key, self.one(entity, t, item)))
            else:
                pairs.append((item.key, self.nested_connection(entity, t, item)))
        return json_object(pairs)

    def related(
        self,
        target: str,
        pick: ObjectPick,
        conditions: Callable[[Alias], list[ColumnElement[bool]]],
    ) -> ColumnElement[Any]:
        """SQL: the JSON object (or null) of the first row of entity `target` meeting
        `conditions` (on an alias of its own), as `pick` selects it: a to-one relation that
        the read model does not name (an org chart node's secretary)."""
        entity = ENTITIES[target]
        t = self.alias(entity)
        found = select(self.object(entity, t, pick)).where(*conditions(t)).limit(1)
        return as_json(found.scalar_subquery())

    def one(self, owner: Entity, o: Alias, item: One) -> ColumnElement[Any]:
        relation = owner.to_one[item.relation]
        target = ENTITIES[relation.target]
        t = self.alias(target)
        found = (
            select(self.object(target, t, item.pick))
            .where(relation.link(o, t), visible(target, t, self.viewer))
            .limit(1)
            .correlate(o)
        )
        return as_json(found.scalar_subquery())

    def nested_connection(self, owner: Entity, o: Alias, item: Connection) -> ColumnElement[Any]:
        relation = owner.to_many[item.relation]
        target = ENTITIES[relation.target]

        def conditions(t: Alias) -> list[ColumnElement[bool]]:
            return [
                relation.link(o, t),
                visible(target, t, self.viewer),
                *_relation_filters(relation, item.filters, t),
            ]

        return self.connection(target, conditions, item.page, o)

    # -- connections ---------------------------------------------------------------------

    def connection(
        self,
        entity: Entity,
        conditions: Callable[[Alias], list[ColumnElement[bool]]],
        page: Page,
        owner: Alias | None = None,
    ) -> ColumnElement[Any]:
        """The JSON of a connection over the rows of `entity` meeting `conditions` (built anew
        for each alias that reads them), paged by the entity's key. The rows of a relation
        are correlated with their `owner`'s row."""
        outer = () if owner is None else (owner,)

        def rows(
            limit: int, *columns: Callable[[Alias], ColumnElement[Any]]
        ) -> Any:  # the page (ordered, limited) with the given columns
            t = self.alias(entity)
            key = t.c[entity.key]
            where = conditions(t)
            if page.after is not None:
                where.append(key > bindparam(page.after.name))
            found = (
                select(key.label("k"), *(c(t) for c in columns))
                .where(*where)
                .order_by(entity.page_order(key, self.viewer))
                .limit(row_limit(limit))
            )
            # A subquery in FROM never correlates unless told to.
            return (found.correlate(*outer) if outer else found).subquery()

        def total() -> ColumnElement[Any]:
            t = self.alias(entity)
            counted = select(func.count()).select_from(t).where(*conditions(t))
            return (counted.correlate(*outer) if outer else counted).scalar_subquery()

        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in page.parts:
            kind, key = part[0], part[1]
            if kind == "totalCount":
                pairs.append((key, total()))
            elif kind == "typename":
                pairs.append((key, literal(f"{entity.name}Connection")))
            elif kind == "nodes":
                pick: ObjectPick = part[2]

                def node(t: Alias, pick: ObjectPick = pick) -> ColumnElement[Any]:
                    return self.object(entity, t, pick).label("j")

                page_rows = rows(page.size, node)
                pairs.append((key, as_json(select(json_array_of(page_rows.c.j)).scalar_subquery())))
            elif kind == "edges":
                edge_pairs = part[2]

                def edge(t: Alias, edge_pairs: Any = edge_pairs) -> ColumnElement[Any]:
                    return json_object(
                        [
                            (
                                k,
                                cursor_of(t.c[entity.key])
                                if what == "cursor"
                                else literal(f"{entity.name}Edge")
                                if what == "__typename"
                                else self.object(entity, t, what),
                            )
                            for k, what in edge_pairs
                        ]
                    ).label("j")

                page_rows = rows(page.size, edge)
                pairs.append((key, as_json(select(json_array_of(page_rows.c.j)).scalar_subquery())))
            else:  # pageInfo
                pairs.append((key, self.page_info(part[2], page, rows)))
        return json_object(pairs)

    def page_info(self, parts: Any, page: Page, rows: Callable[..., Any]) -> ColumnElement[Any]:
        info: list[tuple[str, ColumnElement[Any]]] = []
        for key, what in parts:
            if what == "hasNextPage":
                ahead = rows(page.size + 1)
                more = select(func.count() > page.size).select_from(ahead).scalar_subquery()
                info.append((key, json_bool(more)))
            elif what == "hasPreviousPage":
                info.append((key, json_bool(true() if page.after is not None else false())))
            elif what in ("startCursor", "endCursor"):
                keys = rows(page.size)
                edge = func.min(keys.c.k) if what == "startCursor" else func.max(keys.c.k)
                info.append((key, select(cursor_of(edge)).scalar_subquery()))
            else:  # __typename
                info.append((key, literal("PageInfo")))
        return json_object(info)


def _relation_filters(relation: Any, filters: Any, t: Alias) -> list[ColumnElement[bool]]:
    given = dict(relation.defaults) | dict(filters)
    found: list[ColumnElement[bool]] = []
    for name, value in given.items():
        condition = relation.filters[name](t, _bound(value))
        if condition is not None:
            found.append(condition)
    return found


def _bound(value: Any) -> Any:
    return bindparam(value.name) if isinstance(value, Slot) else value


# -- root filters --------------------------------------------------------------------------


def _top(model: Any, by: str, slot: Slot, viewer: Viewer) -> ColumnElement[str]:
    """SQL scalar: the path of the visible row named by an id or code (null if none)."""
    entity = ENTITIES[model.__name__]
    t = model.__table__.alias(f"top_{slot.name}")
    column = t.c.id if by == "id" else t.c.code
    return (
        select(t.c.path)
        .where(column == bindparam(slot.name), visible(entity, t, viewer))
        .scalar_subquery()
    )


def root_conditions(
    entity: Entity, filters: Any, viewer: Viewer
) -> Callable[[Alias], list[ColumnElement[bool]]]:
    """The conditions of a root connection: its filters, and the caller's scope (which a
    subtree filter implies: its top is looked up in scope, and so is everything under it)."""
    given = dict(filters)

    def conditions(t: Alias) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        subtree = False
        for name, value in given.items():
            if value is None:
                continue
            if name in ("kind", "status"):
                found.append(t.c[name] == _bound(value))
            elif name == "name":
                found.append(t.c.name.ilike(_bound(value), escape="\\"))
            elif name == "code":
                found.append(t.c.code == _bound(value))
            elif name == "within":
                by, slot = value
                model = Place if entity.name == "Place" else Organisation
                top = _top(model, by, slot, viewer)
                found.append(in_subtree_of(t.c.path, top))
            elif name == "organisation":
                # Members of the subtree or reporting into it: ranges of the paths on the
                # member's row (migration 0013), not ids gathered from the subtree (which
                # PostgreSQL met by walking every member who reports somewhere: 60 ms a
                # page of a community at city scale).
                subtree = True
                by, slot = value
                top = _top(Organisation, by, slot, viewer)
                found.append(
                    t.c.id.in_(
                        select(Member.id).where(
                            member_meets_any(
                                in_subtree_of(Member.org_path, top),
                                in_subtree_of(Member.reports_path, top),
                            )
                        )
                    )
                )
            elif name == "place":
                subtree = True
                by, slot = value
                found.append(in_subtree_of(t.c.home_path, _top(Place, by, slot, viewer)))
            else:
                relation_filter = MEMBER_FILTERS.get(name)
                if relation_filter is None:
                    raise KeyError(f"no root filter {name!r} on {entity.name}")
                condition = relation_filter(t, _bound(value))
                if condition is not None:
                    found.append(condition)
        if not subtree:
            found.append(visible(entity, t, viewer))
        return found

    return conditions
