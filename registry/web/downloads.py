"""Downloads as .xlsx: a scope's coverage report (recomputed, as `gridreg export coverage`
writes it) and any table the console shows (posted by the page, written by openpyxl)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from registry.access.scope import resolve_scope
from registry.core.errors import UserErrors
from registry.reports.workbooks import Table, Value, coverage_tables, scope_name, workbook_bytes
from registry.web.refusals import refused
from registry.web.session import is_json_post
from registry.web.signin import request_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bounds of a posted table workbook: the console sends the tables it shows (a page of a list,
# a chart's boxes, a report), far below these. Each bounds work done on the server's behalf.
MAX_TABLES = 20
MAX_COLUMNS = 60
MAX_ROWS = 50_000  # in one table
MAX_CELLS = 200_000  # all tables together, headings included
MAX_TEXT = 2_000  # characters in one cell, heading, title or file name


class TooMuch(ValueError):
    """A posted workbook over one of the bounds: which, and its value."""

    def __init__(self, limit: str, value: int) -> None:
        super().__init__(f"the workbook is over the limit of {value} {limit}")
        self.limit = limit
        self.value = value


async def xlsx_response(tables: list[Table], filename: str) -> Response:
    """The workbook as an attachment, built off the event loop (a large workbook takes
    seconds of CPU); the file name may be Chinese (RFC 6266 filename*)."""
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    body = await run_in_threadpool(workbook_bytes, tables)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})


async def coverage_download(request: Request) -> Response:
    """GET /console/export/coverage.xlsx?scope=CODE: the coverage report of a scope."""
    actor = await request_actor(request)
    if actor is None:
        return refused("sign in first", "UNAUTHENTICATED", 401)
    code = request.query_params.get("scope", "").strip()
    async with request.app.state.db.read() as session:
        try:
            scope = await resolve_scope(session, actor, code, None)
        except UserErrors as problem:
            return refused(str(problem), "NOT_FOUND", 404, scope=code)
        tables = await coverage_tables(session, scope, request.app.state.settings.rules)
    return await xlsx_response(tables, f"覆盖情况-{scope_name(scope)}.xlsx")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a {what} is text")
    if len(value) > MAX_TEXT:
        raise TooMuch(f"characters in one {what}", MAX_TEXT)
    return value


def _cell(value: Any) -> Value:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _text(value, "cell")
    raise ValueError("a cell is text, a number, true/false or null")


def _tables(body: Any) -> list[Table]:
    """The tables of a posted body, checked against the bounds before anything is built."""
    if not isinstance(body, dict) or not isinstance(body.get("tables"), list):
        raise ValueError('post {"filename": "...", "tables": [{"title", "columns", "rows"}]}')
    raw_tables = body["tables"]
    if len(raw_tables) > MAX_TABLES:
        raise TooMuch("tables", MAX_TABLES)
    cells = 0
    tables: list[Table] = []
    for raw in raw_tables:
        if not isinstance(raw, dict):
            raise ValueError("each table is an object {title, columns, rows}")
        columns, rows = raw.get("columns"), raw.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list):
            raise ValueError("a table's columns and rows are lists")
        if len(columns) > MAX_COLUMNS:
            raise TooMuch("columns", MAX_COLUMNS)
        if len(rows) > MAX_ROWS:
            raise TooMuch("rows in one table", MAX_ROWS)
        cells += len(columns)
        checked: list[list[Value]] = []
        for row in rows:
            if not isinstance(row, list):
                raise ValueError("each row is a list of cells")
            if len(row) > MAX_COLUMNS:
                raise TooMuch("columns", MAX_COLUMNS)
            cells += max(len(row), 1)
            if cells > MAX_CELLS:
                raise TooMuch("cells", MAX_CELLS)
            checked.append([_cell(value) for value in row])
        percent = raw.get("percentColumns", [])
        tables.append(
            Table(
                _text(raw.get("title") or "Sheet", "title"),
                [_text(column, "heading") for column in columns],
                checked,
                frozenset(
                    i
                    for i in (percent if isinstance(percent, list) else [])
                    if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < MAX_COLUMNS
                ),
            )
        )
    return tables


async def table_download(request: Request) -> Response:
    """POST /console/export/table.xlsx with JSON {filename, tables: [{title, columns, rows}]}:
    the tables the console shows, as a workbook."""
    if await request_actor(request) is None:
        return refused("sign in first", "UNAUTHENTICATED", 401)
    if not is_json_post(request):
        return refused("post the tables as JSON", "UNSUPPORTED_MEDIA_TYPE", 415)
    raw = await request.body()
    try:
        # Off the event loop, as the workbook is built: parsing and checking the largest body
        # the bounds allow (200,000 cells) takes 70 ms of CPU, longer on a busy machine, and
        # every other request would wait for it.
        tables, filename = await run_in_threadpool(_posted, raw)
    except orjson.JSONDecodeError:  # a ValueError too: first
        return refused("the body is not JSON", "BAD_REQUEST", 400)
    except TooMuch as over:
        return refused(str(over), "LIMIT_EXCEEDED", 413, limit=over.limit, value=over.value)
    except ValueError as problem:
        return refused(str(problem), "BAD_REQUEST", 400)
    return await xlsx_response(tables, filename)


def _posted(raw: bytes) -> tuple[list[Table], str]:
    """The tables and file name of a posted body, checked against the bounds."""
    body = orjson.loads(raw)
    tables = _tables(body)
    return tables, _text(body.get("filename") or "export.xlsx", "file name")
