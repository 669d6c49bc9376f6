"""Reads of the read model for resolvers that answer field by field.

When a selection is not compiled (`registry.reads.compile`), the API resolves it object by
object: a root list reads one page of rows (`root_page`), and each relation is read for many
owners at once, one statement per batch (`to_one`, `to_many`), following the same model
(link, scope rule, filters, order, key) as the compiled reads, so that both paths give the
same answers. Rows come back as rows of the target's table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.core.db import column_rows
from registry.core.sql import row_limit
from registry.reads.compile import root_conditions
from registry.reads.model import ENTITIES, visible
from registry.reads.viewer import Viewer, viewer_params

Filters = tuple[tuple[str, Any], ...]

_OWNER = "owner_key__"
_ROW_NUMBER = "row_number__"
_TOTAL = "total__"


async def root_page(
    session: AsyncSession,
    actor: Actor,
    entity: str,
    filters: Filters,
    values: dict[str, Any],
    page: tuple[int, str | int | None],
    count: bool,
) -> tuple[list[Any], int, bool]:
    """One page (size, after key) of the visible rows of `entity` meeting a root list's
    `filters` (as `registry.api.lookahead` builds them, their slots filled from `values`), by
    the entity's key; with how many there are in all (0 unless `count`) and whether more
    follow the page."""
    model = ENTITIES[entity]
    t = model.table.alias("t")
    viewer = Viewer.of(actor)
    matching = select(t).where(*root_conditions(model, filters, viewer)(t))
    params = viewer_params(actor) | values
    key = t.c[model.key]
    size, after = page
    page_query = matching.order_by(model.page_order(key, viewer)).limit(row_limit(size + 1))
    if after is not None:
        page_query = page_query.where(key > bindparam("after_key"))
        params = params | {"after_key": after}
    rows = [_target_row(row) for row in await column_rows(session, page_query, params)]
    total = 0
    if count:
        counted = select(func.count()).select_from(matching.subquery())
        total = (await column_rows(session, counted, params))[0][0]
    return rows[:size], total, len(rows) > size


async def by_ids(
    session: AsyncSession, actor: Actor, entity: str, ids: Sequence[int]
) -> list[Any | None]:
    """For each id, the visible row of `entity` with that id (or None)."""
    model = ENTITIES[entity]
    t = model.table.alias("t")
    query = select(t).where(t.c.id.in_(list(ids)), visible(model, t, Viewer.of(actor)))
    found = {
        row.id: _target_row(row) for row in await column_rows(session, query, viewer_params(actor))
    }
    return [found.get(i) for i in ids]


async def to_one(
    session: AsyncSession, actor: Actor, entity: str, relation: str, owners: Sequence[int]
) -> list[Any | None]:
    """For each owner id, the visible row its to-one `relation` names (or None)."""
    owner_model = ENTITIES[entity]
    link = owner_model.to_one[relation]
    target = ENTITIES[link.target]
    o, t = owner_model.table.alias("o"), target.table.alias("t")
    query = (
        select(o.c.id.label(_OWNER), t)
        .select_from(o)
        .join(t, and_(link.link(o, t), visible(target, t, Viewer.of(actor))))
        .where(o.c.id.in_(list(owners)))
    )
    found: dict[int, Any] = {}
    for row in await column_rows(session, query, viewer_params(actor)):
        found.setdefault(row[0], _target_row(row))
    return [found.get(owner) for owner in owners]


async def to_many(
    session: AsyncSession,
    actor: Actor,
    entity: str,
    relation: str,
    filters: Filters,
    owners: Sequence[int],
    page: tuple[int, str | int | None],
) -> list[tuple[list[Any], int, bool]]:
    """For each owner id, one page (size, after key) of the visible rows of its to-many
    `relation` meeting `filters`, by the target's key; with how many there are in all and
    whether more follow the page."""
    owner_model = ENTITIES[entity]
    link = owner_model.to_many[relation]
    target = ENTITIES[link.target]
    o, t = owner_model.table.alias("o"), target.table.alias("t")
    given = dict(link.defaults) | dict(filters)
    conditions = [link.link(o, t), visible(target, t, Viewer.of(actor))]
    for name, value in given.items():
        condition = link.filters[name](t, value)
        if condition is not None:
            conditions.append(condition)
    key = t.c[target.key]
    params: dict[str, Any] = viewer_params(actor)
    numbered = (
        select(
            o.c.id.label(_OWNER),
            t,
            func.row_number().over(partition_by=o.c.id, order_by=key).label(_ROW_NUMBER),
            func.count().over(partition_by=o.c.id).label(_TOTAL),
        )
        .select_from(o)
        .join(t, and_(*conditions))
        .where(o.c.id.in_(list(owners)))
    )
    size, after_key = page
    if after_key is not None:
        # The count is of every row; the page starts after the cursor's key.
        counted = numbered.subquery()
        after = counted.c[target.key] > bindparam("after_key")
        numbered = (
            select(*(c for c in counted.c if c.key not in (_ROW_NUMBER,)),
                   func.row_number().over(partition_by=counted.c[_OWNER],
                                          order_by=counted.c[target.key]).label(_ROW_NUMBER))
            .where(after)
        )  # fmt: skip
        params = params | {"after_key": after_key}
    numbered_rows = numbered.subquery()
    query = (
        select(numbered_rows)
        .where(numbered_rows.c[_ROW_NUMBER] <= size + 1)
        .order_by(numbered_rows.c[_OWNER], numbered_rows.c[_ROW_NUMBER])
    )
    grouped: dict[int, list[Any]] = defaultdict(list)
    totals: dict[int, int] = {}
    for row in await column_rows(session, query, params):
        grouped[row[0]].append(_target_row(row))
        totals[row[0]] = row._mapping[_TOTAL]
    answers: list[tuple[list[Any], int, bool]] = []
    for owner in owners:
        found = grouped.get(owner, [])
        answers.append((found[:size], totals.get(owner, 0), len(found) > size))
    return answers


class _TargetRow:
    """A target row read by attribute, as the API's types read rows (`from_row`)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def _target_row(row: Any) -> _TargetRow:
    mapping = row._mapping
    return _TargetRow({k: v for k, v in mapping.items() if k not in (_OWNER, _ROW_NUMBER, _TOTAL)})
