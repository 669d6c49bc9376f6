"""What a request selects, in the read model's terms: plain, hashable data.

The API turns a GraphQL selection into these (`registry.api.lookahead`); the compiler turns
them into one SQL statement (`registry.reads.compile`). Everything that changes the statement's
text is part of a selection's value (fields, relations, page sizes, which filters are given);
values that only fill it in (a cursor, a code, a filter's text) are `Slot`s, bound when the
statement runs, so that one compiled statement serves every request of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Slot:
    """A value bound when the statement runs, by name."""

    name: str


# A relation's or a root's filter arguments: (name, value) pairs, in a stable order; a value is
# a literal when it changes the statement (a boolean, None) and a Slot otherwise.
Filters = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Field:
    """A field of the object read from the model (`Entity.fields`), answered under `key`."""

    key: str
    name: str


@dataclass(frozen=True)
class TypeName:
    """`__typename`, answered under `key`."""

    key: str


@dataclass(frozen=True)
class One:
    """A to-one relation, answered as an object (or null) under `key`."""

    key: str
    relation: str
    pick: ObjectPick


@dataclass(frozen=True)
class Connection:
    """A to-many relation that is a connection, answered under `key`."""

    key: str
    relation: str
    filters: Filters
    page: Page


@dataclass(frozen=True)
class ObjectPick:
    """The keys of one object's answer, in the order selected."""

    entity: str
    items: tuple[Field | TypeName | One | Connection, ...]


@dataclass(frozen=True)
class Page:
    """A page of a connection: at most `size` rows after the cursor `after`, and the parts of
    the connection selected, each under its key: `("totalCount", key)`, `("typename", key)`,
    `("pageInfo", key, ((key, part), ...))` with parts hasNextPage, hasPreviousPage,
    startCursor, endCursor or __typename, `("nodes", key, pick)`, `("edges", key, ((key,
    "cursor" | "__typename" | pick), ...))`."""

    size: int
    after: Slot | None
    parts: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class RootList:
    """A root connection: the visible rows of `entity` meeting the root `filters`."""

    entity: str
    filters: Filters
    page: Page


@dataclass(frozen=True)
class RootObject:
    """A root lookup: the visible row of `entity` whose `by` ("id" or "code") is `value`."""

    entity: str
    by: str
    value: Slot
    pick: ObjectPick


@dataclass(frozen=True)
class Figures:
    """A node's coverage figures for places of one kind (`name`: estates or buildings),
    answered as an object under `key`: its `parts` are (key, what) pairs, `what` one of
    total, covered, ratio and __typename."""

    key: str
    name: str
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChartPick:
    """The keys of every node's answer in an org chart (`registry.reports.orgchart_json`):
    the node's own fields and counts, its figures, and its secretary or group leader as
    members (`One`, relation `secretary` or `leader`)."""

    include_closed: bool
    items: tuple[Field | TypeName | Figures | One, ...]
