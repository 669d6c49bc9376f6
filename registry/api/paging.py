"""Relay connections served by keyset pagination in SQL, page size capped."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.api.limits import bad_input
from registry.core.db import column_rows
from registry.core.sql import row_limit
from registry.core.validation import character_problem
from registry.reads.model import Entity

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    """A page of results; `totalCount` counts all of them, in SQL. Edges, and a cursor for
    each, are made only when a caller selects them: a page read as `nodes` needs only the
    cursors of its ends."""

    page_info: PageInfo
    total_count: int
    items: strawberry.Private[list[T]]
    keys: strawberry.Private[list[str]]

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        return [
            Edge(node=node, cursor=encode_cursor(key))
            for node, key in zip(self.items, self.keys, strict=True)
        ]

    @strawberry.field
    def nodes(self) -> list[T]:
        return self.items


def page_of(
    items: list[T], keys: list[str], more: bool, after: str | None, total: int
) -> Connection[T]:
    """The connection of one page: its items with their cursor keys, whether more follow, the
    cursor it came after, and the count of all results."""
    return Connection(
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=after is not None,
            start_cursor=encode_cursor(keys[0]) if keys else None,
            end_cursor=encode_cursor(keys[-1]) if keys else None,
        ),
        total_count=total,
        items=items,
        keys=keys,
    )


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    """The key a cursor of `encode_cursor` holds; BAD_INPUT for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeError):
        raw = ""
    # A key is a stored code or path: never a control character (PostgreSQL refuses NUL).
    if not raw.startswith("k:") or character_problem(raw, multiline=False):
        raise bad_input("`after` is not a cursor from this API")
    return raw[2:]


def cursor_key(entity: Entity, cursor: str) -> str | int:
    """The key of `entity` a cursor of its connection holds; BAD_INPUT for anything else."""
    key = entity.key_value(decode_cursor(cursor))
    if key is None:
        raise bad_input("`after` is not a cursor from this API")
    return key


async def paginate(
    session: AsyncSession,
    query: Select[Any],
    key: SQLColumnExpression[str],
    size: int,
    after: str | None,
    to_node: Callable[[Sequence[Any]], list[T]],
    count: bool = True,
    shape: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[T]:
    """One page of the entity `query` (one entity, filtered or joined one-to-one, with no
    DISTINCT, GROUP BY or LIMIT: it is counted as it stands) ordered by its unique string
    column `key`, after a cursor.
    With `count` False (the caller did not select `totalCount`) nothing is counted and
    `total_count` is 0, never shown.
    With `shape`, the page statement is `shape(page)` of the page's own statement (ordered,
    limited, after the cursor): the page's columns and more, say joined rows for nested
    fields, in the page's order; `to_node` then reads its rows instead of entities, and a row
    ends with the count when `count` is asked for."""
    # Counted in the query itself, not around it as a subquery (SQLite then counts an index
    # instead of reading every row), and as a column of the page statement: uncorrelated, it
    # runs once, and the page costs one round trip instead of two.
    page_query = query.order_by(key).limit(row_limit(size + 1))
    if after is not None:
        page_query = page_query.where(key > decode_cursor(after))
    if shape is not None:
        page_query = shape(page_query)
    counted = None
    if count:
        counted = query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        page_query = page_query.add_columns(counted.correlate(None).scalar_subquery())
    if shape is None:
        rows = list((await session.execute(page_query)).all())
    else:
        rows = list(await column_rows(session, page_query))
    total = 0
    if counted is not None:
        # No row at all: nothing matches, unless the cursor is past the last of them.
        total = rows[0][-1] if rows else ((await session.scalar(counted)) or 0 if after else 0)
    more = len(rows) > size
    rows = rows[:size]
    items = [row[0] for row in rows] if shape is None else rows
    name = getattr(key, "key")  # noqa: B009 - a column's name; SQLColumnExpression does not type it
    keys = [getattr(item, name) for item in items]
    return page_of(to_node(items), keys, more, after, total)
