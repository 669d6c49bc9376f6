"""Rows of a few related records carried as one JSON column of a larger statement.

A page of members shares a handful of organisations. Fetching them in a statement of their
own costs a round trip, which on SQLite or a nearby PostgreSQL costs more than the rows; joining
them to every member costs a lookup per member. As one uncorrelated subquery aggregated to
JSON, they are read once and travel with the page: `JsonRowsOf(columns)` gives the SQL aggregate
and reads its value back as tuples of the columns' own Python values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Date, Integer, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

Convert = Callable[[Any], Any] | None


class JsonRows(FunctionElement[str]):
    """SQL aggregate: one JSON array holding, per row, the array of its columns' values."""

    name = "json_rows"
    type = Text()
    inherit_cache = True


@compiles(JsonRows, "sqlite")
def _sqlite(element: JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(JsonRows, "postgresql")
def _postgresql(element: JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    # As text, as SQLite's: asyncpg would decode json itself. json_agg of no rows is null,
    # not []: `read` takes either.
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))::text"


class JsonRowsOf:
    """Some columns carried as JSON rows: their aggregate for a statement, and the reading of
    its value. Built once per set of columns (a module constant), as it checks their types."""

    def __init__(self, columns: Sequence[ColumnElement[Any]]) -> None:
        self.columns = tuple(columns)
        self._converters = tuple(_converter(column) for column in self.columns)
        self._plain = not any(self._converters)

    def aggregate(self) -> JsonRows:
        """SQL: the aggregate of the columns over the rows of the select it is in."""
        return JsonRows(*self.columns)

    def read(self, text: str | None) -> list[tuple[Any, ...]]:
        """The rows of the aggregate's value, each value as its column's Python type (JSON has
        no dates: they travel as ISO text)."""
        if not text:
            return []
        rows = orjson.loads(text)
        if self._plain:
            return [tuple(row) for row in rows]
        converters = self._converters
        return [
            tuple(
                v if c is None or v is None else c(v) for c, v in zip(converters, row, strict=True)
            )
            for row in rows
        ]


def _converter(column: ColumnElement[Any]) -> Convert:
    """How a column's JSON value becomes its Python value. Only integer, text and date
    columns: those JSON carries without loss on both backends."""
    kind = column.type
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, (Integer, String)):
        return None
    raise TypeError(f"JSON rows cannot carry {column} of type {kind!r}")
