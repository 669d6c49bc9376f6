"""JSON built by the database, in the dialect of each: objects, arrays, booleans, ids.

A read the planner compiles (`registry.reads.compile`) returns its whole answer as JSON text
that the API sends on as it is. These are its building blocks, each one SQL expression whose
value is JSON (or a JSON-ready scalar) on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, Text, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

# PostgreSQL functions take at most 100 arguments: an object of more keys is built in parts.
_PAIRS_PER_CALL = 50
# Stars for a masked phone: phones are at most 32 characters (registry.core.models).
_STARS = "*" * 32


class JsonObject(FunctionElement[Any]):
    """A JSON object of key/value pairs (keys are literal strings)."""

    name = "json_object"
    type = Text()
    inherit_cache = True


@compiles(JsonObject, "sqlite")
def _object_sqlite(element: JsonObject, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(JsonObject, "postgresql")
def _object_postgresql(element: JsonObject, compiler: SQLCompiler, **kw: Any) -> str:
    texts = [compiler.process(c, **kw) for c in element.clauses]
    step = 2 * _PAIRS_PER_CALL
    parts = [
        f"json_build_object({', '.join(texts[i : i + step])})" for i in range(0, len(texts), step)
    ]
    if len(parts) <= 1:
        return parts[0] if parts else "json_build_object()"
    return "(" + " || ".join(f"{p}::jsonb" for p in parts) + ")::json"


class JsonArrayOf(FunctionElement[Any]):
    """Aggregate: the JSON array of a JSON value over the rows, in the rows' order; [] for none."""

    name = "json_array_of"
    type = Text()
    inherit_cache = True


@compiles(JsonArrayOf, "sqlite")
def _array_sqlite(element: JsonArrayOf, compiler: SQLCompiler, **kw: Any) -> str:
    # json(): a value read from a subquery has lost its JSON subtype and would be quoted.
    return f"json_group_array(json({compiler.process(element.clauses, **kw)}))"


@compiles(JsonArrayOf, "postgresql")
def _array_postgresql(element: JsonArrayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_agg({compiler.process(element.clauses, **kw)}), '[]'::json)"


class JsonArrayOfScalars(FunctionElement[Any]):
    """Aggregate: the JSON array of a scalar (text, number) over the rows; [] for none."""

    name = "json_array_of_scalars"
    type = Text()
    inherit_cache = True


@compiles(JsonArrayOfScalars, "sqlite")
def _scalars_sqlite(element: JsonArrayOfScalars, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(JsonArrayOfScalars, "postgresql")
def _scalars_postgresql(element: JsonArrayOfScalars, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_agg({compiler.process(element.clauses, **kw)}), '[]'::json)"


class AsJson(FunctionElement[Any]):
    """A JSON value read from a subquery, kept JSON (not quoted as text) inside an object."""

    name = "as_json"
    type = Text()
    inherit_cache = True


@compiles(AsJson, "sqlite")
def _as_json_sqlite(element: AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json({compiler.process(element.clauses, **kw)})"


@compiles(AsJson, "postgresql")
def _as_json_postgresql(element: AsJson, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class JsonText(FunctionElement[Any]):
    """A JSON value as its text: the driver hands it over unparsed (asyncpg would decode json)."""

    name = "json_text"
    type = Text()
    inherit_cache = True


@compiles(JsonText, "sqlite")
def _text_sqlite(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(JsonText, "postgresql")
def _text_postgresql(element: JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})::text"


class JsonBool(FunctionElement[Any]):
    """A condition as JSON true or false (SQLite has no booleans: 1 and 0 would be numbers)."""

    name = "json_bool"
    type = Text()
    inherit_cache = True


@compiles(JsonBool, "sqlite")
def _bool_sqlite(element: JsonBool, compiler: SQLCompiler, **kw: Any) -> str:
    condition = compiler.process(element.clauses, **kw)
    return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"


@compiles(JsonBool, "postgresql")
def _bool_postgresql(element: JsonBool, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


class JsonReal(FunctionElement[Any]):
    """A real number as JSON, written as the API writes a float: the shortest text that reads
    back as the same number (SQLite's own JSON keeps 15 digits: 1/3 would lose its last)."""

    name = "json_real"
    type = Text()
    inherit_cache = True


@compiles(JsonReal, "sqlite")
def _real_sqlite(element: JsonReal, compiler: SQLCompiler, **kw: Any) -> str:
    # A function of the registry's own (core.db); json() keeps a number's text as it is.
    return f"json(gridreg_json_real({compiler.process(element.clauses, **kw)}))"


@compiles(JsonReal, "postgresql")
def _real_postgresql(element: JsonReal, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL writes a double's shortest text itself (extra_float_digits 1, the default).
    return compiler.process(element.clauses, **kw)


class Base64(FunctionElement[Any]):
    """Standard base64 (with padding) of a text, as relay global IDs and cursors are written."""

    name = "base64"
    type = String()
    inherit_cache = True


@compiles(Base64, "sqlite")
def _base64_sqlite(element: Base64, compiler: SQLCompiler, **kw: Any) -> str:
    # A function of the registry's own, installed on every SQLite connection (core.db).
    return f"gridreg_base64({compiler.process(element.clauses, **kw)})"


@compiles(Base64, "postgresql")
def _base64_postgresql(element: Base64, compiler: SQLCompiler, **kw: Any) -> str:
    # encode() breaks lines every 76 characters; ids and cursors are shorter, but be exact.
    text = compiler.process(element.clauses, **kw)
    return f"replace(encode(convert_to({text}, 'UTF8'), 'base64'), E'\\n', '')"


def json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    """SQL: the JSON object of (key, value) pairs, keys in the order given."""
    clauses: list[Any] = []
    for key, value in pairs:
        clauses += [literal(key, String), value]
    return JsonObject(*clauses)


def json_array_of(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL aggregate: the JSON array of `value` over the rows of its select."""
    return JsonArrayOf(value)


def json_array_of_scalars(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL aggregate: the JSON array of a scalar `value` over the rows of its select."""
    return JsonArrayOfScalars(value)


def as_json(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: a JSON value from a scalar subquery, kept JSON inside an object or array."""
    return AsJson(value)


def json_text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: a JSON value as text, as the statement's answer."""
    return JsonText(value)


def json_bool(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """SQL: a condition as JSON true or false."""
    return JsonBool(condition)


def json_real(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: a real number (or null) as JSON, written as the API writes a float."""
    return JsonReal(value)


def global_id(type_name: str, key: ColumnElement[Any]) -> ColumnElement[str]:
    """SQL: the relay global ID of a row, as strawberry writes it (base64 of "Type:id")."""
    return Base64(literal(f"{type_name}:", String).concat(func.cast(key, String)))


def cursor_of(key: ColumnElement[Any]) -> ColumnElement[str]:
    """SQL: the connection cursor of a row's key, a text or a number
    (registry.api.paging.encode_cursor)."""
    text = key if isinstance(key.type, String) else cast(key, String)
    return Base64(literal("k:", String).concat(text))


def masked_phone(phone: ColumnElement[str]) -> ColumnElement[str]:
    """SQL: a phone as viewers see it: the first three and last four digits, stars between
    (registry.api.types.mask_phone)."""
    from sqlalchemy import case

    length = func.length(phone)
    stars = func.substr(literal(_STARS, String), 1, length - 7, type_=String)
    head = func.substr(phone, 1, 3, type_=String)
    tail = func.substr(phone, length - 3, 4, type_=String)
    return case(
        (phone.is_(None), None),
        (length > 7, head.concat(stars).concat(tail)),
        else_=literal("****", String),
    )


def enum_name(value: ColumnElement[str]) -> ColumnElement[str]:
    """SQL: the GraphQL name of a stored enum value (its upper case: `branch` is BRANCH)."""
    return func.upper(value)
